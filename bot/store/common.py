"""What both store backends share: text normalisation, time stamps, audit diffs, and every
write that changes an entry, the settings or the hidden set — implemented once here.

A backend supplies a handful of per-dialect primitives (`SqlWrites`' abstract methods): a
write transaction that is exclusive for the rows it reads (SQLite `BEGIN IMMEDIATE`;
PostgreSQL the revision counter's row lock, taken first by every writer, plus `FOR UPDATE`),
and the SQL that reads or writes one row. The logic — read the CURRENT row inside the
transaction, apply a pure change, validate, write, audit, bump the revision, or refuse — is
here, so both backends keep the same guarantees (docs/architecture.md, "Writes").
"""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Mapping, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import UTC, datetime
from importlib import resources
from typing import Any, TypeVar

from bot.models import Entry, Summary
from bot.serialize import content_hash, entry_from_dict, entry_to_dict, summary_to_dict
from bot.store.base import (
    GLOBAL,
    Change,
    Conflict,
    Mutation,
    NotFound,
    ReadOnly,
    SettingsChange,
    StoreError,
)

T = TypeVar("T")
SETTINGS_KEY = "*settings*"  # the audit trail's entry id for settings changes (as bot.curation)

# -- text every backend can store ----------------------------------------------------------------

_SURROGATE = re.compile("[\ud800-\udfff]")


def storable_text(text: str) -> str:
    """`text` as both backends store it: PostgreSQL text cannot hold NUL, and neither driver
    can encode a lone UTF-16 surrogate (it becomes U+FFFD). Everything else is kept."""
    if "\x00" in text:
        text = text.replace("\x00", "")
    if _SURROGATE.search(text):
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def storable(value: T) -> T:
    """`value` with every string in it (containers and dataclasses included) made storable.

    The one normalisation of text for every write, on both backends, so that they store the
    same thing and a copy between them (`faqbot migrate`) reads back equal.
    """
    v: Any = value
    if isinstance(v, str):
        return storable_text(v)  # type: ignore[return-value]
    if isinstance(v, dict):
        return {storable(k): storable(x) for k, x in v.items()}  # type: ignore[return-value]
    if isinstance(v, list | tuple | frozenset | set):
        return type(v)(storable(x) for x in v)  # type: ignore[return-value]
    if dataclasses.is_dataclass(v) and not isinstance(v, type):
        changes = {f.name: storable(getattr(v, f.name)) for f in dataclasses.fields(v) if f.init}
        return dataclasses.replace(v, **changes)  # type: ignore[return-value]
    return value


class Cleaned:
    """A connection whose statements get storable parameters: the single funnel every write
    transaction's SQL goes through (the JSON columns are already clean: see `to_json`)."""

    _STATEMENTS = frozenset({"execute", "executemany", "fetch", "fetchrow", "fetchval"})

    def __init__(self, conn: Any) -> None:
        self._conn = conn

    def __getattr__(self, name: str) -> Any:
        attr = getattr(self._conn, name)
        if name not in self._STATEMENTS:
            return attr
        return lambda *args, **kwargs: attr(*storable(args), **kwargs)


def to_json(value: Any) -> str:
    return json.dumps(storable(value), ensure_ascii=False)


def entry_record(entry: Entry) -> tuple[Entry, str, str]:
    """(the entry as stored, its JSON, its content hash): what a row holds."""
    data = entry_to_dict(entry)
    clean = storable(data)
    if clean != data:
        entry = entry_from_dict(clean)
    return entry, json.dumps(clean, ensure_ascii=False), content_hash(entry)


def summary_json(summary: Summary | None) -> str | None:
    return to_json(summary_to_dict(summary)) if summary is not None else None


# -- schema ----------------------------------------------------------------------------------------


