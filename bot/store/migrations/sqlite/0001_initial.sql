-- faqbot schema version 1 (sqlite): entries, FTS, audit, settings, stats
CREATE TABLE entries (
    pk INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    id TEXT NOT NULL,
    data TEXT NOT NULL,
    content_hash TEXT NOT NULL,
    auto_summary TEXT,
    deleted INTEGER NOT NULL DEFAULT 0,
    revision INTEGER NOT NULL,
    UNIQUE (guild_id, id)
);
CREATE VIRTUAL TABLE entries_fts USING fts5(
    question, phrasings, tags, answers,
    tokenize = 'porter unicode61 remove_diacritics 2'
);
CREATE TABLE audit (
    seq INTEGER PRIMARY KEY,
    guild_id INTEGER NOT NULL,
    entry_id TEXT NOT NULL,
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    at TEXT NOT NULL,
    changes TEXT NOT NULL
);
CREATE INDEX audit_entry ON audit (guild_id, entry_id, seq);
CREATE TABLE hidden_globals (
    guild_id INTEGER NOT NULL,
    entry_id TEXT NOT NULL,
    PRIMARY KEY (guild_id, entry_id)
);
CREATE TABLE guild_settings (
    guild_id INTEGER PRIMARY KEY,
    data TEXT NOT NULL
);
CREATE TABLE queries (
    guild_id INTEGER NOT NULL,
    query TEXT NOT NULL,
    count INTEGER NOT NULL,
    unanswered INTEGER NOT NULL,
    last_entry_id TEXT,
    last_at TEXT NOT NULL,
    PRIMARY KEY (guild_id, query)
);
CREATE TABLE feedback (
    guild_id INTEGER NOT NULL,
    entry_id TEXT NOT NULL,
    user_id INTEGER NOT NULL,
    helpful INTEGER NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (guild_id, entry_id, user_id)
);
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
INSERT INTO meta VALUES ('revision', '0');
