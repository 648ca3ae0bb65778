"""Help-forum post claims and expert questions (issue 16) on both backends: one claim per post
even with 10 concurrent writers on separate connections (as separate processes/shards would
have), state moves only from the expected state, the asker's DM choice, the tables survive a
reopen, and `faqbot export` / `faqbot backup` carry them."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

import pytest
import yaml

from bot import cli
from bot.models import Answer, Entry, Provider, Summary
from bot.store import Store, open_store
from bot.store.forums import ExpertQuestion, ForumPost
from tests.bot.store.test_sql import db_url  # noqa: F401  (both backends, a fresh store each)

GUILD, THREAD = 111, 222


def post(poster: int = 7, state: str = "claimed") -> ForumPost:
    return ForumPost(GUILD, THREAD, 333, poster, "some-entry", "why botox", None, state)


async def test_ten_concurrent_claims_on_separate_connections_give_one_reply(db_url: str) -> None:  # noqa: F811
    stores = [await open_store(db_url) for _ in range(10)]
    try:
        won = await asyncio.gather(*(s.claim_forum_post(post(poster=i)) for i, s in enumerate(stores)))
        assert sorted(won) == [False] * 9 + [True]
        stored = await stores[0].get_forum_post(GUILD, THREAD)
        assert stored is not None and stored.poster_id == won.index(True)  # the winner's row, whole
        # Ten concurrent "Solved"/"Not it" clicks: exactly one moves the post out of "replied".
        assert await stores[0].set_forum_post(GUILD, THREAD, "replied", reply_id=444)
        moved = await asyncio.gather(
            *(
                s.set_forum_post(GUILD, THREAD, ("solved", "rejected")[i % 2], expect=("replied",))
                for i, s in enumerate(stores)
            )
        )
        assert moved.count(True) == 1
        final = await stores[0].get_forum_post(GUILD, THREAD)
        assert final is not None and final.reply_id == 444
        assert final.state == ("solved", "rejected")[moved.index(True) % 2]
    finally:
        for s in stores:
            await s.close()


async def test_states_are_checked_and_rows_survive_a_reopen(db_url: str) -> None:  # noqa: F811
    store = await open_store(db_url)
    try:
        assert await store.get_forum_post(GUILD, THREAD) is None
        assert await store.claim_forum_post(post())
        with pytest.raises(ValueError, match="state must be one of"):
            await store.set_forum_post(GUILD, THREAD, "bogus")
        assert not await store.set_forum_post(GUILD, THREAD, "solved", expect=("replied",))
        assert not await store.set_forum_post(GUILD, 999, "failed")  # no such post
    finally:
        await store.close()
    store = await open_store(db_url)
    try:
        again = await store.get_forum_post(GUILD, THREAD)
        assert again is not None and again.at  # stamped by the store
        assert dataclasses.replace(again, at=None) == post()
        assert not await store.claim_forum_post(post(poster=8))
    finally:
        await store.close()


async def test_ten_experts_answering_at_once_one_answer_is_kept(db_url: str) -> None:  # noqa: F811
    stores = [await open_store(db_url) for _ in range(10)]
    try:
        q = ExpertQuestion(GUILD, "q1", 7, 333, "how long does lip filler last")
        await stores[0].add_expert_question(q)
        with pytest.raises(Exception):  # noqa: B017 - the backend's own unique-violation type
            await stores[1].add_expert_question(q)
        moved = await asyncio.gather(
            *(
                s.set_expert_question(
                    GUILD, "q1", "proposed", expect=("waiting",), answer=f"answer {i}", expert_id=i
                )
                for i, s in enumerate(stores)
            )
        )
        assert moved.count(True) == 1
        kept = await stores[3].get_expert_question(GUILD, "q1")
        assert kept is not None and kept.state == "proposed"
        assert kept.answer == f"answer {moved.index(True)}" and kept.expert_id == moved.index(True)
        assert [w.qid for w in await stores[0].waiting_expert_questions(GUILD)] == ["q1"]
        assert await stores[0].set_expert_question(
            GUILD, "q1", "answered", expect=("proposed",), entry_id="e"
        )
        assert await stores[0].waiting_expert_questions(GUILD) == []
        with pytest.raises(ValueError, match="unknown expert question fields"):
            await stores[0].set_expert_question(GUILD, "q1", "answered", asker_id=1)
    finally:
        for s in stores:
            await s.close()


async def test_the_askers_dm_choice_applies_until_the_answer_is_given(db_url: str) -> None:  # noqa: F811
    stores = [await open_store(db_url) for _ in range(10)]
    try:
        await stores[0].add_expert_question(ExpertQuestion(GUILD, "q2", 7, 333, "Can I tan after a peel?"))
        assert (await stores[0].get_expert_question(GUILD, "q2")).notify == "channel"  # type: ignore[union-attr]
        assert not await stores[0].set_expert_notify(GUILD, "q2", 8, "dm")  # not the asker's
        assert not await stores[0].set_expert_notify(GUILD, "nope", 7, "dm")
        with pytest.raises(ValueError, match="notify state must be one of"):
            await stores[0].set_expert_notify(GUILD, "q2", 7, "carrier pigeon")
        # Ten clicks at once on ten connections, alternating: each one applies.
        done = await asyncio.gather(
            *(s.set_expert_notify(GUILD, "q2", 7, ("dm", "channel")[i % 2]) for i, s in enumerate(stores))
        )
        assert done == [True] * 10
        assert await stores[1].set_expert_notify(GUILD, "q2", 7, "dm")
        assert await stores[2].set_expert_question(GUILD, "q2", "answered", entry_id="e")
        assert not await stores[3].set_expert_notify(GUILD, "q2", 7, "channel")  # too late: refused
        final = await stores[4].get_expert_question(GUILD, "q2")
        assert final is not None and final.notify == "dm" and final.state == "answered"
    finally:
        for s in stores:
            await s.close()


async def populate(store: Store) -> None:
    """Two servers' issue-16 rows, and an entry saved from a message (audited)."""
    await store.claim_forum_post(post())
    await store.set_forum_post(GUILD, THREAD, "solved", reply_id=444)
    await store.claim_forum_post(ForumPost(999, 5, 6, 7, "other", "elsewhere", None, "claimed"))
    await store.add_expert_question(
        ExpertQuestion(GUILD, "q3", 7, 333, "Retinol after needling?", reply_to=55)
    )
    await store.set_expert_notify(GUILD, "q3", 7, "dm")
    entry = Entry(
        id="saved", question="Saved?", answers=(Answer("", "Yes.", Provider(name="Jane")),), guild_id=GUILD
    )
    link = f"https://discord.com/channels/{GUILD}/333/55"
    await store.save(entry, Summary(), actor="mod (1)", action=f"save from {link}", create=True)
    await store.save(entry, Summary(), actor="mod (1)", action="edit")  # not from a message: not listed


