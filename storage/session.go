package storage

import (
	"context"
	"time"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/session"
)

// NewSession is the input of CreateSession.
type NewSession struct {
	ID                 string // optional; a UUID when empty
	ConversationID     string
	AgentID            *string // nil for an agentless session (stays NULL)
	AgentName          string
	UserParticipantID  string // optional; a participant of the conversation
	AgentParticipantID string // optional; a participant of the conversation
	ThreadID           string
	Status             *string // active idle ended
	TokenCount         *int64
	MessageCount       *int64
	Metadata           map[string]any
	LastActivityAt     *time.Time // default: now
}

// CreateSession creates a session in a conversation of the viewer's
// organization (else ErrNotFound). Its participants must belong to the
// conversation (else ErrInvalidInput naming the field).
func (o ops) CreateSession(ctx context.Context, in NewSession) (*ent.Session, error) {
	org, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	c := o.check()
	c.key("id", in.ID, false)
	c.key("conversation id", in.ConversationID, true)
	c.optKey("agent id", in.AgentID)
	c.key("agent name", in.AgentName, false)
	c.key("user participant id", in.UserParticipantID, false)
	c.key("agent participant id", in.AgentParticipantID, false)
	c.key("thread id", in.ThreadID, false)
	c.status(in.Status)
	c.counts(in.TokenCount, in.MessageCount)
	c.json("metadata", in.Metadata)
	if c.err != nil {
		return nil, c.err
	}
	create := o.client.Session.Create().SetOrganizationID(org).SetConversationID(in.ConversationID).
		SetNillableAgentID(in.AgentID).SetAgentName(in.AgentName).SetThreadID(in.ThreadID).
		SetNillableTokenCount(in.TokenCount).SetNillableMessageCount(in.MessageCount).
		SetMetadata(orEmpty(in.Metadata)).SetNillableLastActivityAt(in.LastActivityAt)
	if in.Status != nil {
		create.SetStatus(session.Status(*in.Status))
	}
	create.SetNillableID(nonEmpty(in.ID))
	create.SetNillableUserParticipantID(nonEmpty(in.UserParticipantID))
	create.SetNillableAgentParticipantID(nonEmpty(in.AgentParticipantID))
	s, err := create.Save(ctx)
	return s, translate(err, "session", in.ID)
}

// Session returns one session.
func (o ops) Session(ctx context.Context, id string) (*ent.Session, error) {
	s, err := o.client.Session.Get(ctx, id)
	return s, translate(err, "session", id)
}

// Sessions lists a conversation's sessions by (created_at, session_id).
func (o ops) Sessions(ctx context.Context, conversationID string) ([]*ent.Session, error) {
	ss, err := o.client.Session.Query().Where(session.ConversationID(conversationID)).
		Order(ent.Asc(session.FieldCreatedAt), ent.Asc(session.FieldID)).All(ctx)
	return ss, translate(err, "session", "")
}

// SessionUpdate sets the fields that are non-nil; Metadata, when non-nil,
// replaces the whole map.
type SessionUpdate struct {
	Status         *string
	TokenCount     *int64
	MessageCount   *int64
	LastActivityAt *time.Time
	EndedAt        *time.Time
	Metadata       map[string]any
}

// UpdateSession applies u and sets updated_at; an unknown id is ErrNotFound.
func (o ops) UpdateSession(ctx context.Context, id string, u SessionUpdate) (*ent.Session, error) {
	c := o.check()
	c.key("id", id, true)
	c.status(u.Status)
	c.counts(u.TokenCount, u.MessageCount)
	c.json("metadata", u.Metadata)
	if c.err != nil {
		return nil, c.err
	}
	up := o.client.Session.UpdateOneID(id).SetNillableTokenCount(u.TokenCount).
		SetNillableMessageCount(u.MessageCount).SetNillableLastActivityAt(u.LastActivityAt).
		SetNillableEndedAt(u.EndedAt)
	if u.Status != nil {
		up.SetStatus(session.Status(*u.Status))
	}
	if u.Metadata != nil {
		up.SetMetadata(u.Metadata)
	}
	s, err := up.Save(ctx)
	return s, translate(err, "session", id)
}

func (c *checker) status(s *string) {
	if s != nil {
		c.oneOf("status", *s, func(s string) error { return session.StatusValidator(session.Status(s)) })
	}
}

func (c *checker) counts(tokens, messages *int64) {
	if tokens != nil && *tokens < 0 {
		c.fail("token count", "%d is negative", *tokens)
	}
	if messages != nil && *messages < 0 {
		c.fail("message count", "%d is negative", *messages)
	}
}
