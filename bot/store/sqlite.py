"""SQLite store over aiosqlite: versioned migrations, WAL, foreign keys, FTS5.

The store's logic and SQL are `bot.store.sql.SqlStore`'s; this is what SQLite does its own
way: one connection whose write transactions are `BEGIN IMMEDIATE … COMMIT` (waiting for
another process's lock in short asyncio sleeps), an FTS5 table beside `entries` for `search`,
and a check before each write that the file at `path` is still the one the store opened: a
database deleted or replaced while the bot runs refuses writes instead of acknowledging them
into an unlinked file.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import random
import sqlite3
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any, ClassVar

import aiosqlite

from bot.models import Entry
from bot.store.base import GLOBAL, StoreError, Unavailable
from bot.store.common import Cleaned, entry_record, migrations, store_gid
from bot.store.forums import CommunityStore
from bot.store.sql import SqlStore

log = logging.getLogger("faqbot.store")
BUSY_HANDLER_MS = 50  # SQLite's own busy wait per statement (see _begin_immediate)

MIGRATIONS: list[str] = migrations("sqlite")  # bot/store/migrations/sqlite/NNNN_*.sql


def _fts_row(e: Entry) -> tuple[str, str, str, str]:
    answers = "\n".join(f"{a.title}\n{a.text}" for a in e.answers)
    return e.question, "\n".join(e.phrasings), " ".join(e.tags), answers


def _identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the file at `path`, or None if there is none."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return st.st_dev, st.st_ino


async def _wal_mode(db: aiosqlite.Connection, wait_s: float) -> None:
    """Switch a new file to WAL. The switch takes the file's lock and SQLite's busy handler is
    short here (BUSY_HANDLER_MS), so a process opening the file while another one migrates it
    would fail with "database is locked": retry until the store's busy timeout instead."""
    deadline = time.monotonic() + wait_s
    while True:
        try:
            await db.execute("PRAGMA journal_mode = WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            await asyncio.sleep(0.01 + random.random() * 0.02)


class SQLiteStore(CommunityStore, SqlStore):
    """Open with `await SQLiteStore.open(path)`; ':memory:' works for tests."""

    EXTRA_TABLES: ClassVar[tuple[str, ...]] = ("entries_fts",)

    def __init__(self, db: aiosqlite.Connection, path: str) -> None:
        self._db = db
        self.path = path
        self._write_lock = asyncio.Lock()
        # The file we opened; a path that later names another file (or none) means writes
        # would go to an unlinked file and vanish at the next start.
        self._file = _identity(path) if path != ":memory:" else None
        self._file_lost = False
        self._busy_timeout = 5.0  # seconds a write waits for another process's lock

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
            store._busy_timeout = busy_timeout_ms / 1000
            # Statements inside a transaction wait in SQLite's handler (rarely: the write lock is
            # held); taking the write lock waits in `_begin_immediate`, a few ms per try.
            await db.execute(f"PRAGMA busy_timeout = {min(int(busy_timeout_ms), BUSY_HANDLER_MS)}")
            await db.execute("PRAGMA foreign_keys = ON")
            if path != ":memory:":
                await _wal_mode(db, store._busy_timeout)
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

    def check_file(self) -> None:
        """StoreError (and one ERROR log line) if the database file was deleted or replaced
        since it was opened; writes are refused until it is back or the bot restarts."""
        if self._file is None:
            return
        lost = _identity(self.path) != self._file
        if lost != self._file_lost:
            self._file_lost = lost
            if lost:
                log.error(
                    "the database file %s was deleted or replaced while the bot was running; "
                    "writes are refused until the file is put back or the bot is restarted",
                    self.path,
                )
            else:
                log.warning("the database file %s is back; writes are accepted again", self.path)
        if lost:
            raise Unavailable(
                f"the database file {self.path} was deleted or replaced while the bot was running; "
                "restart the bot or put the file back; nothing was changed"
            )

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Any]:
        async with self._write_lock:
            self.check_file()
            await self._begin_immediate()
            try:
                yield Cleaned(self._db)
                await self._db.execute("COMMIT")
            except BaseException as exc:
                # SQLite has already rolled back after some errors (SQLITE_FULL, SQLITE_IOERR):
                # a second ROLLBACK would hide the real error behind "no transaction is active".
                if self._db.in_transaction:
                    await self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError):
                    raise self._operational(exc) from exc
                raise

    async def _begin_immediate(self) -> None:
        """Take the database's write lock, waiting up to the busy timeout.

        The waiting is done here, in short asyncio sleeps, rather than in SQLite's busy handler:
        that handler sleeps up to 100 ms between tries while blocking this connection's thread,
        so a process with a queue of writers (which hands the lock on within a millisecond)
        could starve another process's writer past the timeout.
        """
        deadline = time.monotonic() + self._busy_timeout
        while True:
            try:
                await self._db.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                busy = "locked" in str(exc) or "busy" in str(exc)
                if not busy or time.monotonic() >= deadline:
                    raise self._operational(exc) from exc
            await asyncio.sleep(random.uniform(0.0005, 0.003))

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

    # -- how statements run ------------------------------------------------------------------

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[Any]:
        yield Cleaned(self._db)  # a key typed by someone (NUL…) is looked up as it was stored

    @asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[Any]:
        async with self._write_lock:  # no write of ours interleaves; BEGIN gives one snapshot
            await self._db.execute("BEGIN")
            try:
                yield self._db
            finally:
                await self._db.execute("COMMIT")

    async def _all(self, conn: Any, sql: str, *args: Any) -> list[Any]:
        async with conn.execute(sql, args) as cur:
            return list(await cur.fetchall())

    async def _one(self, conn: Any, sql: str, *args: Any) -> Any:
        async with conn.execute(sql, args) as cur:
            return await cur.fetchone()

    async def _batches(self, conn: Any, size: int, sql: str, *args: Any) -> AsyncIterator[list[Any]]:
        async with conn.execute(sql, args) as cur:
            while rows := await cur.fetchmany(size):
                yield list(rows)

    async def _run(self, conn: Any, sql: str, *args: Any) -> int:
        cur = await conn.execute(sql, args)
        return int(cur.rowcount)

    async def _many(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await conn.executemany(sql, rows)

    async def _bump(self, conn: Any) -> int:
        await conn.execute("UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'revision'")
        row = await self._one(conn, "SELECT value FROM meta WHERE key = 'revision'")
        assert row is not None
        return int(row[0])

    async def revision(self) -> int:
        with contextlib.suppress(Unavailable):  # the refresh loop polls this: a lost file is
            self.check_file()  # logged (once) even when nobody writes
        return await super().revision()

    # -- entries and their full-text index -------------------------------------------------------

    async def _write_entry(self, conn: Any, entry: Entry, auto: str | None, rev: int, pk: int | None) -> None:
        entry, data, chash = entry_record(entry)
        if pk is None:
            cur = await conn.execute(
                "INSERT INTO entries (guild_id, id, data, content_hash, auto_summary, revision) "
                "VALUES (?, ?, ?, ?, ?, ?)",
                (store_gid(entry.guild_id), entry.id, data, chash, auto, rev),
            )
            pk = cur.lastrowid
        else:
            await conn.execute(
                "UPDATE entries SET data = ?, content_hash = ?, auto_summary = ?, revision = ? WHERE pk = ?",
                (data, chash, auto, rev, pk),
            )
            await conn.execute("DELETE FROM entries_fts WHERE rowid = ?", (pk,))
        await conn.execute(
            "INSERT INTO entries_fts (rowid, question, phrasings, tags, answers) VALUES (?, ?, ?, ?, ?)",
            (pk, *_fts_row(entry)),
        )

    async def _delete_entry(self, conn: Any, pk: int) -> None:
        await conn.execute("DELETE FROM entries WHERE pk = ?", (pk,))
        await conn.execute("DELETE FROM entries_fts WHERE rowid = ?", (pk,))

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

    async def integrity_check(self) -> str:
        async with self._db.execute("PRAGMA integrity_check") as cur:
            row = await cur.fetchone()
        return str(row[0]) if row else "no answer"

    async def backup(self, target: str | Path) -> None:
        """Online backup (consistent while the bot runs) via SQLite's backup API."""
        dest = await aiosqlite.connect(str(target))
        try:
            await self._db.backup(dest)
        finally:
            await dest.close()
