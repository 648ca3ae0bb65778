"""Help-forum suggestions (issue 16) through the loopback Discord emulator with the real
discord.py bot: a member opens a forum post (THREAD_CREATE + its starter message) or a thread
in a text channel; the bot replies once when confident, the poster's buttons work, others are
refused, replays never give a second reply, missing permissions are said, not hit."""

from __future__ import annotations

import asyncio
import logging
from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest

from bot.yamlio import dump_entries
from cogs.standalone import FaqBot
from tests.conftest import SEED_ID
from tests.emulator import DiscordEmulator
from tests.emulator import payloads as p
from tests.emulator.faqbot import running_faqbot
from tests.emulator.fixtures import emulator, emulator_no_patch  # noqa: F401
from tests.emulator.state import RecordedRequest

WAIT = 10.0
TITLE = "Why does Botox make my skin appear smoother?"
BODY = "I had it done last month and my pores look smaller too."
MANAGE_THREADS = 1 << 34
OFF_TOPIC = (
    "Best sourdough starter for a cold kitchen?",
    "My bread never rises in winter, any tips on flour?",
)


@pytest.fixture
def emu(emulator: DiscordEmulator) -> DiscordEmulator:  # noqa: F811
    return emulator


def running(
    emu: DiscordEmulator, tmp_path: Path, *, message_content: bool = True
) -> AbstractAsyncContextManager[FaqBot]:
    return running_faqbot(
        emu,
        tmp_path,
        discord={"message_content": message_content},
        keyword_replies={"user_cooldown_seconds": 0, "channel_cooldown_seconds": 0},
    )


async def settings(emu: DiscordEmulator, options: dict[str, Any]) -> Any:
    handle = await emu.send_interaction(emu.slash_command("faq settings", options, user=emu.moderator))
    return await handle.outcome(timeout=WAIT)


def posts_to(emu: DiscordEmulator, channel_id: str | int) -> list[RecordedRequest]:
    return emu.requests_to("POST", f"/channels/{channel_id}/messages")


async def click(emu: DiscordEmulator, message: dict[str, Any], custom_id: str, user: dict[str, Any]) -> Any:
    handle = await emu.send_interaction(emu.component_click(emu.message(message["id"]), custom_id, user=user))
    return await handle.outcome(timeout=WAIT)


def ids_of(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message["components"] for c in row["components"] if "custom_id" in c]


