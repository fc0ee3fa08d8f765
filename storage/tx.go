package storage

import (
	"context"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/vector"
)

// Tx is one database transaction shared by ent and raw SQL. It has the
// Store's methods; inside a Tx they join the transaction.
type Tx struct {
	ops
	tx pgx.Tx
}

// Client is an ent client bound to the transaction.
func (tx *Tx) Client() *ent.Client { return tx.client }

// Raw runs fn with the transaction for raw SQL (package vector); its
// statements commit or roll back with the ent writes.
func (tx *Tx) Raw(ctx context.Context, fn func(q vector.Copier) error) error {
	if err := vector.RegisterTypes(ctx, tx.tx.Conn()); err != nil {
		return err
	}
	return translate(fn(tx.tx), "raw sql", "")
}

// WithTx runs fn in one transaction: ent writes (tx.Client, tx's methods)
// and raw SQL (tx.Raw) commit together, or roll back together when fn
// returns an error or panics. The rollback does not depend on ctx, so it
// happens even when ctx was cancelled.
func (s *Store) WithTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	ptx, err := s.pool.Begin(ctx)
	if err != nil {
		return translate(err, "transaction", "")
	}
	rollback := func() error {
		if err := ptx.Rollback(context.WithoutCancel(ctx)); err != nil && !errors.Is(err, pgx.ErrTxClosed) {
			return fmt.Errorf("storage: rollback: %w", err)
		}
		return nil
	}
	tx := &Tx{tx: ptx}
	tx.ops = ops{
		client: ent.NewClient(ent.Driver(pgxDriver{q: ptx})),
		cfg:    s.cfg,
		sizes:  s.sizes,
		atomic: func(_ context.Context, fn func(ops) error) error { return fn(tx.ops) },
	}
	defer func() {
		if p := recover(); p != nil {
			_ = rollback()
			panic(p)
		}
	}()
	if err := fn(tx); err != nil {
		// A context that ended can fail a statement as a lost connection
		// (pgx closes it mid-COPY), which does not say why: the caller's
		// cancellation or deadline does.
		if cause := ctx.Err(); cause != nil && !errors.Is(err, cause) {
			err = fmt.Errorf("%w: %w", cause, err)
		}
		return errors.Join(err, rollback())
	}
	if err := ptx.Commit(context.WithoutCancel(ctx)); err != nil {
		return translate(err, "transaction", "")
	}
	return nil
}

// atomic runs fn in a new transaction (a Tx runs it in its own).
func (s *Store) atomic(ctx context.Context, fn func(ops) error) error {
	return s.WithTx(ctx, func(tx *Tx) error { return fn(tx.ops) })
}
