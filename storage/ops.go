package storage

import (
	"context"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/ent"
)

// ops are the domain operations, shared by Store and Tx: on a Store each
// call runs on the pool, on a Tx inside the transaction.
type ops struct {
	client *ent.Client
	cfg    *config
	// atomic runs fn so that all its writes commit together.
	atomic func(ctx context.Context, fn func(ops) error) error
}

// tenant returns the organization of the viewer in ctx. Store methods take
// the organization from here, never from their input.
func tenant(ctx context.Context) (string, error) {
	v, ok := access.FromContext(ctx)
	if !ok {
		return "", fmtDenied("no viewer in context")
	}
	if err := v.Validate(); err != nil {
		return "", fmtDenied(err.Error())
	}
	if v.IsSystem() {
		return "", fmtDenied("the system viewer must act as an organization to write tenant rows")
	}
	return v.OrganizationID, nil
}

// nonEmpty maps "" (not given) to nil for ent's SetNillable setters.
func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
