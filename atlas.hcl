// Atlas CLI project file. The CLI is optional: cmd/migrate does the same work
// with the Atlas Go library, on the same directory and revisions table.
//
//   atlas migrate status --env local
//   atlas migrate apply  --env local
//   atlas migrate lint   --env local --latest 1
//
// Use `go run ./cmd/migrate diff NAME` (or `make migrate-diff NAME=...`) for
// new files: the ent schema alone does not declare the database-computed
// parts (message/checkpoint seq identities, the generated chunks.content_tsv
// column and its GIN index), which cmd/migrate adds through diff hooks, so a
// plain `atlas migrate diff` from ent:// would propose dropping them.

variable "url" {
  type    = string
  default = getenv("DATABASE_URL")
}

// An empty database for the CLI's dev work; `make db` creates agentstore_dev.
variable "dev_url" {
  type    = string
  default = "postgres://postgres@127.0.0.1:54329/agentstore_dev?sslmode=disable&search_path=public"
}

env "local" {
  src = "ent://ent/schema"
  url = var.url
  dev = var.dev_url
  migration {
    dir = "file://ent/migrate/migrations"
  }
}
