package storage

import (
	"context"
	"errors"
	"fmt"
	"time"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/agentstore/agentstore/chat"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/message"
	"github.com/agentstore/agentstore/ent/participant"
	"github.com/agentstore/agentstore/ent/session"
)

// ParticipantRef is how a message names its sender and recipient.
type ParticipantRef struct {
	ID   string `json:"id"`
	Type string `json:"type"`
	Name string `json:"name"`
}

// Message is a message with its participant references resolved.
type Message struct {
	ID             string
	ExternalID     *string
	OrganizationID string
	ConversationID string
	Direction      string
	Content        chat.Content
	From, To       *ParticipantRef
	Metadata       map[string]any
	Analytics      map[string]any
	// Seq is assigned by the database on append: the paging key.
	Seq       int64
	CreatedAt time.Time
	UpdatedAt *time.Time
}

// NewMessage is the input of AppendMessage.
type NewMessage struct {
	ID             string // optional; a UUID when empty
	ConversationID string
	ExternalID     *string
	Direction      string // inbound outbound
	Content        chat.Content
	From, To       string // participant ids of the same conversation; optional
	Metadata       map[string]any
	Analytics      map[string]any
	// SessionID, when set, names a session of the conversation whose
	// message_count is incremented and last_activity_at set to the
	// message's time, in the same transaction as the append.
	SessionID string
}

// AppendMessage appends a message; the database assigns its seq. From and
// To must be participants of the conversation (else ErrInvalidInput naming
// the field), and the conversation one of the viewer's organization (else
// ErrNotFound): composite foreign keys enforce both, so nothing is written.
func (o ops) AppendMessage(ctx context.Context, in NewMessage) (*Message, error) {
	org, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	c := o.check()
	c.key("id", in.ID, false)
	c.key("conversation id", in.ConversationID, true)
	c.optKey("external id", in.ExternalID)
	c.oneOf("direction", in.Direction, func(s string) error { return message.DirectionValidator(message.Direction(s)) })
	c.key("from", in.From, false)
	c.key("to", in.To, false)
	c.key("session id", in.SessionID, false)
	c.json("metadata", in.Metadata)
	c.json("analytics", in.Analytics)
	c.content(in.Content)
	if c.err != nil {
		return nil, c.err
	}
	if in.SessionID == "" {
		return o.appendMessage(ctx, org, in)
	}
	var m *Message
	err = o.atomic(ctx, func(o ops) error {
		var err error
		if m, err = o.appendMessage(ctx, org, in); err != nil {
			return err
		}
		n, err := o.client.Session.Update().
			Where(session.ID(in.SessionID), session.ConversationID(in.ConversationID)).
			SetLastActivityAt(m.CreatedAt).
			Modify(func(u *entsql.UpdateBuilder) {
				u.Set(session.FieldMessageCount, entsql.Expr("COALESCE("+session.FieldMessageCount+", 0) + 1"))
			}).Save(ctx)
		if err != nil {
			return translate(err, "session", in.SessionID)
		}
		if n == 0 {
			return &NotFoundError{Entity: "session", ID: in.SessionID}
		}
		return nil
	})
	return m, err
}

func (o ops) appendMessage(ctx context.Context, org string, in NewMessage) (*Message, error) {
	create := o.client.Message.Create().SetOrganizationID(org).SetConversationID(in.ConversationID).
		SetNillableExternalID(in.ExternalID).SetDirection(message.Direction(in.Direction)).
		SetContent(normalized(in.Content)).SetMetadata(orEmpty(in.Metadata)).SetAnalytics(orEmpty(in.Analytics))
	create.SetNillableID(nonEmpty(in.ID))
	create.SetNillableFromParticipantID(nonEmpty(in.From))
	create.SetNillableToParticipantID(nonEmpty(in.To))
	row, err := create.Save(ctx)
	if err != nil {
		return nil, translate(err, "message", in.ID)
	}
	// Read back what the database assigned (seq) and the references, in
	// one statement.
	q := o.client.Message.Query().Where(message.ID(row.ID)).Select(message.FieldSeq)
	q.Modify(joinRefs)
	back, err := q.Only(ctx)
	if err != nil {
		return nil, errors.Join(translate(err, "message", row.ID), fmt.Errorf("storage: reading back message %s", row.ID))
	}
	row.Seq = back.Seq
	return toMessage(row, ref(row.FromParticipantID, joined(back, "from_type"), joined(back, "from_name")),
		ref(row.ToParticipantID, joined(back, "to_type"), joined(back, "to_name"))), nil
}

// joined reads a text column that joinRefs added to a query; nil for NULL.
func joined(m *ent.Message, column string) *string {
	v, err := m.Value(column)
	if err != nil {
		return nil
	}
	if s, ok := v.(string); ok {
		return &s
	}
	return nil
}

// ref is a participant reference from a joined id, type and name.
func ref(id, typ, name *string) *ParticipantRef {
	if id == nil || typ == nil {
		return nil
	}
	return &ParticipantRef{ID: *id, Type: *typ, Name: deref(name)}
}

// joinRefs joins the type and name of a message's sender and recipient.
func joinRefs(s *entsql.Selector) {
	from := entsql.Table(participant.Table).As("from_p")
	to := entsql.Table(participant.Table).As("to_p")
	s.LeftJoin(from).On(s.C(message.FieldFromParticipantID), from.C(participant.FieldID)).
		LeftJoin(to).On(s.C(message.FieldToParticipantID), to.C(participant.FieldID)).
		AppendSelect(
			entsql.As(from.C(participant.FieldType), "from_type"), entsql.As(from.C(participant.FieldName), "from_name"),
			entsql.As(to.C(participant.FieldType), "to_type"), entsql.As(to.C(participant.FieldName), "to_name"),
		)
}

