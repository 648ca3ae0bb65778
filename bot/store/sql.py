"""The one SQL store: everything SQLite and PostgreSQL do alike, written once.

`SqlStore` holds the store's logic and its SQL, written with `?` placeholders in the SQL both
dialects accept. A backend (`sqlite.py`, `postgres.py`) subclasses it and supplies only what
really differs: connecting and migrating, how a write transaction is made exclusive, how a
statement is run (`_all`, `_one`, `_run`, `_many`; PostgreSQL turns `?` into `$n`), the
revision counter's increment, the full-text index an entry write maintains, and `search`.

Writes: every write runs in ONE transaction that first bumps the store's revision (on
PostgreSQL the counter's row lock orders every writer across processes; SQLite's
`BEGIN IMMEDIATE` does the same for the file), then reads the CURRENT row (`FOR UPDATE` where
the dialect has it), applies a pure change, validates, writes and audits — or refuses. So
concurrent writers, coroutines or processes, each apply on top of the others' committed work
(docs/internals.md, "Writes").
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Any, ClassVar

from bot.models import Entry, Summary
from bot.serialize import content_hash, entry_from_dict, summary_from_dict, summary_to_dict
from bot.store.base import (
    ALL_GUILDS,
    GLOBAL,
    AuditRecord,
    Change,
    FeedbackRecord,
    GuildScope,
    Mutation,
    NotFound,
    PhrasingsChange,
    QueryRecord,
    QueryStat,
    ReadOnly,
    Stats,
    StoredEntry,
    StoredSettingsChange,
    StoreDump,
    StoreError,
    Summarizer,
    SyncReport,
    plan_sync,
)
from bot.store.common import (
    SETTINGS_KEY,
    conflict,
    diff,
    edited,
    entry_record,
    normalise_query,
    now,
    pack_text,
    restored,
    settings_diff,
    storable,
    store_gid,
    stored_entry,
    summary_json,
    to_json,
    unpack_text,
)

_ENTRY = "data, auto_summary, deleted, revision, content_hash"
_AUDIT = "guild_id, entry_id, actor, action, at, changes"
_TABLES = (
    "entries", "audit", "hidden_globals", "guild_settings", "queries", "feedback",
    "guild_phrasings", "forum_posts", "expert_questions",
)  # fmt: skip


class _Rollback(Exception):
    """Raised inside a transaction to undo it quietly (a conditional write that does not apply)."""


def _stored(row: Mapping[str, Any], *, summary: bool = True) -> StoredEntry:
    auto = row["auto_summary"] if summary else None
    return StoredEntry(
        entry=entry_from_dict(json.loads(row["data"])),
        auto_summary=decode_summary(auto),
        deleted=bool(row["deleted"]),
        revision=int(row["revision"]),
        content_hash=row["content_hash"],
    )


def decode_summary(auto: str | None) -> Summary | None:
    """An automatic summary as a row stores it (JSON) → `Summary`."""
    return summary_from_dict(json.loads(auto), curated=False) if auto else None


def _audit_record(r: Sequence[Any]) -> AuditRecord:
    return AuditRecord(int(r[0]), r[1], r[2], r[3], r[4], json.loads(r[5]))


class SqlStore:
    """The store over a SQL dialect; see the module docstring for what a backend supplies."""

    FOR_UPDATE: ClassVar[str] = ""  # row locks inside a write transaction, where the dialect has them
    COLLATE_C: ClassVar[str] = ""  # byte order for text sort keys (SQLite's default already)
    EXTRA_TABLES: ClassVar[tuple[str, ...]] = ()  # the dialect's own tables `clear` empties too

    # -- per-dialect primitives ------------------------------------------------------------------

    # Issue 16's tables: `CommunityStore` (bot/store/forums.py), which every backend mixes in.
    async def _dump_community(self, conn: Any) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
        raise NotImplementedError

    async def _restore_community(self, conn: Any, posts: tuple[Any, ...], questions: tuple[Any, ...]) -> None:
        raise NotImplementedError

    def _read(self) -> AbstractAsyncContextManager[Any]:
        """A connection for reads (no transaction of its own)."""
        raise NotImplementedError

    def _transaction(self) -> AbstractAsyncContextManager[Any]:
        """A write transaction (commit on success); its connection is `Cleaned`."""
        raise NotImplementedError

    def _snapshot(self) -> AbstractAsyncContextManager[Any]:
        """A read transaction that sees one state of the whole store (for `dump`)."""
        raise NotImplementedError

    async def _all(self, conn: Any, sql: str, *args: Any) -> list[Any]:
        raise NotImplementedError

    async def _one(self, conn: Any, sql: str, *args: Any) -> Any:
        raise NotImplementedError

    def _batches(self, conn: Any, size: int, sql: str, *args: Any) -> AsyncIterator[list[Any]]:
        """The rows of a query, `size` at a time (inside `_snapshot`)."""
        raise NotImplementedError

    async def _run(self, conn: Any, sql: str, *args: Any) -> int:
        """Execute; the number of rows it changed."""
        raise NotImplementedError

    async def _many(self, conn: Any, sql: str, rows: Sequence[Sequence[Any]]) -> None:
        raise NotImplementedError

    async def _bump(self, conn: Any) -> int:
        """Advance the store's revision counter; every writer does it first (lock order)."""
        raise NotImplementedError

    async def _write_entry(self, conn: Any, entry: Entry, auto: str | None, rev: int, pk: int | None) -> None:
        """Insert (pk None) or update an entry row and its full-text index."""
        raise NotImplementedError

    async def _delete_entry(self, conn: Any, pk: int) -> None:
        raise NotImplementedError

    async def _sync_lock(self, conn: Any) -> None:
        """Serialise data/ syncs of processes starting together (beyond the revision lock)."""

    # -- rows --------------------------------------------------------------------------------------

    async def _entry_row(self, conn: Any, guild_id: int | None, entry_id: str) -> Any:
        """pk, data, auto_summary, deleted, revision of one entry, locked for this transaction."""
        return await self._one(
            conn,
            f"SELECT pk, {_ENTRY} FROM entries WHERE guild_id = ? AND id = ?{self.FOR_UPDATE}",
            store_gid(guild_id),
            entry_id,
        )

    async def _audit(
        self, conn: Any, guild_id: int | None, entry_id: str, actor: str, action: str, changes: dict[str, Any]
    ) -> None:
        await self._run(
            conn,
            f"INSERT INTO audit ({_AUDIT}) VALUES (?, ?, ?, ?, ?, ?)",
            store_gid(guild_id),
            entry_id,
            actor,
            action,
            now(),
            to_json(changes),
        )

    async def _forget(self, conn: Any, guild_id: int | None, query: str) -> None:
        await self._run(
            conn, "DELETE FROM queries WHERE guild_id = ? AND query = ?", store_gid(guild_id), query
        )

    async def _global_rows(self, conn: Any) -> dict[str, Any]:
        rows = await self._all(
            conn, "SELECT pk, id, content_hash, data FROM entries WHERE guild_id = ?", GLOBAL
        )
        return {row["id"]: row for row in rows}

    # -- reads -------------------------------------------------------------------------------------

    async def revision(self) -> int:
        async with self._read() as conn:
            row = await self._one(conn, "SELECT value FROM meta WHERE key = 'revision'")
        return int(row[0]) if row else 0

    async def load_all(self, since_revision: int = 0, scope: GuildScope = ALL_GUILDS) -> list[StoredEntry]:
        """Entries written after `since_revision`: the global ones and those of the guilds
        `scope` holds (a shard process reads only its own guilds' rows)."""
        return [_stored(row) for row in await self._entry_rows(since_revision, scope)]

    async def load_rows(
        self, since_revision: int = 0, scope: GuildScope = ALL_GUILDS
    ) -> list[tuple[StoredEntry, str | None]]:
        """`load_all`'s entries without their automatic summary, which comes beside each as the
        row stores it (JSON, `decode_summary`): a reader holding every entry decodes only
        the summaries it shows (at 100k entries the decoded ones took ~110 MB)."""
        rows = await self._entry_rows(since_revision, scope)
        return [(_stored(row, summary=False), row["auto_summary"]) for row in rows]

    async def load_row_batches(
        self, scope: GuildScope = ALL_GUILDS, size: int = 2000
    ) -> AsyncIterator[list[tuple[StoredEntry, str | None]]]:
        """`load_rows()` as batches of `size` rows read from one snapshot, in the same order:
        a reader holding every entry never has all the raw rows at once (at 100k entries they
        made the open's peak: 425 MB)."""
        async with self._snapshot() as conn:
            async for rows in self._batches(conn, size, self._entry_sql(scope), 0):
                yield [(_stored(row, summary=False), row["auto_summary"]) for row in rows]

    def _entry_sql(self, scope: GuildScope) -> str:
        where = "" if scope.everything else f" AND {scope.sql()}"
        order = f" ORDER BY guild_id, id{self.COLLATE_C}"
        return f"SELECT {_ENTRY} FROM entries WHERE revision > ?{where}{order}"

    async def _entry_rows(self, since_revision: int, scope: GuildScope) -> list[Any]:
        async with self._read() as conn:
            return await self._all(conn, self._entry_sql(scope), since_revision)

    async def entry_count(self, scope: GuildScope = ALL_GUILDS) -> int:
        """Rows (removed ones too) of the global entries and of the guilds `scope` holds."""
        async with self._read() as conn:
            row = await self._one(conn, f"SELECT COUNT(*) FROM entries WHERE {scope.sql()}")
        return int(row[0])

    async def entry_keys(self, scope: GuildScope = ALL_GUILDS) -> set[tuple[int, str]]:
        """(guild_id, id) of those rows (GLOBAL for global entries): what a reader holding the
        scope compares with to drop entries deleted outright (data/ sync removes them)."""
        async with self._read() as conn:
            rows = await self._all(conn, f"SELECT guild_id, id FROM entries WHERE {scope.sql()}")
        return {(int(r[0]), r[1]) for r in rows}

    async def all_settings(self, scope: GuildScope = ALL_GUILDS) -> dict[int, dict[str, Any]]:
        """Every stored guild's settings in `scope`, one query."""
        async with self._read() as conn:
            rows = await self._all(conn, f"SELECT guild_id, data FROM guild_settings WHERE {scope.sql()}")
        return {int(r[0]): json.loads(r[1]) for r in rows}

    async def get(self, guild_id: int | None, entry_id: str) -> StoredEntry | None:
        async with self._read() as conn:
            row = await self._one(
                conn,
                f"SELECT {_ENTRY} FROM entries WHERE guild_id = ? AND id = ?",
                store_gid(guild_id),
                entry_id,
            )
        return _stored(row) if row else None

    async def hidden(self, guild_id: int) -> set[str]:
        async with self._read() as conn:
            rows = await self._all(conn, "SELECT entry_id FROM hidden_globals WHERE guild_id = ?", guild_id)
        return {row[0] for row in rows}

    async def all_hidden(self, scope: GuildScope = ALL_GUILDS) -> dict[int, set[str]]:
        out: dict[int, set[str]] = {}
        where = "" if scope.everything else f" WHERE {scope.sql()}"
        async with self._read() as conn:
            for row in await self._all(conn, f"SELECT guild_id, entry_id FROM hidden_globals{where}"):
                out.setdefault(int(row[0]), set()).add(row[1])
        return out

    async def history(self, guild_id: int | None, entry_id: str) -> list[AuditRecord]:
        async with self._read() as conn:
            rows = await self._all(
                conn,
                f"SELECT {_AUDIT} FROM audit WHERE guild_id = ? AND entry_id = ? ORDER BY seq",
                store_gid(guild_id),
                entry_id,
            )
        return [_audit_record(r) for r in rows]

    async def get_settings(self, guild_id: int) -> dict[str, Any]:
        async with self._read() as conn:
            row = await self._one(conn, "SELECT data FROM guild_settings WHERE guild_id = ?", guild_id)
        return json.loads(row[0]) if row else {}

    async def stats(self, guild_id: int | None, limit: int = 10) -> Stats:
        gid = store_gid(guild_id)
        columns = "SELECT query, count, unanswered, last_entry_id FROM queries WHERE guild_id = ?"
        async with self._read() as conn:
            top = await self._all(
                conn, f"{columns} ORDER BY count DESC, query{self.COLLATE_C} LIMIT ?", gid, limit
            )
            unanswered = await self._all(
                conn,
                f"{columns} AND unanswered > 0 ORDER BY unanswered DESC, query{self.COLLATE_C} LIMIT ?",
                gid,
                limit,
            )
            feedback = await self._all(
                conn,
                "SELECT entry_id, SUM(CASE WHEN helpful THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN helpful THEN 0 ELSE 1 END) FROM feedback WHERE guild_id = ? GROUP BY entry_id",
                gid,
            )

        def stat(r: Sequence[Any]) -> QueryStat:
            return QueryStat(r[0], int(r[1]), int(r[2]), r[3])

        return Stats(
            tuple(map(stat, top)),
            tuple(map(stat, unanswered)),
            {r[0]: (int(r[1]), int(r[2])) for r in feedback},
        )

    async def entry_counts(self) -> dict[str, int]:
        async with self._read() as conn:
            row = await self._one(
                conn,
                "SELECT SUM(CASE WHEN guild_id = 0 THEN 1 ELSE 0 END), "
                "SUM(CASE WHEN guild_id <> 0 AND NOT deleted THEN 1 ELSE 0 END), "
                "COUNT(DISTINCT CASE WHEN guild_id <> 0 THEN guild_id END) FROM entries",
            )
        assert row is not None
        return {"global": int(row[0] or 0), "guild": int(row[1] or 0), "guilds": int(row[2] or 0)}

    # -- statistics writes (members; one upsert each) ----------------------------------------------

    async def record_query(
        self, guild_id: int | None, query: str, decision: str, entry_id: str | None
    ) -> None:
        q = normalise_query(query)
        if not q:
            return
        async with self._transaction() as conn:
            await self._run(
                conn,
                "INSERT INTO queries AS t VALUES (?, ?, 1, ?, ?, ?) "
                "ON CONFLICT (guild_id, query) DO UPDATE SET count = t.count + 1, "
                "unanswered = t.unanswered + excluded.unanswered, "
                "last_entry_id = COALESCE(excluded.last_entry_id, t.last_entry_id), "
                "last_at = excluded.last_at",  # a member's pick (propose_entry) survives a miss
                store_gid(guild_id),
                q,
                int(decision != "answer"),
                entry_id,
                now(),
            )

    async def record_feedback(self, guild_id: int | None, entry_id: str, user_id: int, helpful: bool) -> None:
        async with self._transaction() as conn:
            await self._run(
                conn,
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?) ON CONFLICT (guild_id, entry_id, user_id) "
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

    async def propose_entry(self, guild_id: int | None, query: str, entry_id: str | None) -> bool:
        """A member picked `entry_id` for an unanswered query (None: "none of these"); kept
        for a moderator to approve in /faq stats. False if the query is not unanswered."""
        async with self._transaction() as conn:
            changed = await self._run(
                conn,
                "UPDATE queries SET last_entry_id = ? WHERE guild_id = ? AND query = ? AND unanswered > 0",
                entry_id,
                store_gid(guild_id),
                normalise_query(query),
            )
        return changed > 0

    # -- data/ ---------------------------------------------------------------------------------------

    async def data_digest(self) -> int | None:
        """The digest (`bot.digest`) of the data/ the global entries were last synced from."""
        async with self._read() as conn:
            row = await self._one(conn, "SELECT value FROM meta WHERE key = 'data_digest'")
        return int(row[0]) if row else None

    async def sync_global(
        self, entries: Sequence[Entry], summarize: Summarizer, digest: int | None = None
    ) -> SyncReport:
        """Make the global entries equal `entries` (from data/). Guild entries are untouched.
        `digest` (of the files `entries` came from) is kept in the same transaction.

        Safe when several processes start at once: the plan is made again inside the write
        transaction, so whoever comes second finds the work done.
        """
        wanted = {e.id: e for e in entries}

        def plan(existing: Mapping[str, Any]) -> tuple[list[Entry], list[Entry], list[str]]:
            return plan_sync({i: r["content_hash"] for i, r in existing.items()}, wanted)

        async with self._read() as conn:
            added, updated, removed = plan(await self._global_rows(conn))
        if not (added or updated or removed) and digest is None:
            return SyncReport(unchanged=len(wanted))
        # outside the transaction; held as their stored JSON text, deflated (at 100k entries the
        # Summary objects, or even their text, would be most of the sync's memory)
        summaries = {e.id: pack_text(to_json(summary_to_dict(summarize(e)))) for e in [*added, *updated]}
        async with self._transaction() as conn:
            await self._sync_lock(conn)
            existing = await self._global_rows(conn)
            added, updated, removed = plan(existing)
            if digest is not None:  # the entries now equal these files, whoever synced them
                await self._run(
                    conn,
                    "INSERT INTO meta VALUES ('data_digest', ?) "
                    "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                    digest,
                )
            if not (added or updated or removed):  # another process did it meanwhile
                return SyncReport(unchanged=len(wanted))
            for e in [*added, *updated]:
                if e.id not in summaries:
                    summaries[e.id] = pack_text(to_json(summary_to_dict(summarize(e))))
            rev = await self._bump(conn)
            await self._write_sync(conn, existing, (added, updated, removed), summaries, rev)
        return SyncReport(
            added=tuple(e.id for e in added),
            updated=tuple(e.id for e in updated),
            removed=tuple(removed),
            unchanged=len(wanted) - len(added) - len(updated),
        )

    async def _write_sync(
        self,
        conn: Any,
        existing: Mapping[str, Any],
        plan: tuple[Sequence[Entry], Sequence[Entry], Sequence[str]],
        summaries: Mapping[str, bytes],
        rev: int,
    ) -> None:
        added, updated, removed = plan
        stamp = now()
        for e in added:
            e = e.with_changes(
                guild_id=None, created_at=e.created_at or stamp, updated_at=e.updated_at or stamp
            )
            await self._write_entry(conn, e, unpack_text(summaries[e.id]), rev, None)
            await self._audit(conn, None, e.id, "data/", "sync-add", diff(None, e))
        for e in updated:
            old = entry_from_dict(json.loads(existing[e.id]["data"]))
            e = e.with_changes(
                guild_id=None, created_at=e.created_at or old.created_at, updated_at=e.updated_at or stamp
            )
            await self._write_entry(conn, e, unpack_text(summaries[e.id]), rev, existing[e.id]["pk"])
            await self._audit(conn, None, e.id, "data/", "sync-update", diff(old, e))
        for entry_id in removed:
            await self._delete_entry(conn, existing[entry_id]["pk"])
            await self._audit(conn, None, entry_id, "data/", "sync-remove", {})

    async def refresh_summaries(self, version: int, summarize: Summarizer, batch: int = 2000) -> int:
        """Recompute every automatic summary once when the summariser's version changes.

        A page of `batch` rows at a time (by primary key), each page's changes written in a
        transaction of its own, so an upgrade at 100k entries never holds every row and every
        new summary at once; the version is recorded after the last page (a run stopped
        half-way starts again and rewrites only what still differs)."""
        async with self._read() as conn:
            current = await self._one(conn, "SELECT value FROM meta WHERE key = 'summary_version'")
        if current is not None and int(current[0]) == version:
            return 0
        changed, last = 0, -1
        while True:
            async with self._read() as conn:
                rows = await self._all(
                    conn,
                    "SELECT pk, data, auto_summary, revision FROM entries WHERE pk > ? ORDER BY pk LIMIT ?",
                    last,
                    batch,
                )
            if not rows:
                break
            last = int(rows[-1]["pk"])
            fresh = []
            for row in rows:
                auto = to_json(summary_to_dict(summarize(entry_from_dict(json.loads(row["data"])))))
                if auto != row["auto_summary"]:  # unchanged summaries are not rewritten
                    fresh.append((auto, row["pk"], row["revision"]))
            del rows
            if fresh:
                async with self._transaction() as conn:
                    # Only where the entry is still the version summarised (no write landed
                    # meanwhile); the rows' revision moves, so other processes pick them up.
                    rev = await self._bump(conn)
                    await self._many(
                        conn,
                        "UPDATE entries SET auto_summary = ?, revision = ? WHERE pk = ? AND revision = ?",
                        [(auto, rev, pk, old) for auto, pk, old in fresh],
                    )
                changed += len(fresh)
        async with self._transaction() as conn:
            await self._run(
                conn,
                "INSERT INTO meta VALUES ('summary_version', ?) "
                "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                version,
            )
        return changed

    # -- moderator writes ----------------------------------------------------------------------------

    async def mutate(
        self,
        guild_id: int,
        entry_id: str,
        change: Change,
        *,
        actor: str,
        action: str,
        expected_revision: int | None = None,
        summary: tuple[Entry, Summary] | None = None,
        forget_query: str | None = None,
    ) -> Mutation:
        """Apply `change` to the entry as it is NOW, in one transaction, or refuse.

        `change` is pure and may raise (e.g. CurationError: that phrasing exists by now) to
        refuse; nothing is written then. With `expected_revision` (an edit made against what the
        moderator saw) a row that has moved since is refused with `Conflict`. `summary` is the
        caller's (entry, automatic summary) computed before: it is stored if the committed entry
        has that content, else the summary is left empty and `summary_current` is False.
        `forget_query` drops that query from the unanswered statistics in the same transaction.
        """
        async with self._transaction() as conn:
            rev = await self._bump(conn)
            row = await self._entry_row(conn, guild_id, entry_id)
            if row is None or row["deleted"]:
                raise NotFound(f"no entry {entry_id!r} in this server")
            old = entry_from_dict(json.loads(row["data"]))
            if expected_revision is not None and int(row["revision"]) != expected_revision:
                raise conflict(entry_id, old)
            new = change(old)
            if (new.id, new.guild_id) != (old.id, old.guild_id):
                raise StoreError(f"a change of {entry_id!r} may not move it to another id or server")
            new, _, new_hash = entry_record(edited(new, old, actor=actor, create=False))
            current = summary is not None and content_hash(summary[0]) == new_hash
            auto = summary_json(summary[1]) if summary is not None and current else None
            await self._write_entry(conn, new, auto, rev, row["pk"])
            await self._audit(conn, guild_id, entry_id, actor, action, diff(old, new))
            if forget_query is not None:
                await self._forget(conn, guild_id, normalise_query(forget_query))
        return Mutation(new, old, rev, current)

    async def set_summary(self, guild_id: int, entry_id: str, revision: int, summary: Summary) -> bool:
        """Store an entry's automatic summary if the entry is still at `revision`; else False
        (a newer write owns the summary now). Bumps the store's revision: others reload it."""
        try:
            async with self._transaction() as conn:
                rev = await self._bump(conn)
                row = await self._entry_row(conn, guild_id, entry_id)
                if row is None or int(row["revision"]) != revision:
                    raise _Rollback
                # The row's revision moves too: other processes pick up rows changed since
                # their last read (`load_all(since_revision)`), summaries included.
                await self._run(
                    conn,
                    "UPDATE entries SET auto_summary = ?, revision = ? WHERE pk = ?",
                    summary_json(summary),
                    rev,
                    row["pk"],
                )
        except _Rollback:
            return False
        return True

    async def save(
        self,
        entry: Entry,
        auto_summary: Summary,
        *,
        actor: str,
        action: str,
        create: bool | None = None,
    ) -> Entry:
        """Insert or replace a guild entry whole. `create=True` refuses an existing id, False a
        new one. Moderator edits of an existing entry go through `mutate` instead."""
        if entry.guild_id is None:
            raise ReadOnly("global entries come from data/ and are read-only here")
        async with self._transaction() as conn:
            rev = await self._bump(conn)
            row = await self._entry_row(conn, entry.guild_id, entry.id)
            old = stored_entry(row["data"] if row else None)
            entry, _, _ = entry_record(edited(entry, old, actor=actor, create=create))
            await self._write_entry(conn, entry, summary_json(auto_summary), rev, row["pk"] if row else None)
            await self._audit(conn, entry.guild_id, entry.id, actor, action, diff(old, entry))
        return entry

    async def save_many(self, entries: Sequence[Entry], summaries: Sequence[Summary], *, actor: str) -> None:
        """Restore exported guild entries as they were (metadata kept), all in one transaction."""
        if any(e.guild_id is None for e in entries):
            raise ReadOnly("global entries come from data/; put their YAML files there instead")
        async with self._transaction() as conn:
            rev = await self._bump(conn)
            for entry, summary in zip(entries, summaries, strict=True):
                row = await self._entry_row(conn, entry.guild_id, entry.id)
                old = stored_entry(row["data"] if row else None)
                entry, _, _ = entry_record(restored(entry, actor=actor))
                await self._write_entry(conn, entry, summary_json(summary), rev, row["pk"] if row else None)
                if row and row["deleted"]:
                    await self._set_deleted(conn, row["pk"], False, rev)
                await self._audit(conn, entry.guild_id, entry.id, actor, "import", diff(old, entry))

    async def _set_deleted(self, conn: Any, pk: int, deleted: bool, rev: int) -> None:
        await self._run(conn, "UPDATE entries SET deleted = ?, revision = ? WHERE pk = ?", deleted, rev, pk)

    async def set_deleted(self, guild_id: int, entry_id: str, deleted: bool, *, actor: str) -> None:
        async with self._transaction() as conn:
            rev = await self._bump(conn)
            row = await self._entry_row(conn, guild_id, entry_id)
            if row is None:
                raise NotFound(f"no entry {entry_id!r}")
            if bool(row["deleted"]) == deleted:
                raise NotFound(f"entry {entry_id!r} is {'already removed' if deleted else 'not removed'}")
            await self._set_deleted(conn, row["pk"], deleted, rev)
            await self._audit(conn, guild_id, entry_id, actor, "remove" if deleted else "restore", {})

    async def set_hidden(self, guild_id: int, entry_id: str, hidden: bool, *, actor: str) -> bool:
        """Hide (or show again) a global entry in one guild. Idempotent: True if it changed
        anything; only a change is audited, so the audit trail and the hidden set agree."""
        try:
            async with self._transaction() as conn:
                await self._bump(conn)  # hiding changes what the guild's matcher may return
                if hidden:
                    sql = "INSERT INTO hidden_globals VALUES (?, ?) ON CONFLICT DO NOTHING"
                else:
                    sql = "DELETE FROM hidden_globals WHERE guild_id = ? AND entry_id = ?"
                if not await self._run(conn, sql, guild_id, entry_id):
                    raise _Rollback
                await self._audit(conn, guild_id, entry_id, actor, "hide" if hidden else "unhide", {})
        except _Rollback:
            return False
        return True

    # -- a guild's own phrasings of global entries (issue 15) ---------------------------------------

    async def guild_phrasings(self, scope: GuildScope = ALL_GUILDS) -> dict[int, dict[str, tuple[str, ...]]]:
        """guild → global entry id → that guild's own phrasings of it (the guilds of `scope`)."""
        where = "" if scope.everything else f" WHERE {scope.sql()}"
        out: dict[int, dict[str, tuple[str, ...]]] = {}
        async with self._read() as conn:
            rows = await self._all(conn, f"SELECT guild_id, entry_id, phrasings FROM guild_phrasings{where}")
        for row in rows:
            out.setdefault(int(row[0]), {})[row[1]] = tuple(json.loads(row[2]))
        return out

    async def change_guild_phrasings(
        self,
        guild_id: int,
        entry_id: str,
        change: PhrasingsChange,
        *,
        actor: str,
        action: str,
        forget_query: str | None = None,
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Apply `change` to the guild's own phrasings of a global entry as they are NOW (one
        transaction, like `mutate`): (old, new). `change` sees the global entry and the
        guild's current phrasings and may raise to refuse; an unchanged list writes nothing."""
        try:
            async with self._transaction() as conn:
                await self._bump(conn)
                row = await self._entry_row(conn, None, entry_id)
                if row is None or row["deleted"]:
                    raise NotFound(f"no global entry {entry_id!r}")
                current = await self._one(
                    conn,
                    "SELECT phrasings FROM guild_phrasings WHERE guild_id = ? AND entry_id = ?"
                    + self.FOR_UPDATE,
                    guild_id,
                    entry_id,
                )
                old: tuple[str, ...] = tuple(json.loads(current[0])) if current else ()
                new = storable(tuple(change(entry_from_dict(json.loads(row["data"])), old)))
                if new == old:
                    raise _Rollback
                if new:
                    await self._run(
                        conn,
                        "INSERT INTO guild_phrasings VALUES (?, ?, ?) "
                        "ON CONFLICT (guild_id, entry_id) DO UPDATE SET phrasings = excluded.phrasings",
                        guild_id,
                        entry_id,
                        to_json(list(new)),
                    )
                else:  # the last one removed: the row goes
                    await self._run(
                        conn,
                        "DELETE FROM guild_phrasings WHERE guild_id = ? AND entry_id = ?",
                        guild_id,
                        entry_id,
                    )
                await self._audit(
                    conn, guild_id, entry_id, actor, action, {"phrasings": [list(old), list(new)]}
                )
                if forget_query is not None:
                    await self._forget(conn, guild_id, normalise_query(forget_query))
        except _Rollback:
            return old, old
        return old, new

    # -- settings ----------------------------------------------------------------------------------

    async def change_settings(
        self, guild_id: int, change: StoredSettingsChange, *, actor: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Apply `change` to the guild's settings as they are now (one transaction); (old, new).
        `change` may raise (e.g. SettingsError) to refuse; nothing is written then."""
        async with self._transaction() as conn:
            await self._bump(conn)  # other processes reload (FaqService caches settings until then)
            row = await self._one(
                conn, f"SELECT data FROM guild_settings WHERE guild_id = ?{self.FOR_UPDATE}", guild_id
            )
            old: dict[str, Any] = json.loads(row[0]) if row else {}
            new = storable(change(dict(old)))
            await self._run(
                conn,
                "INSERT INTO guild_settings VALUES (?, ?) "
                "ON CONFLICT (guild_id) DO UPDATE SET data = excluded.data",
                guild_id,
                to_json(new),
            )
            await self._audit(conn, guild_id, SETTINGS_KEY, actor, "settings", settings_diff(old, new))
        return old, new

    async def set_settings(self, guild_id: int, settings: dict[str, Any], *, actor: str) -> None:
        await self.change_settings(guild_id, lambda _old: settings, actor=actor)

    # -- copying between stores (faqbot migrate) -------------------------------------------------

    async def dump(self) -> StoreDump:
        """Everything, read from one snapshot."""
        c = self.COLLATE_C
        async with self._snapshot() as conn:
            revision = await self._one(conn, "SELECT value FROM meta WHERE key = 'revision'")
            entries = await self._all(conn, f"SELECT {_ENTRY} FROM entries ORDER BY guild_id, id{c}")
            hidden: dict[int, set[str]] = {}
            for r in await self._all(conn, "SELECT guild_id, entry_id FROM hidden_globals"):
                hidden.setdefault(int(r[0]), set()).add(r[1])
            settings = await self._all(conn, "SELECT guild_id, data FROM guild_settings ORDER BY guild_id")
            audit = await self._all(conn, f"SELECT {_AUDIT} FROM audit ORDER BY seq")
            queries = await self._all(
                conn,
                "SELECT guild_id, query, count, unanswered, last_entry_id, last_at FROM queries "
                f"ORDER BY guild_id, query{c}",
            )
            feedback = await self._all(
                conn,
                "SELECT guild_id, entry_id, user_id, helpful, at FROM feedback "
                f"ORDER BY guild_id, entry_id{c}, user_id",
            )
            phrasings: dict[int, dict[str, tuple[str, ...]]] = {}
            for r in await self._all(conn, "SELECT guild_id, entry_id, phrasings FROM guild_phrasings"):
                phrasings.setdefault(int(r[0]), {})[r[1]] = tuple(json.loads(r[2]))
            posts, questions = await self._dump_community(conn)
        return StoreDump(
            revision=int(revision[0]) if revision else 0,
            entries=tuple(_stored(r) for r in entries),
            hidden={g: frozenset(ids) for g, ids in hidden.items()},
            settings={int(r[0]): json.loads(r[1]) for r in settings},
            audit=tuple(_audit_record(r) for r in audit),
            queries=tuple(QueryRecord(int(r[0]), r[1], int(r[2]), int(r[3]), r[4], r[5]) for r in queries),
            feedback=tuple(FeedbackRecord(int(r[0]), r[1], int(r[2]), bool(r[3]), r[4]) for r in feedback),
            phrasings=phrasings,
            forum_posts=posts,
            expert_questions=questions,
        )

    async def restore(self, dump: StoreDump) -> None:
        """Load a dump into this empty store, as it was (revisions included), in one transaction."""
        async with self._transaction() as conn:
            current = await self._bump(conn) - 1  # also locks out every other writer meanwhile
            counts = await self._one(
                conn, "SELECT " + " + ".join(f"(SELECT COUNT(*) FROM {t})" for t in _TABLES)
            )
            if counts and counts[0]:
                raise StoreError("the destination store is not empty; restore needs an empty one")
            for s in dump.entries:
                await self._write_entry(conn, s.entry, summary_json(s.auto_summary), s.revision, None)
                if s.deleted:
                    await self._run(
                        conn,
                        "UPDATE entries SET deleted = ? WHERE guild_id = ? AND id = ?",
                        True,
                        store_gid(s.entry.guild_id),
                        s.entry.id,
                    )
            await self._many(
                conn,
                "INSERT INTO hidden_globals VALUES (?, ?)",
                [(g, i) for g, ids in dump.hidden.items() for i in sorted(ids)],
            )
            await self._many(
                conn,
                "INSERT INTO guild_settings VALUES (?, ?)",
                [(g, to_json(data)) for g, data in dump.settings.items()],
            )
            await self._many(
                conn,
                f"INSERT INTO audit ({_AUDIT}) VALUES (?, ?, ?, ?, ?, ?)",
                [(a.guild_id, a.entry_id, a.actor, a.action, a.at, to_json(a.changes)) for a in dump.audit],
            )
            await self._many(
                conn,
                "INSERT INTO queries VALUES (?, ?, ?, ?, ?, ?)",
                [
                    (q.guild_id, q.query, q.count, q.unanswered, q.last_entry_id, q.last_at)
                    for q in dump.queries
                ],
            )
            await self._many(
                conn,
                "INSERT INTO feedback VALUES (?, ?, ?, ?, ?)",
                [(f.guild_id, f.entry_id, f.user_id, f.helpful, f.at) for f in dump.feedback],
            )
            await self._many(
                conn,
                "INSERT INTO guild_phrasings VALUES (?, ?, ?)",
                [(g, i, to_json(list(p))) for g, by_id in dump.phrasings.items() for i, p in by_id.items()],
            )
            await self._restore_community(conn, dump.forum_posts, dump.expert_questions)
            # The copy keeps the source's revisions; a store others already watched moves on.
            revision = dump.revision if current == 0 else max(dump.revision, current + 1)
            await self._run(conn, "UPDATE meta SET value = ? WHERE key = 'revision'", revision)

    async def clear(self) -> None:
        """Empty the store (everything `restore` wrote): `faqbot migrate` undoes a copy that
        did not verify, so the target is as it was and a re-run is possible."""
        async with self._transaction() as conn:
            await self._bump(conn)  # keeps every other writer out meanwhile
            for table in (*_TABLES, *self.EXTRA_TABLES):
                await self._run(conn, f"DELETE FROM {table}")
            await self._run(conn, "DELETE FROM meta WHERE key IN ('summary_version', 'data_digest')")
            await self._run(conn, "UPDATE meta SET value = ? WHERE key = 'revision'", 0)
