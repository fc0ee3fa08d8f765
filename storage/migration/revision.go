package migration

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"ariga.io/atlas/sql/migrate"
	"ariga.io/atlas/sql/schema"
	"github.com/jackc/pgx/v5"
)

// DefaultRevisionsSchema is where the Atlas CLI keeps its history table when
// the connection is not bound to one schema.
const DefaultRevisionsSchema = "atlas_schema_revisions"

const revisionsTable = "atlas_schema_revisions"

// revisionStore is a migrate.RevisionReadWriter over the CLI's table layout.
type revisionStore struct {
	db     schema.ExecQuerier
	schema string
}

var _ migrate.RevisionReadWriter = (*revisionStore)(nil)

func (s *revisionStore) Ident() *migrate.TableIdent {
	return &migrate.TableIdent{Name: revisionsTable, Schema: s.schema}
}

// table is the quoted, schema-qualified table name. The schema name comes
// from configuration, never from input, and is quoted anyway.
func (s *revisionStore) table() string {
	return quoteIdent(s.schema) + "." + quoteIdent(revisionsTable)
}

// init creates the schema and table if missing, with the CLI's columns.
func (s *revisionStore) init(ctx context.Context) error {
	stmts := []string{
		"CREATE SCHEMA IF NOT EXISTS " + quoteIdent(s.schema),
		`CREATE TABLE IF NOT EXISTS ` + s.table() + ` (
	"version" character varying NOT NULL,
	"description" character varying NOT NULL,
	"type" bigint NOT NULL DEFAULT 2,
	"applied" bigint NOT NULL DEFAULT 0,
	"total" bigint NOT NULL DEFAULT 0,
	"executed_at" timestamptz NOT NULL,
	"execution_time" bigint NOT NULL,
	"error" text NULL,
	"error_stmt" text NULL,
	"hash" character varying NOT NULL,
	"partial_hashes" jsonb NULL,
	"operator_version" character varying NOT NULL,
	PRIMARY KEY ("version")
)`,
	}
	for _, q := range stmts {
		if _, err := s.db.ExecContext(ctx, q); err != nil {
			return fmt.Errorf("migration: create revisions table: %w", err)
		}
	}
	return nil
}

const revisionColumns = `version, description, type, applied, total, executed_at, execution_time,
	coalesce(error, ''), coalesce(error_stmt, ''), hash, partial_hashes, operator_version`

func (s *revisionStore) ReadRevisions(ctx context.Context) ([]*migrate.Revision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+revisionColumns+` FROM `+s.table()+` ORDER BY version`)
	if err != nil {
		return nil, fmt.Errorf("migration: read revisions: %w", err)
	}
	defer rows.Close()
	var revs []*migrate.Revision
	for rows.Next() {
		r, err := scanRevision(rows)
		if err != nil {
			return nil, err
		}
		revs = append(revs, r)
	}
	return revs, rows.Err()
}

func (s *revisionStore) ReadRevision(ctx context.Context, version string) (*migrate.Revision, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+revisionColumns+` FROM `+s.table()+` WHERE version = $1`, version)
	if err != nil {
		return nil, fmt.Errorf("migration: read revision %s: %w", version, err)
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, migrate.ErrRevisionNotExist
	}
	return scanRevision(rows)
}

func scanRevision(rows *sql.Rows) (*migrate.Revision, error) {
	var (
		r        migrate.Revision
		execNS   int64
		partials []byte
	)
	err := rows.Scan(&r.Version, &r.Description, &r.Type, &r.Applied, &r.Total, &r.ExecutedAt, &execNS,
		&r.Error, &r.ErrorStmt, &r.Hash, &partials, &r.OperatorVersion)
	if err != nil {
		return nil, fmt.Errorf("migration: scan revision: %w", err)
	}
	r.ExecutionTime = time.Duration(execNS)
	if len(partials) > 0 {
		if err := json.Unmarshal(partials, &r.PartialHashes); err != nil {
			return nil, fmt.Errorf("migration: revision %s partial hashes: %w", r.Version, err)
		}
	}
	return &r, nil
}

func (s *revisionStore) WriteRevision(ctx context.Context, r *migrate.Revision) error {
	var partials []byte
	if len(r.PartialHashes) > 0 {
		var err error
		if partials, err = json.Marshal(r.PartialHashes); err != nil {
			return err
		}
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO `+s.table()+` (version, description, type, applied, total,
	executed_at, execution_time, error, error_stmt, hash, partial_hashes, operator_version)
VALUES ($1, $2, $3, $4, $5, $6, $7, nullif($8, ''), nullif($9, ''), $10, $11, $12)
ON CONFLICT (version) DO UPDATE SET description = excluded.description, type = excluded.type,
	applied = excluded.applied, total = excluded.total, executed_at = excluded.executed_at,
	execution_time = excluded.execution_time, error = excluded.error, error_stmt = excluded.error_stmt,
	hash = excluded.hash, partial_hashes = excluded.partial_hashes, operator_version = excluded.operator_version`,
		r.Version, r.Description, r.Type, r.Applied, r.Total, r.ExecutedAt, int64(r.ExecutionTime),
		r.Error, r.ErrorStmt, r.Hash, partials, r.OperatorVersion)
	if err != nil {
		return fmt.Errorf("migration: write revision %s: %w", r.Version, err)
	}
	return nil
}

func (s *revisionStore) DeleteRevision(ctx context.Context, version string) error {
	if _, err := s.db.ExecContext(ctx, `DELETE FROM `+s.table()+` WHERE version = $1`, version); err != nil {
		return fmt.Errorf("migration: delete revision %s: %w", version, err)
	}
	return nil
}

// quoteIdent quotes a PostgreSQL identifier.
func quoteIdent(s string) string {
	out := make([]byte, 0, len(s)+2)
	out = append(out, '"')
	for i := 0; i < len(s); i++ {
		if s[i] == '"' {
			out = append(out, '"')
		}
		out = append(out, s[i])
	}
	return string(append(out, '"'))
}

// exists reports whether the revisions table has been created.
func (s *revisionStore) exists(ctx context.Context) (bool, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT to_regclass($1) IS NOT NULL`, s.table())
	if err != nil {
		return false, fmt.Errorf("migration: look up revisions table: %w", err)
	}
	defer rows.Close()
	var ok bool
	if rows.Next() {
		if err := rows.Scan(&ok); err != nil {
			return false, err
		}
	}
	return ok, rows.Err()
}

// RevisionsSchemaFor returns where the Atlas CLI keeps the history for a
// connection URL: the first schema of its search_path when it binds one,
// DefaultRevisionsSchema otherwise.
func RevisionsSchemaFor(url string) (string, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return "", fmt.Errorf("migration: parse url: %w", err)
	}
	first, _, _ := strings.Cut(cfg.RuntimeParams["search_path"], ",")
	if first = strings.Trim(strings.TrimSpace(first), `"`); first != "" {
		return first, nil
	}
	return DefaultRevisionsSchema, nil
}
