"""PostgreSQL store over asyncpg: the same interface and behaviour as the SQLite store.

This is the backend for scale-out: several bot processes (Discord shards) on one database.

- Entries are kept as their lossless JSON (`json`, not `jsonb`: the text is kept verbatim)
  beside a content hash, the automatic summary computed at write time, a weighted `tsvector`
  (question A, phrasings B, tags C, answers D) for `search()` ranked by `ts_rank`, and a
  plain-text column that `pg_trgm`'s `word_similarity` uses to find typos when the extension
  is available (it is optional; without it search is full-text only).
- Every write is one transaction. Every write that changes what a matcher may return first
  bumps the store's revision counter (`UPDATE meta … RETURNING`): the row lock this takes
  serialises those writes across processes, so each revision is committed in order, and the
  entry row is then read `FOR UPDATE` — the read-change-write of `SqlStore.mutate` (the
  store's logic and SQL, shared with SQLite, are `bot/store/sql.py`) cannot race another
  process. Other processes poll `revision()` (see `FaqService.refresh`) to pick the change up.
- A server that cannot be reached is `Unavailable` ("the database is unreachable; nothing was
  changed"), the driver's error only in the log.
- `sync_global` takes a transaction-scoped advisory lock and re-reads inside it, so shards
  starting together sync data/ once, without duplicates or unique-key errors.
- Migrations are versioned in `schema_version` and applied under an advisory lock, so two
  processes starting at once against an empty database do not race.
- Timestamps are kept as the same ISO 8601 strings the SQLite store writes, so copying a
  store between backends (`faqbot migrate`) is exact.
"""

from __future__ import annotations

import logging
import re
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any, ClassVar

import asyncpg

from bot.models import Entry
from bot.store import redact_url as redact
from bot.store.base import GLOBAL, UNREACHABLE, StoreError, Unavailable
from bot.store.common import Cleaned, entry_record, migrations, storable_text, store_gid
from bot.store.forums import CommunityStore
from bot.store.sql import SqlStore

log = logging.getLogger("faqbot.store")

# Transaction-scoped advisory lock keys (per database). Arbitrary, fixed, faqbot's own.
MIGRATE_LOCK = 0x6661_7162_6F74_0001
SYNC_LOCK = 0x6661_7162_6F74_0002

TEXT_CONFIG = "english"  # Snowball English stemming, like the SQLite store's porter tokenizer
TYPO_SIMILARITY = 0.5  # pg_trgm word_similarity above which a typo'd search still finds an entry

MIGRATIONS: list[str] = migrations("postgres")  # bot/store/migrations/postgres/NNNN_*.sql

# Errors that mean "the server is gone or unreachable", as opposed to a bug or bad data.
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    TimeoutError,
    asyncpg.PostgresConnectionError,
    asyncpg.CannotConnectNowError,
    asyncpg.AdminShutdownError,
    asyncpg.TooManyConnectionsError,
    asyncpg.ConnectionDoesNotExistError,
    # A session killed while a statement is being prepared can leave the driver's protocol in
    # a state it reports as an internal error rather than a lost connection (seen in CI).
    asyncpg.InternalClientError,
)

_INSERT_ENTRY = f"""
    INSERT INTO entries (guild_id, id, data, content_hash, auto_summary, deleted, revision,
                         search_doc, search_text)
    VALUES ($1, $2, $3::json, $4, $5::json, $6, $7,
            setweight(to_tsvector('{TEXT_CONFIG}', $8), 'A')
            || setweight(to_tsvector('{TEXT_CONFIG}', $9), 'B')
            || setweight(to_tsvector('{TEXT_CONFIG}', $10), 'C')
            || setweight(to_tsvector('{TEXT_CONFIG}', $11), 'D'),
            $12)
"""

_UPDATE_ENTRY = f"""
    UPDATE entries SET data = $2::json, content_hash = $3, auto_summary = $4::json, revision = $5,
        search_doc = setweight(to_tsvector('{TEXT_CONFIG}', $6), 'A')
            || setweight(to_tsvector('{TEXT_CONFIG}', $7), 'B')
            || setweight(to_tsvector('{TEXT_CONFIG}', $8), 'C')
            || setweight(to_tsvector('{TEXT_CONFIG}', $9), 'D'),
        search_text = $10
    WHERE pk = $1
"""


def _search_fields(e: Entry) -> tuple[str, str, str, str, str]:
    """question, phrasings, tags, answers (for the tsvector) and the typo-matching text."""
    answers = "\n".join(f"{a.title}\n{a.text}" for a in e.answers)
    phrasings = "\n".join(e.phrasings)
    tags = " ".join(e.tags)
    typo = " ".join([e.question, *e.phrasings, *e.tags]).lower()
    return e.question, phrasings, tags, answers, typo


