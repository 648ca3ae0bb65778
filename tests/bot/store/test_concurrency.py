"""Concurrent moderator writes never lose an acknowledged change (issue 12).

For every kind of write, N writers start at the same moment — in one process (one
`FaqService`), and in two OS processes on one database — on SQLite and on PostgreSQL. Every
change a writer was told is saved must be in the store afterwards, and the audit log must agree
with the entry (one audit record per acknowledged change, none for a refused one). Edits made
against an older revision are refused ("changed meanwhile"), never silently overwritten.
"""

from __future__ import annotations

import asyncio
import json
import os
import sys
from collections import Counter
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.models import Entry
from bot.service import FaqService
from bot.settings import GuildSettings
from bot.store import Store, open_store
from bot.store.forums import ExpertQuestion
from bot.summary import summarize
from bot.yamlio import dump_entries
from tests.bot.store.test_multiprocess import db_url  # noqa: F401  (SQLite and PostgreSQL)
from tests.concurrent_writer import (
    ASKER,
    GLOBALS,
    GUILD,
    KINDS,
    PHRASED,
    THREAD,
    channel_of,
    config_for,
    entry,
    run_kind,
)
from tests.conftest import ROOT

WRITERS = 10
TARGETS = ("alias-target", "answer-target", "edit-target", "save-target")


@pytest.fixture
def data_with_globals(data_dir: Path) -> Path:
    """data/ with eleven more global entries (for the hide and global phrasing writers)."""
    for gid in (*GLOBALS, PHRASED):
        e = Entry(id=gid, question=f"Global question {gid}?", answers=entry("x", "x").answers)
        (data_dir / "faq" / f"{gid}.yaml").write_text(dump_entries([e]), encoding="utf-8")
    return data_dir


async def prepare(url: str, data_dir: Path) -> int:
    """The entries the writers change; the revision `edit-target` is at (what editors saw)."""
    service = await FaqService.open(config_for(url, data_dir))
    try:
        for target in TARGETS:
            await service.save_entry(
                entry(target, f"Question {target}?"), actor="setup", action="add", create=True
            )
        for qid in ("xq", "nq"):  # questions sent to the experts (issue 16)
            await service.store.add_expert_question(ExpertQuestion(GUILD, qid, ASKER, 1, f"Question {qid}?"))
        return service.own_entry(GUILD, "edit-target").revision
    finally:
        await service.close()


def count(records: list[Any], action: str) -> int:
    return sum(1 for r in records if r.action == action)