async def test_community_records_are_per_server_with_the_saved_from_message_audit(
    db_url: str,  # noqa: F811
) -> None:
    store = await open_store(db_url)
    try:
        await populate(store)
        mine = await store.community_records(GUILD)
        assert [(p.thread_id, p.state, p.reply_id) for p in mine.forum_posts] == [(THREAD, "solved", 444)]
        assert [(q.qid, q.notify, q.reply_to) for q in mine.expert_questions] == [("q3", "dm", 55)]
        assert [(s.entry_id, s.action) for s in mine.saved] == [
            ("saved", f"save from https://discord.com/channels/{GUILD}/333/55")
        ]
        every = await store.community_records()
        assert {p.guild_id for p in every.forum_posts} == {GUILD, 999}
        assert (await store.community_records(12345)).forum_posts == ()
    finally:
        await store.close()


def test_faqbot_export_writes_the_community_records_beside_the_entries(
    db_url: str,  # noqa: F811
    data_dir: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    async def fill() -> None:
        store = await open_store(db_url)
        try:
            await populate(store)
        finally:
            await store.close()

    asyncio.run(fill())
    db = ["--data", str(data_dir), "--db", db_url]
    out_dir = tmp_path / "export"
    assert cli.main(["export", str(out_dir), "--guild", str(GUILD), *db]) == 0
    out = capsys.readouterr().out
    assert "wrote 1 entry to" in out  # the existing shape: the entries, one YAML file each
    assert "activity of 1 server" in out and "1 save from messages, 1 help-forum post, 1 question" in out
    assert (out_dir / "saved.yaml").exists() and sorted(p.name for p in out_dir.glob("*.yaml")) == [
        "saved.yaml"
    ]
    doc = yaml.safe_load((out_dir / "community" / f"{GUILD}.yaml").read_text(encoding="utf-8"))
    assert doc["guild_id"] == GUILD
    assert doc["saved_from_messages"][0]["action"].startswith("save from https://discord.com/channels/")
    assert doc["saved_from_messages"][0]["actor"] == "mod (1)"
    (p,) = doc["forum_posts"]
    assert (p["thread_id"], p["state"], p["reply_id"], p["entry_id"]) == (THREAD, "solved", 444, "some-entry")
    (q,) = doc["expert_questions"]
    assert (q["qid"], q["notify"], q["reply_to"], q["state"]) == ("q3", "dm", 55, "waiting")
    # Without --guild: the global entries, and every server's activity.
    everything = tmp_path / "all"
    assert cli.main(["export", str(everything), *db]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in (everything / "community").iterdir()) == [f"{GUILD}.yaml", "999.yaml"]
    # A folder that can't be written is refused before anything is read or written.
    blocked = tmp_path / "blocked"
    blocked.mkdir()
    (blocked / "community").write_text("a file", encoding="utf-8")
    assert cli.main(["export", str(blocked), "--guild", str(GUILD), *db]) == 1
    assert "is not a directory" in capsys.readouterr().err


def test_faqbot_backup_carries_the_community_tables(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{tmp_path / 'live.db'}"

    async def fill_and_read(u: str, fill: bool) -> tuple[object, ...]:
        store = await open_store(u)
        try:
            if fill:
                await populate(store)
            dump = await store.dump()
            return dump.forum_posts, dump.expert_questions, await store.community_records()
        finally:
            await store.close()

    original = asyncio.run(fill_and_read(url, True))
    target = tmp_path / "backup.db"
    assert cli.main(["backup", str(target), "--data", str(data_dir), "--db", url]) == 0
    capsys.readouterr()
    copied = asyncio.run(fill_and_read(f"sqlite:///{target}", False))
    assert copied == original and len(original[0]) == 2  # type: ignore[arg-type]
