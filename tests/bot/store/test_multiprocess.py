"""Several bot processes on one database (sharding): each sees the others' moderator edits.

Two `FaqService`s on one store stand in for two processes (separate connections; on
PostgreSQL, separate pools and server sessions); the last tests start real OS processes that
migrate and sync the same data/ into one database at the same moment.
"""

from __future__ import annotations

import asyncio
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.config import Config, DatabaseConfig, MatchingConfig
from bot.models import Answer, Entry, Provider
from bot.service import FaqService
from bot.settings import GuildSettings, SettingsChange
from bot.store import open_store
from tests.conftest import ROOT
from tests.pgtools import fresh_database

SEED_ID = "why-does-botox-make-my-skin-appear-smoother"
GUILD = 4242


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'shared.db'}"
    else:
        async with fresh_database() as url:
            yield url


def config_for(url: str, data_dir: Path) -> Config:
    return Config(
        data_dir=str(data_dir),
        database=DatabaseConfig(url=url),
        matching=MatchingConfig(semantic="off"),  # lexical: fast and deterministic
    )


@pytest.fixture
async def pair(db_url: str, data_dir: Path) -> AsyncIterator[tuple[FaqService, FaqService]]:
    config = config_for(db_url, data_dir)
    a = await FaqService.open(config)
    b = await FaqService.open(config)
    yield a, b
    await a.close()
    await b.close()


def filler(question: str = "How long does lip filler last?") -> Entry:
    return Entry(
        id="filler",
        question=question,
        answers=(Answer("Dr A", "Usually six to twelve months.", Provider(name="Ada Lovelace")),),
        guild_id=GUILD,
    )


async def test_second_process_finds_data_already_synced(pair: tuple[FaqService, FaqService]) -> None:
    a, b = pair
    assert a.sync_report is not None and a.sync_report.added == (SEED_ID,)
    assert b.sync_report is not None and not b.sync_report.changed


async def test_edits_in_one_process_are_seen_by_the_other(pair: tuple[FaqService, FaqService]) -> None:
    a, b = pair
    await a.save_entry(filler(), actor="mod#1", action="add", create=True)
    assert b.find(GUILD, "filler") is None  # b serves from memory until it refreshes
    assert await b.refresh() is True
    seen = b.find(GUILD, "filler")
    assert seen is not None and seen.entry.question == "How long does lip filler last?"
    reply = await b.ask("How long does lip filler last?", GUILD, record=False)
    assert reply.result.decision == "answer" and reply.entry is not None and reply.entry.id == "filler"
    assert seen.auto_summary is not None  # the summary was computed once, by the writer

    # and back the other way: b edits, a sees it
    await b.add_answer(GUILD, "filler", Answer("Dr B", "Closer to nine months."), actor="mod#2")
    assert await a.refresh() is True
    edited = a.find(GUILD, "filler")
    assert edited is not None and [x.title for x in edited.entry.answers] == ["Dr A", "Dr B"]
    assert edited.entry.updated_by == "mod#2"
    assert await a.refresh() is False  # nothing new since

    await a.set_removed(GUILD, "filler", True, actor="mod#1")
    await b.refresh()
    assert b.find(GUILD, "filler") is None
    assert (await b.ask("How long does lip filler last?", GUILD, record=False)).entry is None


async def test_hiding_a_global_entry_is_seen_by_the_other(pair: tuple[FaqService, FaqService]) -> None:
    a, b = pair
    assert b.find(GUILD, SEED_ID) is not None
    await a.set_hidden(GUILD, SEED_ID, True, actor="mod#1")
    assert await b.refresh() is True
    assert b.find(GUILD, SEED_ID) is None
    assert b.find(None, SEED_ID) is not None  # other servers still see it


async def test_settings_changed_in_one_process_are_seen_by_the_other(
    pair: tuple[FaqService, FaqService],
) -> None:
    a, b = pair
    assert await b.guild_settings(GUILD) == GuildSettings()  # b has it cached now
    await a.update_settings(GUILD, SettingsChange(keyword_channels=[7]), actor="mod#1")
    await b.refresh()
    assert await b.guild_settings(GUILD) == GuildSettings(keyword_channels=[7])


# -- real processes ---------------------------------------------------------------------------


async def run_processes(url: str, data_dir: Path, tmp_path: Path, count: int) -> list[tuple[int, str]]:
    """Start `count` `faqbot ask` processes at once on one database; their exit codes and stderr."""
    config = tmp_path / "config.yaml"
    config.write_text(
        f"data_dir: {data_dir}\ndatabase:\n  url: {url}\nmatching:\n  semantic: 'off'\n", encoding="utf-8"
    )
    env = {k: v for k, v in os.environ.items() if k != "FAQBOT_DATABASE_URL"}
    env["PYTHONPATH"] = str(ROOT)
    procs = [
        await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot.cli",
            "ask",
            "does botox shrink pores",
            "--json",
            "--config",
            str(config),
            cwd=tmp_path,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(count)
    ]
    results = []
    try:
        for p in procs:
            _, err = await asyncio.wait_for(p.communicate(), timeout=120)
            results.append((p.returncode or 0, err.decode(errors="replace")))
    finally:
        for p in procs:
            if p.returncode is None:
                p.kill()
                await p.wait()
    return results


async def test_processes_starting_together_on_postgres(data_dir: Path, tmp_path: Path) -> None:
    async with fresh_database() as url:
        results = await run_processes(url, data_dir, tmp_path, count=3)
        assert [code for code, _ in results] == [0, 0, 0], [err for _, err in results]
        store = await open_store(url)
        try:
            assert (await store.entry_counts())["global"] == 1
            assert [h.action for h in await store.history(None, SEED_ID)] == ["sync-add"]
            assert await store.revision() == 1  # synced once, by whichever came first
        finally:
            await store.close()


async def test_processes_starting_together_on_sqlite(data_dir: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    results = await run_processes(url, data_dir, tmp_path, count=2)
    assert [code for code, _ in results] == [0, 0], [err for _, err in results]
    store = await open_store(url)
    try:
        assert (await store.entry_counts())["global"] == 1
        assert [h.action for h in await store.history(None, SEED_ID)] == ["sync-add"]
    finally:
        await store.close()
