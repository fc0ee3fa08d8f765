package integration

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/embed"
	"github.com/agentstore/agentstore/ent/schema"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
	"github.com/agentstore/agentstore/vector"
)

// loadSynthetic writes docs×per chunks of random 1024-d vectors into org
// with set-based SQL: half the documents are hidden from plain members,
// every tenth is in the set "tenth". The HNSW index is rebuilt after the
// load, as a bulk load would do. One transaction without the pool's
// statement timeout: on a loaded machine the build outlasts it.
func loadSynthetic(t *testing.T, st *storage.Store, org string, docs, per int) {
	t.Helper()
	ctx := t.Context()
	tx, err := st.Pool().Begin(ctx)
	require.NoError(t, err)
	defer tx.Rollback(context.WithoutCancel(ctx)) //nolint:errcheck // after Commit it is a no-op
	for _, step := range []struct {
		sql  string
		args []any
	}{
		{`SET LOCAL statement_timeout = 0`, nil},
		{`DROP INDEX chunk_embedding`, nil},
		{`INSERT INTO documents (id, organization_id, created_at, updated_at, source, acl, document_sets)
SELECT $1 || '-d' || d, $1, now(), now(), 'doc-' || d,
	CASE WHEN d % 2 = 0 THEN '{*}'::text[] ELSE '{group:secret}'::text[] END,
	CASE WHEN d % 10 = 0 THEN '{tenth}'::text[] ELSE '{}'::text[] END
FROM generate_series(1, $2::int) d`, []any{org, docs}},
		{`INSERT INTO chunks (id, organization_id, document_id, chunk_index, content, content_tsv, embedding, acl, document_sets, created_at)
SELECT doc.id || '#' || i, $1, doc.id, i, 'synthetic chunk ' || i || ' of ' || doc.source,
	to_tsvector('english', 'synthetic chunk ' || i || ' of ' || doc.source),
	ARRAY(SELECT random() - 0.5 FROM generate_series(1, 1024) WHERE i > -1 AND doc.id IS NOT NULL)::vector,
	doc.acl, doc.document_sets, now()
FROM documents doc, generate_series(0, $2::int - 1) i WHERE doc.organization_id = $1`, []any{org, per}},
		{`CREATE INDEX chunk_embedding ON chunks USING hnsw (embedding vector_cosine_ops)`, nil},
		{`ANALYZE documents, chunks`, nil}, // this schema's: a database-wide one waits on other tests' index builds
	} {
		_, err := tx.Exec(ctx, step.sql, step.args...)
		require.NoError(t, err, step.sql)
	}
	require.NoError(t, tx.Commit(ctx))
}

// semantic is the deterministic embedder as the store cannot recognise it:
// it stands for a semantic model, whose dense arm is the HNSW index.
type semantic struct{ embed.Deterministic }

// scaled multiplies its embedder's vectors by factor.
type scaled struct {
	embed.Embedder
	factor float32
}

func (s scaled) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	vecs, err := s.Embedder.Embed(ctx, texts)
	for _, v := range vecs {
		for i := range v {
			v[i] *= s.factor
		}
	}
	return vecs, err
}

