package vector

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/pgvector/pgvector-go"
)

// SearchParams is one hybrid search. Filters are parameters of one static
// statement: nothing from input is ever formatted into SQL.
type SearchParams struct {
	// OrganizationID scopes the search; nil searches every organization
	// (the system viewer only — the caller decides).
	OrganizationID *string
	// Principals are the viewer's ACL tokens; nil skips the ACL filter
	// (admins, the system viewer).
	Principals []string
	// Text feeds the sparse arm: any of its words matches, ranked BM25. A
	// zero SparseWeight skips the arm.
	Text             string
	TextSearchConfig string
	// Vector feeds the dense arm; nil skips it (a zero vector has no
	// direction and would only add noise).
	Vector []float32
	// Lexemes replace Vector for a lexical (word-hashing) embedder: the
	// query's lexemes, each with its own vector. The statement sums them
	// weighted by IDF × query frequency — what such an embedder cannot know
	// — so rare words lead the dense arm as they lead the sparse one.
	Lexemes []Lexeme
	// DocumentSets keeps chunks in any of these sets; nil keeps all.
	DocumentSets []string
	// Metadata keeps chunks whose metadata contains these key/values
	// (strings, numbers, booleans); nil keeps all.
	Metadata map[string]any
	// Chunks is BM25's N, the chunks of the organization searched (of every
	// one without OrganizationID); 0 counts them in the statement.
	Chunks int64
	// Candidates per arm, Limit of fused hits.
	Candidates, Limit int
	// RRF: score = Σ weight / (K + rank).
	K, DenseWeight, SparseWeight float64
}

// Hit is one fused result.
type Hit struct {
	ChunkID    string         `json:"chunk_id"`
	DocumentID string         `json:"document_id"`
	Source     string         `json:"source"`
	Content    string         `json:"content"`
	Metadata   map[string]any `json:"metadata"`
	DenseRank  *int64         `json:"dense_rank"`  // nil: not among the dense candidates
	Distance   *float64       `json:"distance"`    // cosine distance of the dense arm
	SparseRank *int64         `json:"sparse_rank"` // nil: not among the sparse candidates
	Score      float64        `json:"score"`       // RRF score times the document's boost
}

