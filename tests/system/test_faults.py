"""Faults (issue 8): SIGKILL during moderator writes, a busy or locked database, a full disk.

Every test is bounded in rounds and time and stops by itself. Figures: docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import os
import random
import signal
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio

from bot.config import load_config
from bot.models import Answer, Entry, Provider, Summary
from bot.service import FaqService
from bot.store import StoreError
from bot.store.sqlite import SQLiteStore
from tests.conftest import ROOT

GUILD = 4242
ROUNDS = int(os.environ.get("FAQBOT_KILL_ROUNDS", "4"))


def _entry(entry_id: str, text: str = "An answer.", n: int = 1) -> Entry:
    answers = tuple(Answer(f"t{k}", text, Provider(name=f"Dr Expert{k}")) for k in range(n))
    return Entry(entry_id, f"Question {entry_id}?", answers, guild_id=GUILD)


async def _state(path: Path) -> tuple[str, dict[str, tuple[int, bool]]]:
    store = await SQLiteStore.open(path)
    try:
        integrity = await store.integrity_check()
        rows = await store.load_all()
    finally:
        await store.close()
    return integrity, {s.entry.id: (len(s.entry.answers), s.deleted) for s in rows if s.entry.guild_id}


def _parse_state(text: str) -> tuple[int, bool]:
    n, removed = text.split("/")
    return int(n), removed == "1"


async def _writer_round(
    db: Path, seed: int, kill_after: int
) -> tuple[dict[str, tuple[int, bool]], tuple, int]:
    """Run the writer until `kill_after` ACKs (plus a random pause), SIGKILL it.

    Returns the expected state per entry after every ACKed write, and the write in flight
    (DO without ACK) as (entry id, its state if applied) or ().
    """
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.fault_writer", str(db), str(GUILD), str(seed), "100000",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None
    acked: dict[str, tuple[int, bool]] = {}
    pending: dict[int, tuple[str, tuple[int, bool]]] = {}
    acks = 0
    deadline = time.monotonic() + 60
    try:
        while acks < kill_after:
            line = await asyncio.wait_for(proc.stdout.readline(), max(0.1, deadline - time.monotonic()))
            if not line:
                err = await proc.stderr.read() if proc.stderr else b""
                raise AssertionError(f"writer exited early: {err.decode()[-2000:]}")
            words = line.decode().split()
            if words[0] == "DO":
                pending[int(words[1])] = (words[3], _parse_state(words[4]))
            elif words[0] == "ACK":
                entry_id, after = pending.pop(int(words[1]))
                acked[entry_id] = after
                acks += 1
        await asyncio.sleep(random.Random(seed).uniform(0, 0.05))  # land somewhere inside a write
        proc.send_signal(signal.SIGKILL)
        rest, _ = await asyncio.wait_for(proc.communicate(), 10)
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
    assert proc.returncode == -signal.SIGKILL
    for line in rest.decode().splitlines():  # lines printed between our last read and the kill
        words = line.split()
        if words and words[0] == "DO":
            pending[int(words[1])] = (words[3], _parse_state(words[4]))
        elif words and words[0] == "ACK":
            entry_id, after = pending.pop(int(words[1]))
            acked[entry_id] = after
            acks += 1
    assert len(pending) <= 1
    in_flight = next(iter(pending.values()), ())
    return acked, in_flight, acks


async def test_sigkill_during_moderator_writes_loses_nothing_acknowledged(tmp_path: Path) -> None:
    db = tmp_path / "kill.db"
    expected: dict[str, tuple[int, bool]] = {}
    total_acks = 0
    in_flight_applied = 0
    rng = random.Random(8)
    for round_no in range(ROUNDS):
        acked, in_flight, acks = await _writer_round(db, seed=100 + round_no, kill_after=rng.randint(15, 60))
        total_acks += acks
        expected |= acked
        integrity, found = await _state(db)
        assert integrity == "ok"
        if in_flight:  # the write being made at the kill: wholly there or wholly absent
            entry_id, after = in_flight
            if found.get(entry_id) == after and expected.get(entry_id) != after:
                expected[entry_id] = after
                in_flight_applied += 1
        assert found == expected, f"round {round_no}: store differs from acknowledged writes"
    # Restarted on the same file, the service opens it and answers from it.
    config = load_config(None, {"data_dir": str(tmp_path), "database": {"url": f"sqlite:///{db}"},
                                "matching": {"semantic": "off"}})  # fmt: skip
    service = await FaqService.open(config, sync=False)
    try:
        live = {e.id for e in service.own_entries(GUILD)}
        assert live == {i for i, (_, removed) in expected.items() if not removed}
        some = sorted(live)[0]
        reply = await service.ask(f"Question {some}", GUILD)
        assert reply.result.decision in ("answer", "suggest", "none")
    finally:
        await service.close()
    print(
        f"\nSIGKILL: {ROUNDS} rounds, {total_acks} acknowledged writes, {len(expected)} entries, "
        f"in-flight writes found applied {in_flight_applied}"
    )


# -- busy / locked database ------------------------------------------------------------------


@pytest_asyncio.fixture
async def store(tmp_path: Path) -> AsyncIterator[SQLiteStore]:
    s = await SQLiteStore.open(tmp_path / "busy.db")
    await s.save(_entry("first"), Summary(), actor="mod", action="add", create=True)
    yield s
    await s.close()


def _hold_write_lock(path: str) -> sqlite3.Connection:
    other = sqlite3.connect(path, isolation_level=None, timeout=0.1)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE meta SET value = value WHERE key = 'revision'")
    return other


async def test_write_waits_for_a_lock_held_briefly_then_succeeds(store: SQLiteStore) -> None:
    other = _hold_write_lock(store.path)
    asyncio.get_running_loop().call_later(1.0, other.commit)
    started = time.monotonic()
    await store.save(_entry("second"), Summary(), actor="mod", action="add", create=True)
    waited = time.monotonic() - started
    other.close()
    assert 0.8 <= waited < 5.0  # retried under busy_timeout (5 s), not failed
    assert {s.entry.id for s in await store.load_all()} == {"first", "second"}
    assert await store.integrity_check() == "ok"


async def test_lock_held_past_the_timeout_is_a_clear_error_not_a_crash(tmp_path: Path) -> None:
    s = await SQLiteStore.open(tmp_path / "locked.db", busy_timeout_ms=300)
    try:
        await s.save(_entry("first"), Summary(), actor="mod", action="add", create=True)
        before = await s.load_all()
        other = _hold_write_lock(s.path)
        try:
            with pytest.raises(StoreError, match="busy") as info:
                await s.save(_entry("second"), Summary(), actor="mod", action="add", create=True)
            assert "nothing was saved" in str(info.value) and "try again" in str(info.value)
            with pytest.raises(StoreError, match="busy"):
                await s.set_deleted(GUILD, "first", True, actor="mod")
        finally:
            other.rollback()
            other.close()
        assert await s.load_all() == before
        # The store is still usable once the other writer is gone.
        await s.save(_entry("second"), Summary(), actor="mod", action="add", create=True)
        assert {x.entry.id for x in await s.load_all()} == {"first", "second"}
        assert await s.integrity_check() == "ok"
    finally:
        await s.close()


async def test_service_write_under_a_long_lock_raises_store_error(tmp_path: Path) -> None:
    config = load_config(None, {"data_dir": str(tmp_path), "database": {"url": f"sqlite:///{tmp_path}/s.db"},
                                "matching": {"semantic": "off"}})  # fmt: skip
    service = await FaqService.open(config, sync=False)
    try:
        await service.save_entry(_entry("first"), actor="mod", action="add", create=True)
        await service.store._db.execute("PRAGMA busy_timeout = 200")  # type: ignore[attr-defined]
        other = _hold_write_lock(service.store.path)  # type: ignore[attr-defined]
        try:
            with pytest.raises(StoreError, match="busy"):
                await service.add_answer(GUILD, "first", Answer("x", "y"), actor="mod")
        finally:
            other.rollback()
            other.close()
        assert len(service.own_entry(GUILD, "first").entry.answers) == 1  # memory matches the store
        await service.add_answer(GUILD, "first", Answer("x", "y"), actor="mod")
        assert len(service.own_entry(GUILD, "first").entry.answers) == 2
    finally:
        await service.close()


async def test_reads_are_not_blocked_by_a_writer(store: SQLiteStore) -> None:
    other = _hold_write_lock(store.path)
    try:
        started = time.monotonic()
        assert [s.entry.id for s in await store.load_all()] == ["first"]  # WAL: readers go on
        assert time.monotonic() - started < 0.5
    finally:
        other.rollback()
        other.close()


async def test_open_on_a_locked_new_file_fails_cleanly(tmp_path: Path) -> None:
    path = tmp_path / "new.db"
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = WAL")
    holder.execute("BEGIN IMMEDIATE")
    holder.execute("CREATE TABLE t (x)")
    try:
        with pytest.raises(StoreError, match="busy"):
            await asyncio.wait_for(SQLiteStore.open(path, busy_timeout_ms=200), 10)
    finally:
        holder.rollback()
        holder.close()
    s = await SQLiteStore.open(path)
    await s.close()


# -- full disk -------------------------------------------------------------------------------


async def _limit_pages(store: SQLiteStore, extra: int = 0) -> None:
    db = store._db  # the store's own connection: the limit applies to its writes
    async with db.execute("PRAGMA page_count") as cur:
        row = await cur.fetchone()
    assert row is not None
    await db.execute(f"PRAGMA max_page_count = {int(row[0]) + extra}")


async def test_full_disk_is_reported_clearly_and_nothing_half_written(store: SQLiteStore) -> None:
    before = await store.load_all()
    revision = await store.revision()
    await _limit_pages(store)
    big = _entry("big", "A long answer. " * 260, n=40)  # ~150 KB: needs new pages
    with pytest.raises(StoreError) as info:
        await store.save(big, Summary(), actor="mod", action="add", create=True)
    message = str(info.value)
    assert "full" in message and "nothing was saved" in message and "free disk space" in message
    assert "no transaction is active" not in message  # the real cause, not a rollback error
    assert await store.load_all() == before and await store.revision() == revision
    assert await store.history(GUILD, "big") == []
    # Small writes into free space may still fit; the store is usable and consistent.
    await _limit_pages(store, extra=10_000)
    await store.save(big, Summary(), actor="mod", action="add", create=True)
    assert {s.entry.id for s in await store.load_all()} == {"first", "big"}
    assert await store.integrity_check() == "ok"


async def test_full_disk_through_the_service_keeps_memory_and_store_in_step(tmp_path: Path) -> None:
    config = load_config(None, {"data_dir": str(tmp_path), "database": {"url": f"sqlite:///{tmp_path}/f.db"},
                                "matching": {"semantic": "off"}})  # fmt: skip
    service = await FaqService.open(config, sync=False)
    try:
        await service.save_entry(_entry("first"), actor="mod", action="add", create=True)
        await _limit_pages(service.store)  # type: ignore[arg-type]
        with pytest.raises(StoreError, match="full"):
            await service.add_answer(GUILD, "first", Answer("x", "long text " * 400), actor="mod")
        for _ in range(3):  # repeated attempts keep failing cleanly
            with pytest.raises(StoreError, match="full"):
                big = _entry("big", "y " * 2000, n=40)
                await service.save_entry(big, actor="m", action="add", create=True)
        assert [e.id for e in service.own_entries(GUILD)] == ["first"]
        assert len(service.own_entry(GUILD, "first").entry.answers) == 1
        reply = await service.ask("Question first", GUILD, record=False)  # reads still work
        assert reply.result.decision in ("answer", "suggest", "none")
        assert await service.store.integrity_check() == "ok"
    finally:
        await service.close()
