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
  entry row is then read `FOR UPDATE` — the read-change-write of `SqlWrites.mutate` (shared
  with SQLite, in `common.py`) cannot race another process. Other processes poll
  `revision()` (see `FaqService.refresh`) to pick the change up.
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

import json
import logging
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import asyncpg

from bot.models import Entry
from bot.serialize import entry_from_dict, summary_from_dict, summary_to_dict
from bot.store import redact_url as redact
from bot.store.base import (
    GLOBAL,
    UNREACHABLE,
    AuditRecord,
    FeedbackRecord,
    QueryRecord,
    QueryStat,
    Stats,
    StoredEntry,
    StoreDump,
    StoreError,
    Summarizer,
    SyncReport,
    Unavailable,
    plan_sync,
)
from bot.store.common import (
    Cleaned,
    SqlWrites,
    entry_record,
    migrations,
    normalise_query,
    now,
    storable_text,
    store_gid,
    summary_json,
    to_json,
)

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


def _search_fields(e: Entry) -> tuple[str, str, str, str, str]:
    """question, phrasings, tags, answers (for the tsvector) and the typo-matching text."""
    answers = "\n".join(f"{a.title}\n{a.text}" for a in e.answers)
    phrasings = "\n".join(e.phrasings)
    tags = " ".join(e.tags)
    typo = " ".join([e.question, *e.phrasings, *e.tags]).lower()
    return e.question, phrasings, tags, answers, typo


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


