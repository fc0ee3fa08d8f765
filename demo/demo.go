// Package demo is agentstore's main job for newcomers: a short, narrated,
// deterministic run against a real database (no network: the deterministic
// embedder). `make demo` runs it through cmd/agentstore; its test runs it
// against a test schema.
package demo

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/agentstore/agentstore"
	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/admin"
	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/ent/message"
	"github.com/agentstore/agentstore/ent/participant"
	"github.com/agentstore/agentstore/ent/session"
	"github.com/agentstore/agentstore/storage"
)

// Organizations the demo writes to; it replaces its own rows on every run.
const (
	Org      = "acme"
	OtherOrg = "globex"
)

const (
	conversationKey = "demo-refund-1042"
	// privateSource is readable only by the group privateGroup.
	privateSource = "runbooks/refund-escalation.md"
	privateGroup  = "support-leads"
	otherSource   = "globex/pricing.md"
	searchQuery   = "refund escalation for a damaged order"
)

const privateRunbook = `# Refund escalation (support leads only)

When a damaged order is refunded twice, escalate the refund to the warehouse
lead, attach the photos, and approve a replacement shipment. Refund
escalation needs a lead's sign-off.`

// Run narrates the whole system for Org and OtherOrg: knowledge with a
// private document, searches as different viewers, a support conversation
// with a session and a checkpoint, memories, the transcript and the
// organization overview, and a cross-organization read being denied.
func Run(ctx context.Context, store *storage.Store, w io.Writer) error {
	p := printer{w: w}
	acme := access.NewContext(ctx, access.Viewer{OrganizationID: Org, UserID: "demo", Role: access.RoleAdmin})
	globex := access.NewContext(ctx, access.Viewer{OrganizationID: OtherOrg, UserID: "mallory", Role: access.RoleAdmin})
	p.line("agentstore demo: organizations %q and %q", Org, OtherOrg)
	if err := reset(acme, globex, store.Client()); err != nil {
		return fmt.Errorf("demo: reset: %w", err)
	}

	p.line("")
	p.line("1. knowledge")
	if err := ingest(acme, globex, store, &p); err != nil {
		return fmt.Errorf("demo: ingest: %w", err)
	}

	p.line("")
	p.line("2. search %q", searchQuery)
	for _, v := range []access.Viewer{
		{OrganizationID: Org, UserID: "sam"},
		{OrganizationID: Org, UserID: "lee", Groups: []string{privateGroup}},
		{OrganizationID: OtherOrg, UserID: "mallory"},
	} {
		if err := search(access.NewContext(ctx, v), store, v, &p); err != nil {
			return fmt.Errorf("demo: search: %w", err)
		}
	}

	p.line("")
	p.line("3. a support conversation")
	conv, err := record(acme, store.Client())
	if err != nil {
		return fmt.Errorf("demo: record conversation: %w", err)
	}
	if _, err := store.SaveCheckpoint(acme, storage.NewCheckpoint{ID: "ckpt-1042", AgentID: "support-agent",
		ThreadID: "thread-1042", Iteration: 3, State: json.RawMessage(`{"step":"refund-approved"}`)}); err != nil {
		return fmt.Errorf("demo: checkpoint: %w", err)
	}
	p.line("recorded %s: 2 participants, 1 session, 3 messages, checkpoint ckpt-1042", conv.ID)
	a := admin.New(store)
	t, err := a.Transcript(acme, conv.ID, admin.TranscriptRequest{})
	if err != nil {
		return fmt.Errorf("demo: transcript: %w", err)
	}
	p.print(func(w io.Writer) { admin.Print(w, t) })

	p.line("")
	p.line("4. memories of dana")
	if err := memories(acme, store, &p); err != nil {
		return fmt.Errorf("demo: memories: %w", err)
	}

	p.line("")
	p.line("5. overview")
	o, err := a.Overview(acme)
	if err != nil {
		return fmt.Errorf("demo: overview: %w", err)
	}
	p.print(func(w io.Writer) { admin.Print(w, o) })

	p.line("")
	p.line("6. tenancy")
	_, err = store.Client().Conversation.Get(globex, conv.ID)
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

// reset removes the previous run's rows: the conversation (participants,
// messages and sessions cascade) and the documents (chunks cascade).
func reset(acme, globex context.Context, client *ent.Client) error {
	if _, err := client.Conversation.Delete().Where(conversation.IdempotencyKey(conversationKey)).Exec(acme); err != nil {
		return err
	}
	for _, ctx := range []context.Context{acme, globex} {
		if _, err := client.Document.Delete().Exec(ctx); err != nil {
			return err
		}
	}
	return nil
}

// ingest loads the project's documentation and the private runbook into
// Org, and a price list into OtherOrg.
func ingest(acme, globex context.Context, store *storage.Store, p *printer) error {
	docs, err := fs.Glob(agentstore.Docs, "*.md")
	if err != nil {
		return err
	}
	type input struct {
		ctx context.Context
		doc storage.DocumentInput
	}
	var inputs []input
	for _, name := range docs {
		b, err := fs.ReadFile(agentstore.Docs, name)
		if err != nil {
			return err
		}
		inputs = append(inputs, input{acme, storage.DocumentInput{Source: name, Content: string(b), DocumentSets: []string{"handbook"}}})
	}
	inputs = append(inputs,
		input{acme, storage.DocumentInput{Source: privateSource, Content: privateRunbook, DocumentSets: []string{"handbook"},
			ACL: &access.ACL{Groups: []string{privateGroup}}}},
		input{globex, storage.DocumentInput{Source: otherSource, Content: "Globex refund escalation and pricing for damaged orders."}},
	)
	for _, in := range inputs {
		res, err := store.Ingest(in.ctx, in.doc)
		if err != nil {
			return err
		}
		v, _ := access.FromContext(in.ctx)
		who := "everyone in " + v.OrganizationID
		if in.doc.ACL != nil {
			who = "group " + strings.Join(in.doc.ACL.Groups, ", ") + " only"
		}
		p.line("ingested %-32s %3d chunks, readable by %s", in.doc.Source, res.Chunks, who)
	}
	return nil
}

// search runs the demo query as v and prints the top hits with the rank
// each arm gave them.
func search(ctx context.Context, store *storage.Store, v access.Viewer, p *printer) error {
	hits, err := store.Search(ctx, storage.SearchRequest{Query: searchQuery, Limit: 3})
	if err != nil {
		return err
	}
	groups := "no groups"
	if len(v.Groups) > 0 {
		groups = "groups " + strings.Join(v.Groups, ",")
	}
	p.line("as %s/%s (%s):", v.OrganizationID, v.UserID, groups)
	private := false
	for i, h := range hits {
		_, chunk, _ := strings.Cut(h.ChunkID, "#")
		p.line("   %d. %-36s dense %-3s sparse %-3s score %.4f", i+1, h.Source+" #"+chunk,
			rank(h.DenseRank), rank(h.SparseRank), h.Score)
		private = private || h.Source == privateSource
	}
	p.line("   private runbook in results: %t", private)
	return nil
}

func rank(r *int64) string {
	if r == nil {
		return "-"
	}
	return fmt.Sprintf("#%d", *r)
}

// memories stores three memories for dana (a rerun stores nothing new:
// identical content is suppressed) and recalls the closest two.
func memories(ctx context.Context, store *storage.Store, p *printer) error {
	m, err := store.Memories(ctx, "dana")
	if err != nil {
		return err
	}
	for _, text := range []string{
		"Dana prefers refunds to store credit",
		"Dana's order #1042 arrived damaged",
		"Dana lives in Lyon",
	} {
		if _, err := m.Store(ctx, storage.NewMemory{Content: text, MemoryType: "User"}); err != nil {
			return err
		}
	}
	const query = "refunds or store credit"
	recalled, err := m.Recall(ctx, query, 2, 0.1)
	if err != nil {
		return err
	}
	p.line("stored 3 memories; recall %q (similarity ≥ 0.1):", query)
	for _, r := range recalled {
		p.line("   %.3f  %s", r.Similarity, r.Content)
	}
	return nil
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

// printer keeps the first write error so the narration reads straight.
type printer struct {
	w   io.Writer
	err error
}

// print lets fn write a block (an admin report) through the printer.
func (p *printer) print(fn func(io.Writer)) {
	if p.err != nil {
		return
	}
	var b strings.Builder
	fn(&b)
	_, p.err = io.WriteString(p.w, b.String())
}

func (p *printer) line(format string, args ...any) {
	if p.err != nil {
		return
	}
	_, p.err = fmt.Fprintln(p.w, strings.TrimRight(fmt.Sprintf(format, args...), " "))
}
