package migration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"ariga.io/atlas/sql/migrate"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/agentstore/agentstore/ent"
)

// SourceDir is the migration directory in the source tree.
const SourceDir = "ent/migrate/migrations"

// ErrUsage is returned by Command.Run for a bad verb or arguments.
var ErrUsage = errors.New("bad usage")

// ErrLintFindings is returned by Command.Run when lint found something.
var ErrLintFindings = errors.New("lint found problems")

// Command is cmd/migrate's logic, callable from tests.
type Command struct {
	URL             string    // target database (required for apply, status; the server for diff, lint)
	DevURL          string    // server for throwaway dev databases; default URL
	Dir             string    // migration directory; see Run
	RevisionsSchema string    // default: RevisionsSchemaFor(URL), as the CLI does
	Out             io.Writer // reports
	Now             func() time.Time
}

// Run executes verb: diff NAME, apply, status, validate, lint [N], hash,
// new NAME, check (pgvector available). apply and status read Dir when set and the embedded migrations
// otherwise; the others use Dir, default SourceDir.
func (c Command) Run(ctx context.Context, verb string, args []string) error {
	if c.Now == nil {
		c.Now = time.Now
	}
	switch verb {
	case "check":
		db, err := openDB(c.URL)
		if err != nil {
			return err
		}
		defer db.Close()
		if err := CheckServer(ctx, db); err != nil {
			return err
		}
		fmt.Fprintln(c.Out, "server ok: pgvector >= "+MinPgvectorVersion+" available")
		return nil
	case "apply", "status":
		if len(args) != 0 {
			return fmt.Errorf("%w: %s takes no arguments", ErrUsage, verb)
		}
		return c.withDatabase(ctx, verb)
	case "validate", "hash":
		if len(args) != 0 {
			return fmt.Errorf("%w: %s takes no arguments", ErrUsage, verb)
		}
		dir, err := c.localDir()
		if err != nil {
			return err
		}
		if verb == "hash" {
			return Hash(dir)
		}
		if err := Validate(dir); err != nil {
			return err
		}
		fmt.Fprintln(c.Out, "atlas.sum matches the directory")
		return nil
	case "new":
		if len(args) != 1 {
			return fmt.Errorf("%w: new takes a NAME", ErrUsage)
		}
		dir, err := c.localDir()
		if err != nil {
			return err
		}
		name, err := New(dir, args[0], c.Now())
		if err == nil {
			fmt.Fprintf(c.Out, "created %s\n", name)
		}
		return err
	case "diff":
		if len(args) != 1 {
			return fmt.Errorf("%w: diff takes a NAME", ErrUsage)
		}
		return c.diff(ctx, args[0])
	case "lint":
		n := 1
		if len(args) > 1 {
			return fmt.Errorf("%w: lint takes at most one argument", ErrUsage)
		}
		if len(args) == 1 {
			var err error
			if n, err = strconv.Atoi(args[0]); err != nil || n < 0 {
				return fmt.Errorf("%w: lint N: %q is not a count", ErrUsage, args[0])
			}
		}
		return c.lint(ctx, n)
	default:
		return fmt.Errorf("%w: unknown command %q", ErrUsage, verb)
	}
}

func (c Command) localDir() (*migrate.LocalDir, error) {
	path := c.Dir
	if path == "" {
		path = SourceDir
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("migration directory: %w", err)
	}
	return migrate.NewLocalDir(path)
}

func (c Command) readDir() (migrate.Dir, error) {
	if c.Dir != "" {
		return c.localDir()
	}
	return FromFS(ent.Migrations, "migrate/migrations")
}

func (c Command) withDatabase(ctx context.Context, verb string) error {
	dir, err := c.readDir()
	if err != nil {
		return err
	}
	db, err := openDB(c.URL)
	if err != nil {
		return err
	}
	defer db.Close()
	opts := Options{RevisionsSchema: c.RevisionsSchema}
	if opts.RevisionsSchema == "" {
		if opts.RevisionsSchema, err = RevisionsSchemaFor(c.URL); err != nil {
			return err
		}
	}
	if verb == "apply" {
		applied, err := Apply(ctx, db, dir, opts)
		for _, a := range applied {
			fmt.Fprintf(c.Out, "applied %s (%s): %d statements in %s\n", a.Version, a.Description, a.Statements, a.Duration.Round(time.Millisecond))
		}
		if err == nil && len(applied) == 0 {
			fmt.Fprintln(c.Out, "no pending migrations")
		}
		return err
	}
	st, err := ReadStatus(ctx, db, dir, opts)
	if err != nil {
		return err
	}
	current := st.Current
	if current == "" {
		current = "none"
	}
	fmt.Fprintf(c.Out, "current version: %s\napplied: %d\npending: %d\n", current, len(st.Applied), len(st.Pending))
	for _, r := range st.Applied {
		fmt.Fprintf(c.Out, "  applied  %s %s (%d/%d statements, %s)\n", r.Version, r.Description, r.Applied, r.Total, r.ExecutedAt.UTC().Format(time.RFC3339))
	}
	for _, f := range st.Pending {
		fmt.Fprintf(c.Out, "  pending  %s %s\n", f.Version(), f.Desc())
	}
	return nil
}

func (c Command) devURL() string {
	if c.DevURL != "" {
		return c.DevURL
	}
	return c.URL
}

func (c Command) diff(ctx context.Context, name string) error {
	dir, err := c.localDir()
	if err != nil {
		return err
	}
	before, _ := dir.Files()
	err = WithDevDatabase(ctx, c.devURL(), func(dev *sql.DB) error { return Diff(ctx, dev, dir, name) })
	if errors.Is(err, ErrNoChanges) {
		fmt.Fprintln(c.Out, "no changes: the directory matches the ent schema")
		return nil
	}
	if err != nil {
		return err
	}
	after, _ := dir.Files()
	if len(after) > len(before) {
		fmt.Fprintf(c.Out, "created %s\n", after[len(after)-1].Name())
	}
	return nil
}

func (c Command) lint(ctx context.Context, n int) error {
	dir, err := c.localDir()
	if err != nil {
		return err
	}
	var findings []Finding
	err = WithDevDatabase(ctx, c.devURL(), func(dev *sql.DB) error {
		findings, err = Lint(ctx, dev, dir, n)
		return err
	})
	if err != nil {
		return err
	}
	for _, f := range findings {
		fmt.Fprintln(c.Out, f)
	}
	if len(findings) > 0 {
		return fmt.Errorf("%w: %d finding(s)", ErrLintFindings, len(findings))
	}
	fmt.Fprintln(c.Out, "no findings")
	return nil
}

func openDB(url string) (*sql.DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("parse url: %w", err)
	}
	return stdlib.OpenDB(*cfg), nil
}
