// Package rerank reorders search candidates for a query. Reranker is the
// seam; Noop keeps the order, Lexical scores term overlap, Gateway asks an
// HTTP reranking model.
package rerank

import (
	"context"
	"math"
	"sort"
	"strings"
	"unicode"
)

// Reranker returns a permutation of the indices of documents, best first.
// On error the caller keeps its own order (a Gateway also returns the input
// order with its error).
type Reranker interface {
	Rerank(ctx context.Context, query string, documents []string) ([]int, error)
}

// identity is the input order.
func identity(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

// Noop keeps the input order.
type Noop struct{}

var _ Reranker = Noop{}

// Rerank returns the input order.
func (Noop) Rerank(_ context.Context, _ string, documents []string) ([]int, error) {
	return identity(len(documents)), nil
}

// Lexical scores each document by the distinct query terms it contains:
// Σ c/(c+1.2) over those terms (c = the term's count in the document),
// divided by 1 + ln(1 + the document's token count). Ties keep input order.
type Lexical struct{}

var _ Reranker = Lexical{}

// lexicalK1 saturates repeated terms, as BM25's k1 does.
const lexicalK1 = 1.2

// Rerank orders documents by lexical score.
func (Lexical) Rerank(_ context.Context, query string, documents []string) ([]int, error) {
	terms := map[string]bool{}
	for _, t := range tokens(query) {
		terms[t] = true
	}
	scores := make([]float64, len(documents))
	for i, d := range documents {
		toks := tokens(d)
		counts := map[string]int{}
		for _, t := range toks {
			if terms[t] {
				counts[t]++
			}
		}
		var s float64
		for _, c := range counts {
			s += float64(c) / (float64(c) + lexicalK1)
		}
		scores[i] = s / (1 + math.Log(1+float64(len(toks))))
	}
	order := identity(len(documents))
	sort.SliceStable(order, func(a, b int) bool { return scores[order[a]] > scores[order[b]] })
	return order, nil
}

// tokens lowercases and splits on everything that is not a letter or digit.
func tokens(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
}
