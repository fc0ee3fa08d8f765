package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Chunk is a piece of a document with its embedding. The table also has the
// tsvector of heading and content (content_tsv, GIN-indexed with the
// organization) that ent does not model: storage's ingest writes it, under
// the store's text search configuration; see storage/migration's diff hooks.
type Chunk struct{ ent.Schema }

// Mixin of the Chunk.
func (Chunk) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, CreateTimeMixin{}} }

// Fields of the Chunk.
func (Chunk) Fields() []ent.Field {
	return []ent.Field{
		idField(), // "{document id}#{chunk index}"
		field.String("document_id").NotEmpty().Immutable().SchemaType(textType),
		field.Int("chunk_index").NonNegative().Immutable(),
		field.String("content").SchemaType(textType),
		// The document's title: searched and embedded with every chunk, so a
		// chunk that never names its subject is still found by it.
		field.String("heading").Default("").SchemaType(textType),
		// Its length in words as the full-text index reads it (stopwords
		// dropped): BM25's document length, written at ingest.
		field.Int("words").NonNegative().Default(0),
		embeddingField(),
		jsonObject("metadata"),
		aclField(),
		textArray("document_sets"),
	}
}

// Edges of the Chunk.
func (Chunk) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("document", Document.Type).Ref("chunks").
			Field("document_id").Unique().Required().Immutable(),
	}
}

// Indexes of the Chunk.
func (Chunk) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("document_id", "chunk_index").Unique(),
		// (organization_id, document_id), not the organization alone: the
		// composite foreign key's cascade is then one lookup. With an
		// organization-only index, a new organization that the statistics
		// think rare had every cascaded delete scan all its chunks.
		index.Fields("organization_id", "document_id"),
		hnswIndex(),
		// No GIN of the ACL alone: chunk_content_tsv (the migrations' diff
		// hook) indexes it with the organization and the lexemes, and before
		// the table's first VACUUM the planner took the ACL-only index for
		// searches and filtered every chunk the viewer may read. The document
		// sets' GIN, with the organization, is the hook's too.
	}
}

// Policy of the Chunk: chunks carry their document's ACL.
func (Chunk) Policy() ent.Policy { return aclPolicy() }
