package integration

import (
	"context"
	"testing"

	"entgo.io/ent/privacy"
	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/agentsettings"
	"github.com/agentstore/agentstore/ent/checkpoint"
	"github.com/agentstore/agentstore/ent/chunk"
	"github.com/agentstore/agentstore/ent/connectorconfig"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/ent/document"
	"github.com/agentstore/agentstore/ent/indexingrun"
	"github.com/agentstore/agentstore/ent/memory"
	"github.com/agentstore/agentstore/ent/message"
	"github.com/agentstore/agentstore/ent/participant"
	"github.com/agentstore/agentstore/ent/session"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// entityOps reaches one entity by id through every ent path a caller has.
type entityOps struct {
	name   string
	id     func(tenant) string
	get    func(context.Context, string) error
	ids    func(context.Context) ([]string, error)
	update func(context.Context, string) error        // UpdateOneID
	bulk   func(context.Context, string) (int, error) // Update().Where(id) — rows affected
	delete func(context.Context, string) error        // DeleteOneID
	purge  func(context.Context, string) (int, error) // Delete().Where(id) — rows deleted
}

func allEntities(c *ent.Client) []entityOps {
	return []entityOps{
		{
			name: "Conversation", id: func(t tenant) string { return t.conv.ID },
			get: func(ctx context.Context, id string) error { _, err := c.Conversation.Get(ctx, id); return err },
			ids: func(ctx context.Context) ([]string, error) { return c.Conversation.Query().IDs(ctx) },
			update: func(ctx context.Context, id string) error {
				return c.Conversation.UpdateOneID(id).SetName("x").Exec(ctx)
			},
			bulk: func(ctx context.Context, id string) (int, error) {
				return c.Conversation.Update().Where(conversation.ID(id)).SetName("x").Save(ctx)
			},
			delete: func(ctx context.Context, id string) error { return c.Conversation.DeleteOneID(id).Exec(ctx) },
			purge: func(ctx context.Context, id string) (int, error) {
				return c.Conversation.Delete().Where(conversation.ID(id)).Exec(ctx)
			},
		},
		{
			name: "Participant", id: func(t tenant) string { return t.user.ID },
			get: func(ctx context.Context, id string) error { _, err := c.Participant.Get(ctx, id); return err },
			ids: func(ctx context.Context) ([]string, error) { return c.Participant.Query().IDs(ctx) },
			update: func(ctx context.Context, id string) error {
				return c.Participant.UpdateOneID(id).SetName("x").Exec(ctx)
			},
			bulk: func(ctx context.Context, id string) (int, error) {
				return c.Participant.Update().Where(participant.ID(id)).SetName("x").Save(ctx)
			},
			delete: func(ctx context.Context, id string) error { return c.Participant.DeleteOneID(id).Exec(ctx) },
			purge: func(ctx context.Context, id string) (int, error) {
				return c.Participant.Delete().Where(participant.ID(id)).Exec(ctx)
			},
		},
		{
			name: "Message", id: func(t tenant) string { return t.msg.ID },
			get: func(ctx context.Context, id string) error { _, err := c.Message.Get(ctx, id); return err },
			ids: func(ctx context.Context) ([]string, error) { return c.Message.Query().IDs(ctx) },
			update: func(ctx context.Context, id string) error {
				return c.Message.UpdateOneID(id).SetExternalID("x").Exec(ctx)
			},
			bulk: func(ctx context.Context, id string) (int, error) {
				return c.Message.Update().Where(message.ID(id)).SetExternalID("x").Save(ctx)
			},
			delete: func(ctx context.Context, id string) error { return c.Message.DeleteOneID(id).Exec(ctx) },
			purge: func(ctx context.Context, id string) (int, error) {
				return c.Message.Delete().Where(message.ID(id)).Exec(ctx)
			},
		},
		{
			name: "Session", id: func(t tenant) string { return t.sess.ID },
			get: func(ctx context.Context, id string) error { _, err := c.Session.Get(ctx, id); return err },
			ids: func(ctx context.Context) ([]string, error) { return c.Session.Query().IDs(ctx) },
			update: func(ctx context.Context, id string) error {
				return c.Session.UpdateOneID(id).SetAgentName("x").Exec(ctx)
			},
			bulk: func(ctx context.Context, id string) (int, error) {
				return c.Session.Update().Where(session.ID(id)).SetAgentName("x").Save(ctx)
			},
			delete: func(ctx context.Context, id string) error { return c.Session.DeleteOneID(id).Exec(ctx) },
			purge: func(ctx context.Context, id string) (int, error) {
				return c.Session.Delete().Where(session.ID(id)).Exec(ctx)
			},
		},
		{
			name: "Document", id: func(t tenant) string { return t.doc.ID },
			get:    func(ctx context.Context, id string) error { _, err := c.Document.Get(ctx, id); return err },
			ids:    func(ctx context.Context) ([]string, error) { return c.Document.Query().IDs(ctx) },
			update: func(ctx context.Context, id string) error { return c.Document.UpdateOneID(id).SetTitle("x").Exec(ctx) },
			bulk: func(ctx context.Context, id string) (int, error) {
				return c.Document.Update().Where(document.ID(id)).SetTitle("x").Save(ctx)
			},
			delete: func(ctx context.Context, id string) error { return c.Document.DeleteOneID(id).Exec(ctx) },
			purge: func(ctx context.Context, id string) (int, error) {
				return c.Document.Delete().Where(document.ID(id)).Exec(ctx)
			},
		},
		{
			name: "Chunk", id: func(t tenant) string { return t.chunk.ID },
			get:    func(ctx context.Context, id string) error { _, err := c.Chunk.Get(ctx, id); return err },
			ids:    func(ctx context.Context) ([]string, error) { return c.Chunk.Query().IDs(ctx) },
			update: func(ctx context.Context, id string) error { return c.Chunk.UpdateOneID(id).SetContent("x").Exec(ctx) },
			bulk: func(ctx context.Context, id string) (int, error) {
				return c.Chunk.Update().Where(chunk.ID(id)).SetContent("x").Save(ctx)
			},
			delete: func(ctx context.Context, id string) error { return c.Chunk.DeleteOneID(id).Exec(ctx) },
			purge: func(ctx context.Context, id string) (int, error) {
				return c.Chunk.Delete().Where(chunk.ID(id)).Exec(ctx)
			},
		},
		{
			name: "Memory", id: func(t tenant) string { return t.mem.ID },
			get:    func(ctx context.Context, id string) error { _, err := c.Memory.Get(ctx, id); return err },
			ids:    func(ctx context.Context) ([]string, error) { return c.Memory.Query().IDs(ctx) },
			update: func(ctx context.Context, id string) error { return c.Memory.UpdateOneID(id).SetContent("x").Exec(ctx) },
			bulk: func(ctx context.Context, id string) (int, error) {
				return c.Memory.Update().Where(memory.ID(id)).SetContent("x").Save(ctx)
			},
			delete: func(ctx context.Context, id string) error { return c.Memory.DeleteOneID(id).Exec(ctx) },
			purge: func(ctx context.Context, id string) (int, error) {
				return c.Memory.Delete().Where(memory.ID(id)).Exec(ctx)
			},
		},
		{
			name: "Checkpoint", id: func(t tenant) string { return t.checkpoint.ID },
			get: func(ctx context.Context, id string) error { _, err := c.Checkpoint.Get(ctx, id); return err },
			ids: func(ctx context.Context) ([]string, error) { return c.Checkpoint.Query().IDs(ctx) },
			update: func(ctx context.Context, id string) error {
				return c.Checkpoint.UpdateOneID(id).SetIteration(9).Exec(ctx)
			},
			bulk: func(ctx context.Context, id string) (int, error) {
				return c.Checkpoint.Update().Where(checkpoint.ID(id)).SetIteration(9).Save(ctx)
			},
			delete: func(ctx context.Context, id string) error { return c.Checkpoint.DeleteOneID(id).Exec(ctx) },
			purge: func(ctx context.Context, id string) (int, error) {
				return c.Checkpoint.Delete().Where(checkpoint.ID(id)).Exec(ctx)
			},
		},
		{
			name: "ConnectorConfig", id: func(t tenant) string { return t.connector.ID },
			get: func(ctx context.Context, id string) error { _, err := c.ConnectorConfig.Get(ctx, id); return err },
			ids: func(ctx context.Context) ([]string, error) { return c.ConnectorConfig.Query().IDs(ctx) },
			update: func(ctx context.Context, id string) error {
				return c.ConnectorConfig.UpdateOneID(id).SetName("x").Exec(ctx)
			},
			bulk: func(ctx context.Context, id string) (int, error) {
				return c.ConnectorConfig.Update().Where(connectorconfig.ID(id)).SetName("x").Save(ctx)
			},
			delete: func(ctx context.Context, id string) error { return c.ConnectorConfig.DeleteOneID(id).Exec(ctx) },
			purge: func(ctx context.Context, id string) (int, error) {
				return c.ConnectorConfig.Delete().Where(connectorconfig.ID(id)).Exec(ctx)
			},
		},
		{
			name: "AgentSettings", id: func(t tenant) string { return t.settings.ID },
			get: func(ctx context.Context, id string) error { _, err := c.AgentSettings.Get(ctx, id); return err },
			ids: func(ctx context.Context) ([]string, error) { return c.AgentSettings.Query().IDs(ctx) },
			update: func(ctx context.Context, id string) error {
				return c.AgentSettings.UpdateOneID(id).SetModel("x").Exec(ctx)
			},
			bulk: func(ctx context.Context, id string) (int, error) {
				return c.AgentSettings.Update().Where(agentsettings.ID(id)).SetModel("x").Save(ctx)
			},
			delete: func(ctx context.Context, id string) error { return c.AgentSettings.DeleteOneID(id).Exec(ctx) },
			purge: func(ctx context.Context, id string) (int, error) {
				return c.AgentSettings.Delete().Where(agentsettings.ID(id)).Exec(ctx)
			},
		},
		{
			name: "IndexingRun", id: func(t tenant) string { return t.run.ID },
			get: func(ctx context.Context, id string) error { _, err := c.IndexingRun.Get(ctx, id); return err },
			ids: func(ctx context.Context) ([]string, error) { return c.IndexingRun.Query().IDs(ctx) },
			update: func(ctx context.Context, id string) error {
				return c.IndexingRun.UpdateOneID(id).SetError("x").Exec(ctx)
			},
			bulk: func(ctx context.Context, id string) (int, error) {
				return c.IndexingRun.Update().Where(indexingrun.ID(id)).SetError("x").Save(ctx)
			},
			delete: func(ctx context.Context, id string) error { return c.IndexingRun.DeleteOneID(id).Exec(ctx) },
			purge: func(ctx context.Context, id string) (int, error) {
				return c.IndexingRun.Delete().Where(indexingrun.ID(id)).Exec(ctx)
			},
		},
	}
}

// TestTenancyIsolation: for every entity, a member of org A can neither
// read, list, update nor delete org B's row, while its own row works.
func TestTenancyIsolation(t *testing.T) {
	t.Parallel()
	client := storagetest.Client(t)
	a := seedTenant(t, client, "org-a")
	b := seedTenant(t, client, "org-b")
	ctxA := member(t.Context(), a.org)
	sys := access.SystemContext(t.Context())

	for _, e := range allEntities(client) {
		t.Run(e.name, func(t *testing.T) {
			idA, idB := e.id(a), e.id(b)

			require.True(t, ent.IsNotFound(e.get(ctxA, idB)), "get of another org's row")
			require.NoError(t, e.get(ctxA, idA))

			ids, err := e.ids(ctxA)
			require.NoError(t, err)
			require.Contains(t, ids, idA)
			require.NotContains(t, ids, idB)

			require.True(t, ent.IsNotFound(e.update(ctxA, idB)), "update of another org's row")
			n, err := e.bulk(ctxA, idB)
			require.NoError(t, err)
			require.Zero(t, n, "bulk update reached another org")

			require.True(t, ent.IsNotFound(e.delete(ctxA, idB)), "delete of another org's row")
			n, err = e.purge(ctxA, idB)
			require.NoError(t, err)
			require.Zero(t, n, "bulk delete reached another org")

			require.NoError(t, e.get(sys, idB), "org B's row must survive")
			require.NoError(t, e.update(ctxA, idA), "own row stays writable")
		})
	}

	// Org B's rows are untouched by everything above.
	conv, err := client.Conversation.Get(sys, b.conv.ID)
	require.NoError(t, err)
	require.Equal(t, "org-b support", conv.Name)
}

// TestTenancyTraversals: edges from another org's row lead nowhere, both by
// lazy traversal and by eager loading.
func TestTenancyTraversals(t *testing.T) {
	t.Parallel()
	client := storagetest.Client(t)
	a := seedTenant(t, client, "org-a")
	b := seedTenant(t, client, "org-b")
	ctxA := member(t.Context(), a.org)
	ctxB := member(t.Context(), b.org)

	countsFor := func(ctx context.Context) []int {
		t.Helper()
		var out []int
		for _, q := range []func() (int, error){
			func() (int, error) { return b.conv.QueryParticipants().Count(ctx) },
			func() (int, error) { return b.conv.QueryMessages().Count(ctx) },
			func() (int, error) { return b.conv.QuerySessions().Count(ctx) },
			func() (int, error) { return b.user.QuerySentMessages().Count(ctx) },
			func() (int, error) { return b.agent.QueryReceivedMessages().Count(ctx) },
			func() (int, error) { return b.user.QueryUserSessions().Count(ctx) },
			func() (int, error) { return b.agent.QueryAgentSessions().Count(ctx) },
			func() (int, error) { return b.msg.QueryConversation().Count(ctx) },
			func() (int, error) { return b.msg.QueryFromParticipant().Count(ctx) },
			func() (int, error) { return b.sess.QueryUserParticipant().Count(ctx) },
			func() (int, error) { return b.doc.QueryChunks().Count(ctx) },
			func() (int, error) { return b.chunk.QueryDocument().Count(ctx) },
		} {
			n, err := q()
			require.NoError(t, err)
			out = append(out, n)
		}
		return out
	}
	// The owner sees every edge; the other org sees none of them.
	require.Equal(t, []int{2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, countsFor(ctxB))
	require.Equal(t, []int{0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}, countsFor(ctxA))

	// Eager loading goes through the same policies.
	convs, err := client.Conversation.Query().WithMessages().WithParticipants().WithSessions().All(ctxA)
	require.NoError(t, err)
	require.Len(t, convs, 1)
	require.Equal(t, a.conv.ID, convs[0].ID)
	require.Len(t, convs[0].Edges.Participants, 2)
	for _, m := range convs[0].Edges.Messages {
		require.Equal(t, a.org, m.OrganizationID)
	}
	// Predicates over edges cannot probe another org either.
	n, err := client.Conversation.Query().Where(conversation.HasMessagesWith(message.ID(b.msg.ID))).Count(ctxA)
	require.NoError(t, err)
	require.Zero(t, n)
}

func TestTenancyCreateIntoAnotherOrgDenied(t *testing.T) {
	t.Parallel()
	client := storagetest.Client(t)
	ctxA := member(t.Context(), "org-a")

	_, err := client.Conversation.Create().SetOrganizationID("org-b").SetPlatform(conversation.PlatformWeb).Save(ctxA)
	require.ErrorIs(t, err, privacy.Deny)
	_, err = client.Memory.Create().SetOrganizationID("org-b").SetContent("x").
		SetMemoryType(memory.MemoryTypeUser).SetEmbedding(unitVector(0)).Save(ctxA)
	require.Error(t, err)

	n, err := client.Conversation.Query().Count(access.SystemContext(t.Context()))
	require.NoError(t, err)
	require.Zero(t, n, "nothing was written")
}

// TestTenancyUpsertCannotTakeOverAnotherOrgsRow: the DO UPDATE branch of an
// upsert bypasses query filters, so conflict keys include organization_id;
// an id owned by another org then collides on the primary key instead.
func TestTenancyUpsertCannotTakeOverAnotherOrgsRow(t *testing.T) {
	t.Parallel()
	client := storagetest.Client(t)
	b := seedTenant(t, client, "org-b")
	ctxA := member(t.Context(), "org-a")

	err := client.ConnectorConfig.Create().SetID(b.connector.ID).SetOrganizationID("org-a").
		SetName("hijack").SetKind(connectorconfig.KindWeb).
		OnConflictColumns(connectorconfig.FieldOrganizationID, connectorconfig.FieldID).UpdateNewValues().Exec(ctxA)
	require.Error(t, err)
	require.True(t, ent.IsConstraintError(err), "got %v", err)

	got, err := client.ConnectorConfig.Get(access.SystemContext(t.Context()), b.connector.ID)
	require.NoError(t, err)
	require.Equal(t, "org-b github", got.Name)
	require.Equal(t, "org-b", got.OrganizationID)
}

func TestNoViewerIsDenied(t *testing.T) {
	t.Parallel()
	client := storagetest.Client(t)
	seedTenant(t, client, "org-a")

	for name, ctx := range map[string]context.Context{
		"NoViewer":    t.Context(),
		"EmptyOrg":    access.NewContext(t.Context(), access.Viewer{UserID: "u"}),
		"UnknownRole": access.NewContext(t.Context(), access.Viewer{OrganizationID: "org-a", Role: "root"}),
	} {
		t.Run(name, func(t *testing.T) {
			_, err := client.Conversation.Query().All(ctx)
			require.ErrorIs(t, err, privacy.Deny)
			_, err = client.Message.Query().Count(ctx)
			require.ErrorIs(t, err, privacy.Deny)
			_, err = client.Conversation.Create().SetOrganizationID("org-a").SetPlatform(conversation.PlatformSms).Save(ctx)
			require.ErrorIs(t, err, privacy.Deny)
			_, err = client.Conversation.Delete().Exec(ctx)
			require.ErrorIs(t, err, privacy.Deny)
		})
	}
}
