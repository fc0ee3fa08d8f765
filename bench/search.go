package bench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/pgvector/pgvector-go"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/embed"
	"github.com/agentstore/agentstore/ent/schema"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/vector"
)

// SearchConfig sizes the knowledge benchmark.
type SearchConfig struct {
	URL           string
	Chunks        int // synthetic one-chunk documents, spread over Organizations
	Organizations int
	Queries       int
	// Passes over the queries are timed per measurement, after one untimed
	// pass that warms the caches; percentiles are over every timed search.
	Passes int
	// Writes are the documents another organization ingests while the
	// last measurement searches.
	Writes int
}

// SearchDefaults are the sizes of the published numbers.
func SearchDefaults(url string) SearchConfig {
	return SearchConfig{URL: url, Chunks: 100_000, Organizations: 10, Queries: 200, Passes: 2, Writes: 2000}
}

// RunSearch loads synthetic knowledge (1024-d, ~50% hidden by ACLs, 10% in
// the set "tenth"), measures ingest against a raw COPY floor, the HNSW
// build, search latency per arm with and without the 10% filter, the dense
// arm's recall@10 against exact search, the library's hybrid latency
// against the same statement run directly, and the hybrid's latency while
// another organization ingests; it prints the tables to w.
func RunSearch(ctx context.Context, cfg SearchConfig, w io.Writer) error {
	if cfg.Chunks < cfg.Organizations*20 || cfg.Organizations < 1 || cfg.Queries < 1 || cfg.Passes < 1 || cfg.Writes < 1 {
		return fmt.Errorf("bench: search config %+v is too small", cfg)
	}
	e, err := setup(ctx, cfg.URL, 6)
	if err != nil {
		return err
	}
	defer e.close(context.WithoutCancel(ctx))
	r := rand.New(rand.NewPCG(11, 11))
	vocab := vocabulary(5000)
	docs := make([][]storage.DocumentInput, cfg.Organizations)
	for i := range cfg.Chunks {
		o := i % cfg.Organizations
		d := storage.DocumentInput{Source: fmt.Sprintf("doc-%d", i), Content: sentence(r, vocab, 40)}
		// Drawn apart from the organization, so each one has its share.
		if r.IntN(2) == 1 {
			d.ACL = &access.ACL{Groups: []string{"secret"}}
		}
		if r.IntN(10) == 0 {
			d.DocumentSets = []string{"tenth"}
		}
		docs[o] = append(docs[o], d)
	}
	// No autovacuum while ingest and floor take turns: it would run on one
	// core during whichever comes next (the floor's cleanup leaves dead
	// rows); the floor vacuums after itself, untimed, and the tables are
	// vacuumed after the load.
	for _, q := range []string{`DROP INDEX chunk_embedding`, `ALTER TABLE documents SET (autovacuum_enabled = off)`,
		`ALTER TABLE chunks SET (autovacuum_enabled = off)`} {
		if _, err := e.pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("bench: %s: %w", q, err)
		}
	}

	// Library ingest against the floor, the same rows by COPY into the same
	// table, in turns (an organization each), so the machine's drift falls
	// on both. Each starts from a checkpoint, so neither pays for flushing
	// what the other left dirty.
	var library, floor time.Duration
	for o := range docs {
		octx := access.NewContext(ctx, access.Viewer{OrganizationID: orgName(o), Role: access.RoleAdmin})
		e.checkpoint(ctx)
		start := time.Now()
		if _, err := e.store.IngestMany(octx, docs[o]); err != nil {
			return fmt.Errorf("bench: ingest: %w", err)
		}
		library += time.Since(start)
		took, err := copyFloor(ctx, e, docs[o])
		if err != nil {
			return err
		}
		floor += took
	}
	libRate := float64(cfg.Chunks) / library.Seconds()
	floorRate := float64(cfg.Chunks) / floor.Seconds()

	start := time.Now()
	for _, q := range []string{`SET maintenance_work_mem = '1GB'`,
		`CREATE INDEX chunk_embedding ON chunks USING hnsw (embedding vector_cosine_ops)`,
		`ALTER TABLE documents RESET (autovacuum_enabled)`, `ALTER TABLE chunks RESET (autovacuum_enabled)`,
		// As after any bulk load: GIN's pending list merged (every search
		// scans it until then), visibility map set (index-only counts),
		// both tables' statistics fresh (not left to autoanalyze, which
		// would run beside the searches).
		`VACUUM ANALYZE chunks, documents`} {
		if _, err := e.pool.Exec(ctx, q); err != nil {
			return fmt.Errorf("bench: %s: %w", q, err)
		}
	}
	build := time.Since(start)
	fmt.Fprintf(w, "agentstore search bench: %d chunks, %d organizations, 1024-d\n\n", cfg.Chunks, cfg.Organizations)
	fmt.Fprintf(w, "| ingest | rows/s |\n|---|---|\n| library (IngestMany, tx, COPY) | %.0f |\n| raw COPY floor | %.0f |\n| library / floor | %.2f |\n",
		libRate, floorRate, libRate/floorRate)
	fmt.Fprintf(w, "\nHNSW build, then VACUUM ANALYZE: %s\n", build.Round(time.Millisecond))
	start = time.Now()
	for o := range docs {
		if err := e.store.IndexOrganization(access.SystemContext(ctx), orgName(o)); err != nil {
			return fmt.Errorf("bench: organization index: %w", err)
		}
	}
	fmt.Fprintf(w, "each organization's own HNSW index (%d, built concurrently): %s\n\n", len(docs),
		time.Since(start).Round(time.Millisecond))
	// The builds leave most of shared_buffers dirty: flushed now, not by a
	// spread checkpoint running beside the searches.
	e.checkpoint(ctx)

	// The same vectors behind an embedder the store cannot tell from a
	// semantic model: its dense arm is the HNSW index.
	semantic, err := storage.Open(ctx, e.url, storage.WithEmbedder(standIn{e.store.Embedder()}), storage.WithPoolSize(2))
	if err != nil {
		return err
	}
	defer semantic.Close()
	viewer := access.NewContext(ctx, access.Viewer{OrganizationID: orgName(0), UserID: "bench"})
	queries := make([]string, cfg.Queries)
	for i := range queries {
		queries[i] = sentence(r, vocab, 3)
	}
	zero, one := 0.0, 1.0
	var timings []*searchTiming
	for _, arm := range []struct {
		embedder, name string
		store          *storage.Store
		dense, sparse  *float64
	}{
		{"default (lexical)", "dense", e.store, &one, &zero}, {"default (lexical)", "sparse", e.store, &zero, &one},
		{"default (lexical)", "hybrid", e.store, &one, &one},
		{"semantic stand-in", "dense (HNSW)", semantic, &one, &zero}, {"semantic stand-in", "hybrid", semantic, &one, &one},
	} {
		for _, sets := range [][]string{nil, {"tenth"}} {
			timings = append(timings, &searchTiming{embedder: arm.embedder, name: arm.name, store: arm.store,
				request: storage.SearchRequest{Limit: 10, DocumentSets: sets, DenseWeight: arm.dense, SparseWeight: arm.sparse}})
		}
	}
	if err := timeSearches(viewer, queries, cfg.Passes, timings); err != nil {
		return err
	}
	fmt.Fprintln(w, "| embedder | search | filter | p50 | p95 | hits |\n|---|---|---|---|---|---|")
	for _, m := range timings {
		fmt.Fprintf(w, "| %s | %s | %s | %s | %s | %d short pages |\n", m.embedder, m.name, filterName(m.request.DocumentSets),
			ms(percentile(m.lat, 50)), ms(percentile(m.lat, 95)), m.short)
	}

	fmt.Fprintln(w, "\n| dense arm recall@10 against exact search over every chunk the viewer may read | filter | by chunk id | ties at the 10th distance found | arm p50 | exact search p50 |\n|---|---|---|---|---|---|")
	for _, arm := range []struct {
		name  string
		store *storage.Store
		query queryVector
	}{{"default (lexical)", e.store, e.lexicalQuery}, {"semantic stand-in (HNSW)", semantic, e.semanticQuery}} {
		for _, sets := range [][]string{nil, {"tenth"}} {
			r, err := denseRecall(ctx, e, arm.store, viewer, queries, sets, arm.query)
			if err != nil {
				return err
			}
			fmt.Fprintf(w, "| %s | %s | %.3f | %.3f | %s | %s |\n", arm.name, filterName(sets), r.byID, r.withTies,
				ms(percentile(r.arm, 50)), ms(percentile(r.exact, 50)))
		}
	}

	fmt.Fprintln(w, "\n| hybrid of org-0 | library p50 | same statements raw p50 | library / raw |\n|---|---|---|---|")
	for _, arm := range []struct {
		name  string
		store *storage.Store
	}{{"default (lexical)", e.store}, {"semantic stand-in", semantic}} {
		lib, raw, err := libraryVsRaw(ctx, e, arm.store, viewer, queries)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "| %s | %s | %s | %.2f |\n", arm.name, ms(lib), ms(raw), ratioOf(lib, raw))
	}

	wr := rand.New(rand.NewPCG(13, 13)) // apart from r: the queries above stay those of earlier runs
	writes := make([]storage.DocumentInput, cfg.Writes)
	for i := range writes {
		writes[i] = storage.DocumentInput{Source: fmt.Sprintf("write-%d", i), Content: sentence(wr, vocab, 40)}
	}
	before, busy, after, took, err := searchWhileIngesting(ctx, e.store, viewer, queries[:min(len(queries), 100)], writes)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "\n| default hybrid of %s | p50 | p95 | searches |\n|---|---|---|---|\n", orgName(0))
	for _, row := range []struct {
		name string
		lat  []time.Duration
	}{{"alone, before", before},
		{fmt.Sprintf("while another organization ingests %d documents (%.0f rows/s)", len(writes), float64(len(writes))/took.Seconds()), busy},
		{"alone, after", after}} {
		fmt.Fprintf(w, "| %s | %s | %s | %d |\n", row.name, ms(percentile(row.lat, 50)), ms(percentile(row.lat, 95)), len(row.lat))
	}
	return nil
}

