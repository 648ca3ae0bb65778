"""Help-forum suggestions (issue 16): which posts the bot has answered, in both backends.

One row per (guild, thread): a post is *claimed* in one statement (INSERT … ON CONFLICT DO
NOTHING) before the bot replies, so replayed THREAD_CREATE events, reconnects or a second
process never give a post two replies. Kept apart from the backends' main modules; each
backend appends its migration below and mixes in its class.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.store.common import now

# Post states: claimed (reply being sent), replied, solved, rejected ("Not it"), failed (could not send).
STATES = ("claimed", "replied", "solved", "rejected", "failed")

SQLITE_MIGRATION = """
    CREATE TABLE forum_posts (
        guild_id INTEGER NOT NULL,
        thread_id INTEGER NOT NULL,
        channel_id INTEGER NOT NULL,
        poster_id INTEGER NOT NULL,
        entry_id TEXT NOT NULL,
        query TEXT NOT NULL,
        reply_id INTEGER,
        state TEXT NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (guild_id, thread_id)
    );
"""

POSTGRES_MIGRATION = """
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
"""


@dataclass(frozen=True)
class ForumPost:
    guild_id: int
    thread_id: int
    channel_id: int
    poster_id: int
    entry_id: str
    query: str
    reply_id: int | None
    state: str


def _post(row: Any) -> ForumPost:
    return ForumPost(
        int(row["guild_id"]),
        int(row["thread_id"]),
        int(row["channel_id"]),
        int(row["poster_id"]),
        str(row["entry_id"]),
        str(row["query"]),
        int(row["reply_id"]) if row["reply_id"] is not None else None,
        str(row["state"]),
    )


def _check_state(state: str) -> None:
    if state not in STATES:
        raise ValueError(f"forum post state must be one of {', '.join(STATES)}, not {state!r}")


class SQLiteForums:
    """Mixed into SQLiteStore: each write is one BEGIN IMMEDIATE transaction."""

    async def claim_forum_post(self: Any, post: ForumPost) -> bool:
        """True if this call claimed the post; False if it was claimed before (never reply twice)."""
        _check_state(post.state)
        async with self._transaction() as db:
            cur = await db.execute(
                "INSERT INTO forum_posts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, thread_id) DO NOTHING",
                (
                    post.guild_id,
                    post.thread_id,
                    post.channel_id,
                    post.poster_id,
                    post.entry_id,
                    post.query,
                    post.reply_id,
                    post.state,
                    now(),
                ),
            )
            return bool(cur.rowcount)

    async def set_forum_post(
        self: Any,
        guild_id: int,
        thread_id: int,
        state: str,
        *,
        reply_id: int | None = None,
        expect: tuple[str, ...] = (),
    ) -> bool:
        """Move a post to `state` (only from one of `expect`, if given). True if a row changed."""
        _check_state(state)
        where = f" AND state IN ({', '.join('?' * len(expect))})" if expect else ""
        async with self._transaction() as db:
            cur = await db.execute(
                "UPDATE forum_posts SET state = ?, reply_id = COALESCE(?, reply_id), at = ? "
                "WHERE guild_id = ? AND thread_id = ?" + where,
                (state, reply_id, now(), guild_id, thread_id, *expect),
            )
            return bool(cur.rowcount)

    async def get_forum_post(self: Any, guild_id: int, thread_id: int) -> ForumPost | None:
        async with self._db.execute(
            "SELECT * FROM forum_posts WHERE guild_id = ? AND thread_id = ?", (guild_id, thread_id)
        ) as cur:
            row = await cur.fetchone()
        return _post(row) if row else None


class PostgresForums:
    """Mixed into PostgresStore: each write is one statement (its own transaction)."""

    async def claim_forum_post(self: Any, post: ForumPost) -> bool:
        _check_state(post.state)
        async with self._conn() as conn:
            status = await conn.execute(
                "INSERT INTO forum_posts VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) "
                "ON CONFLICT (guild_id, thread_id) DO NOTHING",
                post.guild_id,
                post.thread_id,
                post.channel_id,
                post.poster_id,
                post.entry_id,
                post.query,
                post.reply_id,
                post.state,
                now(),
            )
        return str(status).endswith(" 1")

    async def set_forum_post(
        self: Any,
        guild_id: int,
        thread_id: int,
        state: str,
        *,
        reply_id: int | None = None,
        expect: tuple[str, ...] = (),
    ) -> bool:
        _check_state(state)
        where = " AND state = ANY($6::text[])" if expect else ""
        args: list[Any] = [state, reply_id, now(), guild_id, thread_id]
        if expect:
            args.append(list(expect))
        async with self._conn() as conn:
            status = await conn.execute(
                "UPDATE forum_posts SET state = $1, reply_id = COALESCE($2, reply_id), at = $3 "
                "WHERE guild_id = $4 AND thread_id = $5" + where,
                *args,
            )
        return str(status) != "UPDATE 0"

    async def get_forum_post(self: Any, guild_id: int, thread_id: int) -> ForumPost | None:
        async with self._conn() as conn:
            row = await conn.fetchrow(
                "SELECT * FROM forum_posts WHERE guild_id = $1 AND thread_id = $2", guild_id, thread_id
            )
        return _post(row) if row else None
