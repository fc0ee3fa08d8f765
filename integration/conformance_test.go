package integration

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

func ptr[T any](v T) *T { return &v }

// TestConversationLifecycle walks the whole conversation contract in order,
// as one client would.
func TestConversationLifecycle(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")

	// Create, then a duplicate create with another id returns the stored row.
	conv, err := st.CreateConversation(ctx, storage.NewConversation{
		ID: "c1", Platform: "web", Name: "Refund", IdempotencyKey: "order-1042",
		Metadata: map[string]any{"channel": "chat"},
	})
	require.NoError(t, err)
	require.Equal(t, "acme", conv.OrganizationID)
	dup, err := st.CreateConversation(ctx, storage.NewConversation{
		ID: "c1-other", Platform: "sms", Name: "changed", IdempotencyKey: "order-1042",
	})
	require.NoError(t, err)
	require.Equal(t, "c1", dup.ID)
	require.Equal(t, "Refund", dup.Name)
	require.Equal(t, "web", string(dup.Platform))
	_, err = st.Conversation(ctx, "c1-other")
	require.ErrorIs(t, err, storage.ErrNotFound)

	// List: newest first.
	other, err := st.CreateConversation(ctx, storage.NewConversation{ID: "c2", Platform: "email"})
	require.NoError(t, err)
	page, err := st.Conversations(ctx, storage.PageRequest{Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{other.ID, conv.ID}, convIDs(page.Items))
	require.Empty(t, page.Next)

	// Update replaces only what is given.
	up, err := st.UpdateConversation(ctx, "c1", storage.ConversationUpdate{Name: ptr("Refund #1042")})
	require.NoError(t, err)
	require.Equal(t, "Refund #1042", up.Name)
	require.Equal(t, map[string]any{"channel": "chat"}, up.Metadata)
	require.False(t, up.UpdatedAt.Before(conv.UpdatedAt))

	// Participants, owner lookup by email, resolve by external id.
	dana, err := st.AddParticipant(ctx, storage.NewParticipant{ID: "dana", ConversationID: "c1", Type: "user",
		Name: "Dana", Email: ptr("Dana@Example.com"), ExternalID: ptr("crm-7")})
	require.NoError(t, err)
	bot, err := st.AddParticipant(ctx, storage.NewParticipant{ID: "bot", ConversationID: "c1", Type: "ai-agent", Name: "Bot"})
	require.NoError(t, err)
	owned, err := st.ConversationsByUserEmail(ctx, "  dana@EXAMPLE.com ", storage.PageRequest{Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"c1"}, convIDs(owned.Items))
	resolved, err := st.ResolveParticipant(ctx, "c1", "crm-7")
	require.NoError(t, err)
	require.Equal(t, dana.ID, resolved.ID)

	// Messages, appended and paged both ways, refs resolved.
	var appended []*storage.Message
	for i := range 7 {
		from, to := dana.ID, bot.ID
		if i%2 == 1 {
			from, to = to, from
		}
		m, err := st.AppendMessage(ctx, storage.NewMessage{ConversationID: "c1", Direction: "inbound",
			Content: chat.FromText("message " + string(rune('a'+i))), From: from, To: to})
		require.NoError(t, err)
		appended = append(appended, m)
	}
	require.Equal(t, &storage.ParticipantRef{ID: "dana", Type: "user", Name: "Dana"}, appended[0].From)
	require.Equal(t, seqs(appended), pageAll(t, st, ctx, "c1", 3, false))
	require.Equal(t, reversed(seqs(appended)), pageAll(t, st, ctx, "c1", 3, true))
	first, err := st.Messages(ctx, "c1", storage.MessagePageRequest{Limit: 1})
	require.NoError(t, err)
	require.Equal(t, &storage.ParticipantRef{ID: "bot", Type: "ai-agent", Name: "Bot"}, first.Items[0].To)
	require.Equal(t, "message a", *first.Items[0].Content.Text)

	// Sessions; an append bumps its session in the same transaction.
	sess, err := st.CreateSession(ctx, storage.NewSession{ID: "s1", ConversationID: "c1", AgentID: ptr("support"),
		AgentName: "Support", UserParticipantID: "dana", AgentParticipantID: "bot", ThreadID: "t1", Status: ptr("active")})
	require.NoError(t, err)
	require.Nil(t, sess.MessageCount)
	m, err := st.AppendMessage(ctx, storage.NewMessage{ConversationID: "c1", Direction: "outbound",
		Content: chat.FromText("bumped"), From: "bot", To: "dana", SessionID: "s1"})
	require.NoError(t, err)
	sess, err = st.Session(ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, int64(1), *sess.MessageCount)
	require.True(t, sess.LastActivityAt.Equal(m.CreatedAt))
	ended, err := st.UpdateSession(ctx, "s1", storage.SessionUpdate{Status: ptr("ended"), EndedAt: ptr(time.Now().UTC().Truncate(time.Microsecond))})
	require.NoError(t, err)
	require.Equal(t, "ended", string(*ended.Status))
	require.Equal(t, int64(1), *ended.MessageCount, "counts kept when not given")

	// Checkpoints.
	for i := range 3 {
		_, err := st.SaveCheckpoint(ctx, storage.NewCheckpoint{ID: "cp" + string(rune('0'+i)), AgentID: "support",
			ThreadID: "t1", Iteration: i, State: json.RawMessage(`{"turn":` + string(rune('0'+i)) + `}`)})
		require.NoError(t, err)
	}
	latest, err := st.LatestCheckpoint(ctx, "support", "t1")
	require.NoError(t, err)
	require.Equal(t, "cp2", latest.ID)

	// An agentless session keeps agent_id NULL.
	agentless, err := st.CreateSession(ctx, storage.NewSession{ConversationID: "c1", UserParticipantID: "dana"})
	require.NoError(t, err)
	require.Nil(t, agentless.AgentID)
	got, err := st.Session(ctx, agentless.ID)
	require.NoError(t, err)
	require.Nil(t, got.AgentID)
	sessions, err := st.Sessions(ctx, "c1")
	require.NoError(t, err)
	require.Len(t, sessions, 2)
}

func convIDs(items []*ent.Conversation) []string {
	out := make([]string, len(items))
	for i, c := range items {
		out[i] = c.ID
	}
	return out
}

// pageAll pages through a conversation's messages and returns their seqs,
// checking that a cursor comes back exactly when more messages follow.
func pageAll(t *testing.T, st *storage.Store, ctx context.Context, conv string, limit int, desc bool) []int64 {
	t.Helper()
	var out []int64
	cur := ""
	for range 1000 {
		page, err := st.Messages(ctx, conv, storage.MessagePageRequest{Limit: limit, Cursor: cur, Descending: desc})
		require.NoError(t, err)
		require.LessOrEqual(t, len(page.Items), limit)
		for _, m := range page.Items {
			out = append(out, m.Seq)
		}
		if page.Next == "" {
			// The last page: asking past it must not be possible, and a
			// full last page means no row follows.
			return out
		}
		require.Len(t, page.Items, limit, "a cursor only comes with a full page")
		cur = page.Next
	}
	t.Fatal("paging did not end")
	return nil
}

func seqs(ms []*storage.Message) []int64 {
	out := make([]int64, len(ms))
	for i, m := range ms {
		out[i] = m.Seq
	}
	return out
}

func reversed(xs []int64) []int64 {
	out := make([]int64, len(xs))
	for i, x := range xs {
		out[len(xs)-1-i] = x
	}
	return out
}
