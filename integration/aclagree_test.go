package integration

import (
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/storage"
	"github.com/agentstore/agentstore/storage/storagetest"
)

// TestACLPathsAgree: for random ACLs and random viewers, the documents the
// ent privacy policy lets a viewer read are exactly those the raw-SQL search
// returns.
func TestACLPathsAgree(t *testing.T) {
	t.Parallel()
	st := storagetest.Store(t)
	seed := rand.Uint64()
	t.Logf("seed %d", seed)
	r := rand.New(rand.NewPCG(seed, 1))
	users := []string{"u1", "u2", "u3", "U1"}
	groups := []string{"g1", "g2", "g3"}
	pick := func(from []string) []string {
		var out []string
		for _, x := range from {
			if r.IntN(3) == 0 {
				out = append(out, x)
			}
		}
		return out
	}
	admin := access.NewContext(t.Context(), access.Viewer{OrganizationID: "acme", Role: access.RoleAdmin})
	for i := range 40 {
		var acl *access.ACL
		switch r.IntN(5) {
		case 0: // none
		case 1:
			acl = &access.ACL{Public: true}
		case 2:
			acl = &access.ACL{} // locked
		default:
			acl = &access.ACL{Users: pick(users), Groups: pick(groups)}
		}
		_, err := st.Ingest(admin, storage.DocumentInput{ID: string(rune('A'+i%26)) + string(rune('a'+i/26)),
			Source: "doc" + string(rune('A'+i%26)) + string(rune('a'+i/26)), Content: "common knowledge text", ACL: acl})
		require.NoError(t, err)
	}
	for range 30 {
		v := access.Viewer{OrganizationID: "acme", Groups: pick(groups)}
		if r.IntN(4) > 0 {
			v.UserID = users[r.IntN(len(users))]
		}
		ctx := access.NewContext(t.Context(), v)
		viaEnt, err := st.Client().Document.Query().IDs(ctx)
		require.NoError(t, err)
		hits, err := st.Search(ctx, storage.SearchRequest{Query: "common knowledge", Limit: storage.MaxPageSize})
		require.NoError(t, err)
		require.ElementsMatch(t, viaEnt, unique(hitDocs(hits)), "viewer %+v (seed %d)", v, seed)
	}
}
