package vector

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
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
// words), dense candidates ({dense}), fused by RRF, boosted, with a
// deterministic tie-break (best single rank, dense rank, id). {filters}
// are the request's filters, present ones only, so a plan made for one
// shape of request serves every request of that shape.
const hybridSearch = `WITH
terms AS (
	SELECT q.lexeme, cardinality(q.positions) AS qtf
	FROM unnest(to_tsvector(@config::regconfig, @text::text)) AS q(lexeme, positions, weights)
	WHERE @terms
),
tsq AS (
	SELECT to_tsquery('simple', string_agg(quote_literal(lexeme), ' | ')) AS q, array_agg(lexeme) AS lexemes
	FROM terms HAVING count(*) > 0
),
hits AS (
	-- The matching chunks: length, and the query's lexemes in them (marked
	-- A, kept by ts_filter).
	SELECT c.id, c.ctid, c.document_id, ts_filter(setweight(c.content_tsv, 'A', tsq.lexemes), '{a}') AS lexemes,
		greatest(coalesce(nullif(c.words, 0), (SELECT sum(cardinality(u.positions)) FROM unnest(c.content_tsv) AS u)), 1)::float8 AS dl
	FROM chunks c, tsq
	WHERE c.content_tsv @@ tsq.q {filters}
),
matched AS (
	-- One row per matching chunk and query lexeme in it, with its frequency.
	SELECT id, document_id, dl, (u).lexeme, cardinality((u).positions) AS tf
	FROM (SELECT h.id, h.document_id, h.dl, unnest(h.lexemes) AS u FROM hits h) m
),
corpus AS (
	-- N: the organization's chunks (given, or counted); the average length
	-- over the matching chunks, which every score here is about.
	SELECT greatest(CASE WHEN @chunks::bigint > 0 THEN @chunks::bigint
		ELSE (SELECT count(*) FROM chunks c WHERE true {organization}) END, 1)::float8 AS n,
		greatest(coalesce((SELECT avg(dl) FROM hits), 1), 1) AS avgdl
),
idf AS (
	SELECT m.lexeme, ln(1 + (corpus.n - count(*) + 0.5) / (count(*) + 0.5)) * min(terms.qtf) AS idf
	FROM matched m JOIN terms USING (lexeme) CROSS JOIN corpus GROUP BY m.lexeme, corpus.n
),
sparse AS (
	SELECT id, document_id, row_number() OVER (ORDER BY score DESC, id) AS rank
	FROM (
		SELECT m.id, m.document_id, sum(idf.idf * m.tf * (` + bm25K1S + ` + 1)
			/ (m.tf + ` + bm25K1S + ` * (1 - ` + bm25BS + ` + ` + bm25BS + ` * m.dl / corpus.avgdl))) AS score
		FROM matched m JOIN idf USING (lexeme) CROSS JOIN corpus
		WHERE @sparse_weight::float8 > 0
		GROUP BY m.id, m.document_id
		ORDER BY score DESC, m.id
		LIMIT @candidates
	) s
),
dense AS (
	SELECT id, document_id, distance, row_number() OVER (ORDER BY distance, id) AS rank
	FROM ({dense}) d
	WHERE distance <> 'NaN' -- no direction (a zero vector): no dense rank
),
fused AS (
	SELECT coalesce(d.id, s.id) AS id, coalesce(d.document_id, s.document_id) AS document_id,
		d.rank AS dense_rank, d.distance, s.rank AS sparse_rank,
		coalesce(@dense_weight::float8 / (@k::float8 + d.rank), 0) + coalesce(@sparse_weight::float8 / (@k::float8 + s.rank), 0) AS rrf
	FROM dense d FULL JOIN sparse s ON s.id = d.id
),
ranked AS (
	-- The page, ordered, before its chunks' content is read.
	SELECT f.*, doc.source, f.rrf * doc.boost AS score, row_number() OVER (ORDER BY f.rrf * doc.boost DESC,
		least(coalesce(f.dense_rank, 9223372036854775807), coalesce(f.sparse_rank, 9223372036854775807)),
		f.dense_rank NULLS LAST, f.id) AS place
	FROM fused f
	JOIN documents doc ON doc.id = f.document_id
	ORDER BY place
	LIMIT @limit
)
SELECT r.id, r.document_id, r.source, c.content, c.metadata, r.dense_rank, r.distance, r.sparse_rank, r.score
FROM ranked r
JOIN chunks c ON c.id = r.id
ORDER BY r.place`

