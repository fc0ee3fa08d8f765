// Package storagetest gives each test its own PostgreSQL schema with the real
// migrations applied, so database tests run with t.Parallel() against one
// server. The server is $DATABASE_URL, else the project-local cluster that
// `make test` starts; tests live in a sibling database named
// "<database>_test". A test that finds no server fails — it never skips.
package storagetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	neturl "net/url"
	"strconv"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/migration"
)

var (
	setupOnce sync.Once
	testCfg   *pgx.ConnConfig
	setupErr  error
)

// server returns the config of the test database, creating the database and
// the pgvector and btree_gin extensions (in public, once) on first use.
func server(t testing.TB) *pgx.ConnConfig {
	t.Helper()
	setupOnce.Do(func() { testCfg, setupErr = setup(context.WithoutCancel(t.Context())) })
	if setupErr != nil {
		t.Fatalf("storagetest: PostgreSQL with pgvector is required (run `make test`, or set DATABASE_URL): %v", setupErr)
	}
	return testCfg.Copy()
}

func setup(ctx context.Context) (*pgx.ConnConfig, error) {
	base, err := pgx.ParseConfig(storage.URLFromEnv())
	if err != nil {
		return nil, err
	}
	admin, err := pgx.ConnectConfig(ctx, base)
	if err != nil {
		return nil, err
	}
	defer admin.Close(ctx)
	cfg := base.Copy()
	cfg.Database = base.Database + "_test"
	_, err = admin.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{cfg.Database}.Sanitize())
	var pgErr *pgconn.PgError
	// Another test binary may have won the race: duplicate_database, or a
	// unique violation on pg_database.
	if err != nil && !(errors.As(err, &pgErr) && (pgErr.Code == "42P04" || pgErr.Code == "23505")) {
		return nil, fmt.Errorf("create test database: %w", err)
	}
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close(ctx)
	// Serialize with other test binaries: concurrent CREATE EXTENSION races.
	tx, err := conn.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(ctx) //nolint:errcheck // after Commit it is a no-op
	if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtext('agentstore_test_setup'))"); err != nil {
		return nil, err
	}
	for _, ext := range []string{"vector", "btree_gin"} {
		if _, err := tx.Exec(ctx, "CREATE EXTENSION IF NOT EXISTS "+ext+" WITH SCHEMA public"); err != nil {
			return nil, fmt.Errorf("create extension %s: %w", ext, err)
		}
	}
	return cfg, tx.Commit(ctx)
}

// Schema is one test's schema.
type Schema struct {
	// Name of the schema; also where its revisions table lives.
	Name string
	// URL connects with search_path = Name, public.
	URL string
	// DB is a database/sql handle bound to the schema.
	DB *sql.DB
}

// EmptySchema creates a schema for t without applying migrations, and drops
// it (and closes its handle) when t ends.
func EmptySchema(t testing.TB) *Schema {
	t.Helper()
	cfg := server(t)
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "t_" + hex.EncodeToString(suffix)
	cfg.RuntimeParams["search_path"] = name + ",public"
	ctx := t.Context()
	db := stdlib.OpenDB(*cfg)
	if _, err := db.ExecContext(ctx, "CREATE SCHEMA "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatalf("storagetest: create schema: %v", err)
	}
	t.Cleanup(func() {
		_ = db.Close()
		drop := stdlib.OpenDB(*cfg)
		defer drop.Close()
		if _, err := drop.ExecContext(context.WithoutCancel(ctx), "DROP SCHEMA "+pgx.Identifier{name}.Sanitize()+" CASCADE"); err != nil {
			t.Errorf("storagetest: drop schema %s: %v", name, err)
		}
	})
	return &Schema{Name: name, URL: url(cfg), DB: db}
}

// NewSchema creates a schema for t with every migration applied.
func NewSchema(t testing.TB) *Schema {
	t.Helper()
	s := EmptySchema(t)
	if _, err := storage.Migrate(t.Context(), s.DB, migration.Options{RevisionsSchema: s.Name}); err != nil {
		t.Fatalf("storagetest: migrate: %v", err)
	}
	return s
}

// ServerURL is the URL of the test database, not bound to a schema: for
// helpers that create throwaway databases on the same server.
func ServerURL(t testing.TB) string {
	t.Helper()
	return url(server(t))
}

// Client returns an ent client over a fresh migrated schema.
func Client(t testing.TB) *ent.Client {
	t.Helper()
	return storage.NewClient(NewSchema(t).DB)
}

// url renders cfg as a connection URL.
func url(cfg *pgx.ConnConfig) string {
	q := neturl.Values{}
	q.Set("sslmode", "disable")
	if sp := cfg.RuntimeParams["search_path"]; sp != "" {
		q.Set("search_path", sp)
	}
	u := neturl.URL{Scheme: "postgres", Path: "/" + cfg.Database, User: neturl.User(cfg.User)}
	if cfg.Password != "" {
		u.User = neturl.UserPassword(cfg.User, cfg.Password)
	}
	if len(cfg.Host) > 0 && cfg.Host[0] == '/' {
		q.Set("host", cfg.Host) // Unix socket directory
		q.Set("port", strconv.Itoa(int(cfg.Port)))
	} else {
		u.Host = net.JoinHostPort(cfg.Host, strconv.Itoa(int(cfg.Port)))
	}
	u.RawQuery = q.Encode()
	return u.String()
}

// Store opens a storage.Store on a fresh migrated schema, closed when t ends.
func Store(t testing.TB, opts ...storage.Option) *storage.Store {
	t.Helper()
	s := NewSchema(t)
	st, err := storage.Open(t.Context(), s.URL, opts...)
	if err != nil {
		t.Fatalf("storagetest: open store: %v", err)
	}
	t.Cleanup(func() { _ = st.Close() })
	return st
}
