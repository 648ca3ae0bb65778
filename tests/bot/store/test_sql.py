"""The store, on both backends: sync of data/, transactions, audit, guild isolation, stats.

Every behaviour test runs on SQLite and on PostgreSQL (a fresh database per test; see
tests/pgtools.py). Backend-specific cases follow at the end.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.importer import parse_thread
from bot.models import Answer, Entry, Provider, Summary
from bot.store import NotFound, ReadOnly, Store, StoreError, open_store
from bot.store.sqlite import SQLiteStore
from tests.pgtools import fresh_database, pg_url, with_database

SEED_ID = "why-does-botox-make-my-skin-appear-smoother"


def no_summary(entry: Entry) -> Summary:
    return Summary(experts=len(entry.answers))


def make(entry_id: str, question: str, guild_id: int | None = None) -> Entry:
    return Entry(
        id=entry_id,
        question=question,
        answers=(Answer("A", f"Answer to {question}", Provider(name="Jane Roe")),),
        guild_id=guild_id,
    )


@pytest.fixture(params=["sqlite", "postgres"])
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """A URL to a fresh, empty store on each backend."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'faq.db'}"
    else:
        async with fresh_database() as url:
            yield url


@pytest.fixture
async def store(db_url: str) -> AsyncIterator[Store]:
    s = await open_store(db_url)
    yield s
    await s.close()


@pytest.fixture
async def pg_db() -> AsyncIterator[str]:
    async with fresh_database() as url:
        yield url


async def test_sync_is_idempotent_and_removes_deleted(store: Store, seed_text: str) -> None:
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


async def test_sync_never_touches_guild_entries(store: Store) -> None:
    await store.save(
        make("mine", "Guild question?", 42), no_summary(make("x", "y")), actor="mod", action="add"
    )
    await store.sync_global([], no_summary)
    assert (await store.get(42, "mine")) is not None


