package access

import (
	"context"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/privacy"

	"github.com/agentstore/agentstore/ent/intercept"
	"github.com/agentstore/agentstore/pgarray"
)

// Column names the rules filter on; every tenant-owned table has the first,
// documents and chunks the second.
const (
	OrganizationColumn = "organization_id"
	ACLColumn          = "acl"
)

// filterable is what generated ent mutations, and queries wrapped by the
// generated intercept package, implement.
type filterable interface {
	WhereP(...func(*sql.Selector))
}

type queryRuleFunc func(context.Context, ent.Query) error

func (f queryRuleFunc) EvalQuery(ctx context.Context, q ent.Query) error { return f(ctx, q) }

// viewerOf returns the valid viewer in ctx or a privacy denial.
func viewerOf(ctx context.Context) (Viewer, error) {
	v, ok := FromContext(ctx)
	if !ok {
		return Viewer{}, privacy.Denyf("access: no viewer in context")
	}
	if err := v.Validate(); err != nil {
		return Viewer{}, privacy.Denyf("%v", err)
	}
	return v, nil
}

func filter(x any, p func(*sql.Selector)) error {
	if q, err := intercept.NewQuery(x); err == nil {
		q.WhereP(p)
		return nil
	}
	f, ok := x.(filterable)
	if !ok {
		// Fail closed: a builder we cannot filter is never let through.
		return privacy.Denyf("access: %T cannot be filtered", x)
	}
	f.WhereP(p)
	return nil
}

func organizationIs(org string) func(*sql.Selector) {
	return sql.FieldEQ(OrganizationColumn, org)
}

// aclAllows keeps rows whose ACL tokens overlap the viewer's principals.
func aclAllows(v Viewer) func(*sql.Selector) {
	return pgarray.Overlaps(ACLColumn, v.Principals())
}

// TenantQueryRule denies queries without a viewer, lets the system viewer
// through, and filters everything else to the viewer's organization. It
// returns Skip after filtering so later rules (ACLs) still run.
func TenantQueryRule() privacy.QueryRule {
	return queryRuleFunc(func(ctx context.Context, q ent.Query) error {
		v, err := viewerOf(ctx)
		if err != nil {
			return err
		}
		if v.IsSystem() {
			return privacy.Allow
		}
		if err := filter(q, organizationIs(v.OrganizationID)); err != nil {
			return err
		}
		return privacy.Skip
	})
}

// TenantMutationRule denies mutations without a viewer and creates into
// another organization, and confines updates and deletes to the viewer's
// organization (organization_id itself is immutable).
func TenantMutationRule() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		v, err := viewerOf(ctx)
		if err != nil {
			return err
		}
		if v.IsSystem() {
			return privacy.Allow
		}
		if !m.Op().Is(ent.OpCreate) {
			if err := filter(m, organizationIs(v.OrganizationID)); err != nil {
				return err
			}
			return privacy.Skip
		}
		org, ok := m.Field(OrganizationColumn)
		if !ok {
			return privacy.Denyf("access: %s create without organization_id", m.Type())
		}
		if org != v.OrganizationID {
			return privacy.Denyf("access: %s create in organization %q by a viewer of %q", m.Type(), org, v.OrganizationID)
		}
		return privacy.Skip
	})
}

// ACLQueryRule filters document and chunk queries to the rows the viewer's
// principals may read. Admins and the system viewer see every document.
func ACLQueryRule() privacy.QueryRule {
	return queryRuleFunc(func(ctx context.Context, q ent.Query) error {
		v, err := viewerOf(ctx)
		if err != nil {
			return err
		}
		if v.SeesAllDocuments() {
			return privacy.Skip
		}
		if err := filter(q, aclAllows(v)); err != nil {
			return err
		}
		return privacy.Skip
	})
}

// ACLMutationRule confines updates and deletes of documents and chunks to
// the rows the viewer may read: what a member cannot see, it cannot change.
func ACLMutationRule() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		v, err := viewerOf(ctx)
		if err != nil {
			return err
		}
		if v.SeesAllDocuments() || m.Op().Is(ent.OpCreate) {
			return privacy.Skip
		}
		if err := filter(m, aclAllows(v)); err != nil {
			return err
		}
		return privacy.Skip
	})
}
