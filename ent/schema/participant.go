package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Participant is a person or agent taking part in a conversation.
type Participant struct{ ent.Schema }

// Mixin of the Participant.
func (Participant) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the Participant.
func (Participant) Fields() []ent.Field {
	return []ent.Field{
		idField(),
		field.String("conversation_id").NotEmpty().Immutable().SchemaType(textType),
		participantTypeEnum.field(),
		optionalText("external_id"),
		optionalText("internal_id"),
		optionalText("browser_fingerprint"),
		field.JSON("browser_info", map[string]any{}).Optional(),
		field.String("name").Default("").SchemaType(textType),
		optionalText("email"),
		optionalText("phone"),
		optionalText("crm_contact_id"),
		jsonObject("metadata"),
	}
}

// optionalText is a nullable TEXT column.
func optionalText(name string) ent.Field {
	return field.String(name).Optional().Nillable().SchemaType(textType)
}

// keepReferences refuses to delete a participant that messages or sessions
// still name (checked at statement end, so deleting a whole conversation
// still cascades).
var keepReferences = entsql.OnDelete(entsql.NoAction)

// Edges of the Participant.
func (Participant) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("conversation", Conversation.Type).Ref("participants").
			Field("conversation_id").Unique().Required().Immutable(),
		edge.To("sent_messages", Message.Type).Annotations(keepReferences),
		edge.To("received_messages", Message.Type).Annotations(keepReferences),
		edge.To("user_sessions", Session.Type).Annotations(keepReferences),
		edge.To("agent_sessions", Session.Type).Annotations(keepReferences),
	}
}

// Indexes of the Participant.
func (Participant) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("conversation_id", "created_at", "id"),
		// Target of the foreign keys that keep message and session
		// references inside one conversation.
		index.Fields("id", "conversation_id").Unique(),
		index.Fields("conversation_id", "external_id"),
		index.Fields("organization_id", "email"),
	}
}

// Annotations of the Participant.
func (Participant) Annotations() []schema.Annotation {
	return []schema.Annotation{checks(participantTypeEnum)}
}
