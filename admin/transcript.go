package admin

import (
	"context"
	"fmt"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/message"
	"github.com/agentstore/agentstore/ent/participant"
	"github.com/agentstore/agentstore/ent/session"
	"github.com/agentstore/agentstore/storage"
)

// DefaultTranscriptPage is the number of messages a transcript page holds
// when the request names none.
const DefaultTranscriptPage = 100

// Transcript is a conversation with its participants, sessions and one
// page of messages in seq order.
type Transcript struct {
	Conversation *ent.Conversation  `json:"conversation"`
	Participants []*ent.Participant `json:"participants"`
	Sessions     []*ent.Session     `json:"sessions"`
	Messages     []*ent.Message     `json:"messages"` // edges from_participant and to_participant loaded
	Sent         map[string]int     `json:"sent"`     // messages per sending participant id
	NextAfter    *int64             `json:"next_after,omitempty"`
}

// TranscriptRequest pages the messages: those with seq > After, at most
// Limit (default DefaultTranscriptPage, at most storage.MaxPageSize).
type TranscriptRequest struct {
	After int64
	Limit int
}

// Transcript reads conversation id: its participants, sessions (with their
// message and token counts), the per-participant message counts and a
// page of messages with their sender and recipient resolved.
func (a *Admin) Transcript(ctx context.Context, id string, req TranscriptRequest) (*Transcript, error) {
	client, _, err := a.client(ctx, false)
	if err != nil {
		return nil, err
	}
	limit := req.Limit
	if limit == 0 {
		limit = DefaultTranscriptPage
	}
	if limit < 0 || limit > storage.MaxPageSize || req.After < 0 {
		return nil, &storage.InputError{Field: "page", Reason: fmt.Sprintf("limit must be 1..%d and after ≥ 0", storage.MaxPageSize)}
	}
	conv, err := client.Conversation.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &storage.NotFoundError{Entity: "conversation", ID: id}
	}
	if err != nil {
		return nil, err
	}
	t := &Transcript{Conversation: conv, Sent: map[string]int{}}
	if t.Participants, err = conv.QueryParticipants().Order(participant.ByCreatedAt(), participant.ByID()).All(ctx); err != nil {
		return nil, err
	}
	if t.Sessions, err = conv.QuerySessions().Order(session.ByCreatedAt(), session.ByID()).All(ctx); err != nil {
		return nil, err
	}
	var counts []struct {
		From  string `json:"from_participant_id"`
		Count int    `json:"count"`
	}
	if err := conv.QueryMessages().Where(message.FromParticipantIDNotNil()).GroupBy(message.FieldFromParticipantID).
		Aggregate(ent.Count()).Scan(ctx, &counts); err != nil {
		return nil, err
	}
	for _, c := range counts {
		t.Sent[c.From] = c.Count
	}
	msgs, err := conv.QueryMessages().Where(message.SeqGT(req.After)).WithFromParticipant().WithToParticipant().
		Order(message.BySeq()).Limit(limit + 1).All(ctx)
	if err != nil {
		return nil, err
	}
	if len(msgs) > limit {
		msgs = msgs[:limit]
		next := msgs[limit-1].Seq
		t.NextAfter = &next
	}
	t.Messages = msgs
	return t, nil
}
