package integration

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/pgvector/pgvector-go"
	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/ent/indexingrun"
	"github.com/agentstore/agentstore/ent/memory"
	"github.com/agentstore/agentstore/ent/message"
	"github.com/agentstore/agentstore/ent/participant"
	"github.com/agentstore/agentstore/ent/schema"
)

// member returns ctx carrying a member viewer of org.
func member(ctx context.Context, org string, groups ...string) context.Context {
	return access.NewContext(ctx, access.Viewer{OrganizationID: org, UserID: org + "-user", Groups: groups})
}

// unitVector is a valid embedding: 1 at position i.
func unitVector(i int) pgvector.Vector {
	v := make([]float32, schema.EmbeddingDimensions)
	v[i%len(v)] = 1
	return pgvector.NewVector(v)
}

// tenant is one row of every entity, owned by one organization.
type tenant struct {
	org         string
	conv        *ent.Conversation
	user, agent *ent.Participant
	msg         *ent.Message
	sess        *ent.Session
	doc         *ent.Document
	chunk       *ent.Chunk
	mem         *ent.Memory
	checkpoint  *ent.Checkpoint
	connector   *ent.ConnectorConfig
	settings    *ent.AgentSettings
	run         *ent.IndexingRun
}

// seedTenant creates one row of every entity in org, as a member of org.
func seedTenant(t *testing.T, client *ent.Client, org string) tenant {
	t.Helper()
	ctx := member(t.Context(), org)
	tn := tenant{org: org}
	var err error
	tn.conv, err = client.Conversation.Create().SetOrganizationID(org).SetPlatform(conversation.PlatformWeb).
		SetName(org + " support").SetIdempotencyKey(org + "-key").Save(ctx)
	require.NoError(t, err)
	tn.user, err = client.Participant.Create().SetOrganizationID(org).SetConversation(tn.conv).
		SetType(participant.TypeUser).SetName(org + " customer").SetEmail(org + "@example.com").SetExternalID("ext-" + org).Save(ctx)
	require.NoError(t, err)
	tn.agent, err = client.Participant.Create().SetOrganizationID(org).SetConversation(tn.conv).
		SetType(participant.TypeAiAgent).SetName("Agent").Save(ctx)
	require.NoError(t, err)
	tn.msg, err = client.Message.Create().SetOrganizationID(org).SetConversation(tn.conv).
		SetDirection(message.DirectionInbound).SetContent(chat.FromText("hello from " + org)).
		SetFromParticipant(tn.user).SetToParticipant(tn.agent).Save(ctx)
	require.NoError(t, err)
	tn.sess, err = client.Session.Create().SetOrganizationID(org).SetConversation(tn.conv).
		SetUserParticipant(tn.user).SetAgentParticipant(tn.agent).SetAgentID("agent-1").SetThreadID("thread-1").Save(ctx)
	require.NoError(t, err)
	tn.doc, err = client.Document.Create().SetOrganizationID(org).SetSource("docs/" + org + ".md").
		SetTitle(org + " handbook").Save(ctx)
	require.NoError(t, err)
	tn.chunk, err = client.Chunk.Create().SetOrganizationID(org).SetDocument(tn.doc).SetID(tn.doc.ID + "#0").
		SetChunkIndex(0).SetContent(org + " refund policy").SetEmbedding(unitVector(1)).Save(ctx)
	require.NoError(t, err)
	tn.mem, err = client.Memory.Create().SetOrganizationID(org).SetUserID("u1").SetContent(org + " likes pizza").
		SetMemoryType(memory.MemoryTypeUser).SetEmbedding(unitVector(2)).Save(ctx)
	require.NoError(t, err)
	tn.checkpoint, err = client.Checkpoint.Create().SetOrganizationID(org).SetAgentID("agent-1").SetThreadID("thread-1").
		SetState(json.RawMessage(`{"turn":1}`)).Save(ctx)
	require.NoError(t, err)
	tn.connector, err = client.ConnectorConfig.Create().SetOrganizationID(org).SetName(org + " github").
		SetKind("github").SetConfig(map[string]any{"auth_ref": "GITHUB_TOKEN"}).Save(ctx)
	require.NoError(t, err)
	tn.settings, err = client.AgentSettings.Create().SetOrganizationID(org).SetModel("gpt-4o-mini").
		SetSystemPrompt("Be kind.").Save(ctx)
	require.NoError(t, err)
	tn.run, err = client.IndexingRun.Create().SetOrganizationID(org).SetConnectorName(org + " github").
		SetStatus(indexingrun.StatusRunning).Save(ctx)
	require.NoError(t, err)
	return tn
}
