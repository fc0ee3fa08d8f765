package access

import (
	"encoding/json"
	"slices"
	"testing"
)

// FuzzParseACLStamp: any JSON value in the metadata stamp parses to an ACL
// or to nil (absent, never locking); a parsed ACL's tokens read back to the
// same tokens, and CanRead agrees with the tokens.
func FuzzParseACLStamp(f *testing.F) {
	for _, seed := range []string{
		`{"public":true}`, `{"users":["alice"],"groups":["eng","ops"]}`, `{}`, `{"users":[]}`,
		`{"users":"alice"}`, `{"groups":[1,2]}`, `null`, `[]`, `"public"`, `{"public":"yes","users":["u"]}`,
		`{"users":["user:x","*","group:y"]}`, `{"groups":["' OR 1=1 --"]}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, stamp []byte) {
		var v any
		if json.Unmarshal(stamp, &v) != nil {
			return
		}
		acl := ParseACLStamp(v)
		if acl == nil {
			return
		}
		tokens := acl.Principals()
		if got := ACLOf(tokens).Principals(); !slices.Equal(got, tokens) {
			t.Fatalf("tokens %q read back as %q", tokens, got)
		}
		for _, u := range acl.Users {
			if !(Viewer{OrganizationID: "o", UserID: u}).CanRead(tokens) {
				t.Fatalf("listed user %q cannot read %q", u, tokens)
			}
		}
		for _, g := range acl.Groups {
			if !(Viewer{OrganizationID: "o", Groups: []string{g}}).CanRead(tokens) {
				t.Fatalf("listed group %q cannot read %q", g, tokens)
			}
		}
		stranger := Viewer{OrganizationID: "o", UserID: "\x00stranger", Groups: []string{"\x00nobody"}}
		listed := slices.Contains(acl.Users, stranger.UserID) || slices.Contains(acl.Groups, stranger.Groups[0])
		if !listed && stranger.CanRead(tokens) != acl.Public {
			t.Fatalf("a stranger's access to %q should be %t", tokens, acl.Public)
		}
	})
}
