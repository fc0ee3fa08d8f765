package rerank

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestNoop(t *testing.T) {
	t.Parallel()
	got, err := Noop{}.Rerank(t.Context(), "q", []string{"a", "b", "c"})
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2}, got)
}

func TestLexical(t *testing.T) {
	t.Parallel()
	docs := []string{
		"Shipping times vary by region.",
		"Refund policy: a refund is issued within 5 days; refunds need a receipt.",
		"REFUND!",
		"Our return and refund policy explained at great length for every product line we sell today.",
		"nothing relevant",
	}
	got, err := Lexical{}.Rerank(t.Context(), "refund policy", docs)
	require.NoError(t, err)
	// 1: (2/3.2 + 1/2.2)/(1+ln 13) ≈ 0.303; 2: (1/2.2)/(1+ln 2) ≈ 0.268;
	// 3: both terms but 16 tokens, (2/2.2)/(1+ln 17) ≈ 0.237; then the
	// non-matching ones in input order.
	require.Equal(t, []int{1, 2, 3, 0, 4}, got)

	// Repeats saturate: two distinct terms beat one term three times
	// (0.909/(1+ln 3) ≈ 0.433 against 0.714/(1+ln 4) ≈ 0.299).
	got, err = Lexical{}.Rerank(t.Context(), "refund policy", []string{"refund refund refund", "refund policy"})
	require.NoError(t, err)
	require.Equal(t, []int{1, 0}, got)

	got, err = Lexical{}.Rerank(t.Context(), "", docs)
	require.NoError(t, err)
	require.Equal(t, []int{0, 1, 2, 3, 4}, got, "no terms: stable input order")
}

// rerankServer answers /v1/rerank with answer.
func rerankServer(t *testing.T, status int, answer string, seen *rerankRequest) *httptest.Server {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		assert.Equal(t, "/v1/rerank", r.URL.Path, "no doubled /v1")
		assert.Equal(t, "Bearer k", r.Header.Get("Authorization"))
		if seen != nil {
			assert.NoError(t, json.NewDecoder(r.Body).Decode(seen))
		}
		w.WriteHeader(status)
		_, _ = w.Write([]byte(answer))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func TestGatewayReorders(t *testing.T) {
	t.Parallel()
	var req rerankRequest
	srv := rerankServer(t, http.StatusOK, `{"results":[
		{"index":2,"relevance_score":0.2},
		{"index":0,"relevance_score":0.9},
		{"index":7,"relevance_score":0.99},
		{"index":0,"relevance_score":0.1}
	]}`, &req)
	g, err := NewGateway(srv.URL+"/v1/", "k", "", nil)
	require.NoError(t, err)
	got, err := g.Rerank(t.Context(), "q", []string{"a", "b", "c", "d"})
	require.NoError(t, err)
	// 0 then 2 by score; 7 out of range and the repeated 0 ignored; 1 and 3 unscored, appended in input order.
	require.Equal(t, []int{0, 2, 1, 3}, got)
	require.Equal(t, rerankRequest{Model: DefaultModel, Query: "q", Documents: []string{"a", "b", "c", "d"}, TopN: 4}, req)
}

func TestGatewayFallsBackToInputOrder(t *testing.T) {
	t.Parallel()
	for name, srv := range map[string]*httptest.Server{
		"ServerError": rerankServer(t, http.StatusInternalServerError, "boom", nil),
		"NotJSON":     rerankServer(t, http.StatusOK, "<html>", nil),
	} {
		g, err := NewGateway(srv.URL+"/v1", "k", "", nil)
		require.NoError(t, err)
		got, err := g.Rerank(t.Context(), "q", []string{"a", "b", "c"})
		require.Error(t, err, name)
		require.Equal(t, []int{0, 1, 2}, got, name)
	}

	release := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); slow.Close() })
	g, err := NewGateway(slow.URL+"/v1", "k", "", nil)
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	got, err := g.Rerank(ctx, "q", []string{"a", "b"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Equal(t, []int{0, 1}, got)

	_, err = NewGateway("", "", "", nil)
	require.ErrorIs(t, err, ErrNoEndpoint)
	got, err = g.Rerank(t.Context(), "q", nil)
	require.NoError(t, err)
	require.Empty(t, got)
}
