// Package ent is the generated agentstore client. Only this file and
// schema/ are written by hand; run `make generate` after changing a schema.
package ent

import "embed"

//go:generate go tool ent generate --feature privacy,entql,intercept,sql/upsert,sql/execquery,sql/modifier,sql/versioned-migration,sql/lock,schema/snapshot ./schema

// Migrations is the Atlas-format versioned migration directory
// (migrate/migrations, with atlas.sum), embedded so that binaries can apply
// it without the source tree.
//
//go:embed migrate/migrations
var Migrations embed.FS
