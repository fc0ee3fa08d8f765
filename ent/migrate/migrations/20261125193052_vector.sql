-- pgvector, once per database and always in public: per-test schemas (and
-- dropping them) must never own the extension.
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;