async def check(store: Store, kind: str, acked: list[str], refused: list[list[str]], writers: int) -> None:
    """Every acknowledged change is stored; the audit log agrees with the stored state."""
    assert len(acked) + len(refused) == writers
    if kind == "alias":
        stored = await store.get(GUILD, "alias-target")
        assert stored is not None
        assert sorted(stored.entry.phrasings) == sorted(acked)  # all kept, nothing else
        assert count(await store.history(GUILD, "alias-target"), "alias") == len(acked) == writers
    elif kind == "answer":
        stored = await store.get(GUILD, "answer-target")
        assert stored is not None
        assert sorted(a.title for a in stored.entry.answers[1:]) == sorted(acked)
        assert count(await store.history(GUILD, "answer-target"), "answer") == len(acked) == writers
        # the stored automatic summary is the final version's (not one computed for a lost guess)
        max_points = config_for("x", ROOT).replies.max_points
        assert stored.auto_summary == summarize(stored.entry, max_points=max_points)
        assert stored.auto_summary.experts == 1 + writers
    elif kind == "edit":
        stored = await store.get(GUILD, "edit-target")
        assert stored is not None
        assert len(acked) == 1 and stored.entry.question == acked[0]  # one wins …
        assert all("changed meanwhile" in err for _, err in refused), refused  # … the others are told
        assert count(await store.history(GUILD, "edit-target"), "edit") == 1
    elif kind == "settings":
        channels = (await store.get_settings(GUILD))["keyword_channels"]
        assert sorted(channels) == sorted(int(c) for c in acked) and len(acked) == writers
        assert count(await store.history(GUILD, "*settings*"), "settings") == writers
    elif kind == "settings-mixed":  # every moderator's change kept, whichever setting it was
        raw = await store.get_settings(GUILD)
        settings = GuildSettings.from_stored(raw)  # still the stored form /faq settings reads
        assert len(acked) == writers
        for key in acked:
            field, value = key.split(":")
            if field == "role_credits":
                credit = settings.credit_for(int(value))
                assert credit is not None and credit.field == "specialty", raw
                assert raw["role_credits"][value] == {"field": "specialty", "text": credit.text}
            else:
                assert int(value) in raw[field], (field, raw)
        mixed = [r for r in await store.history(GUILD, "*settings*") if r.actor.endswith(" mixed")]
        assert len(mixed) == writers
    elif kind == "hide":
        assert sorted(set(acked)) == sorted(acked) == sorted(GLOBALS[: min(writers, len(GLOBALS))])
        assert all("already hidden" in err for _, err in refused), refused
        assert await store.hidden(GUILD) == set(acked)
        for gid in acked:
            assert count(await store.history(GUILD, gid), "hide") == 1
    elif kind == "feedback":
        helpful, unhelpful = (await store.stats(GUILD)).feedback["answer-target"]
        assert helpful + unhelpful == len(acked) == writers
    elif kind == "global-alias":
        phrasings = (await store.guild_phrasings()).get(GUILD, {}).get(PHRASED, ())
        assert sorted(phrasings) == sorted(acked) and len(acked) == writers
        assert count(await store.history(GUILD, PHRASED), "alias") == writers
        assert (await store.get(None, PHRASED)).entry.phrasings == ()  # type: ignore[union-attr]
    elif kind == "global-edit":
        phrasings = (await store.guild_phrasings()).get(GUILD, {}).get(PHRASED, ())
        assert len(acked) == writers
        assert sorted(phrasings) == sorted(f"edited {who}" for who in acked)  # every removal, every addition
        assert count(await store.history(GUILD, PHRASED), "edit") == writers
    elif kind in ("import", "create"):
        assert len(acked) == writers
        action = "import" if kind == "import" else "add"
        for entry_id in acked:
            assert await store.get(GUILD, entry_id) is not None
            assert count(await store.history(GUILD, entry_id), action) == 1
    elif kind == "claim":  # one reply per post, whoever claims it
        post = await store.get_forum_post(GUILD, THREAD)
        assert len(acked) == 1 and post is not None and post.poster_id == int(acked[0])
        assert all(err == "not applied" for _, err in refused), refused
    elif kind == "xanswer":  # the first expert's answer is kept whole
        q = await store.get_expert_question(GUILD, "xq")
        assert len(acked) == 1 and q is not None and q.state == "proposed"
        assert q.answer == f"answer {acked[0]}"
    elif kind == "notify":  # a "Tell me by DM" the asker was told is taken is never lost
        q = await store.get_expert_question(GUILD, "nq")
        moves = [k for k in acked if k.startswith("m-")]
        toggles = [k for k in acked if k.startswith("t-")]
        assert len(moves) == 1 and q is not None and q.state == "answered"
        assert q.notify == ("dm" if toggles else "channel")
        assert all(err == "not applied" for _, err in refused), refused
    elif kind == "saveto":  # one moderator's save wins; the others are told, nothing is mixed
        stored = await store.get(GUILD, "save-target")
        assert stored is not None and len(acked) == 1
        assert [a.provider.name if a.provider else None for a in stored.entry.answers] == [
            "Ada Lovelace",
            acked[0],
        ]
        assert all("changed meanwhile" in err for _, err in refused), refused
        saves = [r for r in await store.history(GUILD, "save-target") if r.action.startswith("save answers")]
        assert len(saves) == 1
    else:
        raise AssertionError(kind)


@pytest.mark.parametrize("kind", KINDS)
async def test_concurrent_writers_in_one_process(
    db_url: str,  # noqa: F811 - the fixture imported above
    data_with_globals: Path,
    kind: str,
) -> None:
    revision = await prepare(db_url, data_with_globals)
    service = await FaqService.open(config_for(db_url, data_with_globals))
    try:
        result = await run_kind(service, kind, "p", WRITERS, revision)
        await check(service.store, kind, result["acked"], result["refused"], WRITERS)
        # and the service's own memory shows the stored state too
        if kind == "alias":
            assert len(service.own_entry(GUILD, "alias-target").entry.phrasings) == WRITERS
        if kind == "global-alias":  # matched in this guild at once, and nowhere else
            assert len(service.guild_phrasings(GUILD, PHRASED)) == WRITERS
            (best, *_) = service.rank("global phrase p-3", GUILD)
            assert (best.entry_id, best.confidence) == (PHRASED, 1.0)
            assert all(
                c.entry_id != PHRASED or c.confidence < 1.0 for c in service.rank("global phrase p-3", 77)
            )
    finally:
        await service.close()


