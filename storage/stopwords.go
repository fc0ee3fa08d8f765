package storage

import (
	"strings"
	"unicode"

	"github.com/agentstore/agentstore/embed"
)

// stopwords are English function words. The deterministic embedder hashes
// every token alike, so they outweigh the words that carry meaning; the
// dense arm embeds questions and chunks without them.
var stopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself just me
more most my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your
yours yourself yourselves also may might must shall there's what's give given describe`) {
		stopwords[w] = true
	}
}

// denseText is the text the dense arm embeds for q (a question or a
// chunk). A semantic embedder reads q whole; the deterministic one, which
// hashes words, reads q without its stopwords.
func (c *config) denseText(q string) string {
	if _, lexical := c.embedder.(embed.Deterministic); !lexical {
		return q
	}
	return withoutStopwords(q)
}

// withoutStopwords is q's words less the stopwords, or q when nothing else
// is left.
func withoutStopwords(q string) string {
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	kept := words[:0:0]
	for _, w := range words {
		if !stopwords[strings.ToLower(w)] {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return q
	}
	return strings.Join(kept, " ")
}