// TestSearchPlanAndSelectiveFilter: at the default settings a semantic
// query's dense arm is served by the HNSW index, and a filter that keeps
// 10% of the chunks still fills the page (iterative index scans). A lexical
// query's dense arm reads the chunks its sparse arm matched.
func TestSearchPlanAndSelectiveFilter(t *testing.T) {
	t.Parallel()
	ctx := access.NewContext(t.Context(), access.Viewer{OrganizationID: "acme", UserID: "u"})
	url := storagetest.NewSchema(t).URL
	st, err := storage.Open(ctx, url, storage.WithEmbedder(semantic{embed.NewDeterministic(schema.EmbeddingDimensions)}))
	require.NoError(t, err)
	defer st.Close()
	loadSynthetic(t, st, "acme", 200, 50)

	for _, viewer := range []context.Context{ctx, access.SystemContext(t.Context())} {
		plan, err := st.ExplainSearch(viewer, storage.SearchRequest{Query: "synthetic chunk about anything", Limit: 10})
		require.NoError(t, err)
		require.Contains(t, plan, "Index Scan using chunk_embedding", plan)
		// relaxed_order scans return rows only roughly in distance order:
		// the dense ranks come from a full sort, not one that trusts it.
		require.NotContains(t, plan, "Presorted Key", plan)
	}

	hits, err := st.Search(ctx, storage.SearchRequest{Query: "about anything else", Limit: 10,
		DocumentSets: []string{"tenth"}, SparseWeight: ptr(0.0)})
	require.NoError(t, err)
	require.Len(t, hits, 10, "a 10%%-selective filter (5%% visible) still fills the page")
	for _, h := range hits {
		require.NotNil(t, h.DenseRank)
	}

	lexical, err := storage.Open(ctx, url)
	require.NoError(t, err)
	defer lexical.Close()
	plan, err := lexical.ExplainSearch(ctx, storage.SearchRequest{Query: "synthetic chunk about anything", Limit: 10})
	require.NoError(t, err)
	require.NotContains(t, plan, "Index Scan using chunk_embedding", plan)
	require.Contains(t, plan, "Tid Scan on chunks", plan)
}

// TestCascadePlanWithStaleStatistics: deleting a document cascades to its
// chunks through the composite foreign key (document_id, organization_id),
// one statement per document. When the organization is newer than the
// table's statistics, the planner thinks it rare; the cascade must still be
// one index lookup, not a bitmap of the whole organization ANDed into every
// delete (which made deleting 100k documents quadratic).
func TestCascadePlanWithStaleStatistics(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := t.Context()
	loadSynthetic(t, st, "old", 200, 20) // analyzed
	for _, q := range []string{
		`INSERT INTO documents (id, organization_id, created_at, updated_at, source)
SELECT 'new-d' || d, 'new', now(), now(), 'doc-' || d FROM generate_series(1, 2000) d`,
		`INSERT INTO chunks (id, organization_id, document_id, chunk_index, content, embedding, created_at)
SELECT doc.id || '#0', 'new', doc.id, 0, 'chunk', array_fill(1, ARRAY[1024])::vector, now()
FROM documents doc WHERE doc.organization_id = 'new'`,
	} {
		_, err := st.Pool().Exec(ctx, q)
		require.NoError(t, err)
	}
	// The statement PostgreSQL's cascade runs, with a document's values.
	var plan string
	rows, err := st.Pool().Query(ctx, `EXPLAIN DELETE FROM ONLY chunks WHERE 'new-d7' = document_id AND 'new' = organization_id`)
	require.NoError(t, err)
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		plan += line + "\n"
	}
	require.NoError(t, rows.Err())
	require.NotContains(t, plan, "BitmapAnd", plan)
	require.Contains(t, plan, "Index Cond: ((organization_id = 'new'::text) AND (document_id = 'new-d7'::text))", plan)
}

// TestSparseArmUsesItsIndexBeforeVacuum: right after a bulk load, before
// the chunks table's first VACUUM, GIN's statistics are stale and its
// pending list long; the lexical statement's one generic plan must still
// find the matches through chunk_content_tsv (organization, ACL and
// lexemes in one index), not through an index of the ACL alone and a
// filter over every chunk the viewer may read. The index's scan count is
// the witness.
func TestSparseArmUsesItsIndexBeforeVacuum(t *testing.T) {
	t.Parallel()
	ctx := access.NewContext(t.Context(), access.Viewer{OrganizationID: "acme", UserID: "u"})
	st, err := storage.Open(ctx, storagetest.NewSchema(t).URL, storage.WithPoolSize(1))
	require.NoError(t, err)
	defer st.Close()
	loadSynthetic(t, st, "acme", 100, 20)
	scans := func() int64 {
		t.Helper()
		// The search's connection (the pool's only one) reports its counts now.
		_, err := st.Pool().Exec(t.Context(), `SELECT pg_stat_force_next_flush()`)
		require.NoError(t, err)
		var n int64
		require.NoError(t, st.Pool().QueryRow(t.Context(), `SELECT idx_scan FROM pg_stat_user_indexes
WHERE relid = 'chunks'::regclass AND indexrelname = 'chunk_content_tsv'`).Scan(&n))
		return n
	}
	before := scans()
	const searches = 3
	for range searches {
		_, err := st.Search(ctx, storage.SearchRequest{Query: "zebra quokka habitat", Limit: 10})
		require.NoError(t, err)
	}
	require.Equal(t, int64(searches), scans()-before, "each search scans chunk_content_tsv once")
}

