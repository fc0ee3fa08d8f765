package pgarray

import "entgo.io/ent/dialect/sql"

// Overlaps keeps rows whose text[] column shares an element with values
// (`column && values`, served by a GIN index), for ent's WhereP.
func Overlaps(column string, values Text) func(*sql.Selector) { return arrayOp(column, "&&", values) }

// Contains keeps rows whose text[] column holds every element of values
// (`column @> values`).
func Contains(column string, values Text) func(*sql.Selector) { return arrayOp(column, "@>", values) }

func arrayOp(column, op string, values Text) func(*sql.Selector) {
	return func(s *sql.Selector) {
		// Qualify now, as ent's own predicates do: a traversal re-aliases
		// the selector before the SQL is built.
		col := s.C(column)
		s.Where(sql.P(func(b *sql.Builder) {
			b.WriteString(col).WriteString(" " + op + " ").Arg(values)
		}))
	}
}
