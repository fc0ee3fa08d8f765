package migration_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"ariga.io/atlas/sql/migrate"
	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/migration"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// embedded returns a writable in-memory copy of the embedded directory.
func embedded(t *testing.T) *migrate.MemDir {
	t.Helper()
	dir, err := storage.MigrationDir()
	require.NoError(t, err)
	return dir
}

func fileCount(t *testing.T, dir migrate.Dir) int {
	t.Helper()
	files, err := dir.Files()
	require.NoError(t, err)
	return len(files)
}

func options(s *storagetest.Schema) migration.Options {
	return migration.Options{RevisionsSchema: s.Name}
}

// addFile appends a file to dir (versioned after every existing one) and
// rehashes, as `migrate new` + editing would.
func addFile(t *testing.T, dir *migrate.MemDir, name, body string) {
	t.Helper()
	file := time.Now().UTC().Add(time.Hour).Format(migration.VersionFormat) + "_" + name + ".sql"
	require.NoError(t, dir.WriteFile(file, []byte(body)))
	require.NoError(t, migration.Hash(dir))
}

func TestApplyFreshThenNoop(t *testing.T) {
	t.Parallel()
	s := storagetest.EmptySchema(t)
	dir := embedded(t)

	applied, err := migration.Apply(t.Context(), s.DB, dir, options(s))
	require.NoError(t, err)
	require.Len(t, applied, fileCount(t, dir))
	require.Equal(t, "vector", applied[0].Description)

	again, err := migration.Apply(t.Context(), s.DB, dir, options(s))
	require.NoError(t, err)
	require.Empty(t, again)

	st, err := migration.ReadStatus(t.Context(), s.DB, dir, options(s))
	require.NoError(t, err)
	require.Empty(t, st.Pending)
	require.Len(t, st.Applied, len(applied))
	require.Equal(t, applied[len(applied)-1].Version, st.Current)

	// The history has the CLI's shape: executed (type 2), complete, hashed
	// as in atlas.sum.
	sum, err := dir.Checksum()
	require.NoError(t, err)
	for _, r := range st.Applied {
		require.Equal(t, migrate.RevisionTypeExecute, r.Type)
		require.Equal(t, r.Total, r.Applied)
		require.Empty(t, r.Error)
		files, err := dir.Files()
		require.NoError(t, err)
		for _, f := range files {
			if f.Version() == r.Version {
				h, err := sum.SumByName(f.Name())
				require.NoError(t, err)
				require.Equal(t, h, r.Hash)
			}
		}
	}
}

func TestStatusOnFreshDatabaseCreatesNothing(t *testing.T) {
	t.Parallel()
	s := storagetest.EmptySchema(t)
	dir := embedded(t)
	st, err := migration.ReadStatus(t.Context(), s.DB, dir, options(s))
	require.NoError(t, err)
	require.Empty(t, st.Applied)
	require.Equal(t, "", st.Current)
	require.Len(t, st.Pending, fileCount(t, dir))

	var tables int
	require.NoError(t, s.DB.QueryRowContext(t.Context(),
		`SELECT count(*) FROM pg_tables WHERE schemaname = $1`, s.Name).Scan(&tables))
	require.Zero(t, tables)
}

func TestNoDrift(t *testing.T) {
	t.Parallel()
	s := storagetest.NewSchema(t)
	stmts, err := migration.Drift(t.Context(), s.DB)
	require.NoError(t, err)
	require.Empty(t, stmts, "the migrated schema differs from the ent schema")

	// The check can fail: remove what only the diff hooks declare.
	for _, q := range []string{
		`DROP INDEX chunk_content_tsv`,
		`ALTER TABLE chunks DROP COLUMN content_tsv`,
		`ALTER TABLE conversations DROP CONSTRAINT platform_valid`,
		`DROP INDEX chunk_embedding`,
	} {
		_, err := s.DB.ExecContext(t.Context(), q)
		require.NoError(t, err, q)
	}
	stmts, err = migration.Drift(t.Context(), s.DB)
	require.NoError(t, err)
	all := strings.Join(stmts, "\n")
	require.Contains(t, all, "content_tsv")
	require.Contains(t, all, "chunk_content_tsv")
	require.Contains(t, all, "platform_valid")
	require.Contains(t, all, "hnsw")
}

