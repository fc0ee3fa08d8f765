package rerank

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sort"
	"strings"
	"time"

	"github.com/agentstore/agentstore/internal/gateway"
)

// Defaults of the gateway reranker.
const (
	DefaultModel   = "rerank-english-v3.0"
	DefaultTimeout = 10 * time.Second
)

// ErrNoEndpoint: the gateway reranker has no base URL.
var ErrNoEndpoint = errors.New("rerank: no rerank endpoint")

// StatusError is a non-2xx answer from the gateway.
type StatusError = gateway.StatusError

// Gateway reranks through POST {base}/rerank (base ends in /v1) with
// {model, query, documents, top_n}. Results are ordered by relevance;
// out-of-range and repeated indices are ignored; candidates the answer does
// not score follow in input order. On any error it returns the input order
// with the error.
type Gateway struct {
	call  gateway.Call
	model string
}

var _ Reranker = (*Gateway)(nil)

// NewGateway returns a gateway reranker for base (…/v1) and key (sent as a
// bearer token when not empty). A nil client gets DefaultTimeout.
func NewGateway(base, key, model string, client *http.Client) (*Gateway, error) {
	base = strings.TrimRight(base, "/")
	if base == "" {
		return nil, ErrNoEndpoint
	}
	if model == "" {
		model = DefaultModel
	}
	if client == nil {
		client = &http.Client{Timeout: DefaultTimeout}
	}
	return &Gateway{call: gateway.Call{Client: client, URL: base + "/rerank", Key: key}, model: model}, nil
}

type rerankRequest struct {
	Model     string   `json:"model"`
	Query     string   `json:"query"`
	Documents []string `json:"documents"`
	TopN      int      `json:"top_n"`
}

type rerankResponse struct {
	Results []struct {
		Index          int     `json:"index"`
		RelevanceScore float64 `json:"relevance_score"`
	} `json:"results"`
}

// Rerank asks the gateway; see Gateway for the rules.
func (g *Gateway) Rerank(ctx context.Context, query string, documents []string) ([]int, error) {
	if len(documents) == 0 {
		return []int{}, nil
	}
	body, err := json.Marshal(rerankRequest{Model: g.model, Query: query, Documents: documents, TopN: len(documents)})
	if err != nil {
		return identity(len(documents)), err
	}
	var resp rerankResponse
	if err := g.call.Post(ctx, body, &resp); err != nil {
		return identity(len(documents)), fmt.Errorf("rerank: %w", err)
	}
	results := resp.Results
	sort.SliceStable(results, func(i, j int) bool { return results[i].RelevanceScore > results[j].RelevanceScore })
	seen := make([]bool, len(documents))
	order := make([]int, 0, len(documents))
	for _, r := range results {
		if r.Index < 0 || r.Index >= len(documents) || seen[r.Index] {
			continue
		}
		seen[r.Index] = true
		order = append(order, r.Index)
	}
	for i, ok := range seen {
		if !ok {
			order = append(order, i)
		}
	}
	return order, nil
}
