package storage

import (
	"strings"
	"unicode"
)

// queryStopwords are English function words. The deterministic embedder
// hashes every token alike, so in a question they outweigh the words that
// carry its meaning; the dense arm embeds the question without them.
var queryStopwords = map[string]bool{}

func init() {
	for _, w := range strings.Fields(`a about above after again against all am an and any are as at be because been
before being below between both but by can could did do does doing down during each few for from further
had has have having he her here hers herself him himself his how i if in into is it its itself just me
more most my myself no nor not now of off on once only or other our ours ourselves out over own same she
should so some such than that the their theirs them themselves then there these they this those through
to too under until up very was we were what when where which while who whom why will with would you your
yours yourself yourselves also may might must shall there's what's give given describe`) {
		queryStopwords[w] = true
	}
}

// denseQuery is the query text the dense arm embeds: its words less the
// stopwords, or the whole text when nothing else is left.
func denseQuery(q string) string {
	words := strings.FieldsFunc(q, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsNumber(r) })
	kept := words[:0:0]
	for _, w := range words {
		if !queryStopwords[strings.ToLower(w)] {
			kept = append(kept, w)
		}
	}
	if len(kept) == 0 {
		return q
	}
	return strings.Join(kept, " ")
}
