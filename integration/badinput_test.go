package integration

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// TestBadInputIsRejectedAndWritesNothing: every bad input gets
// ErrInvalidInput naming its field, and no row is written.
func TestBadInputIsRejectedAndWritesNothing(t *testing.T) {
	t.Parallel()
	const maxPayload = 4096
	st := storagetest.Store(t, storage.WithMaxPayloadBytes(maxPayload))
	ctx := member(t.Context(), "acme")
	_, err := st.CreateConversation(ctx, storage.NewConversation{ID: "c", Platform: "web"})
	require.NoError(t, err)
	_, err = st.AddParticipant(ctx, storage.NewParticipant{ID: "p", ConversationID: "c", Type: "user"})
	require.NoError(t, err)

	bad := "bad\xff\xfe"
	for _, tc := range []struct {
		name, field string
		call        func() error
	}{
		{"NULInName", "name", func() error {
			_, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web", Name: "a\x00b"})
			return err
		}},
		{"InvalidUTF8InName", "name", func() error {
			_, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web", Name: bad})
			return err
		}},
		{"UnknownPlatform", "platform", func() error {
			_, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "Web"})
			return err
		}},
		{"SQLLookingPlatform", "platform", func() error {
			_, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web'); DROP TABLE conversations;--"})
			return err
		}},
		{"NULInMetadataValue", "metadata", func() error {
			_, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web", Metadata: map[string]any{"k": "v\x00"}})
			return err
		}},
		{"InvalidUTF8InMetadataKey", "metadata key", func() error {
			_, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web", Metadata: map[string]any{bad: 1}})
			return err
		}},
		{"OversizedMetadata", "metadata", func() error {
			_, err := st.CreateConversation(ctx, storage.NewConversation{Platform: "web", Metadata: map[string]any{"k": strings.Repeat("x", maxPayload)}})
			return err
		}},
		{"EmptyParticipantConversation", "conversation id", func() error {
			_, err := st.AddParticipant(ctx, storage.NewParticipant{Type: "user"})
			return err
		}},
		{"UnknownParticipantType", "type", func() error {
			_, err := st.AddParticipant(ctx, storage.NewParticipant{ConversationID: "c", Type: "robot"})
			return err
		}},
		{"OversizedID", "id", func() error {
			_, err := st.AddParticipant(ctx, storage.NewParticipant{ID: strings.Repeat("i", 256), ConversationID: "c", Type: "user"})
			return err
		}},
		{"NULInMessageText", "content item 0 text", func() error {
			_, err := st.AppendMessage(ctx, storage.NewMessage{ConversationID: "c", Direction: "inbound", Content: chat.FromText("x\x00y")})
			return err
		}},
		{"InvalidUTF8InMirroredText", "content text", func() error {
			c := chat.FromText("ok")
			c.Text = &bad
			_, err := st.AppendMessage(ctx, storage.NewMessage{ConversationID: "c", Direction: "inbound", Content: c})
			return err
		}},
		{"OversizedMessage", "content item 0 text", func() error {
			_, err := st.AppendMessage(ctx, storage.NewMessage{ConversationID: "c", Direction: "inbound", Content: chat.FromText(strings.Repeat("x", 10<<20))})
			return err
		}},
		{"EscapedNULInStructuredResponse", "structured response", func() error {
			_, err := st.AppendMessage(ctx, storage.NewMessage{ConversationID: "c", Direction: "inbound",
				Content: chat.Content{StructuredResponse: json.RawMessage(`{"a":"\u0000"}`)}})
			return err
		}},
		{"UnknownDirection", "direction", func() error {
			_, err := st.AppendMessage(ctx, storage.NewMessage{ConversationID: "c", Direction: "sideways"})
			return err
		}},
		{"NegativeLimit", "limit", func() error {
			_, err := st.Messages(ctx, "c", storage.MessagePageRequest{Limit: -1})
			return err
		}},
		{"HugeLimit", "limit", func() error {
			_, err := st.Conversations(ctx, storage.PageRequest{Limit: storage.MaxPageSize + 1})
			return err
		}},
		{"NegativeTokenCount", "token count", func() error {
			_, err := st.CreateSession(ctx, storage.NewSession{ConversationID: "c", TokenCount: ptr(int64(-1))})
			return err
		}},
		{"EmptyCheckpointState", "state", func() error {
			_, err := st.SaveCheckpoint(ctx, storage.NewCheckpoint{AgentID: "a"})
			return err
		}},
		{"InvalidCheckpointState", "state", func() error {
			_, err := st.SaveCheckpoint(ctx, storage.NewCheckpoint{AgentID: "a", State: json.RawMessage(`{nope`)})
			return err
		}},
		{"NegativePrune", "keep", func() error {
			_, err := st.PruneCheckpoints(ctx, "a", "t", -1)
			return err
		}},
		{"UnknownRunStatus", "status", func() error {
			_, err := st.RecordIndexingRun(ctx, storage.IndexingRunInput{ConnectorName: "c", Status: "done"})
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			require.ErrorIs(t, err, storage.ErrInvalidInput)
			var ie *storage.InputError
			require.ErrorAs(t, err, &ie)
			require.Equal(t, tc.field, ie.Field, ie.Error())
		})
	}

	counts := map[string]int{}
	for table, q := range map[string]func(context.Context) (int, error){
		"conversations": st.Client().Conversation.Query().Count,
		"participants":  st.Client().Participant.Query().Count,
		"messages":      st.Client().Message.Query().Count,
		"sessions":      st.Client().Session.Query().Count,
		"checkpoints":   st.Client().Checkpoint.Query().Count,
		"runs":          st.Client().IndexingRun.Query().Count,
	} {
		n, err := q(ctx)
		require.NoError(t, err)
		counts[table] = n
	}
	require.Equal(t, map[string]int{"conversations": 1, "participants": 1, "messages": 0, "sessions": 0, "checkpoints": 0, "runs": 0}, counts)
}
