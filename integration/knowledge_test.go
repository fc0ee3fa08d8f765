package integration

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/embed"
	"github.com/agentstore/agentstore/ent/chunk"
	"github.com/agentstore/agentstore/ent/schema"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// countingEmbedder counts the texts it embeds.
type countingEmbedder struct {
	embed.Deterministic
	texts atomic.Int64
}

func (c *countingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	c.texts.Add(int64(len(texts)))
	return c.Deterministic.Embed(ctx, texts)
}

func paragraph(word string, n int) string {
	return strings.TrimSpace(strings.Repeat(word+" refund policy details ", n))
}

func TestIngestWritesDocumentAndChunks(t *testing.T) {
	t.Parallel()
	emb := &countingEmbedder{Deterministic: embed.NewDeterministic(schema.EmbeddingDimensions)}
	st := storagetest.Store(t, storage.WithEmbedder(emb))
	ctx := member(t.Context(), "acme")
	sys := access.SystemContext(t.Context())

	res, err := st.Ingest(ctx, storage.DocumentInput{ID: "handbook", Source: "docs/handbook.md", Content: paragraph("alpha", 60),
		ACL: &access.ACL{Groups: []string{"support"}}, DocumentSets: []string{"public-docs"}, Metadata: map[string]any{"lang": "en"}})
	require.NoError(t, err)
	require.False(t, res.Unchanged)
	require.Greater(t, res.Chunks, 2)
	require.Equal(t, int64(res.Chunks), emb.texts.Load())
	chunks, err := st.Client().Chunk.Query().Where(chunk.DocumentID("handbook")).Order(chunk.ByChunkIndex()).All(sys)
	require.NoError(t, err)
	require.Len(t, chunks, res.Chunks)
	for i, c := range chunks {
		require.Equal(t, "handbook#"+string(rune('0'+i)), c.ID[:len("handbook#")]+string(rune('0'+i)))
		require.Equal(t, []string{"group:support"}, []string(c.ACL), "the document's ACL is on every chunk")
		require.Equal(t, []string{"public-docs"}, []string(c.DocumentSets))
		require.Equal(t, map[string]any{"lang": "en"}, c.Metadata)
	}
	require.Equal(t, "handbook#0", chunks[0].ID)

	// Unchanged content: no embedding call, but the new ACL reaches the chunks.
	res, err = st.Ingest(ctx, storage.DocumentInput{Source: "docs/handbook.md", Content: paragraph("alpha", 60),
		ACL: &access.ACL{Public: true}})
	require.NoError(t, err)
	require.True(t, res.Unchanged)
	require.Equal(t, len(chunks), res.Chunks)
	require.Equal(t, int64(len(chunks)), emb.texts.Load(), "no embedding call for unchanged content")
	visible, err := st.Client().Chunk.Query().Where(chunk.DocumentID("handbook")).Count(member(t.Context(), "acme"))
	require.NoError(t, err)
	require.Equal(t, len(chunks), visible, "public now")

	// New content replaces the chunks.
	res, err = st.Ingest(ctx, storage.DocumentInput{Source: "docs/handbook.md", Content: "a short new version"})
	require.NoError(t, err)
	require.Equal(t, "handbook", res.Document.ID, "the source keeps its document")
	require.Equal(t, 1, res.Chunks)
	ids, err := st.Client().Chunk.Query().Where(chunk.DocumentID("handbook")).IDs(sys)
	require.NoError(t, err)
	require.Equal(t, []string{"handbook#0"}, ids)

	gone, err := st.DeleteDocument(ctx, "handbook")
	require.NoError(t, err)
	require.True(t, gone)
	n, err := st.Client().Chunk.Query().Count(sys)
	require.NoError(t, err)
	require.Zero(t, n, "chunks go with their document")
}

