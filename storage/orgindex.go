package storage

import (
	"context"
	"errors"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/agentstore/agentstore/vector"
)

// IndexOrganization gives org's chunks an HNSW index of their own, built
// concurrently (writes go on; the build takes seconds per 1000 chunks, and
// no statement timeout applies to it; cancelling ctx stops it, and the next
// call builds again). Semantic searches of the organization then walk its
// graph alone, a denser one (m 32), instead of the global graph filtered
// down to it — slower, and with worse recall; each search checks that the
// index is there and valid, else it takes the global graph. Building it
// again is a no-op. Operator work: ctx must carry the system viewer.
func (s *Store) IndexOrganization(ctx context.Context, org string) error {
	return s.untimed(ctx, org, vector.CreateOrganizationIndex)
}

// DropOrganizationIndex drops org's own HNSW index, if it has one; its
// searches go back to the global index. ctx must carry the system viewer.
func (s *Store) DropOrganizationIndex(ctx context.Context, org string) error {
	return s.untimed(ctx, org, vector.DropOrganizationIndex)
}

// indexBuildLock is the advisory lock (per database) that lets one
// organization index be built or dropped at a time: two concurrent builds
// of partial indexes wait for each other's transactions, which PostgreSQL
// ends as a deadlock.
const indexBuildLock int64 = 0x6167_7374_6f72_6531 // "agstore1"

// indexBuildRetries bounds the builds redone after a deadlock.
const indexBuildRetries = 3

// sleep waits d, or until ctx is done (false).
func sleep(ctx context.Context, d time.Duration) bool {
	select {
	case <-ctx.Done():
		return false
	case <-time.After(d):
		return true
	}
}

// untimed runs ddl for org as the operator, alone (indexBuildLock), on a
// connection of its own without the pool's statement timeout; the
// connection gets both back before it returns to the pool.
func (s *Store) untimed(ctx context.Context, org string, ddl func(context.Context, vector.Querier, string) error) error {
	if err := s.operator(ctx, org); err != nil {
		return err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return translate(err, "organization index", org)
	}
	defer conn.Release()
	// Polled, not awaited: a session waiting inside a statement would hold
	// a snapshot the build in progress has to wait for.
	for locked := false; !locked; {
		if err := conn.QueryRow(ctx, `SELECT pg_try_advisory_lock($1)`, indexBuildLock).Scan(&locked); err != nil {
			return translate(err, "organization index", org)
		}
		if !locked && !sleep(ctx, 100*time.Millisecond) {
			return translate(ctx.Err(), "organization index", org)
		}
	}
	if _, err = conn.Exec(ctx, `SET statement_timeout = 0`); err == nil {
		err = ddl(ctx, conn, org)
		// Another session's concurrent DDL (a migration's, say) and this
		// one can wait for each other; PostgreSQL cancels one of them.
		for range indexBuildRetries {
			var pgErr *pgconn.PgError
			if !errors.As(err, &pgErr) || pgErr.Code != "40P01" || !sleep(ctx, time.Second) {
				break
			}
			err = ddl(ctx, conn, org)
		}
	}
	for _, restore := range []string{`RESET statement_timeout`, `SELECT pg_advisory_unlock_all()`} {
		if _, rerr := conn.Exec(context.WithoutCancel(ctx), restore); rerr != nil {
			conn.Conn().Close(context.WithoutCancel(ctx)) //nolint:errcheck // closing ends the session and its lock
			break
		}
	}
	return translate(err, "organization index", org)
}

// operator admits the system viewer acting on organization org.
func (s *Store) operator(ctx context.Context, org string) error {
	if v, err := viewer(ctx); err != nil || !v.IsSystem() {
		return fmtDenied("indexes are operator work: run it as access.SystemContext")
	}
	c := s.check()
	c.key("organization", org, true)
	return c.err
}
