package migration

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// MinPgvectorVersion is the oldest pgvector agentstore runs on (iterative
// index scans arrived in 0.8.0).
const MinPgvectorVersion = "0.8.0"

// ErrPgvectorMissing is returned by CheckServer when the server offers no
// pgvector of at least MinPgvectorVersion.
var ErrPgvectorMissing = errors.New("pgvector >= " + MinPgvectorVersion + " is not available on the server " +
	"(install it, or unset DATABASE_URL to use the project-local cluster)")

// CheckServer verifies that db's server can run agentstore: pgvector of at
// least MinPgvectorVersion and btree_gin are installed or installable.
func CheckServer(ctx context.Context, db *sql.DB) error {
	var ok bool
	err := db.QueryRowContext(ctx, `SELECT coalesce(bool_or(
	string_to_array(version, '.')::int[] >= string_to_array($1, '.')::int[]), false)
FROM pg_available_extension_versions WHERE name = 'vector'`, MinPgvectorVersion).Scan(&ok)
	if err != nil {
		return fmt.Errorf("migration: check server: %w", err)
	}
	if !ok {
		return ErrPgvectorMissing
	}
	if err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT FROM pg_available_extensions WHERE name = 'btree_gin')`).Scan(&ok); err != nil {
		return fmt.Errorf("migration: check server: %w", err)
	}
	if !ok {
		return ErrBtreeGinMissing
	}
	return nil
}

// ErrBtreeGinMissing is returned by CheckServer when the server lacks the
// btree_gin contrib module (the chunks' full-text index needs it).
var ErrBtreeGinMissing = errors.New("btree_gin is not available on the server (install PostgreSQL's contrib modules)")
