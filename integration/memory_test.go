package integration

import (
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/ent/memory"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

func contents(rs []storage.Recalled) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.Content
	}
	return out
}

// TestMemoryUpstreamBehaviours are the smooth-operator memory tests.
func TestMemoryUpstreamBehaviours(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctxA, ctxB := member(t.Context(), "org-a"), member(t.Context(), "org-b")
	a1, err := st.Memories(ctxA, "user-1")
	require.NoError(t, err)

	got, err := a1.Recall(ctxA, "anything at all", 5, -1)
	require.NoError(t, err)
	require.Empty(t, got, "empty recall")

	for _, in := range []storage.NewMemory{
		{Content: "the user loves pizza with extra cheese", MemoryType: "User", Metadata: map[string]any{"topic": "food", "score": 3.0}},
		{Content: "the user works night shifts as a nurse", MemoryType: "User"},
		{Content: "the user has a dog called Rex", MemoryType: "Entity"},
	} {
		_, err := a1.Store(ctxA, in)
		require.NoError(t, err)
	}
	b9, err := st.Memories(ctxB, "user-9")
	require.NoError(t, err)
	_, err = b9.Store(ctxB, storage.NewMemory{Content: "the user loves pizza too", MemoryType: "User"})
	require.NoError(t, err)

	got, err = a1.Recall(ctxA, "which pizza does the user want", 3, -1)
	require.NoError(t, err)
	require.Len(t, got, 3)
	require.Equal(t, "the user loves pizza with extra cheese", got[0].Content, "food query ranks pizza first")
	require.Equal(t, map[string]any{"topic": "food", "score": 3.0}, got[0].Metadata)
	require.InDelta(t, 1-got[0].Distance, got[0].Similarity, 1e-12)
	require.GreaterOrEqual(t, got[0].Similarity, got[1].Similarity)

	gotB, err := b9.Recall(ctxB, "pizza", 10, -1)
	require.NoError(t, err)
	require.Equal(t, []string{"the user loves pizza too"}, contents(gotB), "B sees exactly its one")

	orgWide, err := st.Memories(ctxA, "")
	require.NoError(t, err)
	gotOrg, err := orgWide.Recall(ctxA, "pizza", 10, -1)
	require.NoError(t, err)
	require.Empty(t, gotOrg, "the org-wide handle sees no per-user memories")

	gone, err := a1.Forget(ctxA, got[0].ID)
	require.NoError(t, err)
	require.True(t, gone)
	gotB, err = b9.Recall(ctxB, "pizza", 10, -1)
	require.NoError(t, err)
	require.Len(t, gotB, 1, "forget in A leaves B's")
}

func TestMemoryNamespaceGuards(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "org-a")
	u1, err := st.Memories(ctx, "u1")
	require.NoError(t, err)
	u2, err := st.Memories(ctx, "u2")
	require.NoError(t, err)

	m, err := u1.Store(ctx, storage.NewMemory{ID: "m1", Content: "prefers email over phone", MemoryType: "User"})
	require.NoError(t, err)
	again, err := u1.Store(ctx, storage.NewMemory{Content: "prefers email over phone", MemoryType: "User"})
	require.NoError(t, err)
	require.Equal(t, m.ID, again.ID, "exact duplicate content is stored once")

	_, err = u2.Store(ctx, storage.NewMemory{ID: "m1", Content: "hijack", MemoryType: "User"})
	require.ErrorIs(t, err, storage.ErrConflict, "an id of another namespace is not taken over")
	_, err = st.Memories(member(t.Context(), "org-b"), "u1")
	require.NoError(t, err)
	b, _ := st.Memories(member(t.Context(), "org-b"), "u1")
	_, err = b.Store(member(t.Context(), "org-b"), storage.NewMemory{ID: "m1", Content: "other org", MemoryType: "User"})
	require.ErrorIs(t, err, storage.ErrConflict)

	up, err := u1.Store(ctx, storage.NewMemory{ID: "m1", Content: "prefers chat over email", MemoryType: "Feedback"})
	require.NoError(t, err)
	require.Equal(t, "prefers chat over email", up.Content, "upsert by id within the namespace")
	got, err := u1.Recall(ctx, "chat", 5, -1)
	require.NoError(t, err)
	require.Equal(t, []string{"prefers chat over email"}, contents(got))

	gone, err := u2.Forget(ctx, "m1")
	require.NoError(t, err)
	require.False(t, gone, "forget is namespace-scoped")
	gone, err = u1.Forget(ctx, "nope")
	require.NoError(t, err)
	require.False(t, gone)

	_, err = u1.Store(ctx, storage.NewMemory{Content: "!!!", MemoryType: "User"})
	require.ErrorIs(t, err, storage.ErrInvalidInput, "no words, no direction to store")
	_, err = u1.Store(ctx, storage.NewMemory{Content: "x", MemoryType: "Fact"})
	require.ErrorIs(t, err, storage.ErrInvalidInput)
	got, err = u1.Recall(ctx, "???", 5, -1)
	require.NoError(t, err)
	require.Empty(t, got, "a query without words recalls nothing")
}

