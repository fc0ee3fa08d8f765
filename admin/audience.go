package admin

import (
	"context"
	"unicode/utf8"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/chunk"
	"github.com/agentstore/agentstore/ent/document"
	"github.com/agentstore/agentstore/pgarray"
	"github.com/agentstore/agentstore/storage"
)

// Audience is who can read a document, and the chunks it has.
type Audience struct {
	DocumentID string `json:"document_id"`
	Source     string `json:"source"`
	// Public: every member of the organization reads it. Otherwise Users
	// and Groups do; with neither, it is locked (no member reads it).
	Public bool         `json:"public"`
	Locked bool         `json:"locked"`
	Users  []string     `json:"users,omitempty"`
	Groups []string     `json:"groups,omitempty"`
	Chunks []ChunkBrief `json:"chunks"`
}

// ChunkBrief is one chunk of a document, without its text.
type ChunkBrief struct {
	ID    string `json:"id"`
	Index int    `json:"index"`
	Runes int    `json:"runes"`
}

// Audience reads document id's ACL and chunk list.
func (a *Admin) Audience(ctx context.Context, id string) (*Audience, error) {
	client, _, err := a.client(ctx, false)
	if err != nil {
		return nil, err
	}
	doc, err := client.Document.Get(ctx, id)
	if ent.IsNotFound(err) {
		return nil, &storage.NotFoundError{Entity: "document", ID: id}
	}
	if err != nil {
		return nil, err
	}
	acl := access.ACLOf(doc.ACL)
	out := &Audience{DocumentID: doc.ID, Source: doc.Source, Public: acl.Public, Users: acl.Users, Groups: acl.Groups,
		Locked: !acl.Public && len(acl.Users)+len(acl.Groups) == 0, Chunks: []ChunkBrief{}}
	chunks, err := doc.QueryChunks().Order(chunk.ByChunkIndex()).All(ctx)
	if err != nil {
		return nil, err
	}
	for _, c := range chunks {
		out.Chunks = append(out.Chunks, ChunkBrief{ID: c.ID, Index: c.ChunkIndex, Runes: utf8.RuneCountInString(c.Content)})
	}
	return out, nil
}

// Visibility splits the documents of a set by whether a viewer can read
// them (sources, sorted).
type Visibility struct {
	Set     string   `json:"set"`
	Visible []string `json:"visible"`
	Hidden  []string `json:"hidden"`
}

// Visibility checks, for the member who, which documents of set (every
// document when set is empty) it can and cannot read, with the same
// predicate the privacy policy and the search apply.
func (a *Admin) Visibility(ctx context.Context, who access.Viewer, set string) (*Visibility, error) {
	client, v, err := a.client(ctx, false)
	if err != nil {
		return nil, err
	}
	who.OrganizationID, who.Role = v.OrganizationID, access.RoleMember
	q := client.Document.Query().Order(document.BySource())
	if set != "" {
		q.Where(pgarray.Contains(document.FieldDocumentSets, pgarray.Text{set}))
	}
	docs, err := q.All(ctx)
	if err != nil {
		return nil, err
	}
	out := &Visibility{Set: set, Visible: []string{}, Hidden: []string{}}
	for _, d := range docs {
		if who.CanRead(d.ACL) {
			out.Visible = append(out.Visible, d.Source)
		} else {
			out.Hidden = append(out.Hidden, d.Source)
		}
	}
	return out, nil
}
