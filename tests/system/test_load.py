"""Load (issue 8), CI-sized: hundreds of /ask and autocomplete interactions through the loopback
emulator with dozens in flight, and a gateway disconnect in the middle of a burst.

The full-size runs are `python benchmarks/load.py`; figures in docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import AsyncIterator
from pathlib import Path

import pytest_asyncio

from benchmarks.load import LogCounter, fire, queries, run_load, synthetic_entries
from bot.config import load_config
from bot.service import FaqService
from cogs.standalone import FaqBot
from tests.emulator import DiscordEmulator, run_bot


async def test_hundreds_of_interactions_all_answered_without_errors(data_dir: Path, tmp_path: Path) -> None:
    figures = await run_load(
        interactions=300, concurrency=50, autocomplete_share=0.5, data=data_dir, synthetic=300,
        semantic="off", users=200, workdir=tmp_path,
    )  # fmt: skip
    assert figures["answered"] == figures["sent"] == 300, figures
    assert figures["missing"] == 0 and figures["followups_missing"] == 0, figures
    assert figures["late_rejected"] == 0, figures  # every first response inside Discord's 3 s
    assert figures["log_errors"] == 0, figures["log_samples"]
    assert figures["rate_limited"] == 0 and figures["unknown_requests"] == 0
    types = figures["callback_types"]
    assert set(types) <= {"ask:4", "ask:5", "autocomplete:8"}, types
    assert figures["ttfr_ms"]["all"]["max"] < 3000
    print(
        f"\nload (CI): {figures['ttfr_ms']['all']}, {figures['throughput_per_s']}/s, rss {figures['rss_kib']}"
    )


@pytest_asyncio.fixture
async def loaded_bot(emulator: DiscordEmulator, data_dir: Path, tmp_path: Path) -> AsyncIterator[FaqService]:
    config = load_config(None, {
        "data_dir": str(data_dir), "database": {"url": f"sqlite:///{tmp_path / 'gw.db'}"},
        "matching": {"semantic": "off"}, "replies": {"ask_rate_limit": {"count": 1000}},
    })  # fmt: skip
    service = await FaqService.open(config)
    await service.import_entries(emulator.guild, synthetic_entries(200, emulator.guild), actor="t")
    try:
        async with run_bot(FaqBot(config, service), emulator):
            await emulator.wait_for_request(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
            yield service
    finally:
        await service.close()


async def test_gateway_disconnect_mid_burst_every_interaction_answered(
    emulator: DiscordEmulator, loaded_bot: FaqService
) -> None:
    counter = LogCounter()
    logging.getLogger().addHandler(counter)
    try:
        rng = random.Random(3)
        users = [emulator.add_user(f"m{i}", guild=emulator.guild) for i in range(50)]
        texts = queries(loaded_bot.visible_entries(emulator.guild), 200, rng)

        async def drop_twice() -> None:
            for _ in range(2):
                await asyncio.sleep(0.15)
                await emulator.disconnect_gateway()  # close 4000: the bot RESUMEs, missed events replay
                await emulator.wait_for_op(6, timeout=20)

        burst = fire(emulator, users, texts, concurrency=40, autocomplete_share=0.4, rng=rng, timeout=30)
        result, _ = await asyncio.wait_for(asyncio.gather(burst, drop_twice()), 90)
    finally:
        logging.getLogger().removeHandler(counter)
    resumes = [f for f in emulator.frames if f.direction == "recv" and f.op == 6]
    assert len(resumes) >= 2
    assert not result.missing and result.answered == 200 and result.followups_missing == 0
    assert counter.errors == 0, counter.samples
