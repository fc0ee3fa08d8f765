package eval

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"time"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/vector"
)

// Mode is one way of searching.
type Mode struct {
	Name                      string
	DenseWeight, SparseWeight float64
	keep                      func(vector.Hit) bool
}

// Modes are the arms alone and fused.
var Modes = []Mode{
	{Name: "dense", DenseWeight: 1, SparseWeight: 0, keep: func(h vector.Hit) bool { return h.DenseRank != nil }},
	{Name: "sparse", DenseWeight: 0, SparseWeight: 1, keep: func(h vector.Hit) bool { return h.SparseRank != nil }},
	{Name: "hybrid", DenseWeight: 1, SparseWeight: 1, keep: func(vector.Hit) bool { return true }},
}

// Score is one mode's mean metrics over the judged queries.
type Score struct {
	Mode              string
	Queries           int
	NDCG, Recall, MRR float64
	MeanLatency       time.Duration
}

// chunksPerQuery is how many chunk hits are read to rank Cutoff documents.
const chunksPerQuery = 60

// Run ingests c into a fresh organization of store, runs every judged query
// in every mode, prints a table to w and returns the scores.
func Run(ctx context.Context, store *storage.Store, c *Collection, w io.Writer) ([]Score, error) {
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	ctx = access.NewContext(ctx, access.Viewer{OrganizationID: "eval-" + hex.EncodeToString(suffix), Role: access.RoleAdmin})
	// The run's organization goes when the run does (its chunks cascade).
	defer store.Client().Document.Delete().Exec(context.WithoutCancel(ctx)) //nolint:errcheck // best effort
	start := time.Now()
	for id, d := range c.Documents {
		in := storage.DocumentInput{ID: docID(ctx, id), Source: id, Content: d.Text}
		if d.Title != "" {
			in.Title = &d.Title
		}
		if _, err := store.Ingest(ctx, in); err != nil {
			return nil, fmt.Errorf("eval: ingest %s: %w", id, err)
		}
	}
	fmt.Fprintf(w, "eval: %d documents ingested in %s, %d judged queries\n\n", len(c.Documents),
		time.Since(start).Round(time.Millisecond), len(c.judged()))
	var scores []Score
	for _, m := range Modes {
		s := Score{Mode: m.Name}
		var spent time.Duration
		for _, qid := range c.judged() {
			dw, sw := m.DenseWeight, m.SparseWeight
			t := time.Now()
			hits, err := store.Search(ctx, storage.SearchRequest{Query: c.Queries[qid], Limit: chunksPerQuery,
				DenseWeight: &dw, SparseWeight: &sw})
			spent += time.Since(t)
			if err != nil {
				return nil, fmt.Errorf("eval: query %s (%s): %w", qid, m.Name, err)
			}
			ranked := documents(hits, m.keep)
			s.NDCG += NDCG(ranked, c.Relevant[qid])
			s.Recall += Recall(ranked, c.Relevant[qid])
			s.MRR += MRR(ranked, c.Relevant[qid])
			s.Queries++
		}
		if s.Queries > 0 {
			n := float64(s.Queries)
			s.NDCG, s.Recall, s.MRR = s.NDCG/n, s.Recall/n, s.MRR/n
			s.MeanLatency = spent / time.Duration(s.Queries)
		}
		scores = append(scores, s)
	}
	fmt.Fprintf(w, "| %-7s | %7s | %8s | %9s | %6s | %12s |\n", "mode", "queries", "nDCG@10", "Recall@10", "MRR@10", "mean latency")
	fmt.Fprintln(w, "|---------|---------|----------|-----------|--------|--------------|")
	for _, s := range scores {
		fmt.Fprintf(w, "| %-7s | %7d | %8.3f | %9.3f | %6.3f | %12s |\n", s.Mode, s.Queries, s.NDCG, s.Recall, s.MRR,
			s.MeanLatency.Round(10*time.Microsecond))
	}
	return scores, nil
}

// docID names a collection document inside the run's organization: ids are
// global, and several runs may share a database.
func docID(ctx context.Context, id string) string {
	v, _ := access.FromContext(ctx)
	return v.OrganizationID + "/" + id
}

// documents turns chunk hits into distinct collection document ids, in order.
func documents(hits []vector.Hit, keep func(vector.Hit) bool) []string {
	var out []string
	seen := map[string]bool{}
	for _, h := range hits {
		if !keep(h) {
			continue
		}
		id := h.Source
		if !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