// hybridSearch is the whole search: sparse candidates matching any query
// lexeme ranked BM25 (IDF from the organization's chunk counts, length in
// words), dense candidates by the HNSW operator (for a lexical query, under
// a vector built from the lexemes' IDF), fused by RRF, boosted, with a
// deterministic tie-break (best single rank, dense rank, id).
const hybridSearch = `WITH
terms AS (
	SELECT q.lexeme, cardinality(q.positions) AS qtf
	FROM unnest(to_tsvector($6::regconfig, $5::text)) AS q(lexeme, positions, weights)
	WHERE $14
),
tsq AS (
	SELECT to_tsquery('simple', string_agg(quote_literal(lexeme), ' | ')) AS q, array_agg(lexeme) AS lexemes
	FROM terms HAVING count(*) > 0
),
matched AS (
	SELECT c.id, c.ctid, c.content_tsv,
		greatest(coalesce(nullif(c.words, 0), (SELECT sum(cardinality(u.positions)) FROM unnest(c.content_tsv) AS u)), 1) AS dl
	FROM chunks c, tsq
	WHERE c.content_tsv @@ tsq.q AND ($1::text IS NULL OR c.organization_id = $1)
	  AND ($2::text[] IS NULL OR c.acl && $2::text[])
	  AND ($7::text[] IS NULL OR c.document_sets && $7::text[])
	  AND ($8::jsonb IS NULL OR c.metadata @> $8::jsonb)
),
tf AS (
	-- Only the query's lexemes: marked A, kept by ts_filter, then unnested.
	SELECT m.id, m.dl, u.lexeme, cardinality(u.positions) AS tf
	FROM matched m, tsq CROSS JOIN LATERAL unnest(ts_filter(setweight(m.content_tsv, 'A', tsq.lexemes), '{a}')) AS u(lexeme, positions, weights)
),
corpus AS (
	-- N: the organization's chunks (given, or counted); the average length
	-- over the matching chunks, which every score here is about.
	SELECT greatest(CASE WHEN $17::bigint > 0 THEN $17::bigint
		ELSE (SELECT count(*) FROM chunks c WHERE $1::text IS NULL OR c.organization_id = $1) END, 1)::float8 AS n,
		greatest(coalesce((SELECT avg(dl) FROM matched), 1), 1)::float8 AS avgdl
),
idf AS (
	SELECT tf.lexeme, ln(1 + (corpus.n - count(*) + 0.5) / (count(*) + 0.5)) * min(terms.qtf) AS idf
	FROM tf JOIN terms USING (lexeme) CROSS JOIN corpus GROUP BY tf.lexeme, corpus.n
),
sparse AS (
	SELECT id, row_number() OVER (ORDER BY score DESC, id) AS rank
	FROM (
		SELECT tf.id, sum(idf.idf * tf.tf * (` + bm25K1S + ` + 1)
			/ (tf.tf + ` + bm25K1S + ` * (1 - ` + bm25BS + ` + ` + bm25BS + ` * tf.dl / corpus.avgdl))) AS score
		FROM tf JOIN idf USING (lexeme) CROSS JOIN corpus
		WHERE $12::float8 > 0
		GROUP BY tf.id
		ORDER BY score DESC, tf.id
		LIMIT $9
	) s
),
lexical AS (
	-- A lexical query's vector: its lexemes' own vectors weighted by IDF ×
	-- query frequency, as the sparse arm weighs them.
	SELECT sum(e.v * array_fill(idf.idf, ARRAY[vector_dims(e.v)])::vector) AS v
	FROM unnest($15::text[], $16::text[]) AS l(lexeme, sv)
	JOIN idf USING (lexeme)
	CROSS JOIN LATERAL (SELECT l.sv::sparsevec::vector AS v) e
),
dense AS (
	SELECT id, distance, row_number() OVER (ORDER BY distance, id) AS rank
	FROM (
		(SELECT c.id, c.embedding <=> $3 AS distance
		FROM chunks c
		WHERE $4 AND $15::text[] IS NULL
		  AND ($1::text IS NULL OR c.organization_id = $1)
		  AND ($2::text[] IS NULL OR c.acl && $2::text[])
		  AND ($7::text[] IS NULL OR c.document_sets && $7::text[])
		  AND ($8::jsonb IS NULL OR c.metadata @> $8::jsonb)
		ORDER BY c.embedding <=> $3
		LIMIT $9)
		UNION ALL
		-- A lexical query is near only the chunks sharing a lexeme with it
		-- (elsewhere its cosine is hash collisions): exact over matched.
		(SELECT c.id, c.embedding <=> (SELECT v FROM lexical) AS distance
		FROM chunks c
		WHERE $4 AND $15::text[] IS NOT NULL AND c.ctid = ANY (ARRAY(SELECT ctid FROM matched))
		ORDER BY 2
		LIMIT $9)
	) d
	WHERE distance <> 'NaN' -- no direction (a zero vector): no dense rank
),
fused AS (
	SELECT coalesce(d.id, s.id) AS id, d.rank AS dense_rank, d.distance, s.rank AS sparse_rank,
		coalesce($11::float8 / ($10::float8 + d.rank), 0) + coalesce($12::float8 / ($10::float8 + s.rank), 0) AS rrf
	FROM dense d FULL JOIN sparse s ON s.id = d.id
)
SELECT f.id, c.document_id, doc.source, c.content, c.metadata, f.dense_rank, f.distance, f.sparse_rank,
	f.rrf * doc.boost AS score
FROM fused f
JOIN chunks c ON c.id = f.id
JOIN documents doc ON doc.id = c.document_id
ORDER BY score DESC, least(coalesce(f.dense_rank, 9223372036854775807), coalesce(f.sparse_rank, 9223372036854775807)),
	f.dense_rank NULLS LAST, f.id
LIMIT $13`

