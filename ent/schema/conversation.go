package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Conversation is one thread of messages on a platform.
type Conversation struct{ ent.Schema }

// Mixin of the Conversation.
func (Conversation) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the Conversation.
func (Conversation) Fields() []ent.Field {
	return []ent.Field{
		idField(),
		platformEnum.field(),
		field.String("name").Default("").SchemaType(textType),
		field.String("idempotency_key").Optional().Nillable().Immutable().SchemaType(textType).
			Comment("Create is idempotent on (organization_id, idempotency_key)."),
		jsonObject("metadata"),
		jsonObject("analytics"),
	}
}

// Edges of the Conversation.
func (Conversation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("participants", Participant.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("messages", Message.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
		edge.To("sessions", Session.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the Conversation.
func (Conversation) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "idempotency_key").Unique(),
		// Target of the (conversation_id, organization_id) foreign keys that
		// keep children in their conversation's organization.
		index.Fields("id", "organization_id").Unique(),
		index.Fields("organization_id", "created_at", "id").Annotations(entsql.DescColumns("created_at", "id")),
	}
}

// Annotations of the Conversation.
func (Conversation) Annotations() []schema.Annotation {
	return []schema.Annotation{checks(platformEnum)}
}
