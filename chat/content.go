// Package chat holds the wire-stable value types of conversations that are
// stored as JSON: message content and its items.
package chat

import (
	"encoding/json"
	"strings"
)

// ItemText is the type of a plain-text content item.
const ItemText = "text"

// Item is one part of a message. Text items carry Text; other types keep
// their whole JSON object in Raw so nothing a client sent is lost.
type Item struct {
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
	// Raw is the item as received, for item types this package does not
	// model; when set it is written back verbatim.
	Raw json.RawMessage `json:"-"`
}

// MarshalJSON writes Raw when present, else {type, text}.
func (i Item) MarshalJSON() ([]byte, error) {
	if len(i.Raw) > 0 {
		return i.Raw, nil
	}
	type plain Item
	return json.Marshal(plain(i))
}

// UnmarshalJSON keeps the original object of non-text items in Raw.
func (i *Item) UnmarshalJSON(b []byte) error {
	type plain Item
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	*i = Item(p)
	if i.Type != ItemText {
		i.Raw = append(json.RawMessage(nil), b...)
	}
	return nil
}

// Content is a message body: {"items":[…],"text":"…","structuredResponse":…}.
// Items is never null on the wire or after a read; Text and
// StructuredResponse are omitted when absent.
type Content struct {
	Items              []Item          `json:"items"`
	Text               *string         `json:"text,omitempty"`
	StructuredResponse json.RawMessage `json:"structuredResponse,omitempty"`
}

// FromText makes content with one text item, mirrored in Text.
func FromText(text string) Content {
	return Content{Items: []Item{{Type: ItemText, Text: text}}, Text: &text}
}

// MarshalJSON writes items as [] when empty.
func (c Content) MarshalJSON() ([]byte, error) {
	type plain Content
	p := plain(c)
	if p.Items == nil {
		p.Items = []Item{}
	}
	return json.Marshal(p)
}

// UnmarshalJSON defaults missing or null items to [].
func (c *Content) UnmarshalJSON(b []byte) error {
	type plain Content
	var p plain
	if err := json.Unmarshal(b, &p); err != nil {
		return err
	}
	if p.Items == nil {
		p.Items = []Item{}
	}
	*c = Content(p)
	return nil
}

// PlainText is the message as text: Text when set, else its text items
// joined by spaces.
func (c Content) PlainText() string {
	if c.Text != nil {
		return *c.Text
	}
	var parts []string
	for _, it := range c.Items {
		if it.Type == ItemText {
			parts = append(parts, it.Text)
		}
	}
	return strings.Join(parts, " ")
}
