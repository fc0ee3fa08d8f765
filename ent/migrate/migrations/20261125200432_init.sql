-- Create "agent_settings" table
CREATE TABLE "agent_settings" ("id" text NOT NULL, "organization_id" text NOT NULL, "model" text NOT NULL, "system_prompt" text NOT NULL, "persona" text NULL, "default_tools" jsonb NOT NULL DEFAULT '[]', "updated_at" timestamptz NOT NULL, PRIMARY KEY ("id"));
-- Create index "agentsettings_organization_id" to table: "agent_settings"
CREATE UNIQUE INDEX "agentsettings_organization_id" ON "agent_settings" ("organization_id");
-- Create "checkpoints" table
CREATE TABLE "checkpoints" ("id" text NOT NULL, "organization_id" text NOT NULL, "created_at" timestamptz NOT NULL, "agent_id" text NOT NULL, "thread_id" text NOT NULL, "parent_id" text NULL, "iteration" bigint NOT NULL DEFAULT 0, "state" jsonb NOT NULL, "metadata" jsonb NOT NULL DEFAULT '{}', "seq" bigint NOT NULL GENERATED ALWAYS AS IDENTITY, PRIMARY KEY ("id"));
-- Create index "checkpoint_organization_id_agent_id_thread_id_seq" to table: "checkpoints"
CREATE INDEX "checkpoint_organization_id_agent_id_thread_id_seq" ON "checkpoints" ("organization_id", "agent_id", "thread_id", "seq" DESC);
-- Create index "checkpoint_organization_id_id" to table: "checkpoints"
CREATE UNIQUE INDEX "checkpoint_organization_id_id" ON "checkpoints" ("organization_id", "id");
-- Create "connector_configs" table
CREATE TABLE "connector_configs" ("id" text NOT NULL, "organization_id" text NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "name" text NOT NULL, "kind" text NOT NULL, "config" jsonb NOT NULL DEFAULT '{}', "enabled" boolean NOT NULL DEFAULT true, PRIMARY KEY ("id"), CONSTRAINT "kind_valid" CHECK (kind = ANY (ARRAY['github'::text, 'web'::text, 'file'::text])));
-- Create index "connectorconfig_organization_id_id" to table: "connector_configs"
CREATE UNIQUE INDEX "connectorconfig_organization_id_id" ON "connector_configs" ("organization_id", "id");
-- Create index "connectorconfig_organization_id_name_id" to table: "connector_configs"
CREATE INDEX "connectorconfig_organization_id_name_id" ON "connector_configs" ("organization_id", "name", "id");
-- Create "documents" table
CREATE TABLE "documents" ("id" text NOT NULL, "organization_id" text NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "source" text NOT NULL, "title" text NULL, "content_hash" text NOT NULL DEFAULT '', "metadata" jsonb NOT NULL DEFAULT '{}', "acl" text[] NOT NULL DEFAULT '{*}', "document_sets" text[] NOT NULL DEFAULT '{}', "boost" double precision NOT NULL DEFAULT 1, PRIMARY KEY ("id"));
-- Create index "document_id_organization_id" to table: "documents"
CREATE UNIQUE INDEX "document_id_organization_id" ON "documents" ("id", "organization_id");
-- Create index "document_organization_id_source" to table: "documents"
CREATE UNIQUE INDEX "document_organization_id_source" ON "documents" ("organization_id", "source");
-- Create "indexing_runs" table
CREATE TABLE "indexing_runs" ("id" text NOT NULL, "organization_id" text NOT NULL, "connector_name" text NOT NULL, "status" text NOT NULL, "started_at" timestamptz NOT NULL, "finished_at" timestamptz NULL, "documents_seen" bigint NOT NULL DEFAULT 0, "chunks_indexed" bigint NOT NULL DEFAULT 0, "documents_skipped" bigint NOT NULL DEFAULT 0, "cursor" text NULL, "error" text NULL, PRIMARY KEY ("id"), CONSTRAINT "status_valid" CHECK (status = ANY (ARRAY['running'::text, 'succeeded'::text, 'failed'::text])));
-- Create index "indexingrun_organization_id_connector_name_started_at" to table: "indexing_runs"
CREATE INDEX "indexingrun_organization_id_connector_name_started_at" ON "indexing_runs" ("organization_id", "connector_name", "started_at" DESC);
-- Create index "indexingrun_organization_id_id" to table: "indexing_runs"
CREATE UNIQUE INDEX "indexingrun_organization_id_id" ON "indexing_runs" ("organization_id", "id");
-- Create "memories" table
CREATE TABLE "memories" ("id" text NOT NULL, "organization_id" text NOT NULL, "created_at" timestamptz NOT NULL, "user_id" text NULL, "content" text NOT NULL, "memory_type" text NOT NULL, "relevance" double precision NOT NULL DEFAULT 1, "metadata" jsonb NOT NULL DEFAULT '{}', "embedding" vector(1024) NOT NULL, "content_hash" text NOT NULL DEFAULT '', "last_accessed" timestamptz NOT NULL, "expires_at" timestamptz NULL, PRIMARY KEY ("id"), CONSTRAINT "memory_type_valid" CHECK (memory_type = ANY (ARRAY['ShortTerm'::text, 'LongTerm'::text, 'Entity'::text, 'User'::text, 'Feedback'::text, 'Project'::text, 'Reference'::text])));
-- Create index "memory_embedding" to table: "memories"
CREATE INDEX "memory_embedding" ON "memories" USING hnsw ("embedding" vector_cosine_ops);
-- Create index "memory_expires_at" to table: "memories"
CREATE INDEX "memory_expires_at" ON "memories" ("expires_at");
-- Create index "memory_organization_id_user_id" to table: "memories"
CREATE INDEX "memory_organization_id_user_id" ON "memories" ("organization_id", "user_id");
-- Create "chunks" table
CREATE TABLE "chunks" ("id" text NOT NULL, "organization_id" text NOT NULL, "created_at" timestamptz NOT NULL, "chunk_index" bigint NOT NULL, "content" text NOT NULL, "embedding" vector(1024) NOT NULL, "metadata" jsonb NOT NULL DEFAULT '{}', "acl" text[] NOT NULL DEFAULT '{*}', "document_sets" text[] NOT NULL DEFAULT '{}', "document_id" text NOT NULL, "content_tsv" tsvector NULL GENERATED ALWAYS AS (to_tsvector('english'::regconfig, content)) STORED, PRIMARY KEY ("id"), CONSTRAINT "chunks_documents_chunks" FOREIGN KEY ("document_id") REFERENCES "documents" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "chunks_document_organization" FOREIGN KEY ("document_id", "organization_id") REFERENCES "documents" ("id", "organization_id") ON UPDATE NO ACTION ON DELETE CASCADE);
-- Create index "chunk_acl" to table: "chunks"
CREATE INDEX "chunk_acl" ON "chunks" USING gin ("acl");
-- Create index "chunk_document_id_chunk_index" to table: "chunks"
CREATE UNIQUE INDEX "chunk_document_id_chunk_index" ON "chunks" ("document_id", "chunk_index");
-- Create index "chunk_document_sets" to table: "chunks"
CREATE INDEX "chunk_document_sets" ON "chunks" USING gin ("document_sets");
-- Create index "chunk_embedding" to table: "chunks"
CREATE INDEX "chunk_embedding" ON "chunks" USING hnsw ("embedding" vector_cosine_ops);
-- Create index "chunk_organization_id" to table: "chunks"
CREATE INDEX "chunk_organization_id" ON "chunks" ("organization_id");
-- Create index "chunk_content_tsv" to table: "chunks"
CREATE INDEX "chunk_content_tsv" ON "chunks" USING GIN ("content_tsv");
-- Create "conversations" table
CREATE TABLE "conversations" ("id" text NOT NULL, "organization_id" text NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "platform" text NOT NULL, "name" text NOT NULL DEFAULT '', "idempotency_key" text NULL, "metadata" jsonb NOT NULL DEFAULT '{}', "analytics" jsonb NOT NULL DEFAULT '{}', PRIMARY KEY ("id"), CONSTRAINT "platform_valid" CHECK (platform = ANY (ARRAY['web'::text, 'messenger'::text, 'instagram'::text, 'email'::text, 'discord'::text, 'phone'::text, 'sms'::text, 'slack'::text, 'whatsapp'::text, 'tiktok'::text])));
-- Create index "conversation_id_organization_id" to table: "conversations"
CREATE UNIQUE INDEX "conversation_id_organization_id" ON "conversations" ("id", "organization_id");
-- Create index "conversation_organization_id_created_at_id" to table: "conversations"
CREATE INDEX "conversation_organization_id_created_at_id" ON "conversations" ("organization_id", "created_at" DESC, "id" DESC);
-- Create index "conversation_organization_id_idempotency_key" to table: "conversations"
CREATE UNIQUE INDEX "conversation_organization_id_idempotency_key" ON "conversations" ("organization_id", "idempotency_key");
-- Create "participants" table
CREATE TABLE "participants" ("id" text NOT NULL, "organization_id" text NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "type" text NOT NULL, "external_id" text NULL, "internal_id" text NULL, "browser_fingerprint" text NULL, "browser_info" jsonb NULL, "name" text NOT NULL DEFAULT '', "email" text NULL, "phone" text NULL, "crm_contact_id" text NULL, "metadata" jsonb NOT NULL DEFAULT '{}', "conversation_id" text NOT NULL, PRIMARY KEY ("id"), CONSTRAINT "participants_conversations_participants" FOREIGN KEY ("conversation_id") REFERENCES "conversations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "participants_conversation_organization" FOREIGN KEY ("conversation_id", "organization_id") REFERENCES "conversations" ("id", "organization_id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "type_valid" CHECK (type = ANY (ARRAY['user'::text, 'ai-agent'::text, 'human-agent'::text])));
-- Create index "participant_conversation_id_created_at_id" to table: "participants"
CREATE INDEX "participant_conversation_id_created_at_id" ON "participants" ("conversation_id", "created_at", "id");
-- Create index "participant_conversation_id_external_id" to table: "participants"
CREATE INDEX "participant_conversation_id_external_id" ON "participants" ("conversation_id", "external_id");
-- Create index "participant_id_conversation_id" to table: "participants"
CREATE UNIQUE INDEX "participant_id_conversation_id" ON "participants" ("id", "conversation_id");
-- Create index "participant_organization_id_email" to table: "participants"
CREATE INDEX "participant_organization_id_email" ON "participants" ("organization_id", "email");
-- Create "messages" table
CREATE TABLE "messages" ("id" text NOT NULL, "organization_id" text NOT NULL, "external_id" text NULL, "direction" text NOT NULL, "content" jsonb NOT NULL, "metadata" jsonb NOT NULL DEFAULT '{}', "analytics" jsonb NOT NULL DEFAULT '{}', "seq" bigint NOT NULL GENERATED ALWAYS AS IDENTITY, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NULL, "conversation_id" text NOT NULL, "from_participant_id" text NULL, "to_participant_id" text NULL, PRIMARY KEY ("id"), CONSTRAINT "messages_conversations_messages" FOREIGN KEY ("conversation_id") REFERENCES "conversations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "messages_participants_received_messages" FOREIGN KEY ("to_participant_id") REFERENCES "participants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "messages_participants_sent_messages" FOREIGN KEY ("from_participant_id") REFERENCES "participants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "messages_conversation_organization" FOREIGN KEY ("conversation_id", "organization_id") REFERENCES "conversations" ("id", "organization_id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "messages_from_same_conversation" FOREIGN KEY ("from_participant_id", "conversation_id") REFERENCES "participants" ("id", "conversation_id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "messages_to_same_conversation" FOREIGN KEY ("to_participant_id", "conversation_id") REFERENCES "participants" ("id", "conversation_id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "direction_valid" CHECK (direction = ANY (ARRAY['inbound'::text, 'outbound'::text])));
-- Create index "message_conversation_id_seq" to table: "messages"
CREATE UNIQUE INDEX "message_conversation_id_seq" ON "messages" ("conversation_id", "seq");
-- Create index "message_from_participant_id" to table: "messages"
CREATE INDEX "message_from_participant_id" ON "messages" ("from_participant_id");
-- Create index "message_to_participant_id" to table: "messages"
CREATE INDEX "message_to_participant_id" ON "messages" ("to_participant_id");
-- Create "sessions" table
CREATE TABLE "sessions" ("session_id" text NOT NULL, "organization_id" text NOT NULL, "created_at" timestamptz NOT NULL, "updated_at" timestamptz NOT NULL, "agent_id" text NULL, "agent_name" text NOT NULL DEFAULT '', "thread_id" text NOT NULL DEFAULT '', "status" text NULL, "token_count" bigint NULL, "message_count" bigint NULL, "metadata" jsonb NOT NULL DEFAULT '{}', "ended_at" timestamptz NULL, "last_activity_at" timestamptz NOT NULL, "conversation_id" text NOT NULL, "user_participant_id" text NULL, "agent_participant_id" text NULL, PRIMARY KEY ("session_id"), CONSTRAINT "sessions_conversations_sessions" FOREIGN KEY ("conversation_id") REFERENCES "conversations" ("id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "sessions_participants_agent_sessions" FOREIGN KEY ("agent_participant_id") REFERENCES "participants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "sessions_participants_user_sessions" FOREIGN KEY ("user_participant_id") REFERENCES "participants" ("id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "sessions_conversation_organization" FOREIGN KEY ("conversation_id", "organization_id") REFERENCES "conversations" ("id", "organization_id") ON UPDATE NO ACTION ON DELETE CASCADE, CONSTRAINT "sessions_user_same_conversation" FOREIGN KEY ("user_participant_id", "conversation_id") REFERENCES "participants" ("id", "conversation_id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "sessions_agent_same_conversation" FOREIGN KEY ("agent_participant_id", "conversation_id") REFERENCES "participants" ("id", "conversation_id") ON UPDATE NO ACTION ON DELETE NO ACTION, CONSTRAINT "status_valid" CHECK (status = ANY (ARRAY['active'::text, 'idle'::text, 'ended'::text])));
-- Create index "session_agent_participant_id" to table: "sessions"
CREATE INDEX "session_agent_participant_id" ON "sessions" ("agent_participant_id");
-- Create index "session_conversation_id_created_at_session_id" to table: "sessions"
CREATE INDEX "session_conversation_id_created_at_session_id" ON "sessions" ("conversation_id", "created_at", "session_id");
-- Create index "session_organization_id_created_at" to table: "sessions"
CREATE INDEX "session_organization_id_created_at" ON "sessions" ("organization_id", "created_at");
-- Create index "session_user_participant_id" to table: "sessions"
CREATE INDEX "session_user_participant_id" ON "sessions" ("user_participant_id");
