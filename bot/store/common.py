"""Pure helpers both store backends share: the one text normalisation for every write,
the schema scripts, time stamps, audit diffs, entry stamps. The store logic itself is
`bot/store/sql.py`."""

from __future__ import annotations

import dataclasses
import json
import re
import zlib
from collections.abc import Mapping
from datetime import UTC, datetime
from importlib import resources
from typing import Any, TypeVar

from bot.models import Entry, Summary
from bot.serialize import content_hash, entry_from_dict, entry_to_dict, summary_to_dict
from bot.store.base import (
    GLOBAL,
    Conflict,
    NotFound,
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


_DEFLATE = (zlib.DEFLATED, -12, 4)  # raw deflate, 4 KB window, small state: 16 µs a summary, not 115


def pack_text(text: str) -> bytes:
    """A summary's JSON text deflated, for holding many in memory (the service's summaries, a
    sync's pending ones)."""
    packer = zlib.compressobj(1, *_DEFLATE)
    return packer.compress(text.encode("utf-8", "surrogatepass")) + packer.flush()


def unpack_text(packed: bytes) -> str:
    return zlib.decompress(packed, _DEFLATE[1]).decode("utf-8", "surrogatepass")


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