async def test_failed_write_leaves_previous_state(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    entry = make("e1", "First question?", 7)
    await store.save(entry, no_summary(entry), actor="mod", action="add")
    before = await store.get(7, "e1")
    rev = await store.revision()

    async def boom(*args: object, **kwargs: object) -> None:
        raise RuntimeError("disk gone mid-write")

    monkeypatch.setattr(store, "_audit", boom)  # fails after the entry row was written
    with pytest.raises(RuntimeError):
        await store.save(
            entry.with_changes(question="Changed?"), no_summary(entry), actor="mod", action="edit"
        )
    after = await store.get(7, "e1")
    assert after == before
    assert await store.revision() == rev  # the revision bump was rolled back with the rest
    assert await store.integrity_check() == "ok"


async def test_global_entries_are_read_only(store: Store) -> None:
    with pytest.raises(ReadOnly):
        await store.save(make("g", "Global?"), Summary(), actor="mod", action="edit")


async def test_create_refuses_existing_and_edit_refuses_missing(store: Store) -> None:
    e = make("dup", "Question?", 1)
    await store.save(e, Summary(), actor="mod", action="add", create=True)
    with pytest.raises(StoreError, match="already exists"):
        await store.save(e, Summary(), actor="mod", action="add", create=True)
    with pytest.raises(NotFound):
        await store.save(make("nope", "Q?", 1), Summary(), actor="mod", action="edit", create=False)


async def test_audit_history_records_who_and_what(store: Store) -> None:
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


async def test_soft_delete_twice_is_an_error(store: Store) -> None:
    await store.save(make("d", "Q?", 5), Summary(), actor="m", action="add")
    await store.set_deleted(5, "d", True, actor="m")
    with pytest.raises(NotFound, match="already removed"):
        await store.set_deleted(5, "d", True, actor="m")
    with pytest.raises(NotFound, match="no entry"):
        await store.set_deleted(5, "never-was", True, actor="m")
    stored = await store.get(5, "d")
    assert stored is not None and stored.deleted
    assert await store.entry_counts() == {"global": 0, "guild": 0, "guilds": 1}


async def test_settings_stats_and_feedback_are_per_guild(store: Store) -> None:
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

    await store.forget_query(1, "  CATS? ")  # normalised like record_query
    assert [s.query for s in (await store.stats(1)).top_queries] == ["botox pores"]
    await store.set_settings(1, {"keyword_channels": [11], "cooldown": 5}, actor="m2")
    history = await store.history(1, "*settings*")
    assert [h.actor for h in history] == ["m", "m2"]
    assert history[1].changes == {"keyword_channels": [[10], [11]], "cooldown": [None, 5]}


async def test_hidden_globals_per_guild(store: Store, seed_text: str) -> None:
    await store.sync_global([parse_thread(seed_text).entry], no_summary)
    rev = await store.revision()
    await store.set_hidden(1, SEED_ID, True, actor="m")
    await store.set_hidden(1, SEED_ID, True, actor="m")  # idempotent, and not audited twice
    assert await store.revision() > rev  # hiding changes what a matcher may return
    assert await store.hidden(1) == {SEED_ID}
    assert await store.hidden(2) == set()
    assert await store.all_hidden() == {1: {SEED_ID}}
    await store.set_hidden(1, SEED_ID, False, actor="m")
    assert await store.all_hidden() == {}
    assert [h.action for h in await store.history(1, SEED_ID)] == ["hide", "unhide"]


async def test_every_entry_write_bumps_the_revision(store: Store) -> None:
    seen = [await store.revision()]
    e = make("r", "Revised?", 3)
    await store.save(e, Summary(), actor="m", action="add")
    seen.append(await store.revision())
    await store.save_many([e.with_changes(question="Imported?")], [Summary()], actor="m")
    seen.append(await store.revision())
    await store.set_deleted(3, "r", True, actor="m")
    seen.append(await store.revision())
    assert seen == sorted(set(seen))  # strictly increasing
    stored = await store.get(3, "r")
    assert stored is not None and stored.revision == seen[-1]
    loaded = await store.load_all()
    assert [(s.entry.id, s.deleted, s.revision) for s in loaded] == [("r", True, seen[-1])]


async def test_save_many_keeps_metadata_and_restores_removed(store: Store) -> None:
    old = make("m1", "Old?", 9)
    await store.save(old, Summary(), actor="m", action="add")
    await store.set_deleted(9, "m1", True, actor="m")
    exported = make("m1", "Exported?", 9).with_changes(
        created_at="2024-01-01T00:00:00Z", created_by="original#1", updated_at="2024-02-01T00:00:00Z"
    )
    await store.save_many([exported, make("m2", "Second?", 9)], [Summary(experts=1), Summary()], actor="imp")
    m1 = await store.get(9, "m1")
    assert m1 is not None and not m1.deleted
    assert (m1.entry.question, m1.entry.created_by, m1.entry.created_at) == (
        "Exported?",
        "original#1",
        "2024-01-01T00:00:00Z",
    )
    assert m1.entry.updated_by == "imp" and m1.auto_summary == Summary(experts=1)
    assert await store.entry_counts() == {"global": 0, "guild": 2, "guilds": 1}
    with pytest.raises(ReadOnly):
        await store.save_many([make("g", "Global?")], [Summary()], actor="imp")


async def test_guilds_are_isolated(store: Store) -> None:
    await store.save(make("same", "Guild one?", 1), Summary(), actor="m", action="add")
    await store.save(make("same", "Guild two?", 2), Summary(), actor="m", action="add")
    one, two = await store.get(1, "same"), await store.get(2, "same")
    assert one is not None and two is not None
    assert (one.entry.question, two.entry.question) == ("Guild one?", "Guild two?")
    assert await store.get(None, "same") is None
    assert await store.entry_counts() == {"global": 0, "guild": 2, "guilds": 2}


async def test_fts_search_treats_input_as_text(store: Store, seed_text: str) -> None:
    await store.sync_global([parse_thread(seed_text).entry], no_summary)
    assert await store.search(None, "pores") == [SEED_ID]
    for hostile in ['"', "AND OR NOT", "pores*)(", "NEAR(", "col:x", "'; DROP TABLE entries; --"]:
        await store.search(None, hostile)  # must not raise
    assert await store.search(None, "   ") == []
    assert await store.get(None, SEED_ID) is not None  # nothing was dropped


async def test_search_with_a_nul_byte_does_not_raise(store: Store) -> None:
    await store.sync_global([make("n", "Null byte?")], no_summary)
    assert isinstance(await store.search(None, "null\x00byte"), list)


async def test_text_a_database_cannot_hold_is_stored_and_looked_up_alike(store: Store) -> None:
    """NUL and lone surrogates (issue 12): both backends store the same normalised text, and a
    looked-up key holding them never reaches the driver raw (a driver error on PostgreSQL)."""
    await store.record_query(1, "botox\x00 pores", "none", None)
    await store.record_query(1, "lone \udc80 surrogate", "none", None)
    await store.set_settings(1, {"disclaimer": "a\x00b"}, actor="mod\x00")
    assert {q.query for q in (await store.stats(1)).top_queries} == {"botox pores", "lone \ufffd surrogate"}
    assert await store.get_settings(1) == {"disclaimer": "ab"}
    assert (await store.history(1, "*settings*"))[0].actor == "mod"
    assert await store.get(1, "no\x00such") is None
    assert await store.history(1, "lone \udc80") == []


async def test_search_ranks_question_over_answers_and_scopes_guilds(store: Store) -> None:
    await store.sync_global(
        [
            make("q", "Does sunscreen expire?"),
            Entry("a", "Unrelated question?", (Answer("A", "Sunscreen is mentioned only here."),)),
        ],
        no_summary,
    )
    await store.save(make("mine", "Sunscreen for guild one?", 1), Summary(), actor="m", action="add")
    assert (await store.search(None, "sunscreen"))[:2] == ["q", "a"]
    assert "mine" not in await store.search(2, "sunscreen")
    assert "mine" in await store.search(1, "sunscreen")


async def test_reopen_keeps_data_and_schema_version(db_url: str) -> None:
    s = await open_store(db_url)
    await s.save(make("k", "Kept?", 3), Summary(), actor="m", action="add")
    rev = await s.revision()
    await s.close()
    s = await open_store(db_url)
    assert (await s.get(3, "k")) is not None
    assert await s.revision() == rev
    assert await s.integrity_check() == "ok"
    await s.close()


# -- SQLite only --------------------------------------------------------------------------------


@pytest.fixture
async def sqlite_store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    s = await SQLiteStore.open(tmp_path / "faq.db")
    yield s
    await s.close()


async def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "junk.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="not a usable faqbot database"):
        await SQLiteStore.open(bad)


async def test_online_backup(sqlite_store: SQLiteStore, tmp_path: Path) -> None:
    await sqlite_store.save(make("b", "Backed up?", 4), Summary(), actor="m", action="add")
    await sqlite_store.backup(tmp_path / "copy.db")
    copy = await SQLiteStore.open(tmp_path / "copy.db")
    assert (await copy.get(4, "b")) is not None
    await copy.close()


# -- PostgreSQL only ------------------------------------------------------------------------------


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])  # closed again on exit: nothing listens there


