package schema

import (
	"encoding/json"

	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Checkpoint is durable agent state for one agent and thread; the latest is
// the one with the highest seq (an identity column).
type Checkpoint struct{ ent.Schema }

// Mixin of the Checkpoint.
func (Checkpoint) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, CreateTimeMixin{}} }

// Fields of the Checkpoint.
func (Checkpoint) Fields() []ent.Field {
	return []ent.Field{
		idField(),
		field.String("agent_id").NotEmpty().SchemaType(textType),
		field.String("thread_id").SchemaType(textType),
		optionalText("parent_id"),
		field.Int("iteration").NonNegative().Default(0),
		field.JSON("state", json.RawMessage{}).Comment("The engine's conversation state."),
		jsonObject("metadata"),
		field.Int64("seq").Optional().Immutable().
			Comment("GENERATED ALWAYS AS IDENTITY: never set by clients."),
	}
}

// Indexes of the Checkpoint.
func (Checkpoint) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "id").Unique(),
		index.Fields("organization_id", "agent_id", "thread_id", "seq").Annotations(entsql.DescColumns("seq")),
	}
}
