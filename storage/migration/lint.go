package migration

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	_ "ariga.io/atlas/sql/postgres/postgrescheck" // registers the PostgreSQL analyzers
	atlas "ariga.io/atlas/sql/schema"
	"ariga.io/atlas/sql/sqlcheck"
	"ariga.io/atlas/sql/sqlclient"
)

// Finding is one diagnostic of Atlas's analyzers (destructive changes,
// data-dependent changes, backward-incompatible changes, …).
type Finding struct {
	File string // migration file name
	Pos  int    // byte offset of the statement in the file
	Code string // Atlas check code, e.g. DS103 (drop column)
	Text string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s:%d: %s: %s", f.File, f.Pos, f.Code, f.Text)
}

// Lint analyzes the latest n files of dir (all when n <= 0) with Atlas's
// PostgreSQL analyzers. dev must be an empty, throwaway database: the earlier
// files are replayed on it, then each analyzed statement is executed and the
// schema inspected before and after it to learn what it changes.
func Lint(ctx context.Context, dev *sql.DB, dir migrate.Dir, n int) ([]Finding, error) {
	if err := Validate(dir); err != nil {
		return nil, err
	}
	files, err := dir.Files()
	if err != nil {
		return nil, err
	}
	files = migrate.SkipCheckpointFiles(files)
	if n <= 0 || n > len(files) {
		n = len(files)
	}
	conn, err := dev.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration: connect dev database: %w", err)
	}
	defer conn.Close()
	drv, err := postgres.Open(conn)
	if err != nil {
		return nil, fmt.Errorf("migration: open dev driver: %w", err)
	}
	cur, err := currentSchema(ctx, conn)
	if err != nil {
		return nil, err
	}
	base, check := files[:len(files)-n], files[len(files)-n:]
	for _, f := range base {
		if _, err := replay(ctx, drv, cur, f); err != nil {
			return nil, err
		}
	}
	analyzers, err := sqlcheck.AnalyzerFor(postgres.DriverName, nil)
	if err != nil {
		return nil, fmt.Errorf("migration: analyzers: %w", err)
	}
	client := &sqlclient.Client{Name: postgres.DriverName, DB: dev, Driver: drv}
	var findings []Finding
	for _, f := range check {
		file, err := replay(ctx, drv, cur, f)
		if err != nil {
			return nil, err
		}
		for _, a := range analyzers {
			name := ""
			if named, ok := a.(sqlcheck.NamedAnalyzer); ok {
				name = named.Name()
			}
			reported := 0
			report := sqlcheck.ReportWriterFunc(func(r sqlcheck.Report) {
				reported += len(r.Diagnostics)
				for _, d := range r.Diagnostics {
					if !silenced(file, d.Pos, d.Code, name) {
						findings = append(findings, Finding{File: f.Name(), Pos: d.Pos, Code: d.Code, Text: d.Text})
					}
				}
			})
			pass := &sqlcheck.Pass{File: file, Dev: client, Reporter: report}
			// Analyzers fail after reporting what they found (silenced or
			// not); that is a finding, not a lint error.
			if err := a.Analyze(ctx, pass); err != nil && reported == 0 {
				return nil, fmt.Errorf("migration: lint %s: %w", f.Name(), err)
			}
		}
	}
	return findings, nil
}

// silenced reports whether the statement at pos carries the CLI's
// "-- atlas:nolint" directive, bare or naming the check code or analyzer.
func silenced(file *sqlcheck.File, pos int, code, analyzer string) bool {
	for _, c := range file.Changes {
		if c.Stmt.Pos != pos {
			continue
		}
		for _, d := range c.Stmt.Directive("nolint") {
			args := strings.Fields(d)
			if len(args) == 0 || slices.Contains(args, code) || (analyzer != "" && slices.Contains(args, analyzer)) {
				return true
			}
		}
	}
	return false
}

// replay executes f statement by statement on the dev database and records
// what each statement changed.
func replay(ctx context.Context, drv migrate.Driver, cur string, f migrate.File) (*sqlcheck.File, error) {
	stmts, err := f.StmtDecls()
	if err != nil {
		return nil, fmt.Errorf("migration: parse %s: %w", f.Name(), err)
	}
	from, err := drv.InspectSchema(ctx, cur, nil)
	if err != nil {
		return nil, fmt.Errorf("migration: inspect dev: %w", err)
	}
	file := &sqlcheck.File{File: f, From: atlas.NewRealm(from)}
	before := from
	for _, s := range stmts {
		if _, err := drv.ExecContext(ctx, s.Text); err != nil {
			return nil, fmt.Errorf("migration: %s: %q: %w", f.Name(), s.Text, err)
		}
		after, err := drv.InspectSchema(ctx, cur, nil)
		if err != nil {
			return nil, fmt.Errorf("migration: inspect dev: %w", err)
		}
		changes, err := drv.SchemaDiff(before, after)
		if err != nil {
			return nil, fmt.Errorf("migration: diff %s: %w", f.Name(), err)
		}
		file.Changes = append(file.Changes, &sqlcheck.Change{Changes: changes, Stmt: s})
		before = after
	}
	file.To = atlas.NewRealm(before)
	if file.Sum, err = drv.SchemaDiff(from, before); err != nil {
		// Atlas cannot express some file-wide changes (a new generation
		// expression); the statements' own changes add up to the same.
		file.Sum = nil
		for _, c := range file.Changes {
			file.Sum = append(file.Sum, c.Changes...)
		}
	}
	return file, nil
}
