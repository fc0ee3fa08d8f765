package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// ConnectorConfig configures a knowledge connector. config may name a
// secret in auth_ref; it never holds the secret itself.
type ConnectorConfig struct{ ent.Schema }

// Mixin of the ConnectorConfig.
func (ConnectorConfig) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the ConnectorConfig.
func (ConnectorConfig) Fields() []ent.Field {
	return []ent.Field{
		idField(),
		field.String("name").NotEmpty().SchemaType(textType),
		connectorKindEnum.field(),
		jsonObject("config"),
		field.Bool("enabled").Default(true),
	}
}

// Indexes of the ConnectorConfig.
func (ConnectorConfig) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "id").Unique(),
		index.Fields("organization_id", "name", "id"),
	}
}

// Annotations of the ConnectorConfig.
func (ConnectorConfig) Annotations() []schema.Annotation {
	return []schema.Annotation{checks(connectorKindEnum)}
}
