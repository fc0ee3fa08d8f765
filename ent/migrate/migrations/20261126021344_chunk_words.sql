-- Chunks keep their length in words (BM25's document length; 0 until the
-- chunk is written again, which the search reads from the tsvector), and
-- the tsvector's GIN index holds the organization (btree_gin) and the ACL.
DROP INDEX "chunk_content_tsv";
-- Rows stay whole up to a page (no compression, nothing out of line): the
-- embedding alone passes the default 2 KB target, which compressed the
-- tsvector every sparse search reads, or moved it to TOAST. Rows written
-- from now on.
ALTER TABLE "chunks" SET (toast_tuple_target = 8160);
ALTER TABLE "chunks" ADD COLUMN "words" bigint NOT NULL DEFAULT 0;
CREATE INDEX "chunk_content_tsv" ON "chunks" USING GIN ("organization_id", "acl", "content_tsv");
