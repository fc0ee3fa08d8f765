package main

import (
	"bytes"
	"encoding/json"
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

func TestAdminCommands(t *testing.T) {
	t.Parallel()
	s := storagetest.EmptySchema(t)
	cli := func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(t.Context(), append([]string{"--url", s.URL}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}
	code, _, stderr := cli("demo")
	require.Equal(t, 0, code, stderr)

	code, out, stderr := cli("admin", "overview", "--org", "acme")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "organization acme")
	require.Regexp(t, `messages\s+[1-9]`, out)

	code, out, stderr = cli("admin", "transcript", "conv-1042", "--org", "acme", "--json")
	require.Equal(t, 0, code, stderr)
	var tr struct {
		Messages []struct {
			Seq int64 `json:"seq"`
		} `json:"messages"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &tr), out)
	require.NotEmpty(t, tr.Messages)

	code, out, stderr = cli("admin", "erase", "--org", "acme", "--email", "DANA@example.com", "--dry-run")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "would erase: 1 conversations")
	code, out, _ = cli("admin", "footprint", "--org", "acme", "--email", "dana@example.com")
	require.Equal(t, 0, code)
	require.Contains(t, out, `"email": "dana@example.com"`, "footprints are JSON exports; the dry run kept the data")

	code, out, stderr = cli("admin", "integrity")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "participants in another organization than their conversation")

	code, _, stderr = cli("admin", "transcript", "conv-1042", "--org", "globex")
	require.Equal(t, 1, code, "another organization's conversation is not found")
	require.Contains(t, stderr, "not found")
	for _, bad := range [][]string{{"admin"}, {"admin", "nope"}, {"admin", "overview"}, {"admin", "integrity", "--org", "acme"},
		{"admin", "transcript", "--org", "acme"}} {
		code, _, _ = cli(bad...)
		require.Equal(t, 2, code, "%v is a usage error", bad)
	}
}
