// Package demo is agentstore's main job for newcomers: a short, narrated,
// deterministic run against a real database. `make demo` runs it through
// cmd/agentstore; its test runs it against a test schema.
package demo

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/ent/message"
	"github.com/agentstore/agentstore/ent/participant"
	"github.com/agentstore/agentstore/ent/session"
)

// Organizations the demo writes to; it replaces its own rows on every run.
const (
	Org      = "acme"
	OtherOrg = "globex"
)

const conversationKey = "demo-refund-1042"

// Run records a support conversation for Org through the ent client, prints
// a graph traversal of it to w, and shows that OtherOrg cannot read it.
func Run(ctx context.Context, client *ent.Client, w io.Writer) error {
	p := printer{w: w}
	acme := access.NewContext(ctx, access.Viewer{OrganizationID: Org, UserID: "demo"})
	p.line("agentstore demo: organization %q", Org)

	// Idempotent reruns: remove the previous run's conversation (its
	// participants, messages and sessions cascade).
	if _, err := client.Conversation.Delete().
		Where(conversation.IdempotencyKey(conversationKey)).Exec(acme); err != nil {
		return fmt.Errorf("demo: reset: %w", err)
	}
	conv, err := record(acme, client)
	if err != nil {
		return fmt.Errorf("demo: record conversation: %w", err)
	}
	p.line("recorded conversation %s with 2 participants, 1 session and 3 messages", conv.ID)
	p.line("")
	if err := traverse(acme, client, conv.ID, &p); err != nil {
		return fmt.Errorf("demo: traverse: %w", err)
	}

	p.line("")
	globex := access.NewContext(ctx, access.Viewer{OrganizationID: OtherOrg, UserID: "mallory"})
	_, err = client.Conversation.Get(globex, conv.ID)
	switch {
	case ent.IsNotFound(err):
		p.line("as %s: conversation %s not found (tenancy enforced by ent privacy)", OtherOrg, conv.ID)
	case err == nil:
		return errors.New("demo: another organization read the conversation")
	default:
		return fmt.Errorf("demo: cross-organization read: %w", err)
	}
	n, err := conv.QueryMessages().Count(globex)
	if err != nil {
		return err
	}
	p.line("as %s: traversing its messages finds %d", OtherOrg, n)
	return p.err
}

func record(ctx context.Context, client *ent.Client) (*ent.Conversation, error) {
	conv, err := client.Conversation.Create().SetID("conv-1042").SetOrganizationID(Org).
		SetPlatform(conversation.PlatformWeb).SetName("Refund for order #1042").
		SetIdempotencyKey(conversationKey).Save(ctx)
	if err != nil {
		return nil, err
	}
	dana, err := client.Participant.Create().SetID("dana").SetOrganizationID(Org).SetConversation(conv).
		SetType(participant.TypeUser).SetName("Dana Reyes").SetEmail("dana@example.com").Save(ctx)
	if err != nil {
		return nil, err
	}
	agent, err := client.Participant.Create().SetID("support-bot").SetOrganizationID(Org).SetConversation(conv).
		SetType(participant.TypeAiAgent).SetName("Support Agent").Save(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := client.Session.Create().SetID("sess-1042").SetOrganizationID(Org).SetConversation(conv).
		SetUserParticipant(dana).SetAgentParticipant(agent).SetAgentID("support-agent").
		SetAgentName("Support Agent").SetThreadID("thread-1042").SetStatus(session.StatusActive).
		SetMessageCount(3).Save(ctx); err != nil {
		return nil, err
	}
	turns := []struct {
		id       string
		dir      message.Direction
		from, to *ent.Participant
		text     string
	}{
		{"m1", message.DirectionInbound, dana, agent, "Hi, my order #1042 arrived broken. Can I get a refund?"},
		{"m2", message.DirectionOutbound, agent, dana, "Sorry about that! Refunds for damaged items take 3-5 days."},
		{"m3", message.DirectionInbound, dana, agent, "Great, thank you."},
	}
	for _, m := range turns {
		if _, err := client.Message.Create().SetID("conv-1042-" + m.id).SetOrganizationID(Org).SetConversation(conv).
			SetDirection(m.dir).SetFromParticipant(m.from).SetToParticipant(m.to).
			SetContent(chat.FromText(m.text)).Save(ctx); err != nil {
			return nil, err
		}
	}
	return conv, nil
}

// traverse walks conversation → participants, sessions, messages through
// ent's edges and prints the tree.
func traverse(ctx context.Context, client *ent.Client, id string, p *printer) error {
	conv, err := client.Conversation.Query().Where(conversation.ID(id)).
		WithParticipants(func(q *ent.ParticipantQuery) {
			q.Order(ent.Asc(participant.FieldCreatedAt), ent.Asc(participant.FieldID))
		}).
		WithSessions(func(q *ent.SessionQuery) { q.WithUserParticipant().WithAgentParticipant() }).
		Only(ctx)
	if err != nil {
		return err
	}
	msgs, err := conv.QueryMessages().Order(ent.Asc(message.FieldSeq)).
		WithFromParticipant().WithToParticipant().All(ctx)
	if err != nil {
		return err
	}
	p.line("conversation %s [%s] %q", conv.ID, conv.Platform, conv.Name)
	p.line("├─ participants")
	for i, pt := range conv.Edges.Participants {
		email := ""
		if pt.Email != nil {
			email = " <" + *pt.Email + ">"
		}
		p.line("│  %s %-11s %s%s", branch(i, len(conv.Edges.Participants)), pt.Type, pt.Name, email)
	}
	p.line("├─ sessions")
	for i, s := range conv.Edges.Sessions {
		p.line("│  %s %s agent=%s status=%s: %s ↔ %s", branch(i, len(conv.Edges.Sessions)), s.ID,
			deref(s.AgentID), deref((*string)(s.Status)), s.Edges.UserParticipant.Name, s.Edges.AgentParticipant.Name)
	}
	p.line("└─ messages")
	for i, m := range msgs {
		text := ""
		if m.Content.Text != nil {
			text = *m.Content.Text
		}
		p.line("   %s #%d %s → %s: %s", branch(i, len(msgs)), i+1, m.Edges.FromParticipant.Name, m.Edges.ToParticipant.Name, text)
	}
	return nil
}

func branch(i, n int) string {
	if i == n-1 {
		return "└─"
	}
	return "├─"
}

func deref(s *string) string {
	if s == nil {
		return "-"
	}
	return *s
}

// printer keeps the first write error so the narration reads straight.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintln(p.w, strings.TrimRight(fmt.Sprintf(format, args...), " "))
}
