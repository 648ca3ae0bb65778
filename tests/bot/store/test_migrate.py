"""`faqbot migrate`: a store copied between backends is the same store, exactly."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot import cli
from bot.importer import parse_thread
from bot.models import Answer, Entry, Provider, Summary
from bot.store import Store, StoreError, open_store
from bot.store.forums import ExpertQuestion, ForumPost
from bot.store.migrate import migrate, migrate_urls
from tests.pgtools import fresh_database

SEED_ID = "why-does-botox-make-my-skin-appear-smoother"


def summary_of(entry: Entry) -> Summary:
    return Summary(experts=len(entry.answers))


def make(entry_id: str, question: str, guild_id: int | None = None, text: str = "An answer.") -> Entry:
    return Entry(
        id=entry_id,
        question=question,
        answers=(Answer("Dr A", text, Provider(name="Ada Lovelace", credentials="MD")),),
        phrasings=(f"{question} please",),
        tags=("skin",),
        guild_id=guild_id,
    )


async def populate(store: Store, seed_text: str) -> None:
    """A store with a bit of everything a real one holds."""
    await store.sync_global([parse_thread(seed_text).entry, make("retinol", "Is retinol safe?")], summary_of)
    await store.sync_global(  # an update and a removal, so the audit has all three kinds
        [parse_thread(seed_text).entry, make("sunscreen", "Does sunscreen expire?")], summary_of
    )
    big_guild = 2**62 + 7  # Discord snowflakes are 64-bit
    for gid in (1, big_guild):
        await store.save(make("own", "Our own question — é ✓?", gid), Summary(), actor="mod#1", action="add")
        await store.save(
            make("own", "Our own question, edited?", gid, text="Edited “answer”."),
            summary_of(make("own", "x", gid)),
            actor="mod#2",
            action="edit",
        )
    await store.save(make("gone", "Removed one?", 1), Summary(experts=3), actor="mod#1", action="add")
    await store.set_deleted(1, "gone", True, actor="mod#3")
    await store.set_hidden(1, SEED_ID, True, actor="mod#1")
    await store.set_hidden(big_guild, "sunscreen", True, actor="mod#1")
    # a guild's own phrasings of a global entry (issue 15), one of them with a NUL to clean
    await store.change_guild_phrasings(
        big_guild, SEED_ID, lambda _e, cur: (*cur, "tox pores", "é ✓ glow\x00"), actor="mod#1", action="alias"
    )
    await store.set_settings(1, {"keyword_channels": [10, 11], "thresholds": {"answer": 0.71}}, actor="m")
    await store.set_settings(big_guild, {"synonyms": {"botox": ["tox"]}}, actor="m")
    for q, decision in [("Botox pores", "answer"), ("botox pores", "answer"), ("cats?", "none")]:
        await store.record_query(1, q, decision, SEED_ID if decision == "answer" else None)
    await store.record_query(None, "global question", "suggest", None)
    await store.record_feedback(1, SEED_ID, 99, True)
    await store.record_feedback(1, SEED_ID, 98, False)
    await store.record_feedback(None, "sunscreen", 2**63 - 1, True)
    # issue 16: help-forum posts answered, questions sent to the experts (one answered by DM)
    await store.claim_forum_post(ForumPost(1, 500, 50, 7, SEED_ID, "botox pores?", None, "claimed"))
    await store.set_forum_post(1, 500, "replied", reply_id=501)
    await store.claim_forum_post(ForumPost(big_guild, 2**62 + 9, 51, 8, "own", "é ✓?", None, "claimed"))
    await store.add_expert_question(
        ExpertQuestion(1, "abcdef012345", 7, 50, "Can I?", notify="dm", reply_to=9)
    )
    await store.set_expert_question(
        1, "abcdef012345", "proposed", expect=("waiting",), answer="Yes “really”.", expert_id=2**62 + 3
    )
    await store.add_expert_question(ExpertQuestion(big_guild, "0123456789ab", 8, 51, "Other?"))


async def observable(store: Store) -> dict[str, Any]:
    """Everything the bot can read back through the Store interface."""
    entries = await store.load_all()
    guilds = sorted({s.entry.guild_id or 0 for s in entries} | {1, 0})
    return {
        "revision": await store.revision(),
        "entries": entries,
        "counts": await store.entry_counts(),
        "hidden": await store.all_hidden(),
        "phrasings": await store.guild_phrasings(),
        "settings": {g: await store.get_settings(g) for g in guilds},
        "history": {
            (s.entry.guild_id, s.entry.id): await store.history(s.entry.guild_id, s.entry.id) for s in entries
        },
        "removed_history": await store.history(None, "retinol"),
        "settings_history": await store.history(1, "*settings*"),
        "stats": {g: await store.stats(g or None) for g in guilds},
        "dump": await store.dump(),
        "community": await store.community_records(),
        "post": await store.get_forum_post(1, 500),
        "question": await store.get_expert_question(1, "abcdef012345"),
        "waiting": {g: await store.waiting_expert_questions(g) for g in guilds},
    }


@pytest.fixture
async def source(tmp_path: Path, seed_text: str) -> AsyncIterator[str]:
    url = f"sqlite:///{tmp_path / 'source.db'}"
    store = await open_store(url)
    await populate(store, seed_text)
    await store.close()
    yield url


async def read(url: str) -> dict[str, Any]:
    store = await open_store(url)
    try:
        return await observable(store)
    finally:
        await store.close()


async def test_sqlite_to_sqlite_copy_is_exact(source: str, tmp_path: Path) -> None:
    report = await migrate_urls(source, str(tmp_path / "copy.db"))
    assert (report.entries, report.removed, report.hidden, report.settings) == (5, 1, 2, 2)
    assert report.queries == 3 and report.feedback == 3 and report.audit > 10
    assert (report.forum_posts, report.expert_questions) == (2, 2)
    copied, original = await read(str(tmp_path / "copy.db")), await read(source)
    assert copied == original
    assert original["question"].notify == "dm" and original["question"].state == "proposed"
    assert original["post"].reply_id == 501 and original["post"].at


async def test_sqlite_to_postgres_to_sqlite_round_trip_is_lossless(source: str, tmp_path: Path) -> None:
    original = await read(source)
    async with fresh_database() as pg:
        await migrate_urls(source, pg)
        on_pg = await read(pg)
        assert on_pg == original
        back = f"sqlite:///{tmp_path / 'back.db'}"
        await migrate_urls(pg, back)
    assert await read(back) == original
    assert original["entries"] and original["stats"][1].top_queries  # compared something real
    assert len(original["dump"].forum_posts) == len(original["dump"].expert_questions) == 2


async def test_copied_store_keeps_working(source: str) -> None:
    async with fresh_database() as pg:
        await migrate_urls(source, pg)
        store = await open_store(pg)
        try:
            rev = await store.revision()
            await store.save(make("new", "After the move?", 1), Summary(), actor="m", action="add")
            assert await store.revision() == rev + 1
            assert await store.search(1, "sunscreen") == ["sunscreen"]
            assert await store.integrity_check() == "ok"
        finally:
            await store.close()


async def on_backend(backend: str, sqlite_path: str, check: Callable[[str], Awaitable[None]]) -> None:
    """Run `check` on a fresh store of that backend: a SQLite file, or a throwaway database."""
    if backend == "sqlite":
        await check(sqlite_path)
    else:
        async with fresh_database() as pg:
            await check(pg)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_refuses_a_destination_that_holds_data(source: str, tmp_path: Path, backend: str) -> None:
    async def check(dst_url: str) -> None:
        dst = await open_store(dst_url)
        try:
            await dst.set_settings(5, {"x": 1}, actor="m")
            before = await dst.dump()
            src = await open_store(source)
            try:
                with pytest.raises(StoreError, match="already holds data"):
                    await migrate(src, dst)
                with pytest.raises(StoreError, match="not empty"):  # restore checks too, in its transaction
                    await dst.restore(await src.dump())
            finally:
                await src.close()
            assert await dst.dump() == before
        finally:
            await dst.close()

    await on_backend(backend, str(tmp_path / "busy.db"), check)


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_destination_holding_only_community_rows_is_refused(
    source: str, tmp_path: Path, backend: str
) -> None:
    async def check(dst_url: str) -> None:
        dst, src = await open_store(dst_url), await open_store(source)
        try:
            await dst.add_expert_question(ExpertQuestion(5, "q", 1, 2, "Waiting?"))
            with pytest.raises(StoreError, match="already holds data"):
                await migrate(src, dst)
            await dst.clear()  # what a failed copy's undo runs: the new tables are emptied too
            assert (await dst.dump()).is_empty()
        finally:
            await src.close()
            await dst.close()

    await on_backend(backend, str(tmp_path / "busy.db"), check)


def test_cli_migrate(source: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "cli-copy.db"
    assert cli.main(["migrate", "--from", source, "--to", f"sqlite:///{target}"]) == 0
    out = capsys.readouterr().out
    assert "copied 5 entries (1 removed)" in out and "2 help-forum posts, 2 questions for the experts" in out
    assert asyncio.run(read(str(target))) == asyncio.run(read(source))

    assert cli.main(["migrate", "--from", source, "--to", str(target)]) == 1  # not empty now
    assert "already holds data" in capsys.readouterr().err
    missing = tmp_path / "nope.db"
    assert cli.main(["migrate", "--from", str(missing), "--to", str(tmp_path / "x.db")]) == 1
    assert "no such SQLite database" in capsys.readouterr().err
    assert not missing.exists()  # a typo'd source is not created empty


@pytest.fixture
async def pg_db() -> AsyncIterator[str]:
    async with fresh_database() as url:
        yield url


def test_cli_migrate_to_postgres_hides_the_password(
    source: str, pg_db: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["migrate", "--from", source, "--to", pg_db]) == 0
    out = capsys.readouterr().out
    assert "copied 5 entries" in out
    password = pg_db.split("//", 1)[1].split("@", 1)[0].split(":", 1)[1]
    assert password not in out and ":***@" in out
    assert asyncio.run(read(pg_db))["dump"] == asyncio.run(read(source))["dump"]


# -- text PostgreSQL cannot store; a copy that does not verify (issue 12) -------------------------


async def test_a_nul_in_a_recorded_query_migrates_to_postgres(tmp_path: Path, seed_text: str) -> None:
    """A NUL (or a lone surrogate) in a recorded query: both backends store the same text, and
    a source written before that normalisation existed still copies and verifies."""
    url = f"sqlite:///{tmp_path / 'nul.db'}"
    src = await open_store(url)
    try:
        await populate(src, seed_text)
        await src.record_query(1, "botox\x00 pores", "none", None)
        await src.record_query(1, "lone \udc80 surrogate", "none", None)
        await src.record_feedback(1, "own\x00", 5, True)
    finally:
        await src.close()
    import aiosqlite  # a row as an older faqbot wrote it, NUL and all

    async with aiosqlite.connect(tmp_path / "nul.db") as db:
        await db.execute(
            "INSERT INTO queries VALUES (1, ?, 2, 2, NULL, '2024-01-01T00:00:00Z')", ("old\x00query",)
        )
        await db.commit()
    async with fresh_database() as pg:
        report = await migrate_urls(url, pg)
        assert report.queries == 3 + 2  # "botox\x00 pores" is counted as "botox pores"
        dst = await open_store(pg)
        try:
            queries = {q.query for q in (await dst.dump()).queries}
            assert {"botox pores", "lone \ufffd surrogate", "oldquery"} <= queries
            # the same writes on PostgreSQL store exactly what SQLite stored
            await dst.record_query(7, "botox\x00 pores", "none", None)
            assert [q.query for q in (await dst.stats(7)).top_queries] == ["botox pores"]
        finally:
            await dst.close()


class ReadsBackWrong:
    """A destination whose read-back differs from what was written (a fault injected into the
    verification step only; restore and clear are the real store's)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.restored = False

    def __getattr__(self, name: str) -> Any:
        return getattr(self.store, name)

    async def restore(self, dump: Any) -> None:
        await self.store.restore(dump)
        self.restored = True

    async def dump(self) -> Any:
        real = await self.store.dump()
        if not self.restored:
            return real
        from dataclasses import replace

        return replace(real, queries=real.queries[1:])


@pytest.mark.parametrize("backend", ["sqlite", "postgres"])
async def test_a_copy_that_does_not_verify_is_removed_and_can_be_redone(
    source: str, tmp_path: Path, backend: str
) -> None:
    async def check(dst_url: str) -> None:
        src = await open_store(source)
        dst = await open_store(dst_url)
        try:
            with pytest.raises(StoreError, match="removed again"):
                await migrate(src, ReadsBackWrong(dst))  # type: ignore[arg-type]
            assert (await dst.dump()).is_empty() and await dst.revision() == 0
        finally:
            await src.close()
            await dst.close()
        await migrate_urls(source, dst_url)  # the re-run is not refused
        assert await read(dst_url) == await read(source)

    await on_backend(backend, str(tmp_path / "target.db"), check)
