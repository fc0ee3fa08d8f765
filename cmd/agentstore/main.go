// Command agentstore runs agentstore's main job and (in later versions) its
// admin commands.
//
//	agentstore [--url URL] demo   migrate, then record and traverse a support conversation
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
	"syscall"

	"github.com/agentstore/agentstore/demo"
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
		fmt.Fprintln(stderr, "usage: agentstore [--url URL] demo\n\nflags:")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() != 1 || fs.Arg(0) != "demo" {
		fs.Usage()
		return 2
	}
	if *url == "" {
		*url = storage.URLFromEnv()
	}
	if err := runDemo(ctx, *url, stdout); err != nil {
		fmt.Fprintf(stderr, "agentstore: %v\n", err)
		return 1
	}
	return 0
}

func runDemo(ctx context.Context, url string, out io.Writer) error {
	store, err := storage.Open(ctx, url)
	if err != nil {
		return err
	}
	defer store.Close()
	revisions, err := migration.RevisionsSchemaFor(url)
	if err != nil {
		return err
	}
	if _, err := storage.Migrate(ctx, store.DB(), migration.Options{RevisionsSchema: revisions}); err != nil {
		return err
	}
	return demo.Run(ctx, store.Client(), out)
}
