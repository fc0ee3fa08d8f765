// Package storage is agentstore's facade over PostgreSQL + pgvector: it
// opens one pgx pool shared by the ent client and the raw SQL of package
// vector, applies the embedded migrations, and (in later layers) exposes the
// conversation, knowledge, memory, checkpoint and admin stores.
//
// Every query runs as the viewer carried by the context (package access);
// without one, ent's privacy policies deny it.
package storage
