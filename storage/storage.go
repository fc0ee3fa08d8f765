package storage

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/agentstore/agentstore/embed"
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

// ErrBtreeGinMissing is returned by Open when the server lacks the btree_gin
// contrib module.
var ErrBtreeGinMissing = migration.ErrBtreeGinMissing

// Store is an open agentstore: one pgx pool, shared by the ent client and
// the raw SQL of package vector (database/sql, over the same pool, serves
// migrations and callers that want it). Its methods run
// as the viewer in their context (package access).
type Store struct {
	ops
	pool *pgxpool.Pool
	db   *sql.DB
}

// Open connects to the database at url, checks that pgvector is available
// and that the embedder fits the embedding columns (ErrDimensionMismatch),
// and returns a Store. Close it when done.
func Open(ctx context.Context, url string, opts ...Option) (*Store, error) {
	cfg := defaults()
	for _, o := range opts {
		o(&cfg)
	}
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("storage: parse url: %w", err)
	}
	pcfg.MaxConns = cfg.poolSize
	if cfg.statementTimeout > 0 {
		pcfg.ConnConfig.RuntimeParams["statement_timeout"] = strconv.FormatInt(cfg.statementTimeout.Milliseconds(), 10)
	}
	pool, err := pgxpool.NewWithConfig(ctx, pcfg)
	if err != nil {
		return nil, fmt.Errorf("storage: connect: %w", err)
	}
	db := stdlib.OpenDBFromPool(pool)
	// database/sql keeps no idle connection: each would hold one of the
	// pool's from the pgx paths (with a pool of one, every later query
	// waited forever). A pgx pool connection is cheap to re-acquire.
	db.SetMaxOpenConns(int(cfg.poolSize))
	db.SetMaxIdleConns(0)
	if err := checkServer(ctx, db, cfg.textSearchConfig); err != nil {
		_ = db.Close()
		pool.Close()
		return nil, err
	}
	s := &Store{pool: pool, db: db}
	s.ops = ops{client: ent.NewClient(ent.Driver(pgxDriver{q: pool, pool: pool})), cfg: &cfg, sizes: &corpusSizes{}, atomic: s.atomic}
	cfg.logger.DebugContext(ctx, "storage opened", "config", cfg.String())
	return s, nil
}

// checkServer verifies pgvector and the text-search configuration.
func checkServer(ctx context.Context, db *sql.DB, textSearch string) error {
	if err := migration.CheckServer(ctx, db); err != nil {
		return fmt.Errorf("storage: %w", err)
	}
	var found bool
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM pg_ts_config WHERE cfgname = $1)`, textSearch).Scan(&found); err != nil {
		return fmt.Errorf("storage: check text search configuration: %w", err)
	}
	if !found {
		return invalid("text search config", "%q is not a configuration of this server", textSearch)
	}
	return nil
}

// NewClient returns an ent client over a database/sql handle, with the
// privacy policies wired. Store.Client runs ent on pgx directly instead.
func NewClient(db *sql.DB) *ent.Client {
	return ent.NewClient(ent.Driver(entsql.OpenDB(dialect.Postgres, db)))
}

// The pool (and its connections and transactions) serve vector's raw SQL.
var _ vector.Copier = (*pgxpool.Pool)(nil)

// Client is the ent client. Queries through it run under the viewer in
// their context.
func (s *Store) Client() *ent.Client { return s.client }

// DB is the database/sql handle over the store's pool.
func (s *Store) DB() *sql.DB { return s.db }

// Pool is the pgx pool shared by ent and raw SQL.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// Embedder is the store's embedder.
func (s *Store) Embedder() embed.Embedder { return s.cfg.embedder }

// Close releases the pool.
func (s *Store) Close() error {
	err := s.db.Close()
	s.pool.Close()
	return err
}
