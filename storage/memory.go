package storage

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"time"

	"github.com/pgvector/pgvector-go"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/memory"
	"github.com/agentstore/agentstore/ent/predicate"
	"github.com/agentstore/agentstore/vector"
)

// Memories is a memory handle: one organization (the viewer's) and one of
// its users, or the organization as a whole when the user is "". Handles
// are strict: organization-wide and per-user memories never mix.
type Memories struct {
	ops
	q  vector.Querier // the pool, or the transaction of a Tx
	ns vector.Namespace
}

// Memories returns the handle for userID in the viewer's organization ("" =
// organization-wide).
func (s *Store) Memories(ctx context.Context, userID string) (*Memories, error) {
	return s.memories(ctx, userID, s.pool)
}

// Memories returns the handle for userID, inside the transaction.
func (tx *Tx) Memories(ctx context.Context, userID string) (*Memories, error) {
	return tx.memories(ctx, userID, tx.tx)
}

func (o ops) memories(ctx context.Context, userID string, q vector.Querier) (*Memories, error) {
	org, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	c := o.check()
	c.key("user id", userID, false)
	if c.err != nil {
		return nil, c.err
	}
	return &Memories{ops: o, q: q, ns: vector.Namespace{OrganizationID: org, UserID: nonEmpty(userID)}}, nil
}

// NewMemory is the input of Memories.Store.
type NewMemory struct {
	ID         string // optional; a UUID when empty. An existing id of this namespace is updated.
	Content    string
	MemoryType string // ShortTerm LongTerm Entity User Feedback Project Reference
	Relevance  *float64
	Metadata   map[string]any
	ExpiresAt  *time.Time
}

// Store saves a memory in the handle's namespace and returns it. Content
// already stored in the namespace is not stored twice: the existing memory
// comes back. An id that belongs to another namespace is ErrConflict — an id
// collision never moves another namespace's memory.
func (m *Memories) Store(ctx context.Context, in NewMemory) (*ent.Memory, error) {
	c := m.check()
	c.key("id", in.ID, false)
	c.text("content", in.Content)
	if in.Content == "" {
		c.fail("content", "is empty")
	}
	c.oneOf("memory type", in.MemoryType, func(s string) error { return memory.MemoryTypeValidator(memory.MemoryType(s)) })
	c.json("metadata", in.Metadata)
	if c.err != nil {
		return nil, c.err
	}
	vecs, err := m.cfg.embed(ctx, []string{in.Content})
	if err != nil {
		return nil, err
	}
	if vector.IsZero(vecs[0]) {
		return nil, invalid("content", "has no words to embed")
	}
	hash := contentHash(in.Content)
	var out *ent.Memory
	err = m.atomic(ctx, func(o ops) error {
		// Serialize stores of the same content in the namespace, so
		// racing duplicates make one row.
		if _, err := o.client.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`,
			m.ns.OrganizationID+"/"+deref(m.ns.UserID)+"/"+hash); err != nil {
			return translate(err, "memory", in.ID)
		}
		if dup, err := o.client.Memory.Query().Where(m.inNamespace(), memory.ContentHash(hash)).First(ctx); err == nil {
			out = dup
			return nil
		} else if !ent.IsNotFound(err) {
			return translate(err, "memory", in.ID)
		}
		if in.ID != "" {
			existing, err := o.client.Memory.Get(ctx, in.ID)
			switch {
			case err == nil && !sameUser(existing.UserID, m.ns.UserID):
				return &ConflictError{Entity: "memory", Constraint: "namespace"}
			case err == nil:
				out, err = o.client.Memory.UpdateOne(existing).SetContent(in.Content).SetContentHash(hash).
					SetMemoryType(memory.MemoryType(in.MemoryType)).SetMetadata(orEmpty(in.Metadata)).
					SetEmbedding(pgvector.NewVector(vecs[0])).SetNillableRelevance(in.Relevance).
					SetNillableExpiresAt(in.ExpiresAt).Save(ctx)
				return translate(err, "memory", in.ID)
			case !ent.IsNotFound(err):
				return translate(err, "memory", in.ID)
			}
		}
		out, err = o.client.Memory.Create().SetOrganizationID(m.ns.OrganizationID).SetNillableUserID(m.ns.UserID).
			SetNillableID(nonEmpty(in.ID)).SetContent(in.Content).SetContentHash(hash).
			SetMemoryType(memory.MemoryType(in.MemoryType)).SetMetadata(orEmpty(in.Metadata)).
			SetEmbedding(pgvector.NewVector(vecs[0])).SetNillableRelevance(in.Relevance).
			SetNillableExpiresAt(in.ExpiresAt).Save(ctx)
		return translate(err, "memory", in.ID)
	})
	return out, err
}

// Recalled is a memory with its relevance to the query: 1 − cosine
// distance.
type Recalled struct {
	vector.RecalledMemory
	Similarity float64 `json:"similarity"`
}

// Recall returns up to k unexpired memories of the namespace most similar
// to query, at least minSimilarity (−1 keeps all), best first, and marks
// them accessed. A query without words recalls nothing.
func (m *Memories) Recall(ctx context.Context, query string, k int, minSimilarity float64) ([]Recalled, error) {
	c := m.check()
	c.text("query", query)
	c.limit(k)
	if c.err != nil {
		return nil, c.err
	}
	vecs, err := m.cfg.embed(ctx, []string{query})
	if err != nil {
		return nil, err
	}
	if k == 0 || vector.IsZero(vecs[0]) {
		return []Recalled{}, nil
	}
	hits, err := vector.RecallMemories(ctx, m.q, m.ns, vecs[0], k, 1-minSimilarity)
	if err != nil {
		return nil, translate(err, "memory", "")
	}
	out := make([]Recalled, len(hits))
	for i, h := range hits {
		out[i] = Recalled{RecalledMemory: h, Similarity: 1 - h.Distance}
	}
	return out, nil
}

// Forget deletes a memory of the namespace and reports whether one went; an
// unknown id, or one of another namespace, is a no-op.
func (m *Memories) Forget(ctx context.Context, id string) (bool, error) {
	n, err := m.client.Memory.Delete().Where(memory.ID(id), m.inNamespace()).Exec(ctx)
	return n > 0, translate(err, "memory", id)
}

func (m *Memories) inNamespace() predicate.Memory {
	if m.ns.UserID == nil {
		return memory.UserIDIsNil()
	}
	return memory.UserID(*m.ns.UserID)
}

// SweepExpiredMemories deletes expired memories of every organization in
// batches of batch rows, until none are left, and returns how many went. It
// is operator work: ctx must carry the system viewer.
func (o ops) SweepExpiredMemories(ctx context.Context, batch int) (int, error) {
	if v, err := viewer(ctx); err != nil || !v.IsSystem() {
		return 0, fmtDenied("sweeping expired memories spans organizations: run it as access.SystemContext")
	}
	if batch < 1 {
		return 0, invalid("batch", "%d is not positive", batch)
	}
	total := 0
	for {
		ids, err := o.client.Memory.Query().Where(memory.ExpiresAtLTE(time.Now())).Limit(batch).IDs(ctx)
		if err != nil {
			return total, translate(err, "memory", "")
		}
		if len(ids) == 0 {
			return total, nil
		}
		n, err := o.client.Memory.Delete().Where(memory.IDIn(ids...)).Exec(ctx)
		total += n
		if err != nil {
			return total, translate(err, "memory", "")
		}
		if len(ids) < batch {
			return total, nil
		}
	}
}

func contentHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func sameUser(a, b *string) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
