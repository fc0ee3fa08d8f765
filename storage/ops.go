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
	sizes  *corpusSizes
	// atomic runs fn so that all its writes commit together.
	atomic func(ctx context.Context, fn func(ops) error) error
}

// viewer returns the valid viewer in ctx.
func viewer(ctx context.Context) (access.Viewer, error) {
	v, ok := access.FromContext(ctx)
	if !ok {
		return v, fmtDenied("no viewer in context")
	}
	if err := v.Validate(); err != nil {
		return v, fmtDenied(err.Error())
	}
	return v, nil
}

// tenant returns the organization of the viewer in ctx. Store methods take
// the organization from here, never from their input.
func tenant(ctx context.Context) (string, error) {
	v, err := viewer(ctx)
	if err != nil {
		return "", err
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
