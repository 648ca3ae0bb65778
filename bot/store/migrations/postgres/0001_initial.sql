-- faqbot schema version 1 (postgres): entries with full-text search, audit, settings, stats
CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
INSERT INTO meta VALUES ('revision', 0);
CREATE TABLE entries (
    pk BIGSERIAL PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    id TEXT NOT NULL,
    data JSON NOT NULL,
    content_hash TEXT NOT NULL,
    auto_summary JSON,
    deleted BOOLEAN NOT NULL DEFAULT FALSE,
    revision BIGINT NOT NULL,
    search_doc TSVECTOR NOT NULL,
    search_text TEXT NOT NULL,
    UNIQUE (guild_id, id)
);
CREATE INDEX entries_search ON entries USING GIN (search_doc);
CREATE INDEX entries_revision ON entries (revision);
CREATE TABLE audit (
    seq BIGSERIAL PRIMARY KEY,
    guild_id BIGINT NOT NULL,
    entry_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    at TEXT NOT NULL,
    changes JSON NOT NULL
);
CREATE INDEX audit_entry ON audit (guild_id, entry_id, seq);
CREATE TABLE hidden_globals (
    guild_id BIGINT NOT NULL,
    entry_id TEXT NOT NULL,
    PRIMARY KEY (guild_id, entry_id)
);
CREATE TABLE guild_settings (
    guild_id BIGINT PRIMARY KEY,
    data JSON NOT NULL
);
CREATE TABLE queries (
    guild_id BIGINT NOT NULL,
    query TEXT NOT NULL,
    count BIGINT NOT NULL,
    unanswered BIGINT NOT NULL,
    last_entry_id TEXT,
    last_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, query)
);
CREATE TABLE feedback (
    guild_id BIGINT NOT NULL,
    entry_id TEXT NOT NULL,
    user_id BIGINT NOT NULL,
    helpful BOOLEAN NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (guild_id, entry_id, user_id)
);
