package integration

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
	"github.com/agentstore/agentstore/vector"
)

// killer is a second connection that terminates other backends.
func killer(t *testing.T) *pgx.Conn {
	t.Helper()
	conn, err := pgx.Connect(t.Context(), storagetest.ServerURL(t))
	require.NoError(t, err)
	t.Cleanup(func() { _ = conn.Close(context.WithoutCancel(t.Context())) })
	return conn
}

func TestAppendKilledMidTransactionWritesNothing(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	conv, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web"})
	require.NoError(t, err)
	k := killer(t)
	msg := storage.NewMessage{ConversationID: conv.ID, Direction: "inbound", Content: chat.FromText("hello")}

	err = st.WithTx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.AppendMessage(ctx, msg); err != nil {
			return err
		}
		var pid uint32
		if err := tx.Raw(ctx, func(q vector.Copier) error {
			return q.QueryRow(ctx, `SELECT pg_backend_pid()`).Scan(&pid)
		}); err != nil {
			return err
		}
		if _, err := k.Exec(ctx, `SELECT pg_terminate_backend($1)`, pid); err != nil {
			return err
		}
		_, err := tx.AppendMessage(ctx, msg)
		return err
	})
	require.Error(t, err, "the transaction's connection is gone")
	t.Logf("error after the kill: %v", err)
	require.ErrorIs(t, err, storage.ErrConnectionLost, "the error says what happened")

	page, err := st.Messages(ctx, conv.ID, storage.MessagePageRequest{Limit: 10})
	require.NoError(t, err, "the pool hands out a live connection afterwards")
	require.Empty(t, page.Items, "the first append of the killed transaction is not there")
	_, err = st.AppendMessage(ctx, msg)
	require.NoError(t, err, "a retry succeeds")
}

// blockSource holds the advisory lock an ingest of org/source takes inside
// its transaction, so the ingest waits mid-transaction; release lets it go.
func blockSource(t *testing.T, org, source string) (release func()) {
	t.Helper()
	conn := killer(t)
	_, err := conn.Exec(t.Context(), `SELECT pg_advisory_lock(hashtextextended($1, 0))`, org+"/"+source)
	require.NoError(t, err)
	return func() {
		_, err := conn.Exec(t.Context(), `SELECT pg_advisory_unlock(hashtextextended($1, 0))`, org+"/"+source)
		require.NoError(t, err)
	}
}

// waitingPID returns the backend waiting for the advisory lock of key (as
// the ingest takes it: hashtextextended(key, 0)). Advisory locks are
// database-wide, so the key, not the query text, tells this test's waiter
// from other tests'.
func waitingPID(t *testing.T, k *pgx.Conn, key string) uint32 {
	t.Helper()
	var pid uint32
	require.Eventually(t, func() bool {
		err := k.QueryRow(t.Context(), `SELECT l.pid FROM pg_locks l, hashtextextended($1, 0) AS h(key)
WHERE l.locktype = 'advisory' AND NOT l.granted AND l.objsubid = 1
  AND l.classid = ((h.key >> 32) & 4294967295)::oid AND l.objid = (h.key & 4294967295)::oid LIMIT 1`, key).Scan(&pid)
		return err == nil
	}, 10*time.Second, 10*time.Millisecond, "nothing waits on the lock")
	return pid
}

// chunkContents reads a document's chunks (as the system would).
func chunkContents(t *testing.T, st *storage.Store, doc string) []string {
	t.Helper()
	rows, err := st.Pool().Query(t.Context(), `SELECT content FROM chunks WHERE document_id = $1 ORDER BY chunk_index`, doc)
	require.NoError(t, err)
	out, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return out
}

func TestReingestKilledOrCancelledKeepsTheOldVersion(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	const org = "faults" // its own lock keys: other tests ingest acme/doc.md
	ctx := member(t.Context(), org)
	v1, v2 := paragraph("alpha", 120), paragraph("omega", 60)
	_, err := st.Ingest(ctx, storage.DocumentInput{ID: "doc", Source: "doc.md", Content: v1})
	require.NoError(t, err)
	before := chunkContents(t, st, "doc")
	k := killer(t)

	for _, fault := range []string{"terminated backend", "cancelled context"} {
		release := blockSource(t, org, "doc.md")
		ictx, cancel := context.WithCancel(ctx)
		done := make(chan error, 1)
		go func() {
			_, err := st.Ingest(ictx, storage.DocumentInput{Source: "doc.md", Content: v2})
			done <- err
		}()
		pid := waitingPID(t, k, org+"/doc.md")
		if fault == "cancelled context" {
			cancel()
		} else {
			_, err := k.Exec(t.Context(), `SELECT pg_terminate_backend($1)`, pid)
			require.NoError(t, err)
		}
		err := <-done
		cancel()
		release()
		if fault == "cancelled context" {
			require.ErrorIs(t, err, context.Canceled)
		} else {
			require.ErrorIs(t, err, storage.ErrConnectionLost)
		}
		require.Equal(t, before, chunkContents(t, st, "doc"), "%s: the old version stays whole", fault)
	}

	res, err := st.Ingest(ctx, storage.DocumentInput{Source: "doc.md", Content: v2})
	require.NoError(t, err, "a retry succeeds")
	require.False(t, res.Unchanged)
	require.Len(t, chunkContents(t, st, "doc"), res.Chunks)
}

// TestPoolRecoversWhenItsConnectionsDie terminates every connection the
// store holds (as a server restart would) between two calls.
func TestPoolRecoversWhenItsConnectionsDie(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	_, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web"})
	require.NoError(t, err)
	var pids []uint32
	for _, c := range st.Pool().AcquireAllIdle(t.Context()) {
		var pid uint32
		require.NoError(t, c.QueryRow(t.Context(), `SELECT pg_backend_pid()`).Scan(&pid))
		pids = append(pids, pid)
		c.Release()
	}
	require.NotEmpty(t, pids)
	k := killer(t)
	_, err = k.Exec(t.Context(), `SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) pid`, pids)
	require.NoError(t, err)

	// The first call may meet a dead connection; the pool drops it, and the
	// next call runs on a new one.
	if _, err = st.Conversations(ctx, storage.PageRequest{Limit: 5}); err != nil {
		require.ErrorIs(t, err, storage.ErrConnectionLost)
	}
	page, err := st.Conversations(ctx, storage.PageRequest{Limit: 5})
	require.NoError(t, err)
	require.Len(t, page.Items, 1)
}