class Writer:
    """One `tests.concurrent_writer` OS process."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc

    @classmethod
    async def start(cls, url: str, data_dir: Path, tag: str) -> Writer:
        env = {k: v for k, v in os.environ.items() if k != "FAQBOT_DATABASE_URL"}
        env["PYTHONPATH"] = str(ROOT)
        proc = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.concurrent_writer",
            url,
            str(data_dir),
            tag,
            str(WRITERS),
            cwd=ROOT,
            env=env,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
        )
        return cls(proc)

    async def line(self) -> str:
        assert self.proc.stdout is not None
        raw = await asyncio.wait_for(self.proc.stdout.readline(), timeout=120)
        assert raw, f"the writer process exited ({await self.proc.wait()})"
        return raw.decode().strip()

    def send(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(f"{text}\n".encode())

    async def stop(self) -> None:
        if self.proc.returncode is None:
            self.send("")
            try:
                await asyncio.wait_for(self.proc.wait(), timeout=30)
            except TimeoutError:
                self.proc.kill()
                await self.proc.wait()


async def test_concurrent_writers_in_two_processes(
    db_url: str,  # noqa: F811 - the fixture imported above
    data_with_globals: Path,
) -> None:
    """Two processes × 10 writers of each kind, all at once on one database."""
    revision = await prepare(db_url, data_with_globals)
    writers = [await Writer.start(db_url, data_with_globals, tag) for tag in ("a", "b")]
    figures: dict[str, tuple[int, int]] = {}
    try:
        for w in writers:
            assert await w.line() == "ready"
        store = await open_store(db_url)
        try:
            for kind in KINDS:
                for w in writers:
                    w.send(f"go {kind} {revision}")
                results = [json.loads(await w.line()) for w in writers]
                acked = [k for r in results for k in r["acked"]]
                refused = [x for r in results for x in r["refused"]]
                await check(store, kind, acked, refused, 2 * WRITERS)
                figures[kind] = (len(acked), len(refused))
            # the processes raced for real: both had acknowledged changes in the alias round
            stored = await store.get(GUILD, "alias-target")
            assert stored is not None
            assert Counter(p.split()[1][0] for p in stored.entry.phrasings) == {"a": WRITERS, "b": WRITERS}
            assert channel_of("a", 0) != channel_of("b", 0)
        finally:
            await store.close()
    finally:
        for w in writers:
            await w.stop()
    print("two processes, acknowledged/refused per kind:", figures)


async def in_reverse_order(
    service: FaqService, write: str, first: Awaitable[object], second: Callable[[], Awaitable[object]]
) -> object:
    """Run two writes through the store method `write` so that the first one's commit returns
    only after the second has been applied (as two connections' replies can arrive); the
    first's result."""
    real = getattr(service.store, write)
    second_done = asyncio.Event()
    calls = 0

    async def first_returns_last(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        mine = calls
        result = await real(*args, **kwargs)  # committed
        if mine == 1:
            await asyncio.wait_for(second_done.wait(), timeout=30)
        return result

    setattr(service.store, write, first_returns_last)
    task = asyncio.ensure_future(first)
    while calls < 1:
        await asyncio.sleep(0.01)
    await second()
    second_done.set()
    return await task


async def test_global_phrasings_resuming_out_of_order_keep_the_newer(
    db_url: str,  # noqa: F811 - the fixture imported above
    data_with_globals: Path,
) -> None:
    """Two moderators' phrasings of a global entry: the first write's commit returns only after
    the second's has been applied (as two connections' replies can arrive). The service must
    still hold both — applying the first write's own (older) result last would drop the second
    phrasing from matching until the next refresh (seen once on PostgreSQL under load)."""
    service = await FaqService.open(config_for(db_url, data_with_globals))
    try:
        await in_reverse_order(
            service,
            "change_guild_phrasings",
            service.add_guild_phrasing(GUILD, PHRASED, "first phrasing here", actor="a"),
            lambda: service.add_guild_phrasing(GUILD, PHRASED, "second phrasing here", actor="b"),
        )
        stored = (await service.store.guild_phrasings()).get(GUILD, {}).get(PHRASED, ())
        assert sorted(stored) == ["first phrasing here", "second phrasing here"]
        assert sorted(service.guild_phrasings(GUILD, PHRASED)) == sorted(stored)
        (best, *_) = service.rank("second phrasing here", GUILD)
        assert (best.entry_id, best.confidence) == (PHRASED, 1.0)
    finally:
        await service.close()


async def test_settings_resuming_out_of_order_keep_the_newer(
    db_url: str,  # noqa: F811 - the fixture imported above
    data_dir: Path,
) -> None:
    """The same for /faq settings: two moderators set different settings; the first write's
    commit returns only after the second's has been applied. The service keeps both."""
    from bot.settings import SettingsChange

    service = await FaqService.open(config_for(db_url, data_dir))
    try:
        said = await in_reverse_order(
            service,
            "change_settings",
            service.update_settings(GUILD, SettingsChange(disclaimer="Not medical advice."), actor="a"),
            lambda: service.update_settings(GUILD, SettingsChange(web_public=True), actor="b"),
        )
        assert isinstance(said, GuildSettings)
        assert said.disclaimer == "Not medical advice."  # what the first moderator is told
        held = await service.guild_settings(GUILD)
        assert (held.disclaimer, held.web_public) == ("Not medical advice.", True)
    finally:
        await service.close()
