package migration

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// WithDevDatabase creates an empty throwaway database on the server of url,
// calls fn with it, and drops it afterwards — what Diff and Lint need as
// their dev database. The role in url must be allowed to create databases.
func WithDevDatabase(ctx context.Context, url string, fn func(dev *sql.DB) error) (err error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return fmt.Errorf("migration: parse url: %w", err)
	}
	admin := stdlib.OpenDB(*cfg)
	defer admin.Close()
	suffix := make([]byte, 6)
	_, _ = rand.Read(suffix)
	name := "agentstore_dev_" + hex.EncodeToString(suffix)
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+quoteIdent(name)); err != nil {
		return fmt.Errorf("migration: create dev database: %w", err)
	}
	defer func() {
		// Drop even when ctx was cancelled: a leaked database is worse.
		_, derr := admin.ExecContext(context.WithoutCancel(ctx), "DROP DATABASE IF EXISTS "+quoteIdent(name)+" WITH (FORCE)")
		if derr != nil {
			err = errors.Join(err, fmt.Errorf("migration: drop dev database %s: %w", name, derr))
		}
	}()
	devCfg := cfg.Copy()
	devCfg.Database = name
	delete(devCfg.RuntimeParams, "search_path")
	dev := stdlib.OpenDB(*devCfg)
	defer dev.Close()
	return fn(dev)
}
