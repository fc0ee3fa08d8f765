-- Chunks carry their document's title (heading); the stored tsvector covers
-- heading and content. PostgreSQL 15 cannot change a generation expression,
-- so the column and its GIN index are dropped and added again.
ALTER TABLE "chunks" ADD COLUMN "heading" text NOT NULL DEFAULT '';
UPDATE "chunks" c SET "heading" = coalesce(d."title", '') FROM "documents" d WHERE d."id" = c."document_id" AND d."title" IS NOT NULL;
-- A generated column: the next statement computes it again.
-- atlas:nolint DS103
ALTER TABLE "chunks" DROP COLUMN "content_tsv";
ALTER TABLE "chunks" ADD COLUMN "content_tsv" tsvector NULL GENERATED ALWAYS AS (to_tsvector('english'::regconfig, ((heading || ' '::text) || content))) STORED;
CREATE INDEX "chunk_content_tsv" ON "chunks" USING GIN ("content_tsv");