async def test_pg_unreachable_server_is_a_clear_error() -> None:
    pytest.importorskip("asyncpg")
    url = f"postgresql://faqbot:secret-pw@127.0.0.1:{_closed_port()}/faqbot"
    with pytest.raises(StoreError, match="connection refused") as info:
        await open_store(url)
    assert "secret-pw" not in str(info.value)


async def test_pg_wrong_password_and_missing_database_are_clear_errors() -> None:
    from urllib.parse import urlsplit

    url = pg_url()
    parts = urlsplit(url)
    wrong = url.replace(f":{parts.password}@", ":not-the-password@")
    with pytest.raises(StoreError, match="password authentication failed") as info:
        await open_store(wrong)
    assert "not-the-password" not in str(info.value)
    with pytest.raises(StoreError, match="does not exist"):
        await open_store(with_database(url, "faqbot_no_such_db"))


async def test_pg_newer_schema_is_refused(pg_db: str) -> None:
    import asyncpg

    s = await open_store(pg_db)  # creates the schema
    await s.close()
    conn = await asyncpg.connect(pg_db)
    await conn.execute("INSERT INTO schema_version VALUES (999)")
    await conn.close()
    with pytest.raises(StoreError, match="newer than this faqbot"):
        await open_store(pg_db)


async def test_pg_processes_starting_together_migrate_and_sync_once(pg_db: str, seed_text: str) -> None:
    """Several stores (separate pools: separate server sessions) open and sync at the same time."""
    import asyncpg

    entries = [parse_thread(seed_text).entry, *(make(f"e{i}", f"Question {i}?") for i in range(20))]
    stores = await asyncio.wait_for(asyncio.gather(*(open_store(pg_db) for _ in range(4))), 60)
    try:
        reports = await asyncio.wait_for(
            asyncio.gather(*(s.sync_global(entries, no_summary) for s in stores)), 60
        )
        assert sum(len(r.added) for r in reports) == len(entries)  # each added exactly once
        assert sum(1 for r in reports if r.changed) == 1
        assert await stores[0].revision() == 1
        assert await stores[0].entry_counts() == {"global": len(entries), "guild": 0, "guilds": 0}
        assert [h.action for h in await stores[1].history(None, "e3")] == ["sync-add"]
    finally:
        for s in stores:
            await s.close()
    conn = await asyncpg.connect(pg_db)
    from bot.store.postgres import MIGRATIONS

    assert await conn.fetchval("SELECT count(*) FROM schema_version") == len(MIGRATIONS)  # each once
    await conn.close()


