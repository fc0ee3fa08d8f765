package integration

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/embed"
	"github.com/agentstore/agentstore/ent/schema"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// The default (word-hashing) embedder embeds what the full-text index
// reads — lexemes, stemmed, without stopwords — and the search weighs a
// query's lexemes by IDF, as the sparse arm does.

func TestLexicalDenseArmReadsLexemes(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	_, err := st.Ingest(ctx, storage.DocumentInput{Source: "running.md", Content: "Running, and the runners ran."})
	require.NoError(t, err)

	var stored pgvector.Vector
	require.NoError(t, st.Pool().QueryRow(ctx, `SELECT embedding FROM chunks`).Scan(&stored))
	want := embed.NewDeterministic(schema.EmbeddingDimensions).Vector("run runner ran")
	require.Equal(t, want, stored.Slice(), "the chunk is embedded as its lexemes")

	// "runs" and "running" share a lexeme, not a word.
	hits, err := st.Search(ctx, storage.SearchRequest{Query: "who runs?", SparseWeight: ptr(0.0)})
	require.NoError(t, err)
	require.Len(t, hits, 1)
	require.NotNil(t, hits[0].DenseRank)
	require.Less(t, *hits[0].Distance, 0.5)

	// Words no visible chunk holds give the lexical query no direction.
	hits, err = st.Search(ctx, storage.SearchRequest{Query: "zeppelin", SparseWeight: ptr(0.0)})
	require.NoError(t, err)
	require.Empty(t, hits)
}

func TestLexicalQueryWeighsRareWords(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	docs := []storage.DocumentInput{
		{Source: "ledger.md", Content: "ledger ledger ledger"},
		{Source: "quokka.md", Content: "quokka habitat survey field notes ledger"},
	}
	for i := range 10 {
		docs = append(docs, storage.DocumentInput{Source: fmt.Sprintf("filler-%d.md", i),
			Content: fmt.Sprintf("ledger entry %d for accounts", i)})
	}
	_, err := st.IngestMany(ctx, docs)
	require.NoError(t, err)

	// Unweighted, the all-ledger chunk is nearer (cos 0.71 vs 0.58); under
	// IDF the rare word decides.
	hits, err := st.Search(ctx, storage.SearchRequest{Query: "ledger quokkas", SparseWeight: ptr(0.0)})
	require.NoError(t, err)
	require.NotEmpty(t, hits)
	require.Equal(t, "quokka.md", hits[0].Source)
	require.Equal(t, int64(1), *hits[0].DenseRank)
}

// TestSparseLengthCountsWords: BM25 normalises by a chunk's length in
// words; a chunk repeating one word is long, not short.
func TestSparseLengthCountsWords(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	_, err := st.IngestMany(ctx, []storage.DocumentInput{
		{Source: "varied.md", Content: "quokka alpha bravo charlie delta echo foxtrot golf hotel india juliet"},
		{Source: "repeated.md", Content: "quokka" + strings.Repeat(" kilo", 30)},
	})
	require.NoError(t, err)
	var words []int
	require.NoError(t, st.Pool().QueryRow(ctx, `SELECT array_agg(words ORDER BY content) FROM chunks`).Scan(&words))
	require.Equal(t, []int{11, 31}, words, "written at ingest")
	hits, err := st.Search(ctx, storage.SearchRequest{Query: "quokka", DenseWeight: ptr(0.0)})
	require.NoError(t, err)
	require.Len(t, hits, 2)
	require.Equal(t, "varied.md", hits[0].Source, "11 words is shorter than 31")

	// Chunks written before the column existed read their length from the
	// tsvector.
	_, err = st.Pool().Exec(ctx, `UPDATE chunks SET words = 0`)
	require.NoError(t, err)
	again, err := st.Search(ctx, storage.SearchRequest{Query: "quokka", DenseWeight: ptr(0.0)})
	require.NoError(t, err)
	require.Equal(t, hits, again)
}

// TestSparseRanksAsBM25 ranks the sparse arm against BM25 computed here:
// IDF from the organization's chunk count and the matching chunks, length
// normalised by the average length of the matching chunks (each counted
// once, however many query words it holds).
func TestSparseRanksAsBM25(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	filler := strings.Fields("kilo lima mike november oscar papa quebec romeo sierra tango uniform victor whiskey xray yankee zulu")
	var docs []storage.DocumentInput
	for i, shape := range [][3]int{{1, 0, 2}, {3, 0, 14}, {0, 2, 5}, {2, 2, 16}, {1, 1, 1}, {4, 1, 15}, {0, 1, 0}, {1, 3, 12},
		{0, 0, 6}, {0, 0, 9}, {0, 0, 3}} {
		words := append(slices.Repeat([]string{"alpha"}, shape[0]), slices.Repeat([]string{"bravo"}, shape[1])...)
		words = append(words, filler[:shape[2]]...)
		docs = append(docs, storage.DocumentInput{Source: fmt.Sprintf("doc-%02d.md", i), Content: strings.Join(words, " ")})
	}
	_, err := st.IngestMany(ctx, docs)
	require.NoError(t, err)

	type chunkStats struct {
		Source              string
		Alpha, Bravo, Words int
	}
	rows, err := st.Pool().Query(ctx, `SELECT d.source,
		coalesce(cardinality((SELECT positions FROM unnest(c.content_tsv) WHERE lexeme = 'alpha')), 0),
		coalesce(cardinality((SELECT positions FROM unnest(c.content_tsv) WHERE lexeme = 'bravo')), 0), c.words
		FROM chunks c JOIN documents d ON d.id = c.document_id`)
	require.NoError(t, err)
	stats, err := pgx.CollectRows(rows, pgx.RowToStructByPos[chunkStats])
	require.NoError(t, err)
	require.Len(t, stats, len(docs))

	var matching []chunkStats
	df := [2]float64{}
	for _, c := range stats {
		if c.Alpha+c.Bravo > 0 {
			matching = append(matching, c)
		}
		df[0] += float64(min(c.Alpha, 1))
		df[1] += float64(min(c.Bravo, 1))
	}
	avgdl := 0.0
	for _, c := range matching {
		avgdl += float64(c.Words) / float64(len(matching))
	}
	n := float64(len(stats))
	score := func(c chunkStats) float64 {
		s := 0.0
		for i, tf := range []float64{float64(c.Alpha), float64(c.Bravo)} {
			idf := math.Log(1 + (n-df[i]+0.5)/(df[i]+0.5))
			s += idf * tf * 2.2 / (tf + 1.2*(0.25+0.75*float64(c.Words)/avgdl))
		}
		return s
	}
	slices.SortFunc(matching, func(a, b chunkStats) int { return cmp.Compare(score(b), score(a)) })
	want := make([]string, len(matching))
	for i, c := range matching {
		want[i] = c.Source
	}

	hits, err := st.Search(ctx, storage.SearchRequest{Query: "alpha bravo", DenseWeight: ptr(0.0)})
	require.NoError(t, err)
	got := make([]string, len(hits))
	for i, h := range hits {
		got[i] = h.Source
		require.EqualValues(t, i+1, *h.SparseRank)
	}
	require.Equal(t, want, got)
}

