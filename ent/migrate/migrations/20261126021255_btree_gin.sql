-- btree_gin (a contrib module of PostgreSQL) lets one GIN index hold the
-- organization with the tsvector, so a search's bitmap holds only its
-- organization's readable matches. Once per database and in public, as pgvector.
CREATE EXTENSION IF NOT EXISTS btree_gin WITH SCHEMA public;
