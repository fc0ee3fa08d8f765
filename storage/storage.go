package storage

import (
	"context"
	"database/sql"
	"fmt"
	"os"

	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"entgo.io/ent/dialect"

	"github.com/agentstore/agentstore/ent"
	_ "github.com/agentstore/agentstore/ent/runtime" // privacy policies and defaults; without it every policy fails closed
	"github.com/agentstore/agentstore/storage/migration"
	"github.com/agentstore/agentstore/vector"
)

// DefaultURL is the project-local cluster that `make` starts when
// DATABASE_URL is unset (see scripts/pg.sh).
const DefaultURL = "postgres://postgres@127.0.0.1:54329/agentstore?sslmode=disable"

// URLFromEnv returns $DATABASE_URL, or DefaultURL when it is unset.
func URLFromEnv() string {
	if u := os.Getenv("DATABASE_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// ErrPgvectorMissing is returned by Open when the server offers no pgvector
// of at least migration.MinPgvectorVersion.
var ErrPgvectorMissing = migration.ErrPgvectorMissing

// Store is an open agentstore: a pgx pool, the database/sql handle over it,
// and the ent client over that.
type Store struct {
	pool   *pgxpool.Pool
	db     *sql.DB
	client *ent.Client
}

// Open connects to the database at url and checks that pgvector is
// available. Close the Store when done.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("storage: parse url: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("storage: connect: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	if err := migration.CheckServer(ctx, db); err != nil {
		pool.Close()
		return nil, fmt.Errorf("storage: %w", err)
	}
	return &Store{pool: pool, db: db, client: NewClient(db)}, nil
}

// NewClient returns an ent client over db, with the privacy policies wired.
func NewClient(db *sql.DB) *ent.Client {
	return ent.NewClient(ent.Driver(entsql.OpenDB(dialect.Postgres, db)))
}

// The pool (and its connections and transactions) serve vector's raw SQL.
var _ vector.Querier = (*pgxpool.Pool)(nil)

// Client is the ent client. Queries through it run under the viewer in
// their context.
func (s *Store) Client() *ent.Client { return s.client }

// DB is the database/sql handle over the store's pool.
func (s *Store) DB() *sql.DB { return s.db }

// Pool is the pgx pool shared by ent and raw SQL.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Close releases the pool.
func (s *Store) Close() error {
	err := s.client.Close()
	s.pool.Close()
	return err
}
