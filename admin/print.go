package admin

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/agentstore/agentstore/ent"
)

// Print writes the result of an admin query as text (unknown values are
// ignored).
func Print(w io.Writer, result any) {
	switch r := result.(type) {
	case *Transcript:
		fmt.Fprintf(w, "conversation %s %q (%s)\n", r.Conversation.ID, r.Conversation.Name, r.Conversation.Platform)
		for _, p := range r.Participants {
			fmt.Fprintf(w, "  participant %-8s %-12s sent %d\n", p.Type, p.Name, r.Sent[p.ID])
		}
		for _, s := range r.Sessions {
			fmt.Fprintf(w, "  session %s messages %d tokens %d\n", s.ID, deref(s.MessageCount), deref(s.TokenCount))
		}
		for _, m := range r.Messages {
			fmt.Fprintf(w, "  #%d %s → %s: %s\n", m.Seq, nameOf(m.Edges.FromParticipant), nameOf(m.Edges.ToParticipant), m.Content.PlainText())
		}
		if r.NextAfter != nil {
			fmt.Fprintf(w, "  more: --after %d\n", *r.NextAfter)
		}
	case *Erasure:
		verb := "erased"
		if r.DryRun {
			verb = "would erase"
		}
		fmt.Fprintf(w, "%s: %d conversations, %d participants, %d messages, %d sessions, %d memories\n",
			verb, r.Conversations, r.Participants, r.Messages, r.Sessions, r.Memories)
	case *Audience:
		fmt.Fprintf(w, "document %s (%s): public=%t locked=%t users=%v groups=%v, %d chunks\n",
			r.DocumentID, r.Source, r.Public, r.Locked, r.Users, r.Groups, len(r.Chunks))
	case *Visibility:
		fmt.Fprintf(w, "visible: %s\nhidden:  %s\n", strings.Join(r.Visible, ", "), strings.Join(r.Hidden, ", "))
	case *Overview:
		fmt.Fprintf(w, "organization %s\n", r.Organization)
		for _, k := range slices.Sorted(maps.Keys(r.Counts)) {
			fmt.Fprintf(w, "  %-18s %d\n", k, r.Counts[k])
		}
		for _, l := range r.Largest {
			fmt.Fprintf(w, "  largest: %s %q, %d messages\n", l.ID, l.Name, l.Messages)
		}
		fmt.Fprintf(w, "  sessions by status: %v\n  memories by type: %v\n", r.Sessions, r.Memories)
		for _, c := range r.Connectors {
			fmt.Fprintf(w, "  connector %s: %d runs, last success %v, last failure %v\n", c.Name, c.Runs, c.LastSuccess, c.LastFailure)
		}
	case []Finding:
		for _, f := range r {
			fmt.Fprintf(w, "%5d  %s %v\n", f.Count, f.Check, f.Examples)
		}
	}
}

func deref(n *int64) int64 {
	if n == nil {
		return 0
	}
	return *n
}

// nameOf names a message's sender or recipient ("-" when it has none).
func nameOf(p *ent.Participant) string {
	if p == nil {
		return "-"
	}
	return p.Name
}