// searchWhileIngesting times st's default hybrid search as viewer over
// queries, round after round: alone (after an untimed round that warms the
// caches), while another organization ingests docs in batches of 250 (a
// bulk import's shape), and alone again; took is the ingest's time. The
// writes share the searched tables and their GIN index, whose pending list
// every search reads until it is merged.
func searchWhileIngesting(ctx context.Context, st *storage.Store, viewer context.Context, queries []string,
	docs []storage.DocumentInput) (before, busy, after []time.Duration, took time.Duration, err error) {
	search := func(q string) (time.Duration, error) {
		start := time.Now()
		_, err := st.Search(viewer, storage.SearchRequest{Query: q, Limit: 10})
		return time.Since(start), err
	}
	round := func() ([]time.Duration, error) {
		lat := make([]time.Duration, 0, len(queries))
		for _, q := range queries {
			d, err := search(q)
			if err != nil {
				return nil, err
			}
			lat = append(lat, d)
		}
		slices.Sort(lat)
		return lat, nil
	}
	if _, err := round(); err != nil {
		return nil, nil, nil, 0, err
	}
	if before, err = round(); err != nil {
		return nil, nil, nil, 0, err
	}
	writer := access.NewContext(ctx, access.Viewer{OrganizationID: "bench-writer", Role: access.RoleAdmin})
	writer, stop := context.WithCancel(writer)
	defer stop()
	done := make(chan error, 1)
	start := time.Now()
	go func() {
		for batch := range slices.Chunk(docs, 250) {
			if _, err := st.IngestMany(writer, batch); err != nil {
				done <- err
				return
			}
		}
		done <- nil
	}()
	for i := 0; took == 0; i++ {
		d, err := search(queries[i%len(queries)])
		if err != nil {
			stop() // the ingest ends with its context; any other failure of it is reported too
			if ingest := <-done; ingest != nil && !errors.Is(ingest, context.Canceled) {
				err = errors.Join(err, ingest)
			}
			return nil, nil, nil, 0, err
		}
		busy = append(busy, d)
		select {
		case err := <-done:
			if err != nil {
				return nil, nil, nil, 0, fmt.Errorf("bench: ingest beside searches: %w", err)
			}
			took = time.Since(start)
		default:
		}
	}
	slices.Sort(busy)
	if after, err = round(); err != nil {
		return nil, nil, nil, 0, err
	}
	return before, busy, after, took, nil
}

