package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// IndexingRun records one run of a knowledge connector.
type IndexingRun struct{ ent.Schema }

// Mixin of the IndexingRun.
func (IndexingRun) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}} }

// Fields of the IndexingRun.
func (IndexingRun) Fields() []ent.Field {
	return []ent.Field{
		idField(),
		field.String("connector_name").NotEmpty().SchemaType(textType),
		indexingStatusEnum.field(),
		field.Time("started_at").Default(now),
		field.Time("finished_at").Optional().Nillable(),
		field.Int64("documents_seen").NonNegative().Default(0),
		field.Int64("chunks_indexed").NonNegative().Default(0),
		field.Int64("documents_skipped").NonNegative().Default(0),
		optionalText("cursor"),
		optionalText("error"),
	}
}

// Indexes of the IndexingRun.
func (IndexingRun) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "id").Unique(),
		index.Fields("organization_id", "connector_name", "started_at").Annotations(entsql.DescColumns("started_at")),
	}
}

// Annotations of the IndexingRun.
func (IndexingRun) Annotations() []schema.Annotation {
	return []schema.Annotation{checks(indexingStatusEnum)}
}
