package storage

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

// FuzzCursor: any token either decodes for exactly the listing it was made
// for or is refused with a *CursorError; it never panics.
func FuzzCursor(f *testing.F) {
	f.Add(cursor{Kind: "messages", Scope: "conv-1", Seq: 42}.encode(), "messages", "conv-1", false)
	f.Add(cursor{Kind: "conversations", Scope: "acme", Desc: true, Time: time.Unix(1, 0).UTC(), ID: "c"}.encode(), "conversations", "acme", true)
	f.Add("", "messages", "conv-1", false)
	f.Add("not base64 !", "messages", "x", true)
	f.Add("eyJrIjoibWVzc2FnZXMifQ", "messages", "", false) // {"k":"messages"}
	f.Fuzz(func(t *testing.T, token, kind, scope string, desc bool) {
		c, err := decodeCursor(token, kind, scope, desc)
		if err != nil {
			var ce *CursorError
			if !errors.As(err, &ce) || !errors.Is(err, ErrInvalidCursor) {
				t.Fatalf("error %v is not a *CursorError", err)
			}
			return
		}
		if c.Kind != kind || c.Scope != scope || c.Desc != desc {
			t.Fatalf("cursor %+v accepted for listing (%q, %q, %t)", c, kind, scope, desc)
		}
		again, err := decodeCursor(c.encode(), kind, scope, desc)
		if err != nil || again != c {
			t.Fatalf("re-encoded cursor %+v decodes to %+v, %v", c, again, err)
		}
		if _, err := decodeCursor(c.encode(), kind+"x", scope, desc); err == nil {
			t.Fatal("a cursor is accepted by another listing")
		}
	})
}

// FuzzSplitText: chunks are non-empty, trimmed, at most size runes, whole
// runes of the text, and together start and end where the text does.
func FuzzSplitText(f *testing.F) {
	f.Add("hello world", 8, 2)
	f.Add(strings.Repeat("word ", 300), DefaultChunkSize, DefaultChunkOverlap)
	f.Add("naïve café — 東京 tower\n\n\tend", 7, 3)
	f.Add("   \n\t  ", 5, 1)
	f.Add(strings.Repeat("x", 40), 10, 9)
	f.Fuzz(func(t *testing.T, text string, size, overlap int) {
		// Keep each run fast: the checks below are quadratic.
		size, overlap = size%2000, overlap%2000
		if len(text) > 4096 {
			text = text[:4096]
		}
		chunks := SplitText(text, size, overlap)
		if size < 1 || overlap < 0 || overlap >= size {
			if chunks != nil {
				t.Fatalf("invalid sizes (%d, %d) produced chunks", size, overlap)
			}
			return
		}
		trimmed := strings.TrimSpace(text)
		if (len(chunks) == 0) != (strings.TrimSpace(string([]rune(text))) == "") {
			t.Fatalf("%d chunks for text %q", len(chunks), text)
		}
		for _, c := range chunks {
			if c == "" || c != strings.TrimSpace(c) {
				t.Fatalf("chunk %q is empty or untrimmed", c)
			}
			if n := utf8.RuneCountInString(c); n > size {
				t.Fatalf("chunk of %d runes exceeds %d", n, size)
			}
			if utf8.ValidString(text) && !strings.Contains(text, c) {
				t.Fatalf("chunk %q is not part of the text", c)
			}
		}
		if len(chunks) > 0 && utf8.ValidString(text) {
			if !strings.HasPrefix(trimmed, chunks[0]) || !strings.HasSuffix(trimmed, chunks[len(chunks)-1]) {
				t.Fatalf("chunks do not start and end with the text: %q … %q", chunks[0], chunks[len(chunks)-1])
			}
		}
	})
}
