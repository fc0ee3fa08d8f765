package storage

import (
	"context"
	"fmt"
	"math"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/document"
	"github.com/agentstore/agentstore/ent/schema"
	"github.com/agentstore/agentstore/vector"
)

// ACLStampKey is the metadata key read for a document's ACL when
// DocumentInput.ACL is nil.
const ACLStampKey = "acl"

// MaxSourceBytes caps a document's source (a path or URL).
const MaxSourceBytes = 2048

// DocumentInput is the input of Ingest.
type DocumentInput struct {
	ID     string // optional; a UUID when the source is new
	Source string // path or URL; unique per organization: re-ingesting it replaces the document
	// Title (at most MaxTitleBytes) heads every chunk: searched and
	// embedded with it, so a chunk that never names its subject is found by
	// it.
	Title   *string
	Content string
	// Metadata is stored on the document and each chunk.
	Metadata map[string]any
	// ACL restricts who can read the document; nil reads the stamp at
	// Metadata["acl"] ({"public":…, "users":[…], "groups":[…]}); a missing
	// or malformed stamp means everyone in the organization.
	ACL          *access.ACL
	DocumentSets []string
	Boost        *float64 // multiplies search scores; default 1, must be > 0
}

// IngestResult reports what Ingest did.
type IngestResult struct {
	Document *ent.Document
	Chunks   int
	// Unchanged is true when the content was already stored: nothing was
	// embedded, and only the document's other fields were updated.
	Unchanged bool
}

// Ingest chunks a document (DefaultChunkSize/DefaultChunkOverlap), embeds
// the chunks and writes the document and its chunks in one transaction. A
// source ingested before is replaced atomically: readers see the old
// version or the new one, never a mix.
func (s *Store) Ingest(ctx context.Context, in DocumentInput) (*IngestResult, error) {
	org, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	if err := s.checkDocument(in); err != nil {
		return nil, err
	}
	acl := documentACL(in)
	hash := s.cfg.documentHash(in)
	// The source may be hidden from this viewer by its ACL; it is still
	// this organization's source to replace.
	prev, err := s.client.Document.Query().Where(document.OrganizationID(org), document.Source(in.Source)).
		Only(access.SystemContext(ctx))
	if err != nil && !ent.IsNotFound(err) {
		return nil, translate(err, "document", in.Source)
	}
	var rows []vector.ChunkRow
	unchanged := prev != nil && prev.ContentHash == hash
	if !unchanged {
		b := split([]DocumentInput{in})
		if err := s.read(ctx, s.pool, b); err != nil {
			return nil, err
		}
		rows = b.rows()[0]
	}
	res := &IngestResult{Unchanged: unchanged, Chunks: len(rows)}
	err = s.WithTx(ctx, func(tx *Tx) error {
		if _, err := tx.client.ExecContext(ctx, `SELECT pg_advisory_xact_lock(hashtextextended($1, 0))`, org+"/"+in.Source); err != nil {
			return translate(err, "document", in.Source)
		}
		ids, replaced, err := tx.upsertDocuments(ctx, org, []DocumentInput{in}, []*access.ACL{acl})
		if err != nil {
			return err
		}
		id := ids[in.Source]
		stamp(rows, id, acl, in.DocumentSets)
		err = tx.Raw(ctx, func(q vector.Copier) error {
			if unchanged {
				return vector.UpdateChunkAccess(ctx, q, org, id, acl.Principals(), in.DocumentSets)
			}
			return vector.ReplaceChunks(ctx, q, org, replaced, rows)
		})
		if err != nil {
			return err
		}
		if res.Document, err = tx.client.Document.Get(access.SystemContext(ctx), id); err != nil {
			return translate(err, "document", id)
		}
		if unchanged {
			res.Chunks, err = res.Document.QueryChunks().Count(access.SystemContext(ctx))
		}
		return translate(err, "document", id)
	})
	if err != nil {
		return nil, err
	}
	s.sizes.forget(org)
	return res, nil
}

