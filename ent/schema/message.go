package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/agentstore/agentstore/chat"
)

// Message is one message of a conversation. seq is assigned by the database
// (an identity column) and is the paging key.
type Message struct{ ent.Schema }

// Mixin of the Message.
func (Message) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}} }

// Fields of the Message.
func (Message) Fields() []ent.Field {
	return []ent.Field{
		idField(),
		optionalText("external_id"),
		field.String("conversation_id").NotEmpty().Immutable().SchemaType(textType),
		directionEnum.field(),
		field.JSON("content", chat.Content{}),
		field.String("from_participant_id").Optional().Nillable().Immutable().SchemaType(textType),
		field.String("to_participant_id").Optional().Nillable().Immutable().SchemaType(textType),
		jsonObject("metadata"),
		jsonObject("analytics"),
		field.Int64("seq").Optional().Immutable().
			Comment("GENERATED ALWAYS AS IDENTITY: never set by clients."),
		field.Time("created_at").Immutable().Default(now),
		field.Time("updated_at").Optional().Nillable(),
	}
}

// Edges of the Message.
func (Message) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("conversation", Conversation.Type).Ref("messages").
			Field("conversation_id").Unique().Required().Immutable(),
		edge.From("from_participant", Participant.Type).Ref("sent_messages").
			Field("from_participant_id").Unique().Immutable(),
		edge.From("to_participant", Participant.Type).Ref("received_messages").
			Field("to_participant_id").Unique().Immutable(),
	}
}

// Indexes of the Message.
func (Message) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("conversation_id", "seq").Unique(),
		index.Fields("from_participant_id"),
		index.Fields("to_participant_id"),
	}
}

// Annotations of the Message.
func (Message) Annotations() []schema.Annotation {
	return []schema.Annotation{checks(directionEnum)}
}
