package integration

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/ent/document"
	"github.com/agentstore/agentstore/pgarray"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// TestDocumentACL: members see the documents (and chunks) whose ACL admits
// their user id or a group; admins see all of their organization's; matching
// is exact and case-sensitive; an explicit empty ACL locks a document.
func TestDocumentACL(t *testing.T) {
	t.Parallel()
	client := storagetest.Client(t)
	const org = "org-a"
	acls := map[string]*access.ACL{
		"none":   nil,
		"public": {Public: true},
		"alice":  {Users: []string{"alice"}},
		"eng":    {Groups: []string{"eng"}},
		"mixed":  {Users: []string{"carol"}, Groups: []string{"sales"}},
		"locked": {},
	}
	writer := access.NewContext(t.Context(), access.Viewer{OrganizationID: org, Role: access.RoleAdmin})
	for name, acl := range acls {
		d, err := client.Document.Create().SetID(name).SetOrganizationID(org).SetSource(name + ".md").
			SetACL(pgarray.Text(acl.Principals())).Save(writer)
		require.NoError(t, err)
		_, err = client.Chunk.Create().SetID(name + "#0").SetOrganizationID(org).SetDocument(d).SetChunkIndex(0).
			SetContent(name).SetEmbedding(unitVector(3)).SetACL(pgarray.Text(acl.Principals())).Save(writer)
		require.NoError(t, err)
	}
	// Another org's public document is never visible.
	_, err := client.Document.Create().SetID("foreign").SetOrganizationID("org-b").SetSource("f.md").
		Save(access.NewContext(t.Context(), access.Viewer{OrganizationID: "org-b"}))
	require.NoError(t, err)

	for _, tc := range []struct {
		name   string
		viewer access.Viewer
		want   []string
	}{
		{"Alice", access.Viewer{OrganizationID: org, UserID: "alice"}, []string{"alice", "none", "public"}},
		{"EngGroup", access.Viewer{OrganizationID: org, UserID: "bob", Groups: []string{"eng"}}, []string{"eng", "none", "public"}},
		{"UserAndGroup", access.Viewer{OrganizationID: org, UserID: "carol", Groups: []string{"eng", "sales"}}, []string{"eng", "mixed", "none", "public"}},
		{"CaseSensitive", access.Viewer{OrganizationID: org, UserID: "Alice", Groups: []string{"ENG"}}, []string{"none", "public"}},
		{"Anonymous", access.Viewer{OrganizationID: org}, []string{"none", "public"}},
		{"PrincipalLookalike", access.Viewer{OrganizationID: org, UserID: "*", Groups: []string{"user:alice"}}, []string{"none", "public"}},
		{"Admin", access.Viewer{OrganizationID: org, Role: access.RoleAdmin}, []string{"alice", "eng", "locked", "mixed", "none", "public"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := access.NewContext(t.Context(), tc.viewer)
			docs, err := client.Document.Query().Order(ent.Asc(document.FieldID)).IDs(ctx)
			require.NoError(t, err)
			require.Equal(t, tc.want, docs)

			chunks, err := client.Chunk.Query().IDs(ctx)
			require.NoError(t, err)
			require.Len(t, chunks, len(tc.want), "chunks follow their document's ACL")

			// The Go predicate agrees with the SQL one.
			for name, acl := range acls {
				require.Equal(t, contains(tc.want, name), tc.viewer.CanRead(acl.Principals()), name)
			}
		})
	}

	t.Run("MemberCannotChangeWhatItCannotSee", func(t *testing.T) {
		ctx := access.NewContext(t.Context(), access.Viewer{OrganizationID: org, UserID: "bob"})
		require.True(t, ent.IsNotFound(client.Document.UpdateOneID("alice").SetTitle("x").Exec(ctx)))
		require.True(t, ent.IsNotFound(client.Document.DeleteOneID("locked").Exec(ctx)))
		n, err := client.Document.Delete().Exec(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, n, "only the visible documents (none, public) go")
		left, err := client.Document.Query().Count(access.SystemContext(context.WithoutCancel(t.Context())))
		require.NoError(t, err)
		require.Equal(t, 5, left)
	})
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}