// searchTiming is one row of the latency table: a store and a request
// (its Query filled in per search), and what its searches took.
type searchTiming struct {
	embedder, name string
	store          *storage.Store
	request        storage.SearchRequest
	lat            []time.Duration
	short          int // pages short of the request's limit, in the warm-up pass
}

// timeSearches runs every query through every timing, passes times after
// an untimed warm-up pass. Each query runs every timing in turn, so the
// machine's drift (large here: the same search, minutes apart, took half
// again as long) falls on all of them alike.
func timeSearches(viewer context.Context, queries []string, passes int, timings []*searchTiming) error {
	for pass := range passes + 1 {
		for _, q := range queries {
			for _, m := range timings {
				req := m.request
				req.Query = q
				t := time.Now()
				hits, err := m.store.Search(viewer, req)
				if err != nil {
					return err
				}
				switch {
				case pass > 0:
					m.lat = append(m.lat, time.Since(t))
				case len(hits) < req.Limit: // the warm-up pass counts short pages
					m.short++
				}
			}
		}
	}
	for _, m := range timings {
		slices.Sort(m.lat)
	}
	return nil
}

// filterName names the bench's document-set filter.
func filterName(sets []string) string {
	if sets == nil {
		return "none"
	}
	return "10% set"
}

// standIn hides an embedder's type, so the store takes it for a semantic
// model.
type standIn struct{ embed.Embedder }

