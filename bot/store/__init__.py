"""Persistent store: the interface and its backends."""

from __future__ import annotations

from bot.store.base import (
    GLOBAL,
    AuditRecord,
    NotFound,
    ReadOnly,
    Stats,
    Store,
    StoredEntry,
    StoreError,
    SyncReport,
)

__all__ = [
    "GLOBAL",
    "AuditRecord",
    "NotFound",
    "ReadOnly",
    "Stats",
    "Store",
    "StoreError",
    "StoredEntry",
    "SyncReport",
    "open_store",
]


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
