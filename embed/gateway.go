package embed

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/agentstore/agentstore/internal/gateway"
)

// Environment variables read by NewGateway when the options leave the
// endpoint or key unset.
const (
	EnvURL = "AGENTSTORE_EMBEDDINGS_URL"
	EnvKey = "AGENTSTORE_EMBEDDINGS_KEY"
)

// Defaults of the gateway embedder.
const (
	DefaultGatewayModel = "text-embedding-3-small"
	DefaultBatchSize    = 64
	DefaultMaxRetries   = 3
	DefaultBackoff      = 200 * time.Millisecond
	DefaultTimeout      = 30 * time.Second
)

// Errors of the gateway embedder.
var (
	// ErrNoEndpoint: neither the option nor AGENTSTORE_EMBEDDINGS_URL
	// names the gateway.
	ErrNoEndpoint = errors.New("embed: no embeddings endpoint (set " + EnvURL + ")")
	// ErrBadResponse: a 2xx answer that does not fit the request (wrong
	// count, wrong width, bad or repeated indices, not JSON).
	ErrBadResponse = errors.New("embed: bad response from the embeddings gateway")
)

// StatusError is a non-2xx answer from the gateway.
type StatusError = gateway.StatusError

// Gateway embeds through an OpenAI-compatible HTTP API:
// POST {base}/embeddings with {model, input, dimensions}, base ending in /v1.
type Gateway struct {
	base, key, model string
	dims, batch      int
	retries          int
	backoff          time.Duration
	client           *http.Client
}

var _ Embedder = (*Gateway)(nil)

// GatewayOption configures NewGateway.
type GatewayOption func(*Gateway)

// WithEndpoint sets the base URL (…/v1). Default $AGENTSTORE_EMBEDDINGS_URL.
func WithEndpoint(base string) GatewayOption { return func(g *Gateway) { g.base = base } }

// WithKey sets the bearer key. Default $AGENTSTORE_EMBEDDINGS_KEY; none is
// sent when both are empty.
func WithKey(key string) GatewayOption { return func(g *Gateway) { g.key = key } }

// WithModel sets the model. Default DefaultGatewayModel.
func WithModel(model string) GatewayOption { return func(g *Gateway) { g.model = model } }

// WithDimensions sets the vector width asked for (the request's dimensions
// field) and checked in answers. Default 1024, the column width.
func WithDimensions(n int) GatewayOption { return func(g *Gateway) { g.dims = n } }

// WithBatchSize sets how many texts go in one request. Default
// DefaultBatchSize.
func WithBatchSize(n int) GatewayOption { return func(g *Gateway) { g.batch = n } }

// WithRetries sets how often a 429 or 5xx answer is retried, with
// exponential backoff from base (or the server's Retry-After). Default
// DefaultMaxRetries and DefaultBackoff.
func WithRetries(n int, base time.Duration) GatewayOption {
	return func(g *Gateway) { g.retries, g.backoff = n, base }
}

// WithHTTPClient sets the HTTP client. Default: one with DefaultTimeout.
func WithHTTPClient(c *http.Client) GatewayOption { return func(g *Gateway) { g.client = c } }

// NewGateway returns a gateway embedder.
func NewGateway(opts ...GatewayOption) (*Gateway, error) {
	g := &Gateway{
		base: os.Getenv(EnvURL), key: os.Getenv(EnvKey), model: DefaultGatewayModel, dims: 1024,
		batch: DefaultBatchSize, retries: DefaultMaxRetries, backoff: DefaultBackoff,
		client: &http.Client{Timeout: DefaultTimeout},
	}
	for _, o := range opts {
		o(g)
	}
	g.base = strings.TrimRight(g.base, "/")
	switch {
	case g.base == "":
		return nil, ErrNoEndpoint
	case g.dims < 1, g.batch < 1, g.retries < 0, g.backoff < 0:
		return nil, fmt.Errorf("embed: invalid gateway options (dimensions %d, batch %d, retries %d, backoff %s)",
			g.dims, g.batch, g.retries, g.backoff)
	}
	return g, nil
}

// Dimensions is the width asked for.
func (g *Gateway) Dimensions() int { return g.dims }

// Embed embeds texts in batches; no texts, no request.
func (g *Gateway) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	out := make([][]float32, 0, len(texts))
	for start := 0; start < len(texts); start += g.batch {
		batch := texts[start:min(start+g.batch, len(texts))]
		vs, err := g.embedBatch(ctx, batch)
		if err != nil {
			return nil, err
		}
		out = append(out, vs...)
	}
	return out, nil
}

type embeddingsRequest struct {
	Model      string   `json:"model"`
	Input      []string `json:"input"`
	Dimensions int      `json:"dimensions"`
}

type embeddingsResponse struct {
	Data []struct {
		Index     int       `json:"index"`
		Embedding []float32 `json:"embedding"`
	} `json:"data"`
}

func (g *Gateway) embedBatch(ctx context.Context, input []string) ([][]float32, error) {
	body, err := json.Marshal(embeddingsRequest{Model: g.model, Input: input, Dimensions: g.dims})
	if err != nil {
		return nil, err
	}
	var resp embeddingsResponse
	call := gateway.Call{Client: g.client, URL: g.base + "/embeddings", Key: g.key, Retries: g.retries, Backoff: g.backoff}
	if err := call.Post(ctx, body, &resp); err != nil {
		if errors.Is(err, gateway.ErrDecode) {
			return nil, fmt.Errorf("%w: %w", ErrBadResponse, err)
		}
		return nil, err
	}
	if len(resp.Data) != len(input) {
		return nil, fmt.Errorf("%w: %d embeddings for %d inputs", ErrBadResponse, len(resp.Data), len(input))
	}
	sort.SliceStable(resp.Data, func(i, j int) bool { return resp.Data[i].Index < resp.Data[j].Index })
	out := make([][]float32, len(input))
	for i, d := range resp.Data {
		switch {
		case d.Index != i:
			return nil, fmt.Errorf("%w: indices are not 0..%d", ErrBadResponse, len(input)-1)
		case len(d.Embedding) != g.dims:
			return nil, fmt.Errorf("%w: embedding %d has %d dimensions, want %d", ErrBadResponse, i, len(d.Embedding), g.dims)
		}
		out[i] = d.Embedding
	}
	return out, nil
}
