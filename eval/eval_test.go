package eval_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/eval"
	"github.com/agentstore/agentstore/storage/storagetest"
)

func TestLoad(t *testing.T) {
	t.Parallel()
	c, err := eval.Load("testdata/tiny")
	require.NoError(t, err)
	require.Len(t, c.Documents, 3)
	require.Equal(t, eval.Document{Title: "Refund policy", Text: "Refunds are issued within five days of a return."}, c.Documents["1"],
		"title and text only")
	require.Equal(t, "express shipping", c.Queries["2"])
	require.Equal(t, map[string]bool{"2": true}, c.Relevant["2"])
	_, err = eval.Load("testdata")
	require.Error(t, err, "a folder without the three files")
}

func TestMetrics(t *testing.T) {
	t.Parallel()
	rel := map[string]bool{"a": true, "b": true}
	require.InDelta(t, 1.0, eval.NDCG([]string{"a", "b", "x"}, rel), 1e-12)
	require.InDelta(t, (1/1.584962500721156)/(1+1/1.584962500721156), eval.NDCG([]string{"x", "a"}, rel), 1e-12)
	require.Zero(t, eval.NDCG([]string{"x"}, rel))
	require.Equal(t, 0.5, eval.Recall([]string{"x", "b"}, rel))
	require.Equal(t, 0.5, eval.MRR([]string{"x", "b"}, rel))
	require.Zero(t, eval.MRR(nil, rel))
	// Only the first Cutoff ranks count.
	long := []string{"1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "a"}
	require.Zero(t, eval.Recall(long, rel))
}

func TestRunTinyCollection(t *testing.T) {
	t.Parallel()
	c, err := eval.Load("testdata/tiny")
	require.NoError(t, err)
	var out bytes.Buffer
	store := storagetest.Store(t)
	scores, err := eval.Run(t.Context(), store, c, &out)
	require.NoError(t, err)
	left, err := store.Client().Chunk.Query().Count(access.SystemContext(t.Context()))
	require.NoError(t, err)
	require.Zero(t, left, "the run's organization is removed afterwards")
	require.Len(t, scores, 3)
	for _, s := range scores {
		require.Equal(t, 2, s.Queries, "unjudged queries are not run")
	}
	require.Equal(t, 1.0, scores[1].MRR, "sparse finds both answers first")
	require.Equal(t, 1.0, scores[2].MRR, "so does the fusion")
	require.Contains(t, out.String(), "| hybrid  |")
}
