"""PostgreSQL store over asyncpg: the same interface and behaviour as the SQLite store.

This is the backend for scale-out: several bot processes (Discord shards) on one database.

- Entries are kept as their lossless JSON (`json`, not `jsonb`: the text is kept verbatim)
  beside a content hash, the automatic summary computed at write time, a weighted `tsvector`
  (question A, phrasings B, tags C, answers D) for `search()` ranked by `ts_rank`, and a
  plain-text column that `pg_trgm`'s `word_similarity` uses to find typos when the extension
  is available (it is optional; without it search is full-text only).
- Every write is one transaction. Every write that changes what a matcher may return first
  bumps the store's revision counter (`UPDATE meta … RETURNING`): the row lock this takes
  serialises those writes across processes, so each revision is committed in order and the
  read-check-write inside `save()` cannot race another process. Other processes poll
  `revision()` (see `FaqService.refresh`) to pick the change up.
- `sync_global` takes a transaction-scoped advisory lock and re-reads inside it, so shards
  starting together sync data/ once, without duplicates or unique-key errors.
- Migrations are versioned in `schema_version` and applied under an advisory lock, so two
  processes starting at once against an empty database do not race.
- Timestamps are kept as the same ISO 8601 strings the SQLite store writes, so copying a
  store between backends (`faqbot migrate`) is exact.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from bot.models import Entry, Summary
from bot.serialize import content_hash, entry_from_dict, entry_to_dict, summary_from_dict, summary_to_dict
from bot.store import redact_url as redact
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

# Transaction-scoped advisory lock keys (per database). Arbitrary, fixed, faqbot's own.
MIGRATE_LOCK = 0x6661_7162_6F74_0001
SYNC_LOCK = 0x6661_7162_6F74_0002

TEXT_CONFIG = "english"  # Snowball English stemming, like the SQLite store's porter tokenizer
TYPO_SIMILARITY = 0.5  # pg_trgm word_similarity above which a typo'd search still finds an entry

MIGRATIONS: list[str] = [
    # 1: entries with full-text search, audit, settings, stats
    """
    CREATE TABLE meta (key TEXT PRIMARY KEY, value BIGINT NOT NULL);
    INSERT INTO meta VALUES ('revision', 0);
    CREATE TABLE entries (
        pk BIGSERIAL PRIMARY KEY,
        guild_id BIGINT NOT NULL,
        id TEXT NOT NULL,
        data JSON NOT NULL,
        content_hash TEXT NOT NULL,
        auto_summary JSON,
        deleted BOOLEAN NOT NULL DEFAULT FALSE,
        revision BIGINT NOT NULL,
        search_doc TSVECTOR NOT NULL,
        search_text TEXT NOT NULL,
        UNIQUE (guild_id, id)
    );
    CREATE INDEX entries_search ON entries USING GIN (search_doc);
    CREATE INDEX entries_revision ON entries (revision);
    CREATE TABLE audit (
        seq BIGSERIAL PRIMARY KEY,
        guild_id BIGINT NOT NULL,
        entry_id TEXT NOT NULL,
        actor TEXT NOT NULL,
        action TEXT NOT NULL,
        at TEXT NOT NULL,
        changes JSON NOT NULL
    );
    CREATE INDEX audit_entry ON audit (guild_id, entry_id, seq);
    CREATE TABLE hidden_globals (
        guild_id BIGINT NOT NULL,
        entry_id TEXT NOT NULL,
        PRIMARY KEY (guild_id, entry_id)
    );
    CREATE TABLE guild_settings (
        guild_id BIGINT PRIMARY KEY,
        data JSON NOT NULL
    );
    CREATE TABLE queries (
        guild_id BIGINT NOT NULL,
        query TEXT NOT NULL,
        count BIGINT NOT NULL,
        unanswered BIGINT NOT NULL,
        last_entry_id TEXT,
        last_at TEXT NOT NULL,
        PRIMARY KEY (guild_id, query)
    );
    CREATE TABLE feedback (
        guild_id BIGINT NOT NULL,
        entry_id TEXT NOT NULL,
        user_id BIGINT NOT NULL,
        helpful BOOLEAN NOT NULL,
        at TEXT NOT NULL,
        PRIMARY KEY (guild_id, entry_id, user_id)
    );
    """,
]

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

_TABLES = ("entries", "audit", "hidden_globals", "guild_settings", "queries", "feedback")

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


def _clean(text: str) -> str:
    return text.replace("\x00", "")  # PostgreSQL text cannot hold NUL


def _search_fields(e: Entry) -> tuple[str, str, str, str, str]:
    """question, phrasings, tags, answers (for the tsvector) and the typo-matching text."""
    answers = "\n".join(f"{a.title}\n{a.text}" for a in e.answers)
    phrasings = "\n".join(e.phrasings)
    tags = " ".join(e.tags)
    typo = " ".join([e.question, *e.phrasings, *e.tags]).lower()
    return _clean(e.question), _clean(phrasings), _clean(tags), _clean(answers), _clean(typo)


def _entry_json(entry: Entry, summary: Summary | None) -> tuple[str, str | None]:
    data = json.dumps(entry_to_dict(entry), ensure_ascii=False)
    auto = json.dumps(summary_to_dict(summary), ensure_ascii=False) if summary else None
    return data, auto


def _stored(row: asyncpg.Record) -> StoredEntry:
    auto = row["auto_summary"]
    return StoredEntry(
        entry=entry_from_dict(json.loads(row["data"])),
        auto_summary=summary_from_dict(json.loads(auto), curated=False) if auto else None,
        deleted=bool(row["deleted"]),
        revision=int(row["revision"]),
    )


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


class PostgresStore:
    """Open with `await PostgresStore.open("postgresql://user:pass@host:5432/db")`."""

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
            raise StoreError(f"database {self.url} is unavailable: {type(exc).__name__}: {exc}") from exc

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[asyncpg.Connection]:
        async with self._conn() as conn, conn.transaction():
            yield conn

    async def _bump(self, conn: asyncpg.Connection) -> int:
        value = await conn.fetchval(
            "UPDATE meta SET value = value + 1 WHERE key = 'revision' RETURNING value"
        )
        return int(value)

    async def revision(self) -> int:
        async with self._conn() as conn:
            value = await conn.fetchval("SELECT value FROM meta WHERE key = 'revision'")
        return int(value or 0)

    # -- entries -------------------------------------------------------------------------

    async def _write_entry(
        self,
        conn: asyncpg.Connection,
        entry: Entry,
        summary: Summary | None,
        rev: int,
        pk: int | None,
    ) -> None:
        data, auto = _entry_json(entry, summary)
        if pk is None:
            await conn.execute(
                _INSERT_ENTRY,
                store_gid(entry.guild_id),
                entry.id,
                data,
                content_hash(entry),
                auto,
                False,
                rev,
                *_search_fields(entry),
            )
        else:
            await conn.execute(
                _UPDATE_ENTRY, pk, data, content_hash(entry), auto, rev, *_search_fields(entry)
            )

    async def _delete_entry(self, conn: asyncpg.Connection, pk: int) -> None:
        await conn.execute("DELETE FROM entries WHERE pk = $1", pk)

    async def _audit(
        self,
        conn: asyncpg.Connection,
        guild_id: int | None,
        entry_id: str,
        actor: str,
        action: str,
        changes: dict[str, Any],
    ) -> None:
        await conn.execute(
            "INSERT INTO audit (guild_id, entry_id, actor, action, at, changes) "
            "VALUES ($1, $2, $3, $4, $5, $6::json)",
            store_gid(guild_id),
            entry_id,
            _clean(actor),
            action,
            now(),
            json.dumps(changes, ensure_ascii=False),
        )

    async def _global_rows(self, conn: asyncpg.Connection) -> dict[str, asyncpg.Record]:
        rows = await conn.fetch("SELECT pk, id, content_hash, data FROM entries WHERE guild_id = $1", GLOBAL)
        return {row["id"]: row for row in rows}

    async def sync_global(self, entries: Sequence[Entry], summarize: Summarizer) -> SyncReport:
        """Make the global entries equal `entries` (from data/). Guild entries are untouched.

        Safe when several processes start at once: the diff is recomputed under an advisory
        lock, so whoever comes second finds the work done.
        """
        wanted = {e.id: e for e in entries}

        def plan(existing: dict[str, asyncpg.Record]) -> tuple[list[Entry], list[Entry], list[str]]:
            return plan_sync({i: r["content_hash"] for i, r in existing.items()}, wanted)

        async with self._conn() as conn:
            added, updated, removed = plan(await self._global_rows(conn))
        if not (added or updated or removed):
            return SyncReport(unchanged=len(wanted))
        summaries = {e.id: summarize(e) for e in [*added, *updated]}  # outside the transaction
        async with self._transaction() as conn:
            await conn.execute("SELECT pg_advisory_xact_lock($1)", SYNC_LOCK)
            existing = await self._global_rows(conn)
            added, updated, removed = plan(existing)
            if not (added or updated or removed):  # another process did it meanwhile
                return SyncReport(unchanged=len(wanted))
            for e in [*added, *updated]:
                if e.id not in summaries:
                    summaries[e.id] = summarize(e)
            rev = await self._bump(conn)
            await write_sync(self, conn, existing, (added, updated, removed), summaries, rev)
        return SyncReport(
            added=tuple(e.id for e in added),
            updated=tuple(e.id for e in updated),
            removed=tuple(removed),
            unchanged=len(wanted) - len(added) - len(updated),
        )

    async def refresh_summaries(self, version: int, summarize: Summarizer) -> int:
        """Recompute every automatic summary once when the summariser's version changes."""
        async with self._conn() as conn:
            current = await conn.fetchval("SELECT value FROM meta WHERE key = 'summary_version'")
            if current is not None and int(current) == version:
                return 0
            rows = await conn.fetch("SELECT pk, data, auto_summary FROM entries")
        fresh = []
        for pk, data, stored in rows:
            auto = json.dumps(
                summary_to_dict(summarize(entry_from_dict(json.loads(data)))), ensure_ascii=False
            )
            if auto != stored:  # unchanged summaries are not rewritten
                fresh.append((pk, auto))
        async with self._transaction() as conn:
            await conn.executemany("UPDATE entries SET auto_summary = $2 WHERE pk = $1", fresh)
            await conn.execute(
                "INSERT INTO meta VALUES ('summary_version', $1) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                version,
            )
            if fresh:
                await self._bump(conn)
        return len(fresh)

    async def load_all(self, since_revision: int = 0) -> list[StoredEntry]:
        async with self._conn() as conn:
            rows = await conn.fetch(
                "SELECT data, auto_summary, deleted, revision FROM entries WHERE revision > $1 "
                'ORDER BY guild_id, id COLLATE "C"',
                since_revision,
            )
        return [_stored(row) for row in rows]

    async def get(self, guild_id: int | None, entry_id: str) -> StoredEntry | None:
        async with self._conn() as conn:
            row = await conn.fetchrow(
                "SELECT data, auto_summary, deleted, revision FROM entries WHERE guild_id = $1 AND id = $2",
                store_gid(guild_id),
                entry_id,
            )
        return _stored(row) if row else None

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
        async with self._transaction() as conn:
            rev = await self._bump(conn)  # first: serialises this read-check-write across processes
            row = await conn.fetchrow(
                "SELECT pk, data FROM entries WHERE guild_id = $1 AND id = $2", entry.guild_id, entry.id
            )
            old = stored_entry(row["data"] if row else None)
            entry = edited(entry, old, actor=actor, create=create)
            await self._write_entry(conn, entry, auto_summary, rev, row["pk"] if row else None)
            await self._audit(conn, entry.guild_id, entry.id, actor, action, diff(old, entry))
        return entry

    async def save_many(self, entries: Sequence[Entry], summaries: Sequence[Summary], *, actor: str) -> None:
        """Restore exported guild entries as they were (metadata kept), all in one transaction."""
        if any(e.guild_id is None for e in entries):
            raise ReadOnly("global entries come from data/; put their YAML files there instead")
        async with self._transaction() as conn:
            rev = await self._bump(conn)
            for entry, summary in zip(entries, summaries, strict=True):
                row = await conn.fetchrow(
                    "SELECT pk, data FROM entries WHERE guild_id = $1 AND id = $2", entry.guild_id, entry.id
                )
                old = stored_entry(row["data"] if row else None)
                entry = restored(entry, actor=actor)
                await self._write_entry(conn, entry, summary, rev, row["pk"] if row else None)
                if row:
                    await conn.execute("UPDATE entries SET deleted = FALSE WHERE pk = $1", row["pk"])
                await self._audit(conn, entry.guild_id, entry.id, actor, "import", diff(old, entry))

    async def set_deleted(self, guild_id: int, entry_id: str, deleted: bool, *, actor: str) -> None:
        async with self._transaction() as conn:
            rev = await self._bump(conn)
            status = await conn.execute(
                "UPDATE entries SET deleted = $1, revision = $2 "
                "WHERE guild_id = $3 AND id = $4 AND deleted = $5",
                deleted,
                rev,
                guild_id,
                entry_id,
                not deleted,
            )
            if _rowcount(status) == 0:
                state = "already removed" if deleted else "not removed"
                exists = await conn.fetchval(
                    "SELECT 1 FROM entries WHERE guild_id = $1 AND id = $2", guild_id, entry_id
                )
                raise NotFound(f"entry {entry_id!r} is {state}" if exists else f"no entry {entry_id!r}")
            await self._audit(conn, guild_id, entry_id, actor, "remove" if deleted else "restore", {})

    async def set_hidden(self, guild_id: int, entry_id: str, hidden: bool, *, actor: str) -> None:
        async with self._transaction() as conn:
            await self._bump(conn)  # hiding changes what the guild's matcher may return
            if hidden:
                await conn.execute(
                    "INSERT INTO hidden_globals VALUES ($1, $2) ON CONFLICT DO NOTHING", guild_id, entry_id
                )
            else:
                await conn.execute(
                    "DELETE FROM hidden_globals WHERE guild_id = $1 AND entry_id = $2", guild_id, entry_id
                )
            await self._audit(conn, guild_id, entry_id, actor, "hide" if hidden else "unhide", {})

    async def hidden(self, guild_id: int) -> set[str]:
        async with self._conn() as conn:
            rows = await conn.fetch("SELECT entry_id FROM hidden_globals WHERE guild_id = $1", guild_id)
        return {row[0] for row in rows}

    async def all_hidden(self) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {}
        async with self._conn() as conn:
            for row in await conn.fetch("SELECT guild_id, entry_id FROM hidden_globals"):
                out.setdefault(int(row[0]), set()).add(row[1])
        return out

    async def history(self, guild_id: int | None, entry_id: str) -> list[AuditRecord]:
        async with self._conn() as conn:
            rows = await conn.fetch(
                "SELECT guild_id, entry_id, actor, action, at, changes FROM audit "
                "WHERE guild_id = $1 AND entry_id = $2 ORDER BY seq",
                store_gid(guild_id),
                entry_id,
            )
        return [AuditRecord(int(r[0]), r[1], r[2], r[3], r[4], json.loads(r[5])) for r in rows]

    async def search(self, guild_id: int | None, text: str, limit: int = 25) -> list[str]:
        """Full-text filter for moderator lists, best first.

        `text` goes through `plainto_tsquery`, so it is never query syntax. Full-text hits
        (stemmed, all words) rank first by `ts_rank`; with pg_trgm, entries whose question,
        phrasings or tags are close to `text` (typos) follow.
        """
        words = _clean(" ".join(text.split()[:20]))
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

    # -- settings and stats ---------------------------------------------------------------

    async def get_settings(self, guild_id: int) -> dict[str, Any]:
        async with self._conn() as conn:
            data = await conn.fetchval("SELECT data FROM guild_settings WHERE guild_id = $1", guild_id)
        return json.loads(data) if data else {}

    async def set_settings(self, guild_id: int, settings: dict[str, Any], *, actor: str) -> None:
        async with self._transaction() as conn:
            # Bumped so other processes reload (their FaqService caches settings until a reload).
            await self._bump(conn)
            data = await conn.fetchval("SELECT data FROM guild_settings WHERE guild_id = $1", guild_id)
            old = json.loads(data) if data else {}
            await conn.execute(
                "INSERT INTO guild_settings VALUES ($1, $2::json) "
                "ON CONFLICT (guild_id) DO UPDATE SET data = excluded.data",
                guild_id,
                json.dumps(settings),
            )
            changes = {
                k: [old.get(k), settings.get(k)]
                for k in set(old) | set(settings)
                if old.get(k) != settings.get(k)
            }
            await self._audit(conn, guild_id, "*settings*", actor, "settings", changes)

    async def record_query(
        self, guild_id: int | None, query: str, decision: str, entry_id: str | None
    ) -> None:
        q = _clean(normalise_query(query))
        if not q:
            return
        async with self._conn() as conn:  # one statement: its own transaction
            await conn.execute(
                "INSERT INTO queries AS t VALUES ($1, $2, 1, $3, $4, $5) "
                "ON CONFLICT (guild_id, query) DO UPDATE SET count = t.count + 1, "
                "unanswered = t.unanswered + excluded.unanswered, "
                "last_entry_id = COALESCE(excluded.last_entry_id, t.last_entry_id), "
                "last_at = excluded.last_at",
                store_gid(guild_id),
                q,
                int(decision != "answer"),
                entry_id,
                now(),
            )

    async def record_feedback(self, guild_id: int | None, entry_id: str, user_id: int, helpful: bool) -> None:
        async with self._conn() as conn:
            await conn.execute(
                "INSERT INTO feedback VALUES ($1, $2, $3, $4, $5) ON CONFLICT (guild_id, entry_id, user_id) "
                "DO UPDATE SET helpful = excluded.helpful, at = excluded.at",
                store_gid(guild_id),
                entry_id,
                user_id,
                helpful,
                now(),
            )

    async def propose_entry(self, guild_id: int | None, query: str, entry_id: str | None) -> bool:
        """A member picked `entry_id` for an unanswered query (None: "none of these"); kept
        for a moderator to approve in /faq stats. False if the query is not unanswered."""
        async with self._conn() as conn:  # one statement: its own transaction
            status = await conn.execute(
                "UPDATE queries SET last_entry_id = $1 WHERE guild_id = $2 AND query = $3 AND unanswered > 0",
                entry_id,
                store_gid(guild_id),
                _clean(normalise_query(query)),
            )
        return str(status).split()[-1] != "0"

    async def forget_query(self, guild_id: int | None, query: str) -> None:
        async with self._conn() as conn:
            await conn.execute(
                "DELETE FROM queries WHERE guild_id = $1 AND query = $2",
                store_gid(guild_id),
                _clean(normalise_query(query)),
            )

    async def stats(self, guild_id: int | None, limit: int = 10) -> Stats:
        gid = store_gid(guild_id)
        async with self._conn() as conn:
            top = await conn.fetch(
                "SELECT query, count, unanswered, last_entry_id FROM queries WHERE guild_id = $1 "
                'ORDER BY count DESC, query COLLATE "C" LIMIT $2',
                gid,
                limit,
            )
            unanswered = await conn.fetch(
                "SELECT query, count, unanswered, last_entry_id FROM queries WHERE guild_id = $1 "
                'AND unanswered > 0 ORDER BY unanswered DESC, query COLLATE "C" LIMIT $2',
                gid,
                limit,
            )
            feedback = await conn.fetch(
                "SELECT entry_id, count(*) FILTER (WHERE helpful), count(*) FILTER (WHERE NOT helpful) "
                "FROM feedback WHERE guild_id = $1 GROUP BY entry_id",
                gid,
            )

        def stat(r: asyncpg.Record) -> QueryStat:
            return QueryStat(r[0], int(r[1]), int(r[2]), r[3])

        return Stats(
            tuple(map(stat, top)),
            tuple(map(stat, unanswered)),
            {r[0]: (int(r[1]), int(r[2])) for r in feedback},
        )

    async def entry_counts(self) -> dict[str, int]:
        async with self._conn() as conn:
            row = await conn.fetchrow(
                "SELECT count(*) FILTER (WHERE guild_id = 0), "
                "count(*) FILTER (WHERE guild_id <> 0 AND NOT deleted), "
                "count(DISTINCT guild_id) FILTER (WHERE guild_id <> 0) FROM entries"
            )
        assert row is not None
        return {"global": int(row[0]), "guild": int(row[1]), "guilds": int(row[2])}

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

    # -- copying between stores (faqbot migrate) ---------------------------------------------

    async def dump(self) -> StoreDump:
        """Everything, from one snapshot (a repeatable-read, read-only transaction)."""
        async with self._conn() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
            revision = int(await conn.fetchval("SELECT value FROM meta WHERE key = 'revision'"))
            entries = await conn.fetch(
                'SELECT data, auto_summary, deleted, revision FROM entries ORDER BY guild_id, id COLLATE "C"'
            )
            hidden: dict[int, set[str]] = {}
            for r in await conn.fetch("SELECT guild_id, entry_id FROM hidden_globals"):
                hidden.setdefault(int(r[0]), set()).add(r[1])
            settings = await conn.fetch("SELECT guild_id, data FROM guild_settings ORDER BY guild_id")
            audit = await conn.fetch(
                "SELECT guild_id, entry_id, actor, action, at, changes FROM audit ORDER BY seq"
            )
            queries = await conn.fetch(
                "SELECT guild_id, query, count, unanswered, last_entry_id, last_at FROM queries "
                'ORDER BY guild_id, query COLLATE "C"'
            )
            feedback = await conn.fetch(
                "SELECT guild_id, entry_id, user_id, helpful, at FROM feedback "
                'ORDER BY guild_id, entry_id COLLATE "C", user_id'
            )
        return StoreDump(
            revision=revision,
            entries=tuple(_stored(r) for r in entries),
            hidden={g: frozenset(ids) for g, ids in hidden.items()},
            settings={int(r[0]): json.loads(r[1]) for r in settings},
            audit=tuple(AuditRecord(int(r[0]), r[1], r[2], r[3], r[4], json.loads(r[5])) for r in audit),
            queries=tuple(QueryRecord(int(r[0]), r[1], int(r[2]), int(r[3]), r[4], r[5]) for r in queries),
            feedback=tuple(FeedbackRecord(int(r[0]), r[1], int(r[2]), bool(r[3]), r[4]) for r in feedback),
        )

    async def restore(self, dump: StoreDump) -> None:
        """Load a dump into this empty store, as it was (revisions included), in one transaction."""
        async with self._transaction() as conn:
            current = await self._bump(conn) - 1  # also locks out every other writer meanwhile
            counts = await conn.fetchval(
                "SELECT " + " + ".join(f"(SELECT count(*) FROM {t})" for t in _TABLES)
            )
            if counts:
                raise StoreError("the destination store is not empty; restore needs an empty one")
            rows = []
            for s in dump.entries:
                data, auto = _entry_json(s.entry, s.auto_summary)
                rows.append(
                    (
                        store_gid(s.entry.guild_id),
                        s.entry.id,
                        data,
                        content_hash(s.entry),
                        auto,
                        s.deleted,
                        s.revision,
                        *_search_fields(s.entry),
                    )
                )
            await conn.executemany(_INSERT_ENTRY, rows)
            await conn.executemany(
                "INSERT INTO hidden_globals VALUES ($1, $2)",
                [(g, i) for g, ids in dump.hidden.items() for i in sorted(ids)],
            )
            await conn.executemany(
                "INSERT INTO guild_settings VALUES ($1, $2::json)",
                [(g, json.dumps(data)) for g, data in dump.settings.items()],
            )
            await conn.executemany(
                "INSERT INTO audit (guild_id, entry_id, actor, action, at, changes) "
                "VALUES ($1, $2, $3, $4, $5, $6::json)",
                [
                    (a.guild_id, a.entry_id, _clean(a.actor), a.action, a.at, json.dumps(a.changes))
                    for a in dump.audit
                ],
            )
            await conn.executemany(
                "INSERT INTO queries VALUES ($1, $2, $3, $4, $5, $6)",
                [
                    (q.guild_id, _clean(q.query), q.count, q.unanswered, q.last_entry_id, q.last_at)
                    for q in dump.queries
                ],
            )
            await conn.executemany(
                "INSERT INTO feedback VALUES ($1, $2, $3, $4, $5)",
                [(f.guild_id, f.entry_id, f.user_id, f.helpful, f.at) for f in dump.feedback],
            )
            # The copy keeps the source's revisions; a store others already watched moves on.
            revision = dump.revision if current == 0 else max(dump.revision, current + 1)
            await conn.execute("UPDATE meta SET value = $1 WHERE key = 'revision'", revision)
