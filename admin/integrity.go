package admin

import (
	"context"

	"entgo.io/ent/dialect/sql"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/chunk"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/ent/document"
	"github.com/agentstore/agentstore/ent/message"
	"github.com/agentstore/agentstore/ent/participant"
	"github.com/agentstore/agentstore/ent/session"
)

// IntegrityExamples is how many offending ids a finding lists.
const IntegrityExamples = 10

// Finding is one integrity check: how many rows break it, and some ids.
type Finding struct {
	Check    string   `json:"check"`
	Count    int      `json:"count"`
	Examples []string `json:"examples,omitempty"`
}

// Integrity runs every check across all organizations (system viewer). The
// schema's composite foreign keys make each finding impossible; the report
// proves it on a live database. OK reports whether every count is zero.
func (a *Admin) Integrity(ctx context.Context) (findings []Finding, ok bool, err error) {
	client, _, err := a.client(ctx, true)
	if err != nil {
		return nil, false, err
	}
	const org = "organization_id"
	checks := []struct {
		name  string
		query func(*ent.Client) idLister
	}{
		{"participants in another organization than their conversation", func(c *ent.Client) idLister {
			return c.Participant.Query().Where(differs(participant.FieldConversationID, conversation.Table, conversation.FieldID, org, org))
		}},
		{"messages in another organization than their conversation", func(c *ent.Client) idLister {
			return c.Message.Query().Where(differs(message.FieldConversationID, conversation.Table, conversation.FieldID, org, org))
		}},
		{"sessions in another organization than their conversation", func(c *ent.Client) idLister {
			return c.Session.Query().Where(differs(session.FieldConversationID, conversation.Table, conversation.FieldID, org, org))
		}},
		{"chunks in another organization than their document", func(c *ent.Client) idLister {
			return c.Chunk.Query().Where(differs(chunk.FieldDocumentID, document.Table, document.FieldID, org, org))
		}},
		{"chunks without a document", func(c *ent.Client) idLister {
			return c.Chunk.Query().Where(chunk.Not(chunk.HasDocument()))
		}},
		{"sessions whose user is a participant of another conversation", func(c *ent.Client) idLister {
			return c.Session.Query().Where(differs(session.FieldUserParticipantID, participant.Table, participant.FieldID,
				participant.FieldConversationID, session.FieldConversationID))
		}},
		{"sessions whose agent is a participant of another conversation", func(c *ent.Client) idLister {
			return c.Session.Query().Where(differs(session.FieldAgentParticipantID, participant.Table, participant.FieldID,
				participant.FieldConversationID, session.FieldConversationID))
		}},
		{"messages from a participant of another conversation", func(c *ent.Client) idLister {
			return c.Message.Query().Where(differs(message.FieldFromParticipantID, participant.Table, participant.FieldID,
				participant.FieldConversationID, message.FieldConversationID))
		}},
		{"messages to a participant of another conversation", func(c *ent.Client) idLister {
			return c.Message.Query().Where(differs(message.FieldToParticipantID, participant.Table, participant.FieldID,
				participant.FieldConversationID, message.FieldConversationID))
		}},
	}
	ok = true
	for _, c := range checks {
		ids, err := c.query(client).IDs(ctx)
		if err != nil {
			return nil, false, err
		}
		f := Finding{Check: c.name, Count: len(ids)}
		f.Examples = ids[:min(len(ids), IntegrityExamples)]
		ok = ok && f.Count == 0
		findings = append(findings, f)
	}
	return findings, ok, nil
}

// idLister is any entity query: the checks only need the offending ids.
type idLister interface {
	IDs(context.Context) ([]string, error)
}

// differs keeps rows whose column ref names a row of parent (by parentKey)
// whose parentCol differs from the row's own col.
func differs(ref, parent, parentKey, parentCol, col string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		t := sql.Table(parent).As("parent")
		s.Where(sql.Exists(sql.Select(t.C(parentKey)).From(t).Where(sql.And(
			sql.ColumnsEQ(t.C(parentKey), s.C(ref)),
			sql.ColumnsNEQ(t.C(parentCol), s.C(col)),
		))))
	}
}