// semanticArm is the dense arm of a semantic query: the HNSW operator
// itself, so the index serves it, under the request's filters.
var semanticArm = graphScan("", globalGraphOrder)

// organizationArm is the dense arm of a semantic query in one
// organization: its own graph when it has one (see
// CreateOrganizationIndex), the global one otherwise, decided when the
// statement runs. Only the organization's index is over half-precision
// unit vectors, so the planner cannot serve that branch from the global
// graph, which it would prefer.
var organizationArm = "(" + graphScan(" AND (SELECT "+ownGraph+")", organizationGraphOrder) +
	")\n\tUNION ALL\n\t(" + graphScan(" AND NOT (SELECT "+ownGraph+")", globalGraphOrder) + ")"

// globalGraphOrder is the order the global graph serves: the embedding's
// cosine distance.
const globalGraphOrder = "c.embedding <=> @vector"

// organizationGraphOrder is the order an organization's graph serves: the
// embedding's cosine distance, in half precision ({dimensions}: the
// column's width, which HNSW needs). Cosine ignores length, so the query
// is normalised too: no value of it overflows half precision.
const organizationGraphOrder = "l2_normalize(c.embedding)::halfvec({dimensions}) <=> l2_normalize(@vector)::halfvec({dimensions})"

// ownGraph: the organization's own index exists and serves its searches
// (see graphServes).
const ownGraph = `EXISTS (SELECT FROM pg_index i WHERE i.indexrelid = to_regclass(@own_index) AND ` + graphServes + `)`

// graphScan is an HNSW scan in the order of distance, where also the
// condition holds. Iterative scans (relaxed_order) return rows only
// roughly in order; the distance returned is the function, in full
// precision, not the operator, so the planner does not take the scan's
// order for the distance's, and the dense CTE really sorts.
func graphScan(condition, distance string) string {
	return `SELECT c.id, c.document_id, cosine_distance(c.embedding, @vector) AS distance
	FROM chunks c
	WHERE @dense` + condition + ` {filters}
	ORDER BY ` + distance + `
	LIMIT @candidates`
}

// lexicalArm is the dense arm of a lexical query. Its vector is its
// lexemes' vectors weighted by IDF × query frequency, as the sparse arm
// weighs them; it is near only the chunks sharing a lexeme with it
// (elsewhere its cosine is hash collisions), so the arm is exact over the
// matching chunks, read again by their row addresses.
const lexicalArm = `SELECT c.id, c.document_id, c.embedding <=> (
		SELECT sum(e.v * array_fill(idf.idf, ARRAY[vector_dims(e.v)])::vector)
		FROM unnest(@lexemes::text[], @lexeme_vectors::text[]) AS l(lexeme, sv)
		JOIN idf USING (lexeme)
		CROSS JOIN LATERAL (SELECT l.sv::sparsevec::vector AS v) e
	) AS distance
	FROM chunks c
	WHERE @dense AND c.ctid = ANY (ARRAY(SELECT ctid FROM hits))
	ORDER BY 3
	LIMIT @candidates`

// statement is the search for p's shape: its dense arm and its filters.
func statement(p SearchParams) string {
	var org string
	if p.OrganizationID != nil {
		org = " AND c.organization_id = @org"
	}
	filters := org
	if p.Principals != nil {
		filters += " AND c.acl && @principals::text[]"
	}
	if p.DocumentSets != nil {
		filters += " AND c.document_sets && @sets::text[]"
	}
	if p.Metadata != nil {
		filters += " AND c.metadata @> @metadata::jsonb"
	}
	dense := semanticArm
	switch {
	case p.Lexemes != nil:
		dense = lexicalArm
	case p.OrganizationID != nil && p.Vector != nil: // nil: the arm is off
		dense = organizationArm
	}
	sql := strings.Replace(hybridSearch, "{dense}", dense, 1)
	return strings.NewReplacer("{filters}", filters, "{organization}", org,
		"{dimensions}", strconv.Itoa(len(p.Vector))).Replace(sql)
}

// BM25 parameters of the sparse arm (k1, b), constants of the statement.
const (
	bm25K1S = "1.2"
	bm25BS  = "0.75"
)

