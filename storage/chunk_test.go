package storage

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

func TestSplitText(t *testing.T) {
	t.Parallel()
	require.Empty(t, SplitText("", 10, 2))
	require.Empty(t, SplitText("   \n\t ", 10, 2))
	require.Equal(t, []string{"short"}, SplitText("  short ", 10, 2))
	require.Nil(t, SplitText("x", 10, 10), "overlap must be smaller than size")

	var words []string
	for i := range 400 {
		words = append(words, fmt.Sprintf("w%d", i))
	}
	chunks := SplitText(strings.Join(words, " "), 50, 12)
	seen := map[string]bool{}
	for i, c := range chunks {
		require.LessOrEqual(t, utf8.RuneCountInString(c), 50, "chunk %d", i)
		fields := strings.Fields(c)
		for _, w := range fields {
			require.Regexp(t, `^w\d+$`, w, "chunk %d splits a word: %q", i, c)
			seen[w] = true
		}
		if i > 0 {
			require.Contains(t, chunks[i-1], " "+fields[0]+" ", "chunk %d starts inside the previous one's overlap", i)
		}
	}
	require.Len(t, seen, len(words), "no word is lost")

	// Multi-byte text is cut on rune boundaries.
	for _, c := range SplitText(strings.Repeat("日本語のテキスト", 200), 100, 16) {
		require.True(t, utf8.ValidString(c))
		require.LessOrEqual(t, utf8.RuneCountInString(c), 100)
	}
}
