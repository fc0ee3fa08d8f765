package migration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/postgres"
	"ariga.io/atlas/sql/schema"
)

// lockName is the advisory lock the Atlas CLI takes around `migrate apply`,
// so the CLI and this package never apply concurrently.
const lockName = "atlas_migrate_execute"

// operatorVersion is recorded in each revision, as the CLI records its own.
const operatorVersion = "agentstore migration"

// Options configure Apply and Status. The zero value is usable.
type Options struct {
	// RevisionsSchema holds the atlas_schema_revisions table. Default
	// DefaultRevisionsSchema, as the CLI does for a connection not bound to
	// a schema; set it to the target schema when the connection is bound to
	// one (search_path), again as the CLI does.
	RevisionsSchema string
	// LockTimeout bounds the wait for another apply to finish. Default 1m.
	LockTimeout time.Duration
	// Logger receives one line per applied file. Default: discard.
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.RevisionsSchema == "" {
		o.RevisionsSchema = DefaultRevisionsSchema
	}
	if o.LockTimeout == 0 {
		o.LockTimeout = time.Minute
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return o
}

// Applied describes one file executed by Apply.
type Applied struct {
	Version     string
	Description string
	Statements  int
	Duration    time.Duration
}

// Apply executes the pending files of dir on db in version order, each in
// its own transaction unless the file starts with `-- atlas:txmode none`,
// and records them in the revisions table. It holds the CLI's advisory lock
// while it works. Nothing pending is not an error: Apply returns no files.
func Apply(ctx context.Context, db *sql.DB, dir migrate.Dir, opts Options) ([]Applied, error) {
	opts = opts.withDefaults()
	if err := migrate.Validate(dir); err != nil {
		return nil, fmt.Errorf("migration: %w", err)
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration: connect: %w", err)
	}
	defer conn.Close()
	drv, err := postgres.Open(conn)
	if err != nil {
		return nil, fmt.Errorf("migration: open driver: %w", err)
	}
	locker, ok := drv.(schema.Locker)
	if !ok {
		return nil, fmt.Errorf("migration: driver %T cannot lock", drv)
	}
	unlock, err := locker.Lock(ctx, lockName, opts.LockTimeout)
	if err != nil {
		return nil, fmt.Errorf("migration: acquire lock: %w", err)
	}
	defer func() { _ = unlock() }()

	store := &revisionStore{db: conn, schema: opts.RevisionsSchema}
	if err := store.init(ctx); err != nil {
		return nil, err
	}
	pending, err := pendingFiles(ctx, conn, drv, dir, store)
	if err != nil {
		return nil, err
	}
	var done []Applied
	for _, f := range pending {
		start := time.Now()
		if err := executeFile(ctx, conn, drv, dir, f, opts.RevisionsSchema); err != nil {
			return done, err
		}
		n, _ := f.Stmts()
		a := Applied{Version: f.Version(), Description: f.Desc(), Statements: len(n), Duration: time.Since(start)}
		opts.Logger.InfoContext(ctx, "migration applied", "version", a.Version, "description", a.Description,
			"statements", a.Statements, "duration", a.Duration)
		done = append(done, a)
	}
	return done, nil
}

func pendingFiles(ctx context.Context, conn *sql.Conn, drv migrate.Driver, dir migrate.Dir, store *revisionStore) ([]migrate.File, error) {
	cur, err := currentSchema(ctx, conn)
	if err != nil {
		return nil, err
	}
	ex, err := migrate.NewExecutor(boundDriver{Driver: drv, schema: cur}, dir, store,
		migrate.WithOperatorVersion(operatorVersion))
	if err != nil {
		return nil, fmt.Errorf("migration: %w", err)
	}
	pending, err := ex.Pending(ctx)
	if errors.Is(err, migrate.ErrNoPendingFiles) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("migration: pending files: %w", err)
	}
	return pending, nil
}

