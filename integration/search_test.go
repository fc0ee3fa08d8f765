package integration

import (
	"context"
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/rerank"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
	"github.com/agentstore/agentstore/vector"
)

func hitDocs(hits []vector.Hit) []string {
	out := make([]string, len(hits))
	for i, h := range hits {
		out[i] = h.DocumentID
	}
	return out
}

func seedKnowledge(t testing.TB, st *storage.Store) {
	t.Helper()
	ctx := access.NewContext(t.Context(), access.Viewer{OrganizationID: "acme", Role: access.RoleAdmin})
	for _, d := range []storage.DocumentInput{
		{ID: "refunds", Source: "refunds.md", Content: "Our refund policy: refunds are issued within five days of the return.", DocumentSets: []string{"help"}, Metadata: map[string]any{"lang": "en"}},
		{ID: "shipping", Source: "shipping.md", Content: "Shipping takes three days. Express shipping is available.", DocumentSets: []string{"help"}, Metadata: map[string]any{"lang": "en"}},
		{ID: "salaries", Source: "salaries.md", Content: "Salary bands and the refund of travel expenses for staff.", ACL: &access.ACL{Groups: []string{"hr"}}, Metadata: map[string]any{"lang": "en"}},
		{ID: "remboursement", Source: "fr.md", Content: "Politique de remboursement: refund sous cinq jours.", Metadata: map[string]any{"lang": "fr"}},
	} {
		_, err := st.Ingest(ctx, d)
		require.NoError(t, err)
	}
	_, err := st.Ingest(member(t.Context(), "globex"), storage.DocumentInput{ID: "globex-refunds", Source: "refunds.md", Content: "Globex refund policy: refunds take thirty days."})
	require.NoError(t, err)
}

func TestHybridSearch(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	seedKnowledge(t, st)
	ctx := member(t.Context(), "acme")

	hits, err := st.Search(ctx, storage.SearchRequest{Query: "what is the refund policy?", Limit: 5})
	require.NoError(t, err)
	require.NotEmpty(t, hits)
	require.Equal(t, "refunds", hits[0].DocumentID)
	require.Equal(t, "refunds.md", hits[0].Source)
	require.NotNil(t, hits[0].DenseRank)
	require.NotNil(t, hits[0].SparseRank)
	require.NotNil(t, hits[0].Distance)
	require.Equal(t, map[string]any{"lang": "en"}, hits[0].Metadata)
	require.NotContains(t, hitDocs(hits), "salaries", "hidden by its ACL")
	require.NotContains(t, hitDocs(hits), "globex-refunds", "another organization")
	for i := 1; i < len(hits); i++ {
		require.GreaterOrEqual(t, hits[i-1].Score, hits[i].Score)
	}

	hr := access.NewContext(t.Context(), access.Viewer{OrganizationID: "acme", UserID: "h", Groups: []string{"hr"}})
	hits, err = st.Search(hr, storage.SearchRequest{Query: "refund", Limit: 10})
	require.NoError(t, err)
	require.Contains(t, hitDocs(hits), "salaries")

	hits, err = st.Search(access.SystemContext(t.Context()), storage.SearchRequest{Query: "refund policy", Limit: 10})
	require.NoError(t, err)
	require.Contains(t, hitDocs(hits), "globex-refunds", "only the system viewer searches across organizations")

	// Filters are parameters: SQL-looking values match nothing and break nothing.
	for _, f := range []storage.SearchRequest{
		{Query: "refund", DocumentSets: []string{"help'); DROP TABLE chunks;--"}},
		{Query: "refund", Metadata: map[string]any{"lang": "en' OR '1'='1"}},
		{Query: "refund' OR 1=1; --", Metadata: map[string]any{"lang\" OR true": "en"}},
	} {
		hits, err := st.Search(ctx, f)
		require.NoError(t, err)
		for _, h := range hits {
			require.NotEqual(t, "salaries", h.DocumentID)
		}
		if f.Metadata != nil && f.Query == "refund" {
			require.Empty(t, hits)
		}
	}
	hits, err = st.Search(ctx, storage.SearchRequest{Query: "refund", DocumentSets: []string{"help"}, Metadata: map[string]any{"lang": "en"}})
	require.NoError(t, err)
	require.Equal(t, []string{"refunds"}, unique(hitDocs(hits)), "only the help set in English, and only what holds the word")

	// A query without words: no dense arm, no sparse terms, no hits, no error.
	hits, err = st.Search(ctx, storage.SearchRequest{Query: "?!"})
	require.NoError(t, err)
	require.Empty(t, hits)

	// tsquery syntax in the text is just text.
	_, err = st.Search(ctx, storage.SearchRequest{Query: "refund & (policy | !days) <-> 'x':*"})
	require.NoError(t, err)

	_, err = st.Search(t.Context(), storage.SearchRequest{Query: "refund"})
	require.ErrorIs(t, err, storage.ErrPermissionDenied)
}

type failingReranker struct{}

func (failingReranker) Rerank(context.Context, string, []string) ([]int, error) {
	return nil, errors.New("down")
}

func TestSearchRerankers(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	seedKnowledge(t, st)
	ctx := member(t.Context(), "acme")
	fused, err := st.Search(ctx, storage.SearchRequest{Query: "refund shipping", Limit: 3})
	require.NoError(t, err)
	failed, err := st.Search(ctx, storage.SearchRequest{Query: "refund shipping", Limit: 3, Reranker: failingReranker{}})
	require.NoError(t, err)
	require.Equal(t, hitDocs(fused), hitDocs(failed), "a failing reranker keeps the fused order")
	lex, err := st.Search(ctx, storage.SearchRequest{Query: "express shipping", Limit: 2, Reranker: rerank.Lexical{}})
	require.NoError(t, err)
	require.Equal(t, "shipping", lex[0].DocumentID)
}

func unique(xs []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, x := range xs {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
