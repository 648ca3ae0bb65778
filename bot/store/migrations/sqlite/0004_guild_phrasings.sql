-- 4: a server's own phrasings of a global entry, matched in that server only (issue 15)
CREATE TABLE guild_phrasings (
    guild_id INTEGER NOT NULL,
    entry_id TEXT NOT NULL,
    phrasings TEXT NOT NULL,
    PRIMARY KEY (guild_id, entry_id)
);
