package admin_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/admin"
	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

func adminOf(ctx context.Context, org string) context.Context {
	return access.NewContext(ctx, access.Viewer{OrganizationID: org, Role: access.RoleAdmin})
}

func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	require.NoError(t, err)
	return string(b)
}

// setup gives a test its own store, the admin queries over it, and an
// admin of "acme".
func setup(t *testing.T) (*storage.Store, *admin.Admin, context.Context) {
	t.Helper()
	st := storagetest.Store(t)
	return st, admin.New(st), adminOf(t.Context(), "acme")
}

func ptr[T any](v T) *T { return &v }

// talk records a conversation of the user (and, when other is set, a
// second user) with a bot: one message each way per user and a session
// for the user. It returns the conversation id.
func talk(t *testing.T, st *storage.Store, ctx context.Context, user, email, other string) string {
	t.Helper()
	conv, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web", Name: user + " asks"})
	require.NoError(t, err)
	bot, err := st.AddParticipant(ctx, storage.NewParticipant{ConversationID: conv.ID, Type: "ai-agent", Name: "bot"})
	require.NoError(t, err)
	people := []struct{ id, email string }{{user, email}}
	if other != "" {
		people = append(people, struct{ id, email string }{other, other + "@example.com"})
	}
	for _, p := range people {
		u, err := st.AddParticipant(ctx, storage.NewParticipant{ConversationID: conv.ID, Type: "user", Name: p.id,
			ExternalID: ptr(p.id), Email: ptr(p.email)})
		require.NoError(t, err)
		for _, m := range []storage.NewMessage{
			{ConversationID: conv.ID, Direction: "inbound", Content: chat.FromText("hi from " + p.id), From: u.ID, To: bot.ID},
			{ConversationID: conv.ID, Direction: "outbound", Content: chat.FromText("hello " + p.id), From: bot.ID, To: u.ID},
		} {
			_, err := st.AppendMessage(ctx, m)
			require.NoError(t, err)
		}
		_, err = st.CreateSession(ctx, storage.NewSession{ConversationID: conv.ID, UserParticipantID: u.ID, AgentParticipantID: bot.ID})
		require.NoError(t, err)
	}
	return conv.ID
}

func remember(t *testing.T, st *storage.Store, ctx context.Context, user string, texts ...string) {
	t.Helper()
	mem, err := st.Memories(ctx, user)
	require.NoError(t, err)
	for _, text := range texts {
		_, err := mem.Store(ctx, storage.NewMemory{Content: text, MemoryType: "User"})
		require.NoError(t, err)
	}
}

func TestFootprintAndErase(t *testing.T) {
	t.Parallel()
	st, a, ctx := setup(t)
	elsewhere := adminOf(t.Context(), "globex")
	talk(t, st, ctx, "alice", "Alice@Example.com", "")            // alice alone with the bot
	shared := talk(t, st, ctx, "bob", "bob@example.com", "alice") // bob's, alice joins
	talk(t, st, ctx, "carol", "carol@example.com", "")
	talk(t, st, elsewhere, "alice", "alice@example.com", "") // another organization's alice
	remember(t, st, ctx, "alice", "likes pizza", "lives in Lyon")
	remember(t, st, ctx, "bob", "prefers email")
	remember(t, st, elsewhere, "alice", "globex alice")

	f, err := a.Footprint(ctx, admin.Subject{Email: "  ALICE@example.COM "})
	require.NoError(t, err)
	require.Len(t, f.Participants, 2, "email matching is trimmed and case-insensitive")
	f, err = a.Footprint(ctx, admin.Subject{ExternalID: "alice"})
	require.NoError(t, err)
	require.Len(t, f.Participants, 2)
	require.Len(t, f.Conversations, 2)
	require.Len(t, f.MessagesSent, 2)
	require.Len(t, f.MessagesReceived, 2)
	require.Len(t, f.Sessions, 2)
	require.Len(t, f.Memories, 2)
	for _, m := range f.Memories {
		require.Empty(t, m.Embedding.Slice(), "exports carry no embeddings")
	}
	bobBefore, err := a.Footprint(ctx, admin.Subject{ExternalID: "bob"})
	require.NoError(t, err)
	before, err := a.Overview(ctx)
	require.NoError(t, err)

	dry, err := a.Erase(ctx, admin.Subject{ExternalID: "alice"}, true)
	require.NoError(t, err)
	want := admin.Erasure{DryRun: true, Conversations: 1, Participants: 2 + 1, Messages: 2 + 2, Sessions: 1 + 1, Memories: 2}
	require.Equal(t, want, *dry, "alone: the conversation with its bot; shared: alice's rows only")
	still, err := a.Footprint(ctx, admin.Subject{ExternalID: "alice"})
	require.NoError(t, err)
	require.JSONEq(t, asJSON(t, f), asJSON(t, still), "a dry run deletes nothing")

	done, err := a.Erase(ctx, admin.Subject{ExternalID: "alice"}, false)
	require.NoError(t, err)
	want.DryRun = false
	require.Equal(t, want, *done)
	gone, err := a.Footprint(ctx, admin.Subject{ExternalID: "alice", Email: "alice@example.com"})
	require.NoError(t, err)
	require.True(t, gone.Empty(), "%+v", gone)

	bobAfter, err := a.Footprint(ctx, admin.Subject{ExternalID: "bob"})
	require.NoError(t, err)
	require.JSONEq(t, asJSON(t, bobBefore), asJSON(t, bobAfter), "the other person's data is untouched")
	transcript, err := a.Transcript(ctx, shared, admin.TranscriptRequest{})
	require.NoError(t, err)
	require.Len(t, transcript.Participants, 2, "the shared conversation keeps bob and the bot")
	after, err := a.Overview(ctx)
	require.NoError(t, err)
	for entity, n := range map[string]int{"conversations": 1, "participants": 3, "messages": 4, "sessions": 2, "memories": 2} {
		require.Equal(t, before.Counts[entity]-n, after.Counts[entity], entity)
		delete(before.Counts, entity)
		delete(after.Counts, entity)
	}
	require.Equal(t, before.Counts, after.Counts, "nothing else changed")
	other, err := a.Footprint(elsewhere, admin.Subject{ExternalID: "alice"})
	require.NoError(t, err)
	require.Len(t, other.Participants, 1, "another organization's alice is not erased")
	require.Len(t, other.Memories, 1)

	_, err = a.Erase(ctx, admin.Subject{Email: "  "}, true)
	require.ErrorIs(t, err, storage.ErrInvalidInput)
}

