-- embedding_storage: hand-written; Atlas's diff does not produce this file.
-- 1024-d vectors are TOASTed by default, which makes sequential scans look
-- cheap to the planner and costs HNSW plans from ef_search ~60 on; keep them
-- inline.
ALTER TABLE "chunks" ALTER COLUMN "embedding" SET STORAGE PLAIN;
ALTER TABLE "memories" ALTER COLUMN "embedding" SET STORAGE PLAIN;
