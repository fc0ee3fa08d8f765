package storage

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/vector"
)

// Tx is one database transaction shared by ent and raw SQL. It has the
// Store's methods; inside a Tx they join the transaction.
type Tx struct {
	ops
	conn *sql.Conn
}

// Client is an ent client bound to the transaction.
func (tx *Tx) Client() *ent.Client { return tx.client }

// Raw runs fn with the transaction's underlying pgx connection, for raw SQL
// (package vector) in the same transaction. Do not use tx.Client inside fn:
// the connection is held by fn until it returns.
func (tx *Tx) Raw(ctx context.Context, fn func(q vector.Querier) error) error {
	err := tx.conn.Raw(func(driverConn any) error {
		c, ok := driverConn.(*stdlib.Conn)
		if !ok {
			return fmt.Errorf("storage: raw connection is %T, not pgx", driverConn)
		}
		return fn(c.Conn())
	})
	return translate(err, "raw sql", "")
}

// WithTx runs fn in one transaction: ent writes (tx.Client, tx's methods)
// and raw SQL (tx.Raw) commit together, or roll back together when fn
// returns an error or panics. The rollback does not depend on ctx, so it
// happens even when ctx was cancelled.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return translate(err, "transaction", "")
	}
	defer conn.Close()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return translate(err, "transaction", "")
	}
	tx := &Tx{conn: conn}
	tx.ops = ops{
		client: ent.NewClient(ent.Driver(txDriver{entsql.Conn{ExecQuerier: sqlTx}})),
		cfg:    s.cfg,
		atomic: func(_ context.Context, fn func(ops) error) error { return fn(tx.ops) },
	}
	defer func() {
		if p := recover(); p != nil {
			_ = sqlTx.Rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		if rerr := sqlTx.Rollback(); rerr != nil && !errors.Is(rerr, sql.ErrTxDone) {
			return errors.Join(err, fmt.Errorf("storage: rollback: %w", rerr))
		}
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return translate(err, "transaction", "")
	}
	return nil
}

// atomic runs fn in a new transaction (a Tx runs it in its own).
func (s *Store) atomic(ctx context.Context, fn func(ops) error) error {
	return s.WithTx(ctx, func(tx *Tx) error { return fn(tx.ops) })
}

// txDriver runs ent on an open database/sql transaction; ent's own nested
// transactions (multi-statement graph writes) become no-ops inside it.
type txDriver struct{ entsql.Conn }

func (d txDriver) Tx(context.Context) (dialect.Tx, error) { return dialect.NopTx(d), nil }
func (txDriver) Close() error                             { return nil }
func (txDriver) Dialect() string                          { return dialect.Postgres }

var _ dialect.Driver = txDriver{}
