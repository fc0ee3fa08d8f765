package embed

import (
	"testing"

	"github.com/stretchr/testify/require"
)

// nonZero returns the non-zero entries of v.
func nonZero(v []float32) map[int]float32 {
	out := map[int]float32{}
	for i, x := range v {
		if x != 0 {
			out[i] = x
		}
	}
	return out
}

func TestDeterministicGoldenVectors(t *testing.T) {
	t.Parallel()
	require.Equal(t, map[int]float32{0: -0.28867513, 3: -0.28867513, 13: -0.28867513, 15: -0.86602545},
		nonZero(NewDeterministic(16).Vector("return policy refund")))

	got := nonZero(NewDeterministic(1024).Vector("return policy refund"))
	want := map[int]float32{29: -0.353553, 160: -0.353553, 351: -0.353553, 387: -0.353553, 831: -0.707107}
	require.Len(t, got, len(want))
	for i, w := range want {
		require.InDelta(t, w, got[i], 1e-6, "v[%d]", i)
	}

	got = nonZero(NewDeterministic(1024).Vector("hello world"))
	require.Len(t, got, 4)
	for _, i := range []int{70, 267, 755, 862} {
		require.InDelta(t, -0.5, got[i], 1e-7, "v[%d]", i)
	}
}

func TestDeterministicTokenization(t *testing.T) {
	t.Parallel()
	d := NewDeterministic(64)
	require.Equal(t, d.Vector("hello world"), d.Vector("  HELLO,\tworld!!"), "case and separators do not matter")
	require.Equal(t, d.Vector("äpfel ωmega"), d.Vector("ÄPFEL ΩMEGA"), "full-Unicode lowercasing")
	require.NotEqual(t, d.Vector("straße"), d.Vector("strasse"), "no folding beyond lowercase")

	cjk := d.Vector("日本語")
	require.NotEmpty(t, nonZero(cjk), "letters of any script are tokens")
	var norm float32
	for _, x := range cjk {
		norm += x * x
	}
	require.InDelta(t, 1, norm, 1e-6)

	for _, empty := range []string{"", "   ", "!!! --- ???"} {
		require.Empty(t, nonZero(d.Vector(empty)), "%q has no tokens: zero vector", empty)
	}
}

func TestDeterministicEmbedBatch(t *testing.T) {
	t.Parallel()
	d := NewDeterministic(32)
	out, err := d.Embed(t.Context(), []string{"a b", "", "c"})
	require.NoError(t, err)
	require.Len(t, out, 3)
	require.Equal(t, d.Vector("a b"), out[0])
	require.Len(t, out[1], 32)
	require.Equal(t, 32, d.Dimensions())
}
