// Package bench measures agentstore against a raw-pgx floor doing the same
// SQL in the same run, and prints a table. Timings are reported, never
// asserted: the ratio to the floor is the number that travels between
// machines.
package bench

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"io"
	"math"
	neturl "net/url"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/migration"
)

// Config sizes a run. The zero value is not useful; see Defaults.
type Config struct {
	URL           string // server; the run works in a throwaway schema
	Conversations int
	Messages      int // loaded before measuring, spread over Conversations
	Appends       int // appends per path
	Workers       int // concurrent appenders
	Pages         int // page reads per path
	PageSize      int
}

// Defaults are the sizes of the published numbers.
func Defaults(url string) Config {
	return Config{URL: url, Conversations: 1000, Messages: 1_000_000, Appends: 6000, Workers: 8, Pages: 3000, PageSize: 50}
}

// Result is one measured line of the table.
type Result struct {
	Operation, Path string
	// VsFloor and VsOneStatement are this path's p50 and throughput
	// relative to the floors (1 for a floor itself).
	VsFloor, VsOneStatement Ratio
	N                       int
	P50, P95                time.Duration
	PerSecond               float64
}

// Run loads the data set into a throwaway schema, measures, prints the table
// to w, drops the schema and returns the results.
func Run(ctx context.Context, cfg Config, w io.Writer) ([]Result, error) {
	if cfg.Conversations < 1 || cfg.Messages < cfg.Conversations || cfg.Workers < 1 || cfg.PageSize < 1 {
		return nil, fmt.Errorf("bench: config %+v is too small", cfg)
	}
	env, err := setup(ctx, cfg.URL, int32(cfg.Workers+2))
	if err != nil {
		return nil, err
	}
	env.cfg = cfg
	env.paths = []path{rawPath{pool: env.pool, size: cfg.PageSize}, oneStatementPath{rawPath{pool: env.pool, size: cfg.PageSize}},
		storePath{store: env.store, size: cfg.PageSize}}
	defer env.close(context.WithoutCancel(ctx))
	start := time.Now()
	if err := env.load(ctx); err != nil {
		return nil, err
	}
	fmt.Fprintf(w, "agentstore bench: %d messages in %d conversations (loaded in %s)\n\n",
		cfg.Messages, cfg.Conversations, time.Since(start).Round(time.Millisecond))

	var results []Result
	// Alternate the paths three times and keep each one's best run, so
	// none pays alone for a cold cache or a checkpoint.
	for _, op := range []struct {
		name string
		run  func(context.Context, path) (Result, error)
	}{
		{fmt.Sprintf("append message (%d workers)", cfg.Workers), env.appends},
		{fmt.Sprintf("list page of %d (cursor)", cfg.PageSize), env.pages},
	} {
		best := map[string]Result{}
		for range 3 {
			for _, p := range env.paths {
				r, err := op.run(ctx, p)
				if err != nil {
					return nil, fmt.Errorf("bench: %s (%s): %w", op.name, p.name(), err)
				}
				r.Operation, r.Path = op.name, p.name()
				if b, ok := best[r.Path]; !ok || better(r, b) {
					best[r.Path] = r
				}
			}
		}
		floor, one := best[env.paths[0].name()], best[env.paths[1].name()]
		for _, p := range env.paths {
			r := best[p.name()]
			r.VsFloor, r.VsOneStatement = ratio(r, floor), ratio(r, one)
			results = append(results, r)
		}
	}
	printResults(w, results)
	return results, nil
}

// Ratio compares a path with a floor: P50 is path/floor latency, PerSecond
// floor/path throughput; above 1 means slower than the floor.
type Ratio struct{ P50, PerSecond float64 }

func ratio(r, floor Result) Ratio {
	return Ratio{P50: ratioOf(r.P50, floor.P50), PerSecond: floor.PerSecond / r.PerSecond}
}

func (r Ratio) String() string { return fmt.Sprintf("%.2f× p50, %.2f× ops/s", r.P50, r.PerSecond) }

func better(a, b Result) bool {
	if a.PerSecond != b.PerSecond {
		return a.PerSecond > b.PerSecond
	}
	return a.P50 < b.P50
}

