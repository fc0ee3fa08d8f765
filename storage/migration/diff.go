package migration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	atlas "ariga.io/atlas/sql/schema"
	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	entschema "entgo.io/ent/dialect/sql/schema"

	entmigrate "github.com/agentstore/agentstore/ent/migrate"
)

// ErrNoChanges is returned by Diff when the directory already matches the
// ent schema.
var ErrNoChanges = errors.New("migration: no changes: the directory matches the ent schema")

// Diff writes a new file `{now UTC}_{name}.sql` (and rehashes atlas.sum)
// with the statements that take the replayed directory to the ent schema.
// dev must be an empty, throwaway database: the directory is replayed on it
// (Atlas replay mode) and its tables are dropped afterwards.
func Diff(ctx context.Context, dev *sql.DB, dir migrate.Dir, name string) error {
	if !validName.MatchString(name) {
		return fmt.Errorf("%w: %q", ErrInvalidName, name)
	}
	m, err := entschema.NewMigrate(entsql.OpenDB(dialect.Postgres, dev), diffOptions(dir, entschema.ModeReplay)...)
	if err != nil {
		return fmt.Errorf("migration: %w", err)
	}
	err = m.NamedDiff(ctx, name, entmigrate.Tables...)
	if errors.Is(err, migrate.ErrNoPlan) {
		return ErrNoChanges
	}
	if err != nil {
		return fmt.Errorf("migration: diff: %w", err)
	}
	return nil
}

// Drift returns the statements that would take db's current schema to the
// ent schema, dropped columns and indexes included; none means the
// migrations and the ent schema agree.
func Drift(ctx context.Context, db *sql.DB) ([]string, error) {
	out := &migrate.MemDir{}
	m, err := entschema.NewMigrate(entsql.OpenDB(dialect.Postgres, db), diffOptions(out, entschema.ModeInspect)...)
	if err != nil {
		return nil, fmt.Errorf("migration: %w", err)
	}
	err = m.NamedDiff(ctx, "drift", entmigrate.Tables...)
	if errors.Is(err, migrate.ErrNoPlan) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("migration: drift: %w", err)
	}
	files, err := out.Files()
	if err != nil {
		return nil, err
	}
	var stmts []string
	for _, f := range files {
		s, err := f.Stmts()
		if err != nil {
			return nil, err
		}
		stmts = append(stmts, s...)
	}
	return stmts, nil
}

func diffOptions(dir migrate.Dir, mode entschema.Mode) []entschema.MigrateOption {
	return []entschema.MigrateOption{
		entschema.WithDir(dir),
		entschema.WithMigrationMode(mode),
		entschema.WithDialect(dialect.Postgres),
		entschema.WithFormatter(migrate.DefaultFormatter),
		entschema.WithDropColumn(true),
		entschema.WithDropIndex(true),
		entschema.WithErrNoPlan(true),
		entschema.WithDiffHook(databaseManaged),
	}
}

// TextSearchConfig is the text-search configuration of the stored
// chunks.content_tsv column.
const TextSearchConfig = "english"

// databaseManaged adds to the desired schema what ent cannot declare but the
// database computes: identity columns for message and checkpoint seq, and the
// generated tsvector of chunk content with its GIN index. Expressions are
// written exactly as PostgreSQL prints them, so a migrated database shows no
// drift.
func databaseManaged(next entschema.Differ) entschema.Differ {
	return entschema.DiffFunc(func(current, desired *atlas.Schema) ([]atlas.Change, error) {
		for _, t := range []string{"messages", "checkpoints"} {
			if err := identity(desired, t, "seq"); err != nil {
				return nil, err
			}
		}
		if err := contentTSV(desired); err != nil {
			return nil, err
		}
		return next.Diff(current, desired)
	})
}

func identity(s *atlas.Schema, table, column string) error {
	t, ok := s.Table(table)
	if !ok {
		return fmt.Errorf("migration: table %q not in the ent schema", table)
	}
	c, ok := t.Column(column)
	if !ok {
		return fmt.Errorf("migration: column %s.%s not in the ent schema", table, column)
	}
	c.Type.Null = false
	c.Default = nil
	c.Attrs = append(removeAttrs[*postgres.Identity](c.Attrs),
		&postgres.Identity{Generation: "ALWAYS", Sequence: &postgres.Sequence{Start: 1, Increment: 1}})
	return nil
}

func contentTSV(s *atlas.Schema) error {
	t, ok := s.Table("chunks")
	if !ok {
		return errors.New("migration: table chunks not in the ent schema")
	}
	if _, ok := t.Column("content_tsv"); ok {
		return nil
	}
	c := atlas.NewNullColumn("content_tsv").
		SetType(&postgres.TextSearchType{T: postgres.TypeTSVector}).
		SetGeneratedExpr(&atlas.GeneratedExpr{
			Expr: "to_tsvector('" + TextSearchConfig + "'::regconfig, content)",
			Type: "STORED",
		})
	t.AddColumns(c)
	t.AddIndexes(atlas.NewIndex("chunk_content_tsv").AddColumns(c).AddAttrs(&postgres.IndexType{T: "GIN"}))
	return nil
}

func removeAttrs[T atlas.Attr](attrs []atlas.Attr) []atlas.Attr {
	out := attrs[:0:0]
	for _, a := range attrs {
		if _, ok := a.(T); !ok {
			out = append(out, a)
		}
	}
	return out
}