func TestTitleHeadsEveryChunk(t *testing.T) {
	t.Parallel()
	emb := &countingEmbedder{Deterministic: embed.NewDeterministic(schema.EmbeddingDimensions)}
	st := storagetest.Store(t, storage.WithEmbedder(emb))
	ctx := member(t.Context(), "acme")
	title := "Zeppelin maintenance"
	in := storage.DocumentInput{Source: "manual.md", Title: &title, Content: paragraph("alpha", 60)}
	res, err := st.Ingest(ctx, in)
	require.NoError(t, err)
	require.Greater(t, res.Chunks, 2)
	require.NotContains(t, in.Content, "zeppelin")

	// Only the title names the subject, yet every chunk is found by it, in
	// both arms.
	hits, err := st.Search(ctx, storage.SearchRequest{Query: "zeppelin", Limit: 50})
	require.NoError(t, err)
	require.Len(t, hits, res.Chunks)
	for _, h := range hits {
		require.NotNil(t, h.SparseRank, h.ChunkID)
		require.NotNil(t, h.DenseRank, h.ChunkID)
		require.Less(t, *h.Distance, 0.99, "the title's words are in the chunk's embedding")
		require.NotContains(t, h.Content, "Zeppelin", "the heading is not part of the content")
	}
	headings, err := st.Client().Chunk.Query().Select(chunk.FieldHeading).Strings(access.SystemContext(t.Context()))
	require.NoError(t, err)
	require.Len(t, headings, res.Chunks)
	for _, h := range headings {
		require.Equal(t, title, h)
	}

	// A new title is new content: re-embedded, re-headed.
	before := emb.texts.Load()
	retitled := "Airship care"
	in.Title = &retitled
	res, err = st.Ingest(ctx, in)
	require.NoError(t, err)
	require.False(t, res.Unchanged)
	require.Equal(t, before+int64(res.Chunks), emb.texts.Load())
	hits, err = st.Search(ctx, storage.SearchRequest{Query: "zeppelin"})
	require.NoError(t, err)
	require.NotEmpty(t, hits, "the dense arm always has neighbours")
	for _, h := range hits {
		require.Nil(t, h.SparseRank, "the old title is gone from the sparse arm")
		require.InDelta(t, 1, *h.Distance, 1e-6, "and from the embeddings")
	}

	long := strings.Repeat("t", storage.MaxTitleBytes+1)
	in.Title = &long
	_, err = st.Ingest(ctx, in)
	require.ErrorIs(t, err, storage.ErrInvalidInput)
}

func TestIngestACLStamp(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	for source, meta := range map[string]map[string]any{
		"stamped":   {"acl": map[string]any{"users": []any{"ann"}}},
		"malformed": {"acl": map[string]any{"users": "ann"}},
		"none":      {},
	} {
		_, err := st.Ingest(ctx, storage.DocumentInput{ID: source, Source: source, Content: "refund policy", Metadata: meta})
		require.NoError(t, err)
	}
	bob := access.NewContext(t.Context(), access.Viewer{OrganizationID: "acme", UserID: "bob"})
	ids, err := st.Client().Document.Query().IDs(bob)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"malformed", "none"}, ids, "a malformed stamp is absent, never locking")
	ann := access.NewContext(t.Context(), access.Viewer{OrganizationID: "acme", UserID: "ann"})
	ids, err = st.Client().Document.Query().IDs(ann)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"stamped", "malformed", "none"}, ids)
}