func TestMemoryConcurrentDuplicatesMakeOneRow(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "org-a")
	h, err := st.Memories(ctx, "u")
	require.NoError(t, err)
	var wg sync.WaitGroup
	ids := make([]string, 16)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			m, err := h.Store(ctx, storage.NewMemory{Content: "same fact", MemoryType: "LongTerm"})
			if err == nil {
				ids[i] = m.ID
			}
		}()
	}
	wg.Wait()
	for _, id := range ids {
		require.Equal(t, ids[0], id)
	}
	n, err := st.Client().Memory.Query().Count(ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
}

func TestMemoryExpiryMinimumSimilarityAndSweep(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "org-a")
	h, err := st.Memories(ctx, "u")
	require.NoError(t, err)
	past := time.Now().Add(-time.Hour)
	future := time.Now().Add(time.Hour)
	for _, in := range []storage.NewMemory{
		{Content: "order 1042 was refunded", MemoryType: "ShortTerm", ExpiresAt: &past},
		{Content: "order 1042 shipped late", MemoryType: "ShortTerm", ExpiresAt: &future},
		{Content: "likes green tea", MemoryType: "User"},
	} {
		_, err := h.Store(ctx, in)
		require.NoError(t, err)
	}
	before := time.Now()
	got, err := h.Recall(ctx, "order 1042", 10, -1)
	require.NoError(t, err)
	require.NotContains(t, contents(got), "order 1042 was refunded", "expired memories are never recalled")
	require.Len(t, got, 2)

	_, err = st.Pool().Exec(t.Context(), `UPDATE memories SET last_accessed = now() - interval '1 day'`)
	require.NoError(t, err)
	got, err = h.Recall(ctx, "order 1042", 10, 0.3)
	require.NoError(t, err)
	require.Equal(t, []string{"order 1042 shipped late"}, contents(got), "minimum similarity drops the unrelated one")
	m, err := st.Client().Memory.Get(ctx, got[0].ID)
	require.NoError(t, err)
	require.False(t, m.LastAccessed.Before(before.Add(-time.Second)), "last_accessed updated")
	tea, err := st.Client().Memory.Query().Where(memory.Content("likes green tea")).Only(ctx)
	require.NoError(t, err)
	require.True(t, tea.LastAccessed.Before(before.Add(-time.Hour)), "a memory not returned is not stamped")

	// Another org's expired memory is swept too; the sweeper runs as system.
	other, err := st.Memories(member(t.Context(), "org-b"), "")
	require.NoError(t, err)
	for i := range 5 {
		_, err := other.Store(member(t.Context(), "org-b"), storage.NewMemory{
			Content: "stale note " + string(rune('a'+i)), MemoryType: "ShortTerm", ExpiresAt: &past})
		require.NoError(t, err)
	}
	_, err = st.SweepExpiredMemories(ctx, 2)
	require.ErrorIs(t, err, storage.ErrPermissionDenied, "members cannot sweep other organizations")
	n, err := st.SweepExpiredMemories(access.SystemContext(t.Context()), 2)
	require.NoError(t, err)
	require.Equal(t, 6, n)
	left, err := st.Client().Memory.Query().Count(access.SystemContext(t.Context()))
	require.NoError(t, err)
	require.Equal(t, 2, left)
}
