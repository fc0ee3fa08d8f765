package schema

import (
	"fmt"

	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/pgvector/pgvector-go"
)

// Memory is something an agent remembers about an organization (user_id
// NULL) or one of its users.
type Memory struct{ ent.Schema }

// Mixin of the Memory.
func (Memory) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, CreateTimeMixin{}} }

// Fields of the Memory.
func (Memory) Fields() []ent.Field {
	return []ent.Field{
		idField(),
		field.String("user_id").Optional().Nillable().Immutable().SchemaType(textType).
			Comment("NULL = organization-wide memory."),
		field.String("content").SchemaType(textType),
		memoryTypeEnum.field(),
		field.Float("relevance").Default(1),
		jsonObject("metadata"),
		embeddingField(),
		field.String("content_hash").Default("").SchemaType(textType),
		field.Time("last_accessed").Default(now),
		field.Time("expires_at").Optional().Nillable(),
	}
}

// Indexes of the Memory.
func (Memory) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "user_id"),
		index.Fields("expires_at"),
		hnswIndex(),
	}
}

// Annotations of the Memory.
func (Memory) Annotations() []schema.Annotation {
	return []schema.Annotation{checks(memoryTypeEnum)}
}

// embeddingField is vector(EmbeddingDimensions) NOT NULL: pgvector.Vector
// cannot scan NULL.
func embeddingField() ent.Field {
	return field.Other("embedding", pgvector.Vector{}).
		SchemaType(map[string]string{dialect.Postgres: fmt.Sprintf("vector(%d)", EmbeddingDimensions)})
}

// hnswIndex is the cosine HNSW index on embedding.
func hnswIndex() ent.Index {
	return index.Fields("embedding").Annotations(entsql.IndexType("hnsw"), entsql.OpClass("vector_cosine_ops"))
}
