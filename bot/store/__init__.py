"""Persistent store: the interface and its backends."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit

from bot.store.base import (
    ALL_GUILDS,
    GLOBAL,
    AuditRecord,
    GuildScope,
    NotFound,
    ReadOnly,
    Stats,
    Store,
    StoredEntry,
    StoreError,
    SyncReport,
)

__all__ = [
    "ALL_GUILDS",
    "GLOBAL",
    "AuditRecord",
    "GuildScope",
    "NotFound",
    "ReadOnly",
    "Stats",
    "Store",
    "StoreError",
    "StoredEntry",
    "SyncReport",
    "open_store",
    "redact_url",
]


def redact_url(url: str) -> str:
    """The database URL without its password, for messages and logs."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return "<unparseable database URL>"
    if parts.password is None:
        return url
    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    netloc = f"{parts.username or ''}:***@{host}" + (f":{port}" if port else "")
    return urlunsplit(parts._replace(netloc=netloc))


async def open_store(url: str) -> Store:
    """`sqlite:///path/to.db`, a bare path, or `postgresql://…` (needs the [postgres] extra)."""
    if url.startswith(("postgres://", "postgresql://")):
        try:
            from bot.store.postgres import PostgresStore
        except ImportError as exc:  # asyncpg missing
            raise StoreError(
                "database.url is PostgreSQL but asyncpg is not installed: pip install -e .[postgres]"
            ) from exc
        return await PostgresStore.open(url)
    from bot.store.sqlite import SQLiteStore

    path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
    return await SQLiteStore.open(path)