// documentHash identifies what a document's chunks are made of: its title
// and content, and for a lexical embedder the text search configuration it
// reads them under. An unchanged hash costs no embedding call on re-ingest.
func (c *config) documentHash(in DocumentInput) string {
	var reading string
	if c.lexical() {
		reading = "lexemes:" + c.textSearchConfig + "\n"
	}
	return contentHash(reading + deref(in.Title) + "\n" + in.Content)
}

// stamp names a document's chunks and copies its access onto them.
func stamp(rows []vector.ChunkRow, documentID string, acl *access.ACL, sets []string) {
	for i := range rows {
		rows[i].ID = fmt.Sprintf("%s#%d", documentID, i)
		rows[i].DocumentID = documentID
		rows[i].ACL, rows[i].DocumentSets = acl.Principals(), sets
	}
}

// documentACL is the document's ACL, or the one stamped in its metadata.
func documentACL(in DocumentInput) *access.ACL {
	if in.ACL != nil {
		return in.ACL
	}
	return access.ParseACLStamp(in.Metadata[ACLStampKey])
}

// upsertDocuments writes docs (distinct sources) with one statement and
// returns their ids by source. A new source takes the input's id (a UUID
// when empty); a stored one keeps its id and creation time.
//
// replaced lists the documents that may have chunks already, in docs'
// order: all but those that came back with the id generated for them here,
// which had no row before.
func (tx *Tx) upsertDocuments(ctx context.Context, org string, docs []DocumentInput, acls []*access.ACL) (ids map[string]string, replaced []string, err error) {
	rows := make([]vector.DocumentRow, len(docs))
	generated := make(map[string]string, len(docs))
	for i, d := range docs {
		id := d.ID
		if id == "" {
			id = schema.NewID()
			generated[d.Source] = id
		}
		boost := 1.0
		if d.Boost != nil {
			boost = *d.Boost
		}
		rows[i] = vector.DocumentRow{ID: id, Source: d.Source, Title: d.Title, ContentHash: tx.cfg.documentHash(d),
			Metadata: orEmpty(d.Metadata), ACL: acls[i].Principals(), DocumentSets: d.DocumentSets, Boost: boost}
	}
	err = tx.Raw(ctx, func(q vector.Copier) error {
		var err error
		ids, err = vector.UpsertDocuments(ctx, q, org, rows)
		return err
	})
	if err != nil {
		return nil, nil, translate(err, "document", "")
	}
	for _, d := range docs {
		if id := ids[d.Source]; generated[d.Source] != id {
			replaced = append(replaced, id)
		}
	}
	return ids, replaced, nil
}

func (s *Store) checkDocument(in DocumentInput) error {
	c := s.check()
	c.key("id", in.ID, false)
	c.key("source", in.Source, true)
	c.textMax("source", in.Source, MaxSourceBytes)
	if in.Title != nil {
		c.textMax("title", *in.Title, MaxTitleBytes)
	}
	c.text("content", in.Content)
	c.json("metadata", in.Metadata)
	for _, set := range in.DocumentSets {
		c.key("document set", set, true)
	}
	if in.ACL != nil {
		for _, p := range append(append([]string{}, in.ACL.Users...), in.ACL.Groups...) {
			c.key("acl", p, true)
		}
	}
	if b := in.Boost; b != nil && (*b <= 0 || math.IsInf(*b, 0) || math.IsNaN(*b)) {
		c.fail("boost", "%v is not a positive number", *b)
	}
	return c.err
}

// DeleteDocument deletes a document and its chunks; it reports whether one
// went (false for an unknown id, or one the viewer cannot see).
func (o ops) DeleteDocument(ctx context.Context, id string) (bool, error) {
	n, err := o.client.Document.Delete().Where(document.ID(id)).Exec(ctx)
	if n > 0 {
		v, _ := access.FromContext(ctx)
		o.sizes.forget(v.OrganizationID) // the system viewer's is "": all
	}
	return n > 0, translate(err, "document", id)
}
