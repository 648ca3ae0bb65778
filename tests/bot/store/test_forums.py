"""Help-forum post claims (issue 16) on both backends: one claim per post even with 10
concurrent writers on separate connections (as separate processes/shards would have), state
moves only from the expected state, and the table survives a reopen."""

from __future__ import annotations

import asyncio

import pytest

from bot.store import open_store
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
        assert again == post()
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
