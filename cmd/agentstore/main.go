// Command agentstore runs agentstore's main job, its admin queries, and
// the benchmark and evaluation commands.
//
//	agentstore [--url URL] demo    migrate, then narrate the whole system (make demo)
//	agentstore [--url URL] bench [flags]
//	                               storage against a raw-pgx floor; prints a table
//	agentstore [--url URL] ingest --org ORG [--set S] [--groups G,…] PATH…
//	                               text and markdown files (folders walked) as knowledge
//	agentstore [--url URL] search --org ORG [--user U] [--groups G,…] QUERY
//	                               hybrid search; prints each arm's rank
//	agentstore [--url URL] memory add|recall --org ORG --user U TEXT
//	agentstore [--url URL] admin COMMAND --org ORG [flags]
//	                               transcript, footprint, erase, audience,
//	                               visibility, overview, integrity
//	agentstore [--url URL] eval --corpus DIR
//	                               search quality on a SMART test collection
//
// The database is --url, else $DATABASE_URL, else the project-local cluster.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"slices"
	"syscall"

	"github.com/agentstore/agentstore/bench"
	"github.com/agentstore/agentstore/demo"
	"github.com/agentstore/agentstore/eval"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/migration"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("agentstore", flag.ContinueOnError)
	fs.SetOutput(stderr)
	url := fs.String("url", "", "database URL (default $DATABASE_URL, else "+storage.DefaultURL+")")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: agentstore [--url URL] COMMAND [flags]\n\ncommands:\n  demo                    the narrated main job\n  ingest --org ORG PATH…  text and markdown files as knowledge\n  search --org ORG QUERY  hybrid search as --user/--groups\n  memory add|recall       a user's memories\n  admin COMMAND           transcript, footprint, erase, audience, visibility, overview, integrity\n  bench                   benchmarks against raw-SQL floors\n  eval --corpus DIR       search quality on a SMART collection\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *url == "" {
		*url = storage.URLFromEnv()
	}
	var err error
	switch {
	case fs.NArg() == 1 && fs.Arg(0) == "demo":
		err = runDemo(ctx, *url, stdout)
	case fs.NArg() >= 1 && fs.Arg(0) == "bench":
		return runBench(ctx, *url, fs.Args()[1:], stdout, stderr)
	case fs.NArg() >= 1 && fs.Arg(0) == "ingest":
		return runIngest(ctx, *url, fs.Args()[1:], stdout, stderr)
	case fs.NArg() >= 1 && fs.Arg(0) == "search":
		return runSearch(ctx, *url, fs.Args()[1:], stdout, stderr)
	case fs.NArg() >= 1 && fs.Arg(0) == "memory":
		return runMemory(ctx, *url, fs.Args()[1:], stdout, stderr)
	case fs.NArg() >= 1 && fs.Arg(0) == "admin":
		return runAdmin(ctx, *url, fs.Args()[1:], stdout, stderr)
	case fs.NArg() >= 1 && fs.Arg(0) == "eval":
		return runEval(ctx, *url, fs.Args()[1:], stdout, stderr)
	default:
		fs.Usage()
		return 2
	}
	if err != nil {
		fmt.Fprintf(stderr, "agentstore: %v\n", err)
		return 1
	}
	return 0
}

func runEval(ctx context.Context, url string, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("agentstore eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	corpus := fs.String("corpus", "", "folder of a SMART test collection (one *.ALL, *.QRY, *.REL)")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if *corpus == "" {
		fmt.Fprintln(stderr, "agentstore eval: --corpus is required")
		return 2
	}
	err := func() error {
		c, err := eval.Load(*corpus)
		if err != nil {
			return err
		}
		store, err := openMigrated(ctx, url)
		if err != nil {
			return err
		}
		defer store.Close()
		_, err = eval.Run(ctx, store, c, stdout)
		return err
	}()
	if err != nil {
		fmt.Fprintf(stderr, "agentstore: %v\n", err)
		return 1
	}
	return 0
}

