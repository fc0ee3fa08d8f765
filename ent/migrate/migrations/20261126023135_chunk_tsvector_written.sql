-- The chunks' tsvector is written with each chunk (storage computes it once,
-- in the statement that reads its lexemes, under the store's text search
-- configuration) instead of generated: ingest computed it twice. Stored
-- values stay.
ALTER TABLE "chunks" ALTER COLUMN "content_tsv" DROP EXPRESSION;