// TestReingestIsAtomic: while writers alternate two versions of one source,
// every read sees all chunks of one version, never a mix.
func TestReingestIsAtomic(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	versions := []string{paragraph("alpha", 40), paragraph("omega", 90)}
	_, err := st.Ingest(ctx, storage.DocumentInput{ID: "doc", Source: "doc.md", Content: versions[0]})
	require.NoError(t, err)

	stop := make(chan struct{})
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; ; i++ {
				select {
				case <-stop:
					return
				default:
				}
				_, err := st.Ingest(ctx, storage.DocumentInput{Source: "doc.md", Content: versions[(i+w)%2]})
				if !assertNoError(t, err) {
					return
				}
			}
		}()
	}
	reads := 0
	for range 300 {
		rows, err := st.Pool().Query(t.Context(), `SELECT content FROM chunks WHERE document_id = 'doc'`)
		require.NoError(t, err)
		var alpha, omega int
		for rows.Next() {
			var c string
			require.NoError(t, rows.Scan(&c))
			if strings.Contains(c, "alpha") {
				alpha++
			}
			if strings.Contains(c, "omega") {
				omega++
			}
		}
		require.NoError(t, rows.Err())
		require.True(t, (alpha > 0) != (omega > 0), "a read saw %d alpha and %d omega chunks", alpha, omega)
		reads++
	}
	close(stop)
	wg.Wait()
	require.Equal(t, 300, reads)

	// After the writers: one complete version, chunk indexes 0..n-1.
	var n, top int
	var content string
	require.NoError(t, st.Pool().QueryRow(t.Context(), `SELECT count(*), max(chunk_index), string_agg(content, ' ' ORDER BY chunk_index)
FROM chunks WHERE document_id = 'doc'`).Scan(&n, &top, &content))
	require.Equal(t, n-1, top)
	want := len(storage.SplitText(versions[0], storage.DefaultChunkSize, storage.DefaultChunkOverlap))
	if strings.Contains(content, "omega") {
		want = len(storage.SplitText(versions[1], storage.DefaultChunkSize, storage.DefaultChunkOverlap))
	}
	require.Equal(t, want, n, "the stored version is whole")
}

// assertNoError reports err from a goroutine (where require cannot stop the
// test) and says whether to go on.
func assertNoError(t *testing.T, err error) bool {
	if err != nil {
		t.Errorf("%v", err)
		return false
	}
	return true
}

func TestIngestBadInput(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	for name, in := range map[string]storage.DocumentInput{
		"NoSource":      {Content: "x"},
		"NULContent":    {Source: "a", Content: "a\x00b"},
		"BadUTF8":       {Source: "a", Content: "\xff"},
		"ZeroBoost":     {Source: "a", Content: "x", Boost: ptr(0.0)},
		"EmptyGroup":    {Source: "a", Content: "x", ACL: &access.ACL{Groups: []string{""}}},
		"EmptySet":      {Source: "a", Content: "x", DocumentSets: []string{""}},
		"HugeSourceURL": {Source: strings.Repeat("s", storage.MaxSourceBytes+1), Content: "x"},
	} {
		_, err := st.Ingest(ctx, in)
		require.ErrorIs(t, err, storage.ErrInvalidInput, name)
	}
	n, err := st.Client().Document.Query().Count(ctx)
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestIngestMany(t *testing.T) {
	t.Parallel()
	emb := &countingEmbedder{Deterministic: embed.NewDeterministic(schema.EmbeddingDimensions)}
	st := storagetest.Store(t, storage.WithEmbedder(emb))
	ctx := member(t.Context(), "acme")
	sys := access.SystemContext(t.Context())
	var docs []storage.DocumentInput
	for i := range 30 {
		docs = append(docs, storage.DocumentInput{Source: "bulk/" + string(rune('a'+i%26)) + string(rune('a'+i/26)),
			Content: paragraph("word"+string(rune('a'+i%26)), 3+i%7), ACL: &access.ACL{Public: i%2 == 0}})
	}
	res, err := st.IngestMany(ctx, docs)
	require.NoError(t, err)
	require.Equal(t, 30, res.Documents)
	require.Zero(t, res.Unchanged)
	n, err := st.Client().Chunk.Query().Count(sys)
	require.NoError(t, err)
	require.Equal(t, res.Chunks, n)
	require.Equal(t, int64(n), emb.texts.Load())

	// Same content again: skipped whole; one changed document is replaced,
	// its old chunks gone.
	chunksOf := func(source string) (all, stale int) {
		t.Helper()
		require.NoError(t, st.Pool().QueryRow(t.Context(), `SELECT count(*), count(*) FILTER (WHERE c.content NOT LIKE '%entirely new%')
FROM chunks c JOIN documents d ON d.id = c.document_id WHERE d.source = $1`, source).Scan(&all, &stale))
		return all, stale
	}
	_, stale := chunksOf(docs[3].Source)
	require.Positive(t, stale)
	docs[3].Content = "entirely new words here"
	res, err = st.IngestMany(ctx, docs)
	require.NoError(t, err)
	require.Equal(t, 1, res.Documents)
	require.Equal(t, 29, res.Unchanged)
	require.Equal(t, 1, res.Chunks)
	all, stale := chunksOf(docs[3].Source)
	require.Equal(t, [2]int{1, 0}, [2]int{all, stale})
	total, err := st.Client().Document.Query().Count(sys)
	require.NoError(t, err)
	require.Equal(t, 30, total)

	// Half of them are locked to nobody: a member sees the other half.
	visible, err := st.Client().Document.Query().Count(ctx)
	require.NoError(t, err)
	require.Equal(t, 15, visible)

	_, err = st.IngestMany(ctx, []storage.DocumentInput{{Source: "x", Content: "a"}, {Source: "x", Content: "b"}})
	require.ErrorIs(t, err, storage.ErrInvalidInput)
	_, err = st.IngestMany(ctx, []storage.DocumentInput{{Source: "y", Content: "a\x00"}})
	require.ErrorIs(t, err, storage.ErrInvalidInput)
}

// failingEmbedder embeds until its countdown of calls runs out, then fails
// or cancels the ingest.
type failingEmbedder struct {
	embed.Deterministic
	calls  atomic.Int64
	failAt int64
	cancel context.CancelFunc // nil: fail with an error
}

func (f *failingEmbedder) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if f.calls.Add(1) == f.failAt {
		if f.cancel != nil {
			f.cancel()
			return nil, ctx.Err()
		}
		return nil, errors.New("embedder down")
	}
	return f.Deterministic.Embed(ctx, texts)
}

