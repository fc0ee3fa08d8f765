package vector

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jackc/pgx/v5/pgtype"
	"github.com/pgvector/pgvector-go"
)

// Reading is a text as the full-text index reads it under a text search
// configuration.
type Reading struct {
	// TSVector is stored with a chunk: computed once, here.
	TSVector pgtype.TSVector
	// Lexemes (stemmed, stopwords dropped) in word order, joined by spaces:
	// what a lexical (word-hashing) embedder embeds, so the dense arm sees
	// the words the sparse arm sees.
	Lexemes string
	// Words is the text's length in lexeme occurrences (BM25's length).
	Words int
}

const readTexts = `SELECT to_tsvector($1::regconfig, t.text) FROM unnest($2::text[]) WITH ORDINALITY AS t(text, i) ORDER BY t.i`

// Read returns each of texts as the full-text index reads it under config.
func Read(ctx context.Context, q Querier, config string, texts []string) ([]Reading, error) {
	rows, err := q.Query(ctx, readTexts, config, texts)
	if err != nil {
		return nil, fmt.Errorf("vector: read texts: %w", err)
	}
	defer rows.Close()
	out := make([]Reading, 0, len(texts))
	for rows.Next() {
		var r Reading
		if err := rows.Scan(&r.TSVector); err != nil {
			return nil, fmt.Errorf("vector: read texts: %w", err)
		}
		r.Lexemes, r.Words = inWordOrder(r.TSVector)
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("vector: read texts: %w", err)
	}
	return out, nil
}

// inWordOrder lists v's lexemes by position, one per occurrence.
func inWordOrder(v pgtype.TSVector) (string, int) {
	type at struct {
		pos    uint16
		lexeme string
	}
	var all []at
	for _, l := range v.Lexemes {
		for _, p := range l.Positions {
			all = append(all, at{p.Position, l.Word})
		}
	}
	slices.SortFunc(all, func(a, b at) int {
		if a.pos != b.pos {
			return int(a.pos) - int(b.pos)
		}
		return strings.Compare(a.lexeme, b.lexeme)
	})
	words := make([]string, len(all))
	for i, a := range all {
		words[i] = a.lexeme
	}
	return strings.Join(words, " "), len(all)
}

// Lexeme is one word of a lexical query with its own vector.
type Lexeme struct {
	Text   string
	Vector []float32
}

// QueryLexemes reads text under config and embeds each of its lexemes
// alone: a lexical query (SearchParams.Lexemes). A lexeme whose vector is
// zero (nothing the embedder hashes) has no direction and is left out.
func QueryLexemes(ctx context.Context, q Querier, config, text string,
	embed func(context.Context, []string) ([][]float32, error),
) ([]Lexeme, error) {
	read, err := Read(ctx, q, config, []string{text})
	if err != nil {
		return nil, err
	}
	words := make([]string, len(read[0].TSVector.Lexemes))
	for i, l := range read[0].TSVector.Lexemes {
		words[i] = l.Word
	}
	vecs, err := embed(ctx, words)
	if err != nil {
		return nil, err
	}
	var out []Lexeme
	for i, w := range words {
		if !IsZero(vecs[i]) {
			out = append(out, Lexeme{Text: w, Vector: vecs[i]})
		}
	}
	return out, nil
}

// IsZero reports whether v is all zeros: no cosine direction.
func IsZero(v []float32) bool {
	for _, x := range v {
		if x != 0 {
			return false
		}
	}
	return true
}

// lexemeArgs are the statement's arguments for a lexical query: lexemes
// and their vectors, sparse (a hashed word sets a few coordinates).
func lexemeArgs(ls []Lexeme) (texts, vectors []string) {
	for _, l := range ls {
		texts = append(texts, l.Text)
		vectors = append(vectors, pgvector.NewSparseVector(l.Vector).String())
	}
	return texts, vectors
}