class PostgresStore(SqlWrites):
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
            log.warning("database %s is unavailable: %s: %s", self.url, type(exc).__name__, exc)
            raise Unavailable(UNREACHABLE) from exc

    @asynccontextmanager
    async def _transaction(self) -> AsyncIterator[Any]:
        async with self._conn() as conn, conn.transaction():
            yield Cleaned(conn)

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

    async def _entry_row(self, conn: Any, guild_id: int | None, entry_id: str) -> asyncpg.Record | None:
        row: asyncpg.Record | None = await conn.fetchrow(
            "SELECT pk, data, auto_summary, deleted, revision FROM entries "
            "WHERE guild_id = $1 AND id = $2 FOR UPDATE",
            store_gid(guild_id),
            entry_id,
        )
        return row

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

    async def _set_deleted(self, conn: Any, pk: int, deleted: bool, rev: int) -> None:
        await conn.execute("UPDATE entries SET deleted = $2, revision = $3 WHERE pk = $1", pk, deleted, rev)

    async def _set_auto_summary(self, conn: Any, pk: int, auto: str) -> None:
        await conn.execute("UPDATE entries SET auto_summary = $2::json WHERE pk = $1", pk, auto)

    async def _settings_row(self, conn: Any, guild_id: int) -> str | None:
        data = await conn.fetchval(
            "SELECT data FROM guild_settings WHERE guild_id = $1 FOR UPDATE", guild_id
        )
        return str(data) if data is not None else None

    async def _put_settings(self, conn: Any, guild_id: int, data: str) -> None:
        await conn.execute(
            "INSERT INTO guild_settings VALUES ($1, $2::json) "
            "ON CONFLICT (guild_id) DO UPDATE SET data = excluded.data",
            guild_id,
            data,
        )

    async def _hide(self, conn: Any, guild_id: int, entry_id: str, hidden: bool) -> bool:
        if hidden:
            status = await conn.execute(
                "INSERT INTO hidden_globals VALUES ($1, $2) ON CONFLICT DO NOTHING", guild_id, entry_id
            )
        else:
            status = await conn.execute(
                "DELETE FROM hidden_globals WHERE guild_id = $1 AND entry_id = $2", guild_id, entry_id
            )
        return _rowcount(status) > 0

    async def _forget(self, conn: Any, guild_id: int | None, query: str) -> None:
        await conn.execute(
            "DELETE FROM queries WHERE guild_id = $1 AND query = $2", store_gid(guild_id), query
        )

    async def _audit(
        self,
        conn: Any,
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
            actor,
            action,
            now(),
            to_json(changes),
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
            await self.write_sync(conn, existing, (added, updated, removed), summaries, rev)
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
            rows = await conn.fetch("SELECT pk, data, auto_summary, revision FROM entries")
        fresh = []
        for pk, data, stored, revision in rows:
            auto = to_json(summary_to_dict(summarize(entry_from_dict(json.loads(data)))))
            if auto != stored:  # unchanged summaries are not rewritten
                fresh.append((pk, auto, revision))
        async with self._transaction() as conn:
            # Only where the entry is still the version summarised (no write landed meanwhile).
            await conn.executemany(
                "UPDATE entries SET auto_summary = $2 WHERE pk = $1 AND revision = $3", fresh
            )
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

    # -- settings and stats ---------------------------------------------------------------

    async def get_settings(self, guild_id: int) -> dict[str, Any]:
        async with self._conn() as conn:
            data = await conn.fetchval("SELECT data FROM guild_settings WHERE guild_id = $1", guild_id)
        return json.loads(data) if data else {}

    async def record_query(
        self, guild_id: int | None, query: str, decision: str, entry_id: str | None
    ) -> None:
        q = normalise_query(query)
        if not q:
            return
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO queries AS t VALUES ($1, $2, 1, $3, $4, $5) "
                "ON CONFLICT (guild_id, query) DO UPDATE SET count = t.count + 1, "
                "unanswered = t.unanswered + excluded.unanswered, "
                "last_entry_id = excluded.last_entry_id, last_at = excluded.last_at",
                store_gid(guild_id),
                q,
                int(decision != "answer"),
                entry_id,
                now(),
            )

    async def record_feedback(self, guild_id: int | None, entry_id: str, user_id: int, helpful: bool) -> None:
        async with self._transaction() as conn:
            await conn.execute(
                "INSERT INTO feedback VALUES ($1, $2, $3, $4, $5) ON CONFLICT (guild_id, entry_id, user_id) "
                "DO UPDATE SET helpful = excluded.helpful, at = excluded.at",
                store_gid(guild_id),
                entry_id,
                user_id,
                helpful,
                now(),
            )

    async def forget_query(self, guild_id: int | None, query: str) -> None:
        async with self._transaction() as conn:
            await self._forget(conn, guild_id, normalise_query(query))

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
                entry, data, chash = entry_record(s.entry)
                rows.append(
                    (
                        store_gid(entry.guild_id),
                        entry.id,
                        data,
                        chash,
                        summary_json(s.auto_summary),
                        s.deleted,
                        s.revision,
                        *_search_fields(entry),
                    )
                )
            await conn.executemany(_INSERT_ENTRY, rows)
            await conn.executemany(
                "INSERT INTO hidden_globals VALUES ($1, $2)",
                [(g, i) for g, ids in dump.hidden.items() for i in sorted(ids)],
            )
            await conn.executemany(
                "INSERT INTO guild_settings VALUES ($1, $2::json)",
                [(g, to_json(data)) for g, data in dump.settings.items()],
            )
            await conn.executemany(
                "INSERT INTO audit (guild_id, entry_id, actor, action, at, changes) "
                "VALUES ($1, $2, $3, $4, $5, $6::json)",
                [
                    (a.guild_id, a.entry_id, a.actor, a.action, a.at, to_json(a.changes))
                    for a in dump.audit
                ],
            )
            await conn.executemany(
                "INSERT INTO queries VALUES ($1, $2, $3, $4, $5, $6)",
                [
                    (q.guild_id, q.query, q.count, q.unanswered, q.last_entry_id, q.last_at)
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

    async def clear(self) -> None:
        """Empty the store (everything `restore` wrote): `faqbot migrate` undoes a copy that
        did not verify, so the target is as it was and a re-run is possible."""
        async with self._transaction() as conn:
            await self._bump(conn)  # the meta row lock keeps every other writer out meanwhile
            await conn.execute("TRUNCATE " + ", ".join(_TABLES))
            await conn.execute("DELETE FROM meta WHERE key = 'summary_version'")
            await conn.execute("UPDATE meta SET value = 0 WHERE key = 'revision'")