func orgName(i int) string { return fmt.Sprintf("org-%d", i) }

// copyFloor COPYs the rows of docs (embedded here, not timed) into the
// documents and chunks tables under a scratch organization, times it, and
// deletes them again.
func copyFloor(ctx context.Context, e *env, docs []storage.DocumentInput) (time.Duration, error) {
	texts := make([]string, len(docs))
	for i, d := range docs {
		texts[i] = d.Content
	}
	vecs, err := e.store.Embedder().Embed(ctx, texts)
	if err != nil {
		return 0, err
	}
	const scratch = "copy-floor"
	ids := make([]string, len(docs)) // generated as the library's are
	for i := range ids {
		ids[i] = schema.NewID()
	}
	e.checkpoint(ctx)
	start := time.Now()
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		return 0, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit it is a no-op
	if err := vector.RegisterTypes(ctx, tx.Conn()); err != nil {
		return 0, err
	}
	// The rows are whole: their tsvectors computed as any writer must.
	rows, err := tx.Query(ctx, `SELECT to_tsvector($1::regconfig, t) FROM unnest($2::text[]) WITH ORDINALITY AS t(t, i) ORDER BY i`,
		storage.DefaultTextSearchConfig, texts)
	if err != nil {
		return 0, err
	}
	tsvs, err := pgx.CollectRows(rows, pgx.RowTo[pgtype.TSVector])
	if err != nil {
		return 0, err
	}
	now := time.Now()
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"documents"}, []string{"id", "organization_id", "created_at", "updated_at", "source"},
		pgx.CopyFromSlice(len(docs), func(i int) ([]any, error) {
			return []any{ids[i], scratch, now, now, docs[i].Source}, nil
		})); err != nil {
		return 0, err
	}
	if _, err := tx.CopyFrom(ctx, pgx.Identifier{"chunks"}, []string{"id", "organization_id", "document_id", "chunk_index",
		"content", "content_tsv", "embedding", "acl", "created_at"},
		pgx.CopyFromSlice(len(docs), func(i int) ([]any, error) {
			return []any{ids[i] + "#0", scratch, ids[i], 0, docs[i].Content, tsvs[i],
				pgvector.NewVector(vecs[i]), []string{"*"}, now}, nil
		})); err != nil {
		return 0, err
	}
	if err := tx.Commit(ctx); err != nil {
		return 0, err
	}
	took := time.Since(start)
	for _, q := range []string{`DELETE FROM documents WHERE organization_id = '` + scratch + `'`, `VACUUM documents, chunks`} {
		if _, err := e.pool.Exec(ctx, q); err != nil {
			return 0, fmt.Errorf("bench: %s: %w", q, err)
		}
	}
	return took, nil
}

// recall is the dense arm against exact search (no index) over every
// chunk the viewer may read: recall@10 by chunk id, and with ties — a hit
// at the same distance as the exact 10th counts as found (hashed vectors
// tie often: integer dot products over a few norms, and which of the tied
// chunks an exact sort keeps is arbitrary) — and what each took, sorted:
// exact search is the arm's floor.
type recall struct {
	byID, withTies float64
	arm, exact     []time.Duration
}

