"""The SQLite file deleted or replaced while the bot runs (issue 12): writes are refused with
a clear message and an ERROR in the log — never acknowledged into an unlinked file and lost
at the next start — until the file is back or the bot restarts."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest

from bot.models import Answer, Entry, Provider, Summary
from bot.store import StoreError
from bot.store.sqlite import SQLiteStore
from tests.cogs.moderation.test_cog import LIP, add, call, running, svc
from tests.emulator import DiscordEmulator
from tests.emulator.fixtures import emulator  # noqa: F401

GUILD = 77


def make(entry_id: str) -> Entry:
    return Entry(
        id=entry_id,
        question=f"Question {entry_id}?",
        answers=(Answer("A", "An answer.", Provider(name="Jane Roe")),),
        guild_id=GUILD,
    )


async def ids(path: Path) -> set[str]:
    store = await SQLiteStore.open(path)
    try:
        return {s.entry.id for s in await store.load_all()}
    finally:
        await store.close()


async def test_deleted_file_refuses_writes_and_logs_an_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "faq.db"
    store = await SQLiteStore.open(path)
    try:
        await store.save(make("before"), Summary(), actor="m", action="add", create=True)
        path.unlink()
        with caplog.at_level(logging.ERROR, logger="faqbot.store"):
            await store.revision()  # the refresh loop's poll notices it, with no write
        assert [r.levelname for r in caplog.records] == ["ERROR"]
        assert "deleted or replaced" in caplog.records[0].getMessage()
        with pytest.raises(StoreError) as info:
            await store.save(make("after"), Summary(), actor="m", action="add", create=True)
        message = str(info.value)
        assert str(path) in message and "restart the bot or put the file back" in message
        assert "nothing was changed" in message
        for write in (
            store.set_settings(GUILD, {"x": 1}, actor="m"),
            store.set_deleted(GUILD, "before", True, actor="m"),
            store.record_query(GUILD, "a question", "none", None),
        ):
            with pytest.raises(StoreError, match="deleted or replaced"):
                await write
        assert len([r for r in caplog.records if r.levelname == "ERROR"]) == 1  # logged once
    finally:
        await store.close()
    assert not path.exists()


async def test_file_moved_away_and_back_accepts_writes_again(tmp_path: Path) -> None:
    path = tmp_path / "faq.db"
    store = await SQLiteStore.open(path)
    try:
        await store.save(make("one"), Summary(), actor="m", action="add", create=True)
        path.rename(tmp_path / "elsewhere.db")
        with pytest.raises(StoreError, match="deleted or replaced"):
            await store.save(make("lost"), Summary(), actor="m", action="add", create=True)
        (tmp_path / "elsewhere.db").rename(path)  # put back: the same file
        await store.save(make("two"), Summary(), actor="m", action="add", create=True)
    finally:
        await store.close()
    assert await ids(path) == {"one", "two"}  # every acknowledged write survives a restart


async def test_file_replaced_by_another_refuses_writes(tmp_path: Path) -> None:
    path = tmp_path / "faq.db"
    other = await SQLiteStore.open(tmp_path / "other.db")
    await other.close()
    store = await SQLiteStore.open(path)
    try:
        await store.save(make("one"), Summary(), actor="m", action="add", create=True)
        path.unlink()
        shutil.copy(tmp_path / "other.db", path)  # a different file under the same name
        with pytest.raises(StoreError, match="deleted or replaced"):
            await store.save(make("two"), Summary(), actor="m", action="add", create=True)
    finally:
        await store.close()
    # The refused write is nowhere. ("one" may show up: SQLite applies the old file's leftover
    # -wal to the file now under that name — one more reason to refuse, not to write on.)
    assert "two" not in await ids(path)


@pytest.fixture
def emu(emulator: DiscordEmulator) -> DiscordEmulator:  # noqa: F811
    return emulator


async def test_moderator_is_told_and_nothing_vanishes_after_a_restart(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path) as bot:
        await add(emu)
        (tmp_path / "faq.db").unlink()
        reply = await call(emu, "faq alias", {"entry": LIP, "phrase": "filler again"})
        assert reply.content is not None and "was deleted or replaced" in reply.content
        assert "Added" not in reply.content
        reply = await call(emu, "faq settings", {"disclaimer": "Not medical advice."})
        assert reply.content is not None and "was deleted or replaced" in reply.content
        assert "filler again" not in svc(bot).own_entry(emu.guild, LIP).entry.phrasings
