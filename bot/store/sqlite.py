"""SQLite store over aiosqlite: versioned migrations, WAL, foreign keys, FTS5.

Entries are kept as their lossless JSON (the same shape as the YAML files) beside a content
hash, the automatic summary computed at write time, and an FTS5 row for full-text search.
Every write runs inside one `BEGIN IMMEDIATE … COMMIT`; any error rolls back.
"""

from __future__ import annotations

import asyncio
import json
import sqlite3
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiosqlite

from bot.models import Entry, Summary
from bot.serialize import content_hash, entry_from_dict, entry_to_dict, summary_from_dict, summary_to_dict
from bot.store.base import (
    GLOBAL,
    AuditRecord,
    FeedbackRecord,
    NotFound,
    QueryRecord,
    QueryStat,
    ReadOnly,
    Stats,
    StoredEntry,
    StoreDump,
    StoreError,
    Summarizer,
    SyncReport,
    plan_sync,
)
from bot.store.common import diff, edited, normalise_query, now, restored, store_gid, stored_entry, write_sync

MIGRATIONS: list[str] = [
    # 1: entries, FTS, audit, settings, stats
    """
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
    """,
]


def _fts_row(e: Entry) -> tuple[str, str, str, str]:
    answers = "\n".join(f"{a.title}\n{a.text}" for a in e.answers)
    return e.question, "\n".join(e.phrasings), " ".join(e.tags), answers


