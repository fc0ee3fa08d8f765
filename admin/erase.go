package admin

import (
	"context"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/ent/memory"
	"github.com/agentstore/agentstore/ent/message"
	"github.com/agentstore/agentstore/ent/participant"
	"github.com/agentstore/agentstore/ent/session"
	"github.com/agentstore/agentstore/storage"
)

// Erasure reports what erasing a subject removes (or, for a dry run,
// would remove).
type Erasure struct {
	DryRun bool `json:"dry_run"`
	// Conversations in which the subject was the only user participant go
	// whole, with their agents' participants, messages and sessions.
	Conversations int `json:"conversations"`
	Participants  int `json:"participants"`
	Messages      int `json:"messages"`
	Sessions      int `json:"sessions"`
	Memories      int `json:"memories"`
}

// Erase deletes the subject's footprint in one transaction. Conversations
// the subject had alone with agents are deleted whole; in conversations
// with other users only the subject's participant rows, the messages they
// sent or received and their sessions go. Memories with user id =
// ExternalID go. Nothing else changes. With dryRun nothing is deleted and
// the report says what would be.
func (a *Admin) Erase(ctx context.Context, s Subject, dryRun bool) (*Erasure, error) {
	if _, _, err := a.client(ctx, false); err != nil {
		return nil, err
	}
	report := &Erasure{DryRun: dryRun}
	err := a.store.WithTx(ctx, func(tx *storage.Tx) error {
		plan, err := planErasure(ctx, tx.Client(), s)
		if err != nil {
			return err
		}
		if err := plan.count(ctx, tx.Client(), report); err != nil || dryRun {
			return err
		}
		return plan.run(ctx, tx.Client())
	})
	if err != nil {
		return nil, err
	}
	return report, nil
}

// erasure is the rows an Erase removes, by id.
type erasure struct {
	subject  Subject
	whole    []string // conversations deleted whole
	people   []string // the subject's participants in shared conversations
	messages []string // their messages in shared conversations
	sessions []string // their sessions in shared conversations
}

func planErasure(ctx context.Context, client *ent.Client, s Subject) (*erasure, error) {
	f, err := footprint(ctx, client, s)
	if err != nil {
		return nil, err
	}
	e := &erasure{subject: f.Subject}
	mine := ids(f.Participants, func(p *ent.Participant) string { return p.ID })
	shared := map[string]bool{}
	for _, c := range f.Conversations {
		others, err := c.QueryParticipants().Where(participant.TypeEQ(participant.TypeUser), participant.IDNotIn(mine...)).Exist(ctx)
		if err != nil {
			return nil, err
		}
		if others {
			shared[c.ID] = true
		} else {
			e.whole = append(e.whole, c.ID)
		}
	}
	for _, p := range f.Participants {
		if shared[p.ConversationID] {
			e.people = append(e.people, p.ID)
		}
	}
	seen := map[string]bool{}
	for _, m := range append(f.MessagesSent, f.MessagesReceived...) {
		if shared[m.ConversationID] && !seen[m.ID] {
			seen[m.ID] = true
			e.messages = append(e.messages, m.ID)
		}
	}
	for _, x := range f.Sessions {
		if shared[x.ConversationID] {
			e.sessions = append(e.sessions, x.ID)
		}
	}
	return e, nil
}

// count fills r with the rows e removes.
func (e *erasure) count(ctx context.Context, client *ent.Client, r *Erasure) error {
	whole := client.Conversation.Query().Where(conversation.IDIn(e.whole...))
	var err error
	r.Conversations = len(e.whole)
	if r.Participants, err = whole.Clone().QueryParticipants().Count(ctx); err != nil {
		return err
	}
	if r.Messages, err = whole.Clone().QueryMessages().Count(ctx); err != nil {
		return err
	}
	if r.Sessions, err = whole.Clone().QuerySessions().Count(ctx); err != nil {
		return err
	}
	r.Participants += len(e.people)
	r.Messages += len(e.messages)
	r.Sessions += len(e.sessions)
	if e.subject.ExternalID != "" {
		r.Memories, err = client.Memory.Query().Where(memory.UserID(e.subject.ExternalID)).Count(ctx)
	}
	return err
}

// run deletes the rows: references before the participants they name.
func (e *erasure) run(ctx context.Context, client *ent.Client) error {
	if _, err := client.Session.Delete().Where(session.IDIn(e.sessions...)).Exec(ctx); err != nil {
		return err
	}
	if _, err := client.Message.Delete().Where(message.IDIn(e.messages...)).Exec(ctx); err != nil {
		return err
	}
	if _, err := client.Participant.Delete().Where(participant.IDIn(e.people...)).Exec(ctx); err != nil {
		return err
	}
	if _, err := client.Conversation.Delete().Where(conversation.IDIn(e.whole...)).Exec(ctx); err != nil {
		return err
	}
	if e.subject.ExternalID == "" {
		return nil
	}
	_, err := client.Memory.Delete().Where(memory.UserID(e.subject.ExternalID)).Exec(ctx)
	return err
}

func ids[T any](rows []T, id func(T) string) []string {
	out := make([]string, len(rows))
	for i, r := range rows {
		out[i] = id(r)
	}
	return out
}