_PLACEHOLDER = re.compile(r"\?")


def _numbered(sql: str) -> str:
    """The shared SQL's `?` placeholders as PostgreSQL's `$1, $2, …` (no `?` appears otherwise)."""
    count = iter(range(1, 1000))
    return _PLACEHOLDER.sub(lambda _: f"${next(count)}", sql)


def _rowcount(status: str) -> int:
    """asyncpg returns the command tag ('UPDATE 3'); its last word is the row count."""
    try:
        return int(status.rsplit(" ", 1)[-1])
    except ValueError:
        return 0


def _open_error(url: str, exc: BaseException) -> StoreError:
    where = redact(url)
    if isinstance(exc, asyncpg.InvalidPasswordError):
        return StoreError(f"database {where}: password authentication failed; check the user and password")
    if isinstance(exc, asyncpg.InvalidAuthorizationSpecificationError):
        return StoreError(f"database {where}: the server refused this user: {exc}")
    if isinstance(exc, asyncpg.InvalidCatalogNameError):
        return StoreError(f"database {where}: the database does not exist (createdb it first): {exc}")
    if isinstance(exc, asyncpg.InsufficientPrivilegeError):
        return StoreError(f"database {where}: this user may not create faqbot's tables: {exc}")
    if isinstance(exc, TimeoutError):
        return StoreError(f"database {where}: no answer from the server (timed out)")
    if isinstance(exc, ConnectionRefusedError):
        return StoreError(f"database {where}: connection refused; is PostgreSQL running and listening there?")
    if isinstance(exc, OSError):
        return StoreError(f"database {where}: cannot connect: {exc.strerror or exc}")
    if isinstance(exc, asyncpg.ClientConfigurationError | ValueError):
        return StoreError(f"database {where}: invalid PostgreSQL URL: {exc}")
    return StoreError(f"database {where}: {type(exc).__name__}: {exc}")


