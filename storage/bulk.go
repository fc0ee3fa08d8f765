package storage

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/agentstore/agentstore/access"
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

// IngestMany is the bulk path of Ingest: in batches of bulkDocuments it
// embeds the chunks, upserts the documents and replaces their chunks with
// one COPY, all in one transaction (while one batch is written, the next
// is embedded, and read as the full-text index reads it on a spare
// connection when the pool has one). Documents whose source already holds
// the same content are skipped whole. Sources must be distinct. After a
// large load, VACUUM ANALYZE chunks (autovacuum will, later): until then
// every search scans the full-text index's pending list.
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
	if len(docs) == 0 {
		return res, nil
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := s.embedBatches(ctx, docs)
	// A semantic embedder's first batch is embedded before the transaction
	// opens; the others while the one before is written.
	next, more := <-batches
	if !more {
		return nil, errEmbeddingStopped(ctx)
	}
	if next.err != nil {
		return nil, next.err
	}
	err = s.WithTx(ctx, func(tx *Tx) error {
		// The batches after the first are read (and a lexical embedder's
		// embedded) a batch ahead on a spare connection, when there is one.
		ahead := batches
		if spare := s.spareConn(ctx); spare != nil {
			ahead = s.readAhead(ctx, spare, batches)
		}
		written := 0
		for ; more; next, more = <-ahead {
			if next.err != nil {
				return next.err
			}
			if next.read == nil { // not read ahead: read on this connection
				if err := tx.Raw(ctx, func(q vector.Copier) error { return s.read(ctx, q, next) }); err != nil {
					return err
				}
			}
			n, err := tx.writeBatch(ctx, org, next.docs, next.rows())
			if err != nil {
				return err
			}
			res.Chunks += n
			written += len(next.docs)
		}
		if written != len(docs) {
			return errEmbeddingStopped(ctx)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	s.sizes.forget(org)
	return res, nil
}

// spareWait bounds the wait for a spare connection.
const spareWait = 50 * time.Millisecond

// spareConn is a second connection for a transaction's helper, if the pool
// has one free or room for one within spareWait, else nil. Waiting longer
// while holding the transaction's connection could wait on a transaction
// that does the same.
func (s *Store) spareConn(ctx context.Context) *pgxpool.Conn {
	ctx, cancel := context.WithTimeout(ctx, spareWait)
	defer cancel()
	conn, err := s.pool.Acquire(ctx)
	if err != nil {
		return nil
	}
	return conn
}

// readAhead reads (and embeds, if not yet) the batches from in on conn, a
// batch ahead of their writer, and releases conn when in is done or ctx is.
func (s *Store) readAhead(ctx context.Context, conn *pgxpool.Conn, in <-chan *chunked) <-chan *chunked {
	out := make(chan *chunked, 1)
	go func() {
		defer close(out)
		defer conn.Release()
		for b := range in {
			if b.err == nil {
				b.err = s.read(ctx, conn, b)
			}
			if !send(ctx, out, b) {
				return
			}
		}
	}()
	return out
}

// send hands b on unless ctx is done first, and reports whether its sender
// goes on: b went, without an error. b is the receiver's once sent.
func send(ctx context.Context, out chan<- *chunked, b *chunked) bool {
	failed := b.err != nil
	select {
	case out <- b:
		return !failed
	case <-ctx.Done():
		return false
	}
}

// errEmbeddingStopped is why embedBatches closed before the last batch:
// ctx is done.
func errEmbeddingStopped(ctx context.Context) error {
	return cmp.Or(ctx.Err(), errors.New("storage: ingest: embedding stopped early"))
}

// chunked is a batch of documents split into chunks, embedded or not yet.
type chunked struct {
	docs   []DocumentInput
	pieces [][]string       // the chunks of each document
	texts  []string         // every chunk under its title, as it is searched
	read   []vector.Reading // each text as the full-text index reads it
	vecs   [][]float32
	err    error
}

// embedBatches splits docs bulkDocuments at a time on its own goroutine, a
// batch ahead of its reader, and embeds them there for a semantic embedder,
// so the embedder and the database work at once. (A small first batch
// would start the database earlier, but measured 10× slower: the chunks'
// foreign-key checks then cache a plan made while the documents table was
// tiny.) It stops after an error or when ctx is done.
func (s *Store) embedBatches(ctx context.Context, docs []DocumentInput) <-chan *chunked {
	out := make(chan *chunked, 1)
	go func() {
		defer close(out)
		for start := 0; start < len(docs); start += bulkDocuments {
			b := split(docs[start:min(start+bulkDocuments, len(docs))])
			if !s.cfg.lexical() {
				b.vecs, b.err = s.cfg.embed(ctx, b.texts)
			}
			if !send(ctx, out, b) {
				return
			}
		}
	}()
	return out
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
		if stored[d.Source] != s.cfg.documentHash(d) {
			out = append(out, d)
		}
	}
	return out, len(docs) - len(out), nil
}

// split cuts every document into chunks; each chunk is embedded under its
// document's title, as the sparse arm searches it.
func split(docs []DocumentInput) *chunked {
	b := &chunked{docs: docs, pieces: make([][]string, len(docs))}
	for i, d := range docs {
		b.pieces[i] = SplitText(d.Content, DefaultChunkSize, DefaultChunkOverlap)
		for _, p := range b.pieces[i] {
			if d.Title != nil && *d.Title != "" {
				p = *d.Title + "\n" + p
			}
			b.texts = append(b.texts, p)
		}
	}
	return b
}

// read reads b's chunks as the full-text index does, on q: the tsvector
// stored with each and, for a lexical embedder, their embeddings (of the
// lexemes). A semantic embedder's are embedded already (embedBatches) or
// here.
func (s *Store) read(ctx context.Context, q vector.Querier, b *chunked) error {
	var err error
	if b.read, err = vector.Read(ctx, q, s.cfg.textSearchConfig, b.texts); err != nil {
		return err
	}
	switch {
	case b.vecs != nil:
	case s.cfg.lexical():
		lexemes := make([]string, len(b.read))
		for i, r := range b.read {
			lexemes[i] = r.Lexemes
		}
		b.vecs, err = s.cfg.embed(ctx, lexemes)
	default:
		b.vecs, err = s.cfg.embed(ctx, b.texts)
	}
	return err
}

// rows are b's chunks, embedded: rows[i] are the chunks of docs[i].
func (b *chunked) rows() [][]vector.ChunkRow {
	rows := make([][]vector.ChunkRow, len(b.docs))
	k := 0
	for i, ps := range b.pieces {
		rows[i] = make([]vector.ChunkRow, len(ps))
		for j, p := range ps {
			rows[i][j] = vector.ChunkRow{Index: j, Heading: deref(b.docs[i].Title), Content: p, Reading: b.read[k],
				Embedding: b.vecs[k], Metadata: b.docs[i].Metadata}
			k++
		}
	}
	return rows
}

// writeBatch upserts documents with one statement and replaces their chunks
// (rows[i] are docs[i]'s) with one COPY; it returns the number of chunks
// written.
func (tx *Tx) writeBatch(ctx context.Context, org string, docs []DocumentInput, rows [][]vector.ChunkRow) (int, error) {
	acls := make([]*access.ACL, len(docs))
	for i, d := range docs {
		acls[i] = documentACL(d)
	}
	ids, replaced, err := tx.upsertDocuments(ctx, org, docs, acls)
	if err != nil {
		return 0, err
	}
	var all []vector.ChunkRow
	for i, d := range docs {
		stamp(rows[i], ids[d.Source], acls[i], d.DocumentSets)
		all = append(all, rows[i]...)
	}
	err = tx.Raw(ctx, func(q vector.Copier) error { return vector.ReplaceChunks(ctx, q, org, replaced, all) })
	return len(all), err
}
