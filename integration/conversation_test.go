package integration

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

func TestIdempotentCreateIsRaceSafe(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t, storage.WithPoolSize(32))
	ctx := member(t.Context(), "acme")
	const n = 64
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		got   []string
		errs  []error
		start = make(chan struct{})
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			c, err := st.CreateConversation(ctx, storage.NewConversation{
				ID: "try-" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Platform: "web", IdempotencyKey: "same-key"})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			got = append(got, c.ID)
		}()
	}
	close(start)
	wg.Wait()
	require.Empty(t, errs)
	require.Len(t, got, n)
	for _, id := range got {
		require.Equal(t, got[0], id, "every caller gets the one stored row")
	}
	count, err := st.Client().Conversation.Query().Count(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, count)
}

func TestIdempotencyKeyIsPerOrganization(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	a, err := st.CreateConversation(member(t.Context(), "org-a"), storage.NewConversation{ID: "a", Platform: "web", IdempotencyKey: "k"})
	require.NoError(t, err)
	b, err := st.CreateConversation(member(t.Context(), "org-b"), storage.NewConversation{ID: "b", Platform: "web", IdempotencyKey: "k"})
	require.NoError(t, err)
	require.NotEqual(t, a.ID, b.ID)

	// An id taken by another organization is a conflict, not a takeover.
	_, err = st.CreateConversation(member(t.Context(), "org-b"), storage.NewConversation{ID: "a", Platform: "web"})
	require.ErrorIs(t, err, storage.ErrConflict)
}

func TestConversationsKeysetPaging(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	// 25 conversations over 5 identical timestamps: the tie-break is the id.
	base := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	var want []string
	for i := range 25 {
		id := string(rune('a'+i%5)) + string(rune('0'+i/5))
		_, err := st.Client().Conversation.Create().SetID(id).SetOrganizationID("acme").
			SetPlatform(conversation.PlatformWeb).SetCreatedAt(base.Add(time.Duration(i/5) * time.Minute)).Save(ctx)
		require.NoError(t, err)
	}
	all, err := st.Client().Conversation.Query().
		Order(ent.Desc(conversation.FieldCreatedAt), ent.Desc(conversation.FieldID)).IDs(ctx)
	require.NoError(t, err)
	want = all
	// Another organization's rows never appear.
	_, err = st.CreateConversation(member(t.Context(), "other"), storage.NewConversation{Platform: "web"})
	require.NoError(t, err)

	var got []string
	cur := ""
	for {
		page, err := st.Conversations(ctx, storage.PageRequest{Limit: 4, Cursor: cur})
		require.NoError(t, err)
		got = append(got, convIDs(page.Items)...)
		if page.Next == "" {
			break
		}
		cur = page.Next
	}
	require.Equal(t, want, got)

	// Exactly a multiple of the page size: no cursor after the last row.
	page, err := st.Conversations(ctx, storage.PageRequest{Limit: 25})
	require.NoError(t, err)
	require.Len(t, page.Items, 25)
	require.Empty(t, page.Next)

	// Another organization cannot use this cursor.
	first, err := st.Conversations(ctx, storage.PageRequest{Limit: 1})
	require.NoError(t, err)
	_, err = st.Conversations(member(t.Context(), "other"), storage.PageRequest{Limit: 1, Cursor: first.Next})
	require.ErrorIs(t, err, storage.ErrInvalidCursor)
}

func TestConversationsByUserEmail(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	mk := func(id string, participants ...storage.NewParticipant) {
		_, err := st.CreateConversation(ctx, storage.NewConversation{ID: id, Platform: "web"})
		require.NoError(t, err)
		for _, p := range participants {
			p.ConversationID = id
			_, err := st.AddParticipant(ctx, p)
			require.NoError(t, err)
		}
	}
	mk("twice", storage.NewParticipant{Type: "user", Email: ptr("ann@x.io")}, storage.NewParticipant{Type: "user", Email: ptr("ANN@x.io")})
	mk("agent-only", storage.NewParticipant{Type: "human-agent", Email: ptr("ann@x.io")})
	mk("someone-else", storage.NewParticipant{Type: "user", Email: ptr("bob@x.io")})
	mk("pattern", storage.NewParticipant{Type: "user", Email: ptr("a_n@x.io")})
	_, err := st.CreateConversation(member(t.Context(), "other"), storage.NewConversation{ID: "foreign", Platform: "web"})
	require.NoError(t, err)
	_, err = st.AddParticipant(member(t.Context(), "other"), storage.NewParticipant{ConversationID: "foreign", Type: "user", Email: ptr("ann@x.io")})
	require.NoError(t, err)

	page, err := st.ConversationsByUserEmail(ctx, " Ann@X.io\t", storage.PageRequest{Limit: 10})
	require.NoError(t, err)
	require.Equal(t, []string{"twice"}, convIDs(page.Items), "user participants only, each conversation once, own org only, no wildcard")

	for _, blank := range []string{"", "   "} {
		page, err := st.ConversationsByUserEmail(ctx, blank, storage.PageRequest{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, page.Items)
	}
	// Blank fails closed even without a viewer: no query runs.
	page, err = st.ConversationsByUserEmail(t.Context(), "", storage.PageRequest{Limit: 10})
	require.NoError(t, err)
	require.Empty(t, page.Items)
}

func TestUpdateConversation(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	c, err := st.CreateConversation(ctx, storage.NewConversation{ID: "c", Platform: "web", Name: "n",
		Metadata: map[string]any{"a": 1.0}, Analytics: map[string]any{"x": "y"}})
	require.NoError(t, err)

	up, err := st.UpdateConversation(ctx, "c", storage.ConversationUpdate{Metadata: map[string]any{"b": 2.0}})
	require.NoError(t, err)
	require.Equal(t, "n", up.Name)
	require.Equal(t, map[string]any{"b": 2.0}, up.Metadata, "metadata replaced whole")
	require.Equal(t, map[string]any{"x": "y"}, up.Analytics)
	require.True(t, up.UpdatedAt.After(c.UpdatedAt) || up.UpdatedAt.Equal(c.UpdatedAt))

	for _, ctx := range []context.Context{ctx, member(t.Context(), "other")} {
		_, err = st.UpdateConversation(ctx, "missing", storage.ConversationUpdate{Name: ptr("x")})
		var nf *storage.NotFoundError
		require.ErrorAs(t, err, &nf)
		require.Equal(t, "conversation", nf.Entity)
	}
	_, err = st.UpdateConversation(member(t.Context(), "other"), "c", storage.ConversationUpdate{Name: ptr("hijack")})
	require.ErrorIs(t, err, storage.ErrNotFound)
	got, err := st.Conversation(ctx, "c")
	require.NoError(t, err)
	require.Equal(t, "n", got.Name)
}

func TestStoreDeniesWithoutViewer(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	_, err := st.CreateConversation(t.Context(), storage.NewConversation{Platform: "web"})
	require.ErrorIs(t, err, storage.ErrPermissionDenied)
	_, err = st.Conversation(t.Context(), "x")
	require.ErrorIs(t, err, storage.ErrPermissionDenied)
	_, err = st.CreateConversation(access.SystemContext(t.Context()), storage.NewConversation{Platform: "web"})
	require.ErrorIs(t, err, storage.ErrPermissionDenied, "the system viewer has no organization to write into")
}
