package migration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

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
	err = namedDiff(ctx, m, name)
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
	err = namedDiff(ctx, m, "drift")
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

// generatedTables guards ent's generated tables: its differ writes into
// them (linking columns to their indexes), so two diffs in one process must
// not overlap.
var generatedTables sync.Mutex

// namedDiff diffs the ent schema under m's options, one diff at a time.
func namedDiff(ctx context.Context, m *entschema.Atlas, name string) error {
	generatedTables.Lock()
	defer generatedTables.Unlock()
	return m.NamedDiff(ctx, name, entmigrate.Tables...)
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

// databaseManaged adds to the desired schema what ent cannot declare: the
// database-computed columns (identity seq on messages and checkpoints), the
// chunks' tsvector (written by storage, under the store's text search
// configuration) with its GIN index, the GIN of the document sets with the
// organization (btree_gin, which the dev database need not have), and the
// composite foreign keys that keep rows consistent with their parents.
// Expressions are written exactly as PostgreSQL prints them, so a migrated
// database shows no drift.
func databaseManaged(next entschema.Differ) entschema.Differ {
	return entschema.DiffFunc(func(current, desired *atlas.Schema) ([]atlas.Change, error) {
		for _, t := range []string{"messages", "checkpoints"} {
			if err := identity(desired, t, "seq"); err != nil {
				return nil, err
			}
		}
		if err := chunkSearch(desired); err != nil {
			return nil, err
		}
		for _, fk := range ConsistencyKeys {
			if err := fk.add(desired); err != nil {
				return nil, err
			}
		}
		return next.Diff(current, desired)
	})
}

// ConsistencyKey is a composite foreign key that makes the database, not
// only the code, refuse a row whose organization differs from its parent's,
// or a reference to a participant of another conversation.
type ConsistencyKey struct {
	Name             string
	Table, RefTable  string
	Columns, RefCols []string
	Cascade          bool // ON DELETE CASCADE, as the parent edge; else NO ACTION
}

// ConsistencyKeys are every composite foreign key of the schema.
var ConsistencyKeys = []ConsistencyKey{
	{"participants_conversation_organization", "participants", "conversations", []string{"conversation_id", "organization_id"}, []string{"id", "organization_id"}, true},
	{"messages_conversation_organization", "messages", "conversations", []string{"conversation_id", "organization_id"}, []string{"id", "organization_id"}, true},
	{"messages_from_same_conversation", "messages", "participants", []string{"from_participant_id", "conversation_id"}, []string{"id", "conversation_id"}, false},
	{"messages_to_same_conversation", "messages", "participants", []string{"to_participant_id", "conversation_id"}, []string{"id", "conversation_id"}, false},
	{"sessions_conversation_organization", "sessions", "conversations", []string{"conversation_id", "organization_id"}, []string{"id", "organization_id"}, true},
	{"sessions_user_same_conversation", "sessions", "participants", []string{"user_participant_id", "conversation_id"}, []string{"id", "conversation_id"}, false},
	{"sessions_agent_same_conversation", "sessions", "participants", []string{"agent_participant_id", "conversation_id"}, []string{"id", "conversation_id"}, false},
	{"chunks_document_organization", "chunks", "documents", []string{"document_id", "organization_id"}, []string{"id", "organization_id"}, true},
}

func (k ConsistencyKey) add(s *atlas.Schema) error {
	t, ok1 := s.Table(k.Table)
	ref, ok2 := s.Table(k.RefTable)
	if !ok1 || !ok2 {
		return fmt.Errorf("migration: foreign key %s: table not in the ent schema", k.Name)
	}
	if _, ok := t.ForeignKey(k.Name); ok {
		return nil
	}
	fk := atlas.NewForeignKey(k.Name).SetTable(t).SetRefTable(ref).SetOnUpdate(atlas.NoAction).SetOnDelete(atlas.NoAction)
	if k.Cascade {
		fk.SetOnDelete(atlas.Cascade)
	}
	for i, name := range k.Columns {
		c, ok := t.Column(name)
		rc, rok := ref.Column(k.RefCols[i])
		if !ok || !rok {
			return fmt.Errorf("migration: foreign key %s: column not in the ent schema", k.Name)
		}
		fk.AddColumns(c)
		fk.AddRefColumns(rc)
	}
	t.AddForeignKeys(fk)
	return nil
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

// chunkSearch adds the chunks' tsvector and the GIN indexes searches filter by.
func chunkSearch(s *atlas.Schema) error {
	t, ok := s.Table("chunks")
	if !ok {
		return errors.New("migration: table chunks not in the ent schema")
	}
	if _, ok := t.Column("content_tsv"); ok {
		return nil
	}
	c := atlas.NewNullColumn("content_tsv").SetType(&postgres.TextSearchType{T: postgres.TypeTSVector})
	t.AddColumns(c)
	org, ok := t.Column("organization_id")
	acl, ok2 := t.Column("acl")
	if !ok || !ok2 {
		return errors.New("migration: chunks has no organization_id or acl")
	}
	// With the organization (btree_gin) and the ACL: a search's bitmap holds
	// only the matches its viewer may read, not every organization's. Its
	// gin_pending_list_limit (a migration of its own) is no Atlas attribute.
	t.AddIndexes(atlas.NewIndex("chunk_content_tsv").AddColumns(org, acl, c).AddAttrs(&postgres.IndexType{T: "GIN"}))
	// The document sets with the organization: a set filter's bitmap holds
	// the organization's members only, not every organization's (a tenth
	// of a 100k-chunk table took 3.3 ms to read and intersect; filtered
	// semantic searches took a fifth less with it).
	sets, ok := t.Column("document_sets")
	if !ok {
		return errors.New("migration: chunks has no document_sets")
	}
	t.AddIndexes(atlas.NewIndex("chunk_organization_id_document_sets").AddColumns(org, sets).AddAttrs(&postgres.IndexType{T: "GIN"}))
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
