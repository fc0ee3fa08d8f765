-- bounded_gin_pending_list: hand-written; Atlas's diff does not produce this file
-- (its PostgreSQL driver models no GIN storage parameter, so it sees no drift).
-- Every search reads GIN's pending list whole until it is merged: at the
-- default 4 MB, a 10k-chunk organization's searches took ~5 ms longer on
-- average while another organization ingested; 1 MB bounds that to about a
-- quarter, for ~12 % slower bulk ingest where no HNSW index is maintained.
-- No rewrite; a brief lock.
ALTER INDEX "chunk_content_tsv" SET (gin_pending_list_limit = 1024);
