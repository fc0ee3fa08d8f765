package main

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/storage/storagetest"
)

func TestUsage(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	require.Equal(t, 2, run(t.Context(), []string{"nonsense"}, &out, &errOut))
	require.Contains(t, errOut.String(), "usage: agentstore")
	require.Equal(t, 0, run(t.Context(), []string{"--help"}, &out, &errOut))
}

func TestDemoCommand(t *testing.T) {
	t.Parallel()
	s := storagetest.EmptySchema(t)
	var out, errOut bytes.Buffer
	// The demo migrates on its own; with a schema-bound URL its history
	// lands in that schema, as the Atlas CLI's would.
	code := run(t.Context(), []string{"--url", s.URL, "demo"}, &out, &errOut)
	require.Equal(t, 0, code, errOut.String())
	require.Contains(t, out.String(), "as globex: conversation conv-1042 not found")
	var n int
	require.NoError(t, s.DB.QueryRowContext(t.Context(), `SELECT count(*) FROM atlas_schema_revisions`).Scan(&n))
	require.Positive(t, n)
}
