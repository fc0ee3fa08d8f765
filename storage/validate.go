package storage

import (
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// MaxIDBytes caps ids and other key-like text (names, emails, keys).
const MaxIDBytes = 255

// MaxTitleBytes caps a document's title, which every chunk carries.
const MaxTitleBytes = 1024

// checker collects the first problem of an input, naming its field.
// PostgreSQL rejects NUL bytes in text and jsonb, and invalid UTF-8 would
// be rewritten on the way: both are refused up front, so nothing is lost.
type checker struct {
	maxPayload int
	err        error
}

func (o ops) check() *checker { return &checker{maxPayload: o.cfg.maxPayloadBytes} }

func (c *checker) fail(field, format string, args ...any) {
	if c.err == nil {
		c.err = invalid(field, format, args...)
	}
}

// text checks free text up to the payload cap.
func (c *checker) text(field, s string) { c.textMax(field, s, c.maxPayload) }

// key checks id-like text: bounded, and optional when allowEmpty.
func (c *checker) key(field, s string, required bool) {
	if required && strings.TrimSpace(s) == "" {
		c.fail(field, "is empty")
		return
	}
	c.textMax(field, s, MaxIDBytes)
}

func (c *checker) optKey(field string, s *string) {
	if s != nil {
		c.key(field, *s, false)
	}
}

func (c *checker) textMax(field, s string, limit int) {
	switch {
	case len(s) > limit:
		c.fail(field, "is %d bytes, more than the %d allowed", len(s), limit)
	case strings.IndexByte(s, 0) >= 0:
		c.fail(field, "contains a NUL byte")
	case !utf8.ValidString(s):
		c.fail(field, "is not valid UTF-8")
	}
}

// oneOf checks enum text.
func (c *checker) oneOf(field, s string, valid func(string) error) {
	if err := valid(s); err != nil {
		c.fail(field, "%q is not one of the allowed values", s)
	}
}

// json checks a JSON document: every key and string is valid text, and the
// encoding fits the payload cap.
func (c *checker) json(field string, v any) {
	if c.err != nil || v == nil {
		return
	}
	c.jsonValue(field, v)
	if c.err != nil {
		return
	}
	b, err := json.Marshal(v)
	switch {
	case err != nil:
		c.fail(field, "cannot be encoded as JSON: %v", err)
	case len(b) > c.maxPayload:
		c.fail(field, "is %d bytes of JSON, more than the %d allowed", len(b), c.maxPayload)
	}
}

func (c *checker) jsonValue(field string, v any) {
	switch v := v.(type) {
	case string:
		c.textMax(field, v, c.maxPayload)
	case map[string]any:
		for k, x := range v {
			c.textMax(field+" key", k, c.maxPayload)
			c.jsonValue(field, x)
		}
	case []any:
		for _, x := range v {
			c.jsonValue(field, x)
		}
	case json.RawMessage:
		if !json.Valid(v) {
			c.fail(field, "is not valid JSON")
		} else if strings.Contains(string(v), `\u0000`) {
			c.fail(field, "contains a NUL character")
		}
	}
}

// limit checks a page size: 0 ≤ n ≤ MaxPageSize.
func (c *checker) limit(n int) {
	if n < 0 || n > MaxPageSize {
		c.fail("limit", "%d is outside 0..%d", n, MaxPageSize)
	}
}
