-- Drop index "chunk_document_sets" from table: "chunks"
DROP INDEX "chunk_document_sets";
-- Create index "chunk_organization_id_document_sets" to table: "chunks"
CREATE INDEX "chunk_organization_id_document_sets" ON "chunks" USING gin ("organization_id", "document_sets");