class PostgresStore(CommunityStore, SqlStore):
    """Open with `await PostgresStore.open("postgresql://user:pass@host:5432/db")`."""

    FOR_UPDATE: ClassVar[str] = " FOR UPDATE"
    COLLATE_C: ClassVar[str] = ' COLLATE "C"'

    def __init__(self, pool: asyncpg.Pool, url: str, *, trigram: bool) -> None:
        self._pool = pool
        self.url = redact(url)
        self.trigram = trigram  # pg_trgm available: search() also finds typos

    @classmethod
    async def open(
        cls, url: str, *, min_size: int = 1, max_size: int = 5, connect_timeout: float = 10.0
    ) -> PostgresStore:
        try:
            pool = await asyncpg.create_pool(
                url, min_size=min_size, max_size=max_size, timeout=connect_timeout, command_timeout=60
            )
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError, ValueError) as exc:
            raise _open_error(url, exc) from None
        assert pool is not None
        try:
            trigram = await cls._migrate(pool)
        except StoreError:
            await pool.close()
            raise
        except (asyncpg.PostgresError, asyncpg.InterfaceError, OSError, TimeoutError) as exc:
            await pool.close()
            raise _open_error(url, exc) from None
        return cls(pool, url, trigram=trigram)

    @staticmethod
    async def _migrate(pool: asyncpg.Pool) -> bool:
        """Apply pending migrations (one transaction, under an advisory lock); True if pg_trgm."""
        async with pool.acquire() as conn, conn.transaction():
            await conn.execute("SELECT pg_advisory_xact_lock($1)", MIGRATE_LOCK)
            await conn.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
            version = await conn.fetchval("SELECT max(version) FROM schema_version") or 0
            if version > len(MIGRATIONS):
                raise StoreError(
                    f"database schema version {version} is newer than this faqbot "
                    f"({len(MIGRATIONS)}); upgrade faqbot"
                )
            for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
                await conn.execute(script)
                await conn.execute("INSERT INTO schema_version VALUES ($1)", number)
            if version == 0:  # optional typo matching; not fatal if the extension is not there
                try:
                    async with conn.transaction():  # a savepoint: a failure here keeps the rest
                        await conn.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
                except asyncpg.PostgresError:
                    pass
            return bool(await conn.fetchval("SELECT count(*) FROM pg_extension WHERE extname = 'pg_trgm'"))

    async def close(self) -> None:
        await self._pool.close()

    @asynccontextmanager
    async def _conn(self) -> AsyncIterator[asyncpg.Connection]:
        try:
            async with self._pool.acquire() as conn:
                yield conn
        except _CONNECTION_ERRORS as exc:
            log.warning("database %s is unavailable: %s: %s", self.url, type(exc).__name__, exc)
            raise Unavailable(UNREACHABLE) from exc

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Any]:
        async with self._conn() as conn, conn.transaction():
            yield Cleaned(conn)

    @asynccontextmanager
    async def _read(self) -> AsyncIterator[Any]:
        async with self._conn() as conn:
            yield Cleaned(conn)  # a key typed by someone (NUL…) is looked up as it was stored

    @asynccontextmanager
    async def _snapshot(self) -> AsyncIterator[Any]:
        async with self._conn() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            yield conn

    async def _all(self, conn: Any, sql: str, *args: Any) -> list[Any]:
        return list(await conn.fetch(_numbered(sql), *args))

    async def _one(self, conn: Any, sql: str, *args: Any) -> Any:
        return await conn.fetchrow(_numbered(sql), *args)

    async def _batches(self, conn: Any, size: int, sql: str, *args: Any) -> AsyncIterator[list[Any]]:
        batch: list[Any] = []
        async for record in conn.cursor(_numbered(sql), *args, prefetch=size):  # needs a transaction
            batch.append(record)
            if len(batch) == size:
                yield batch
                batch = []
        if batch:
            yield batch

    async def _run(self, conn: Any, sql: str, *args: Any) -> int:
        return _rowcount(await conn.execute(_numbered(sql), *args))

    async def _many(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        await conn.executemany(_numbered(sql), rows)

    async def _bump(self, conn: asyncpg.Connection) -> int:
        value = await conn.fetchval(
            "UPDATE meta SET value = value + 1 WHERE key = 'revision' RETURNING value"
        )
        return int(value)

    async def _sync_lock(self, conn: Any) -> None:
        await conn.execute("SELECT pg_advisory_xact_lock($1)", SYNC_LOCK)

    # -- entries and their full-text index -------------------------------------------------------

    async def _write_entry(self, conn: Any, entry: Entry, auto: str | None, rev: int, pk: int | None) -> None:
        entry, data, chash = entry_record(entry)
        if pk is None:
            await conn.execute(
                _INSERT_ENTRY,
                store_gid(entry.guild_id),
                entry.id,
                data,
                chash,
                auto,
                False,
                rev,
                *_search_fields(entry),
            )
        else:
            await conn.execute(_UPDATE_ENTRY, pk, data, chash, auto, rev, *_search_fields(entry))

    async def _delete_entry(self, conn: Any, pk: int) -> None:
        await conn.execute("DELETE FROM entries WHERE pk = $1", pk)

    async def search(self, guild_id: int | None, text: str, limit: int = 25) -> list[str]:
        """Full-text filter for moderator lists, best first.

        `text` goes through `plainto_tsquery`, so it is never query syntax. Full-text hits
        (stemmed, all words) rank first by `ts_rank`; with pg_trgm, entries whose question,
        phrasings or tags are close to `text` (typos) follow.
        """
        words = storable_text(" ".join(text.split()[:20]))
        if not words:
            return []
        typo = "word_similarity($1, e.search_text)" if self.trigram else "0.0::real"
        sql = f"""
            SELECT e.id FROM (
                SELECT e.id, e.guild_id, e.search_doc @@ q AS hit,
                       ts_rank(e.search_doc, q) AS rank, {typo} AS similar
                FROM entries e, plainto_tsquery('{TEXT_CONFIG}', $1) q
                WHERE e.guild_id IN ($2, $3)
            ) e
            WHERE e.hit OR e.similar >= $4
            ORDER BY e.hit DESC, e.rank DESC, e.similar DESC, e.id COLLATE "C"
            LIMIT $5
        """
        async with self._conn() as conn:
            rows = await conn.fetch(sql, words.lower(), GLOBAL, store_gid(guild_id), TYPO_SIMILARITY, limit)
        return [row[0] for row in rows]

    async def integrity_check(self) -> str:
        """'ok', or what is inconsistent (schema version, revision counter)."""
        async with self._conn() as conn:
            version = await conn.fetchval("SELECT max(version) FROM schema_version")
            row = await conn.fetchrow(
                "SELECT (SELECT value FROM meta WHERE key = 'revision') AS rev, "
                "(SELECT coalesce(max(revision), 0) FROM entries) AS top"
            )
        if version != len(MIGRATIONS):
            return f"schema version {version}, expected {len(MIGRATIONS)}"
        if row is None or row["rev"] is None:
            return "the revision counter is missing"
        if row["top"] > row["rev"]:
            return f"an entry has revision {row['top']} above the store's counter {row['rev']}"
        return "ok"
