package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
	"github.com/google/uuid"
)

// Session is an agent's working session inside a conversation.
type Session struct{ ent.Schema }

// Mixin of the Session.
func (Session) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the Session.
func (Session) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").StorageKey("session_id").NotEmpty().Immutable().DefaultFunc(uuid.NewString).SchemaType(textType),
		field.String("conversation_id").NotEmpty().Immutable().SchemaType(textType),
		optionalText("agent_id"), // NULL for agentless sessions
		field.String("agent_name").Default("").SchemaType(textType),
		field.String("user_participant_id").Optional().Nillable().SchemaType(textType),
		field.String("agent_participant_id").Optional().Nillable().SchemaType(textType),
		field.String("thread_id").Default("").SchemaType(textType),
		sessionStatusEnum.optionalField(),
		field.Int64("token_count").Optional().Nillable().NonNegative(),
		field.Int64("message_count").Optional().Nillable().NonNegative(),
		jsonObject("metadata"),
		field.Time("ended_at").Optional().Nillable(),
		field.Time("last_activity_at").Default(now),
	}
}

// Edges of the Session.
func (Session) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("conversation", Conversation.Type).Ref("sessions").
			Field("conversation_id").Unique().Required().Immutable(),
		edge.From("user_participant", Participant.Type).Ref("user_sessions").
			Field("user_participant_id").Unique(),
		edge.From("agent_participant", Participant.Type).Ref("agent_sessions").
			Field("agent_participant_id").Unique(),
	}
}

// Indexes of the Session.
func (Session) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("conversation_id", "created_at", "id"),
		index.Fields("organization_id", "created_at"),
		index.Fields("user_participant_id"),
		index.Fields("agent_participant_id"),
	}
}

// Annotations of the Session.
func (Session) Annotations() []schema.Annotation {
	return []schema.Annotation{checks(sessionStatusEnum)}
}