// BM25 parameters of the sparse arm (k1, b), constants of the statement.
const (
	bm25K1S = "1.2"
	bm25BS  = "0.75"
)

// searchSettings are read at execution time, so prepared statements cached
// per connection never carry a plan made under other settings: custom plans
// (the optional filters fold away), HNSW iterative scans so selective
// filters still fill the page, no JIT.
var searchSettings = []string{
	"SET LOCAL plan_cache_mode = force_custom_plan",
	"SET LOCAL hnsw.iterative_scan = relaxed_order",
	"SET LOCAL jit = off",
}

// prepare applies the search settings (SET LOCAL: q must be a
// transaction) and returns the statement's arguments.
func prepare(ctx context.Context, q Querier, p SearchParams, efSearch int) ([]any, error) {
	for _, s := range searchSettings {
		if _, err := q.Exec(ctx, s); err != nil {
			return nil, fmt.Errorf("vector: search settings: %w", err)
		}
	}
	if _, err := q.Exec(ctx, fmt.Sprintf("SET LOCAL hnsw.ef_search = %d", max(efSearch, 1))); err != nil {
		return nil, fmt.Errorf("vector: search settings: %w", err)
	}
	texts, vectors := lexemeArgs(p.Lexemes)
	dense := p.Vector != nil || texts != nil
	vec := p.Vector
	if vec == nil {
		vec = make([]float32, 1) // never compared: the dense arm is off
	}
	var meta []byte
	if p.Metadata != nil {
		var err error
		if meta, err = json.Marshal(p.Metadata); err != nil {
			return nil, fmt.Errorf("vector: metadata filter: %w", err)
		}
	}
	return []any{p.OrganizationID, p.Principals, pgvector.NewVector(vec), dense, p.Text, p.TextSearchConfig,
		p.DocumentSets, meta, p.Candidates, p.K, p.DenseWeight, p.SparseWeight, p.Limit,
		p.SparseWeight > 0 || texts != nil, texts, vectors, p.Chunks}, nil
}

// Explain returns the plan PostgreSQL runs for a search (EXPLAIN, text
// format), under the same settings. q must be a transaction.
func Explain(ctx context.Context, q Querier, p SearchParams, efSearch int) (string, error) {
	args, err := prepare(ctx, q, p, efSearch)
	if err != nil {
		return "", err
	}
	rows, err := q.Query(ctx, "EXPLAIN "+hybridSearch, args...)
	if err != nil {
		return "", fmt.Errorf("vector: explain: %w", err)
	}
	defer rows.Close()
	var plan string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return "", err
		}
		plan += line + "\n"
	}
	return plan, rows.Err()
}

// Search runs a hybrid search. q must be a transaction: the planner
// settings are SET LOCAL.
func Search(ctx context.Context, q Querier, p SearchParams, efSearch int) ([]Hit, error) {
	args, err := prepare(ctx, q, p, efSearch)
	if err != nil {
		return nil, err
	}
	rows, err := q.Query(ctx, hybridSearch, args...)
	if err != nil {
		return nil, fmt.Errorf("vector: search: %w", err)
	}
	defer rows.Close()
	var hits []Hit
	for rows.Next() {
		var h Hit
		if err := rows.Scan(&h.ChunkID, &h.DocumentID, &h.Source, &h.Content, &h.Metadata, &h.DenseRank, &h.Distance,
			&h.SparseRank, &h.Score); err != nil {
			return nil, fmt.Errorf("vector: search: %w", err)
		}
		hits = append(hits, h)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("vector: search: %w", err)
	}
	return hits, nil
}

// CountChunks counts the chunks of an organization (nil: of every one):
// BM25's N.
func CountChunks(ctx context.Context, q Querier, organizationID *string) (int64, error) {
	var n int64
	err := q.QueryRow(ctx, `SELECT count(*) FROM chunks WHERE $1::text IS NULL OR organization_id = $1`, organizationID).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("vector: count chunks: %w", err)
	}
	return n, nil
}