// denseRecall measures recall under the vector query builds, for the
// chunks in sets (nil: any).
func denseRecall(ctx context.Context, e *env, st *storage.Store, viewer context.Context, queries, sets []string,
	query queryVector) (recall, error) {
	v, _ := access.FromContext(viewer)
	zero, one := 0.0, 1.0
	var r recall
	for _, q := range queries[:min(len(queries), 50)] {
		start := time.Now()
		hits, err := st.Search(viewer, storage.SearchRequest{Query: q, Limit: 10, DocumentSets: sets, DenseWeight: &one, SparseWeight: &zero})
		if err != nil {
			return r, err
		}
		took := time.Since(start)
		vec, err := query(ctx, v, sets, q)
		if err != nil {
			return r, err
		}
		if !slices.ContainsFunc(vec, func(x float32) bool { return x != 0 }) {
			continue // no direction: neither search ranks anything
		}
		start = time.Now()
		exact, err := exactTop10(ctx, e, v, sets, vec)
		if err != nil {
			return r, err
		}
		r.exact = append(r.exact, time.Since(start))
		r.arm = append(r.arm, took)
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.ChunkID
		}
		// The hits' distances under the same query vector as the exact
		// search, so both sides round alike.
		rows, err := e.pool.Query(ctx, `SELECT id, embedding <=> $2 FROM chunks WHERE id = ANY($1)`, ids, pgvector.NewVector(vec))
		if err != nil {
			return r, err
		}
		distances, err := pgx.CollectRows(rows, pgx.RowToStructByPos[neighbour])
		if err != nil {
			return r, err
		}
		found, tied := 0, 0
		for _, h := range distances {
			if slices.ContainsFunc(exact, func(x neighbour) bool { return x.ID == h.ID }) {
				found++
			}
			if len(exact) > 0 && h.Distance <= exact[len(exact)-1].Distance+1e-9 {
				tied++
			}
		}
		r.byID += float64(found) / float64(max(len(exact), 1))
		r.withTies += float64(min(tied, len(exact))) / float64(max(len(exact), 1))
	}
	n := float64(max(len(r.exact), 1))
	r.byID, r.withTies = r.byID/n, r.withTies/n
	slices.Sort(r.arm)
	slices.Sort(r.exact)
	return r, nil
}

// queryVector builds the vector an exact search compares with the dense
// arm's hits: the query as v searches it within sets (nil: any).
type queryVector func(ctx context.Context, v access.Viewer, sets []string, q string) ([]float32, error)

// neighbour is a chunk and its cosine distance to a query.
type neighbour struct {
	ID       string
	Distance float64
}

// semanticQuery is a semantic embedder's query vector: the text embedded.
func (e *env) semanticQuery(ctx context.Context, _ access.Viewer, _ []string, q string) ([]float32, error) {
	vecs, err := e.store.Embedder().Embed(ctx, []string{q})
	if err != nil {
		return nil, err
	}
	return vecs[0], nil
}

// lexicalQuery is a lexical query's vector, built here apart from the
// search statement: each lexeme's vector weighted by BM25's IDF (document
// frequency among the chunks v may read in sets, as the statement counts
// it; N the organization's chunks) times its frequency in the query.
func (e *env) lexicalQuery(ctx context.Context, v access.Viewer, sets []string, q string) ([]float32, error) {
	rows, err := e.pool.Query(ctx, `SELECT t.lexeme, cardinality(t.positions),
	(SELECT count(*) FROM chunks c WHERE c.organization_id = $3 AND c.acl && $4 AND ($5::text[] IS NULL OR c.document_sets && $5)
		AND c.content_tsv @@ to_tsquery('simple', quote_literal(t.lexeme))),
	(SELECT count(*) FROM chunks c WHERE c.organization_id = $3)
FROM unnest(to_tsvector($1::regconfig, $2)) AS t`, storage.DefaultTextSearchConfig, q, v.OrganizationID, v.Principals(), sets)
	if err != nil {
		return nil, err
	}
	type term struct {
		Lexeme         string
		QTF, DF, Total int64
	}
	terms, err := pgx.CollectRows(rows, pgx.RowToStructByPos[term])
	if err != nil {
		return nil, err
	}
	out := make([]float32, schema.EmbeddingDimensions)
	for _, t := range terms {
		if t.DF == 0 { // in no chunk the viewer may read: no weight
			continue
		}
		vecs, err := e.store.Embedder().Embed(ctx, []string{t.Lexeme})
		if err != nil {
			return nil, err
		}
		idf := math.Log(1+(float64(t.Total-t.DF)+0.5)/(float64(t.DF)+0.5)) * float64(t.QTF)
		for i, x := range vecs[0] {
			out[i] += float32(idf) * x
		}
	}
	return out, nil
}

