package schema

import (
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/privacy"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/pgarray"
)

// Document is a knowledge source (a file, a page) split into chunks.
// Re-ingesting a source replaces its document and chunks.
type Document struct{ ent.Schema }

// Mixin of the Document.
func (Document) Mixin() []ent.Mixin { return []ent.Mixin{TenantMixin{}, TimeMixin{}} }

// Fields of the Document.
func (Document) Fields() []ent.Field {
	return []ent.Field{
		idField(),
		field.String("source").NotEmpty().SchemaType(textType).Comment("Path or URL; unique per organization."),
		optionalText("title"),
		field.String("content_hash").Default("").SchemaType(textType),
		jsonObject("metadata"),
		aclField(),
		textArray("document_sets"),
		field.Float("boost").Default(1),
	}
}

// Edges of the Document.
func (Document) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("chunks", Chunk.Type).Annotations(entsql.OnDelete(entsql.Cascade)),
	}
}

// Indexes of the Document.
func (Document) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("organization_id", "source").Unique(),
		// Target of the chunks' (document_id, organization_id) foreign key.
		index.Fields("id", "organization_id").Unique(),
	}
}

// Policy of the Document: on top of tenancy, members see only documents
// whose ACL admits them.
func (Document) Policy() ent.Policy { return aclPolicy() }

func aclPolicy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{access.ACLQueryRule()},
		Mutation: privacy.MutationPolicy{access.ACLMutationRule()},
	}
}

var textArrayType = map[string]string{dialect.Postgres: "text[]"}

// textArray is a text[] NOT NULL DEFAULT '{}' column.
func textArray(name string) ent.Field {
	return field.Other(name, pgarray.Text{}).SchemaType(textArrayType).Default(pgarray.Text{}).
		Annotations(entsql.DefaultExpr("'{}'::text[]"))
}

// aclField holds the ACL principal tokens (see access.ACL); the default
// admits everyone in the organization.
func aclField() ent.Field {
	return field.Other(access.ACLColumn, pgarray.Text{}).SchemaType(textArrayType).
		Default(pgarray.Text{access.PrincipalEveryone}).
		Annotations(entsql.DefaultExpr("'{*}'::text[]")).
		Comment("ACL principal tokens: '*' (everyone), 'user:ID', 'group:NAME'; empty = locked.")
}