async def test_pg_concurrent_creates_of_one_id_make_one_entry(pg_db: str) -> None:
    a, b = await open_store(pg_db), await open_store(pg_db)
    try:
        results = await asyncio.gather(
            *(
                s.save(make("race", f"From {n}?", 5), Summary(), actor=n, action="add", create=True)
                for s, n in [(a, "a"), (b, "b"), (a, "a2"), (b, "b2")]
            ),
            return_exceptions=True,
        )
        errors = [r for r in results if isinstance(r, BaseException)]
        assert len(errors) == 3 and all(isinstance(e, StoreError) for e in errors)
        assert [h.action for h in await a.history(5, "race")] == ["add"]
        assert await b.revision() == 1
    finally:
        await a.close()
        await b.close()


async def test_pg_search_finds_typos_with_trigrams(pg_db: str, seed_text: str) -> None:
    from bot.store.postgres import PostgresStore

    s = await open_store(pg_db)
    try:
        assert isinstance(s, PostgresStore)
        await s.sync_global([parse_thread(seed_text).entry, make("retinol", "Is retinol safe?")], no_summary)
        if not s.trigram:
            pytest.skip("pg_trgm is not available on this server")
        assert await s.search(None, "botx") == [SEED_ID]
        assert await s.search(None, "retinl") == ["retinol"]
        assert (await s.search(None, "retinol"))[0] == "retinol"
    finally:
        await s.close()


async def test_pg_store_recovers_after_its_connections_are_killed(pg_db: str) -> None:
    """A server restart or an admin killing sessions: the pool reconnects; at worst one
    call fails, as a StoreError (never a raw driver error)."""
    import asyncpg

    s = await open_store(pg_db)
    try:
        admin = await asyncpg.connect(pg_db)
        await admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        await admin.close()
        try:
            await s.revision()
        except StoreError as exc:
            assert "unreachable" in str(exc) and "nothing was changed" in str(exc)
        assert await s.revision() == 0  # the pool replaced the dead connection
    finally:
        await s.close()


