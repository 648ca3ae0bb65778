-- 2: help-forum posts the bot answered (issue 16; bot/store/forums.py)
CREATE TABLE forum_posts (
    guild_id BIGINT NOT NULL,
    thread_id BIGINT NOT NULL,
    channel_id BIGINT NOT NULL,
    poster_id BIGINT NOT NULL,
    entry_id TEXT NOT NULL,
    query TEXT NOT NULL,
    reply_id BIGINT,
    state TEXT NOT NULL,
    at TEXT NOT NULL,
    PRIMARY KEY (guild_id, thread_id)
);
