"""Incremental refresh (issue 17): another process's writes are picked up by reading only the
rows written since the last revision read, and rebuilding only the scopes they touch — with
exactly the state and answers a fresh open of the store gives.

Two `FaqService`s on one store stand in for two processes (as in test_multiprocess.py), on
both backends.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.models import Answer, Entry, Provider
from bot.serialize import content_hash
from bot.service import DataError, FaqService
from bot.settings import SettingsChange
from bot.store import GLOBAL
from bot.yamlio import dump_entries, load_data
from tests.bot.store.test_multiprocess import config_for, db_url  # noqa: F401  (db_url: both backends)

GUILD_A = 4242
GUILD_B = 5353
QUERIES = [
    "How long does lip filler last?",
    "do lip injections hurt",
    "chemical peel healing time",
    "Why does botox make my skin appear smoother?",
    "botox pores",
    "microneedling acne scars",
    "how long does the filler stay",
    "is it safe",
]


def entry(
    entry_id: str, question: str, guild_id: int | None, text: str = "Usually six to twelve months."
) -> Entry:
    answer = Answer("Dr A", text, Provider(name="Ada Lovelace"))
    return Entry(id=entry_id, question=question, answers=(answer,), guild_id=guild_id)


def state(service: FaqService) -> dict[int, dict[str, tuple[object, ...]]]:
    """Everything a scope holds, comparable across processes."""
    return {
        gid: {
            i: (s.entry, scope.full(s).auto_summary, s.deleted, s.revision, s.content_hash)
            for i, s in scope.entries.items()
        }
        for gid, scope in service._scopes.items()
        if scope.entries
    }


async def answers(service: FaqService) -> list[object]:
    out: list[object] = []
    for gid in (None, GUILD_A, GUILD_B):
        for q in QUERIES:
            out.append([(c.entry_id, round(c.confidence, 6)) for c in service.rank(q, gid)])
            reply = await service.ask(q, gid, record=False)
            out.append((reply.result.decision, reply.entry, reply.summary))
            out.append([c.entry_id for c in service.autocomplete(q[:6], gid)])
    return out


async def assert_same_as_fresh(reader: FaqService) -> None:
    fresh = await FaqService.open(reader.config, sync=False)
    try:
        assert state(reader) == state(fresh)
        assert reader._hidden == fresh._hidden
        assert {g: reader.loaded_settings(g) for g in (GUILD_A, GUILD_B)} == {
            g: fresh.loaded_settings(g) for g in (GUILD_A, GUILD_B)
        }
        assert await answers(reader) == await answers(fresh)
    finally:
        await fresh.close()


async def test_refresh_reads_only_what_changed_and_matches_a_fresh_open(
    db_url: str,  # noqa: F811
    data_dir: Path,
) -> None:
    config = config_for(db_url, data_dir)
    writer = await FaqService.open(config)
    reader = await FaqService.open(config)
    try:
        # adds in two guilds
        await writer.save_entry(
            entry("filler", "How long does lip filler last?", GUILD_A), actor="m", action="add", create=True
        )
        await writer.save_entry(
            entry("peel", "How long does a chemical peel take to heal?", GUILD_B),
            actor="m",
            action="add",
            create=True,
        )
        global_matcher = reader._scopes[GLOBAL].matcher
        assert await reader.refresh() is True
        assert reader._scopes[GLOBAL].matcher is global_matcher  # untouched scope: not rebuilt
        assert reader.find(GUILD_A, "filler") is not None and reader.find(GUILD_B, "peel") is not None
        await assert_same_as_fresh(reader)

        # an edit, a phrasing, a removal, a restore-less removal, hiding a global entry, synonyms
        a_matcher = reader._scopes[GUILD_A].matcher
        await writer.change_entry(
            GUILD_B,
            "peel",
            lambda e: e.with_changes(question="How long does a chemical peel take to heal fully?"),
            actor="m",
            action="edit",
        )
        await writer.add_phrasing(GUILD_B, "peel", "peel recovery", actor="m")
        await writer.save_entry(
            entry("lips", "Do lip injections hurt?", GUILD_A), actor="m", action="add", create=True
        )
        await writer.set_removed(GUILD_A, "lips", True, actor="m")
        seed_id = reader.own_entries(None)[0].id
        await writer.set_hidden(GUILD_B, seed_id, True, actor="m")
        assert await reader.refresh() is True
        assert reader._scopes[GUILD_A].matcher is not a_matcher  # A changed: rebuilt
        assert reader._scopes[GLOBAL].matcher is global_matcher
        assert [e.id for e in reader.removed_entries(GUILD_A)] == ["lips"]
        assert reader.find(GUILD_B, "peel").entry.phrasings == ("peel recovery",)  # type: ignore[union-attr]
        assert seed_id in reader.hidden_ids(GUILD_B)
        await assert_same_as_fresh(reader)

        # a guild's own synonyms change its matcher, no entry written
        b_matcher = reader._scopes[GUILD_B].matcher
        await writer.update_settings(GUILD_B, SettingsChange(synonyms={"peel": ["exfoliation"]}), actor="m")
        assert await reader.refresh() is True
        assert reader._scopes[GUILD_B].matcher is not b_matcher
        assert reader.rank("exfoliation", GUILD_B)[0].entry_id == "peel"
        await assert_same_as_fresh(reader)

        # a server phrasing of a global entry (the guild's matcher holds a copy of that entry)
        await writer.add_guild_phrasing(GUILD_A, seed_id, "smooth skin from tox", actor="m")
        assert await reader.refresh() is True
        assert reader.guild_phrasings(GUILD_A, seed_id) == ("smooth skin from tox",)
        assert reader.rank("smooth skin from tox", GUILD_A)[0].entry_id == seed_id
        await assert_same_as_fresh(reader)

        assert await reader.refresh() is False  # nothing new
    finally:
        await reader.close()
        await writer.close()


def write_data(data_dir: Path, entries: list[Entry]) -> None:
    for f in (data_dir / "faq").glob("*.yaml"):
        f.unlink()
    (data_dir / "faq" / "all.yaml").write_text(dump_entries(entries), encoding="utf-8")


async def test_refresh_drops_global_entries_removed_from_data_by_another_process(
    db_url: str,  # noqa: F811
    data_dir: Path,
) -> None:
    """A data/ sync deletes removed global entries outright (no tombstone row): the reader
    notices the count differs and drops them; edited and added ones are read as changed."""
    config = config_for(db_url, data_dir)
    seed = list(load_data(data_dir).entries)
    dropped = entry("old-global", "Does microneedling help acne scars?", None)
    write_data(data_dir, [*seed, dropped])
    reader = await FaqService.open(config)
    try:
        kept = [seed[0].with_changes(question=seed[0].question + " (edited)"), *seed[1:]]
        kept.append(entry("new-global", "How long does lip filler last?", None))
        write_data(data_dir, kept)
        writer = await FaqService.open(config)  # syncs the new data/
        await writer.close()
        assert reader.find(None, dropped.id) is not None
        assert await reader.refresh() is True
        assert reader.find(None, dropped.id) is None
        assert reader.find(None, "new-global") is not None
        assert reader.find(None, kept[0].id).entry.question.endswith("(edited)")  # type: ignore[union-attr]
        assert all(c.entry_id != dropped.id for q in QUERIES for c in reader.rank(q, None))
        await assert_same_as_fresh(reader)
    finally:
        await reader.close()


async def test_refresh_while_other_processes_write(db_url: str, data_dir: Path) -> None:  # noqa: F811
    """Two writer processes' bursts of adds, edits and removals, the reader refreshing all
    the while (reads interleaved with commits): after the last refresh it holds exactly what
    a fresh open holds."""
    config = config_for(db_url, data_dir)
    w1 = await FaqService.open(config)
    w2 = await FaqService.open(config)
    reader = await FaqService.open(config)
    stop = asyncio.Event()

    async def write(w: FaqService, gid: int, tag: str) -> None:
        for k in range(8):
            e = entry(
                f"{tag}{k}", f"Question {k} about {tag} fillers and peels?", gid, text=f"Answer {k} by {tag}."
            )
            await w.save_entry(e, actor=tag, action="add", create=True)
            if k % 3 == 1:
                await w.add_phrasing(gid, f"{tag}{k - 1}", f"another way to ask {tag} {k}", actor=tag)
            if k % 4 == 3:
                await w.set_removed(gid, f"{tag}{k - 2}", True, actor=tag)

    async def refresh_loop() -> int:
        n = 0
        while not stop.is_set():
            n += await reader.refresh()
            await asyncio.sleep(0)
        return n

    try:
        poller = asyncio.create_task(refresh_loop())
        await asyncio.gather(write(w1, GUILD_A, "a"), write(w2, GUILD_B, "b"), write(w1, GUILD_B, "c"))
        stop.set()
        assert await poller > 0
        await reader.refresh()
        assert reader.scope_sizes()[GUILD_A] == 8 and reader.scope_sizes()[GUILD_B] == 16
        await assert_same_as_fresh(reader)
    finally:
        for s in (reader, w1, w2):
            await s.close()


async def test_an_open_skips_reading_data_when_its_files_are_those_last_synced(
    db_url: str,  # noqa: F811
    data_dir: Path,
) -> None:
    """The store keeps the digest of the data/ it was synced from: an unchanged data/ is not
    parsed again; a changed file, or another process's sync of other files, is synced."""
    config = config_for(db_url, data_dir)
    first = await FaqService.open(config)
    assert "data/ read" in first.phases.seconds
    await first.close()
    again = await FaqService.open(config)
    try:
        assert "data/ read" not in again.phases.seconds
        assert again.sync_report is not None and not again.sync_report.changed
        assert again.sync_report.unchanged == len(again.own_entries(None))
        assert again.own_entries(None) == first.own_entries(None) != []
        for s in again._scopes[GLOBAL].entries.values():  # the stored hash the bars' cache key uses
            assert s.content_hash == content_hash(s.entry)
    finally:
        await again.close()

    seed = list(load_data(data_dir).entries)
    write_data(data_dir, [*seed, entry("new-global", "How long does lip filler last?", None)])
    changed = await FaqService.open(config)
    try:
        assert changed.sync_report is not None and changed.sync_report.added == ("new-global",)
    finally:
        await changed.close()

    other = data_dir.parent / "other-data"
    (other / "faq").mkdir(parents=True)
    write_data(other, seed)  # another process's data/: the new entry is removed there
    elsewhere = await FaqService.open(config.model_copy(update={"data_dir": str(other)}))
    await elsewhere.close()
    back = await FaqService.open(config)  # ours again: re-read and synced, not skipped
    try:
        assert back.sync_report is not None and back.sync_report.added == ("new-global",)
        assert back.find(None, "new-global") is not None
    finally:
        await back.close()

    (data_dir / "faq" / "all.yaml").write_text("- id: [broken\n", encoding="utf-8")
    with pytest.raises(DataError):
        await FaqService.open(config)
    check = await FaqService.open(config, sync=False)
    try:
        assert check.find(None, "new-global") is not None  # bad data changed nothing
    finally:
        await check.close()
