"""Stored automatic summaries are recomputed once when the summariser changes."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config
from bot.models import Summary
from bot.service import FaqService
from bot.summary import SUMMARY_VERSION
from tests.conftest import SEED_ID


async def test_summaries_follow_the_summariser_version(data_dir: Path, tmp_path: Path) -> None:
    config = load_config(
        None, {"data_dir": str(data_dir), "database": {"url": f"sqlite:///{tmp_path / 'db'}"}}
    )
    service = await FaqService.open(config)
    store = service.store
    assert await store.refresh_summaries(SUMMARY_VERSION, service.summarize) == 0  # already current
    # An older summariser left a stale summary behind.
    assert await store.refresh_summaries(SUMMARY_VERSION - 1, lambda e: Summary(experts=1)) == 1
    stale = await store.get(None, SEED_ID)
    assert stale is not None and stale.auto_summary is not None and stale.auto_summary.points == ()
    await service.close()

    service = await FaqService.open(config)  # the upgrade: opening recomputes
    fresh = service.find(None, SEED_ID)
    assert fresh is not None and fresh.auto_summary is not None and fresh.auto_summary.points
    await service.close()
