// Package embed turns text into vectors. Embedder is the seam; Deterministic
// is the default, network-free implementation, bit-compatible with the Rust
// smooth-operator one.
package embed

import (
	"context"
	"hash/fnv"
	"math"
	"strings"
	"unicode"
)

// Embedder turns texts into vectors of Dimensions() floats, one per text, in
// order.
type Embedder interface {
	Dimensions() int
	Embed(ctx context.Context, texts []string) ([][]float32, error)
}

// Deterministic is a feature-hashing embedder: no model, no network, the
// same vector for the same text everywhere. Lowercase (full Unicode), split
// on every rune that is neither a letter nor a number, hash each token with
// FNV-1a 64, add ±1 to two buckets chosen by the hash, L2-normalise in
// float32. Text without tokens embeds to the zero vector.
type Deterministic struct {
	// N is the vector width.
	N int
}

var _ Embedder = Deterministic{}

// IsLexical reports whether e hashes words (the deterministic embedder):
// its vectors are bags of words, which a store embeds as the full-text
// index reads text and searches by the query's lexemes.
func IsLexical(e Embedder) bool {
	_, ok := e.(Deterministic)
	return ok
}

// NewDeterministic returns a Deterministic embedder of width n.
func NewDeterministic(n int) Deterministic { return Deterministic{N: n} }

// Dimensions returns N.
func (d Deterministic) Dimensions() int { return d.N }

// Embed embeds each text; it never fails.
func (d Deterministic) Embed(_ context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, len(texts))
	for i, t := range texts {
		out[i] = d.Vector(t)
	}
	return out, nil
}

// Vector embeds one text.
func (d Deterministic) Vector(text string) []float32 {
	v := make([]float32, d.N)
	n := uint64(d.N)
	tokens := strings.FieldsFunc(strings.ToLower(text), func(r rune) bool {
		return !unicode.IsLetter(r) && !unicode.IsNumber(r)
	})
	for _, tok := range tokens {
		h := fnv.New64a()
		_, _ = h.Write([]byte(tok))
		sum := h.Sum64()
		a, b := sum%n, (sum>>32)%n
		v[a] += sign(sum & 1)
		v[b] += sign(sum & 2)
	}
	var norm float32
	for _, x := range v {
		norm += x * x
	}
	if norm == 0 {
		return v
	}
	norm = float32(math.Sqrt(float64(norm)))
	for i := range v {
		v[i] /= norm
	}
	return v
}

func sign(bit uint64) float32 {
	if bit == 0 {
		return 1
	}
	return -1
}
