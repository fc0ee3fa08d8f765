package bench_test

import (
	"bytes"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/bench"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// TestRunSmall runs the whole benchmark on a tiny data set: it must load,
// measure both paths for both operations and print the table. No timing is
// asserted.
func TestRunSmall(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	cfg := bench.Config{URL: storagetest.ServerURL(t), Conversations: 5, Messages: 600, Appends: 40, Workers: 2, Pages: 20, PageSize: 10}
	results, err := bench.Run(t.Context(), cfg, &out)
	require.NoError(t, err)
	require.Len(t, results, 6)
	for _, r := range results {
		require.Positive(t, r.N, r.Operation)
		require.Positive(t, r.PerSecond, r.Operation)
		require.LessOrEqual(t, r.P50, r.P95, r.Operation)
	}
	require.Equal(t, []string{"raw pgx", "raw pgx, one stmt", "storage"},
		[]string{results[0].Path, results[1].Path, results[2].Path})
	require.Equal(t, bench.Ratio{P50: 1, PerSecond: 1}, results[0].VsFloor, "the floor against itself")
	require.Equal(t, bench.Ratio{P50: 1, PerSecond: 1}, results[4].VsOneStatement)
	require.Contains(t, out.String(), "| append message (2 workers)")
	require.Contains(t, out.String(), "| list page of 10 (cursor)")
	require.Contains(t, out.String(), "× p50")
}

// TestRunSearchSmall runs the knowledge benchmark on a tiny data set: every
// table must be printed. No timing is asserted.
func TestRunSearchSmall(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	err := bench.RunSearch(t.Context(), bench.SearchConfig{URL: storagetest.ServerURL(t), Chunks: 400, Organizations: 2, Queries: 10, Passes: 1, Writes: 300}, &out)
	require.NoError(t, err)
	for _, want := range []string{"| library (IngestMany, tx, COPY) |", "HNSW build, then VACUUM ANALYZE:", "own HNSW index (2, built concurrently)",
		"| default (lexical) | hybrid | 10% set |",
		"| semantic stand-in | dense (HNSW) | none |", "| dense arm recall@10 against exact search",
		"| alone, before |", "| while another organization ingests 300 documents (", "| alone, after"} {
		require.Contains(t, out.String(), want)
	}
	// Both embedders' hybrids were timed through the library and directly
	// (and found the same pages, or RunSearch failed).
	require.Len(t, regexp.MustCompile(`(?m)^\| (default \(lexical\)|semantic stand-in) \| [0-9.]+ms \| [0-9.]+ms \| [0-9.]+ \|$`).
		FindAllString(out.String(), -1), 2, out.String())
	// Counting ties can only find more; both are fractions; unfiltered, the
	// dense arm finds some of the exact top 10; both searches were timed.
	recalls := regexp.MustCompile(`(?m)^\| (default \(lexical\)|semantic stand-in \(HNSW\)) \| (none|10% set) \| ([0-9.]+) \| ([0-9.]+) \| [0-9.]+ms \| [0-9.]+ms \|$`).
		FindAllStringSubmatch(out.String(), -1)
	require.Len(t, recalls, 4, out.String())
	for _, r := range recalls {
		byID, err := strconv.ParseFloat(r[3], 64)
		require.NoError(t, err)
		withTies, err := strconv.ParseFloat(r[4], 64)
		require.NoError(t, err)
		require.True(t, 0 <= byID && byID <= withTies && withTies <= 1, r[0])
		if r[2] == "none" {
			require.Positive(t, byID, r[0])
		}
	}
}

// TestSoakSmall runs a short, count-bounded soak: every operation runs,
// none fails, and the table and pool line are printed. No timing is
// asserted.
func TestSoakSmall(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	results, err := bench.Soak(t.Context(), bench.SoakConfig{URL: storagetest.ServerURL(t), Duration: time.Minute, Ops: 300,
		Workers: 4, Pool: 3}, &out)
	require.NoError(t, err, out.String())
	total := 0
	for _, r := range results {
		require.Positive(t, r.N, r.Operation)
		require.Zero(t, r.Errors, r.Operation)
		require.LessOrEqual(t, r.P50, r.P99, r.Operation)
		total += r.N
	}
	require.Equal(t, 300, total, "the count bound stops the run")
	require.Contains(t, out.String(), "| recall memories |")
	require.Contains(t, out.String(), "pool: 3 connections, peak ")

	_, err = bench.Soak(t.Context(), bench.SoakConfig{URL: "postgres://db.example.com/x", Duration: time.Second, Ops: 1, Workers: 1, Pool: 1}, &out)
	require.ErrorContains(t, err, "loopback")
}
