package embed

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeGateway answers /v1/embeddings like an OpenAI-compatible server, with
// each vector's first element set to the input's length so order is
// checkable; answer overrides the response for a request number.
type fakeGateway struct {
	t        *testing.T
	dims     int
	requests atomic.Int32
	answer   func(n int, w http.ResponseWriter, req embeddingsRequest) bool
}

func (f *fakeGateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := int(f.requests.Add(1))
	assert.Equal(f.t, "/v1/embeddings", r.URL.Path)
	assert.Equal(f.t, http.MethodPost, r.Method)
	assert.Equal(f.t, "application/json", r.Header.Get("Content-Type"))
	var req embeddingsRequest
	assert.NoError(f.t, json.NewDecoder(r.Body).Decode(&req))
	if f.answer != nil && f.answer(n, w, req) {
		return
	}
	type item struct {
		Object    string    `json:"object"`
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	}
	var data []item
	for i := len(req.Input) - 1; i >= 0; i-- { // reversed: the client must sort by index
		v := make([]float32, req.Dimensions)
		v[0] = float32(len(req.Input[i]))
		data = append(data, item{Object: "embedding", Index: i, Embedding: v})
	}
	w.Header().Set("Content-Type", "application/json")
	assert.NoError(f.t, json.NewEncoder(w).Encode(map[string]any{"object": "list", "data": data, "model": req.Model}))
}

func newFake(t *testing.T, dims int) (*fakeGateway, *httptest.Server) {
	f := &fakeGateway{t: t, dims: dims}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func TestGatewayBatchesAndOrders(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t, 8)
	var auth atomic.Value
	f.answer = func(_ int, _ http.ResponseWriter, req embeddingsRequest) bool {
		assert.Equal(t, "m", req.Model)
		assert.Equal(t, 8, req.Dimensions)
		assert.LessOrEqual(t, len(req.Input), 2)
		return false
	}
	srv.Config.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		f.ServeHTTP(w, r)
	})
	g, err := NewGateway(WithEndpoint(srv.URL+"/v1/"), WithKey("sk-test"), WithModel("m"), WithDimensions(8), WithBatchSize(2))
	require.NoError(t, err)
	texts := []string{"a", "bb", "ccc", "dddd", "eeeee"}
	vs, err := g.Embed(t.Context(), texts)
	require.NoError(t, err)
	require.Len(t, vs, 5)
	for i, v := range vs {
		require.Len(t, v, 8)
		require.Equal(t, float32(len(texts[i])), v[0], "vector %d in input order", i)
	}
	require.Equal(t, int32(3), f.requests.Load(), "5 texts in batches of 2")
	require.Equal(t, "Bearer sk-test", auth.Load())

	vs, err = g.Embed(t.Context(), nil)
	require.NoError(t, err)
	require.Empty(t, vs)
	require.Equal(t, int32(3), f.requests.Load(), "no texts, no request")
}

func TestGatewayRetriesThrottlingAndServerErrors(t *testing.T) {
	t.Parallel()
	f, srv := newFake(t, 4)
	f.answer = func(n int, w http.ResponseWriter, _ embeddingsRequest) bool {
		switch n {
		case 1:
			http.Error(w, `{"error":"slow down"}`, http.StatusTooManyRequests)
			return true
		case 2:
			http.Error(w, "upstream broke", http.StatusBadGateway)
			return true
		}
		return false
	}
	g, err := NewGateway(WithEndpoint(srv.URL+"/v1"), WithDimensions(4), WithRetries(3, time.Millisecond))
	require.NoError(t, err)
	vs, err := g.Embed(t.Context(), []string{"x"})
	require.NoError(t, err)
	require.Len(t, vs, 1)
	require.Equal(t, int32(3), f.requests.Load())
}