func runBench(ctx context.Context, url string, args []string, stdout, stderr io.Writer) int {
	cfg := bench.Defaults(url)
	scfg := bench.SearchDefaults(url)
	soak := bench.SoakDefaults(url)
	fs := flag.NewFlagSet("agentstore bench", flag.ContinueOnError)
	fs.SetOutput(stderr)
	only := fs.String("only", "", "run one benchmark: conversations, knowledge or soak (default all three)")
	fs.IntVar(&scfg.Chunks, "chunks", scfg.Chunks, "knowledge: synthetic chunks to load")
	fs.IntVar(&scfg.Organizations, "organizations", scfg.Organizations, "knowledge: organizations they spread over")
	fs.IntVar(&scfg.Queries, "queries", scfg.Queries, "knowledge: queries per measurement")
	fs.IntVar(&scfg.Passes, "passes", scfg.Passes, "knowledge: timed passes over the queries (after one warm-up pass)")
	fs.IntVar(&scfg.Writes, "writes", scfg.Writes, "knowledge: documents another organization ingests while the last searches run")
	fs.IntVar(&cfg.Conversations, "conversations", cfg.Conversations, "conversations to load")
	fs.IntVar(&cfg.Messages, "messages", cfg.Messages, "messages to load, spread over the conversations")
	fs.IntVar(&cfg.Appends, "appends", cfg.Appends, "appends measured per path")
	fs.IntVar(&cfg.Workers, "workers", cfg.Workers, "concurrent appenders")
	fs.IntVar(&cfg.Pages, "pages", cfg.Pages, "page reads measured per path")
	fs.IntVar(&cfg.PageSize, "page-size", cfg.PageSize, "messages per page")
	fs.DurationVar(&soak.Duration, "soak-duration", soak.Duration, "soak: how long (loopback servers only)")
	fs.IntVar(&soak.Ops, "soak-ops", soak.Ops, "soak: at most this many operations")
	fs.IntVar(&soak.Workers, "soak-workers", soak.Workers, "soak: concurrent workers")
	if _, code, ok := parse(fs, args, 0, 0); !ok {
		return code
	}
	type benchmark struct {
		name string
		run  func() error
	}
	runs := []benchmark{
		{"conversations", func() error { _, err := bench.Run(ctx, cfg, stdout); return err }},
		{"knowledge", func() error { return bench.RunSearch(ctx, scfg, stdout) }},
		{"soak", func() error { _, err := bench.Soak(ctx, soak, stdout); return err }},
	}
	if *only != "" && !slices.ContainsFunc(runs, func(b benchmark) bool { return b.name == *only }) {
		fmt.Fprintf(stderr, "agentstore bench: --only %q is not conversations, knowledge or soak\n", *only)
		return exitUsage
	}
	first := true
	for _, r := range runs {
		if *only != "" && r.name != *only {
			continue
		}
		if !first {
			fmt.Fprintln(stdout)
		}
		first = false
		fmt.Fprintf(stdout, "## %s\n\n", r.name)
		if err := r.run(); err != nil {
			return fail(stderr, err)
		}
	}
	return exitOK
}

func runDemo(ctx context.Context, url string, out io.Writer) error {
	store, err := openMigrated(ctx, url)
	if err != nil {
		return err
	}
	defer store.Close()
	return demo.Run(ctx, store, out)
}

// openMigrated opens the store at url and applies pending migrations,
// keeping their history where the Atlas CLI would for that url.
func openMigrated(ctx context.Context, url string) (*storage.Store, error) {
	store, err := storage.Open(ctx, url)
	if err != nil {
		return nil, err
	}
	revisions, err := migration.RevisionsSchemaFor(url)
	if err == nil {
		_, err = storage.Migrate(ctx, store.DB(), migration.Options{RevisionsSchema: revisions})
	}
	if err != nil {
		_ = store.Close()
		return nil, err
	}
	return store, nil
}
