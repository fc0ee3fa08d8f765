package storage

import (
	"context"
	"fmt"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/document"
	"github.com/agentstore/agentstore/vector"
)

// bulkDocuments is how many documents one upsert statement carries
// (PostgreSQL takes at most 65535 parameters).
const bulkDocuments = 1000

// IngestManyResult reports what IngestMany did.
type IngestManyResult struct {
	Documents int // written
	Unchanged int // skipped: their source already held the same content
	Chunks    int // written
}

// IngestMany is the bulk path of Ingest: it embeds the chunks of all
// documents in batches, then upserts the documents and replaces their chunks
// with one COPY, all in one transaction. Documents whose source already
// holds the same content are skipped whole. Sources must be distinct.
func (s *Store) IngestMany(ctx context.Context, docs []DocumentInput) (*IngestManyResult, error) {
	org, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	seen := make(map[string]bool, len(docs))
	for i, d := range docs {
		if err := s.checkDocument(d); err != nil {
			return nil, fmt.Errorf("document %d: %w", i, err)
		}
		if seen[d.Source] {
			return nil, invalid("source", "%q appears twice in one batch", d.Source)
		}
		seen[d.Source] = true
	}
	docs, unchanged, err := s.changed(ctx, org, docs)
	if err != nil {
		return nil, err
	}
	res := &IngestManyResult{Documents: len(docs), Unchanged: unchanged}
	rows, err := s.embedAll(ctx, docs)
	if err != nil {
		return nil, err
	}
	err = s.WithTx(ctx, func(tx *Tx) error {
		for start := 0; start < len(docs); start += bulkDocuments {
			batch := docs[start:min(start+bulkDocuments, len(docs))]
			n, err := tx.writeBatch(ctx, org, batch, rows[start:start+len(batch)])
			if err != nil {
				return err
			}
			res.Chunks += n
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// changed drops the documents whose source already holds the same content.
func (s *Store) changed(ctx context.Context, org string, docs []DocumentInput) ([]DocumentInput, int, error) {
	sources := make([]string, len(docs))
	for i, d := range docs {
		sources[i] = d.Source
	}
	stored := map[string]string{}
	for start := 0; start < len(sources); start += bulkDocuments {
		prev, err := s.client.Document.Query().
			Where(document.OrganizationID(org), document.SourceIn(sources[start:min(start+bulkDocuments, len(sources))]...)).
			Select(document.FieldSource, document.FieldContentHash).All(access.SystemContext(ctx))
		if err != nil {
			return nil, 0, translate(err, "document", "")
		}
		for _, p := range prev {
			stored[p.Source] = p.ContentHash
		}
	}
	out := docs[:0:0]
	for _, d := range docs {
		if stored[d.Source] != documentHash(d) {
			out = append(out, d)
		}
	}
	return out, len(docs) - len(out), nil
}

// embedAll splits every document and embeds all chunks in one call (the
// embedder batches); rows[i] are the chunks of docs[i]. Each chunk is
// embedded under its document's title, as the sparse arm searches it.
func (s *Store) embedAll(ctx context.Context, docs []DocumentInput) ([][]vector.ChunkRow, error) {
	var texts []string
	pieces := make([][]string, len(docs))
	for i, d := range docs {
		pieces[i] = SplitText(d.Content, DefaultChunkSize, DefaultChunkOverlap)
		for _, p := range pieces[i] {
			texts = append(texts, s.cfg.denseText(deref(d.Title)+"\n"+p))
		}
	}
	vecs, err := s.cfg.embed(ctx, texts)
	if err != nil {
		return nil, err
	}
	rows := make([][]vector.ChunkRow, len(docs))
	k := 0
	for i, ps := range pieces {
		rows[i] = make([]vector.ChunkRow, len(ps))
		for j, p := range ps {
			rows[i][j] = vector.ChunkRow{Index: j, Heading: deref(docs[i].Title), Content: p, Embedding: vecs[k], Metadata: docs[i].Metadata}
			k++
		}
	}
	return rows, nil
}

// writeBatch upserts documents with one statement and replaces their chunks
// with one COPY; it returns the number of chunks written.
func (tx *Tx) writeBatch(ctx context.Context, org string, docs []DocumentInput, rows [][]vector.ChunkRow) (int, error) {
	creates := make([]*ent.DocumentCreate, len(docs))
	acls := make([]*access.ACL, len(docs))
	sources := make([]string, len(docs))
	for i, d := range docs {
		acls[i] = documentACL(d)
		sources[i] = d.Source
		creates[i] = newDocument(tx.client, org, d, acls[i])
	}
	err := tx.client.Document.CreateBulk(creates...).
		OnConflictColumns(document.FieldOrganizationID, document.FieldSource).Update(replaceDocument).Exec(ctx)
	if err != nil {
		return 0, translate(err, "document", "")
	}
	stored, err := tx.client.Document.Query().Where(document.OrganizationID(org), document.SourceIn(sources...)).
		Select(document.FieldID, document.FieldSource).All(access.SystemContext(ctx))
	if err != nil {
		return 0, translate(err, "document", "")
	}
	ids := make(map[string]string, len(stored))
	for _, d := range stored {
		ids[d.Source] = d.ID
	}
	var all []vector.ChunkRow
	docIDs := make([]string, len(docs))
	for i, d := range docs {
		docIDs[i] = ids[d.Source]
		stamp(rows[i], docIDs[i], acls[i], d.DocumentSets)
		all = append(all, rows[i]...)
	}
	err = tx.Raw(ctx, func(q vector.Copier) error { return vector.ReplaceChunks(ctx, q, org, docIDs, all) })
	return len(all), err
}