func TestIngestManyIsAllOrNothing(t *testing.T) {
	t.Parallel()
	// Batches after the first are embedded while the one before is written:
	// a failure (or cancellation) there must still leave nothing behind.
	docs := make([]storage.DocumentInput, 2500)
	for i := range docs {
		docs[i] = storage.DocumentInput{Source: fmt.Sprintf("doc-%d", i), Content: fmt.Sprintf("document %d", i)}
	}
	for _, cancels := range []bool{false, true} {
		for _, failAt := range []int64{1, 2, 3} {
			emb := &failingEmbedder{Deterministic: embed.NewDeterministic(schema.EmbeddingDimensions), failAt: failAt}
			st := storagetest.Store(t, storage.WithEmbedder(emb))
			ctx, cancel := context.WithCancel(member(t.Context(), "acme"))
			if cancels {
				emb.cancel = cancel
			}
			_, err := st.IngestMany(ctx, docs)
			cancel()
			require.Error(t, err, "fail at call %d (calls %d)", failAt, emb.calls.Load())
			if cancels {
				require.ErrorIs(t, err, context.Canceled)
			}
			n, err := st.Client().Document.Query().Count(access.SystemContext(t.Context()))
			require.NoError(t, err)
			require.Zero(t, n, "fail at call %d (cancel %v): nothing is written", failAt, cancels)
		}
	}
	emb := &failingEmbedder{Deterministic: embed.NewDeterministic(schema.EmbeddingDimensions)}
	st := storagetest.Store(t, storage.WithEmbedder(emb))
	res, err := st.IngestMany(member(t.Context(), "acme"), docs)
	require.NoError(t, err)
	require.Equal(t, 2500, res.Documents)
	require.Equal(t, int64(3), emb.calls.Load(), "one embedding call per batch of 1000")
}
