package vector

import (
	"context"
	"encoding/json"
	"fmt"
	"time"
)

// DocumentRow is one document as written. A new source takes ID; a source
// already stored keeps its id and creation time, and every other field is
// replaced.
type DocumentRow struct {
	ID           string         `json:"id"`
	Source       string         `json:"source"`
	Title        *string        `json:"title"`
	ContentHash  string         `json:"content_hash"`
	Metadata     map[string]any `json:"metadata"`
	ACL          []string       `json:"acl"`
	DocumentSets []string       `json:"document_sets"`
	Boost        float64        `json:"boost"`
}

// upsertDocuments writes a whole batch as one jsonb parameter: one
// statement, one round trip, ids back for new and replaced sources alike.
// The conflict key includes the organization, so no batch can take over
// another organization's row.
const upsertDocuments = `INSERT INTO documents AS doc (id, organization_id, created_at, updated_at, source, title,
	content_hash, metadata, acl, document_sets, boost)
SELECT d.id, $1, $2, $2, d.source, d.title, d.content_hash, coalesce(d.metadata, '{}'), coalesce(d.acl, '{}'),
	coalesce(d.document_sets, '{}'), d.boost
FROM jsonb_to_recordset($3::jsonb) AS d(id text, source text, title text, content_hash text, metadata jsonb, acl text[],
	document_sets text[], boost float8)
ON CONFLICT (organization_id, source) DO UPDATE SET title = excluded.title, content_hash = excluded.content_hash,
	metadata = excluded.metadata, acl = excluded.acl, document_sets = excluded.document_sets, boost = excluded.boost,
	updated_at = excluded.updated_at
RETURNING doc.source, doc.id`

// UpsertDocuments writes docs (distinct sources) into organizationID and
// returns their ids by source.
func UpsertDocuments(ctx context.Context, q Querier, organizationID string, docs []DocumentRow) (map[string]string, error) {
	batch, err := json.Marshal(docs)
	if err != nil {
		return nil, fmt.Errorf("vector: documents: %w", err)
	}
	rows, err := q.Query(ctx, upsertDocuments, organizationID, time.Now().UTC().Truncate(time.Microsecond), batch)
	if err != nil {
		return nil, fmt.Errorf("vector: upsert documents: %w", err)
	}
	defer rows.Close()
	ids := make(map[string]string, len(docs))
	for rows.Next() {
		var source, id string
		if err := rows.Scan(&source, &id); err != nil {
			return nil, fmt.Errorf("vector: upsert documents: %w", err)
		}
		ids[source] = id
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("vector: upsert documents: %w", err)
	}
	return ids, nil
}