// TestConcurrentDrifts: diffs in one process may overlap (ent's differ
// writes into the shared generated tables; -race reports it if they are
// not guarded), and each still sees no drift.
func TestConcurrentDrifts(t *testing.T) {
	t.Parallel()
	schemas := []*storagetest.Schema{storagetest.NewSchema(t), storagetest.NewSchema(t)}
	drifts := make([][]string, len(schemas))
	errs := make([]error, len(schemas))
	var wg sync.WaitGroup
	for i, s := range schemas {
		wg.Go(func() { drifts[i], errs[i] = migration.Drift(t.Context(), s.DB) })
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.Equal(t, [][]string{nil, nil}, drifts)
}

func TestDiffReplaysToNoChanges(t *testing.T) {
	t.Parallel()
	dir := embedded(t)
	before := fileCount(t, dir)
	err := migration.WithDevDatabase(t.Context(), storagetest.ServerURL(t), func(dev *sql.DB) error {
		return migration.Diff(t.Context(), dev, dir, "nothing")
	})
	require.ErrorIs(t, err, migration.ErrNoChanges)
	require.Equal(t, before, fileCount(t, dir))
}

func TestDiffFindsMissingTable(t *testing.T) {
	t.Parallel()
	// A directory without the init file is behind the ent schema: diff must
	// write a file that creates the tables.
	full := embedded(t)
	files, err := full.Files()
	require.NoError(t, err)
	dir := &migrate.MemDir{}
	require.NoError(t, dir.WriteFile(files[0].Name(), files[0].Bytes()))
	require.NoError(t, migration.Hash(dir))

	err = migration.WithDevDatabase(t.Context(), storagetest.ServerURL(t), func(dev *sql.DB) error {
		return migration.Diff(t.Context(), dev, dir, "catch_up")
	})
	require.NoError(t, err)
	got, err := dir.Files()
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.True(t, strings.HasSuffix(got[1].Name(), "_catch_up.sql"))
	body := string(got[1].Bytes())
	require.Contains(t, body, `CREATE TABLE "conversations"`)
	require.Contains(t, body, `"content_tsv" tsvector NULL`)
	require.Contains(t, body, `CREATE INDEX "chunk_content_tsv" ON "chunks" USING GIN ("organization_id", "acl", "content_tsv")`)
	require.NoError(t, migration.Validate(dir))
}

func TestValidateRejectsTamperedFile(t *testing.T) {
	t.Parallel()
	dir := embedded(t)
	require.NoError(t, migration.Validate(dir))
	files, err := dir.Files()
	require.NoError(t, err)
	last := files[len(files)-1]
	require.NoError(t, dir.WriteFile(last.Name(), append(last.Bytes(), []byte("\nDROP TABLE conversations;\n")...)))

	require.ErrorIs(t, migration.Validate(dir), migration.ErrChecksumMismatch)

	s := storagetest.EmptySchema(t)
	_, err = migration.Apply(t.Context(), s.DB, dir, options(s))
	require.ErrorIs(t, err, migration.ErrChecksumMismatch)
}

func TestLint(t *testing.T) {
	t.Parallel()
	url := storagetest.ServerURL(t)

	t.Run("CleanDirectory", func(t *testing.T) {
		t.Parallel()
		err := migration.WithDevDatabase(t.Context(), url, func(dev *sql.DB) error {
			findings, err := migration.Lint(t.Context(), dev, embedded(t), 0)
			require.Empty(t, findings)
			return err
		})
		require.NoError(t, err)
	})
	t.Run("DroppedColumn", func(t *testing.T) {
		t.Parallel()
		dir := embedded(t)
		addFile(t, dir, "drop_name", "ALTER TABLE \"conversations\" DROP COLUMN \"name\";\n")
		var findings []migration.Finding
		err := migration.WithDevDatabase(t.Context(), url, func(dev *sql.DB) error {
			var err error
			findings, err = migration.Lint(t.Context(), dev, dir, 1)
			return err
		})
		require.NoError(t, err)
		require.NotEmpty(t, findings)
		require.Equal(t, "DS103", findings[0].Code, findings[0].String())
		require.Contains(t, findings[0].Text, "name")
	})
	t.Run("SilencedByDirective", func(t *testing.T) {
		t.Parallel()
		for directive, silenced := range map[string]bool{"": true, " DS103": true, " destructive": true, " DS102": false} {
			dir := embedded(t)
			addFile(t, dir, "drop_name", "-- atlas:nolint"+directive+"\nALTER TABLE \"conversations\" DROP COLUMN \"name\";\n")
			var findings []migration.Finding
			err := migration.WithDevDatabase(t.Context(), url, func(dev *sql.DB) error {
				var err error
				findings, err = migration.Lint(t.Context(), dev, dir, 1)
				return err
			})
			require.NoError(t, err, directive)
			require.Equal(t, silenced, len(findings) == 0, "nolint%q: %v", directive, findings)
		}
	})
}

func TestFailedFileLeavesNoTrace(t *testing.T) {
	t.Parallel()
	s := storagetest.NewSchema(t)
	dir := embedded(t)
	addFile(t, dir, "broken", "CREATE TABLE half_done (id int);\nSELECT no_such_function();\n")

	_, err := migration.Apply(t.Context(), s.DB, dir, options(s))
	require.Error(t, err)
	var exists bool
	require.NoError(t, s.DB.QueryRowContext(t.Context(), `SELECT to_regclass('half_done') IS NOT NULL`).Scan(&exists))
	require.False(t, exists, "the first statement of a failed file must be rolled back")
	st, err := migration.ReadStatus(t.Context(), s.DB, dir, options(s))
	require.NoError(t, err)
	require.Len(t, st.Pending, 1, "the failed file stays pending and unrecorded")
}

func TestTxModeNoneRecordsPartialProgress(t *testing.T) {
	t.Parallel()
	s := storagetest.NewSchema(t)
	dir := embedded(t)
	addFile(t, dir, "concurrent_index", "-- atlas:txmode none\n\nCREATE INDEX CONCURRENTLY conv_name ON conversations (name);\nSELECT no_such_function();\n")

	_, err := migration.Apply(t.Context(), s.DB, dir, options(s))
	require.Error(t, err)
	var exists bool
	require.NoError(t, s.DB.QueryRowContext(t.Context(), `SELECT to_regclass('conv_name') IS NOT NULL`).Scan(&exists))
	require.True(t, exists, "CREATE INDEX CONCURRENTLY cannot run in a transaction and must have run")
	st, err := migration.ReadStatus(t.Context(), s.DB, dir, options(s))
	require.NoError(t, err)
	last := st.Applied[len(st.Applied)-1]
	require.Equal(t, "concurrent_index", last.Description)
	require.Equal(t, 1, last.Applied)
	require.Equal(t, 2, last.Total)
	require.Contains(t, last.Error, "no_such_function")
}

func TestConcurrentApplyAppliesOnce(t *testing.T) {
	t.Parallel()
	s := storagetest.EmptySchema(t)
	dir := embedded(t)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int
		errs  []error
	)
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			applied, err := migration.Apply(context.WithoutCancel(t.Context()), s.DB, dir, options(s))
			mu.Lock()
			defer mu.Unlock()
			total += len(applied)
			if err != nil {
				errs = append(errs, err)
			}
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.Equal(t, fileCount(t, dir), total)
}

