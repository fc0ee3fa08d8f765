-- Chunks are found by (organization, document): the composite foreign key's
-- cascade becomes one index lookup even when the statistics have not seen
-- the organization yet. The new index also serves every organization-only
-- filter, so the old one goes (after the new one exists).
CREATE INDEX "chunk_organization_id_document_id" ON "chunks" ("organization_id", "document_id");
DROP INDEX "chunk_organization_id";
