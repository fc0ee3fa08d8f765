// Command migrate manages agentstore's Atlas-format migrations:
//
//	migrate [flags] diff NAME   write a new file from the ent schema (replay mode, throwaway dev database)
//	migrate [flags] apply       apply pending files, each in a transaction
//	migrate [flags] status      show applied and pending files
//	migrate [flags] validate    check atlas.sum: an edited file is refused
//	migrate [flags] lint [N]    run Atlas's analyzers on the latest N files (default 1); non-zero exit on findings
//	migrate [flags] hash        rewrite atlas.sum
//	migrate [flags] new NAME    add an empty, current-UTC-stamped file for hand-written SQL
//	migrate [flags] check       verify the server offers pgvector >= 0.8
//
// The database is --url, else $DATABASE_URL, else the project-local cluster.
// apply and status use --dir when given and the migrations embedded in the
// binary otherwise; the commands that write use --dir (default
// ent/migrate/migrations).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/migration"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr))
}

const usage = `usage: migrate [flags] diff NAME | apply | status | validate | lint [N] | hash | new NAME | check

flags:
`

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	cfg := migration.Command{Out: stdout}
	fs.StringVar(&cfg.URL, "url", "", "database URL (default $DATABASE_URL, else "+storage.DefaultURL+")")
	fs.StringVar(&cfg.DevURL, "dev-url", "", "server on which diff and lint create a throwaway dev database (default: --url)")
	fs.StringVar(&cfg.Dir, "dir", "", "migration directory (default: embedded for apply/status, ent/migrate/migrations otherwise)")
	fs.StringVar(&cfg.RevisionsSchema, "revisions-schema", "", "schema of the atlas_schema_revisions table (default: the URL's search_path schema, else atlas_schema_revisions)")
	fs.Usage = func() {
		fmt.Fprint(stderr, usage)
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() == 0 {
		fs.Usage()
		return 2
	}
	if cfg.URL == "" {
		cfg.URL = storage.URLFromEnv()
	}
	err := cfg.Run(ctx, fs.Arg(0), fs.Args()[1:])
	switch {
	case err == nil:
		return 0
	case errors.Is(err, migration.ErrUsage):
		fmt.Fprintf(stderr, "migrate: %v\n", err)
		fs.Usage()
		return 2
	default:
		fmt.Fprintf(stderr, "migrate: %v\n", err)
		return 1
	}
}
