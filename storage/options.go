package storage

import (
	"context"
	"fmt"
	"log/slog"
	"math"
	"regexp"
	"runtime"
	"time"

	"github.com/agentstore/agentstore/embed"
	"github.com/agentstore/agentstore/ent/schema"
)

// Defaults of the options.
const (
	// DefaultStatementTimeout bounds every statement on the pool.
	DefaultStatementTimeout = 30 * time.Second
	// DefaultTextSearchConfig is the PostgreSQL text-search configuration.
	DefaultTextSearchConfig = "english"
	// DefaultMaxPayloadBytes caps each text or JSON field written.
	DefaultMaxPayloadBytes = 1 << 20
	// MaxPageSize is the largest page a list call returns.
	MaxPageSize = 1000
)

// Option configures Open.
type Option func(*config)

type config struct {
	poolSize         int32
	statementTimeout time.Duration
	textSearchConfig string
	logger           *slog.Logger
	embedder         embed.Embedder
	maxPayloadBytes  int
}

func defaults() config {
	return config{
		poolSize:         int32(max(4, 2*runtime.GOMAXPROCS(0))),
		statementTimeout: DefaultStatementTimeout,
		textSearchConfig: DefaultTextSearchConfig,
		logger:           slog.New(slog.DiscardHandler),
		embedder:         embed.NewDeterministic(schema.EmbeddingDimensions),
		maxPayloadBytes:  DefaultMaxPayloadBytes,
	}
}

// WithPoolSize sets the most connections the pool opens. Default
// max(4, 2×GOMAXPROCS).
func WithPoolSize(n int32) Option { return func(c *config) { c.poolSize = n } }

// WithStatementTimeout sets PostgreSQL's statement_timeout for every
// connection; a statement that runs longer fails with ErrTimeout. Default
// DefaultStatementTimeout; 0 disables it.
func WithStatementTimeout(d time.Duration) Option {
	return func(c *config) { c.statementTimeout = d }
}

// WithTextSearchConfig sets the text-search configuration used for queries.
// Default DefaultTextSearchConfig.
func WithTextSearchConfig(name string) Option {
	return func(c *config) { c.textSearchConfig = name }
}

// WithLogger sets the logger. Default: discard.
func WithLogger(l *slog.Logger) Option { return func(c *config) { c.logger = l } }

// WithEmbedder sets the embedder for knowledge and memory. Its Dimensions
// must equal the embedding column width (schema.EmbeddingDimensions), or
// Open fails with ErrDimensionMismatch. Default: the deterministic embedder.
func WithEmbedder(e embed.Embedder) Option { return func(c *config) { c.embedder = e } }

// WithMaxPayloadBytes caps the size of each text or JSON field written.
// Default DefaultMaxPayloadBytes.
func WithMaxPayloadBytes(n int) Option { return func(c *config) { c.maxPayloadBytes = n } }

var identifier = regexp.MustCompile(`^[a-z_][a-z0-9_]*$`)

func (c config) validate() error {
	switch {
	case c.poolSize < 1:
		return invalid("pool size", "%d is not positive", c.poolSize)
	case c.statementTimeout < 0:
		return invalid("statement timeout", "%s is negative", c.statementTimeout)
	case !identifier.MatchString(c.textSearchConfig):
		return invalid("text search config", "%q is not a configuration name", c.textSearchConfig)
	case c.logger == nil:
		return invalid("logger", "nil")
	case c.embedder == nil:
		return invalid("embedder", "nil")
	case c.maxPayloadBytes < 1:
		return invalid("max payload bytes", "%d is not positive", c.maxPayloadBytes)
	}
	if d := c.embedder.Dimensions(); d != schema.EmbeddingDimensions {
		return &DimensionMismatchError{Embedder: d, Column: schema.EmbeddingDimensions}
	}
	return nil
}

func (c config) String() string {
	return fmt.Sprintf("pool=%d statement_timeout=%s text_search=%s", c.poolSize, c.statementTimeout, c.textSearchConfig)
}

// lexical reports whether the embedder hashes words (the deterministic
// one): it then embeds lexemes, as the full-text index reads text, and the
// search weighs a query's lexemes by IDF.
func (c config) lexical() bool { return embed.IsLexical(c.embedder) }

// embed runs the embedder and checks its answer once for every caller: one
// vector per text, each as wide as the embedding columns, all values finite.
func (c config) embed(ctx context.Context, texts []string) ([][]float32, error) {
	vecs, err := c.embedder.Embed(ctx, texts)
	if err != nil {
		return nil, fmt.Errorf("storage: embed: %w", err)
	}
	if len(vecs) != len(texts) {
		return nil, fmt.Errorf("%w: %d vectors for %d texts", ErrBadEmbedding, len(vecs), len(texts))
	}
	for i, v := range vecs {
		if len(v) != schema.EmbeddingDimensions {
			return nil, &DimensionMismatchError{Embedder: len(v), Column: schema.EmbeddingDimensions}
		}
		for _, x := range v {
			if math.IsNaN(float64(x)) || math.IsInf(float64(x), 0) {
				return nil, fmt.Errorf("%w: vector %d holds %v", ErrBadEmbedding, i, x)
			}
		}
	}
	return vecs, nil
}
