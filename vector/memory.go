package vector

import (
	"context"
	"fmt"
	"time"

	"github.com/pgvector/pgvector-go"
)

// Namespace is one memory handle's scope: an organization and, unless
// UserID is nil, one of its users. Organization-wide and per-user memories
// never mix.
type Namespace struct {
	OrganizationID string
	UserID         *string
}

// RecalledMemory is a memory with its cosine distance to the query.
type RecalledMemory struct {
	ID         string         `json:"id"`
	Content    string         `json:"content"`
	MemoryType string         `json:"memory_type"`
	Metadata   map[string]any `json:"metadata"`
	Relevance  float64        `json:"relevance"` // stored relevance
	Distance   float64        `json:"distance"`  // cosine distance to the query, 0..2
	CreatedAt  time.Time      `json:"created_at"`
	ExpiresAt  *time.Time     `json:"expires_at"`
}

// recallMemories ranks a namespace's unexpired memories by cosine distance
// (the operator itself, so the HNSW index serves it; id breaks ties) and
// stamps last_accessed on the ones returned, in one statement. The stamp
// skips rows another recall is stamping at that moment: concurrent recalls
// never wait on each other, so they cannot deadlock.
const recallMemories = `WITH hits AS (
	SELECT id, embedding <=> $3 AS distance
	FROM memories
	WHERE organization_id = $1 AND user_id IS NOT DISTINCT FROM $2
	  AND (expires_at IS NULL OR expires_at > now())
	ORDER BY embedding <=> $3, id -- ties at the cut are broken the same way every time
	LIMIT $4
), kept AS (
	SELECT id, distance FROM hits WHERE distance <= $5
), touched AS (
	UPDATE memories m SET last_accessed = now()
	WHERE m.id IN (SELECT x.id FROM memories x JOIN kept USING (id) FOR UPDATE OF x SKIP LOCKED)
)
SELECT m.id, m.content, m.memory_type, m.metadata, m.relevance, m.created_at, m.expires_at, kept.distance
FROM kept JOIN memories m USING (id) ORDER BY kept.distance, m.id`

// RecallMemories returns up to k memories of the namespace closest to the
// query vector whose cosine distance is at most maxDistance, nearest first,
// and marks them accessed.
func RecallMemories(ctx context.Context, q Querier, ns Namespace, query []float32, k int, maxDistance float64) ([]RecalledMemory, error) {
	rows, err := q.Query(ctx, recallMemories, ns.OrganizationID, ns.UserID, pgvector.NewVector(query), k, maxDistance)
	if err != nil {
		return nil, fmt.Errorf("vector: recall memories: %w", err)
	}
	defer rows.Close()
	var out []RecalledMemory
	for rows.Next() {
		var m RecalledMemory
		if err := rows.Scan(&m.ID, &m.Content, &m.MemoryType, &m.Metadata, &m.Relevance, &m.CreatedAt, &m.ExpiresAt, &m.Distance); err != nil {
			return nil, fmt.Errorf("vector: recall memories: %w", err)
		}
		out = append(out, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("vector: recall memories: %w", err)
	}
	return out, nil
}
