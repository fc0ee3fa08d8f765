package vector

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/pgvector/pgvector-go"
)

// ChunkRow is one chunk as written.
type ChunkRow struct {
	ID         string
	DocumentID string
	Index      int
	Heading    string // the document's title, searched with the content
	Content    string
	// Reading is heading and content as the full-text index reads them:
	// the stored tsvector and the length in words.
	Reading      Reading
	Embedding    []float32
	Metadata     map[string]any
	ACL          []string // principal tokens, denormalised from the document
	DocumentSets []string
}

var chunkColumns = []string{"id", "organization_id", "document_id", "chunk_index", "heading", "content", "content_tsv", "words", "embedding",
	"metadata", "acl", "document_sets", "created_at"}

const deleteChunks = `DELETE FROM chunks WHERE organization_id = $1 AND document_id = ANY($2)`

// ReplaceChunks deletes the chunks of documentIDs (the documents that may
// have some: none for documents new in this transaction) and writes rows
// with COPY. Run it inside the transaction that writes the documents, so
// readers see the old versions or the new ones, never a mix.
func ReplaceChunks(ctx context.Context, q Copier, organizationID string, documentIDs []string, rows []ChunkRow) error {
	if len(documentIDs) > 0 {
		if _, err := q.Exec(ctx, deleteChunks, organizationID, documentIDs); err != nil {
			return fmt.Errorf("vector: delete chunks: %w", err)
		}
	}
	now := time.Now().UTC().Truncate(time.Microsecond)
	n, err := q.CopyFrom(ctx, pgx.Identifier{"chunks"}, chunkColumns, pgx.CopyFromSlice(len(rows), func(i int) ([]any, error) {
		r := rows[i]
		meta := r.Metadata
		if meta == nil {
			meta = map[string]any{}
		}
		return []any{r.ID, organizationID, r.DocumentID, r.Index, r.Heading, r.Content, r.Reading.TSVector, r.Reading.Words, pgvector.NewVector(r.Embedding),
			meta, nonNil(r.ACL), nonNil(r.DocumentSets), now}, nil
	}))
	if err != nil {
		return fmt.Errorf("vector: copy chunks: %w", err)
	}
	if int(n) != len(rows) {
		return fmt.Errorf("vector: copied %d of %d chunks", n, len(rows))
	}
	return nil
}

const updateChunkAccess = `UPDATE chunks SET acl = $3, document_sets = $4 WHERE organization_id = $1 AND document_id = $2`

// UpdateChunkAccess re-stamps a document's chunks with its ACL and document
// sets, for a re-ingest whose content did not change.
func UpdateChunkAccess(ctx context.Context, q Querier, organizationID, documentID string, acl, sets []string) error {
	if _, err := q.Exec(ctx, updateChunkAccess, organizationID, documentID, nonNil(acl), nonNil(sets)); err != nil {
		return fmt.Errorf("vector: update chunk access: %w", err)
	}
	return nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
