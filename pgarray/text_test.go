package pgarray

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestTextRoundTrip(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		in   Text
		want Text
	}{
		{name: "Nil", in: nil, want: Text{}},
		{name: "Empty", in: Text{}, want: Text{}},
		{name: "Plain", in: Text{"a", "b"}, want: Text{"a", "b"}},
		{name: "Quoting", in: Text{`x,y`, `"q"`, `back\slash`, `{}`, "NULL", " ", ""}, want: Text{`x,y`, `"q"`, `back\slash`, `{}`, "NULL", " ", ""}},
		{name: "Unicode", in: Text{"grüße", "日本"}, want: Text{"grüße", "日本"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			v, err := tc.in.Value()
			require.NoError(t, err)
			var got Text
			require.NoError(t, got.Scan(v))
			require.Equal(t, tc.want, got)
		})
	}
}

func TestTextScanNull(t *testing.T) {
	t.Parallel()
	got := Text{"stale"}
	require.NoError(t, got.Scan(nil))
	require.Nil(t, got)
}

func TestTextScanBytes(t *testing.T) {
	t.Parallel()
	var got Text
	require.NoError(t, got.Scan([]byte(`{a,"b c"}`)))
	require.Equal(t, Text{"a", "b c"}, got)
}

func TestTextScanRejectsNullElement(t *testing.T) {
	t.Parallel()
	var got Text
	require.Error(t, got.Scan(`{a,NULL}`))
}

func TestTextScanRejectsGarbage(t *testing.T) {
	t.Parallel()
	var got Text
	require.Error(t, got.Scan("not an array"))
}