// TestSparseIndexPendingListIsBounded: every search reads the GIN's
// pending list whole until it is merged, so the migrations bound it below
// PostgreSQL's 4 MB default.
func TestSparseIndexPendingListIsBounded(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	var options []string
	require.NoError(t, st.Pool().QueryRow(t.Context(), `SELECT coalesce(reloptions, '{}') FROM pg_class
WHERE oid = 'chunk_content_tsv'::regclass`).Scan(&options))
	require.Contains(t, options, "gin_pending_list_limit=1024")
}

// TestSearchSettingsStayInTheSearch: a search's planner settings last as
// long as its statement, not as long as the pooled connection it ran on;
// a lexical query, or any without a dense arm, keeps one generic plan per
// request shape; a semantic one is planned for its values.
func TestSearchSettingsStayInTheSearch(t *testing.T) {
	t.Parallel()
	ctx := access.NewContext(t.Context(), access.Viewer{OrganizationID: "acme", UserID: "u"})
	url := storagetest.NewSchema(t).URL
	lexical, err := storage.Open(ctx, url, storage.WithPoolSize(1))
	require.NoError(t, err)
	defer lexical.Close()
	semanticStore, err := storage.Open(ctx, url, storage.WithPoolSize(1),
		storage.WithEmbedder(semantic{embed.NewDeterministic(schema.EmbeddingDimensions)}))
	require.NoError(t, err)
	defer semanticStore.Close()
	_, err = lexical.Ingest(ctx, storage.DocumentInput{Source: "s", Content: "refunds are paid within thirty days"})
	require.NoError(t, err)

	for _, st := range []*storage.Store{lexical, semanticStore} {
		for range 3 {
			hits, err := st.Search(ctx, storage.SearchRequest{Query: "refunds paid"})
			require.NoError(t, err)
			require.Len(t, hits, 1)
		}
		var mode, scan, ef string
		require.NoError(t, st.Pool().QueryRow(ctx, `SELECT current_setting('plan_cache_mode'),
	current_setting('hnsw.iterative_scan'), current_setting('hnsw.ef_search')`).Scan(&mode, &scan, &ef))
		require.Equal(t, []string{"auto", "off", "40"}, []string{mode, scan, ef}, "the server's defaults, after the searches")
	}

	var generic, custom int64
	require.NoError(t, lexical.Pool().QueryRow(ctx, `SELECT generic_plans, custom_plans FROM pg_prepared_statements
WHERE statement LIKE 'WITH%'`).Scan(&generic, &custom))
	require.Equal(t, []int64{3, 0}, []int64{generic, custom}, "lexical: one generic plan")
	for range 3 {
		_, err := semanticStore.Search(ctx, storage.SearchRequest{Query: "refunds paid", DenseWeight: ptr(0.0)})
		require.NoError(t, err)
	}
	// The organization's dense arm names l2_normalize; the sparse-only
	// statement has no dense arm to plan for.
	rows, err := semanticStore.Pool().Query(ctx, `SELECT ARRAY[generic_plans, custom_plans] FROM pg_prepared_statements
WHERE statement LIKE 'WITH%' ORDER BY statement LIKE '%l2_normalize%'`)
	require.NoError(t, err)
	plans, err := pgx.CollectRows(rows, pgx.RowTo[[]int64])
	require.NoError(t, err)
	require.Equal(t, [][]int64{{3, 0}, {0, 3}}, plans, "semantic: sparse only generic, hybrid planned for its values")
}

