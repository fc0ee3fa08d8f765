package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
	"github.com/agentstore/agentstore/vector"
)

func TestUsage(t *testing.T) {
	t.Parallel()
	var out, errOut bytes.Buffer
	require.Equal(t, 2, run(t.Context(), []string{"nonsense"}, &out, &errOut))
	require.Contains(t, errOut.String(), "usage: agentstore")
	require.Equal(t, 0, run(t.Context(), []string{"--help"}, &out, &errOut))
	for _, help := range [][]string{{"ingest", "--help"}, {"search", "-h"}, {"memory", "recall", "--help"},
		{"admin", "--help"}, {"admin", "erase", "--help"}, {"eval", "--help"}, {"bench", "--help"}} {
		errOut.Reset()
		require.Equal(t, 0, run(t.Context(), help, &out, &errOut), "%v", help)
		require.NotEmpty(t, errOut.String(), "%v prints its usage", help)
	}
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

// cliOn returns a runner of the command against a fresh schema: exit
// code, stdout, stderr.
func cliOn(t *testing.T) func(args ...string) (int, string, string) {
	s := storagetest.EmptySchema(t)
	return func(args ...string) (int, string, string) {
		var out, errOut bytes.Buffer
		code := run(t.Context(), append([]string{"--url", s.URL}, args...), &out, &errOut)
		return code, out.String(), errOut.String()
	}
}

func TestAdminCommands(t *testing.T) {
	t.Parallel()
	cli := cliOn(t)
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

	code, out, stderr = cli("admin", "index", "--org", "acme")
	require.Equal(t, 0, code, stderr)
	require.Equal(t, "built "+vector.OrganizationIndex("acme")+` (organization "acme")`+"\n", out)
	code, out, stderr = cli("admin", "index", "--org", "acme", "--drop")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "dropped "+vector.OrganizationIndex("acme"))

	code, _, stderr = cli("admin", "transcript", "conv-1042", "--org", "globex")
	require.Equal(t, 1, code, "another organization's conversation is not found")
	require.Contains(t, stderr, "not found")
	for _, bad := range [][]string{{"admin"}, {"admin", "nope"}, {"admin", "overview"}, {"admin", "integrity", "--org", "acme"},
		{"admin", "transcript", "--org", "acme"}, {"admin", "index"}} {
		code, _, _ = cli(bad...)
		require.Equal(t, 2, code, "%v is a usage error", bad)
	}
}