def migrations(dialect: str) -> list[str]:
    """A dialect's schema scripts in version order: `migrations/<dialect>/NNNN_what.sql` is the
    script that takes a database from version NNNN-1 to NNNN (numbered 1, 2, … without gaps)."""
    folder = resources.files("bot.store").joinpath("migrations", dialect)
    scripts = sorted((f.name, f) for f in folder.iterdir() if f.name.endswith(".sql"))
    for number, (name, _) in enumerate(scripts, start=1):
        if int(name.split("_", 1)[0]) != number:
            raise RuntimeError(f"bot/store/migrations/{dialect}: {name} should be number {number}")
    return [f.read_text(encoding="utf-8") for _, f in scripts]


# -- small shared helpers ----------------------------------------------------------------------


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def store_gid(guild_id: int | None) -> int:
    return GLOBAL if guild_id is None else guild_id


def diff(old: Entry | None, new: Entry | None) -> dict[str, Any]:
    """The audit record of a change: {field: [before, after]} for each field that changed."""
    a = entry_to_dict(old, with_meta=False) if old else {}
    b = entry_to_dict(new, with_meta=False) if new else {}
    return {k: [a.get(k), b.get(k)] for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


def settings_diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> dict[str, Any]:
    return {k: [old.get(k), new.get(k)] for k in sorted(set(old) | set(new)) if old.get(k) != new.get(k)}


def stored_entry(data: str | None) -> Entry | None:
    """The entry a row's `data` column holds (None for no row)."""
    return entry_from_dict(json.loads(data)) if data is not None else None


def edited(entry: Entry, old: Entry | None, *, actor: str, create: bool | None) -> Entry:
    """What `save` writes: `create=True` refuses an existing id and False a missing one; the
    creation stamp is kept from the stored version, the update stamp is now and `actor`."""
    if create is True and old is not None:
        raise StoreError(f"an entry with id {entry.id!r} already exists in this server")
    if create is False and old is None:
        raise NotFound(f"no entry {entry.id!r} in this server")
    stamp = now()
    return entry.with_changes(
        created_at=old.created_at if old else stamp,
        created_by=old.created_by if old else actor,
        updated_at=stamp,
        updated_by=actor,
    )


def restored(entry: Entry, *, actor: str) -> Entry:
    """What `save_many` (restoring an export) writes: the export's own stamps, filled in
    with now and `actor` where it has none."""
    stamp = now()
    return entry.with_changes(
        created_at=entry.created_at or stamp,
        created_by=entry.created_by or actor,
        updated_at=entry.updated_at or stamp,
        updated_by=entry.updated_by or actor,
    )


def normalise_query(query: str) -> str:
    return storable_text(" ".join(query.lower().split())[:200])


def conflict(entry_id: str, current: Entry) -> Conflict:
    who = current.updated_by or "someone"
    return Conflict(
        f"{who} changed {entry_id!r} while you were editing (it changed meanwhile); "
        "open it again and redo your change"
    )


class _Rollback(Exception):
    """Raised inside a transaction to undo it quietly (a conditional write that does not apply)."""


# -- the writes, once for both backends ----------------------------------------------------------


class SqlWrites:
    """Every write that changes an entry, the settings or the hidden set, over the backend's
    primitives below. Each runs in ONE transaction that reads the current row, so concurrent
    writers (coroutines, processes) each apply on top of the others' committed work."""

    # -- per-dialect primitives ------------------------------------------------------------------

    def _transaction(self) -> AbstractAsyncContextManager[Any]:
        """A write transaction (commit on success); its connection is `Cleaned`."""
        raise NotImplementedError

    async def _bump(self, conn: Any) -> int:
        """Advance the store's revision counter; every writer does it first (lock order)."""
        raise NotImplementedError

    async def _entry_row(self, conn: Any, guild_id: int | None, entry_id: str) -> Mapping[str, Any] | None:
        """pk, data, auto_summary, deleted, revision of one entry, locked for this transaction."""
        raise NotImplementedError

    async def _write_entry(self, conn: Any, entry: Entry, auto: str | None, rev: int, pk: int | None) -> None:
        raise NotImplementedError

    async def _delete_entry(self, conn: Any, pk: int) -> None:
        raise NotImplementedError

    async def _set_deleted(self, conn: Any, pk: int, deleted: bool, rev: int) -> None:
        raise NotImplementedError

    async def _set_auto_summary(self, conn: Any, pk: int, auto: str) -> None:
        raise NotImplementedError

    async def _audit(
        self, conn: Any, guild_id: int | None, entry_id: str, actor: str, action: str, changes: dict[str, Any]
    ) -> None:
        raise NotImplementedError

    async def _settings_row(self, conn: Any, guild_id: int) -> str | None:
        raise NotImplementedError

    async def _put_settings(self, conn: Any, guild_id: int, data: str) -> None:
        raise NotImplementedError

    async def _hide(self, conn: Any, guild_id: int, entry_id: str, hidden: bool) -> bool:
        """Add or remove one hidden-global row; True if that changed anything."""
        raise NotImplementedError

    async def _forget(self, conn: Any, guild_id: int | None, query: str) -> None:
        raise NotImplementedError

    # -- entries -----------------------------------------------------------------------------------

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
                await self._bump(conn)
                row = await self._entry_row(conn, guild_id, entry_id)
                if row is None or int(row["revision"]) != revision:
                    raise _Rollback
                auto = summary_json(summary)
                assert auto is not None
                await self._set_auto_summary(conn, row["pk"], auto)
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
                if not await self._hide(conn, guild_id, entry_id, hidden):
                    raise _Rollback
                await self._audit(conn, guild_id, entry_id, actor, "hide" if hidden else "unhide", {})
        except _Rollback:
            return False
        return True

    async def write_sync(
        self,
        conn: Any,
        existing: Mapping[str, Any],
        plan: tuple[Sequence[Entry], Sequence[Entry], Sequence[str]],
        summaries: Mapping[str, Summary],
        rev: int,
    ) -> None:
        """Write a planned sync of data/ inside the caller's transaction (rows: pk, data)."""
        added, updated, removed = plan
        stamp = now()
        for e in added:
            e = e.with_changes(
                guild_id=None, created_at=e.created_at or stamp, updated_at=e.updated_at or stamp
            )
            await self._write_entry(conn, e, summary_json(summaries[e.id]), rev, None)
            await self._audit(conn, None, e.id, "data/", "sync-add", diff(None, e))
        for e in updated:
            old = entry_from_dict(json.loads(existing[e.id]["data"]))
            e = e.with_changes(
                guild_id=None, created_at=e.created_at or old.created_at, updated_at=e.updated_at or stamp
            )
            await self._write_entry(conn, e, summary_json(summaries[e.id]), rev, existing[e.id]["pk"])
            await self._audit(conn, None, e.id, "data/", "sync-update", diff(old, e))
        for entry_id in removed:
            await self._delete_entry(conn, existing[entry_id]["pk"])
            await self._audit(conn, None, entry_id, "data/", "sync-remove", {})

    # -- settings ----------------------------------------------------------------------------------

    async def change_settings(
        self, guild_id: int, change: SettingsChange, *, actor: str
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Apply `change` to the guild's settings as they are now (one transaction); (old, new).
        `change` may raise (e.g. SettingsError) to refuse; nothing is written then."""
        async with self._transaction() as conn:
            await self._bump(conn)  # other processes reload (FaqService caches settings until then)
            data = await self._settings_row(conn, guild_id)
            old: dict[str, Any] = json.loads(data) if data else {}
            new = storable(change(dict(old)))
            await self._put_settings(conn, guild_id, to_json(new))
            await self._audit(conn, guild_id, SETTINGS_KEY, actor, "settings", settings_diff(old, new))
        return old, new

    async def set_settings(self, guild_id: int, settings: dict[str, Any], *, actor: str) -> None:
        await self.change_settings(guild_id, lambda _old: settings, actor=actor)
