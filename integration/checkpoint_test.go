package integration

import (
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

func TestCheckpointContract(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	ctx := member(t.Context(), "acme")
	save := func(id, agent string, turn int) {
		t.Helper()
		_, err := st.SaveCheckpoint(ctx, storage.NewCheckpoint{ID: id, AgentID: agent, ThreadID: "t",
			Iteration: turn, State: json.RawMessage(fmt.Sprintf(`{"turn":%d}`, turn))})
		require.NoError(t, err)
	}

	_, err := st.LatestCheckpoint(ctx, "a", "t")
	require.ErrorIs(t, err, storage.ErrNotFound, "empty store: nothing")

	for i := range 5 {
		save(fmt.Sprintf("a%d", i), "a", i)
		save(fmt.Sprintf("b%d", i), "b", i)
	}
	latest, err := st.LatestCheckpoint(ctx, "a", "t")
	require.NoError(t, err)
	require.Equal(t, "a4", latest.ID)
	byID, err := st.Checkpoint(ctx, "a2")
	require.NoError(t, err)
	require.JSONEq(t, `{"turn":2}`, string(byID.State))

	var listed []string
	cur := ""
	for {
		page, err := st.Checkpoints(ctx, "a", "t", storage.PageRequest{Limit: 2, Cursor: cur})
		require.NoError(t, err)
		for _, cp := range page.Items {
			listed = append(listed, cp.ID)
		}
		if cur = page.Next; cur == "" {
			break
		}
	}
	require.Equal(t, []string{"a4", "a3", "a2", "a1", "a0"}, listed, "newest first")

	// Re-saving updates in place and keeps the checkpoint's place.
	before, err := st.Checkpoint(ctx, "a1")
	require.NoError(t, err)
	_, err = st.SaveCheckpoint(ctx, storage.NewCheckpoint{ID: "a1", AgentID: "a", ThreadID: "t", Iteration: 9, State: json.RawMessage(`{"turn":"again"}`)})
	require.NoError(t, err)
	after, err := st.Checkpoint(ctx, "a1")
	require.NoError(t, err)
	require.Equal(t, before.Seq, after.Seq)
	require.Equal(t, 9, after.Iteration)
	require.JSONEq(t, `{"turn":"again"}`, string(after.State))
	latest, err = st.LatestCheckpoint(ctx, "a", "t")
	require.NoError(t, err)
	require.Equal(t, "a4", latest.ID)

	// Prune keeps the newest K of one agent and leaves the other alone.
	n, err := st.PruneCheckpoints(ctx, "a", "t", 2)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	n, err = st.PruneCheckpoints(ctx, "a", "t", 2)
	require.NoError(t, err)
	require.Zero(t, n)
	page, err := st.Checkpoints(ctx, "a", "t", storage.PageRequest{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Items, 2)
	page, err = st.Checkpoints(ctx, "b", "t", storage.PageRequest{Limit: 10})
	require.NoError(t, err)
	require.Len(t, page.Items, 5)

	// Tenant-scoped: another organization sees nothing and cannot take an id.
	other := member(t.Context(), "other")
	_, err = st.LatestCheckpoint(other, "b", "t")
	require.ErrorIs(t, err, storage.ErrNotFound)
	n, err = st.PruneCheckpoints(other, "b", "t", 0)
	require.NoError(t, err)
	require.Zero(t, n)
	_, err = st.SaveCheckpoint(other, storage.NewCheckpoint{ID: "b0", AgentID: "b", State: json.RawMessage(`{}`)})
	require.ErrorIs(t, err, storage.ErrConflict)
	kept, err := st.Checkpoint(ctx, "b0")
	require.NoError(t, err)
	require.JSONEq(t, `{"turn":0}`, string(kept.State))
}

func TestAdminStoresForTwoOrganizations(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	for _, org := range []string{"org-a", "org-b"} {
		t.Run(org, func(t *testing.T) {
			ctx := member(t.Context(), org)
			other := member(t.Context(), map[string]string{"org-a": "org-b", "org-b": "org-a"}[org])

			// Connector configs.
			for _, in := range []storage.ConnectorConfigInput{
				{ID: org + "-2", Name: "web", Kind: " WEB "},
				{ID: org + "-1", Name: "docs", Kind: "File", Config: map[string]any{"path": "/srv"}},
				{ID: org + "-0", Name: "web", Kind: "github", Config: map[string]any{"auth_ref": "GITHUB_TOKEN"}},
			} {
				_, err := st.UpsertConnectorConfig(ctx, in)
				require.NoError(t, err)
			}
			list, err := st.ConnectorConfigs(ctx)
			require.NoError(t, err)
			var ids []string
			for _, c := range list {
				ids = append(ids, c.ID)
			}
			require.Equal(t, []string{org + "-1", org + "-0", org + "-2"}, ids, "by name, then id")
			require.Equal(t, "web", string(list[2].Kind))

			up, err := st.UpsertConnectorConfig(ctx, storage.ConnectorConfigInput{ID: org + "-1", Name: "docs", Kind: "file", Enabled: ptr(false)})
			require.NoError(t, err)
			require.False(t, up.Enabled)
			require.True(t, up.CreatedAt.Equal(list[0].CreatedAt), "updated in place")

			_, err = st.ConnectorConfig(other, org+"-1")
			require.ErrorIs(t, err, storage.ErrNotFound)
			gone, err := st.DeleteConnectorConfig(other, org+"-1")
			require.NoError(t, err)
			require.False(t, gone)
			gone, err = st.DeleteConnectorConfig(ctx, org+"-1")
			require.NoError(t, err)
			require.True(t, gone)
			gone, err = st.DeleteConnectorConfig(ctx, org+"-1")
			require.NoError(t, err)
			require.False(t, gone)

			_, err = st.UpsertConnectorConfig(ctx, storage.ConnectorConfigInput{Name: "x", Kind: "ftp"})
			require.ErrorIs(t, err, storage.ErrInvalidInput)
			_, err = st.UpsertConnectorConfig(ctx, storage.ConnectorConfigInput{Name: "x", Kind: "web",
				Config: map[string]any{"auth_ref": "ghp_secret value with spaces"}})
			require.ErrorIs(t, err, storage.ErrInvalidInput, "auth_ref holds a name, not a value")

			// Settings: defaults until put; put replaces; persona persisted.
			s, err := st.AgentSettings(ctx)
			require.NoError(t, err)
			require.Equal(t, storage.DefaultModel, s.Model)
			require.Equal(t, storage.DefaultSystemPrompt, s.SystemPrompt)
			require.Empty(t, s.DefaultTools)
			require.Nil(t, s.UpdatedAt)
			_, err = st.PutAgentSettings(ctx, storage.AgentSettings{Model: "m-" + org, SystemPrompt: "p", Persona: ptr("Friendly"), DefaultTools: []string{"search"}})
			require.NoError(t, err)
			s, err = st.PutAgentSettings(ctx, storage.AgentSettings{Model: "m2-" + org, SystemPrompt: "p2", Persona: ptr("Terse")})
			require.NoError(t, err)
			require.Equal(t, "m2-"+org, s.Model)
			require.Equal(t, "Terse", *s.Persona)
			require.Empty(t, s.DefaultTools, "put replaces")
			s, err = st.PutAgentSettings(ctx, storage.AgentSettings{Model: "m3-" + org, SystemPrompt: "p3"})
			require.NoError(t, err)
			require.Nil(t, s.Persona, "put replaces the persona too")

			// Indexing runs.
			_, err = st.RecordIndexingRun(ctx, storage.IndexingRunInput{ID: org + "-r1", ConnectorName: "docs", Status: "running"})
			require.NoError(t, err)
			_, err = st.RecordIndexingRun(ctx, storage.IndexingRunInput{ID: org + "-r1", ConnectorName: "docs", Status: "succeeded", Cursor: ptr("0005"), DocumentsSeen: 5})
			require.NoError(t, err)
			_, err = st.RecordIndexingRun(ctx, storage.IndexingRunInput{ID: org + "-r2", ConnectorName: "docs", Status: "failed", Cursor: ptr("0009"), Error: ptr("boom")})
			require.NoError(t, err)
			runs, err := st.IndexingRuns(ctx, "docs")
			require.NoError(t, err)
			require.Len(t, runs, 2)
			require.Equal(t, org+"-r1", runs[0].ID, "oldest first")
			require.Equal(t, "succeeded", string(runs[0].Status))
			cur, ok, err := st.LatestIndexingCursor(ctx, "docs")
			require.NoError(t, err)
			require.True(t, ok)
			require.Equal(t, "0005", cur, "failed runs do not advance the cursor")
			_, ok, err = st.LatestIndexingCursor(ctx, "web")
			require.NoError(t, err)
			require.False(t, ok)
		})
	}
	// Each organization saw only its own rows (checked above); the counts agree.
	for _, org := range []string{"org-a", "org-b"} {
		runs, err := st.IndexingRuns(member(t.Context(), org), "docs")
		require.NoError(t, err)
		require.Len(t, runs, 2)
	}
}