func TestGatewayFailures(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		answer   func(n int, w http.ResponseWriter, req embeddingsRequest) bool
		requests int32
		check    func(t *testing.T, err error)
	}{
		"BadRequestIsNotRetried": {
			answer: func(_ int, w http.ResponseWriter, _ embeddingsRequest) bool {
				http.Error(w, `{"error":"model not found"}`, http.StatusBadRequest)
				return true
			},
			requests: 1,
			check: func(t *testing.T, err error) {
				var se *StatusError
				require.ErrorAs(t, err, &se)
				require.Equal(t, http.StatusBadRequest, se.StatusCode)
				require.Contains(t, se.Body, "model not found")
			},
		},
		"ServerErrorExhaustsRetries": {
			answer: func(_ int, w http.ResponseWriter, _ embeddingsRequest) bool {
				http.Error(w, "down", http.StatusServiceUnavailable)
				return true
			},
			requests: 3,
			check: func(t *testing.T, err error) {
				var se *StatusError
				require.ErrorAs(t, err, &se)
				require.Equal(t, http.StatusServiceUnavailable, se.StatusCode)
			},
		},
		"CountMismatch": {
			answer: func(_ int, w http.ResponseWriter, _ embeddingsRequest) bool {
				_, _ = w.Write([]byte(`{"data":[{"index":0,"embedding":[1,2,3,4]}]}`))
				return true
			},
			requests: 1,
			check:    func(t *testing.T, err error) { require.ErrorIs(t, err, ErrBadResponse) },
		},
		"WrongWidth": {
			answer: func(_ int, w http.ResponseWriter, _ embeddingsRequest) bool {
				_, _ = w.Write([]byte(`{"data":[{"index":0,"embedding":[1]},{"index":1,"embedding":[1]}]}`))
				return true
			},
			requests: 1,
			check:    func(t *testing.T, err error) { require.ErrorIs(t, err, ErrBadResponse) },
		},
		"RepeatedIndex": {
			answer: func(_ int, w http.ResponseWriter, _ embeddingsRequest) bool {
				_, _ = w.Write([]byte(`{"data":[{"index":0,"embedding":[1,2,3,4]},{"index":0,"embedding":[1,2,3,4]}]}`))
				return true
			},
			requests: 1,
			check:    func(t *testing.T, err error) { require.ErrorIs(t, err, ErrBadResponse) },
		},
		"NotJSON": {
			answer: func(_ int, w http.ResponseWriter, _ embeddingsRequest) bool {
				_, _ = w.Write([]byte(`<html>proxy error</html>`))
				return true
			},
			requests: 1,
			check: func(t *testing.T, err error) {
				require.ErrorIs(t, err, ErrBadResponse)
				var syntax *json.SyntaxError
				require.ErrorAs(t, err, &syntax, "the decoder's error is wrapped too")
			},
		},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			f, srv := newFake(t, 4)
			f.answer = tc.answer
			g, err := NewGateway(WithEndpoint(srv.URL+"/v1"), WithDimensions(4), WithRetries(2, time.Millisecond))
			require.NoError(t, err)
			_, err = g.Embed(t.Context(), []string{"a", "b"})
			require.Error(t, err)
			tc.check(t, err)
			require.Equal(t, tc.requests, f.requests.Load())
		})
	}
}

func TestGatewayHonoursDeadline(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(func() { close(release); srv.Close() })
	g, err := NewGateway(WithEndpoint(srv.URL+"/v1"), WithDimensions(4))
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), 50*time.Millisecond)
	defer cancel()
	start := time.Now()
	_, err = g.Embed(ctx, []string{"slow"})
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.Less(t, time.Since(start), 5*time.Second, "the call returns at the deadline, not when the server answers")
}

func TestGatewayConfigFromEnvironment(t *testing.T) {
	t.Setenv(EnvURL, "")
	t.Setenv(EnvKey, "")
	_, err := NewGateway()
	require.ErrorIs(t, err, ErrNoEndpoint)

	var auth atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth.Store(r.Header.Get("Authorization"))
		_, _ = w.Write([]byte(`{"data":[{"index":0,"embedding":[0.5,0.5]}]}`))
	}))
	t.Cleanup(srv.Close)
	t.Setenv(EnvURL, srv.URL+"/v1")
	t.Setenv(EnvKey, "from-env")
	g, err := NewGateway(WithDimensions(2))
	require.NoError(t, err)
	_, err = g.Embed(t.Context(), []string{"x"})
	require.NoError(t, err)
	require.Equal(t, "Bearer from-env", auth.Load())

	_, err = NewGateway(WithBatchSize(0))
	require.Error(t, err)
}