// TestLexicalIngestOnOneConnection: IngestMany reads a lexical embedder's
// lexemes on its own transaction, so a pool of one cannot wait on itself;
// with a spare connection it reads them a batch ahead there, to the same
// result.
func TestLexicalIngestOnOneConnection(t *testing.T) {
	t.Parallel()
	for _, pool := range []int32{1, 4} {
		st := storagetest.Store(t, storage.WithPoolSize(pool))
		ctx, cancel := context.WithTimeout(member(t.Context(), "acme"), time.Minute)
		defer cancel()
		docs := make([]storage.DocumentInput, 2500) // three batches
		for i := range docs {
			docs[i] = storage.DocumentInput{Source: fmt.Sprintf("d%d", i), Content: fmt.Sprintf("note %d about otters", i)}
		}
		res, err := st.IngestMany(ctx, docs)
		require.NoError(t, err)
		require.Equal(t, len(docs), res.Chunks)
		hits, err := st.Search(ctx, storage.SearchRequest{Query: "otter", SparseWeight: ptr(0.0), Limit: 5})
		require.NoError(t, err)
		require.Len(t, hits, 5, "pool of %d", pool)
		var unread int // every chunk has its tsvector and a direction
		require.NoError(t, st.Pool().QueryRow(ctx, `SELECT count(*) FROM chunks
WHERE content_tsv IS NULL OR words IS NULL OR vector_norm(embedding) = 0`).Scan(&unread))
		require.Zero(t, unread, "pool of %d", pool)
	}
}

// TestTextSearchConfigIsPartOfContent: a lexical embedder's chunks are
// embedded under the text search configuration, so another configuration
// re-embeds unchanged content.
func TestTextSearchConfigIsPartOfContent(t *testing.T) {
	t.Parallel()
	schemaURL := storagetest.NewSchema(t).URL
	ctx := member(t.Context(), "acme")
	in := storage.DocumentInput{Source: "a.md", Content: "Running runners"}
	for _, c := range []struct {
		config, lexemes string
		unchanged       bool
	}{{"english", "run runner", false}, {"english", "run runner", true}, {"simple", "running runners", false}} {
		st, err := storage.Open(ctx, schemaURL, storage.WithTextSearchConfig(c.config))
		require.NoError(t, err)
		res, err := st.Ingest(ctx, in)
		require.NoError(t, err)
		require.Equal(t, c.unchanged, res.Unchanged, c.config)
		var stored pgvector.Vector
		require.NoError(t, st.Pool().QueryRow(ctx, `SELECT embedding FROM chunks`).Scan(&stored))
		require.Equal(t, embed.NewDeterministic(schema.EmbeddingDimensions).Vector(c.lexemes), stored.Slice(), c.config)
		var same bool
		require.NoError(t, st.Pool().QueryRow(ctx, `SELECT content_tsv = to_tsvector($1::regconfig, $2) FROM chunks`,
			c.config, in.Content).Scan(&same))
		require.True(t, same, "the stored tsvector reads the text under %s", c.config)
		require.NoError(t, st.Close())
	}
}

// TestCorpusSizeFollowsWrites: BM25's N (the organization's chunk count)
// is cached, and a write through the store refreshes it. Under N = 3 the
// chunk with the rarer word ranks first; under N = 1003 both words are rare
// and the chunk repeating the other one wins.
func TestCorpusSizeFollowsWrites(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	_, err := st.IngestMany(ctx, []storage.DocumentInput{
		{Source: "x.md", Content: "alpha wharf quay pier"},
		{Source: "y.md", Content: "beta beta dock jetty"},
		{Source: "z.md", Content: "beta slip mooring berth"},
	})
	require.NoError(t, err)
	first := func() string {
		hits, err := st.Search(ctx, storage.SearchRequest{Query: "alpha beta", DenseWeight: ptr(0.0)})
		require.NoError(t, err)
		require.Len(t, hits, 3)
		return hits[0].Source
	}
	require.Equal(t, "x.md", first())
	fillers := make([]storage.DocumentInput, 1000)
	for i := range fillers {
		fillers[i] = storage.DocumentInput{Source: fmt.Sprintf("filler-%d.md", i), Content: "gamma delta epsilon zeta"}
	}
	_, err = st.IngestMany(ctx, fillers)
	require.NoError(t, err)
	require.Equal(t, "y.md", first())
}
