// Package pgarray maps PostgreSQL text[] columns to Go through database/sql,
// which the pgx stdlib driver does not do for slices on its own.
package pgarray

import (
	"database/sql/driver"
	"fmt"
	"sync"

	"github.com/jackc/pgx/v5/pgtype"
)

// Text is a PostgreSQL text[] value. A nil Text is stored as an empty array,
// never NULL, so the columns it backs can stay NOT NULL.
type Text []string

// maps pools pgtype maps: a Map caches encode/scan plans and is not safe for
// concurrent use.
var maps = sync.Pool{New: func() any { return pgtype.NewMap() }}

// Value encodes t in PostgreSQL's text array format.
func (t Text) Value() (driver.Value, error) {
	m := maps.Get().(*pgtype.Map)
	defer maps.Put(m)
	if t == nil {
		t = Text{}
	}
	buf, err := m.Encode(pgtype.TextArrayOID, pgtype.TextFormatCode, []string(t), nil)
	if err != nil {
		return nil, fmt.Errorf("pgarray: encode text[]: %w", err)
	}
	return string(buf), nil
}

// Scan decodes a text[] value; NULL becomes a nil Text.
func (t *Text) Scan(src any) error {
	if src == nil {
		*t = nil
		return nil
	}
	m := maps.Get().(*pgtype.Map)
	defer maps.Put(m)
	var out []string
	if err := m.SQLScanner(&out).Scan(src); err != nil {
		return fmt.Errorf("pgarray: scan text[]: %w", err)
	}
	*t = out
	return nil
}

var (
	_ driver.Valuer                = Text(nil)
	_ interface{ Scan(any) error } = (*Text)(nil)
)
