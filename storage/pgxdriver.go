package storage

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/agentstore/agentstore/pgarray"
)

// pgxDriver runs ent's SQL on pgx directly: one pool for ent and raw SQL
// without database/sql's conversions on every row, and transactions that
// ent and raw statements share as one pgx.Tx.
type pgxDriver struct {
	q    querier
	pool *pgxpool.Pool // nil inside a transaction
}

// querier is what a pool, a connection and a transaction have in common.
type querier interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

var _ dialect.Driver = pgxDriver{}

func (pgxDriver) Dialect() string { return dialect.Postgres }

// Close does nothing: the Store owns the pool.
func (pgxDriver) Close() error { return nil }

func (d pgxDriver) Exec(ctx context.Context, query string, args, v any) error {
	argv, ok := args.([]any)
	if !ok {
		return fmt.Errorf("storage: ent passed args of type %T", args)
	}
	tag, err := d.q.Exec(ctx, query, argv...)
	if err != nil {
		return err
	}
	switch v := v.(type) {
	case nil:
	case *entsql.Result:
		*v = result(tag)
	default:
		return fmt.Errorf("storage: ent asked for an exec result of type %T", v)
	}
	return nil
}

// ExecContext serves ent's client.ExecContext (sql/execquery).
func (d pgxDriver) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	tag, err := d.q.Exec(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	return result(tag), nil
}

func (d pgxDriver) Query(ctx context.Context, query string, args, v any) error {
	vr, ok := v.(*entsql.Rows)
	if !ok {
		return fmt.Errorf("storage: ent asked for rows of type %T", v)
	}
	argv, ok := args.([]any)
	if !ok {
		return fmt.Errorf("storage: ent passed args of type %T", args)
	}
	rows, err := d.q.Query(ctx, query, argv...)
	if err != nil {
		return err
	}
	*vr = entsql.Rows{ColumnScanner: pgxRows{rows}}
	return nil
}

// Tx begins a transaction; inside one, ent's own nested transactions
// (multi-statement graph writes) join it.
func (d pgxDriver) Tx(ctx context.Context) (dialect.Tx, error) {
	if d.pool == nil {
		return dialect.NopTx(d), nil
	}
	tx, err := d.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	return &pgxTx{pgxDriver: pgxDriver{q: tx}, tx: tx, ctx: context.WithoutCancel(ctx)}, nil
}

// pgxTx is a dialect.Tx over pgx.Tx. Commit and rollback do not depend on
// the caller's context: a cancelled request still ends its transaction.
type pgxTx struct {
	pgxDriver
	tx  pgx.Tx
	ctx context.Context
}

func (t *pgxTx) Commit() error   { return t.tx.Commit(t.ctx) }
func (t *pgxTx) Rollback() error { return t.tx.Rollback(t.ctx) }

// result adapts a command tag to database/sql's Result.
type result pgconn.CommandTag

func (r result) RowsAffected() (int64, error) { return pgconn.CommandTag(r).RowsAffected(), nil }
func (result) LastInsertId() (int64, error) {
	return 0, errors.New("storage: PostgreSQL has no last insert id; use RETURNING")
}

// pgxRows adapts pgx.Rows to ent's ColumnScanner.
type pgxRows struct{ pgx.Rows }

func (r pgxRows) Close() error {
	r.Rows.Close()
	return r.Rows.Err()
}

func (r pgxRows) Columns() ([]string, error) {
	fds := r.FieldDescriptions()
	if len(fds) == 0 {
		// A statement that failed has no columns; its error is the answer.
		r.Rows.Close()
		if err := r.Rows.Err(); err != nil {
			return nil, err
		}
	}
	out := make([]string, len(fds))
	for i, fd := range fds {
		out[i] = fd.Name
	}
	return out, nil
}

// ColumnTypes is not available over pgx; ent then scans into any.
func (pgxRows) ColumnTypes() ([]*sql.ColumnType, error) {
	return nil, errors.New("storage: column types are not available")
}

func (pgxRows) NextResultSet() bool { return false }

// Scan scans like pgx, and also into the destinations pgx does not know:
// the untyped ones ent uses for returned ids and modifier columns
// (*driver.Value, *sql.UnknownType) and text[] columns (*pgarray.Text, read
// as pgx's native []string whatever the wire format).
func (r pgxRows) Scan(dest ...any) error {
	targets := dest
	var swapped []int
	for i, d := range dest {
		var target any
		switch d.(type) {
		case *driver.Value, *entsql.UnknownType:
			target = new(any)
		case *pgarray.Text:
			target = new([]string)
		default:
			continue
		}
		if swapped == nil {
			targets = append([]any(nil), dest...)
		}
		swapped = append(swapped, i)
		targets[i] = target
	}
	if err := r.Rows.Scan(targets...); err != nil {
		return err
	}
	for _, i := range swapped {
		switch d := dest[i].(type) {
		case *driver.Value:
			*d = *targets[i].(*any)
		case *entsql.UnknownType:
			*d = *targets[i].(*any)
		case *pgarray.Text:
			*d = *targets[i].(*[]string)
		}
	}
	return nil
}
