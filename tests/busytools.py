"""A busy database for the Discord tests, on either backend: another connection holds every
write for a few seconds (past Discord's 3-second deadline for an interaction's first response,
within the store's patience), while reads go on. SQLite: its write lock (`BEGIN IMMEDIATE`);
PostgreSQL: every table locked `EXCLUSIVE` (reads allowed, writes wait).

`backend` is a fixture parametrised over both; it gives the config keys for `running_faqbot`.
"""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator
from typing import Any

import pytest

from bot.service import FaqService
from tests.emulator import Callback, InteractionHandle
from tests.pgtools import fresh_database

DEADLINE = 3.0  # Discord's, for the first response
HELD = 4.0  # seconds the writes are held: past the deadline, within SQLite's 5 s busy timeout
WAIT = 10.0


@pytest.fixture(params=["sqlite", "postgres"])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[dict[str, Any]]:
    """Config keys for `running_faqbot`: {} (its SQLite file) or a fresh PostgreSQL database."""
    if request.param == "sqlite":
        yield {}
    else:
        async with fresh_database() as url:
            yield {"database": {"url": url}}


@contextlib.asynccontextmanager
async def lock_held(service: FaqService, seconds: float) -> AsyncIterator[float]:
    """Another connection holds every write to the service's database for `seconds`
    (released by the event loop, whatever the bot does meanwhile); yields when it was taken."""
    if service.config.database.url.startswith("postgres"):
        async with _pg_lock(service.config.database.url, seconds) as taken:
            yield taken
        return
    other = sqlite3.connect(service.store.path, isolation_level=None, timeout=0.1)  # type: ignore[attr-defined]
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE meta SET value = value WHERE key = 'revision'")
    taken = time.monotonic()
    release = asyncio.get_running_loop().call_later(seconds, other.rollback)
    try:
        yield taken
    finally:
        release.cancel()
        other.rollback()
        other.close()


@contextlib.asynccontextmanager
async def _pg_lock(url: str, seconds: float) -> AsyncIterator[float]:
    import asyncpg

    other = await asyncpg.connect(url, timeout=10)
    tx = other.transaction()
    await tx.start()
    tables = [r[0] for r in await other.fetch("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]
    await other.execute(f"LOCK TABLE {', '.join(tables)} IN EXCLUSIVE MODE")
    taken = time.monotonic()

    async def release() -> None:
        await asyncio.sleep(seconds)
        await tx.rollback()

    releasing = asyncio.create_task(release())
    try:
        yield taken
    finally:
        if not releasing.done():
            releasing.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await releasing
            await tx.rollback()
        await other.close()


async def acknowledged_then_saved(handle: InteractionHandle, taken: float) -> Callback:
    """The first response came within the deadline, the outcome only after the lock was gone
    (so the write really waited for it)."""
    outcome = await handle.outcome(timeout=WAIT + HELD)
    assert handle.response_delay() < DEADLINE, handle.response_delay()
    assert outcome.request.status in (200, 204), outcome.request  # not 404 Unknown interaction
    assert time.monotonic() - taken >= HELD * 0.9
    return outcome
