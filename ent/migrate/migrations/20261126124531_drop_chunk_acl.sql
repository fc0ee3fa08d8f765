-- Drop index "chunk_acl" from table: "chunks"
DROP INDEX "chunk_acl";
