// Package agentstore is the module's root. The library lives in its
// packages (storage, vector, access, ent, admin, …); this one only ships
// the project's own documentation, which the demo ingests as knowledge.
package agentstore

import "embed"

// Docs holds README.md.
//
//go:embed README.md
var Docs embed.FS
