package demo_test

import (
	"bytes"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/demo"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// block returns the lines of out from the one starting with head up to the
// next blank line or "as " line.
func block(t *testing.T, out, head string) string {
	t.Helper()
	i := strings.Index(out, head)
	require.GreaterOrEqual(t, i, 0, "%q is missing from:\n%s", head, out)
	rest := out[i+len(head):]
	if j := regexp.MustCompile(`\n(\n|as )`).FindStringIndex(rest); j != nil {
		rest = rest[:j[0]]
	}
	return rest
}

func TestDemo(t *testing.T) {
	t.Parallel()
	store := storagetest.Store(t)

	var first, second bytes.Buffer
	require.NoError(t, demo.Run(t.Context(), store, &first))
	out := first.String()
	for _, line := range []string{
		`agentstore demo: organizations "acme" and "globex"`,
		`ingested runbooks/refund-escalation.md      1 chunks, readable by group support-leads only`,
		`recorded conv-1042: 2 participants, 1 session, 3 messages, checkpoint ckpt-1042`,
		`  participant user     Dana Reyes   sent 2`,
		`Support Agent → Dana Reyes: Sorry about that! Refunds for damaged items take 3-5 days.`,
		`organization acme`,
		`  checkpoints        1`,
		`  memories by type: map[User:3]`,
		`as globex: conversation conv-1042 not found (tenancy enforced by ent privacy)`,
		`as globex: traversing its messages finds 0`,
	} {
		require.Contains(t, out, line+"\n")
	}
	require.Regexp(t, `ingested README.md +[1-9]\d* chunks, readable by everyone in acme`, out, "the project's docs are knowledge")

	sam := block(t, out, "as acme/sam (no groups):")
	require.Contains(t, sam, "private runbook in results: false")
	require.NotContains(t, sam, "runbooks/")
	lee := block(t, out, "as acme/lee (groups support-leads):")
	require.Contains(t, lee, "1. runbooks/refund-escalation.md #0 ", "its group finds the private runbook first")
	require.Contains(t, lee, "private runbook in results: true")
	mallory := block(t, out, "as globex/mallory (no groups):")
	require.Contains(t, mallory, "1. globex/pricing.md #0 ")
	require.NotContains(t, mallory, "README.md", "another organization's knowledge stays there")
	require.NotContains(t, mallory, "runbooks/")
	recall := block(t, out, `recall "refunds or store credit" (similarity ≥ 0.1):`)
	require.Regexp(t, `^\n   0\.\d{3}  Dana prefers refunds to store credit$`, recall, "only the relevant memory clears the threshold")

	// A rerun replaces the previous run's rows and prints the same, but for
	// the new messages' sequence numbers.
	require.NoError(t, demo.Run(t.Context(), store, &second))
	seq := regexp.MustCompile(`(?m)^  #\d+ `)
	require.Equal(t, seq.ReplaceAllString(out, "  #N "), seq.ReplaceAllString(second.String(), "  #N "))
}
