package integration

import (
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/pgvector/pgvector-go"
	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/chunk"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/ent/message"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

func pgCode(t *testing.T, err error) string {
	t.Helper()
	var pgErr *pgconn.PgError
	require.True(t, errors.As(err, &pgErr), "want a PostgreSQL error, got %v", err)
	return pgErr.Code
}

// TestEnumTextRejectedTwice: ent's validator rejects unknown enum text, and
// the database's CHECK rejects it from any other writer.
func TestEnumTextRejectedTwice(t *testing.T) {
	t.Parallel()
	s := storagetest.NewSchema(t)
	client := storage.NewClient(s.DB)
	ctx := member(t.Context(), "org-a")

	_, err := client.Conversation.Create().SetOrganizationID("org-a").SetPlatform("fax").Save(ctx)
	require.True(t, ent.IsValidationError(err), "got %v", err)

	for table, stmt := range map[string]string{
		"conversations":  `INSERT INTO conversations (id, organization_id, created_at, updated_at, platform) VALUES ('c', 'o', now(), now(), 'fax')`,
		"memories":       `INSERT INTO memories (id, organization_id, created_at, content, memory_type, embedding, last_accessed) VALUES ('m', 'o', now(), 'x', 'shortterm', array_fill(0.1, ARRAY[1024])::vector, now())`,
		"connector_kind": `INSERT INTO connector_configs (id, organization_id, created_at, updated_at, name, kind) VALUES ('k', 'o', now(), now(), 'n', 'GitHub')`,
		"indexing_runs":  `INSERT INTO indexing_runs (id, organization_id, connector_name, status, started_at) VALUES ('r', 'o', 'c', 'done', now())`,
	} {
		_, err := s.DB.ExecContext(t.Context(), stmt)
		require.Error(t, err, table)
		require.Equal(t, "23514", pgCode(t, err), table) // check_violation
	}
}

// TestDatabaseAssignedColumns: seq comes from an identity the client cannot
// set; the chunk tsvector is computed by the database; defaults hold for
// rows written without ent.
func TestDatabaseAssignedColumns(t *testing.T) {
	t.Parallel()
	s := storagetest.NewSchema(t)
	client := storage.NewClient(s.DB)
	a := seedTenant(t, client, "org-a")
	ctx := member(t.Context(), "org-a")

	var seqs []int64
	for range 3 {
		m, err := client.Message.Create().SetOrganizationID("org-a").SetConversation(a.conv).
			SetDirection(message.DirectionOutbound).SetContent(chat.Content{}).Save(ctx)
		require.NoError(t, err)
		got, err := client.Message.Get(ctx, m.ID)
		require.NoError(t, err)
		require.Equal(t, []chat.Item{}, got.Content.Items, "items default to []")
		seqs = append(seqs, got.Seq)
	}
	require.Less(t, seqs[0], seqs[1])
	require.Less(t, seqs[1], seqs[2])

	_, err := s.DB.ExecContext(t.Context(), `INSERT INTO messages (id, organization_id, conversation_id, direction, content, created_at, seq)
VALUES ('m-x', 'org-a', $1, 'inbound', '{}', now(), 999)`, a.conv.ID)
	require.Error(t, err, "seq is GENERATED ALWAYS")

	var written bool
	require.NoError(t, s.DB.QueryRowContext(t.Context(),
		`SELECT content_tsv IS NOT NULL FROM chunks WHERE id = $1`, a.chunk.ID).Scan(&written))
	require.False(t, written, "content_tsv is written by storage's ingest, not by the database")

	var acl, sets, meta string
	_, err = s.DB.ExecContext(t.Context(), `INSERT INTO documents (id, organization_id, created_at, updated_at, source) VALUES ('raw', 'org-a', now(), now(), 'raw.md')`)
	require.NoError(t, err)
	require.NoError(t, s.DB.QueryRowContext(t.Context(),
		`SELECT acl::text, document_sets::text, metadata::text FROM documents WHERE id = 'raw'`).Scan(&acl, &sets, &meta))
	require.Equal(t, []string{"{*}", "{}", "{}"}, []string{acl, sets, meta})
}

func TestEmbeddingWidthEnforced(t *testing.T) {
	t.Parallel()
	client := storagetest.Client(t)
	a := seedTenant(t, client, "org-a")
	_, err := client.Chunk.Create().SetOrganizationID("org-a").SetDocument(a.doc).SetID("short").SetChunkIndex(1).
		SetContent("x").SetEmbedding(pgvector.NewVector([]float32{1, 2, 3})).Save(member(t.Context(), "org-a"))
	require.Error(t, err)
	require.Equal(t, "22000", pgCode(t, err)) // pgvector: expected 1024 dimensions
}

// TestForeignKeys: edges are real foreign keys.
func TestForeignKeys(t *testing.T) {
	t.Parallel()
	s := storagetest.NewSchema(t)
	client := storage.NewClient(s.DB)
	a := seedTenant(t, client, "org-a")
	ctx := member(t.Context(), "org-a")

	_, err := client.Message.Create().SetOrganizationID("org-a").SetConversationID("no-such-conversation").
		SetDirection(message.DirectionInbound).SetContent(chat.FromText("x")).Save(ctx)
	require.Error(t, err)
	require.Equal(t, "23503", pgCode(t, err)) // foreign_key_violation

	// Composite keys: a row cannot name a parent of another organization,
	// nor a participant of another conversation, whoever writes it.
	b := seedTenant(t, client, "org-b")
	other, err := client.Conversation.Create().SetOrganizationID("org-a").SetPlatform(conversation.PlatformSms).Save(ctx)
	require.NoError(t, err)
	for name, stmt := range map[string]string{
		"MessageIntoForeignConversation": `INSERT INTO messages (id, organization_id, conversation_id, direction, content, created_at)
VALUES ('x1', 'org-a', '` + b.conv.ID + `', 'inbound', '{}', now())`,
		"ParticipantIntoForeignConversation": `INSERT INTO participants (id, organization_id, conversation_id, created_at, updated_at, type)
VALUES ('x2', 'org-a', '` + b.conv.ID + `', now(), now(), 'user')`,
		"SenderOfAnotherConversation": `INSERT INTO messages (id, organization_id, conversation_id, direction, content, created_at, from_participant_id)
VALUES ('x3', 'org-a', '` + other.ID + `', 'inbound', '{}', now(), '` + a.user.ID + `')`,
		"SessionUserOfAnotherConversation": `INSERT INTO sessions (session_id, organization_id, conversation_id, created_at, updated_at, last_activity_at, user_participant_id)
VALUES ('x4', 'org-a', '` + other.ID + `', now(), now(), now(), '` + a.user.ID + `')`,
		"ChunkOfForeignDocument": `INSERT INTO chunks (id, organization_id, document_id, chunk_index, content, embedding, created_at)
VALUES ('x5', 'org-a', '` + b.doc.ID + `', 9, 'x', array_fill(0.1, ARRAY[1024])::vector, now())`,
	} {
		_, err := s.DB.ExecContext(t.Context(), stmt)
		require.Error(t, err, name)
		require.Equal(t, "23503", pgCode(t, err), name)
	}

	err = client.Participant.DeleteOneID(a.user.ID).Exec(ctx)
	require.Error(t, err, "a participant that messages name cannot be deleted")
	require.Equal(t, "23503", pgCode(t, err))

	require.NoError(t, client.Document.DeleteOneID(a.doc.ID).Exec(ctx))
	n, err := client.Chunk.Query().Where(chunk.DocumentID(a.doc.ID)).Count(access.SystemContext(t.Context()))
	require.NoError(t, err)
	require.Zero(t, n, "chunks go with their document")

	require.NoError(t, client.Conversation.DeleteOneID(a.conv.ID).Exec(ctx))
	for table, q := range map[string]func() (int, error){
		"participants": func() (int, error) { return client.Participant.Query().Count(ctx) },
		"messages":     func() (int, error) { return client.Message.Query().Count(ctx) },
		"sessions":     func() (int, error) { return client.Session.Query().Count(ctx) },
	} {
		n, err := q()
		require.NoError(t, err)
		require.Zero(t, n, "%s cascade with their conversation", table)
	}
	_, err = client.Conversation.Query().Where(conversation.ID(a.conv.ID)).Only(ctx)
	require.True(t, ent.IsNotFound(err))
}
