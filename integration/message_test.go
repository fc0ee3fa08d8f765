package integration

import (
	"context"
	"encoding/base64"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/ent/message"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// chatFixture is a conversation with two participants.
type chatFixture struct {
	st  *storage.Store
	ctx context.Context
}

func newChat(t *testing.T, convIDs ...string) chatFixture {
	t.Helper()
	f := chatFixture{st: storagetest.Store(t), ctx: member(t.Context(), "acme")}
	for _, id := range convIDs {
		_, err := f.st.CreateConversation(f.ctx, storage.NewConversation{ID: id, Platform: "web"})
		require.NoError(t, err)
		for _, p := range []storage.NewParticipant{{ID: id + "-user", Type: "user", Name: "User"}, {ID: id + "-bot", Type: "ai-agent", Name: "Bot"}} {
			p.ConversationID = id
			_, err := f.st.AddParticipant(f.ctx, p)
			require.NoError(t, err)
		}
	}
	return f
}

func (f chatFixture) append(t *testing.T, conv string, n int) []*storage.Message {
	t.Helper()
	var out []*storage.Message
	for i := range n {
		m, err := f.st.AppendMessage(f.ctx, storage.NewMessage{ConversationID: conv, Direction: "inbound",
			Content: chat.FromText(string(rune('a' + i%26))), From: conv + "-user", To: conv + "-bot"})
		require.NoError(t, err)
		out = append(out, m)
	}
	return out
}

func (f chatFixture) messageCount(t *testing.T) int {
	t.Helper()
	n, err := f.st.Client().Message.Query().Count(f.ctx)
	require.NoError(t, err)
	return n
}

func TestParticipantContract(t *testing.T) {
	t.Parallel()
	f := newChat(t, "c1", "c2")
	_, err := f.st.AddParticipant(f.ctx, storage.NewParticipant{ID: "c1-user", ConversationID: "c1", Type: "user"})
	require.ErrorIs(t, err, storage.ErrConflict)
	_, err = f.st.AddParticipant(f.ctx, storage.NewParticipant{ConversationID: "nope", Type: "user"})
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = f.st.CreateConversation(member(t.Context(), "other"), storage.NewConversation{ID: "foreign", Platform: "web"})
	require.NoError(t, err)
	_, err = f.st.AddParticipant(f.ctx, storage.NewParticipant{ConversationID: "foreign", Type: "user"})
	require.ErrorIs(t, err, storage.ErrNotFound, "another organization's conversation is not there")

	// Resolve: earliest of several with one external id.
	for _, id := range []string{"z-first", "a-second"} {
		_, err := f.st.AddParticipant(f.ctx, storage.NewParticipant{ID: id, ConversationID: "c1", Type: "user", ExternalID: ptr("ext")})
		require.NoError(t, err)
	}
	p, err := f.st.ResolveParticipant(f.ctx, "c1", "ext")
	require.NoError(t, err)
	require.Equal(t, "z-first", p.ID)
	_, err = f.st.ResolveParticipant(f.ctx, "c2", "ext")
	require.ErrorIs(t, err, storage.ErrNotFound)

	list, err := f.st.Participants(f.ctx, "c1")
	require.NoError(t, err)
	var ids []string
	for _, p := range list {
		ids = append(ids, p.ID)
	}
	require.Equal(t, []string{"c1-user", "c1-bot", "z-first", "a-second"}, ids, "(created_at, id) order")
}

func TestAppendRejectsForeignParticipants(t *testing.T) {
	t.Parallel()
	f := newChat(t, "c1", "c2")
	for name, in := range map[string]storage.NewMessage{
		"UnknownFrom":         {ConversationID: "c1", From: "ghost"},
		"UnknownTo":           {ConversationID: "c1", From: "c1-user", To: "ghost"},
		"OtherConversation":   {ConversationID: "c1", From: "c2-user"},
		"OtherConversationTo": {ConversationID: "c1", To: "c2-bot"},
	} {
		in.Direction = "inbound"
		_, err := f.st.AppendMessage(f.ctx, in)
		var ie *storage.InputError
		require.ErrorAs(t, err, &ie, name)
		require.Contains(t, []string{"from", "to"}, ie.Field)
	}
	_, err := f.st.AppendMessage(f.ctx, storage.NewMessage{ConversationID: "nope", Direction: "inbound"})
	require.ErrorIs(t, err, storage.ErrNotFound)
	require.Zero(t, f.messageCount(t), "nothing written")
}

func TestMessagePagingContract(t *testing.T) {
	t.Parallel()
	f := newChat(t, "c1", "c2")
	ms := f.append(t, "c1", 6)
	f.append(t, "c2", 2)

	require.Equal(t, seqs(ms), pageAll(t, f.st, f.ctx, "c1", 2, false))
	require.Equal(t, reversed(seqs(ms)), pageAll(t, f.st, f.ctx, "c1", 4, true))
	require.Equal(t, seqs(ms), pageAll(t, f.st, f.ctx, "c1", 6, false), "exact fit: one page, no cursor")

	empty, err := f.st.Messages(f.ctx, "c1", storage.MessagePageRequest{Limit: 0})
	require.NoError(t, err)
	require.Empty(t, empty.Items)
	require.Empty(t, empty.Next)

	first, err := f.st.Messages(f.ctx, "c1", storage.MessagePageRequest{Limit: 2})
	require.NoError(t, err)
	require.NotEmpty(t, first.Next)

	for name, req := range map[string]struct {
		conv string
		req  storage.MessagePageRequest
	}{
		"OtherConversation": {"c2", storage.MessagePageRequest{Limit: 2, Cursor: first.Next}},
		"OtherDirection":    {"c1", storage.MessagePageRequest{Limit: 2, Cursor: first.Next, Descending: true}},
		"Malformed":         {"c1", storage.MessagePageRequest{Limit: 2, Cursor: "%%%not-base64"}},
		"NotJSON":           {"c1", storage.MessagePageRequest{Limit: 2, Cursor: base64.RawURLEncoding.EncodeToString([]byte("{x"))}},
		"Forged":            {"c1", storage.MessagePageRequest{Limit: 2, Cursor: base64.RawURLEncoding.EncodeToString([]byte(`{"k":"messages","s":"c1","q":999999999}`))}},
	} {
		_, err := f.st.Messages(f.ctx, req.conv, req.req)
		require.ErrorIs(t, err, storage.ErrInvalidCursor, name)
	}

	// A cursor whose message is gone is unknown.
	require.NoError(t, f.st.Client().Message.DeleteOneID(first.Items[1].ID).Exec(f.ctx))
	_, err = f.st.Messages(f.ctx, "c1", storage.MessagePageRequest{Limit: 2, Cursor: first.Next})
	require.ErrorIs(t, err, storage.ErrInvalidCursor)

	// Another organization reads an empty conversation.
	page, err := f.st.Messages(member(t.Context(), "other"), "c1", storage.MessagePageRequest{Limit: 10})
	require.NoError(t, err)
	require.Empty(t, page.Items)
}

// TestEqualTimestampsPageOnce: paging is on seq, so rows with the same
// created_at still come exactly once each, in append order.
func TestEqualTimestampsPageOnce(t *testing.T) {
	t.Parallel()
	f := newChat(t, "c1")
	at := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	var ids []string
	for i := range 9 {
		m, err := f.st.Client().Message.Create().SetOrganizationID("acme").SetConversationID("c1").
			SetDirection(message.DirectionInbound).SetContent(chat.FromText("same time")).SetCreatedAt(at).
			SetID("m" + string(rune('9'-i))).Save(f.ctx) // ids descend while seq ascends
		require.NoError(t, err)
		ids = append(ids, m.ID)
	}
	var got []string
	cur := ""
	for {
		page, err := f.st.Messages(f.ctx, "c1", storage.MessagePageRequest{Limit: 2, Cursor: cur})
		require.NoError(t, err)
		for _, m := range page.Items {
			got = append(got, m.ID)
		}
		if cur = page.Next; cur == "" {
			break
		}
	}
	require.Equal(t, ids, got)
}

func TestMessageContentShape(t *testing.T) {
	t.Parallel()
	f := newChat(t, "c1")
	m, err := f.st.AppendMessage(f.ctx, storage.NewMessage{ID: "empty", ConversationID: "c1", Direction: "outbound"})
	require.NoError(t, err)
	require.Equal(t, []chat.Item{}, m.Content.Items)
	_, err = f.st.AppendMessage(f.ctx, storage.NewMessage{ID: "text", ConversationID: "c1", Direction: "outbound",
		Content: chat.FromText("hi")})
	require.NoError(t, err)

	var raw []string
	rows, err := f.st.DB().QueryContext(t.Context(), `SELECT content::text FROM messages ORDER BY seq`)
	require.NoError(t, err)
	defer rows.Close()
	for rows.Next() {
		var s string
		require.NoError(t, rows.Scan(&s))
		raw = append(raw, s)
	}
	require.NoError(t, rows.Err())
	require.Equal(t, []string{`{"items": []}`, `{"text": "hi", "items": [{"text": "hi", "type": "text"}]}`}, raw)

	page, err := f.st.Messages(f.ctx, "c1", storage.MessagePageRequest{Limit: 5})
	require.NoError(t, err)
	require.Equal(t, []chat.Item{}, page.Items[0].Content.Items)
	require.Nil(t, page.Items[0].Content.Text)
	require.Nil(t, page.Items[0].From)
}

func TestAppendBumpsSessionAtomically(t *testing.T) {
	t.Parallel()
	f := newChat(t, "c1", "c2")
	_, err := f.st.CreateSession(f.ctx, storage.NewSession{ID: "s1", ConversationID: "c1", MessageCount: ptr(int64(5))})
	require.NoError(t, err)
	m, err := f.st.AppendMessage(f.ctx, storage.NewMessage{ConversationID: "c1", Direction: "inbound", SessionID: "s1"})
	require.NoError(t, err)
	s, err := f.st.Session(f.ctx, "s1")
	require.NoError(t, err)
	require.Equal(t, int64(6), *s.MessageCount)
	require.True(t, s.LastActivityAt.Equal(m.CreatedAt))

	// A session of another conversation (or none) rolls the append back.
	for _, sid := range []string{"missing", "s1"} {
		_, err := f.st.AppendMessage(f.ctx, storage.NewMessage{ConversationID: "c2", Direction: "inbound", SessionID: sid})
		require.ErrorIs(t, err, storage.ErrNotFound, sid)
	}
	require.Equal(t, 1, f.messageCount(t))
}

func TestSessionContract(t *testing.T) {
	t.Parallel()
	f := newChat(t, "c1", "c2")
	_, err := f.st.CreateSession(f.ctx, storage.NewSession{ConversationID: "c1", UserParticipantID: "c2-user"})
	require.ErrorIs(t, err, storage.ErrInvalidInput, "a participant of another conversation")

	s, err := f.st.CreateSession(f.ctx, storage.NewSession{ID: "s", ConversationID: "c1", AgentID: ptr("a"),
		Status: ptr("active"), TokenCount: ptr(int64(10)), Metadata: map[string]any{"k": "v", "keep": "no"}})
	require.NoError(t, err)

	up, err := f.st.UpdateSession(f.ctx, "s", storage.SessionUpdate{MessageCount: ptr(int64(3)), Metadata: map[string]any{"k": "w"}})
	require.NoError(t, err)
	require.Equal(t, "active", string(*up.Status), "status kept")
	require.Equal(t, int64(10), *up.TokenCount, "token count kept")
	require.Equal(t, int64(3), *up.MessageCount)
	require.Equal(t, map[string]any{"k": "w"}, up.Metadata, "metadata replaced whole")
	require.Nil(t, up.EndedAt)
	require.True(t, up.LastActivityAt.Equal(s.LastActivityAt), "last activity kept when not given")

	_, err = f.st.UpdateSession(f.ctx, "nope", storage.SessionUpdate{Status: ptr("idle")})
	require.ErrorIs(t, err, storage.ErrNotFound)
	_, err = f.st.UpdateSession(f.ctx, "s", storage.SessionUpdate{Status: ptr("sleeping")})
	require.ErrorIs(t, err, storage.ErrInvalidInput)
	_, err = f.st.Session(member(t.Context(), "other"), "s")
	require.ErrorIs(t, err, storage.ErrNotFound)
}
