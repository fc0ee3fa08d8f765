// Package vector issues the raw SQL that ent cannot express: pgvector
// similarity, tsvector full text, their fusion, and bulk COPY ingest. It
// holds no table definitions (those are ent schemas) and imports no other
// agentstore package; callers hand it a Querier, which a pgx pool, a
// connection and a transaction all satisfy, so its statements can join a
// storage.WithTx transaction.
package vector

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	pgxvec "github.com/pgvector/pgvector-go/pgx"
)

// Querier is the part of pgx this package needs.
type Querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
	SendBatch(ctx context.Context, b *pgx.Batch) pgx.BatchResults
}

// Copier is a Querier that can also COPY (pools, connections and
// transactions all can).
type Copier interface {
	Querier
	CopyFrom(ctx context.Context, table pgx.Identifier, columns []string, rows pgx.CopyFromSource) (int64, error)
}

// RegisterTypes teaches conn pgvector's types, so vectors travel in binary
// (COPY needs it). It is cheap once done and fails only when the vector
// extension is missing.
func RegisterTypes(ctx context.Context, conn *pgx.Conn) error {
	if _, ok := conn.TypeMap().TypeForName("vector"); ok {
		return nil
	}
	if err := pgxvec.RegisterTypes(ctx, conn); err != nil {
		return fmt.Errorf("vector: register pgvector types: %w", err)
	}
	return nil
}