// TestOrganizationIndex: an organization's own HNSW index serves its
// semantic searches (the planner takes the smaller graph) while another
// organization's use the global one, with exact search's results; only the
// system viewer may build or drop one; building again is a no-op; a build
// that failed (an invalid index) is redone; any organization id names a
// valid index.
func TestOrganizationIndex(t *testing.T) {
	t.Parallel()
	sys := access.SystemContext(t.Context())
	url := storagetest.NewSchema(t).URL
	st, err := storage.Open(sys, url, storage.WithEmbedder(semantic{embed.NewDeterministic(schema.EmbeddingDimensions)}))
	require.NoError(t, err)
	defer st.Close()
	const org = "o'brien; DROP TABLE chunks"
	loadSynthetic(t, st, "acme", 20, 10)
	loadSynthetic(t, st, org, 200, 50)
	admin := access.NewContext(t.Context(), access.Viewer{OrganizationID: org, Role: access.RoleAdmin})
	require.ErrorIs(t, st.IndexOrganization(admin, org), storage.ErrPermissionDenied)
	require.ErrorIs(t, st.IndexOrganization(sys, " "), storage.ErrInvalidInput)

	own := "Index Scan using " + vector.OrganizationIndex(org) + " on chunks"
	member := access.NewContext(t.Context(), access.Viewer{OrganizationID: org, UserID: "u"})
	others := access.NewContext(t.Context(), access.Viewer{OrganizationID: "acme", UserID: "u"})
	usesOwn := func(ctx context.Context, want bool) {
		t.Helper()
		plan, err := st.ExplainSearch(ctx, storage.SearchRequest{Query: "synthetic chunk about anything", Limit: 10})
		require.NoError(t, err)
		require.Equal(t, want, strings.Contains(plan, own), plan)
	}
	// Whether the searches' check takes the organization's branch (the plan
	// shows both branches, each under its check).
	serves := func(want bool) {
		t.Helper()
		got, err := vector.OrganizationGraphServes(t.Context(), st.Pool(), org)
		require.NoError(t, err)
		require.Equal(t, want, got)
	}
	usesOwn(member, false)
	serves(false)
	// An index of the earlier definition under the name (full-precision
	// unit vectors), which searches cannot use, is rebuilt.
	var legacy string
	require.NoError(t, st.Pool().QueryRow(t.Context(), `SELECT format('CREATE INDEX %I ON chunks USING hnsw ((l2_normalize(embedding)::vector(%s)) vector_cosine_ops) WITH (m = 32) WHERE organization_id = %L', $1::text, $3::int, $2::text)`,
		vector.OrganizationIndex(org), org, schema.EmbeddingDimensions).Scan(&legacy))
	// Without the pool's statement timeout, as loadSynthetic builds its
	// index: on a loaded machine (CI, -race) the build took longer.
	require.NoError(t, pgx.BeginFunc(t.Context(), st.Pool(), func(tx pgx.Tx) error {
		if _, err := tx.Exec(t.Context(), `SET LOCAL statement_timeout = 0`); err != nil {
			return err
		}
		_, err := tx.Exec(t.Context(), legacy)
		return err
	}))
	serves(false) // its searches walk the global graph until the index is rebuilt
	for range 2 {
		require.NoError(t, st.IndexOrganization(sys, org))
	}
	var definition string
	require.NoError(t, st.Pool().QueryRow(t.Context(), `SELECT pg_get_indexdef(to_regclass($1))`, vector.OrganizationIndex(org)).Scan(&definition))
	require.Contains(t, definition, fmt.Sprintf("((l2_normalize(embedding))::halfvec(%d)) halfvec_cosine_ops)", schema.EmbeddingDimensions))
	usesOwn(member, true)
	serves(true)
	usesOwn(others, false)

	fullPage := func() {
		t.Helper()
		hits, err := st.Search(member, storage.SearchRequest{Query: "about anything else", Limit: 10, SparseWeight: ptr(0.0)})
		require.NoError(t, err)
		require.Len(t, hits, 10, "a full page")
		ids := make([]string, len(hits))
		for i, h := range hits {
			ids[i] = h.ChunkID
		}
		var readable int
		require.NoError(t, st.Pool().QueryRow(t.Context(), `SELECT count(*) FROM chunks
WHERE id = ANY($1) AND organization_id = $2 AND acl && '{*,user:u}'`, ids, org).Scan(&readable))
		require.Equal(t, 10, readable, "every hit is the organization's and readable by the member")
	}
	fullPage() // from the organization's graph

	// Values beyond half precision's range (65504), in a chunk and in a
	// query, pass through the organization's graph: both are normalised.
	huge, err := storage.Open(sys, url, storage.WithEmbedder(scaled{semantic{embed.NewDeterministic(schema.EmbeddingDimensions)}, 1e7}))
	require.NoError(t, err)
	defer huge.Close()
	_, err = huge.Ingest(admin, storage.DocumentInput{Source: "huge", Content: "a chunk about anything, embedded large"})
	require.NoError(t, err)
	hits, err := huge.Search(member, storage.SearchRequest{Query: "about anything", Limit: 10, SparseWeight: ptr(0.0)})
	require.NoError(t, err)
	require.Len(t, hits, 10)
	plan, err := huge.ExplainSearch(member, storage.SearchRequest{Query: "about anything", Limit: 10})
	require.NoError(t, err)
	require.Contains(t, plan, own)

	_, err = st.Pool().Exec(t.Context(), `UPDATE pg_index SET indisvalid = false WHERE indexrelid = to_regclass($1)`,
		vector.OrganizationIndex(org))
	require.NoError(t, err)
	usesOwn(member, false) // the planner skips an invalid index
	serves(false)
	fullPage() // from the global graph
	require.NoError(t, st.IndexOrganization(sys, org))
	usesOwn(member, true)

	require.NoError(t, st.DropOrganizationIndex(sys, org))
	usesOwn(member, false)
	serves(false)
}

