# agentstore — the one entry point. `make help` lists the targets.
#
# Without DATABASE_URL, targets that need PostgreSQL install what is missing
# (PostgreSQL 15, pgvector built from Debian 13 source) and start the
# project-local cluster in .pgdata/ on 127.0.0.1:$(AGENTSTORE_PGPORT).
# With DATABASE_URL set, that server is used and must offer pgvector >= 0.8.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
export PATH := /usr/local/go/bin:$(HOME)/go/bin:$(PATH)

AGENTSTORE_PGPORT ?= 54329
export AGENTSTORE_PGPORT

ifeq ($(origin DATABASE_URL),undefined)
LOCAL_DB := 1
DATABASE_URL := postgres://postgres@127.0.0.1:$(AGENTSTORE_PGPORT)/agentstore?sslmode=disable
endif
export DATABASE_URL

GO ?= go
GOTEST_FLAGS ?= -count=1 -race -timeout 12m

.DEFAULT_GOAL := help

.PHONY: help
help: ## List the targets
	@grep -hE '^[a-z][a-z-]*:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-14s %s\n", $$1, $$2}'

.PHONY: demo
demo: migrate ## Provision, migrate, and run the main job (the demo)
	$(GO) run ./cmd/agentstore demo

.PHONY: test
test: db ## Provision, then run every test (unit and integration) and a short fuzz run
	$(GO) vet ./...
	$(GO) test $(GOTEST_FLAGS) ./...
	@$(MAKE) --no-print-directory fuzz

# Fuzz targets as package:Target; each runs FUZZTIME (their seeds also run in
# every plain `go test`). A failure writes the input under the package's
# testdata/fuzz, where it becomes a committed seed once fixed.
FUZZ_TARGETS = ./storage:FuzzCursor ./storage:FuzzSplitText ./access:FuzzParseACLStamp ./integration:FuzzSearchInput
FUZZTIME ?= 5s

.PHONY: fuzz
fuzz: db ## Fuzz the cursor codec, chunker, ACL parser and search input for FUZZTIME each
	@for t in $(FUZZ_TARGETS); do \
	  echo "fuzz $${t#*:} ($(FUZZTIME))"; \
	  $(GO) test -run '^$$' -fuzz "^$${t#*:}$$" -fuzztime $(FUZZTIME) "$${t%%:*}" 2>&1 | tail -3; \
	  [ "$${PIPESTATUS[0]}" -eq 0 ] || exit 1; \
	done

.PHONY: bench
bench: migrate ## Benchmarks: storage against a raw-pgx floor at 1M messages (prints a table)
	$(GO) run ./cmd/agentstore bench

.PHONY: db
db: ## Start the project-local PostgreSQL (or check the DATABASE_URL server)
ifdef LOCAL_DB
	@bash scripts/pg.sh start
else
	@$(GO) run ./cmd/migrate check
endif

.PHONY: db-stop
db-stop: ## Stop the project-local PostgreSQL
	@bash scripts/pg.sh stop

.PHONY: migrate
migrate: db ## Apply pending migrations to DATABASE_URL (default: the local cluster)
	$(GO) run ./cmd/migrate apply

.PHONY: migrate-status
migrate-status: db ## Show applied and pending migrations
	$(GO) run ./cmd/migrate status

.PHONY: migrate-diff
migrate-diff: db ## Write a migration from the ent schema: make migrate-diff NAME=add_x
	$(GO) run ./cmd/migrate diff $(NAME)

.PHONY: migrate-lint
migrate-lint: db ## Lint the latest migration with Atlas's analyzers
	$(GO) run ./cmd/migrate lint 1

.PHONY: generate
generate: ## Regenerate the ent client from ent/schema
	$(GO) generate ./ent

.PHONY: check-generated
check-generated: generate ## Fail if generated code or atlas.sum is stale
	$(GO) run ./cmd/migrate validate
	git diff --exit-code -- ent go.mod go.sum

.PHONY: fmt
fmt: ## Format the Go code
	gofmt -w $$(git ls-files '*.go')
