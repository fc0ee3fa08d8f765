package storage

import (
	"strings"
	"unicode"
)

// Chunking defaults: windows of DefaultChunkSize runes, each starting
// DefaultChunkSize − DefaultChunkOverlap runes after the previous one.
const (
	DefaultChunkSize    = 500
	DefaultChunkOverlap = 64
)

// SplitText cuts text into windows of at most size runes that overlap by
// overlap runes. A window that would end inside a word is pulled back to
// the last space in its final fifth, and the next window starts at a word
// within the overlap when it can, so words are rarely split. Windows
// that are only whitespace are dropped; empty text has no chunks.
func SplitText(text string, size, overlap int) []string {
	if size < 1 || overlap < 0 || overlap >= size {
		return nil
	}
	runes := []rune(text)
	var out []string
	for start := 0; start < len(runes); {
		end := min(start+size, len(runes))
		if end < len(runes) {
			for cut := end; cut > end-size/5 && cut > start+overlap+1; cut-- {
				if unicode.IsSpace(runes[cut]) {
					end = cut
					break
				}
			}
		}
		if piece := strings.TrimSpace(string(runes[start:end])); piece != "" {
			out = append(out, piece)
		}
		if end == len(runes) {
			break
		}
		// The next window starts overlap runes back, moved forward to a
		// word start when one is within the overlap.
		next := end - overlap
		for i := next; i < end; i++ {
			if i > 0 && unicode.IsSpace(runes[i-1]) && !unicode.IsSpace(runes[i]) {
				next = i
				break
			}
		}
		start = next
	}
	return out
}
