package storage

import (
	"context"

	"github.com/agentstore/agentstore/rerank"
	"github.com/agentstore/agentstore/vector"
)

// Search defaults.
const (
	DefaultSearchLimit = 10
	DefaultRRFK        = 60
	DefaultEfSearch    = 100
	// MinCandidates is the floor of candidates per arm (max(4·limit, 20)).
	MinCandidates = 20
	// RerankOverfetch multiplies the candidates a reranker sees.
	RerankOverfetch = 4
)

// SearchRequest is a hybrid knowledge search.
type SearchRequest struct {
	Query string
	Limit int // default DefaultSearchLimit, at most MaxPageSize
	// DocumentSets keeps chunks of any of these sets.
	DocumentSets []string
	// Metadata keeps chunks whose metadata has these values (strings,
	// numbers, booleans).
	Metadata map[string]any
	// DenseWeight and SparseWeight weigh the arms in the fusion (default 1
	// each); a zero weight leaves an arm out of the score.
	DenseWeight, SparseWeight *float64
	// Reranker, when set, reorders RerankOverfetch×Limit fused hits; any
	// failure keeps the fused order.
	Reranker rerank.Reranker
}

// Search runs one hybrid search over the knowledge the viewer may read: its
// organization's (every organization's for the system viewer) documents
// whose ACL admits it. Hits come best first.
func (s *Store) Search(ctx context.Context, req SearchRequest) ([]vector.Hit, error) {
	var hits []vector.Hit
	limit, err := s.searchOn(ctx, req, func(q vector.Querier, p vector.SearchParams) (err error) {
		hits, err = vector.Search(ctx, q, p, DefaultEfSearch)
		return err
	})
	if err != nil {
		return nil, err
	}
	if req.Reranker != nil {
		hits = reranked(ctx, req.Reranker, req.Query, hits)
	}
	if len(hits) > limit {
		hits = hits[:limit]
	}
	return hits, nil
}

// ExplainSearch returns PostgreSQL's plan for the search req would run.
func (s *Store) ExplainSearch(ctx context.Context, req SearchRequest) (string, error) {
	var plan string
	_, err := s.searchOn(ctx, req, func(q vector.Querier, p vector.SearchParams) (err error) {
		plan, err = vector.Explain(ctx, q, p, DefaultEfSearch)
		return err
	})
	return plan, err
}

// searchOn checks req and runs fn with the statement's parameters, the
// dense query embedded, on a pooled connection: a search is one statement,
// which needs no transaction of its own. limit is the number of hits to
// return.
func (s *Store) searchOn(ctx context.Context, req SearchRequest, fn func(q vector.Querier, p vector.SearchParams) error) (int, error) {
	p, limit, err := s.searchParams(ctx, req)
	if err != nil {
		return 0, err
	}
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return 0, translate(err, "search", "")
	}
	defer conn.Release()
	if err := vector.RegisterTypes(ctx, conn.Conn()); err != nil {
		return 0, err
	}
	if p.DenseWeight > 0 {
		if err := s.embedQuery(ctx, conn, &p); err != nil {
			return 0, translate(err, "raw sql", "")
		}
	}
	if p.SparseWeight > 0 || p.Lexemes != nil {
		if p.Chunks, err = s.sizes.get(ctx, conn, p.OrganizationID); err != nil {
			return 0, translate(err, "raw sql", "")
		}
	}
	return limit, translate(fn(conn, p), "raw sql", "")
}

// embedQuery sets p's dense query. A semantic embedder reads the text
// whole; a lexical one gets the lexemes, each embedded alone, for the
// statement to weigh by IDF. No direction (no words) leaves the arm out.
func (s *Store) embedQuery(ctx context.Context, q vector.Querier, p *vector.SearchParams) error {
	if !s.cfg.lexical() {
		vecs, err := s.cfg.embed(ctx, []string{p.Text})
		if err != nil {
			return err
		}
		if !vector.IsZero(vecs[0]) {
			p.Vector = vecs[0]
		}
		return nil
	}
	var err error
	p.Lexemes, err = vector.QueryLexemes(ctx, q, p.TextSearchConfig, p.Text, s.cfg.embed)
	return err
}

// searchParams checks req and turns it into the statement's parameters for
// the viewer in ctx; limit is the number of hits to return.
func (s *Store) searchParams(ctx context.Context, req SearchRequest) (p vector.SearchParams, limit int, err error) {
	v, err := viewer(ctx)
	if err != nil {
		return p, 0, err
	}
	c := s.check()
	c.text("query", req.Query)
	c.limit(req.Limit)
	for _, set := range req.DocumentSets {
		c.key("document set", set, true)
	}
	for k, x := range req.Metadata {
		c.key("metadata key", k, true)
		switch x := x.(type) {
		case string:
			c.text("metadata value", x)
		case bool, float64, float32, int, int64:
		default:
			c.fail("metadata value", "%T is not a string, number or boolean", x)
		}
	}
	if c.err != nil {
		return p, 0, c.err
	}
	limit = req.Limit
	if limit == 0 {
		limit = DefaultSearchLimit
	}
	fetch := limit
	if req.Reranker != nil {
		fetch = min(limit*RerankOverfetch, MaxPageSize)
	}
	p = vector.SearchParams{
		Text: req.Query, TextSearchConfig: s.cfg.textSearchConfig, DocumentSets: req.DocumentSets,
		Metadata: req.Metadata, Candidates: max(4*fetch, MinCandidates), Limit: fetch,
		K: DefaultRRFK, DenseWeight: weight(req.DenseWeight), SparseWeight: weight(req.SparseWeight),
	}
	if !v.IsSystem() {
		p.OrganizationID = &v.OrganizationID
	}
	if !v.SeesAllDocuments() {
		p.Principals = v.Principals()
	}
	return p, limit, nil
}

// reranked reorders hits; any failure, or an answer that is not a
// permutation, keeps the fused order.
func reranked(ctx context.Context, r rerank.Reranker, query string, hits []vector.Hit) []vector.Hit {
	docs := make([]string, len(hits))
	for i, h := range hits {
		docs[i] = h.Content
	}
	order, err := r.Rerank(ctx, query, docs)
	if err != nil || len(order) != len(hits) {
		return hits
	}
	out := make([]vector.Hit, 0, len(hits))
	seen := make([]bool, len(hits))
	for _, i := range order {
		if i < 0 || i >= len(hits) || seen[i] {
			return hits
		}
		seen[i] = true
		out = append(out, hits[i])
	}
	return out
}

func weight(w *float64) float64 {
	if w == nil {
		return 1
	}
	return *w
}
