package storage

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestDenseQuery(t *testing.T) {
	t.Parallel()
	require.Equal(t, "refund policy", denseQuery("What is the refund policy?"))
	require.Equal(t, "Refund Policy", denseQuery("Refund Policy"))
	require.Equal(t, "what is it", denseQuery("what is it"), "all stopwords: keep the text")
	require.Equal(t, "", denseQuery(""))
}
