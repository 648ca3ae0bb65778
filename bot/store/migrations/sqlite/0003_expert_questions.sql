-- 3: Ask the experts: questions waiting for an expert (issue 16; bot/store/forums.py)
CREATE TABLE expert_questions (
    guild_id INTEGER NOT NULL,
    qid TEXT NOT NULL,
    asker_id INTEGER NOT NULL,
    channel_id INTEGER NOT NULL,
    question TEXT NOT NULL,
    state TEXT NOT NULL,
    post_id INTEGER,
    answer TEXT,
    expert_id INTEGER,
    entry_id TEXT,
    asked_at TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (guild_id, qid)
);
