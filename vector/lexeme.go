package vector

import (
	"context"
	"fmt"

	"github.com/pgvector/pgvector-go"
)

// lexemesOf is every text as the full-text index reads it: its lexemes
// under a text search configuration (stemmed, stopwords dropped), in word
// order, joined by spaces.
const lexemesOf = `SELECT coalesce((
	SELECT string_agg(u.lexeme, ' ' ORDER BY p, u.lexeme)
	FROM unnest(to_tsvector($1::regconfig, t.text)) AS u(lexeme, positions, weights), unnest(u.positions) AS p
), '')
FROM unnest($2::text[]) WITH ORDINALITY AS t(text, i)
ORDER BY t.i`

// Lexemes returns each of texts as PostgreSQL's text search config reads
// it. A lexical (word-hashing) embedder embeds these, so the dense arm
// sees the same words as the sparse one.
func Lexemes(ctx context.Context, q Querier, config string, texts []string) ([]string, error) {
	rows, err := q.Query(ctx, lexemesOf, config, texts)
	if err != nil {
		return nil, fmt.Errorf("vector: lexemes: %w", err)
	}
	defer rows.Close()
	out := make([]string, 0, len(texts))
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, fmt.Errorf("vector: lexemes: %w", err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("vector: lexemes: %w", err)
	}
	return out, nil
}

// Lexeme is one word of a lexical query with its own vector.
type Lexeme struct {
	Text   string
	Vector []float32
}

// lexemeArgs are the statement's arguments for a lexical query: lexemes
// and their vectors, sparse (a hashed word sets a few coordinates).
func lexemeArgs(ls []Lexeme) (texts, vectors []string) {
	if ls == nil {
		return nil, nil
	}
	for _, l := range ls {
		texts = append(texts, l.Text)
		vectors = append(vectors, pgvector.NewSparseVector(l.Vector).String())
	}
	return texts, vectors
}