func printResults(w io.Writer, rs []Result) {
	fmt.Fprintf(w, "| %-27s | %-17s | %5s | %8s | %8s | %6s | %-22s | %-22s |\n",
		"operation", "path", "n", "p50", "p95", "ops/s", "vs floor (same SQL)", "vs one statement")
	fmt.Fprintf(w, "|%s|%s|%s|%s|%s|%s|%s|%s|\n", dashes(29), dashes(19), dashes(7), dashes(10), dashes(10), dashes(8), dashes(24), dashes(24))
	for _, r := range rs {
		fmt.Fprintf(w, "| %-27s | %-17s | %5d | %8s | %8s | %6.0f | %-22s | %-22s |\n",
			r.Operation, r.Path, r.N, ms(r.P50), ms(r.P95), r.PerSecond, r.VsFloor, r.VsOneStatement)
	}
	fmt.Fprintln(w, "\nfloor: raw pgx running the statements storage runs; one statement: the fewest raw pgx can do.")
}

func ratioOf(a, b time.Duration) float64 {
	if b == 0 {
		return math.NaN()
	}
	return float64(a) / float64(b)
}

func ms(d time.Duration) string { return fmt.Sprintf("%.3fms", float64(d)/float64(time.Millisecond)) }

func dashes(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '-'
	}
	return string(b)
}

// percentile returns the p-th percentile (0..100) of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func summarize(lat []time.Duration, elapsed time.Duration) Result {
	slices.Sort(lat)
	return Result{N: len(lat), P50: percentile(lat, 50), P95: percentile(lat, 95),
		PerSecond: float64(len(lat)) / elapsed.Seconds()}
}

// env is one run's schema, pool and store.
type env struct {
	cfg    Config
	schema string
	url    string // the server's, bound to schema
	admin  *pgx.Conn
	pool   *pgxpool.Pool
	store  *storage.Store
	// paths are measured in this order: the floor (raw pgx, the facade's
	// statements), raw pgx with one statement, the storage facade.
	paths []path
}

// setup makes a throwaway migrated schema on the server of serverURL, with
// a raw pool and a store of conns connections each.
func setup(ctx context.Context, serverURL string, conns int32) (*env, error) {
	admin, err := pgx.Connect(ctx, serverURL)
	if err != nil {
		return nil, fmt.Errorf("bench: connect: %w", err)
	}
	suffix := make([]byte, 4)
	_, _ = rand.Read(suffix)
	e := &env{admin: admin, schema: "bench_" + hex.EncodeToString(suffix)}
	if _, err := admin.Exec(ctx, "CREATE SCHEMA "+pgx.Identifier{e.schema}.Sanitize()); err != nil {
		admin.Close(ctx)
		return nil, fmt.Errorf("bench: create schema: %w", err)
	}
	url, err := withSearchPath(serverURL, e.schema+",public")
	if err != nil {
		e.close(ctx)
		return nil, err
	}
	e.url = url
	pcfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		e.close(ctx)
		return nil, err
	}
	pcfg.MaxConns = conns
	if e.pool, err = pgxpool.NewWithConfig(ctx, pcfg); err != nil {
		e.close(ctx)
		return nil, err
	}
	if e.store, err = storage.Open(ctx, url, storage.WithPoolSize(pcfg.MaxConns)); err != nil {
		e.close(ctx)
		return nil, err
	}
	if _, err := storage.Migrate(ctx, e.store.DB(), migration.Options{RevisionsSchema: e.schema}); err != nil {
		e.close(ctx)
		return nil, err
	}
	return e, nil
}

// withSearchPath binds a postgres:// URL to a search_path.
func withSearchPath(raw, searchPath string) (string, error) {
	u, err := neturl.Parse(raw)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
		return "", fmt.Errorf("bench: %q is not a postgres:// URL", raw)
	}
	q := u.Query()
	q.Set("search_path", searchPath)
	u.RawQuery = q.Encode()
	return u.String(), nil
}

func (e *env) close(ctx context.Context) {
	if e.store != nil {
		_ = e.store.Close()
	}
	if e.pool != nil {
		e.pool.Close()
	}
	_, _ = e.admin.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{e.schema}.Sanitize()+" CASCADE")
	_ = e.admin.Close(ctx)
}
