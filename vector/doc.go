// Package vector issues the raw SQL that ent cannot express: pgvector
// similarity, tsvector full text, their fusion, and bulk COPY ingest. It
// holds no table definitions (those are ent schemas) and imports no other
// agentstore package; callers hand it a Querier, which a pgx pool, a
// connection and a transaction all satisfy, so its statements can join a
// storage.WithTx transaction.
package vector

import (
	"context"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// Querier is the part of pgx this package needs.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}