func TestNew(t *testing.T) {
	t.Parallel()
	dir := embedded(t)
	at := time.Date(2030, 1, 2, 3, 4, 5, 0, time.FixedZone("X", 3600))
	name, err := migration.New(dir, "planner_stats", at)
	require.NoError(t, err)
	require.Equal(t, "20300102020405_planner_stats.sql", name, "stamped in UTC")
	require.NoError(t, migration.Validate(dir))

	_, err = migration.New(dir, "Bad Name", at)
	require.ErrorIs(t, err, migration.ErrInvalidName)
}

func TestRevisionsSchemaFor(t *testing.T) {
	t.Parallel()
	for url, want := range map[string]string{
		"postgres://u@h/db":                             migration.DefaultRevisionsSchema,
		"postgres://u@h/db?search_path=app":             "app",
		"postgres://u@h/db?search_path=tenant_1,public": "tenant_1",
		`postgres://u@h/db?search_path=%22Quoted%22`:    "Quoted",
	} {
		got, err := migration.RevisionsSchemaFor(url)
		require.NoError(t, err, url)
		require.Equal(t, want, got, url)
	}
	_, err := migration.RevisionsSchemaFor("::not a url")
	require.Error(t, err)
}

// TestApplyInterruptedResumes kills apply's connection while it waits inside
// the second of three new files: the first stays applied, the second left no
// trace, and the next apply finishes the rest.
func TestApplyInterruptedResumes(t *testing.T) {
	t.Parallel()
	s := storagetest.NewSchema(t)
	dir := embedded(t)
	base := time.Now().UTC().Add(time.Hour)
	for i, body := range []string{
		"CREATE TABLE step_one (id int);\n",
		"CREATE TABLE step_two (id int);\nSELECT pg_advisory_xact_lock(hashtextextended('interrupt-me', 0));\n",
		"CREATE TABLE step_three (id int);\n",
	} {
		name := base.Add(time.Duration(i)*time.Second).Format(migration.VersionFormat) + fmt.Sprintf("_step_%d.sql", i+1)
		require.NoError(t, dir.WriteFile(name, []byte(body)))
	}
	require.NoError(t, migration.Hash(dir))

	blocker, err := pgx.Connect(t.Context(), storagetest.ServerURL(t))
	require.NoError(t, err)
	defer blocker.Close(context.WithoutCancel(t.Context()))
	_, err = blocker.Exec(t.Context(), `SELECT pg_advisory_lock(hashtextextended('interrupt-me', 0))`)
	require.NoError(t, err)
	done := make(chan error, 1)
	go func() {
		_, err := migration.Apply(context.WithoutCancel(t.Context()), s.DB, dir, options(s))
		done <- err
	}()
	var pid uint32
	require.Eventually(t, func() bool {
		return blocker.QueryRow(t.Context(), `SELECT pid FROM pg_stat_activity
WHERE wait_event = 'advisory' AND query LIKE '%interrupt-me%' AND pid <> pg_backend_pid()`).Scan(&pid) == nil
	}, 10*time.Second, 10*time.Millisecond)
	_, err = blocker.Exec(t.Context(), `SELECT pg_terminate_backend($1)`, pid)
	require.NoError(t, err)
	require.Error(t, <-done, "apply reports the lost connection")
	_, err = blocker.Exec(t.Context(), `SELECT pg_advisory_unlock(hashtextextended('interrupt-me', 0))`)
	require.NoError(t, err)

	exists := func(table string) bool {
		var ok bool
		require.NoError(t, s.DB.QueryRowContext(t.Context(), `SELECT to_regclass($1) IS NOT NULL`, table).Scan(&ok))
		return ok
	}
	require.True(t, exists("step_one"))
	require.False(t, exists("step_two"), "the interrupted file rolled back")
	st, err := migration.ReadStatus(t.Context(), s.DB, dir, options(s))
	require.NoError(t, err)
	require.Len(t, st.Pending, 2)

	applied, err := migration.Apply(t.Context(), s.DB, dir, options(s))
	require.NoError(t, err, "a second apply resumes")
	require.Len(t, applied, 2)
	require.True(t, exists("step_two"))
	require.True(t, exists("step_three"))
}