func TestTranscriptPages(t *testing.T) {
	t.Parallel()
	st, a, ctx := setup(t)
	conv := talk(t, st, ctx, "dana", "dana@example.com", "erin")

	first, err := a.Transcript(ctx, conv, admin.TranscriptRequest{Limit: 3})
	require.NoError(t, err)
	require.Len(t, first.Participants, 3)
	require.Len(t, first.Sessions, 2)
	require.Len(t, first.Messages, 3)
	require.NotNil(t, first.NextAfter)
	require.Equal(t, "dana", first.Messages[0].Edges.FromParticipant.Name, "senders are resolved")
	require.Equal(t, "bot", first.Messages[0].Edges.ToParticipant.Name, "recipients are resolved")
	sent := 0
	for _, n := range first.Sent {
		sent += n
	}
	require.Equal(t, 4, sent, "counts cover the whole conversation, not the page")

	rest, err := a.Transcript(ctx, conv, admin.TranscriptRequest{After: *first.NextAfter, Limit: 3})
	require.NoError(t, err)
	require.Len(t, rest.Messages, 1)
	require.Nil(t, rest.NextAfter)
	require.Greater(t, rest.Messages[0].Seq, first.Messages[2].Seq)

	_, err = a.Transcript(adminOf(t.Context(), "globex"), conv, admin.TranscriptRequest{})
	require.ErrorIs(t, err, storage.ErrNotFound, "another organization's conversation does not exist for this admin")
	_, err = a.Transcript(ctx, conv, admin.TranscriptRequest{Limit: -1})
	require.ErrorIs(t, err, storage.ErrInvalidInput)
}

func TestAudienceAndVisibility(t *testing.T) {
	t.Parallel()
	st, a, ctx := setup(t)
	docs := map[string]*access.ACL{"public.md": nil, "eng.md": {Groups: []string{"eng"}, Users: []string{"zoe"}}, "locked.md": {}}
	ids := map[string]string{}
	for source, acl := range docs {
		res, err := st.Ingest(ctx, storage.DocumentInput{Source: source, Content: "handbook text for " + source,
			ACL: acl, DocumentSets: []string{"handbook"}})
		require.NoError(t, err)
		ids[source] = res.Document.ID
	}
	_, err := st.Ingest(ctx, storage.DocumentInput{Source: "elsewhere.md", Content: "not in the set"})
	require.NoError(t, err)

	eng, err := a.Audience(ctx, ids["eng.md"])
	require.NoError(t, err)
	require.Equal(t, []string{"eng"}, eng.Groups)
	require.Equal(t, []string{"zoe"}, eng.Users)
	require.False(t, eng.Public)
	require.False(t, eng.Locked)
	require.Len(t, eng.Chunks, 1)
	require.Equal(t, ids["eng.md"]+"#0", eng.Chunks[0].ID)
	locked, err := a.Audience(ctx, ids["locked.md"])
	require.NoError(t, err)
	require.True(t, locked.Locked)
	public, err := a.Audience(ctx, ids["public.md"])
	require.NoError(t, err)
	require.True(t, public.Public)

	v, err := a.Visibility(ctx, access.Viewer{UserID: "yann", Groups: []string{"eng"}}, "handbook")
	require.NoError(t, err)
	require.Equal(t, []string{"eng.md", "public.md"}, v.Visible)
	require.Equal(t, []string{"locked.md"}, v.Hidden)
	v, err = a.Visibility(ctx, access.Viewer{UserID: "yann", Role: access.RoleAdmin}, "handbook")
	require.NoError(t, err)
	require.Equal(t, []string{"public.md"}, v.Visible, "the viewer is checked as a member, whatever role it names")
	v, err = a.Visibility(ctx, access.Viewer{UserID: "zoe"}, "")
	require.NoError(t, err)
	require.Equal(t, []string{"elsewhere.md", "eng.md", "public.md"}, v.Visible)

	_, err = a.Audience(adminOf(t.Context(), "globex"), ids["eng.md"])
	require.ErrorIs(t, err, storage.ErrNotFound)
}

