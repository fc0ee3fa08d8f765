package storage

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDenseQuery(t *testing.T) {
	t.Parallel()
	require.Equal(t, "refund policy", withoutStopwords("What is the refund policy?"))
	require.Equal(t, "Refund Policy", withoutStopwords("Refund Policy"))
	require.Equal(t, "what is it", withoutStopwords("what is it"), "all stopwords: keep the text")
	require.Equal(t, "", withoutStopwords(""))
}