// MessagePageRequest asks for up to Limit messages of a conversation in seq
// order (Descending for newest first), after Cursor.
type MessagePageRequest struct {
	Limit      int
	Cursor     string
	Descending bool
}

const messagesCursor = "messages"

// Messages pages through a conversation's messages by seq. The cursor is
// present exactly when more messages follow. A cursor from another
// conversation or direction, a malformed one, or one naming a message that
// does not exist is ErrInvalidCursor. An unknown conversation reads as
// empty.
func (o ops) Messages(ctx context.Context, conversationID string, req MessagePageRequest) (Page[*Message], error) {
	out := Page[*Message]{Items: []*Message{}}
	c := o.check()
	c.key("conversation id", conversationID, true)
	c.limit(req.Limit)
	if c.err != nil {
		return out, c.err
	}
	var after *int64
	if req.Cursor != "" {
		cur, err := decodeCursor(req.Cursor, messagesCursor, conversationID, req.Descending)
		if err != nil {
			return out, err
		}
		after = &cur.Seq
	}
	if req.Limit == 0 {
		return out, nil
	}
	// One statement reads the cursor row itself (proving it exists), the
	// page, and one more row (proving more follow); a second resolves the
	// page's participant references.
	fetch := req.Limit + 1
	q := o.client.Message.Query().Where(message.ConversationID(conversationID))
	order := ent.Asc(message.FieldSeq)
	if req.Descending {
		order = ent.Desc(message.FieldSeq)
	}
	if after != nil {
		fetch++
		if req.Descending {
			q.Where(message.SeqLTE(*after))
		} else {
			q.Where(message.SeqGTE(*after))
		}
	}
	rows, err := q.Order(order).Limit(fetch).All(ctx)
	if err != nil {
		return out, translate(err, "message", "")
	}
	if after != nil {
		if len(rows) == 0 || rows[0].Seq != *after {
			return out, &CursorError{Reason: "the cursor's message does not exist"}
		}
		rows = rows[1:]
	}
	more := len(rows) > req.Limit
	if more {
		rows = rows[:req.Limit]
	}
	refs, err := o.participantRefs(ctx, rows)
	if err != nil {
		return out, err
	}
	for _, m := range rows {
		out.Items = append(out.Items, toMessage(m, refs[deref(m.FromParticipantID)], refs[deref(m.ToParticipantID)]))
	}
	if more {
		last := rows[len(rows)-1]
		out.Next = cursor{Kind: messagesCursor, Scope: conversationID, Desc: req.Descending, Seq: last.Seq}.encode()
	}
	return out, nil
}

// participantRefs resolves the senders and recipients of messages, with
// one query for the distinct participants.
func (o ops) participantRefs(ctx context.Context, ms []*ent.Message) (map[string]*ParticipantRef, error) {
	seen := map[string]bool{}
	var ids []string
	for _, m := range ms {
		for _, id := range []*string{m.FromParticipantID, m.ToParticipantID} {
			if id != nil && !seen[*id] {
				seen[*id] = true
				ids = append(ids, *id)
			}
		}
	}
	out := make(map[string]*ParticipantRef, len(ids))
	if len(ids) == 0 {
		return out, nil
	}
	ps, err := o.client.Participant.Query().Where(participant.IDIn(ids...)).
		Select(participant.FieldID, participant.FieldType, participant.FieldName).All(ctx)
	if err != nil {
		return nil, translate(err, "participant", "")
	}
	for _, p := range ps {
		out[p.ID] = &ParticipantRef{ID: p.ID, Type: string(p.Type), Name: p.Name}
	}
	return out, nil
}

func toMessage(m *ent.Message, from, to *ParticipantRef) *Message {
	return &Message{
		ID: m.ID, ExternalID: m.ExternalID, OrganizationID: m.OrganizationID, ConversationID: m.ConversationID,
		Direction: string(m.Direction), Content: normalized(m.Content), From: from, To: to,
		Metadata: orEmpty(m.Metadata), Analytics: orEmpty(m.Analytics), Seq: m.Seq, CreatedAt: m.CreatedAt, UpdatedAt: m.UpdatedAt,
	}
}

// normalized gives content its documented shape: items never nil.
func normalized(c chat.Content) chat.Content {
	if c.Items == nil {
		c.Items = []chat.Item{}
	}
	return c
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

// content checks message content: item types and texts, the mirrored text,
// and the structured response; their total size must fit the payload cap.
func (c *checker) content(m chat.Content) {
	size := len(m.StructuredResponse)
	for i, it := range m.Items {
		field := fmt.Sprintf("content item %d", i)
		c.key(field+" type", it.Type, true)
		c.text(field+" text", it.Text)
		if len(it.Raw) > 0 {
			c.jsonValue(field, it.Raw)
		}
		size += len(it.Type) + len(it.Text) + len(it.Raw)
	}
	if m.Text != nil {
		c.text("content text", *m.Text)
		size += len(*m.Text)
	}
	if len(m.StructuredResponse) > 0 {
		c.jsonValue("structured response", m.StructuredResponse)
	}
	if size > c.maxPayload {
		c.fail("content", "is %d bytes, more than the %d allowed", size, c.maxPayload)
	}
}
