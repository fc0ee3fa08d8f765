package storage

import (
	"encoding/base64"
	"encoding/json"
	"time"
)

// cursor is the position after which a page continues. It travels as an
// opaque, URL-safe token; Kind and Scope bind it to one listing (messages of
// one conversation, an organization's conversations), Desc to a direction.
type cursor struct {
	Kind  string    `json:"k"`
	Scope string    `json:"s"`
	Desc  bool      `json:"d,omitempty"`
	Seq   int64     `json:"q,omitempty"`
	Time  time.Time `json:"t,omitzero"`
	ID    string    `json:"i,omitempty"`
}

func (c cursor) encode() string {
	b, _ := json.Marshal(c) // plain struct: cannot fail
	return base64.RawURLEncoding.EncodeToString(b)
}

// decodeCursor parses token and checks it belongs to the listing asked for.
func decodeCursor(token, kind, scope string, desc bool) (cursor, error) {
	var c cursor
	b, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil {
		return c, &CursorError{Reason: "not a cursor token"}
	}
	if err := json.Unmarshal(b, &c); err != nil {
		return c, &CursorError{Reason: "not a cursor token"}
	}
	switch {
	case c.Kind != kind:
		return c, &CursorError{Reason: "cursor of another listing"}
	case c.Scope != scope:
		return c, &CursorError{Reason: "cursor of another " + kind + " scope"}
	case c.Desc != desc:
		return c, &CursorError{Reason: "cursor of the other direction"}
	}
	return c, nil
}

// Page is one page of a listing. Next is present exactly when more rows
// follow; pass it back to get them.
type Page[T any] struct {
	Items []T
	Next  string
}