async def test_forum_post_gets_one_suggestion_and_the_poster_marks_it_solved(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    forum = emu.guild_state.add_forum("help", tags=["Solved", "Skin"])
    async with running(emu, tmp_path) as bot:
        options = {"add_suggest_channel": forum, "solved_tag": "Solved", "close_solved": True}
        saved = await settings(emu, options)
        assert saved.content.startswith("Saved: suggest_channels, suggest_close_solved, suggest_solved_tag.")
        assert "I lack **Manage Threads**" in saved.content  # tagging/closing needs it
    manager = emu.guild_state.add_role("Thread manager", MANAGE_THREADS)
    emu.guild_state.members[emu.application_id]["roles"].append(manager["id"])
    async with running(emu, tmp_path) as bot:
        saved = await settings(emu, {"add_suggest_channel": forum})
        assert "⚠️" not in saved.content
        thread, _ = await emu.create_thread(int(forum["id"]), TITLE, BODY, tags=["Skin"])
        reply = await emu.wait_for_message(int(thread["id"]), WAIT)
        body = posts_to(emu, thread["id"])[0].json
        assert body["allowed_mentions"] == {"parse": []}
        assert reply["embeds"][0]["title"] == TITLE
        solved, not_it, all_answers = ids_of(reply)
        assert (solved, not_it) == (f"faq:fp:1:{thread['id']}", f"faq:fp:0:{thread['id']}")
        assert all_answers == f"faq:all:{SEED_ID}"

        # The same THREAD_CREATE again (a replay after a reconnect): no second reply.
        await emu.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        await asyncio.sleep(0.5)
        assert len(posts_to(emu, thread["id"])) == 1

        refused = await click(emu, reply, solved, emu.moderator)
        assert refused.ephemeral and "Only the member who opened this post" in refused.content
        # A double click (two windows): both reach the bot before either is answered; one wins.
        clicks = [emu.component_click(emu.message(reply["id"]), solved, user=emu.user) for _ in range(2)]
        handles = [await emu.send_interaction(c) for c in clicks]
        outcomes = [await h.outcome(timeout=WAIT) for h in handles]
        (done,) = [cb for cb in outcomes if not cb.ephemeral]
        (again,) = [cb for cb in outcomes if cb.ephemeral]
        # acknowledged before the write (it may wait for the database), then the suggestion is
        # updated: its poster buttons go away
        assert done.type == 6
        assert ids_of(done.data) == [f"faq:all:{SEED_ID}"]
        assert again.ephemeral and "answered already" in again.content
        patch = await emu.wait_for_request(
            lambda r: r.method == "PATCH" and r.path == f"/channels/{thread['id']}", WAIT
        )
        tags = {t["name"]: t["id"] for t in forum["available_tags"]}
        assert sorted(patch.json["applied_tags"]) == sorted([tags["Skin"], tags["Solved"]])
        assert patch.json["archived"] is True

        stats = await bot.faq_service.store.stats(emu.guild)
        post = await bot.faq_service.store.get_forum_post(emu.guild, int(thread["id"]))
        assert post is not None and post.state == "solved" and post.reply_id == int(reply["id"])
        assert any(TITLE.lower() in q.query for q in stats.top_queries)
        assert stats.feedback[SEED_ID] == (1, 0)


async def test_not_it_removes_the_reply_and_records_the_question_unanswered(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    forum = emu.guild_state.add_forum("help")
    async with running(emu, tmp_path) as bot:
        await settings(emu, {"add_suggest_channel": forum})
        thread, _ = await emu.create_thread(int(forum["id"]), TITLE, BODY)
        reply = await emu.wait_for_message(int(thread["id"]), WAIT)
        cb = await click(emu, reply, f"faq:fp:0:{thread['id']}", emu.user)
        assert cb.ephemeral and "removed my suggestion" in cb.content
        await emu.wait_for_request(
            lambda r: r.method == "DELETE" and r.path == f"/channels/{thread['id']}/messages/{reply['id']}",
            WAIT,
        )
        assert int(reply["id"]) not in emu.world.messages
        stats = await bot.faq_service.store.stats(emu.guild)
        assert any(TITLE.lower() in q.query for q in stats.unanswered), stats.unanswered
        post = await bot.faq_service.store.get_forum_post(emu.guild, int(thread["id"]))
        assert post is not None and post.state == "rejected"


async def test_silent_below_the_bar_outside_the_channels_and_for_bots(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    forum = emu.guild_state.add_forum("help")
    other = emu.guild_state.add_forum("chat")
    async with running(emu, tmp_path):
        await settings(emu, {"add_suggest_channel": forum})
        low, _ = await emu.create_thread(int(forum["id"]), *OFF_TOPIC)
        elsewhere, _ = await emu.create_thread(int(other["id"]), TITLE, BODY)
        by_bot, _ = await emu.create_thread(int(forum["id"]), TITLE, BODY, author=emu.other_bot)
        await asyncio.sleep(1.0)
        for t in (low, elsewhere, by_bot):
            assert posts_to(emu, t["id"]) == []
        removed = await settings(emu, {"remove_suggest_channel": forum})
        assert removed.content.startswith("Saved: suggest_channels")
        quiet, _ = await emu.create_thread(int(forum["id"]), TITLE, BODY)
        await asyncio.sleep(0.5)
        assert posts_to(emu, quiet["id"]) == []


async def test_thread_in_a_text_channel_matches_its_starter_message(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path):
        await settings(emu, {"add_suggest_channel": emu.channel_payload})
        thread, starter = await emu.create_thread(emu.channel, "question", TITLE)
        assert starter is not None and starter["channel_id"] == str(emu.channel)
        reply = await emu.wait_for_message(int(thread["id"]), WAIT)
        assert reply["embeds"][0]["title"] == TITLE


async def test_missing_permissions_are_told_to_moderators_and_logged_not_hit(
    emu: DiscordEmulator, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    everyone = emu.guild_state.roles[0]
    everyone["permissions"] = str(int(everyone["permissions"]) & ~p.SEND_MESSAGES_IN_THREADS)
    forum = emu.guild_state.add_forum("help")
    async with running(emu, tmp_path):
        saved = await settings(emu, {"add_suggest_channel": forum})
        assert "⚠️" in saved.content and "**Send Messages in Threads**" in saved.content
        with caplog.at_level(logging.WARNING, logger="faqbot.forums"):
            for _ in range(2):
                thread, _ = await emu.create_thread(int(forum["id"]), TITLE, BODY)
            await asyncio.sleep(1.0)
        assert posts_to(emu, thread["id"]) == []
        warnings = [r.getMessage() for r in caplog.records if "Send Messages in Threads" in r.getMessage()]
        assert len(warnings) == 1  # said once per channel, not per post


# -- Save to FAQ ------------------------------------------------------------------------------------

LIP_Q = "How long does lip filler last?"
LIP_A = "Hyaluronic acid lip filler usually lasts six to twelve months, depending on the product."
LIP_A2 = "In my practice most patients come back after about nine months; the body breaks it down slowly."


def role_id(emu: DiscordEmulator, name: str) -> str:
    return next(r["id"] for r in emu.guild_state.roles if r["name"] == name)


async def save_flow(emu: DiscordEmulator, target: dict[str, Any], user: dict[str, Any] | None = None) -> Any:
    handle = await emu.send_interaction(
        emu.message_context_menu("Save to FAQ", target, user=user or emu.moderator)
    )
    return await handle.response(timeout=WAIT)


def step_id(message: dict[str, Any], step: str) -> str:
    return next(i for i in ids_of(message) if i.startswith("faqs:") and i.endswith(f":{step}"))


async def step(
    emu: DiscordEmulator,
    message: dict[str, Any],
    name: str,
    values: list[str] | None = None,
    user: dict[str, Any] | None = None,
) -> Any:
    handle = await emu.send_interaction(
        emu.component_click(message, step_id(message, name), values=values, user=user or emu.moderator)
    )
    return await handle.outcome(timeout=WAIT)


def message_of(cb: Any) -> dict[str, Any]:
    message: dict[str, Any] = cb.request.response["resource"]["message"]
    return message


async def test_save_to_faq_credits_experts_from_roles_and_adds_to_the_existing_entry(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    g = emu.guild_state
    forum = g.add_forum("help")
    derm, md = g.add_role("Dermatologist", 0), g.add_role("Verified MD", 0)
    jane = emu.add_user("jane")
    g.members[int(jane["id"])]["roles"] += [derm["id"], md["id"]]
    g.members[int(jane["id"])]["nick"] = "Dr Jane Roe"
    sam = emu.add_user("sam")  # no expert role: credited by name only
    async with running(emu, tmp_path) as bot:
        for role, field, text in ((derm, "specialty", "Dermatologist"), (md, "credentials", "MD")):
            saved = await settings(emu, {"credit_role": role, "credit_as": field, "credit_text": text})
            assert saved.content.startswith("Saved: role_credits"), saved.content
        thread, _ = await emu.create_thread(int(forum["id"]), LIP_Q, "Mine went down after a few weeks.")
        answer = await emu.send_message(int(thread["id"]), jane, LIP_A + " <@" + sam["id"] + ">")
        await emu.send_message(int(thread["id"]), sam, LIP_A2)

        refused = await save_flow(emu, answer, user=emu.user)
        assert refused.ephemeral and "Only moderators" in refused.content

        opened = await save_flow(emu, answer)
        assert opened.ephemeral and LIP_Q in opened.content
        menu = message_of(opened)
        select = next(c for row in menu["components"] for c in row["components"] if c["type"] == 3)
        assert [o["label"] for o in select["options"]] == ["Dr Jane Roe", "sam"]  # not the post, not bots
        intruder = await step(emu, menu, "pick", ["0"], user=emu.user)
        assert intruder.ephemeral and "belongs to the moderator" in intruder.content

        preview = await step(emu, menu, "pick", ["0"])
        assert preview.type == 7
        assert "Dr Jane Roe, MD · Dermatologist" in preview.content and "never pinged" in preview.content
        assert preview.data["allowed_mentions"] == {"parse": []}
        assert preview.embeds[0]["title"] == LIP_Q
        opened_modal = await step(emu, menu, "edit")
        assert opened_modal.type == 9
        edited_q = "How long does hyaluronic lip filler last?"
        modal = await emu.send_interaction(
            emu.modal_submit(
                opened_modal.data["custom_id"], {"question": edited_q}, message=menu, user=emu.moderator
            )
        )
        after_edit = await modal.response(timeout=WAIT)
        assert after_edit.type == 7 and after_edit.embeds[0]["title"] == edited_q
        done = await step(emu, menu, "new")
        assert done.type == 6 and done.content.startswith(
            "Saved as `how-long-does-hyaluronic-lip-filler-last`"
        )

        svc = bot.faq_service
        entry_id = "how-long-does-hyaluronic-lip-filler-last"
        entry = svc.own_entry(emu.guild, entry_id).entry
        (a,) = entry.answers
        assert a.provider is not None
        assert (a.provider.name, a.provider.credentials, a.provider.specialty) == (
            "Dr Jane Roe",
            "MD",
            "Dermatologist",
        )
        assert a.text.startswith(LIP_A)
        assert (
            entry.source is not None
            and entry.source.url == f"https://discord.com/channels/{emu.guild}/{thread['id']}/{answer['id']}"
        )
        (record,) = await svc.store.history(emu.guild, entry_id)
        assert record.actor.startswith("mod (") and record.action == f"save from {entry.source.url}"
        exported = dump_entries(svc.own_entries(emu.guild))  # what `faqbot export --guild` writes
        assert entry.source.url in exported and "created_by: mod (" in exported

        # Sam's reply, saved later from the same post: the question resembles the saved entry.
        second = await save_flow(emu, answer)
        menu2 = message_of(second)
        preview2 = await step(emu, menu2, "pick", ["1"])
        assert f"Add answers to {entry_id}" in str(preview2.components)
        cancel_id = step_id(menu2, "cancel")
        added = await step(emu, menu2, "add")
        assert added.content == f"Added 1 expert answers to `{entry_id}`."
        answers = svc.own_entry(emu.guild, entry_id).entry.answers
        # Discord lists history with users, not members: nickname and roles were fetched (REST).
        assert emu.requests_to("GET", f"/guilds/{emu.guild}/members/{jane['id']}")
        assert [
            (x.provider.name if x.provider else None, x.provider.credentials if x.provider else None)
            for x in answers
        ] == [("Dr Jane Roe", "MD"), ("sam", None)]
        # A click on the closed flow (another window, or after a restart): told so, nothing changes.
        late = emu.interaction(
            p.MESSAGE_COMPONENT,
            {"custom_id": cancel_id, "component_type": 2},
            message=emu.message(menu2["id"]),
            user=emu.moderator,
        )
        stale = await (await emu.send_interaction(late)).response(timeout=WAIT)
        assert stale.ephemeral and "expired" in stale.content


# -- Ask the experts --------------------------------------------------------------------------------

UNKNOWN_Q = "Can I use retinol after microneedling?"
EXPERT_ANSWER = (
    "Wait at least 72 hours after microneedling before retinol; the skin barrier needs to recover."
)


def experts_world(
    emu: DiscordEmulator, *names: str
) -> tuple[dict[str, Any], dict[str, Any], list[dict[str, Any]]]:
    """An #experts channel and a Dermatologist role held by members with these names."""
    g = emu.guild_state
    experts, derm = g.add_channel("experts"), g.add_role("Dermatologist", 0)
    members = [emu.add_user(n) for n in names]
    for u in members:
        g.members[int(u["id"])]["roles"].append(derm["id"])
    return experts, derm, members


async def test_ask_the_experts_from_a_miss_to_a_credited_entry_with_approval(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    experts, derm, (jane,) = experts_world(emu, "jane")
    async with running(emu, tmp_path) as bot:
        svc = bot.faq_service
        # Before the channel is set: a miss has no "Ask the experts".
        handle = await emu.send_interaction(emu.slash_command("ask", {"query": UNKNOWN_Q}, user=emu.user))
        assert "faq:ax:" not in str((await handle.response(timeout=WAIT)).components)
        saved = await settings(
            emu,
            {
                "experts_channel": experts,
                "expert_role": derm,
                "experts_ping_role": derm,
                "credit_role": derm,
                "credit_as": "specialty",
                "credit_text": "Dermatologist",
            },
        )
        assert "experts_channel_id" in saved.content and "expert_role_ids" in saved.content

        handle = await emu.send_interaction(emu.slash_command("ask", {"query": UNKNOWN_Q}, user=emu.user))
        miss = await handle.response(timeout=WAIT)
        assert miss.ephemeral
        offer = next(i for i in ids_of(message_of(miss)) if i.startswith("faq:ax:"))
        other = await (
            await emu.send_interaction(emu.component_click(message_of(miss), offer, user=emu.moderator))
        ).response(timeout=WAIT)
        assert other.ephemeral and "Only the member who asked" in other.content
        sent = await (
            await emu.send_interaction(emu.component_click(message_of(miss), offer, user=emu.user))
        ).outcome(timeout=WAIT)
        assert sent.ephemeral and "Sent to the experts" in sent.content

        posted = await emu.wait_for_message(int(experts["id"]), WAIT)
        body = posts_to(emu, experts["id"])[0].json
        assert body["content"] == f"<@&{derm['id']}>"  # only the configured experts role is pinged
        assert body["allowed_mentions"] == {"parse": [], "roles": [derm["id"]]}
        assert posted["embeds"][0]["description"] == UNKNOWN_Q
        answer_id = ids_of(posted)[0]
        assert answer_id.startswith("faq:xa:")

        stats = await (
            await emu.send_interaction(emu.slash_command("faq stats", user=emu.moderator))
        ).response()
        assert "Waiting for the experts (1)" in str(stats.embeds)

        refused = await click(emu, posted, answer_id, emu.user)  # no expert role
        assert refused.ephemeral and "expert roles" in refused.content
        form = await click(emu, posted, answer_id, jane)
        assert form.type == 9
        submitted = await (
            await emu.send_interaction(
                emu.modal_submit(
                    form.data["custom_id"],
                    {"answer": EXPERT_ANSWER},
                    message=emu.message(posted["id"]),
                    user=jane,
                )
            )
        ).outcome(timeout=WAIT)
        assert submitted.ephemeral and "moderator will approve" in submitted.content
        assert svc.own_entries(emu.guild) == []  # nothing saved before approval

        approve = next(i for i in ids_of(emu.message(posted["id"])) if i.startswith("faq:xp:"))
        not_mod = await click(emu, posted, approve, jane)
        assert not_mod.ephemeral and "Only moderators" in not_mod.content
        done = await click(emu, posted, approve, emu.moderator)
        assert done.ephemeral and done.content.startswith("Saved in `can-i-use-retinol-after-microneedling`")
        told = await emu.wait_for_message(emu.channel, WAIT)
        assert told["content"].startswith(f"<@{emu.user['id']}>, an expert answered your question")
        assert posts_to(emu, emu.channel)[-1].json["allowed_mentions"] == {"parse": []}  # named, not pinged

        (entry,) = svc.own_entries(emu.guild)
        (a,) = entry.answers
        assert a.text == EXPERT_ANSWER and a.provider is not None
        assert (a.provider.name, a.provider.specialty) == ("jane", "Dermatologist")
        (record,) = await svc.store.history(emu.guild, entry.id)
        assert record.actor.startswith("mod (") and record.action.startswith("expert answer to question ")
        again = (
            await click(emu, posted, approve, emu.moderator)
            if approve in ids_of(emu.message(posted["id"]))
            else None
        )
        assert again is None  # the buttons are gone once answered
        stats = await (
            await emu.send_interaction(emu.slash_command("faq stats", user=emu.moderator))
        ).response()
        assert "Waiting for the experts" not in str(stats.embeds)
        asked = await (
            await emu.send_interaction(emu.slash_command("ask", {"query": UNKNOWN_Q}, user=emu.user))
        ).response()
        assert asked.embeds and asked.embeds[0]["title"] == UNKNOWN_Q


async def test_trusted_experts_save_at_once_and_the_first_of_two_answers_wins(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    experts, derm, (jane, kim) = experts_world(emu, "jane", "kim")
    async with running(emu, tmp_path) as bot:
        await settings(emu, {"experts_channel": experts, "expert_role": derm, "trust_experts": True})
        miss = await (
            await emu.send_interaction(emu.slash_command("ask", {"query": UNKNOWN_Q}, user=emu.user))
        ).response(timeout=WAIT)
        offer = next(i for i in ids_of(message_of(miss)) if i.startswith("faq:ax:"))
        await (
            await emu.send_interaction(emu.component_click(message_of(miss), offer, user=emu.user))
        ).response()
        posted = await emu.wait_for_message(int(experts["id"]), WAIT)
        assert posts_to(emu, experts["id"])[0].json["allowed_mentions"] == {"parse": []}  # no ping role set
        answer_id = ids_of(posted)[0]
        forms = [await click(emu, posted, answer_id, u) for u in (jane, kim)]  # both open the form
        submits = [
            emu.modal_submit(f.data["custom_id"], {"answer": f"{EXPERT_ANSWER} ({u['username']})"},
                             message=emu.message(posted["id"]), user=u)
            for f, u in zip(forms, (jane, kim), strict=True)
        ]  # fmt: skip
        handles = [await emu.send_interaction(s) for s in submits]
        replies = [await h.outcome(timeout=WAIT) for h in handles]
        texts = sorted(r.content for r in replies)
        assert texts[0] == "Another expert answered this question first; thanks!"
        assert texts[1].startswith("Saved in `can-i-use-retinol-after-microneedling`")
        (entry,) = bot.faq_service.own_entries(emu.guild)
        assert len(entry.answers) == 1  # one answer, from whichever expert was first
        await emu.wait_for_message(emu.channel, WAIT)  # the asker is told


async def test_save_to_faq_in_a_text_channel_offers_the_replies_after_the_question(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path) as bot:
        await emu.send_message(emu.channel, emu.user, "an earlier message, not a reply")
        question = await emu.send_message(emu.channel, emu.user, LIP_Q)
        await emu.send_message(emu.channel, emu.moderator, LIP_A)
        await emu.send_message(emu.channel, emu.other_bot, "beep: bots are never offered")
        opened = await save_flow(emu, question)
        menu = message_of(opened)
        select = next(c for row in menu["components"] for c in row["components"] if c["type"] == 3)
        assert [o["description"] for o in select["options"]] == [LIP_A]
        await step(emu, menu, "pick", ["0"])
        done = await step(emu, menu, "new")
        assert done.content.startswith("Saved as `how-long-does-lip-filler-last`")
        (a,) = bot.faq_service.own_entry(emu.guild, "how-long-does-lip-filler-last").entry.answers
        assert a.provider is not None and (a.provider.name, a.provider.credentials) == ("mod", None)


# -- Ask the experts: told by DM, or under the looked-up message --------------------------------

OTHER_Q = "Which marathon shoes suit flat feet?"


async def send_to_experts(emu: DiscordEmulator, user: dict[str, Any], query: str) -> Any:
    miss = await (await emu.send_interaction(emu.slash_command("ask", {"query": query}, user=user))).response(
        timeout=WAIT
    )
    offer = next(i for i in ids_of(message_of(miss)) if i.startswith("faq:ax:"))
    sent = await (
        await emu.send_interaction(emu.component_click(message_of(miss), offer, user=user))
    ).outcome(timeout=WAIT)
    assert sent.ephemeral and "Sent to the experts" in sent.content
    return sent


async def answer_as(emu: DiscordEmulator, expert: dict[str, Any], posted: dict[str, Any], text: str) -> Any:
    form = await click(emu, posted, ids_of(posted)[0], expert)
    handle = await emu.send_interaction(
        emu.modal_submit(
            form.data["custom_id"], {"answer": text}, message=emu.message(posted["id"]), user=expert
        )
    )
    return await handle.outcome(timeout=WAIT)


async def test_the_asker_opts_in_to_a_dm_and_closed_dms_fall_back_to_the_channel(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    experts, derm, (jane,) = experts_world(emu, "jane")
    bob = emu.add_user("bob")
    async with running(emu, tmp_path) as bot:
        await settings(emu, {"experts_channel": experts, "expert_role": derm, "trust_experts": True})
        sent = await send_to_experts(emu, emu.user, UNKNOWN_Q)
        assert "I'll tell you here" in sent.content
        (toggle,) = ids_of(message_of(sent))
        assert toggle.startswith("faq:xd:") and toggle.endswith(":1")
        qid = toggle.split(":")[2]
        forged = await click(emu, message_of(sent), toggle, bob)  # not the asker
        assert forged.ephemeral and "isn't yours" in forged.content
        chose = await click(emu, message_of(sent), toggle, emu.user)
        assert chose.type == 6 and "I'll tell you by DM" in chose.content  # acknowledged, then edited
        assert ids_of(chose.data) == [f"faq:xd:{qid}:0"]  # and back again, if they change their mind
        question = await bot.faq_service.store.get_expert_question(emu.guild, qid)
        assert question is not None and question.notify == "dm"

        posted = await emu.wait_for_message(int(experts["id"]), WAIT)
        saved = await answer_as(emu, jane, posted, EXPERT_ANSWER)
        assert (
            saved.content.startswith("Saved in `can-i-use-retinol-after-microneedling`; telling")
            and "by DM" in saved.content
        )
        dm = emu.world.dm_channel(emu.user)
        told = await emu.wait_for_message(int(dm["id"]), WAIT)
        assert told["content"].startswith("An expert answered the question you asked in **Emulated Guild**")
        assert told["embeds"][0]["title"] == UNKNOWN_Q and EXPERT_ANSWER[:40] in str(told["embeds"][0])
        opened = emu.requests_to("POST", "/users/@me/channels")
        assert opened and opened[-1].json == {"recipient_id": emu.user["id"]} and not opened[-1].violations
        assert posts_to(emu, emu.channel) == []  # the DM only: no channel reply
        late = await click(emu, chose.data | {"id": message_of(sent)["id"]}, f"faq:xd:{qid}:0", emu.user)
        assert late.ephemeral and "Too late to change" in late.content

        # Bob's DMs are closed (Discord answers 403, code 50007): he is told in the channel instead.
        emu.world.closed_dms.add(int(bob["id"]))
        sent = await send_to_experts(emu, bob, OTHER_Q)
        await click(emu, message_of(sent), ids_of(message_of(sent))[0], bob)
        posted = await emu.wait_for_message(int(experts["id"]), WAIT)
        await answer_as(emu, jane, posted, "Stability shoes with a firm medial post; see a podiatrist first.")
        told = await emu.wait_for_message(emu.channel, WAIT)
        assert told["content"].startswith(f"<@{bob['id']}>, an expert answered your question")
        assert "your DMs are closed to me" in told["content"]
        assert posts_to(emu, emu.channel)[-1].json["allowed_mentions"] == {"parse": []}  # named, not pinged
        bob_dm = emu.world.dm_channel(bob)
        refused = emu.requests_to("POST", f"/channels/{bob_dm['id']}/messages")
        assert [r.status for r in refused] == [403] and refused[0].response["code"] == 50007


async def test_find_faq_answer_miss_offers_the_experts_and_the_answer_is_told_under_that_message(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    experts, derm, (jane,) = experts_world(emu, "jane")
    async with running(emu, tmp_path):
        looked_up = await emu.send_message(emu.channel, emu.moderator, UNKNOWN_Q)
        found = await (
            await emu.send_interaction(emu.message_context_menu("Find FAQ answer", looked_up, user=emu.user))
        ).response(timeout=WAIT)
        assert found.ephemeral and "faq:ax:" not in str(found.components)  # no experts channel yet
        await settings(emu, {"experts_channel": experts, "expert_role": derm, "trust_experts": True})
        miss = await (
            await emu.send_interaction(emu.message_context_menu("Find FAQ answer", looked_up, user=emu.user))
        ).response(timeout=WAIT)
        offer = next(i for i in ids_of(message_of(miss)) if i.startswith("faq:ax:"))
        sent = await (
            await emu.send_interaction(emu.component_click(message_of(miss), offer, user=emu.user))
        ).outcome(timeout=WAIT)
        assert "Sent to the experts" in sent.content
        posted = await emu.wait_for_message(int(experts["id"]), WAIT)
        assert posted["embeds"][0]["description"] == UNKNOWN_Q
        await answer_as(emu, jane, posted, EXPERT_ANSWER)
        told = await emu.wait_for_message(emu.channel, WAIT)
        body = posts_to(emu, emu.channel)[-1].json
        assert told["content"].startswith(f"<@{emu.user['id']}>, an expert answered your question")
        assert str(body["message_reference"]["message_id"]) == looked_up["id"]  # under the message
        assert body["allowed_mentions"] == {"parse": []}  # neither the asker nor its author pinged


# -- Save to FAQ: the moderator edits a picked answer -------------------------------------------------


async def test_save_to_faq_edits_a_picked_answers_text_and_byline_still_credited(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path) as bot:
        question = await emu.send_message(emu.channel, emu.user, LIP_Q)
        reply = await emu.send_message(emu.channel, emu.moderator, LIP_A + " lol")
        menu = message_of(await save_flow(emu, question))
        preview = await step(emu, menu, "pick", ["0"])
        menu = {**menu, **preview.data}  # the preview now offers "Edit a picked answer…"
        form = await step(emu, menu, "fix", ["0"])
        assert form.type == 9
        fields = {
            c["custom_id"]: c.get("value") for row in form.data["components"] for c in row["components"]
        }
        assert fields == {"text": LIP_A + " lol", "expert": "mod", "where": None}

        async def submit(values: dict[str, str]) -> Any:
            handle = await emu.send_interaction(
                emu.modal_submit(form.data["custom_id"], values, message=menu, user=emu.moderator)
            )
            return await handle.response(timeout=WAIT)

        emptied = await submit({"text": LIP_A, "expert": "", "where": ""})
        assert emptied.ephemeral and "stays credited to mod, who wrote it" in emptied.content
        edited = await submit({"text": LIP_A, "expert": "Mo Derator, RN", "where": "Nurse Injector, Boston"})
        assert edited.type == 7 and "Mo Derator, RN · Nurse Injector, Boston *(edited)*" in edited.content
        done = await step(emu, {**menu, **edited.data}, "new")
        assert done.content.startswith("Saved as `how-long-does-lip-filler-last`")
        entry = bot.faq_service.own_entry(emu.guild, "how-long-does-lip-filler-last").entry
        (a,) = entry.answers
        assert a.text == LIP_A and a.provider is not None
        assert (a.provider.name, a.provider.credentials, a.provider.specialty, a.provider.location) == (
            "Mo Derator", "RN", "Nurse Injector", "Boston",
        )  # fmt: skip
        assert entry.source is not None and entry.source.url.endswith(f"/{question['id']}")
        assert reply["content"].endswith(" lol")  # the member's message itself is untouched


async def test_save_to_faq_says_what_it_lacks_instead_of_finding_no_replies(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    question = None
    async with running(emu, tmp_path, message_content=False):
        question = await emu.send_message(emu.channel, emu.user, LIP_Q)
        await emu.send_message(emu.channel, emu.moderator, LIP_A)
        # Without the Message Content intent Discord lists the replies with empty text.
        told = await save_flow(emu, question)
        assert (
            told.ephemeral
            and "**Message Content**" in told.content
            and "message_content: true" in told.content
        )
    everyone = emu.guild_state.roles[0]
    everyone["permissions"] = str(int(everyone["permissions"]) & ~p.READ_MESSAGE_HISTORY)
    listed = len(emu.requests_to("GET", f"/channels/{emu.channel}/messages"))
    async with running(emu, tmp_path):
        told = await save_flow(emu, question)
        assert told.ephemeral and "I lack **Read Message History** here" in told.content
        assert len(emu.requests_to("GET", f"/channels/{emu.channel}/messages")) == listed  # not tried


async def test_the_moderator_hears_when_the_asker_cannot_be_told_and_replies_need_history(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    experts, derm, (jane,) = experts_world(emu, "jane")
    everyone = emu.guild_state.roles[0]
    everyone["permissions"] = str(
        int(everyone["permissions"]) & ~p.SEND_MESSAGES_IN_THREADS & ~p.READ_MESSAGE_HISTORY
    )

    async def approve(posted: dict[str, Any]) -> tuple[Any, Any]:
        await answer_as(emu, jane, emu.message(posted["id"]), EXPERT_ANSWER)
        approve_id = next(i for i in ids_of(emu.message(posted["id"])) if i.startswith("faq:xp:"))
        handle = await emu.send_interaction(
            emu.component_click(emu.message(posted["id"]), approve_id, user=emu.moderator)
        )
        return handle, await handle.outcome(timeout=WAIT)

    async with running(emu, tmp_path):
        await settings(emu, {"experts_channel": experts, "expert_role": derm})
        # Asked in a thread where the bot may not post (no Send Messages in Threads).
        thread, _ = await emu.create_thread(emu.channel, "skin care", "anyone know?")
        miss = await (
            await emu.send_interaction(
                emu.slash_command("ask", {"query": UNKNOWN_Q}, user=emu.user, channel=int(thread["id"]))
            )
        ).response(timeout=WAIT)
        offer = next(i for i in ids_of(message_of(miss)) if i.startswith("faq:ax:"))
        await (
            await emu.send_interaction(emu.component_click(message_of(miss), offer, user=emu.user))
        ).response(timeout=WAIT)
        handle, done = await approve(await emu.wait_for_message(int(experts["id"]), WAIT))
        assert done.content.startswith("Saved in `can-i-use-retinol-after-microneedling`")
        warning = (await handle.followups(2, timeout=WAIT))[1]  # after "Saved in …"
        assert warning["content"].startswith("⚠️ I couldn't tell the member who asked")
        assert f"<#{thread['id']}>" in warning["content"] and "Send Messages in Threads" in warning["content"]
        refused = emu.requests_to("POST", f"/channels/{thread['id']}/messages")
        assert [r.status for r in refused] == [403] and refused[0].response["code"] == 50013

        # "Find FAQ answer" in #general: a reply under the message needs Read Message History,
        # which the bot lacks; the member is told by a plain message instead.
        looked_up = await emu.send_message(emu.channel, emu.moderator, OTHER_Q)
        miss = await (
            await emu.send_interaction(emu.message_context_menu("Find FAQ answer", looked_up, user=emu.user))
        ).response(timeout=WAIT)
        offer = next(i for i in ids_of(message_of(miss)) if i.startswith("faq:ax:"))
        await (
            await emu.send_interaction(emu.component_click(message_of(miss), offer, user=emu.user))
        ).response(timeout=WAIT)
        await approve(await emu.wait_for_message(int(experts["id"]), WAIT))
        told = await emu.wait_for_message(emu.channel, WAIT)
        assert told["content"].startswith(f"<@{emu.user['id']}>, an expert answered your question")
        tries = posts_to(emu, emu.channel)
        assert [("message_reference" in r.json, r.status) for r in tries] == [(True, 403), (False, 200)]