// searchSettings are local to the search's transaction (sent with the
// statement in one batch) and read when it runs: HNSW iterative scans so selective
// filters still fill the page, its ef_search, no JIT, and the plan cache
// mode. A semantic dense arm is planned for its values (HNSW or an exact
// scan is a choice by the filters' selectivity); without one (a lexical
// query, or the sparse arm alone) the plan depends on no value, so one
// plan per request shape is kept (planning the statement takes ~1.5 ms).
const searchSettings = `SELECT set_config('hnsw.iterative_scan', 'relaxed_order', true),
	set_config('hnsw.ef_search', @ef_search::int::text, true),
	set_config('jit', 'off', true),
	set_config('plan_cache_mode', @plan_cache_mode, true)`

// arguments are the statement for p's shape and its arguments.
func arguments(p SearchParams) (string, pgx.NamedArgs, error) {
	texts, vectors := lexemeArgs(p.Lexemes)
	vec := p.Vector
	if vec == nil {
		vec = make([]float32, 1) // never compared: the dense arm is off
	}
	args := pgx.NamedArgs{"org": p.OrganizationID, "principals": p.Principals, "vector": pgvector.NewVector(vec),
		"dense": p.Vector != nil || texts != nil, "text": p.Text, "config": p.TextSearchConfig, "sets": p.DocumentSets,
		"candidates": p.Candidates, "k": p.K, "dense_weight": p.DenseWeight, "sparse_weight": p.SparseWeight,
		"limit": p.Limit, "terms": p.SparseWeight > 0 || texts != nil, "lexemes": texts, "lexeme_vectors": vectors,
		"chunks": p.Chunks}
	if p.OrganizationID != nil && p.Vector != nil {
		args["own_index"] = OrganizationIndex(*p.OrganizationID)
	}
	if p.Metadata != nil {
		meta, err := json.Marshal(p.Metadata)
		if err != nil {
			return "", nil, fmt.Errorf("vector: metadata filter: %w", err)
		}
		args["metadata"] = meta
	}
	return statement(p), args, nil
}

// run sends the search settings and the statement (after prefix) in one
// batch — one round trip, and one implicit transaction when q is not in
// one, which the settings' local scope needs — and hands scan its rows.
func run(ctx context.Context, q Querier, p SearchParams, efSearch int, prefix string, scan func(pgx.Rows) error) error {
	sql, args, err := arguments(p)
	if err != nil {
		return err
	}
	mode := "force_generic_plan"
	if p.Vector != nil {
		mode = "force_custom_plan"
	}
	var b pgx.Batch
	b.Queue(searchSettings, pgx.NamedArgs{"ef_search": max(efSearch, 1), "plan_cache_mode": mode})
	b.Queue(prefix+sql, args)
	results := q.SendBatch(ctx, &b)
	defer results.Close()
	if _, err := results.Exec(); err != nil {
		return fmt.Errorf("vector: search settings: %w", err)
	}
	rows, err := results.Query()
	if err == nil {
		err = scan(rows)
		rows.Close()
		err = errors.Join(err, rows.Err())
	}
	if err != nil {
		return fmt.Errorf("vector: search: %w", err)
	}
	return results.Close()
}

// Explain returns the plan PostgreSQL runs for a search (EXPLAIN, text
// format), under the same settings.
func Explain(ctx context.Context, q Querier, p SearchParams, efSearch int) (string, error) {
	var plan strings.Builder
	err := run(ctx, q, p, efSearch, "EXPLAIN ", func(rows pgx.Rows) error {
		for rows.Next() {
			var line string
			if err := rows.Scan(&line); err != nil {
				return err
			}
			plan.WriteString(line + "\n")
		}
		return nil
	})
	return plan.String(), err
}

// Search runs a hybrid search.
func Search(ctx context.Context, q Querier, p SearchParams, efSearch int) ([]Hit, error) {
	var hits []Hit
	err := run(ctx, q, p, efSearch, "", func(rows pgx.Rows) error {
		for rows.Next() {
			var h Hit
			if err := rows.Scan(&h.ChunkID, &h.DocumentID, &h.Source, &h.Content, &h.Metadata, &h.DenseRank, &h.Distance,
				&h.SparseRank, &h.Score); err != nil {
				return err
			}
			hits = append(hits, h)
		}
		return nil
	})
	return hits, err
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
