package access

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestViewerValidate(t *testing.T) {
	t.Parallel()
	require.NoError(t, Viewer{OrganizationID: "o"}.Validate())
	require.NoError(t, Viewer{Role: RoleSystem}.Validate())
	require.ErrorIs(t, Viewer{}.Validate(), ErrInvalidViewer)
	require.ErrorIs(t, Viewer{OrganizationID: "  "}.Validate(), ErrInvalidViewer)
	require.ErrorIs(t, Viewer{OrganizationID: "o", Role: "owner"}.Validate(), ErrInvalidViewer)
}

func TestContextRoundTrip(t *testing.T) {
	t.Parallel()
	_, ok := FromContext(t.Context())
	require.False(t, ok)
	v := Viewer{OrganizationID: "o", UserID: "u", Groups: []string{"g"}}
	got, ok := FromContext(NewContext(t.Context(), v))
	require.True(t, ok)
	require.Equal(t, v, got)
	sys, ok := FromContext(SystemContext(t.Context()))
	require.True(t, ok)
	require.True(t, sys.IsSystem())
}

func TestACLPrincipals(t *testing.T) {
	t.Parallel()
	var none *ACL
	require.Equal(t, []string{PrincipalEveryone}, none.Principals())
	require.Equal(t, []string{PrincipalEveryone}, (&ACL{Public: true, Users: []string{"a"}}).Principals())
	require.Equal(t, []string{"user:a", "group:g"}, (&ACL{Users: []string{"a"}, Groups: []string{"g"}}).Principals())
	require.Equal(t, []string{}, (&ACL{}).Principals(), "explicit empty ACL is locked, not absent")
	for _, a := range []*ACL{{Public: true}, {Users: []string{"a", "b"}, Groups: []string{"g"}}, {}} {
		require.Equal(t, a, ACLOf(a.Principals()), "ACLOf inverts Principals")
	}
	require.Equal(t, &ACL{Groups: []string{"g"}}, ACLOf([]string{"group:g", "bogus"}), "unknown tokens are ignored")
}

func TestCanRead(t *testing.T) {
	t.Parallel()
	alice := Viewer{OrganizationID: "o", UserID: "alice", Groups: []string{"eng"}}
	require.True(t, alice.CanRead([]string{"*"}))
	require.True(t, alice.CanRead([]string{"user:alice"}))
	require.True(t, alice.CanRead([]string{"group:eng", "user:zed"}))
	require.False(t, alice.CanRead([]string{"group:Eng"}))
	require.False(t, alice.CanRead(nil))
	// A group literally named like a user token does not impersonate.
	require.False(t, Viewer{OrganizationID: "o", Groups: []string{"alice"}}.CanRead([]string{"user:alice"}))
	require.True(t, Viewer{OrganizationID: "o", Role: RoleAdmin}.CanRead(nil))
}

func TestParseACLStamp(t *testing.T) {
	t.Parallel()
	require.Equal(t, &ACL{Users: []string{"a"}, Groups: []string{"g"}},
		ParseACLStamp(map[string]any{"users": []any{"a"}, "groups": []any{"g"}}))
	require.Equal(t, &ACL{Public: true}, ParseACLStamp(map[string]any{"public": true}))
	require.Equal(t, &ACL{}, ParseACLStamp(map[string]any{}), "an explicit empty stamp locks")
	for name, bad := range map[string]any{
		"NotAnObject":  "users:a",
		"PublicString": map[string]any{"public": "yes"},
		"UsersNotList": map[string]any{"users": "a"},
		"NumberInList": map[string]any{"groups": []any{"g", 3.0}},
		"EmptyName":    map[string]any{"users": []any{""}},
		"UnknownKey":   map[string]any{"roles": []any{"admin"}},
		"Nil":          nil,
	} {
		require.Nil(t, ParseACLStamp(bad), name)
	}
}
