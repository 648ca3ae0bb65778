"""The SQLite store: sync of data/, transactions, audit, guild isolation, stats."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.importer import parse_thread
from bot.models import Answer, Entry, Provider, Summary
from bot.store import NotFound, ReadOnly, StoreError
from bot.store.sqlite import SQLiteStore


def no_summary(entry: Entry) -> Summary:
    return Summary(experts=len(entry.answers))


def make(entry_id: str, question: str, guild_id: int | None = None) -> Entry:
    return Entry(
        id=entry_id,
        question=question,
        answers=(Answer("A", f"Answer to {question}", Provider(name="Jane Roe")),),
        guild_id=guild_id,
    )


@pytest.fixture
async def store(tmp_path: Path):  # type: ignore[no-untyped-def]
    s = await SQLiteStore.open(tmp_path / "faq.db")
    yield s
    await s.close()


async def test_sync_is_idempotent_and_removes_deleted(store: SQLiteStore, seed_text: str) -> None:
    seed = parse_thread(seed_text).entry
    other = make("retinol", "Is retinol purging normal?")
    report = await store.sync_global([seed, other], no_summary)
    assert sorted(report.added) == sorted([seed.id, "retinol"])
    rev = await store.revision()

    again = await store.sync_global([seed, other], no_summary)
    assert not again.changed and again.unchanged == 2
    assert await store.revision() == rev  # unchanged entries untouched

    changed = other.with_changes(question="Is retinol purging normal at all?")
    report = await store.sync_global([seed, changed], no_summary)
    assert report.updated == ("retinol",)
    stored = await store.get(None, "retinol")
    assert stored is not None and stored.entry.question.endswith("at all?")

    report = await store.sync_global([seed], no_summary)
    assert report.removed == ("retinol",)
    assert await store.get(None, "retinol") is None


async def test_sync_never_touches_guild_entries(store: SQLiteStore) -> None:
    await store.save(
        make("mine", "Guild question?", 42), no_summary(make("x", "y")), actor="mod", action="add"
    )
    await store.sync_global([], no_summary)
    assert (await store.get(42, "mine")) is not None


async def test_failed_write_leaves_previous_state(
    store: SQLiteStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    entry = make("e1", "First question?", 7)
    await store.save(entry, no_summary(entry), actor="mod", action="add")
    before = await store.get(7, "e1")

    async def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk gone mid-write")

    monkeypatch.setattr(store, "_audit", boom)  # fails after the entry row was written
    with pytest.raises(RuntimeError):
        await store.save(
            entry.with_changes(question="Changed?"), no_summary(entry), actor="mod", action="edit"
        )
    after = await store.get(7, "e1")
    assert after == before
    assert await store.integrity_check() == "ok"


async def test_global_entries_are_read_only(store: SQLiteStore) -> None:
    with pytest.raises(ReadOnly):
        await store.save(make("g", "Global?"), Summary(), actor="mod", action="edit")


async def test_create_refuses_existing_and_edit_refuses_missing(store: SQLiteStore) -> None:
    e = make("dup", "Question?", 1)
    await store.save(e, Summary(), actor="mod", action="add", create=True)
    with pytest.raises(StoreError, match="already exists"):
        await store.save(e, Summary(), actor="mod", action="add", create=True)
    with pytest.raises(NotFound):
        await store.save(make("nope", "Q?", 1), Summary(), actor="mod", action="edit", create=False)


async def test_audit_history_records_who_and_what(store: SQLiteStore) -> None:
    e = make("h", "Old question?", 5)
    await store.save(e, Summary(), actor="alice#1", action="add")
    await store.save(e.with_changes(question="New question?"), Summary(), actor="bob#2", action="edit")
    await store.set_deleted(5, "h", True, actor="carol#3")
    await store.set_deleted(5, "h", False, actor="carol#3")
    history = await store.history(5, "h")
    assert [(h.actor, h.action) for h in history] == [
        ("alice#1", "add"),
        ("bob#2", "edit"),
        ("carol#3", "remove"),
        ("carol#3", "restore"),
    ]
    assert history[1].changes == {"question": ["Old question?", "New question?"]}
    stored = await store.get(5, "h")
    assert stored is not None and stored.entry.created_by == "alice#1" and stored.entry.updated_by == "bob#2"


async def test_soft_delete_twice_is_an_error(store: SQLiteStore) -> None:
    await store.save(make("d", "Q?", 5), Summary(), actor="m", action="add")
    await store.set_deleted(5, "d", True, actor="m")
    with pytest.raises(NotFound, match="already removed"):
        await store.set_deleted(5, "d", True, actor="m")


async def test_settings_stats_and_feedback_are_per_guild(store: SQLiteStore) -> None:
    await store.set_settings(1, {"keyword_channels": [10]}, actor="m")
    assert await store.get_settings(1) == {"keyword_channels": [10]}
    assert await store.get_settings(2) == {}
    for q, decision in [("Botox pores", "answer"), ("botox  pores", "answer"), ("cats?", "none")]:
        await store.record_query(1, q, decision, "e" if decision == "answer" else None)
    await store.record_feedback(1, "e", 99, True)
    await store.record_feedback(1, "e", 99, False)  # a member's vote is replaced, not added
    await store.record_feedback(1, "e", 98, True)
    stats = await store.stats(1)
    assert [(s.query, s.count) for s in stats.top_queries] == [("botox pores", 2), ("cats?", 1)]
    assert [s.query for s in stats.unanswered] == ["cats?"]
    assert stats.feedback == {"e": (1, 1)}
    empty = await store.stats(2)
    assert empty.top_queries == () and empty.feedback == {}


async def test_fts_search_treats_input_as_text(store: SQLiteStore, seed_text: str) -> None:
    await store.sync_global([parse_thread(seed_text).entry], no_summary)
    assert await store.search(None, "pores") == ["why-does-botox-make-my-skin-appear-smoother"]
    for hostile in ['"', "AND OR NOT", "pores*)(", "NEAR(", "col:x", "'; DROP TABLE entries; --"]:
        await store.search(None, hostile)  # must not raise


async def test_reopen_keeps_data_and_schema_version(tmp_path: Path) -> None:
    s = await SQLiteStore.open(tmp_path / "x.db")
    await s.save(make("k", "Kept?", 3), Summary(), actor="m", action="add")
    await s.close()
    s = await SQLiteStore.open(tmp_path / "x.db")
    assert (await s.get(3, "k")) is not None
    await s.close()


async def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable faqbot database"):
        await SQLiteStore.open(bad)


async def test_online_backup(store: SQLiteStore, tmp_path: Path) -> None:
    await store.save(make("b", "Backed up?", 4), Summary(), actor="m", action="add")
    await store.backup(tmp_path / "copy.db")
    copy = await SQLiteStore.open(tmp_path / "copy.db")
    assert (await copy.get(4, "b")) is not None
    await copy.close()