func TestKnowledgeAndMemoryCommands(t *testing.T) {
	t.Parallel()
	cli := cliOn(t)
	dir := t.TempDir()
	for name, text := range map[string]string{
		"refunds.md":       "Refunds for damaged orders are paid within five days.",
		"guides/tea.txt":   "Brewing green tea takes three minutes.",
		"guides/photo.png": "not text",
	} {
		require.NoError(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o755))
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644))
	}
	private := filepath.Join(t.TempDir(), "escalation.md")
	require.NoError(t, os.WriteFile(private, []byte("Refund escalation needs a lead."), 0o644))

	code, out, stderr := cli("ingest", "--org", "acme", dir)
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "ingest: 2/2 files\n", "plain progress lines when stdout is not a terminal")
	require.Contains(t, out, "ingested 2 documents (2 chunks), 0 unchanged, into acme")
	code, out, _ = cli("ingest", dir, "--org", "acme")
	require.Equal(t, 0, code)
	require.Contains(t, out, "ingested 0 documents (0 chunks), 2 unchanged", "unchanged files cost nothing")
	code, _, stderr = cli("ingest", "--org", "acme", "--groups", "leads", private)
	require.Equal(t, 0, code, stderr)

	sources := func(args ...string) []string {
		code, out, stderr := cli(append([]string{"search", "--org", "acme", "--json"}, args...)...)
		require.Equal(t, 0, code, stderr)
		var hits []struct {
			Source     string `json:"source"`
			SparseRank *int64 `json:"sparse_rank"`
		}
		require.NoError(t, json.Unmarshal([]byte(out), &hits), out)
		var got []string
		for _, h := range hits {
			got = append(got, h.Source)
		}
		return got
	}
	require.Equal(t, "refunds.md", sources("refund", "damaged")[0])
	// A Markdown file's "# heading" is its title, which heads every chunk.
	guide := filepath.Join(t.TempDir(), "zeppelin.md")
	require.NoError(t, os.WriteFile(guide, []byte("# Zeppelin care\n\n"+strings.Repeat("Check the helium valves every week. ", 40)), 0o644))
	code, _, stderr = cli("ingest", "--org", "acme", guide)
	require.Equal(t, 0, code, stderr)
	titled := 0
	for _, s := range sources("--limit", "20", "zeppelin") {
		if strings.HasSuffix(s, "zeppelin.md") {
			titled++
		}
	}
	require.Greater(t, titled, 2, "every chunk, not just the first, is found by the title")
	require.NotContains(t, sources("--user", "sam", "refund escalation"), private)
	require.Contains(t, sources("--user", "lee", "--groups", "leads", "refund escalation"), filepath.ToSlash(filepath.Clean(private)))
	code, out, _ = cli("search", "--org", "acme", "green tea")
	require.Equal(t, 0, code)
	require.Regexp(t, `(?m)^1 +guides/tea.txt +#0 +\d+ +\d+ +0\.\d{4}$`, out, "text output shows both arms' ranks")

	code, out, stderr = cli("memory", "add", "--org", "acme", "--user", "dana", "likes green tea")
	require.Equal(t, 0, code, stderr)
	require.Contains(t, out, "stored memory ")
	code, out, _ = cli("memory", "recall", "--org", "acme", "--user", "dana", "--json", "tea")
	require.Equal(t, 0, code)
	var recalled []struct {
		Content    string  `json:"content"`
		Similarity float64 `json:"similarity"`
	}
	require.NoError(t, json.Unmarshal([]byte(out), &recalled), out)
	require.Len(t, recalled, 1)
	require.Equal(t, "likes green tea", recalled[0].Content)
	code, out, _ = cli("memory", "recall", "--org", "acme", "--user", "eve", "tea")
	require.Equal(t, 0, code)
	require.Empty(t, out, "another user's namespace holds nothing")

	for _, bad := range [][]string{{"ingest", dir}, {"search", "--org", "acme"}, {"search", "hello"}, {"memory"},
		{"memory", "forget", "--org", "acme", "x"}, {"memory", "add", "--org", "acme"}} {
		code, _, _ = cli(bad...)
		require.Equal(t, 2, code, "%v is a usage error", bad)
	}
	code, _, stderr = cli("ingest", "--org", "acme", filepath.Join(dir, "missing.md"))
	require.Equal(t, 1, code)
	require.Contains(t, stderr, "missing.md")
	code, _, stderr = cli("memory", "add", "--org", "acme", "--user", "dana", "--type", "Gossip", "x")
	require.Equal(t, 1, code, "bad input is a failure with a typed message")
	require.Contains(t, stderr, "memory type")
}

func TestProgressOnATerminal(t *testing.T) {
	t.Parallel()
	var out bytes.Buffer
	p := &progress{w: &out, terminal: true, total: 4, start: time.Now().Add(-time.Second)}
	p.add(1)
	p.add(1)
	p.done()
	require.Contains(t, out.String(), "\r[###############...............] 2/4 files")
	require.Contains(t, out.String(), "files/s  ETA ")
	require.True(t, strings.HasSuffix(out.String(), "\n"))
}

func TestMarkdownTitle(t *testing.T) {
	t.Parallel()
	for text, want := range map[string]string{
		"# Refunds\nbody":             "Refunds",
		"\n\n  #  Spaced out  \nbody": "Spaced out",
		"## Second level\nbody":       "",
		"Refunds\n# Later":            "",
		"#\nbody":                     "",
		"# " + strings.Repeat("t", storage.MaxTitleBytes+1): "",
		"": "",
	} {
		got := markdownTitle(text)
		if want == "" {
			require.Nil(t, got, "%q", text)
			continue
		}
		require.NotNil(t, got, "%q", text)
		require.Equal(t, want, *got)
	}
}