// exactTop10 is the exact dense top 10 among the chunks v may read, in
// sets (nil: any).
func exactTop10(ctx context.Context, e *env, v access.Viewer, sets []string, q []float32) ([]neighbour, error) {
	tx, err := e.pool.Begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // read-only
	if _, err := tx.Exec(ctx, `SET LOCAL enable_indexscan = off`); err != nil {
		return nil, err
	}
	rows, err := tx.Query(ctx, `SELECT id, embedding <=> $3 AS distance FROM chunks WHERE organization_id = $1 AND acl && $2
	AND ($4::text[] IS NULL OR document_sets && $4) ORDER BY distance LIMIT 10`, v.OrganizationID, v.Principals(), pgvector.NewVector(q), sets)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, pgx.RowToStructByPos[neighbour])
}

// libraryVsRaw times the hybrid search through the store and the same
// statements run directly (the query's lexemes read for a lexical
// embedder, vector.Search, N counted once) on the store's connections:
// another pool's differed by up to a tenth from run to run, either way,
// which is not the library's cost.
func libraryVsRaw(ctx context.Context, e *env, st *storage.Store, viewer context.Context, queries []string) (time.Duration, time.Duration, error) {
	v, _ := access.FromContext(viewer)
	chunks, err := vector.CountChunks(ctx, e.pool, &v.OrganizationID) // BM25's N, which the store caches
	if err != nil {
		return 0, 0, err
	}
	lexical := embed.IsLexical(st.Embedder())
	var lib, raw []time.Duration
	library := func(q string) ([]vector.Hit, error) {
		return st.Search(viewer, storage.SearchRequest{Query: q, Limit: 10})
	}
	direct := func(q string) ([]vector.Hit, error) {
		conn, err := st.Pool().Acquire(ctx)
		if err != nil {
			return nil, err
		}
		defer conn.Release()
		if err := vector.RegisterTypes(ctx, conn.Conn()); err != nil {
			return nil, err
		}
		p := vector.SearchParams{OrganizationID: &v.OrganizationID, Principals: v.Principals(), Text: q,
			TextSearchConfig: storage.DefaultTextSearchConfig, Chunks: chunks, Candidates: 40, Limit: 10,
			K: storage.DefaultRRFK, DenseWeight: 1, SparseWeight: 1}
		if lexical {
			p.Lexemes, err = vector.QueryLexemes(ctx, conn, p.TextSearchConfig, q, st.Embedder().Embed)
		} else {
			var vecs [][]float32
			vecs, err = st.Embedder().Embed(ctx, []string{q})
			if err == nil {
				p.Vector = vecs[0]
			}
		}
		if err != nil {
			return nil, err
		}
		return vector.Search(ctx, conn, p, storage.DefaultEfSearch)
	}
	for i, q := range queries {
		// Each goes first every other query: the second finds the query's
		// pages warm.
		var pages [2][]vector.Hit
		for j := range 2 {
			start := time.Now()
			var err error
			if (i+j)%2 == 0 {
				pages[0], err = library(q)
				lib = append(lib, time.Since(start))
			} else {
				pages[1], err = direct(q)
				raw = append(raw, time.Since(start))
			}
			if err != nil {
				return 0, 0, err
			}
		}
		if !slices.EqualFunc(pages[0], pages[1], func(a, b vector.Hit) bool { return a.ChunkID == b.ChunkID }) {
			return 0, 0, fmt.Errorf("bench: the library and the same statements run directly found different pages for %q", q)
		}
	}
	slices.Sort(lib)
	slices.Sort(raw)
	return percentile(lib, 50), percentile(raw, 50), nil
}

// vocabulary is n made-up words.
func vocabulary(n int) []string {
	r := rand.New(rand.NewPCG(5, 5))
	const letters = "abcdefghijklmnopqrstuvwxyz"
	out := make([]string, n)
	for i := range out {
		b := make([]byte, 4+r.IntN(6))
		for j := range b {
			b[j] = letters[r.IntN(len(letters))]
		}
		out[i] = string(b)
	}
	return out
}

// sentence draws n words with a Zipf-like skew, so some words are common.
func sentence(r *rand.Rand, vocab []string, n int) string {
	words := make([]string, n)
	for i := range words {
		words[i] = vocab[int(float64(len(vocab))*r.Float64()*r.Float64()*r.Float64())]
	}
	return strings.Join(words, " ")
}

// checkpoint flushes dirty buffers; a role that may not (CHECKPOINT needs
// pg_checkpoint or superuser) measures without it.
func (e *env) checkpoint(ctx context.Context) {
	_, _ = e.pool.Exec(ctx, `CHECKPOINT`)
}
