package admin

import (
	"context"
	"slices"
	"strings"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/ent/memory"
	"github.com/agentstore/agentstore/ent/message"
	"github.com/agentstore/agentstore/ent/participant"
	"github.com/agentstore/agentstore/ent/predicate"
	"github.com/agentstore/agentstore/ent/session"
	"github.com/agentstore/agentstore/storage"
)

// Subject is a person, found among an organization's user participants by
// external id, by email (trimmed, case-insensitive), or by either.
// Memories are matched by user id = ExternalID.
type Subject struct {
	ExternalID string `json:"external_id,omitempty"`
	Email      string `json:"email,omitempty"`
}

// Footprint is everything tied to one person in an organization: the
// export a data-subject request needs. Memories carry no embeddings.
type Footprint struct {
	Subject          Subject             `json:"subject"`
	Participants     []*ent.Participant  `json:"participants"`
	Conversations    []*ent.Conversation `json:"conversations"`
	MessagesSent     []*ent.Message      `json:"messages_sent"`
	MessagesReceived []*ent.Message      `json:"messages_received"`
	Sessions         []*ent.Session      `json:"sessions"`
	Memories         []*ent.Memory       `json:"memories"`
}

// Empty reports whether nothing is tied to the subject.
func (f *Footprint) Empty() bool {
	return len(f.Participants)+len(f.Conversations)+len(f.MessagesSent)+len(f.MessagesReceived)+
		len(f.Sessions)+len(f.Memories) == 0
}

// Footprint collects the subject's rows in the viewer's organization.
func (a *Admin) Footprint(ctx context.Context, s Subject) (*Footprint, error) {
	client, _, err := a.client(ctx, false)
	if err != nil {
		return nil, err
	}
	return footprint(ctx, client, s)
}

func footprint(ctx context.Context, client *ent.Client, s Subject) (*Footprint, error) {
	s = Subject{ExternalID: strings.TrimSpace(s.ExternalID), Email: strings.TrimSpace(s.Email)}
	if s.ExternalID == "" && s.Email == "" {
		return nil, &storage.InputError{Field: "subject", Reason: "an external id or an email is required"}
	}
	f := &Footprint{Subject: s}
	var match []predicate.Participant
	if s.ExternalID != "" {
		match = append(match, participant.ExternalID(s.ExternalID))
	}
	if s.Email != "" {
		match = append(match, participant.EmailEqualFold(s.Email))
	}
	people := client.Participant.Query().Where(participant.TypeEQ(participant.TypeUser), participant.Or(match...))
	var err error
	if f.Participants, err = people.Clone().Order(participant.ByID()).All(ctx); err != nil {
		return nil, err
	}
	if f.Conversations, err = people.Clone().QueryConversation().Order(conversation.ByID()).All(ctx); err != nil {
		return nil, err
	}
	if f.MessagesSent, err = people.Clone().QuerySentMessages().Order(message.ByConversationID(), message.BySeq()).All(ctx); err != nil {
		return nil, err
	}
	if f.MessagesReceived, err = people.Clone().QueryReceivedMessages().Order(message.ByConversationID(), message.BySeq()).All(ctx); err != nil {
		return nil, err
	}
	if f.Sessions, err = people.Clone().QueryUserSessions().Order(session.ByID()).All(ctx); err != nil {
		return nil, err
	}
	if s.ExternalID != "" {
		cols := slices.DeleteFunc(slices.Clone(memory.Columns), func(c string) bool { return c == memory.FieldEmbedding })
		if f.Memories, err = client.Memory.Query().Where(memory.UserID(s.ExternalID)).Order(memory.ByID()).
			Select(cols...).All(ctx); err != nil {
			return nil, err
		}
	}
	return f, nil
}
