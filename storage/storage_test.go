package storage_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/embed"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
	"github.com/agentstore/agentstore/vector"
)

func viewer(ctx context.Context) context.Context {
	return access.NewContext(ctx, access.Viewer{OrganizationID: "acme"})
}

func TestOpenRejectsEmbedderOfAnotherWidth(t *testing.T) {
	t.Parallel()
	s := storagetest.NewSchema(t)
	_, err := storage.Open(t.Context(), s.URL, storage.WithEmbedder(embed.NewDeterministic(384)))
	require.ErrorIs(t, err, storage.ErrDimensionMismatch)
	var dm *storage.DimensionMismatchError
	require.ErrorAs(t, err, &dm)
	require.Equal(t, 384, dm.Embedder)
	require.Equal(t, 1024, dm.Column)
}

func TestOpenRejectsBadOptions(t *testing.T) {
	t.Parallel()
	s := storagetest.NewSchema(t)
	for name, opt := range map[string]storage.Option{
		"PoolSize":         storage.WithPoolSize(0),
		"StatementTimeout": storage.WithStatementTimeout(-time.Second),
		"TextSearchConfig": storage.WithTextSearchConfig("english; DROP TABLE x"),
		"Logger":           storage.WithLogger(nil),
		"MaxPayload":       storage.WithMaxPayloadBytes(0),
	} {
		_, err := storage.Open(t.Context(), s.URL, opt)
		require.ErrorIs(t, err, storage.ErrInvalidInput, name)
	}
	_, err := storage.Open(t.Context(), s.URL, storage.WithTextSearchConfig("klingon"))
	var ie *storage.InputError
	require.ErrorAs(t, err, &ie, "a configuration the server does not have")
	require.Equal(t, "text search config", ie.Field)
	st, err := storage.Open(t.Context(), s.URL, storage.WithTextSearchConfig("simple"))
	require.NoError(t, err)
	require.NoError(t, st.Close())

	_, err = storage.Open(t.Context(), "postgres://nobody@127.0.0.1:1/x?connect_timeout=1")
	require.Error(t, err)
}

func countConversations(t *testing.T, st *storage.Store) int {
	t.Helper()
	n, err := st.Client().Conversation.Query().Count(viewer(context.WithoutCancel(t.Context())))
	require.NoError(t, err)
	return n
}

// insertRaw writes a conversation with raw SQL on the transaction's
// connection.
func insertRaw(ctx context.Context, tx *storage.Tx, id string) error {
	return tx.Raw(ctx, func(q vector.Copier) error {
		_, err := q.Exec(ctx, `INSERT INTO conversations (id, organization_id, created_at, updated_at, platform)
VALUES ($1, 'acme', now(), now(), 'web')`, id)
		return err
	})
}

func TestWithTxCommitsEntAndRawTogether(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := viewer(t.Context())
	err := st.WithTx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.CreateConversation(ctx, storage.NewConversation{ID: "ent", Platform: "web"}); err != nil {
			return err
		}
		if err := insertRaw(ctx, tx, "raw"); err != nil {
			return err
		}
		// Inside the transaction, ent sees the raw row.
		_, err := tx.Conversation(ctx, "raw")
		return err
	})
	require.NoError(t, err)
	require.Equal(t, 2, countConversations(t, st))
}

func TestWithTxRollsBack(t *testing.T) {
	t.Parallel()
	boom := errors.New("boom")
	for name, body := range map[string]func(ctx context.Context, tx *storage.Tx) error{
		"Error": func(ctx context.Context, tx *storage.Tx) error { return boom },
		"Panic": func(ctx context.Context, tx *storage.Tx) error { panic(boom) },
		"FailingStatement": func(ctx context.Context, tx *storage.Tx) error {
			return insertRaw(ctx, tx, "ent") // duplicate id
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := storagetest.Store(t)
			ctx := viewer(t.Context())
			run := func() error {
				return st.WithTx(ctx, func(tx *storage.Tx) error {
					if _, err := tx.CreateConversation(ctx, storage.NewConversation{ID: "ent", Platform: "web"}); err != nil {
						return err
					}
					if err := insertRaw(ctx, tx, "raw"); err != nil {
						return err
					}
					return body(ctx, tx)
				})
			}
			if name == "Panic" {
				require.PanicsWithValue(t, boom, func() { _ = run() })
			} else {
				require.Error(t, run())
			}
			require.Zero(t, countConversations(t, st))
		})
	}
}

func TestWithTxRollsBackOnCancelledContext(t *testing.T) {
	t.Parallel()
	// A cancelled statement can fail as a lost connection (pgx closes it
	// mid-COPY), which does not wrap the context's error: the transaction's
	// error names the cancellation either way.
	lost := fmt.Errorf("%w: read tcp: use of closed network connection", storage.ErrConnectionLost)
	for name, failure := range map[string]func(ctx context.Context) error{
		"ContextError":   func(ctx context.Context) error { return ctx.Err() },
		"ConnectionLost": func(context.Context) error { return lost },
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			st := storagetest.Store(t)
			ctx, cancel := context.WithCancel(viewer(t.Context()))
			err := st.WithTx(ctx, func(tx *storage.Tx) error {
				if _, err := tx.CreateConversation(ctx, storage.NewConversation{ID: "ent", Platform: "web"}); err != nil {
					return err
				}
				cancel()
				return failure(ctx)
			})
			require.ErrorIs(t, err, context.Canceled)
			if name == "ConnectionLost" {
				require.ErrorIs(t, err, storage.ErrConnectionLost)
			}
			require.Zero(t, countConversations(t, st))
			// The pool still works afterwards.
			_, err = st.CreateConversation(viewer(t.Context()), storage.NewConversation{ID: "after", Platform: "web"})
			require.NoError(t, err)
		})
	}
}

func TestAppendInsideWithTxJoinsTheTransaction(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := viewer(t.Context())
	_, err := st.CreateConversation(ctx, storage.NewConversation{ID: "c", Platform: "web"})
	require.NoError(t, err)
	err = st.WithTx(ctx, func(tx *storage.Tx) error {
		if _, err := tx.AppendMessage(ctx, storage.NewMessage{ConversationID: "c", Direction: "inbound"}); err != nil {
			return err
		}
		return errors.New("undo")
	})
	require.Error(t, err)
	n, err := st.Client().Message.Query().Count(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestStatementTimeoutIsTyped(t *testing.T) {
	t.Parallel()
	s := storagetest.NewSchema(t)
	st, err := storage.Open(t.Context(), s.URL, storage.WithStatementTimeout(50*time.Millisecond))
	require.NoError(t, err)
	defer st.Close()
	err = st.WithTx(viewer(t.Context()), func(tx *storage.Tx) error {
		return tx.Raw(t.Context(), func(q vector.Copier) error {
			_, err := q.Exec(t.Context(), `SELECT pg_sleep(2)`)
			return err
		})
	})
	require.ErrorIs(t, err, storage.ErrTimeout)
	_, err = st.Conversations(viewer(t.Context()), storage.PageRequest{Limit: 1})
	require.NoError(t, err, "the pool recovers")
}

func TestParseConnectorKind(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"github": "github", " Web ": "web", "FILE": "file"} {
		got, err := storage.ParseConnectorKind(in)
		require.NoError(t, err)
		require.Equal(t, want, string(got))
	}
	for _, in := range []string{"", "gitlab", "web site"} {
		_, err := storage.ParseConnectorKind(in)
		require.ErrorIs(t, err, storage.ErrInvalidInput, in)
	}
}