// TestOrganizationIndexBuilds: an index build is not cut by the pool's
// statement timeout, and the connection gets it back after; builds for two
// organizations at once both finish (concurrent builds of partial indexes
// wait for each other, which PostgreSQL would end as a deadlock).
func TestOrganizationIndexBuilds(t *testing.T) {
	t.Parallel()
	sys := access.SystemContext(t.Context())
	url := storagetest.NewSchema(t).URL
	loader, err := storage.Open(sys, url)
	require.NoError(t, err)
	defer loader.Close()
	loadSynthetic(t, loader, "acme", 40, 50)
	loadSynthetic(t, loader, "globex", 40, 50)

	st, err := storage.Open(sys, url, storage.WithPoolSize(2), storage.WithStatementTimeout(100*time.Millisecond))
	require.NoError(t, err)
	defer st.Close()
	_, err = st.Pool().Exec(t.Context(), `SELECT pg_sleep(0.2)`)
	require.ErrorContains(t, err, "statement timeout", "the pool's timeout applies to statements")
	errs := make(chan error, 2)
	for _, org := range []string{"acme", "globex"} {
		go func() { errs <- st.IndexOrganization(sys, org) }()
	}
	require.NoError(t, <-errs)
	require.NoError(t, <-errs)
	conns := make([]*pgxpool.Conn, 2) // the pool's two connections, each held
	for i := range conns {
		conns[i], err = st.Pool().Acquire(t.Context())
		require.NoError(t, err)
		defer conns[i].Release()
	}
	for _, conn := range conns {
		var timeout string
		var locks int
		require.NoError(t, conn.QueryRow(t.Context(), `SELECT current_setting('statement_timeout'),
	(SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid())`).Scan(&timeout, &locks))
		require.Equal(t, "100ms", timeout)
		require.Zero(t, locks)
	}
	var valid int
	require.NoError(t, conns[0].QueryRow(t.Context(), `SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
WHERE i.indrelid = 'chunks'::regclass AND c.relname = ANY($1) AND i.indisvalid`, []string{vector.OrganizationIndex("acme"), vector.OrganizationIndex("globex")}).Scan(&valid))
	require.Equal(t, 2, valid)
}
