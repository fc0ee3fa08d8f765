// Package integration holds agentstore's end-to-end tests: they run against a
// real PostgreSQL with pgvector (see storage/storagetest) and never skip.
package integration
