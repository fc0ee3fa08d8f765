package storage

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/embed"
)

func TestDenseText(t *testing.T) {
	t.Parallel()
	q := "What is the refund policy?"
	lexical := config{embedder: embed.NewDeterministic(16)}
	require.Equal(t, "refund policy", lexical.denseText(q), "the hashing embedder reads words, not stopwords")
	semantic := config{embedder: &embed.Gateway{}}
	require.Equal(t, q, semantic.denseText(q), "a semantic embedder reads the text whole")
}

func TestWithoutStopwords(t *testing.T) {
	t.Parallel()
	require.Equal(t, "refund policy", withoutStopwords("What is the refund policy?"))
	require.Equal(t, "Refund Policy", withoutStopwords("Refund Policy"))
	require.Equal(t, "what is it", withoutStopwords("what is it"), "all stopwords: keep the text")
	require.Equal(t, "", withoutStopwords(""))
}
