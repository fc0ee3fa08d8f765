package storage

import (
	"context"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/participant"
)

// NewParticipant is the input of AddParticipant.
type NewParticipant struct {
	ID                 string // optional; a UUID when empty
	ConversationID     string
	Type               string // user ai-agent human-agent
	ExternalID         *string
	InternalID         *string
	BrowserFingerprint *string
	BrowserInfo        map[string]any
	Name               string
	Email              *string
	Phone              *string
	CRMContactID       *string
	Metadata           map[string]any
}

// AddParticipant adds a participant to a conversation of the viewer's
// organization. A taken id is ErrConflict; an unknown conversation
// ErrNotFound.
func (o ops) AddParticipant(ctx context.Context, in NewParticipant) (*ent.Participant, error) {
	org, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	c := o.check()
	c.key("id", in.ID, false)
	c.key("conversation id", in.ConversationID, true)
	c.oneOf("type", in.Type, func(s string) error { return participant.TypeValidator(participant.Type(s)) })
	c.optKey("external id", in.ExternalID)
	c.optKey("internal id", in.InternalID)
	c.optKey("browser fingerprint", in.BrowserFingerprint)
	c.json("browser info", in.BrowserInfo)
	c.key("name", in.Name, false)
	c.optKey("email", in.Email)
	c.optKey("phone", in.Phone)
	c.optKey("crm contact id", in.CRMContactID)
	c.json("metadata", in.Metadata)
	if c.err != nil {
		return nil, c.err
	}
	create := o.client.Participant.Create().SetOrganizationID(org).SetConversationID(in.ConversationID).
		SetType(participant.Type(in.Type)).SetNillableExternalID(in.ExternalID).SetNillableInternalID(in.InternalID).
		SetNillableBrowserFingerprint(in.BrowserFingerprint).SetName(in.Name).SetNillableEmail(in.Email).
		SetNillablePhone(in.Phone).SetNillableCrmContactID(in.CRMContactID).SetMetadata(orEmpty(in.Metadata))
	if in.BrowserInfo != nil {
		create.SetBrowserInfo(in.BrowserInfo)
	}
	create.SetNillableID(nonEmpty(in.ID))
	p, err := create.Save(ctx)
	return p, translate(err, "participant", in.ID)
}

// Participant returns one participant.
func (o ops) Participant(ctx context.Context, id string) (*ent.Participant, error) {
	p, err := o.client.Participant.Get(ctx, id)
	return p, translate(err, "participant", id)
}

// Participants lists a conversation's participants by (created_at, id).
func (o ops) Participants(ctx context.Context, conversationID string) ([]*ent.Participant, error) {
	ps, err := o.client.Participant.Query().Where(participant.ConversationID(conversationID)).
		Order(ent.Asc(participant.FieldCreatedAt), ent.Asc(participant.FieldID)).All(ctx)
	return ps, translate(err, "participant", "")
}

// ResolveParticipant finds a conversation's participant by external id; when
// several match, the earliest (created_at, id) wins.
func (o ops) ResolveParticipant(ctx context.Context, conversationID, externalID string) (*ent.Participant, error) {
	c := o.check()
	c.key("conversation id", conversationID, true)
	c.key("external id", externalID, true)
	if c.err != nil {
		return nil, c.err
	}
	p, err := o.client.Participant.Query().
		Where(participant.ConversationID(conversationID), participant.ExternalID(externalID)).
		Order(ent.Asc(participant.FieldCreatedAt), ent.Asc(participant.FieldID)).First(ctx)
	return p, translate(err, "participant with external id", externalID)
}
