package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AgentSettings holds one organization's agent configuration.
type AgentSettings struct{ ent.Schema }

// Mixin of the AgentSettings.
func (AgentSettings) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}} }

// Fields of the AgentSettings.
func (AgentSettings) Fields() []ent.Field {
	return []ent.Field{
		idField(),
		field.String("model").NotEmpty().SchemaType(textType),
		field.String("system_prompt").SchemaType(textType),
		optionalText("persona"),
		field.Strings("default_tools").Default([]string{}).Annotations(entsql.Default("[]")),
		field.Time("updated_at").Default(now).UpdateDefault(now),
	}
}

// Indexes of the AgentSettings.
func (AgentSettings) Indexes() []ent.Index {
	return []ent.Index{index.Fields("organization_id").Unique()}
}
