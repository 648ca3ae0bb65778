"""Members' writes while the database is busy (`cogs/ui/defer.py` on the member side), on SQLite
and PostgreSQL, through the real discord.py client and the emulator enforcing Discord's 3-second
deadline: a feedback click, "Ask the experts", the DM toggle and a help-forum post's "This solved
it" are acknowledged first, so the member never sees "This interaction failed" — and what they
are then told was recorded is in the store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from cogs.standalone import FaqBot
from tests.busytools import DEADLINE, HELD, acknowledged_then_saved, backend, lock_held  # noqa: F401
from tests.cogs.moderation.test_cog import message_of
from tests.cogs.test_forums import (
    TITLE,
    UNKNOWN_Q,
    experts_world,
    ids_of,
    settings,
)
from tests.conftest import SEED_ID
from tests.emulator import DiscordEmulator
from tests.emulator.faqbot import running_faqbot
from tests.emulator.fixtures import emulator  # noqa: F401

WAIT = 10.0


@pytest.fixture
def emu(emulator: DiscordEmulator) -> DiscordEmulator:  # noqa: F811
    emulator.interaction_deadline = DEADLINE  # a late first response gets 404 Unknown interaction
    return emulator


def svc(bot: FaqBot) -> Any:
    return bot.faq_service


async def test_feedback_while_the_database_is_busy(
    emu: DiscordEmulator,
    tmp_path: Path,
    backend: dict[str, Any],  # noqa: F811 - SQLite and PostgreSQL
) -> None:
    async with running_faqbot(emu, tmp_path, **backend) as bot:
        asked = await emu.send_interaction(emu.slash_command("ask", {"query": "botox pores"}, user=emu.user))
        answer = await asked.original_message()
        async with lock_held(svc(bot), HELD) as taken:
            click = await emu.send_interaction(
                emu.component_click(answer, f"faq:fb:1:{SEED_ID}", user=emu.user)
            )
            note = await acknowledged_then_saved(click, taken)
        assert note.type == 5 and note.ephemeral and "**Helpful**" in (note.content or "")
        assert (await svc(bot).store.stats(emu.guild)).feedback[SEED_ID] == (1, 0)
        # changing one's mind in the private note: the note is edited in place, after the write
        async with lock_held(svc(bot), HELD) as taken:
            again = await emu.send_interaction(
                emu.component_click(await click.original_message(), f"faq:fb:0:{SEED_ID}", user=emu.user)
            )
            edited = await acknowledged_then_saved(again, taken)
        assert edited.type == 6 and "**Not helpful**" in (edited.content or "")
        assert (await svc(bot).store.stats(emu.guild)).feedback[SEED_ID] == (0, 1)


async def test_ask_the_experts_and_the_dm_toggle_while_the_database_is_busy(
    emu: DiscordEmulator,
    tmp_path: Path,
    backend: dict[str, Any],  # noqa: F811 - SQLite and PostgreSQL
) -> None:
    experts, derm, _ = experts_world(emu, "jane")
    async with running_faqbot(emu, tmp_path, **backend) as bot:
        await settings(emu, {"experts_channel": experts, "expert_role": derm})
        miss = await (
            await emu.send_interaction(emu.slash_command("ask", {"query": UNKNOWN_Q}, user=emu.user))
        ).response(timeout=WAIT)
        offer = next(i for i in ids_of(message_of(miss)) if i.startswith("faq:ax:"))
        async with lock_held(svc(bot), HELD) as taken:
            click = await emu.send_interaction(emu.component_click(message_of(miss), offer, user=emu.user))
            sent = await acknowledged_then_saved(click, taken)
        assert sent.type == 5 and sent.ephemeral and "Sent to the experts" in (sent.content or "")
        (toggle,) = ids_of(message_of(sent))
        qid = toggle.split(":")[2]
        question = await svc(bot).store.get_expert_question(emu.guild, qid)
        assert question is not None and question.state == "waiting" and question.notify == "channel"
        async with lock_held(svc(bot), HELD) as taken:
            click = await emu.send_interaction(emu.component_click(message_of(sent), toggle, user=emu.user))
            chose = await acknowledged_then_saved(click, taken)
        assert chose.type == 6 and "I'll tell you by DM" in (chose.content or "")
        question = await svc(bot).store.get_expert_question(emu.guild, qid)
        assert question is not None and question.notify == "dm"


async def test_a_forum_post_marked_solved_while_the_database_is_busy(
    emu: DiscordEmulator,
    tmp_path: Path,
    backend: dict[str, Any],  # noqa: F811 - SQLite and PostgreSQL
) -> None:
    forum = emu.guild_state.add_forum("help")
    async with running_faqbot(emu, tmp_path, **backend) as bot:
        await settings(emu, {"add_suggest_channel": forum})
        thread, _ = await emu.create_thread(int(forum["id"]), TITLE, "My pores look smaller too.")
        reply = await emu.wait_for_message(int(thread["id"]), WAIT)
        solved = f"faq:fp:1:{thread['id']}"
        assert solved in ids_of(reply)
        async with lock_held(svc(bot), HELD) as taken:
            click = await emu.send_interaction(
                emu.component_click(emu.message(reply["id"]), solved, user=emu.user)
            )
            done = await acknowledged_then_saved(click, taken)
        assert done.type == 6 and ids_of(done.data) == [f"faq:all:{SEED_ID}"]  # the poster's buttons gone
        post = await svc(bot).store.get_forum_post(emu.guild, int(thread["id"]))
        assert post is not None and post.state == "solved"