async def test_member_proposals_survive_more_misses_and_concurrent_writers(db_url: str) -> None:
    """propose_entry (issue 14): one atomic statement; concurrent picks, misses and
    'none of these' from several connections leave one consistent row, nothing lost."""
    stores = [await open_store(db_url) for _ in range(3)]
    try:
        a = stores[0]
        await a.record_query(1, "Puffy lips?", "suggest", None)
        assert await a.propose_entry(1, "  puffy LIPS? ", "lip") is True  # normalised like record_query
        assert await a.propose_entry(1, "never asked", "lip") is False
        await a.record_query(1, "puffy lips?", "none", None)  # another miss keeps the member's pick
        (row,) = (await a.stats(1)).unanswered
        assert (row.count, row.unanswered, row.last_entry_id) == (2, 2, "lip")
        assert (await a.stats(2)).unanswered == ()  # per guild

        async def member(s: Store, n: int) -> None:
            for k in range(10):
                await s.record_query(1, "puffy lips?", "suggest", None)
                await s.propose_entry(1, "puffy lips?", None if (n + k) % 5 == 0 else f"e{n}")

        await asyncio.wait_for(asyncio.gather(*(member(s, n) for n, s in enumerate(stores))), 60)
        (row,) = (await a.stats(1)).unanswered
        assert (row.count, row.unanswered) == (32, 32)  # every miss counted
        assert row.last_entry_id in {None, "e0", "e1", "e2"}
    finally:
        for s in stores:
            await s.close()


async def test_a_guilds_phrasings_of_a_global_entry_are_one_checked_write(
    db_url: str, seed_text: str
) -> None:
    """Issue 15: `change_guild_phrasings` applies a pure change to the guild's phrasings as
    stored now, audits a real change only, refuses an unknown or removed global entry, and
    removes the row with the last phrasing. Guild scopes read only their guilds' rows."""
    from bot.importer import parse_thread
    from bot.models import Summary
    from bot.store import GuildScope, NotFound, open_store

    store = await open_store(db_url)
    try:
        seed = parse_thread(seed_text).entry
        await store.sync_global([seed], lambda _e: Summary())
        add = lambda p: lambda _e, cur: (*cur, p)  # noqa: E731
        assert await store.change_guild_phrasings(
            7, seed.id, add("tox pores"), actor="m", action="alias"
        ) == (
            (),
            ("tox pores",),
        )
        await store.change_guild_phrasings(8, seed.id, add("other guild"), actor="m", action="alias")
        assert (await store.guild_phrasings())[7] == {seed.id: ("tox pores",)}
        assert set(await store.guild_phrasings(GuildScope(guild_ids=frozenset({8})))) == {8}
        unchanged = await store.change_guild_phrasings(
            7, seed.id, lambda _e, cur: cur, actor="m", action="edit"
        )
        assert unchanged == (("tox pores",), ("tox pores",))
        assert [r.action for r in await store.history(7, seed.id)] == ["alias"]  # no audit without a change

        def refuse(_e: object, _cur: tuple[str, ...]) -> tuple[str, ...]:
            raise ValueError("already a phrasing")

        revision = await store.revision()
        with pytest.raises(ValueError):
            await store.change_guild_phrasings(7, seed.id, refuse, actor="m", action="alias")
        assert await store.revision() == revision  # nothing written
        with pytest.raises(NotFound):
            await store.change_guild_phrasings(7, "no-such-entry", add("x"), actor="m", action="alias")
        assert await store.change_guild_phrasings(
            7, seed.id, lambda _e, _c: (), actor="m", action="edit"
        ) == (
            ("tox pores",),
            (),
        )
        assert 7 not in await store.guild_phrasings()
        (last,) = [r for r in await store.history(7, seed.id) if r.action == "edit"]
        assert last.changes == {"phrasings": [["tox pores"], []]}
    finally:
        await store.close()
