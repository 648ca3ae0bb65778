"""Help-forum post claims (issue 16) on both backends: one claim per post even with 10
concurrent writers on separate connections (as separate processes/shards would have), state
moves only from the expected state, and the table survives a reopen."""

from __future__ import annotations

import asyncio

import pytest

from bot.store import open_store
from bot.store.forums import ForumPost
from tests.test_store import db_url  # noqa: F401  (both backends, a fresh store each)

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
