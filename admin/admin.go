// Package admin holds the queries operators' tooling needs: transcripts,
// a person's footprint and its erasure, document audiences, organization
// overviews and an integrity report. Each one traverses ent's edges under
// the privacy policy; all but [Admin.Integrity] run as an admin of one
// organization, Integrity as the system viewer.
package admin

import (
	"context"
	"fmt"

	"github.com/agentstore/agentstore/access"
	"github.com/agentstore/agentstore/ent"
	"github.com/agentstore/agentstore/storage"
)

// Admin runs the admin queries over a store.
type Admin struct {
	store *storage.Store
}

// New returns the admin queries of store.
func New(store *storage.Store) *Admin { return &Admin{store: store} }

// client returns the ent client after checking that ctx carries an admin
// of an organization (or, with system true, the system viewer).
func (a *Admin) client(ctx context.Context, system bool) (*ent.Client, access.Viewer, error) {
	v, ok := access.FromContext(ctx)
	switch {
	case !ok:
		return nil, v, fmt.Errorf("%w: no viewer in the context", storage.ErrPermissionDenied)
	case system && !v.IsSystem():
		return nil, v, fmt.Errorf("%w: the integrity report needs the system viewer", storage.ErrPermissionDenied)
	case !system && (v.Role != access.RoleAdmin || v.Validate() != nil):
		return nil, v, fmt.Errorf("%w: admin queries need an admin of an organization", storage.ErrPermissionDenied)
	}
	return a.store.Client(), v, nil
}