class SQLiteStore:
    """Open with `await SQLiteStore.open(path)`; ':memory:' works for tests."""

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._db = db
        self.path = path
        self._write_lock = asyncio.Lock()

    @classmethod
    async def open(cls, path: str | Path, *, busy_timeout_ms: int = 5000) -> SQLiteStore:
        path = str(path)
        if path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        try:
            db = await aiosqlite.connect(path, isolation_level=None)
        except sqlite3.Error as exc:
            raise StoreError(f"cannot open database {path}: {exc}") from exc
        db.row_factory = aiosqlite.Row
        store = cls(db, path)
        try:
            await db.execute(f"PRAGMA busy_timeout = {int(busy_timeout_ms)}")
            await db.execute("PRAGMA foreign_keys = ON")
            if path != ":memory:":
                await db.execute("PRAGMA journal_mode = WAL")
                await db.execute("PRAGMA synchronous = NORMAL")
            await store._migrate()
        except sqlite3.DatabaseError as exc:
            await db.close()
            raise StoreError(f"{path} is not a usable faqbot database: {exc}") from exc
        except BaseException:  # StoreError (busy, newer schema): close, or the worker thread lingers
            await db.close()
            raise
        return store

    async def close(self) -> None:
        await self._db.close()

    async def _migrate(self) -> None:
        # The version is read inside each BEGIN IMMEDIATE, so processes opening a new file at
        # the same moment migrate it once, one after the other.
        while True:
            async with self._transaction() as db:
                async with db.execute("PRAGMA user_version") as cur:
                    row = await cur.fetchone()
                version = int(row[0]) if row else 0
                if version > len(MIGRATIONS):
                    raise StoreError(
                        f"database schema version {version} is newer than this faqbot "
                        f"({len(MIGRATIONS)}); upgrade faqbot"
                    )
                if version == len(MIGRATIONS):
                    return
                for statement in filter(str.strip, MIGRATIONS[version].split(";\n")):
                    await db.execute(statement)
                await db.execute(f"PRAGMA user_version = {version + 1}")

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[aiosqlite.Connection]:
        async with self._write_lock:
            try:
                await self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError as exc:
                raise self._operational(exc) from exc
            try:
                yield self._db
                await self._db.execute("COMMIT")
            except BaseException as exc:
                # SQLite has already rolled back after some errors (SQLITE_FULL, SQLITE_IOERR):
                # a second ROLLBACK would hide the real error behind "no transaction is active".
                if self._db.in_transaction:
                    await self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise self._operational(exc) from exc
                raise

    def _operational(self, exc: sqlite3.OperationalError) -> StoreError:
        """A busy, locked or full database as a StoreError saying what happened; nothing was written."""
        text = str(exc)
        if "locked" in text or "busy" in text:
            return StoreError(
                f"the database {self.path} is busy (another process held it longer than the busy "
                f"timeout); nothing was saved — try again: {text}"
            )
        if "full" in text:
            return StoreError(
                f"the database {self.path} or its disk is full; nothing was saved — free disk space "
                f"(or raise the database size limit) and try again: {text}"
            )
        return StoreError(f"database error on {self.path}; nothing was saved: {text}")

    async def _bump(self, db: aiosqlite.Connection) -> int:
        await db.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
        async with db.execute("SELECT value FROM meta WHERE key = 'revision'") as cur:
            row = await cur.fetchone()
        assert row is not None
        return int(row[0])

    async def revision(self) -> int:
        async with self._db.execute("SELECT value FROM meta WHERE key = 'revision'") as cur:
            row = await cur.fetchone()
        return int(row[0]) if row else 0

    # -- entries -------------------------------------------------------------------------

    async def _write_entry(
        self,
        db: aiosqlite.Connection,
        entry: Entry,
        summary: Summary | None,
        rev: int,
        pk: int | None,
    ) -> None:
        data = json.dumps(entry_to_dict(entry), ensure_ascii=False)
        auto = json.dumps(summary_to_dict(summary), ensure_ascii=False) if summary else None
        if pk is None:
            cur = await db.execute(
                "INSERT INTO entries (guild_id, id, data, content_hash, auto_summary, revision) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (store_gid(entry.guild_id), entry.id, data, content_hash(entry), auto, rev),
            )
            pk = cur.lastrowid
        else:
            await db.execute(
                "UPDATE entries SET data = ?, content_hash = ?, auto_summary = ?, revision = ? WHERE pk = ?",
                (data, content_hash(entry), auto, rev, pk),
            )
            await db.execute("DELETE FROM entries_fts WHERE rowid = ?", (pk,))
        await db.execute(
            "INSERT INTO entries_fts (rowid, question, phrasings, tags, answers) VALUES (?, ?, ?, ?, ?)",
            (pk, *_fts_row(entry)),
        )

    async def _delete_entry(self, db: aiosqlite.Connection, pk: int) -> None:
        await db.execute("DELETE FROM entries WHERE pk = ?", (pk,))
        await db.execute("DELETE FROM entries_fts WHERE rowid = ?", (pk,))

    async def _audit(
        self,
        db: aiosqlite.Connection,
        guild_id: int | None,
        entry_id: str,
        actor: str,
        action: str,
        changes: dict[str, Any],
    ) -> None:
        await db.execute(
            "INSERT INTO audit (guild_id, entry_id, actor, action, at, changes) VALUES (?, ?, ?, ?, ?, ?)",
            (store_gid(guild_id), entry_id, actor, action, now(), json.dumps(changes, ensure_ascii=False)),
        )

    async def sync_global(self, entries: Sequence[Entry], summarize: Summarizer) -> SyncReport:
        """Make the global entries equal `entries` (from data/). Guild entries are untouched."""
        async with self._db.execute(
            "SELECT pk, id, content_hash, data FROM entries WHERE guild_id = ?", (GLOBAL,)
        ) as cur:
            existing = {row["id"]: row for row in await cur.fetchall()}
        wanted = {e.id: e for e in entries}
        added, updated, removed = plan_sync({i: r["content_hash"] for i, r in existing.items()}, wanted)
        if not (added or updated or removed):
            return SyncReport(unchanged=len(wanted))
        summaries = {e.id: summarize(e) for e in [*added, *updated]}  # outside the transaction
        async with self._transaction() as db:
            # Another process may have synced since the read above: decide again, under the lock.
            async with db.execute(
                "SELECT pk, id, content_hash, data FROM entries WHERE guild_id = ?", (GLOBAL,)
            ) as cur:
                existing = {row["id"]: row for row in await cur.fetchall()}
            added, updated, removed = plan_sync({i: r["content_hash"] for i, r in existing.items()}, wanted)
            if not (added or updated or removed):
                return SyncReport(unchanged=len(wanted))
            for e in [*added, *updated]:
                if e.id not in summaries:
                    summaries[e.id] = summarize(e)
            rev = await self._bump(db)
            await write_sync(self, db, existing, (added, updated, removed), summaries, rev)
        return SyncReport(
            added=tuple(e.id for e in added),
            updated=tuple(e.id for e in updated),
            removed=tuple(removed),
            unchanged=len(wanted) - len(added) - len(updated),
        )

    async def refresh_summaries(self, version: int, summarize: Summarizer) -> int:
        """Recompute every automatic summary once when the summariser's version changes."""
        async with self._db.execute("SELECT value FROM meta WHERE key = 'summary_version'") as cur:
            row = await cur.fetchone()
        if row is not None and int(row[0]) == version:
            return 0
        async with self._db.execute("SELECT pk, data, auto_summary FROM entries") as cur:
            rows = await cur.fetchall()
        fresh = []
        for row in rows:
            auto = json.dumps(
                summary_to_dict(summarize(entry_from_dict(json.loads(row["data"])))), ensure_ascii=False
            )
            if auto != row["auto_summary"]:  # unchanged summaries are not rewritten
                fresh.append((auto, row["pk"]))
        async with self._transaction() as db:
            await db.executemany("UPDATE entries SET auto_summary = ? WHERE pk = ?", fresh)
            await db.execute("INSERT OR REPLACE INTO meta VALUES ('summary_version', ?)", (str(version),))
            if fresh:
                await self._bump(db)
        return len(fresh)

    def _stored(self, row: aiosqlite.Row) -> StoredEntry:
        auto = row["auto_summary"]
        return StoredEntry(
            entry=entry_from_dict(json.loads(row["data"])),
            auto_summary=summary_from_dict(json.loads(auto), curated=False) if auto else None,
            deleted=bool(row["deleted"]),
            revision=row["revision"],
        )

    async def load_all(self, since_revision: int = 0) -> list[StoredEntry]:
        async with self._db.execute(
            "SELECT data, auto_summary, deleted, revision FROM entries WHERE revision > ? "
            "ORDER BY guild_id, id",
            (since_revision,),
        ) as cur:
            return [self._stored(row) for row in await cur.fetchall()]

    async def get(self, guild_id: int | None, entry_id: str) -> StoredEntry | None:
        async with self._db.execute(
            "SELECT data, auto_summary, deleted, revision FROM entries WHERE guild_id = ? AND id = ?",
            (store_gid(guild_id), entry_id),
        ) as cur:
            row = await cur.fetchone()
        return self._stored(row) if row else None

    async def save(
        self,
        entry: Entry,
        auto_summary: Summary,
        *,
        actor: str,
        action: str,
        create: bool | None = None,
    ) -> Entry:
        """Insert or update a guild entry. `create=True` refuses an existing id, False a new one."""
        if entry.guild_id is None:
            raise ReadOnly("global entries come from data/ and are read-only here")
        async with self._transaction() as db:
            async with db.execute(
                "SELECT pk, data FROM entries WHERE guild_id = ? AND id = ?", (entry.guild_id, entry.id)
            ) as cur:
                row = await cur.fetchone()
            old = stored_entry(row["data"] if row else None)
            entry = edited(entry, old, actor=actor, create=create)
            rev = await self._bump(db)
            await self._write_entry(db, entry, auto_summary, rev, row["pk"] if row else None)
            await self._audit(db, entry.guild_id, entry.id, actor, action, diff(old, entry))
        return entry

    async def save_many(self, entries: Sequence[Entry], summaries: Sequence[Summary], *, actor: str) -> None:
        """Restore exported guild entries as they were (metadata kept), all in one transaction."""
        if any(e.guild_id is None for e in entries):
            raise ReadOnly("global entries come from data/; put their YAML files there instead")
        async with self._transaction() as db:
            rev = await self._bump(db)
            for entry, summary in zip(entries, summaries, strict=True):
                async with db.execute(
                    "SELECT pk, data FROM entries WHERE guild_id = ? AND id = ?", (entry.guild_id, entry.id)
                ) as cur:
                    row = await cur.fetchone()
                old = stored_entry(row["data"] if row else None)
                entry = restored(entry, actor=actor)
                await self._write_entry(db, entry, summary, rev, row["pk"] if row else None)
                if row:
                    await db.execute("UPDATE entries SET deleted = 0 WHERE pk = ?", (row["pk"],))
                await self._audit(db, entry.guild_id, entry.id, actor, "import", diff(old, entry))

    async def set_deleted(self, guild_id: int, entry_id: str, deleted: bool, *, actor: str) -> None:
        async with self._transaction() as db:
            rev = await self._bump(db)
            cur = await db.execute(
                "UPDATE entries SET deleted = ?, revision = ? WHERE guild_id = ? AND id = ? AND deleted = ?",
                (int(deleted), rev, guild_id, entry_id, int(not deleted)),
            )
            if cur.rowcount == 0:
                state = "already removed" if deleted else "not removed"
                exists = await self.get(guild_id, entry_id)
                raise NotFound(f"entry {entry_id!r} is {state}" if exists else f"no entry {entry_id!r}")
            await self._audit(db, guild_id, entry_id, actor, "remove" if deleted else "restore", {})

    async def set_hidden(self, guild_id: int, entry_id: str, hidden: bool, *, actor: str) -> None:
        async with self._transaction() as db:
            await self._bump(db)  # hiding changes what the guild's matcher may return
            if hidden:
                await db.execute("INSERT OR IGNORE INTO hidden_globals VALUES (?, ?)", (guild_id, entry_id))
            else:
                await db.execute(
                    "DELETE FROM hidden_globals WHERE guild_id = ? AND entry_id = ?", (guild_id, entry_id)
                )
            await self._audit(db, guild_id, entry_id, actor, "hide" if hidden else "unhide", {})

    async def hidden(self, guild_id: int) -> set[str]:
        async with self._db.execute(
            "SELECT entry_id FROM hidden_globals WHERE guild_id = ?", (guild_id,)
        ) as cur:
            return {row[0] for row in await cur.fetchall()}

    async def all_hidden(self) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {}
        async with self._db.execute("SELECT guild_id, entry_id FROM hidden_globals") as cur:
            for row in await cur.fetchall():
                out.setdefault(row[0], set()).add(row[1])
        return out

    async def history(self, guild_id: int | None, entry_id: str) -> list[AuditRecord]:
        async with self._db.execute(
            "SELECT guild_id, entry_id, actor, action, at, changes FROM audit "
            "WHERE guild_id = ? AND entry_id = ? ORDER BY seq",
            (store_gid(guild_id), entry_id),
        ) as cur:
            return [AuditRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5])) for r in await cur.fetchall()]

    async def search(self, guild_id: int | None, text: str, limit: int = 25) -> list[str]:
        """Full-text filter for moderator lists; `text` is quoted so it can never be FTS syntax."""
        words = text.replace("\x00", " ").split()[:20]  # NUL would end FTS5's string early
        terms = " ".join('"' + t.replace('"', '""') + '"' for t in words)
        if not terms:
            return []
        async with self._db.execute(
            "SELECT e.id FROM entries_fts f JOIN entries e ON e.pk = f.rowid "
            "WHERE entries_fts MATCH ? AND e.guild_id IN (?, ?) "
            "ORDER BY bm25(entries_fts, 10.0, 5.0, 3.0, 1.0) LIMIT ?",
            (terms, GLOBAL, store_gid(guild_id), limit),
        ) as cur:
            return [row[0] for row in await cur.fetchall()]

    # -- settings and stats ---------------------------------------------------------------

    async def get_settings(self, guild_id: int) -> dict[str, Any]:
        async with self._db.execute("SELECT data FROM guild_settings WHERE guild_id = ?", (guild_id,)) as cur:
            row = await cur.fetchone()
        return json.loads(row[0]) if row else {}

    async def set_settings(self, guild_id: int, settings: dict[str, Any], *, actor: str) -> None:
        old = await self.get_settings(guild_id)
        async with self._transaction() as db:
            await self._bump(db)  # other processes reload (FaqService caches settings until then)
            await db.execute(
                "INSERT INTO guild_settings VALUES (?, ?) "
                "ON CONFLICT (guild_id) DO UPDATE SET data = excluded.data",
                (guild_id, json.dumps(settings)),
            )
            changes = {
                k: [old.get(k), settings.get(k)]
                for k in set(old) | set(settings)
                if old.get(k) != settings.get(k)
            }
            await self._audit(db, guild_id, "*settings*", actor, "settings", changes)

    async def record_query(
        self, guild_id: int | None, query: str, decision: str, entry_id: str | None
    ) -> None:
        q = normalise_query(query)
        if not q:
            return
        unanswered = int(decision != "answer")
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO queries VALUES (?, ?, 1, ?, ?, ?) ON CONFLICT (guild_id, query) DO UPDATE "
                "SET count = count + 1, unanswered = unanswered + excluded.unanswered, "
                "last_entry_id = COALESCE(excluded.last_entry_id, last_entry_id), last_at = excluded.last_at",
                (store_gid(guild_id), q, unanswered, entry_id, now()),
            )

    async def propose_entry(self, guild_id: int | None, query: str, entry_id: str | None) -> bool:
        """A member picked `entry_id` for an unanswered query (None: "none of these"); kept
        for a moderator to approve in /faq stats. False if the query is not unanswered."""
        async with self._transaction() as db:
            cur = await db.execute(
                "UPDATE queries SET last_entry_id = ? WHERE guild_id = ? AND query = ? AND unanswered > 0",
                (entry_id, store_gid(guild_id), normalise_query(query)),
            )
            return cur.rowcount > 0

    async def record_feedback(self, guild_id: int | None, entry_id: str, user_id: int, helpful: bool) -> None:
        async with self._transaction() as db:
            await db.execute(
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, entry_id, user_id) "
                "DO UPDATE SET helpful = excluded.helpful, at = excluded.at",
                (store_gid(guild_id), entry_id, user_id, int(helpful), now()),
            )

    async def forget_query(self, guild_id: int | None, query: str) -> None:
        async with self._transaction() as db:
            await db.execute(
                "DELETE FROM queries WHERE guild_id = ? AND query = ?",
                (store_gid(guild_id), normalise_query(query)),
            )

    async def stats(self, guild_id: int | None, limit: int = 10) -> Stats:
        gid = store_gid(guild_id)

        async def rows(sql: str) -> list[QueryStat]:
            async with self._db.execute(sql, (gid, limit)) as cur:
                return [QueryStat(r[0], r[1], r[2], r[3]) for r in await cur.fetchall()]

        top = await rows(
            "SELECT query, count, unanswered, last_entry_id FROM queries WHERE guild_id = ? "
            "ORDER BY count DESC, query LIMIT ?"
        )
        unanswered = await rows(
            "SELECT query, count, unanswered, last_entry_id FROM queries WHERE guild_id = ? "
            "AND unanswered > 0 ORDER BY unanswered DESC, query LIMIT ?"
        )
        async with self._db.execute(
            "SELECT entry_id, SUM(helpful), SUM(1 - helpful) FROM feedback WHERE guild_id = ? "
            "GROUP BY entry_id",
            (gid,),
        ) as cur:
            feedback = {r[0]: (int(r[1]), int(r[2])) for r in await cur.fetchall()}
        return Stats(tuple(top), tuple(unanswered), feedback)

    async def entry_counts(self) -> dict[str, int]:
        async with self._db.execute(
            "SELECT SUM(guild_id = 0), SUM(guild_id != 0 AND deleted = 0), "
            "COUNT(DISTINCT CASE WHEN guild_id != 0 THEN guild_id END) FROM entries"
        ) as cur:
            row = await cur.fetchone()
        assert row is not None
        return {"global": row[0] or 0, "guild": row[1] or 0, "guilds": row[2] or 0}

    async def integrity_check(self) -> str:
        async with self._db.execute("PRAGMA integrity_check") as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else "no answer"

    # -- copying between stores (faqbot migrate) ---------------------------------------------

    async def dump(self) -> StoreDump:
        """Everything, read in one snapshot (a read transaction sees one state of the file)."""
        async with self._write_lock:  # no write of ours interleaves; BEGIN gives one snapshot
            await self._db.execute("BEGIN")
            try:
                revision = await self.revision()
                entries = await self.load_all()
                hidden = {g: frozenset(ids) for g, ids in (await self.all_hidden()).items()}
                async with self._db.execute(
                    "SELECT guild_id, data FROM guild_settings ORDER BY guild_id"
                ) as c:
                    settings = {r[0]: json.loads(r[1]) for r in await c.fetchall()}
                async with self._db.execute(
                    "SELECT guild_id, entry_id, actor, action, at, changes FROM audit ORDER BY seq"
                ) as c:
                    audit = tuple(
                        AuditRecord(r[0], r[1], r[2], r[3], r[4], json.loads(r[5]))
                        for r in await c.fetchall()
                    )
                async with self._db.execute(
                    "SELECT guild_id, query, count, unanswered, last_entry_id, last_at FROM queries "
                    "ORDER BY guild_id, query"
                ) as c:
                    queries = tuple(QueryRecord(*r) for r in await c.fetchall())
                async with self._db.execute(
                    "SELECT guild_id, entry_id, user_id, helpful, at FROM feedback "
                    "ORDER BY guild_id, entry_id, user_id"
                ) as c:
                    feedback = tuple(
                        FeedbackRecord(r[0], r[1], r[2], bool(r[3]), r[4]) for r in await c.fetchall()
                    )
            finally:
                await self._db.execute("COMMIT")
        return StoreDump(revision, tuple(entries), hidden, settings, audit, queries, feedback)

    async def restore(self, dump: StoreDump) -> None:
        """Load a dump into this empty store, as it was (revisions included), in one transaction."""
        async with self._transaction() as db:
            async with db.execute(
                "SELECT (SELECT COUNT(*) FROM entries) + (SELECT COUNT(*) FROM audit) "
                "+ (SELECT COUNT(*) FROM guild_settings) + (SELECT COUNT(*) FROM queries) "
                "+ (SELECT COUNT(*) FROM feedback) + (SELECT COUNT(*) FROM hidden_globals)"
            ) as cur:
                row = await cur.fetchone()
            if row and row[0]:
                raise StoreError("the destination store is not empty; restore needs an empty one")
            for stored in dump.entries:
                await self._write_entry(db, stored.entry, stored.auto_summary, stored.revision, None)
                if stored.deleted:
                    await db.execute(
                        "UPDATE entries SET deleted = 1 WHERE guild_id = ? AND id = ?",
                        (store_gid(stored.entry.guild_id), stored.entry.id),
                    )
            await db.executemany(
                "INSERT INTO hidden_globals VALUES (?, ?)",
                [(g, i) for g, ids in dump.hidden.items() for i in sorted(ids)],
            )
            await db.executemany(
                "INSERT INTO guild_settings VALUES (?, ?)",
                [(g, json.dumps(data)) for g, data in dump.settings.items()],
            )
            await db.executemany(
                "INSERT INTO audit (guild_id, entry_id, actor, action, at, changes) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (
                        a.guild_id,
                        a.entry_id,
                        a.actor,
                        a.action,
                        a.at,
                        json.dumps(a.changes, ensure_ascii=False),
                    )
                    for a in dump.audit
                ],
            )
            await db.executemany(
                "INSERT INTO queries VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (q.guild_id, q.query, q.count, q.unanswered, q.last_entry_id, q.last_at)
                    for q in dump.queries
                ],
            )
            await db.executemany(
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?)",
                [(f.guild_id, f.entry_id, f.user_id, int(f.helpful), f.at) for f in dump.feedback],
            )
            # The copy keeps the source's revisions; a store others already watched moves on.
            current = await self.revision()
            revision = dump.revision if current == 0 else max(dump.revision, current + 1)
            await db.execute("UPDATE meta SET value = ? WHERE key = 'revision'", (str(revision),))

    async def backup(self, target: str | Path) -> None:
        """Online backup (consistent while the bot runs) via SQLite's backup API."""
        dest = await aiosqlite.connect(str(target))
        try:
            await self._db.backup(dest)
        finally:
            await dest.close()
