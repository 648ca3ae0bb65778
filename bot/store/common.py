"""What both store backends share: time stamps, audit diffs, and how a sync is written."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Protocol

from bot.models import Entry, Summary
from bot.serialize import entry_from_dict, entry_to_dict
from bot.store.base import GLOBAL, NotFound, StoreError


def now() -> str:
    return datetime.now(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def store_gid(guild_id: int | None) -> int:
    return GLOBAL if guild_id is None else guild_id


def diff(old: Entry | None, new: Entry | None) -> dict[str, Any]:
    """The audit record of a change: {field: [before, after]} for each field that changed."""
    a = entry_to_dict(old, with_meta=False) if old else {}
    b = entry_to_dict(new, with_meta=False) if new else {}
    return {k: [a.get(k), b.get(k)] for k in sorted(set(a) | set(b)) if a.get(k) != b.get(k)}


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
    return " ".join(query.lower().split())[:200]


class _SyncTarget(Protocol):
    async def _write_entry(
        self, conn: Any, entry: Entry, summary: Summary | None, rev: int, pk: int | None
    ) -> None: ...
    async def _audit(
        self, conn: Any, guild_id: int | None, entry_id: str, actor: str, action: str, changes: dict[str, Any]
    ) -> None: ...
    async def _delete_entry(self, conn: Any, pk: int) -> None: ...


async def write_sync(
    store: _SyncTarget,
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
        e = e.with_changes(guild_id=None, created_at=e.created_at or stamp, updated_at=e.updated_at or stamp)
        await store._write_entry(conn, e, summaries[e.id], rev, None)
        await store._audit(conn, None, e.id, "data/", "sync-add", diff(None, e))
    for e in updated:
        old = entry_from_dict(json.loads(existing[e.id]["data"]))
        e = e.with_changes(
            guild_id=None, created_at=e.created_at or old.created_at, updated_at=e.updated_at or stamp
        )
        await store._write_entry(conn, e, summaries[e.id], rev, existing[e.id]["pk"])
        await store._audit(conn, None, e.id, "data/", "sync-update", diff(old, e))
    for entry_id in removed:
        await store._delete_entry(conn, existing[entry_id]["pk"])
        await store._audit(conn, None, entry_id, "data/", "sync-remove", {})
