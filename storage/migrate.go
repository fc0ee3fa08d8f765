package storage

import (
	"context"
	"database/sql"

	"ariga.io/atlas/sql/migrate"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/storage/migration"
)

// MigrationDir returns the embedded migration directory.
func MigrationDir() (*migrate.MemDir, error) {
	return migration.FromFS(ent.Migrations, "migrate/migrations")
}

// Migrate applies the embedded migrations that db has not applied yet, each
// in its own transaction, recording them where the Atlas CLI would (see
// migration.Options). It is safe to call on every start: with nothing
// pending it changes nothing.
func Migrate(ctx context.Context, db *sql.DB, opts migration.Options) ([]migration.Applied, error) {
	dir, err := MigrationDir()
	if err != nil {
		return nil, err
	}
	return migration.Apply(ctx, db, dir, opts)
}
