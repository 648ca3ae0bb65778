"""Reading every entry in batches (`Store.load_row_batches`, issue 17): the same rows in the
same order as `load_rows`, from one snapshot while other processes write, on both backends."""

from __future__ import annotations

import asyncio
from pathlib import Path

from bot.models import Answer, Entry, Provider
from bot.service import FaqService
from bot.store import ALL_GUILDS, GuildScope, open_store
from tests.bot.store.test_multiprocess import config_for, db_url  # noqa: F401  (db_url: both backends)

GUILDS = (4242, 5353)


def entry(i: int, guild_id: int) -> Entry:
    answer = Answer("Dr A", f"Answer number {i}.", Provider(name="Ada Lovelace"))
    return Entry(
        id=f"e{i:03d}", question=f"Question number {i} about peels?", answers=(answer,), guild_id=guild_id
    )


def rows_of(batches: list[list[tuple[object, str | None]]]) -> list[tuple[object, str | None]]:
    return [row for batch in batches for row in batch]


async def test_batches_hold_the_rows_load_rows_gives_in_its_order(db_url: str, data_dir: Path) -> None:  # noqa: F811
    service = await FaqService.open(config_for(db_url, data_dir))
    try:
        for g in GUILDS:
            await service.import_entries(g, [entry(i, g) for i in range(11)], actor="m")
        for scope in (ALL_GUILDS, GuildScope(guild_ids=frozenset({GUILDS[1]}))):
            whole = await service.store.load_rows(scope=scope)
            batches = [b async for b in service.store.load_row_batches(scope=scope, size=4)]
            assert rows_of(batches) == whole  # entries, summaries' JSON, order
            assert all(len(b) == 4 for b in batches[:-1]) and 1 <= len(batches[-1]) <= 4
        ids = {s.entry.id for s, _ in rows_of([b async for b in service.store.load_row_batches(scope=scope)])}
        assert {f"e{i:03d}" for i in range(11)} <= ids and not any(
            s.entry.guild_id == GUILDS[0] for s, _ in whole
        )
    finally:
        await service.close()


async def test_a_reader_sees_one_snapshot_while_another_process_writes(db_url: str, data_dir: Path) -> None:  # noqa: F811
    """Entries written by another connection while the batches are read are not among them
    (nor is any row twice), the writes all commit, and the next read has them."""
    writer = await FaqService.open(config_for(db_url, data_dir))
    reader = await open_store(db_url)
    try:
        await writer.import_entries(GUILDS[0], [entry(i, GUILDS[0]) for i in range(30)], actor="m")
        before = await reader.load_rows()

        written: list[int] = []

        async def write() -> None:
            for i in range(30, 40):
                await writer.save_entry(entry(i, GUILDS[0]), actor="m", action="add", create=True)
                written.append(i)

        task: asyncio.Task[None] | None = None
        batches = []
        async for batch in reader.load_row_batches(size=5):
            batches.append(batch)
            if task is None:
                task = asyncio.create_task(write())
            for _ in range(100):  # the writer commits between batches
                if len(written) >= len(batches) or task.done():
                    break
                await asyncio.sleep(0.02)
        assert task is not None and written  # written while the batches were read
        await asyncio.wait_for(task, 60)
        assert rows_of(batches) == before
        after = await reader.load_rows()
        assert len(after) == len(before) + 10
    finally:
        await reader.close()
        await writer.close()
