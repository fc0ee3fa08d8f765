// Package access carries the viewer — who is asking — through a
// context.Context and turns it into the ent privacy rules that every schema
// uses: queries are filtered to the viewer's organization (and, for
// knowledge, to the documents the viewer's ACL principals may read), and
// mutations into another organization are denied.
//
// No viewer in the context means every query and mutation is denied. The
// system role is the one explicit escape hatch: grep for [SystemContext].
//
// The rules wrap queries with the generated ent/intercept package (entql
// has no array operators, so the ACL overlap is a storage-level predicate).
// ent/schema imports this package, so the client cannot be generated from
// nothing: the generated code is committed, and a regeneration from scratch
// starts by stubbing filter() to deny.
package access
