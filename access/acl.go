package access

import "strings"

// Principal tokens are how ACLs are stored (a text[] column on documents and
// chunks) and matched: a row is readable when its tokens overlap the viewer's
// ([Viewer.Principals]) — one `&&` predicate that a GIN index serves.
const (
	// PrincipalEveryone marks a row readable by every member of its
	// organization: the document had no ACL, or a public one.
	PrincipalEveryone = "*"
	userPrefix        = "user:"
	groupPrefix       = "group:"
)

// ACL is a document's access list. A nil *ACL means "no ACL": visible to
// everyone in the organization. A non-nil ACL that is not public and lists
// nobody is locked: visible to no member. Matching is exact and
// case-sensitive.
type ACL struct {
	Public bool     `json:"public,omitempty"`
	Users  []string `json:"users,omitempty"`
	Groups []string `json:"groups,omitempty"`
}

// Principals returns the tokens stored for a, never nil (an empty slice is
// the locked ACL).
func (a *ACL) Principals() []string {
	if a == nil || a.Public {
		return []string{PrincipalEveryone}
	}
	out := make([]string, 0, len(a.Users)+len(a.Groups))
	for _, u := range a.Users {
		out = append(out, userPrefix+u)
	}
	for _, g := range a.Groups {
		out = append(out, groupPrefix+g)
	}
	return out
}

// ACLOf reads stored tokens back into an ACL: the inverse of
// [ACL.Principals]. Tokens of no known form are ignored.
func ACLOf(tokens []string) *ACL {
	a := &ACL{}
	for _, t := range tokens {
		switch {
		case t == PrincipalEveryone:
			a.Public = true
		case strings.HasPrefix(t, userPrefix):
			a.Users = append(a.Users, strings.TrimPrefix(t, userPrefix))
		case strings.HasPrefix(t, groupPrefix):
			a.Groups = append(a.Groups, strings.TrimPrefix(t, groupPrefix))
		}
	}
	return a
}

// Principals returns the tokens v matches: everyone, its user and its groups.
func (v Viewer) Principals() []string {
	out := make([]string, 0, 2+len(v.Groups))
	out = append(out, PrincipalEveryone)
	if v.UserID != "" {
		out = append(out, userPrefix+v.UserID)
	}
	for _, g := range v.Groups {
		out = append(out, groupPrefix+g)
	}
	return out
}

// CanRead reports whether v may read a row stamped with the given ACL
// tokens: the Go form of the SQL predicate, for tests and admin tooling.
func (v Viewer) CanRead(tokens []string) bool {
	if v.SeesAllDocuments() {
		return true
	}
	mine := make(map[string]struct{}, len(v.Groups)+2)
	for _, p := range v.Principals() {
		mine[p] = struct{}{}
	}
	for _, t := range tokens {
		if _, ok := mine[t]; ok {
			return true
		}
	}
	return false
}

// ParseACLStamp reads an ACL stamped in document metadata: an object with
// optional "public" (bool), "users" and "groups" (arrays of strings). A
// missing or malformed stamp is absent (nil): it never locks a document.
func ParseACLStamp(v any) *ACL {
	m, ok := v.(map[string]any)
	if !ok {
		return nil
	}
	var acl ACL
	for k, x := range m {
		switch k {
		case "public":
			b, ok := x.(bool)
			if !ok {
				return nil
			}
			acl.Public = b
		case "users", "groups":
			list, ok := names(x)
			if !ok {
				return nil
			}
			if k == "users" {
				acl.Users = list
			} else {
				acl.Groups = list
			}
		default:
			return nil
		}
	}
	return &acl
}

func names(v any) ([]string, bool) {
	xs, ok := v.([]any)
	if !ok {
		return nil, false
	}
	out := make([]string, 0, len(xs))
	for _, x := range xs {
		s, ok := x.(string)
		if !ok || s == "" {
			return nil, false
		}
		out = append(out, s)
	}
	return out, true
}
