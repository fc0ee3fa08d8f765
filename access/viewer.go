package access

import (
	"context"
	"errors"
	"fmt"
	"strings"
)

// Role is what a viewer may do inside (or, for System, across) organizations.
type Role string

const (
	// RoleMember reads and writes its organization's rows, subject to
	// document ACLs.
	RoleMember Role = "member"
	// RoleAdmin is a member that also sees every document of its
	// organization regardless of ACL (admin tooling: audiences, exports).
	RoleAdmin Role = "admin"
	// RoleSystem bypasses tenancy. Only operator code (migrations, admin
	// commands) should create it, through [SystemContext].
	RoleSystem Role = "system"
)

// Viewer is the identity a request runs as.
type Viewer struct {
	// OrganizationID scopes every row the viewer can reach. Required unless
	// Role is RoleSystem.
	OrganizationID string
	// UserID is the end user, if any; it is matched against document ACLs.
	UserID string
	// Groups are matched against document ACLs.
	Groups []string
	// Role defaults to RoleMember when empty.
	Role Role
}

// ErrInvalidViewer is returned by [Viewer.Validate] for a viewer that cannot
// be used: no organization, or an unknown role.
var ErrInvalidViewer = errors.New("access: invalid viewer")

// Validate reports whether v can scope queries.
func (v Viewer) Validate() error {
	switch v.role() {
	case RoleSystem:
		return nil
	case RoleMember, RoleAdmin:
	default:
		return fmt.Errorf("%w: unknown role %q", ErrInvalidViewer, v.Role)
	}
	if strings.TrimSpace(v.OrganizationID) == "" {
		return fmt.Errorf("%w: organization id is empty", ErrInvalidViewer)
	}
	return nil
}

func (v Viewer) role() Role {
	if v.Role == "" {
		return RoleMember
	}
	return v.Role
}

// IsSystem reports whether v bypasses tenancy.
func (v Viewer) IsSystem() bool { return v.role() == RoleSystem }

// SeesAllDocuments reports whether document ACLs are waived for v (admins
// within their organization, and the system role).
func (v Viewer) SeesAllDocuments() bool { return v.role() != RoleMember }

type viewerKey struct{}

// NewContext returns a copy of ctx carrying v.
func NewContext(ctx context.Context, v Viewer) context.Context {
	return context.WithValue(ctx, viewerKey{}, v)
}

// FromContext returns the viewer carried by ctx.
func FromContext(ctx context.Context) (Viewer, bool) {
	v, ok := ctx.Value(viewerKey{}).(Viewer)
	return v, ok
}

// SystemContext returns ctx carrying the system viewer, which bypasses
// tenancy and ACLs. It is the only such escape hatch; use it for operator
// work (migrations, admin commands), never for end-user requests.
func SystemContext(ctx context.Context) context.Context {
	return NewContext(ctx, Viewer{Role: RoleSystem})
}
