package demo_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/demo"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

func TestDemo(t *testing.T) {
	t.Parallel()
	client := storage.NewClient(storagetest.NewSchema(t).DB)

	var first, second bytes.Buffer
	require.NoError(t, demo.Run(t.Context(), client, &first))
	out := first.String()
	for _, line := range []string{
		`agentstore demo: organization "acme"`,
		`conversation conv-1042 [web] "Refund for order #1042"`,
		`│  ├─ user        Dana Reyes <dana@example.com>`,
		`│  └─ sess-1042 agent=support-agent status=active: Dana Reyes ↔ Support Agent`,
		`   ├─ #2 Support Agent → Dana Reyes: Sorry about that! Refunds for damaged items take 3-5 days.`,
		`as globex: conversation conv-1042 not found (tenancy enforced by ent privacy)`,
		`as globex: traversing its messages finds 0`,
	} {
		require.Contains(t, out, line+"\n")
	}

	// Reruns replace the previous run and print the same thing.
	require.NoError(t, demo.Run(t.Context(), client, &second))
	require.Equal(t, out, second.String())
}
