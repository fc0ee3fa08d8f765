package integration

import (
	"context"
	"math"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/embed"
	"github.com/agentstore/agentstore/ent/schema"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// brokenEmbedder answers like the deterministic embedder, then spoils the
// answer with spoil.
type brokenEmbedder struct {
	embed.Deterministic
	spoil func([][]float32) [][]float32
}

func (b brokenEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	vecs, err := b.Deterministic.Embed(ctx, texts)
	if err != nil {
		return nil, err
	}
	return b.spoil(vecs), nil
}

// TestBadEmbeddingsAreRefused: an embedder that answers NaN, Inf, too few
// vectors or vectors of the wrong width gets a typed error on every path
// that embeds, and nothing is written.
func TestBadEmbeddingsAreRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		spoil func([][]float32) [][]float32
		want  error
	}{
		{"NaN", func(v [][]float32) [][]float32 { v[0][3] = float32(math.NaN()); return v }, storage.ErrBadEmbedding},
		{"Inf", func(v [][]float32) [][]float32 { v[0][0] = float32(math.Inf(-1)); return v }, storage.ErrBadEmbedding},
		{"TooFew", func(v [][]float32) [][]float32 { return v[:0] }, storage.ErrBadEmbedding},
		{"Narrow", func(v [][]float32) [][]float32 { v[0] = v[0][:10]; return v }, storage.ErrDimensionMismatch},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			st := storagetest.Store(t, storage.WithEmbedder(brokenEmbedder{embed.NewDeterministic(schema.EmbeddingDimensions), tc.spoil}))
			ctx := member(t.Context(), "acme")
			_, err := st.Ingest(ctx, storage.DocumentInput{Source: "a.md", Content: "refund policy"})
			require.ErrorIs(t, err, tc.want, "ingest")
			_, err = st.IngestMany(ctx, []storage.DocumentInput{{Source: "b.md", Content: "shipping"}})
			require.ErrorIs(t, err, tc.want, "bulk ingest")
			mem, err := st.Memories(ctx, "u")
			require.NoError(t, err)
			_, err = mem.Store(ctx, storage.NewMemory{Content: "likes tea", MemoryType: "User"})
			require.ErrorIs(t, err, tc.want, "memory store")
			_, err = mem.Recall(ctx, "tea", 3, -1)
			require.ErrorIs(t, err, tc.want, "memory recall")
			_, err = st.Search(ctx, storage.SearchRequest{Query: "refund"})
			require.ErrorIs(t, err, tc.want, "search")

			sys := access.SystemContext(t.Context())
			docs, err := st.Client().Document.Query().Count(sys)
			require.NoError(t, err)
			memories, err := st.Client().Memory.Query().Count(sys)
			require.NoError(t, err)
			require.Zero(t, docs+memories, "nothing was written")
		})
	}
}

// TestZeroVectorsDoNotPoisonSearch: text with no words embeds to the zero
// vector, which has no cosine direction: such a chunk is found by nothing in
// the dense arm, and such a query searches with the sparse arm alone.
func TestZeroVectorsDoNotPoisonSearch(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	for _, d := range []storage.DocumentInput{
		{ID: "words", Source: "words.md", Content: "refund policy for damaged orders"},
		{ID: "symbols", Source: "symbols.md", Content: "!!! ??? ---"},
	} {
		_, err := st.Ingest(ctx, d)
		require.NoError(t, err)
	}
	hits, err := st.Search(ctx, storage.SearchRequest{Query: "refund", Limit: 10})
	require.NoError(t, err)
	for _, h := range hits {
		if h.DocumentID == "symbols" {
			require.Nil(t, h.DenseRank, "a zero-vector chunk has no dense rank")
		}
		if h.Distance != nil {
			require.False(t, math.IsNaN(*h.Distance), "no NaN distances")
		}
	}
	hits, err = st.Search(ctx, storage.SearchRequest{Query: "?!", Limit: 10})
	require.NoError(t, err)
	for _, h := range hits {
		require.Nil(t, h.DenseRank, "a query without words skips the dense arm")
	}
	mem, err := st.Memories(ctx, "u")
	require.NoError(t, err)
	_, err = mem.Store(ctx, storage.NewMemory{Content: "???", MemoryType: "User"})
	require.ErrorIs(t, err, storage.ErrInvalidInput, "a memory without words cannot be recalled by anything")
}

// TestEmptyAndHugeText: an empty or whitespace-only query finds nothing
// (there is nothing to match) without an error; a 10 MB message is refused
// by name and not written.
func TestEmptyAndHugeText(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	_, err := st.Ingest(ctx, storage.DocumentInput{Source: "a.md", Content: "refund policy"})
	require.NoError(t, err)
	for _, q := range []string{"", "   \t\n "} {
		hits, err := st.Search(ctx, storage.SearchRequest{Query: q})
		require.NoError(t, err, "%q", q)
		require.Empty(t, hits, "%q", q)
	}

	conv, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web"})
	require.NoError(t, err)
	_, err = st.AppendMessage(ctx, storage.NewMessage{ConversationID: conv.ID, Direction: "inbound",
		Content: chat.FromText(strings.Repeat("x", 10<<20))})
	var ie *storage.InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "content item 0 text", ie.Field)
	n, err := st.Client().Message.Query().Count(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}
