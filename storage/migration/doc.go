// Package migration applies and authors agentstore's Atlas-format versioned
// migrations with the Atlas Go library, staying compatible with the Atlas
// CLI: the directory carries atlas.sum, and applied files are recorded in a
// table shaped like the CLI's atlas_schema_revisions, so `atlas migrate
// status` and `atlas migrate apply` read the same history.
//
// What the library lacks and this package adds: a database-backed revision
// store, one transaction per file (unless the file says
// `-- atlas:txmode none`), an advisory lock shared with the CLI, diff hooks
// for what ent cannot declare (identity columns, the generated tsvector
// column and its GIN index), lint over a throwaway dev database, and `new`
// for hand-written files.
package migration
