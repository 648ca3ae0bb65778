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


# -- Ask the experts: questions waiting for an expert ------------------------------------------

QUESTION_STATES = ("waiting", "proposed", "answered")

SQLITE_EXPERTS_MIGRATION = """
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
"""

POSTGRES_EXPERTS_MIGRATION = SQLITE_EXPERTS_MIGRATION.replace("INTEGER", "BIGINT")


@dataclass(frozen=True)
class ExpertQuestion:
    guild_id: int
    qid: str
    asker_id: int
    channel_id: int
    question: str
    state: str = "waiting"
    post_id: int | None = None
    answer: str | None = None
    expert_id: int | None = None
    entry_id: str | None = None
    asked_at: str | None = None


_QUESTION_FIELDS = ("post_id", "answer", "expert_id", "entry_id")


def _question(row: Any) -> ExpertQuestion:
    return ExpertQuestion(
        int(row["guild_id"]),
        str(row["qid"]),
        int(row["asker_id"]),
        int(row["channel_id"]),
        str(row["question"]),
        str(row["state"]),
        int(row["post_id"]) if row["post_id"] is not None else None,
        row["answer"],
        int(row["expert_id"]) if row["expert_id"] is not None else None,
        row["entry_id"],
        str(row["asked_at"]),
    )


def _check_question(state: str, fields: dict[str, Any]) -> None:
    if state not in QUESTION_STATES:
        raise ValueError(f"expert question state must be one of {', '.join(QUESTION_STATES)}, not {state!r}")
    unknown = set(fields) - set(_QUESTION_FIELDS)
    if unknown:
        raise ValueError(f"unknown expert question fields: {', '.join(sorted(unknown))}")


class SQLiteExperts:
    async def add_expert_question(self: Any, q: ExpertQuestion) -> None:
        _check_question(q.state, {})
        stamp = now()
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO expert_questions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (q.guild_id, q.qid, q.asker_id, q.channel_id, q.question, q.state, q.post_id,
                 q.answer, q.expert_id, q.entry_id, stamp, stamp),
            )  # fmt: skip

    async def set_expert_question(
        self: Any, guild_id: int, qid: str, state: str, *, expect: tuple[str, ...] = (), **fields: Any
    ) -> bool:
        """Move a question to `state` (only from one of `expect`, if given), setting `fields`."""
        _check_question(state, fields)
        sets = "".join(f", {k} = ?" for k in fields)
        where = f" AND state IN ({', '.join('?' * len(expect))})" if expect else ""
        async with self._transaction() as db:
            cur = await db.execute(
                f"UPDATE expert_questions SET state = ?, at = ?{sets} WHERE guild_id = ? AND qid = ?{where}",
                (state, now(), *fields.values(), guild_id, qid, *expect),
            )
            return bool(cur.rowcount)

    async def get_expert_question(self: Any, guild_id: int, qid: str) -> ExpertQuestion | None:
        async with self._db.execute(
            "SELECT * FROM expert_questions WHERE guild_id = ? AND qid = ?", (guild_id, qid)
        ) as cur:
            row = await cur.fetchone()
        return _question(row) if row else None

    async def waiting_expert_questions(self: Any, guild_id: int, limit: int = 10) -> list[ExpertQuestion]:
        async with self._db.execute(
            "SELECT * FROM expert_questions WHERE guild_id = ? AND state != 'answered' "
            "ORDER BY asked_at LIMIT ?",
            (guild_id, limit),
        ) as cur:
            return [_question(r) for r in await cur.fetchall()]


class PostgresExperts:
    async def add_expert_question(self: Any, q: ExpertQuestion) -> None:
        _check_question(q.state, {})
        stamp = now()
        async with self._conn() as conn:
            await conn.execute(
                "INSERT INTO expert_questions VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
                q.guild_id, q.qid, q.asker_id, q.channel_id, q.question, q.state, q.post_id,
                q.answer, q.expert_id, q.entry_id, stamp, stamp,
            )  # fmt: skip

    async def set_expert_question(
        self: Any, guild_id: int, qid: str, state: str, *, expect: tuple[str, ...] = (), **fields: Any
    ) -> bool:
        _check_question(state, fields)
        args: list[Any] = [state, now(), guild_id, qid, *fields.values()]
        sets = "".join(f", {k} = ${i}" for i, k in enumerate(fields, start=5))
        where = ""
        if expect:
            args.append(list(expect))
            where = f" AND state = ANY(${len(args)}::text[])"
        async with self._conn() as conn:
            status = await conn.execute(
                f"UPDATE expert_questions SET state = $1, at = $2{sets} "
                f"WHERE guild_id = $3 AND qid = $4{where}",
                *args,
            )
        return str(status) != "UPDATE 0"

    async def get_expert_question(self: Any, guild_id: int, qid: str) -> ExpertQuestion | None:
        async with self._conn() as conn:
            row = await conn.fetchrow(
                "SELECT * FROM expert_questions WHERE guild_id = $1 AND qid = $2", guild_id, qid
            )
        return _question(row) if row else None

    async def waiting_expert_questions(self: Any, guild_id: int, limit: int = 10) -> list[ExpertQuestion]:
        async with self._conn() as conn:
            rows = await conn.fetch(
                "SELECT * FROM expert_questions WHERE guild_id = $1 AND state != 'answered' "
                "ORDER BY asked_at LIMIT $2",
                guild_id,
                limit,
            )
        return [_question(r) for r in rows]
