package integration

import (
	"fmt"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// TestConcurrentAppendsToOneConversation: 32 writers append to one
// conversation at once; every message gets its own seq, and paging either
// way afterwards returns each exactly once, in order.
func TestConcurrentAppendsToOneConversation(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t, storage.WithPoolSize(32))
	ctx := member(t.Context(), "acme")
	conv, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web"})
	require.NoError(t, err)
	const writers, each = 32, 10
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		seqs  []int64
		start = make(chan struct{})
	)
	for w := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range each {
				m, err := st.AppendMessage(ctx, storage.NewMessage{ConversationID: conv.ID, Direction: "inbound",
					Content: chat.FromText(string(rune('a'+w%26)) + string(rune('a'+i)))})
				if !assertNoError(t, err) {
					return
				}
				mu.Lock()
				seqs = append(seqs, m.Seq)
				mu.Unlock()
			}
		}()
	}
	close(start)
	wg.Wait()
	require.Len(t, seqs, writers*each)
	slices.Sort(seqs)
	require.Len(t, slices.Compact(slices.Clone(seqs)), writers*each, "every append got its own seq")

	asc := pageAll(t, st, ctx, conv.ID, 7, false)
	require.Equal(t, seqs, asc, "paging forward returns every message once, in seq order")
	desc := pageAll(t, st, ctx, conv.ID, 9, true)
	require.Equal(t, reversed(seqs), desc, "and so does paging backward")
}

// TestConcurrentRecallsDoNotDeadlock: recalls stamp last_accessed on the rows
// they return; many at once over the same memories must all succeed (the
// soak found a deadlock here).
func TestConcurrentRecallsDoNotDeadlock(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t, storage.WithPoolSize(16))
	ctx := member(t.Context(), "acme")
	mem, err := st.Memories(ctx, "u")
	require.NoError(t, err)
	for i := range 30 {
		_, err := mem.Store(ctx, storage.NewMemory{Content: fmt.Sprintf("note w%d v%d u%d", i%7, i%5, i), MemoryType: "User"})
		require.NoError(t, err)
	}
	var wg sync.WaitGroup
	for g := range 16 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				// Different queries rank overlapping sets in different orders.
				got, err := mem.Recall(ctx, fmt.Sprintf("w%d v%d", (g+i)%7, (g*3+i)%5), 20, -1)
				if !assertNoError(t, err) {
					return
				}
				if len(got) != 20 {
					t.Errorf("recalled %d memories, want 20", len(got))
					return
				}
			}
		}()
	}
	wg.Wait()
}
