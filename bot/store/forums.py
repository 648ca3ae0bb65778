"""Issue 16's store tables, on `SqlStore`'s dialect primitives (one implementation, `?`
placeholders, both backends): help-forum posts the bot answered, and questions waiting for the
experts. Schemas: `migrations/<dialect>/0002_forum_posts.sql`, `0003_expert_questions.sql`,
`0005_expert_notify.sql`. Both tables are part of `dump`/`restore` (`faqbot migrate`) and of
`faqbot export` (`community_records`).

A post is *claimed* in one statement (INSERT … ON CONFLICT DO NOTHING) before the bot replies,
so replayed THREAD_CREATE events, reconnects or a second process never give a post two
replies; every state change is one conditional UPDATE (`expect`: only from these states), so
two clicks, two experts or two processes never both win.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.store.common import now

# Post states: claimed (reply being sent), replied, solved, rejected ("Not it"), failed (could not send).
STATES = ("claimed", "replied", "solved", "rejected", "failed")
QUESTION_STATES = ("waiting", "proposed", "answered")
NOTIFY = ("channel", "dm")  # how the member who asked is told: a reply without a ping, or a DM
_QUESTION_FIELDS = ("post_id", "answer", "expert_id", "entry_id")
_POST_COLUMNS = "guild_id, thread_id, channel_id, poster_id, entry_id, query, reply_id, state, at"
_QUESTION_COLUMNS = (
    "guild_id, qid, asker_id, channel_id, question, state, post_id, answer, expert_id, entry_id, "
    "asked_at, at, notify, reply_to"
)
# The audit actions of content that came from Discord messages (Save to FAQ, Ask the experts).
SAVED_ACTIONS = ("save from %", "save answers from %", "expert answer to question %")


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
    at: str | None = None  # when the state last changed (stamped by the store)


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
    at: str | None = None  # when the state last changed (stamped by the store)
    notify: str = "channel"  # NOTIFY
    reply_to: int | None = None  # the message "Find FAQ answer" was used on: the reply goes under it


@dataclass(frozen=True)
class SavedFromMessage:
    """An audit record of content saved from Discord messages (who, which entry, from where)."""

    guild_id: int
    entry_id: str
    actor: str
    action: str  # "save from <message link>", "expert answer to question <qid>", …
    at: str


@dataclass(frozen=True)
class CommunityRecords:
    forum_posts: tuple[ForumPost, ...]
    expert_questions: tuple[ExpertQuestion, ...]
    saved: tuple[SavedFromMessage, ...]


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def _post(row: Any) -> ForumPost:
    return ForumPost(
        int(row["guild_id"]), int(row["thread_id"]), int(row["channel_id"]), int(row["poster_id"]),
        str(row["entry_id"]), str(row["query"]), _int(row["reply_id"]), str(row["state"]),
        str(row["at"]),
    )  # fmt: skip


def _question(row: Any) -> ExpertQuestion:
    return ExpertQuestion(
        int(row["guild_id"]), str(row["qid"]), int(row["asker_id"]), int(row["channel_id"]),
        str(row["question"]), str(row["state"]), _int(row["post_id"]), row["answer"],
        _int(row["expert_id"]), row["entry_id"], str(row["asked_at"]), str(row["at"]),
        str(row["notify"]), _int(row["reply_to"]),
    )  # fmt: skip


def _check(state: str, states: tuple[str, ...], what: str) -> None:
    if state not in states:
        raise ValueError(f"{what} state must be one of {', '.join(states)}, not {state!r}")


def _in(expect: tuple[str, ...]) -> str:
    return f" AND state IN ({', '.join('?' * len(expect))})" if expect else ""


class CommunityStore:
    """Mixed into `SqlStore` (before it): uses its `_transaction`, `_read`, `_run`, `_one`, `_all`."""

    _transaction: Any
    _read: Any
    _run: Any
    _one: Any
    _all: Any
    _many: Any

    # -- help-forum posts ------------------------------------------------------------------------

    async def claim_forum_post(self, post: ForumPost) -> bool:
        """True if this call claimed the post; False if it was claimed before (never reply twice)."""
        _check(post.state, STATES, "forum post")
        async with self._transaction() as conn:
            changed = await self._run(
                conn,
                f"INSERT INTO forum_posts ({_POST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "ON CONFLICT (guild_id, thread_id) DO NOTHING",
                post.guild_id, post.thread_id, post.channel_id, post.poster_id,
                post.entry_id, post.query, post.reply_id, post.state, now(),
            )  # fmt: skip
        return bool(changed)

    async def set_forum_post(
        self, guild_id: int, thread_id: int, state: str, *, reply_id: int | None = None,
        expect: tuple[str, ...] = (),
    ) -> bool:  # fmt: skip
        """Move a post to `state` (only from one of `expect`, if given). True if a row changed."""
        _check(state, STATES, "forum post")
        async with self._transaction() as conn:
            changed = await self._run(
                conn,
                "UPDATE forum_posts SET state = ?, reply_id = COALESCE(?, reply_id), at = ? "
                "WHERE guild_id = ? AND thread_id = ?" + _in(expect),
                state, reply_id, now(), guild_id, thread_id, *expect,
            )  # fmt: skip
        return bool(changed)

    async def get_forum_post(self, guild_id: int, thread_id: int) -> ForumPost | None:
        async with self._read() as conn:
            row = await self._one(
                conn, "SELECT * FROM forum_posts WHERE guild_id = ? AND thread_id = ?", guild_id, thread_id
            )
        return _post(row) if row else None

    # -- questions waiting for the experts --------------------------------------------------------

    async def add_expert_question(self, q: ExpertQuestion) -> None:
        _check(q.state, QUESTION_STATES, "expert question")
        _check(q.notify, NOTIFY, "notify")
        stamp = now()
        async with self._transaction() as conn:
            await self._run(
                conn,
                f"INSERT INTO expert_questions ({_QUESTION_COLUMNS}) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                q.guild_id, q.qid, q.asker_id, q.channel_id, q.question, q.state, q.post_id,
                q.answer, q.expert_id, q.entry_id, stamp, stamp, q.notify, q.reply_to,
            )  # fmt: skip

    async def set_expert_notify(self, guild_id: int, qid: str, asker_id: int, notify: str) -> bool:
        """The member who asked chooses how they are told. True if it applies: their question,
        not answered yet (after that the choice was already used, so it is refused, not lost)."""
        _check(notify, NOTIFY, "notify")
        async with self._transaction() as conn:
            changed = await self._run(
                conn,
                "UPDATE expert_questions SET notify = ? "
                "WHERE guild_id = ? AND qid = ? AND asker_id = ? AND state <> 'answered'",
                notify, guild_id, qid, asker_id,
            )  # fmt: skip
        return bool(changed)

    async def set_expert_question(
        self, guild_id: int, qid: str, state: str, *, expect: tuple[str, ...] = (), **fields: Any
    ) -> bool:
        """Move a question to `state` (only from one of `expect`, if given), setting `fields`."""
        _check(state, QUESTION_STATES, "expert question")
        unknown = set(fields) - set(_QUESTION_FIELDS)
        if unknown:  # column names go into the SQL: only these
            raise ValueError(f"unknown expert question fields: {', '.join(sorted(unknown))}")
        sets = "".join(f", {k} = ?" for k in fields)
        async with self._transaction() as conn:
            changed = await self._run(
                conn,
                f"UPDATE expert_questions SET state = ?, at = ?{sets} "
                "WHERE guild_id = ? AND qid = ?" + _in(expect),
                state, now(), *fields.values(), guild_id, qid, *expect,
            )  # fmt: skip
        return bool(changed)

    async def get_expert_question(self, guild_id: int, qid: str) -> ExpertQuestion | None:
        async with self._read() as conn:
            row = await self._one(
                conn, "SELECT * FROM expert_questions WHERE guild_id = ? AND qid = ?", guild_id, qid
            )
        return _question(row) if row else None

    async def waiting_expert_questions(self, guild_id: int, limit: int = 10) -> list[ExpertQuestion]:
        async with self._read() as conn:
            rows = await self._all(
                conn,
                "SELECT * FROM expert_questions WHERE guild_id = ? AND state <> 'answered' "
                "ORDER BY asked_at, qid LIMIT ?",
                guild_id,
                limit,
            )
        return [_question(r) for r in rows]

    # -- copying and exporting -------------------------------------------------------------------

    async def _dump_community(self, conn: Any) -> tuple[tuple[ForumPost, ...], tuple[ExpertQuestion, ...]]:
        """Both tables, in a stable order, inside `dump`'s snapshot."""
        posts = await self._all(conn, f"SELECT {_POST_COLUMNS} FROM forum_posts ORDER BY guild_id, thread_id")
        questions = await self._all(
            conn, f"SELECT {_QUESTION_COLUMNS} FROM expert_questions ORDER BY guild_id, asked_at, qid"
        )
        return tuple(_post(r) for r in posts), tuple(_question(r) for r in questions)

    async def _restore_community(
        self, conn: Any, posts: tuple[ForumPost, ...], questions: tuple[ExpertQuestion, ...]
    ) -> None:
        """Rows as they were (stamps included), inside `restore`'s transaction."""
        await self._many(
            conn,
            f"INSERT INTO forum_posts ({_POST_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (p.guild_id, p.thread_id, p.channel_id, p.poster_id, p.entry_id, p.query, p.reply_id,
                 p.state, p.at or now())
                for p in posts
            ],
        )  # fmt: skip
        await self._many(
            conn,
            f"INSERT INTO expert_questions ({_QUESTION_COLUMNS}) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (q.guild_id, q.qid, q.asker_id, q.channel_id, q.question, q.state, q.post_id, q.answer,
                 q.expert_id, q.entry_id, q.asked_at or now(), q.at or now(), q.notify, q.reply_to)
                for q in questions
            ],
        )  # fmt: skip

    async def community_records(self, guild_id: int | None = None) -> CommunityRecords:
        """For `faqbot export`: one server's (or every server's) posts, questions and the audit
        of what was saved from Discord messages, read from one snapshot."""
        where = " WHERE guild_id = ?" if guild_id is not None else ""
        args = (guild_id,) if guild_id is not None else ()
        saved = " OR ".join("action LIKE ?" for _ in SAVED_ACTIONS)
        async with self._read() as conn:
            posts = await self._all(
                conn, f"SELECT {_POST_COLUMNS} FROM forum_posts{where} ORDER BY guild_id, thread_id", *args
            )
            questions = await self._all(
                conn,
                f"SELECT {_QUESTION_COLUMNS} FROM expert_questions{where} ORDER BY guild_id, asked_at, qid",
                *args,
            )
            audit = await self._all(
                conn,
                "SELECT guild_id, entry_id, actor, action, at FROM audit "
                f"WHERE ({saved}){' AND guild_id = ?' if args else ''} ORDER BY seq",
                *SAVED_ACTIONS,
                *args,
            )
        return CommunityRecords(
            tuple(_post(r) for r in posts),
            tuple(_question(r) for r in questions),
            tuple(SavedFromMessage(int(r[0]), r[1], r[2], r[3], r[4]) for r in audit),
        )
