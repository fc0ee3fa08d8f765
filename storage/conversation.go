package storage

import (
	"context"
	"database/sql"
	"errors"
	"strings"

	entsql "entgo.io/ent/dialect/sql"

	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/conversation"
	"github.com/agentstore/agentstore/ent/participant"
)

// NewConversation is the input of CreateConversation.
type NewConversation struct {
	ID             string // optional; a UUID when empty
	Platform       string // web messenger instagram email discord phone sms slack whatsapp tiktok
	Name           string
	IdempotencyKey string // optional; create is idempotent on (organization, key)
	Metadata       map[string]any
	Analytics      map[string]any
}

// CreateConversation creates a conversation in the viewer's organization.
// With an IdempotencyKey, a second create with the same key — even with
// another ID, even concurrently — returns the stored row unchanged.
func (o ops) CreateConversation(ctx context.Context, in NewConversation) (*ent.Conversation, error) {
	org, err := tenant(ctx)
	if err != nil {
		return nil, err
	}
	c := o.check()
	c.key("id", in.ID, false)
	c.oneOf("platform", in.Platform, func(s string) error { return conversation.PlatformValidator(conversation.Platform(s)) })
	c.key("name", in.Name, false)
	c.key("idempotency key", in.IdempotencyKey, false)
	c.json("metadata", in.Metadata)
	c.json("analytics", in.Analytics)
	if c.err != nil {
		return nil, c.err
	}
	create := o.client.Conversation.Create().SetOrganizationID(org).
		SetPlatform(conversation.Platform(in.Platform)).SetName(in.Name).
		SetMetadata(orEmpty(in.Metadata)).SetAnalytics(orEmpty(in.Analytics))
	create.SetNillableID(nonEmpty(in.ID))
	if in.IdempotencyKey == "" {
		conv, err := create.Save(ctx)
		return conv, translate(err, "conversation", in.ID)
	}
	// Racing creates wait on the unique index; the losers insert nothing
	// and read the winner's row.
	err = create.SetIdempotencyKey(in.IdempotencyKey).
		OnConflictColumns(conversation.FieldOrganizationID, conversation.FieldIdempotencyKey).
		DoNothing().Exec(ctx)
	if err != nil && !errors.Is(err, sql.ErrNoRows) {
		return nil, translate(err, "conversation", in.ID)
	}
	conv, err := o.client.Conversation.Query().Where(conversation.IdempotencyKey(in.IdempotencyKey)).Only(ctx)
	return conv, translate(err, "conversation", in.IdempotencyKey)
}

// Conversation returns one conversation.
func (o ops) Conversation(ctx context.Context, id string) (*ent.Conversation, error) {
	conv, err := o.client.Conversation.Get(ctx, id)
	return conv, translate(err, "conversation", id)
}

// PageRequest asks for Limit rows (0..MaxPageSize) after Cursor (the Next of
// the previous page; empty for the first).
type PageRequest struct {
	Limit  int
	Cursor string
}

// Conversations lists the viewer organization's conversations, newest first
// (ties broken by id, descending).
func (o ops) Conversations(ctx context.Context, page PageRequest) (Page[*ent.Conversation], error) {
	return o.listConversations(ctx, page, nil)
}

// ConversationsByUserEmail lists the conversations in which a user
// participant has this email (trimmed, case-insensitive), newest first, each
// once. A blank email matches nothing and runs no query.
func (o ops) ConversationsByUserEmail(ctx context.Context, email string, page PageRequest) (Page[*ent.Conversation], error) {
	email = strings.TrimSpace(email)
	c := o.check()
	c.key("email", email, false)
	if c.err != nil {
		return Page[*ent.Conversation]{}, c.err
	}
	if email == "" {
		return Page[*ent.Conversation]{Items: []*ent.Conversation{}}, nil
	}
	return o.listConversations(ctx, page, conversation.HasParticipantsWith(
		participant.TypeEQ(participant.TypeUser), participant.EmailEqualFold(email)))
}

func (o ops) listConversations(ctx context.Context, page PageRequest, where func(*entsql.Selector)) (Page[*ent.Conversation], error) {
	org, err := tenant(ctx)
	if err != nil {
		return Page[*ent.Conversation]{}, err
	}
	c := o.check()
	c.limit(page.Limit)
	if c.err != nil {
		return Page[*ent.Conversation]{}, c.err
	}
	out := Page[*ent.Conversation]{Items: []*ent.Conversation{}}
	if page.Limit == 0 {
		return out, nil
	}
	q := o.client.Conversation.Query().
		Order(ent.Desc(conversation.FieldCreatedAt), ent.Desc(conversation.FieldID)).
		Limit(page.Limit + 1)
	if where != nil {
		q.Where(where)
	}
	if page.Cursor != "" {
		cur, err := decodeCursor(page.Cursor, "conversations", org, true)
		if err != nil {
			return out, err
		}
		q.Where(conversation.Or(
			conversation.CreatedAtLT(cur.Time),
			conversation.And(conversation.CreatedAtEQ(cur.Time), conversation.IDLT(cur.ID)),
		))
	}
	rows, err := q.All(ctx)
	if err != nil {
		return out, translate(err, "conversation", "")
	}
	if len(rows) > page.Limit {
		rows = rows[:page.Limit]
		last := rows[len(rows)-1]
		out.Next = cursor{Kind: "conversations", Scope: org, Desc: true, Time: last.CreatedAt, ID: last.ID}.encode()
	}
	out.Items = rows
	return out, nil
}

// ConversationUpdate replaces the fields that are set (non-nil).
type ConversationUpdate struct {
	Name      *string
	Metadata  map[string]any // replaced whole when non-nil
	Analytics map[string]any // replaced whole when non-nil
}

// UpdateConversation applies u and sets updated_at; an unknown id is
// ErrNotFound.
func (o ops) UpdateConversation(ctx context.Context, id string, u ConversationUpdate) (*ent.Conversation, error) {
	c := o.check()
	c.key("id", id, true)
	c.optKey("name", u.Name)
	c.json("metadata", u.Metadata)
	c.json("analytics", u.Analytics)
	if c.err != nil {
		return nil, c.err
	}
	up := o.client.Conversation.UpdateOneID(id).SetNillableName(u.Name)
	if u.Metadata != nil {
		up.SetMetadata(u.Metadata)
	}
	if u.Analytics != nil {
		up.SetAnalytics(u.Analytics)
	}
	conv, err := up.Save(ctx)
	return conv, translate(err, "conversation", id)
}

func orEmpty(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}