func TestOverview(t *testing.T) {
	t.Parallel()
	st, a, ctx := setup(t)
	big := talk(t, st, ctx, "fay", "fay@example.com", "gus")
	talk(t, st, ctx, "hal", "hal@example.com", "")
	talk(t, st, adminOf(t.Context(), "globex"), "ivy", "ivy@example.com", "")
	remember(t, st, ctx, "fay", "one", "two")
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i, status := range []string{"succeeded", "failed", "succeeded", "running"} {
		_, err := st.RecordIndexingRun(ctx, storage.IndexingRunInput{ConnectorName: "docs", Status: status,
			StartedAt: ptr(t0.Add(time.Duration(i) * time.Hour))})
		require.NoError(t, err)
	}

	o, err := a.Overview(ctx)
	require.NoError(t, err)
	require.Equal(t, "acme", o.Organization)
	require.Equal(t, 2, o.Counts["conversations"], "globex is not counted")
	require.Equal(t, 6, o.Counts["messages"])
	require.Equal(t, 3, o.Counts["sessions"])
	require.Equal(t, 4, o.Counts["indexing_runs"])
	require.Equal(t, big, o.Largest[0].ID)
	require.Equal(t, 4, o.Largest[0].Messages)
	require.Len(t, o.Largest, 2)
	require.Equal(t, map[string]int{admin.Unset: 3}, o.Sessions)
	require.Equal(t, map[string]int{"User": 2}, o.Memories)
	require.Len(t, o.Connectors, 1)
	c := o.Connectors[0]
	require.Equal(t, 4, c.Runs)
	require.True(t, c.LastSuccess.Equal(t0.Add(2*time.Hour)), "%v", c.LastSuccess)
	require.True(t, c.LastFailure.Equal(t0.Add(time.Hour)), "%v", c.LastFailure)
}

func TestIntegrityReport(t *testing.T) {
	t.Parallel()
	st, a, ctx := setup(t)
	conv := talk(t, st, ctx, "jan", "jan@example.com", "kim")
	sys := access.SystemContext(t.Context())

	findings, ok, err := a.Integrity(sys)
	require.NoError(t, err)
	require.True(t, ok, "%+v", findings)
	require.Len(t, findings, 9)

	// Only a database without the composite key can hold a stray row.
	_, err = st.Pool().Exec(t.Context(), `ALTER TABLE participants DROP CONSTRAINT participants_conversation_organization`)
	require.NoError(t, err)
	_, err = st.Pool().Exec(t.Context(), `INSERT INTO participants (id, organization_id, conversation_id, created_at, updated_at, type)
VALUES ('stray', 'globex', $1, now(), now(), 'user')`, conv)
	require.NoError(t, err)
	findings, ok, err = a.Integrity(sys)
	require.NoError(t, err)
	require.False(t, ok)
	require.Equal(t, admin.Finding{Check: "participants in another organization than their conversation", Count: 1,
		Examples: []string{"stray"}}, findings[0])
	for _, f := range findings[1:] {
		require.Zero(t, f.Count, f.Check)
	}
}

func TestAdminNeedsAnAdmin(t *testing.T) {
	t.Parallel()
	a := admin.New(storagetest.Store(t))
	member := access.NewContext(t.Context(), access.Viewer{OrganizationID: "acme"})
	for name, ctx := range map[string]context.Context{"no viewer": t.Context(), "member": member,
		"system": access.SystemContext(t.Context())} {
		_, err := a.Overview(ctx)
		require.ErrorIs(t, err, storage.ErrPermissionDenied, name)
		_, err = a.Erase(ctx, admin.Subject{ExternalID: "x"}, false)
		require.ErrorIs(t, err, storage.ErrPermissionDenied, name)
	}
	_, _, err := a.Integrity(adminOf(t.Context(), "acme"))
	require.ErrorIs(t, err, storage.ErrPermissionDenied, "integrity spans organizations: system only")
}
