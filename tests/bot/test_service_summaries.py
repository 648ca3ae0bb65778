"""Stored automatic summaries are recomputed once when the summariser changes."""

from __future__ import annotations

from pathlib import Path

from bot.config import load_config
from bot.models import Summary
from bot.service import FaqService
from bot.summary import SUMMARY_VERSION
from tests.bot.store.test_multiprocess import config_for, db_url  # noqa: F401  (db_url: both backends)
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


async def test_the_summary_held_compressed_reads_back_as_stored(data_dir: Path, tmp_path: Path) -> None:
    """The service holds automatic summaries deflated (issue 17); the entry shown gets exactly
    the summary the store has, for every entry, non-ASCII text included."""
    config = load_config(
        None, {"data_dir": str(data_dir), "database": {"url": f"sqlite:///{tmp_path / 'db'}"}}
    )
    service = await FaqService.open(config)
    try:
        held = service._scope(None)
        assert held.summaries and all(isinstance(v, bytes) for v in held.summaries.values())
        for stored in await service.store.load_all():
            shown = service.find(None, stored.entry.id)
            assert shown is not None and shown.auto_summary == stored.auto_summary
        text = "Botox “relaxes” muscles — Größe, 日本語, emoji 🙂"
        scope_json = '{"points": [{"text": "%s", "supporters": ["Dr Ä"]}], "disagreements": [], "experts": 1}'
        entry = next(iter(held.entries.values()))
        held.put(entry, scope_json % text)
        full = held.full(entry)
        assert full.auto_summary is not None and full.auto_summary.points[0].text == text
    finally:
        await service.close()


async def test_an_upgrade_recomputes_page_by_page(
    db_url: str,  # noqa: F811 - both backends
    data_dir: Path,
) -> None:
    """refresh_summaries reads and writes a page of rows at a time (an upgrade at 100k entries
    must not hold every row and every new summary at once): every entry is recomputed once,
    across pages, and the version is recorded after the last page."""
    from bot.models import Answer, Entry, Provider

    service = await FaqService.open(config_for(db_url, data_dir))
    store = service.store
    try:
        for i in range(7):
            e = Entry(
                id=f"e{i}",
                question=f"How do I fix problem number {i}?",
                answers=(Answer("a", f"Restart it {i} times.", Provider(name="Ada")),),
                guild_id=42,
            )
            await service.save_entry(e, actor="mod", action="add", create=True)
        pages: list[str] = []

        def summarize(e: Entry) -> Summary:
            pages.append(e.id)
            return Summary(experts=7)

        changed = await store.refresh_summaries(SUMMARY_VERSION + 1, summarize, batch=3)
        assert changed == await store.entry_count() and len(pages) == changed  # every row, once
        rows = [s async for batch in store.load_row_batches() for s in batch]
        assert rows and all(auto is not None and '"experts": 7' in auto for _, auto in rows)
        assert await store.refresh_summaries(SUMMARY_VERSION + 1, summarize, batch=3) == 0  # recorded
    finally:
        await service.close()