// executeFile runs one file, in a transaction that also records its
// revision unless the file opts out; a failed file leaves no trace then.
func executeFile(ctx context.Context, conn *sql.Conn, drv migrate.Driver, dir migrate.Dir, f migrate.File, revisions string) error {
	if lf, ok := f.(*migrate.LocalFile); ok && isTxModeNone(lf) {
		store := &revisionStore{db: conn, schema: revisions}
		return execute(ctx, drv, dir, store, f)
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migration: begin %s: %w", f.Name(), err)
	}
	txDrv, err := postgres.Open(tx)
	if err == nil {
		err = execute(ctx, txDrv, dir, &revisionStore{db: tx, schema: revisions}, f)
	}
	if err != nil {
		return errors.Join(err, tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("migration: commit %s: %w", f.Name(), err)
	}
	return nil
}

func execute(ctx context.Context, drv migrate.Driver, dir migrate.Dir, store *revisionStore, f migrate.File) error {
	ex, err := migrate.NewExecutor(drv, dir, store, migrate.WithOperatorVersion(operatorVersion))
	if err != nil {
		return fmt.Errorf("migration: %w", err)
	}
	if err := ex.Execute(ctx, f); err != nil {
		return fmt.Errorf("migration: apply %s: %w", f.Name(), err)
	}
	return nil
}

func isTxModeNone(f *migrate.LocalFile) bool {
	for _, d := range f.Directive("txmode") {
		if d == "none" {
			return true
		}
	}
	return false
}

func currentSchema(ctx context.Context, q schema.ExecQuerier) (string, error) {
	var name sql.NullString
	rows, err := q.QueryContext(ctx, "SELECT current_schema()")
	if err != nil {
		return "", fmt.Errorf("migration: current schema: %w", err)
	}
	defer rows.Close()
	if rows.Next() {
		if err := rows.Scan(&name); err != nil {
			return "", err
		}
	}
	if !name.Valid {
		return "", errors.New("migration: no current schema: check search_path")
	}
	return name.String, rows.Err()
}

// boundDriver checks cleanliness of the one schema migrations target, as the
// CLI does for a schema-bound URL, instead of the whole database (other
// schemas — other tenants' test schemas, the revisions schema — are fine).
type boundDriver struct {
	migrate.Driver
	schema string
}

func (d boundDriver) CheckClean(ctx context.Context, rev *migrate.TableIdent) error {
	s, err := d.InspectSchema(ctx, d.schema, nil)
	if err != nil {
		return err
	}
	for _, t := range s.Tables {
		if rev != nil && t.Name == rev.Name && (rev.Schema == "" || rev.Schema == s.Name) {
			continue
		}
		return &migrate.NotCleanError{State: schema.NewRealm(s), Reason: fmt.Sprintf("found table %q in schema %q", t.Name, s.Name)}
	}
	return nil
}

// Status is the state of a database relative to a migration directory.
type Status struct {
	// Applied are the revisions recorded in the database, oldest first.
	Applied []*migrate.Revision
	// Pending are the files not yet applied.
	Pending []migrate.File
	// Current is the latest applied version, "" when none.
	Current string
}

// ReadStatus reports which files of dir are applied and pending on db.
// It creates nothing.
func ReadStatus(ctx context.Context, db *sql.DB, dir migrate.Dir, opts Options) (*Status, error) {
	opts = opts.withDefaults()
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migration: connect: %w", err)
	}
	defer conn.Close()
	store := &revisionStore{db: conn, schema: opts.RevisionsSchema}
	st := &Status{}
	ok, err := store.exists(ctx)
	if err != nil {
		return nil, err
	}
	if ok {
		if st.Applied, err = store.ReadRevisions(ctx); err != nil {
			return nil, err
		}
	}
	if n := len(st.Applied); n > 0 {
		st.Current = st.Applied[n-1].Version
	}
	drv, err := postgres.Open(conn)
	if err != nil {
		return nil, fmt.Errorf("migration: open driver: %w", err)
	}
	if !ok {
		// Pending on a database without history: every file.
		files, err := dir.Files()
		if err != nil {
			return nil, err
		}
		st.Pending = migrate.SkipCheckpointFiles(files)
		return st, nil
	}
	if st.Pending, err = pendingFiles(ctx, conn, drv, dir, store); err != nil {
		return nil, err
	}
	return st, nil
}
