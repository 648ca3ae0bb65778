"""Issue 15, members: what a member sees and does, through the loopback emulator with the
real discord.py client — sharing a private answer, removing it, the phone-sized answer and
its Full summary, the disclaimer everywhere, /topics, related entries."""

from __future__ import annotations

import re
from typing import Any

from bot.models import Answer, Entry, Provider, Source
from bot.service import FaqService
from bot.settings import SettingsChange
from cogs.standalone import FaqBot
from tests.cogs import test_faq as _ask_tests
from tests.cogs.test_faq import QUESTION, ask, assert_no_pings, buttons
from tests.conftest import SEED_ID
from tests.emulator import DiscordEmulator

# The same bot and service fixtures as the /ask tests.
service = _ask_tests.service
bot = _ask_tests.bot

EXTRA = [
    ("filler-lips", "How long do lip fillers last?", ("fillers", "lips"), "Six to twelve months."),
    ("filler-cheeks", "Can fillers lift the cheeks?", ("fillers",), "Yes, **hyaluronic** fillers can."),
    ("botox-forehead", "Does botox help forehead lines?", ("botox",), "Yes:\n- it relaxes\n- lines soften"),
]


async def add_entries(service: FaqService, guild: int, extra: list[Any] = EXTRA) -> None:
    for eid, question, tags, text in extra:
        entry = Entry(
            eid, question, (Answer("A", text, Provider(name="Jane Roe", credentials="MD")),),
            phrasings=(question.lower(),), tags=tags, guild_id=guild,
        )  # fmt: skip
        await service.save_entry(entry, actor="t", action="add", create=True)


def rows_of(components: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    return [row.get("components", []) for row in components]


async def test_post_in_channel_replies_without_ping_and_only_owner_or_mod_removes(
    emulator: DiscordEmulator, bot: FaqBot
) -> None:
    helper = emulator.add_user("helper")
    target = await emulator.send_message(
        emulator.channel, emulator.user, "why does tox make my forehead smoother"
    )
    handle = await emulator.send_interaction(
        emulator.message_context_menu("Find FAQ answer", target, user=helper)
    )
    private = await handle.response()
    assert private.ephemeral and private.embeds[0]["title"] == QUESTION
    post_id = f"faq:post:{target['id']}:{SEED_ID}"
    assert post_id in buttons(private.components)
    assert "faq:del" not in str(private.components)  # nothing to remove on a private answer

    note = await handle.original_message()
    click = await emulator.send_interaction(emulator.component_click(note, post_id, user=helper))
    done = await click.response()
    assert done.type == 7 and buttons(done.components)[post_id]["disabled"] is True
    assert buttons(done.components)[post_id]["label"] == "Posted in channel"
    posted = await emulator.wait_for_message(emulator.channel)
    request = emulator.requests_to("POST", f"/channels/{emulator.channel}/messages")[-1]
    assert str(request.json["message_reference"]["message_id"]) == str(target["id"])
    assert request.json["allowed_mentions"]["replied_user"] is False
    assert posted["embeds"][0]["title"] == QUESTION
    delete_id = f"faq:del:{helper['id']}"
    assert delete_id in buttons(posted["components"])
    assert_no_pings(emulator)

    # alice (whose message it answers) did not post it: polite refusal, nothing deleted.
    refused = await (await emulator.send_interaction(emulator.component_click(posted, delete_id))).response()
    assert refused.ephemeral and f"<@{helper['id']}>" in (refused.content or "")
    assert int(posted["id"]) in emulator.world.messages
    # The helper who posted it removes it.
    await (
        await emulator.send_interaction(emulator.component_click(posted, delete_id, user=helper))
    ).response()
    await emulator.wait_for_request(lambda r: r.method == "DELETE" and r.path.endswith(f"/{posted['id']}"))
    assert int(posted["id"]) not in emulator.world.messages


async def test_moderator_removes_a_public_answer(emulator: DiscordEmulator, bot: FaqBot) -> None:
    handle, cb = await ask(emulator, "botox pores")
    delete_id = f"faq:del:{emulator.user['id']}"
    assert delete_id in buttons(cb.components)
    message = await handle.original_message()
    click = await emulator.send_interaction(
        emulator.component_click(message, delete_id, user=emulator.moderator)
    )
    assert (await click.response()).type == 6
    await emulator.wait_for_request(lambda r: r.method == "DELETE")


async def test_private_ask_can_be_posted(emulator: DiscordEmulator, bot: FaqBot) -> None:
    handle = await emulator.send_interaction(
        emulator.slash_command("ask", {"query": "botox pores", "private": True})
    )
    cb = await handle.response()
    assert cb.ephemeral and cb.embeds[0]["title"] == QUESTION
    post_id = f"faq:post:0:{SEED_ID}"
    note = await handle.original_message()
    await (await emulator.send_interaction(emulator.component_click(note, post_id))).response()
    posted = await emulator.wait_for_message(emulator.channel)
    assert posted["embeds"][0]["title"] == QUESTION and "message_reference" not in (
        emulator.requests_to("POST", f"/channels/{emulator.channel}/messages")[-1].json
    )


async def test_public_answer_fits_a_phone_and_full_summary_has_the_rest(
    emulator: DiscordEmulator, bot: FaqBot
) -> None:
    handle, cb = await ask(emulator, "botox pores")
    (embed,) = cb.embeds
    description = embed["description"]
    assert description.count("\n• ") + description.startswith("• ") <= 3
    assert description.count("• ") == 3 and re.search(r"\+\d+ more points? — Full summary", description)
    assert "Aldo Guerra, MD" in description  # credentials in bylines
    for line in description.splitlines():
        if line.strip().startswith("—"):
            names = line.split(":", 1)[1]
            assert names.count(" · ") <= 3, line  # at most 3 names, then "+N"
            assert not names.strip(" *").startswith(("2 unattributed", "unattributed"))
    assert len(embed.get("fields", [])) <= 1  # one disagreement; no Source without an address
    assert all(f["name"] != "Source" for f in embed.get("fields", []))
    lines = len(description.splitlines()) + sum(len(f["value"].splitlines()) + 1 for f in embed["fields"])
    assert lines <= 20, lines

    message = await handle.original_message()
    full = await (
        await emulator.send_interaction(emulator.component_click(message, f"faq:sum:{SEED_ID}"))
    ).response()
    assert full.ephemeral
    assert full.embeds[0]["description"].count("• ") > 3
    assert "not medical advice" in full.embeds[0]["footer"]["text"]


async def test_source_links_to_its_address(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService
) -> None:
    entry = Entry(
        "src-test", "Is sunscreen needed indoors?", (Answer("A", "Yes, near windows.", None),),
        phrasings=("sunscreen indoors",), source=Source("Skin thread", "https://example.org/t/1"),
        guild_id=emulator.guild,
    )  # fmt: skip
    await service.save_entry(entry, actor="t", action="add", create=True)
    _, cb = await ask(emulator, "sunscreen indoors")
    (source,) = [f for f in cb.embeds[0]["fields"] if f["name"] == "Source"]
    assert source["value"] == "[Skin thread](https://example.org/t/1)"


async def test_disclaimer_everywhere_and_per_server(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService
) -> None:
    await service.update_settings(
        emulator.guild,
        SettingsChange(
            disclaimer="Community tips, not professional advice.", keyword_channels=[emulator.channel]
        ),
        actor="t",
    )
    handle, cb = await ask(emulator, "botox pores")
    assert cb.embeds[0]["footer"]["text"] == "Community tips, not professional advice."
    message = await handle.original_message()
    click = await emulator.send_interaction(emulator.component_click(message, f"faq:all:{SEED_ID}"))
    page = await click.response()
    assert page.embeds[0]["footer"]["text"].endswith("\nCommunity tips, not professional advice.")
    shown = await click.original_message()
    nxt = await (
        await emulator.send_interaction(emulator.component_click(shown, f"faq:pg:1:{SEED_ID}"))
    ).response()
    assert nxt.type == 7 and "Community tips" in nxt.embeds[0]["footer"]["text"]

    await emulator.send_message(emulator.channel, emulator.user, "does botox shrink pores?")
    keyword = await emulator.wait_for_message(emulator.channel)
    assert keyword["content"].endswith("\n-# Community tips, not professional advice.")
    assert "1 expert answers" not in keyword["content"] and "10 expert answers" in keyword["content"]


async def test_topics_pages_filters_and_opens_an_answer(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService
) -> None:
    many = [(f"t-{i:02d}", f"Topic question {i:02d}?", ("bulk",), "Text.") for i in range(10)]
    await add_entries(service, emulator.guild, EXTRA + many)
    await service.set_hidden(emulator.guild, SEED_ID, True, actor="t")

    handle = await emulator.send_interaction(emulator.slash_command("topics", {}))
    first = await handle.response()
    assert first.ephemeral and first.embeds[0]["footer"]["text"].startswith("Page 1 of 2 · 13 entries")
    assert QUESTION not in first.embeds[0]["description"]  # hidden here
    ids = buttons(first.components)
    assert "tp:pg:1:" in ids and ids["tp:pg:0:"]["disabled"] is True
    page = await handle.original_message()
    second = await (await emulator.send_interaction(emulator.component_click(page, "tp:pg:1:"))).response()
    assert second.type == 7 and "**9.**" in second.embeds[0]["description"]

    auto = await (await emulator.send_interaction(emulator.autocomplete("topics", "tag", "fill"))).response()
    assert [c["value"] for c in auto.choices] == ["fillers"]
    handle = await emulator.send_interaction(emulator.slash_command("topics", {"tag": "fillers"}))
    filtered = await handle.response()
    text = filtered.embeds[0]["description"]
    assert "lip fillers" in text and "cheeks" in text and "forehead" not in text
    assert filtered.embeds[0]["footer"]["text"].startswith("Page 1 of 1 · 2 entries")
    listing = await handle.original_message()
    opening = await emulator.send_interaction(
        emulator.component_click(listing, "faq:open", values=["filler-lips"])
    )
    opened = await opening.response()
    assert opened.ephemeral and opened.embeds[0]["title"] == "How long do lip fillers last?"
    # related: the other "fillers" entry, one pick away
    (related,) = [
        c for row in rows_of(opened.components) for c in row if c.get("custom_id") == "faq:rel:filler-lips"
    ]
    assert [o["value"] for o in related["options"]] == ["filler-cheeks"]
    shown = await opening.original_message()
    note = await (
        await emulator.send_interaction(
            emulator.component_click(shown, "faq:rel:filler-lips", values=["filler-cheeks"])
        )
    ).response()
    assert note.ephemeral and note.embeds[0]["title"] == "Can fillers lift the cheeks?"

    empty = await (
        await emulator.send_interaction(emulator.slash_command("topics", {"tag": "nothing"}))
    ).response()
    assert empty.ephemeral and empty.content == "No entries tagged **nothing** yet."


async def test_answer_pages_render_lists_and_bold(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService
) -> None:
    await add_entries(service, emulator.guild)
    handle, cb = await ask(emulator, "does botox help forehead lines")
    assert cb.embeds[0]["title"] == "Does botox help forehead lines?"
    message = await handle.original_message()
    page = await (
        await emulator.send_interaction(emulator.component_click(message, "faq:all:botox-forehead"))
    ).response()
    assert "Yes:\n- it relaxes\n- lines soften" in page.embeds[0]["description"]
    assert page.embeds[0]["author"]["name"] == "Jane Roe, MD"


async def test_grammar_one_expert(emulator: DiscordEmulator, bot: FaqBot, service: FaqService) -> None:
    await add_entries(service, emulator.guild)
    _, cb = await ask(emulator, "how long do lip fillers last")
    description = cb.embeds[0]["description"]
    assert "1 experts" not in description and ("1 expert" in description or "Curated" in description)


async def test_keyword_reply_show_then_post_replies_to_the_members_message(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService
) -> None:
    await service.update_settings(
        emulator.guild, SettingsChange(keyword_channels=[emulator.channel]), actor="t"
    )
    asked = await emulator.send_message(emulator.channel, emulator.user, "does botox shrink pores?")
    keyword = await emulator.wait_for_message(emulator.channel)
    click = await emulator.send_interaction(emulator.component_click(keyword, f"faq:show:{SEED_ID}"))
    shown = await click.response()
    post_id = f"faq:post:{asked['id']}:{SEED_ID}"
    assert shown.ephemeral and post_id in buttons(shown.components)
    note = await click.original_message()
    await (await emulator.send_interaction(emulator.component_click(note, post_id))).response()
    posted = await emulator.wait_for_message(emulator.channel)
    assert posted["embeds"][0]["title"] == QUESTION
    request = emulator.requests_to("POST", f"/channels/{emulator.channel}/messages")[-1]
    assert str(request.json["message_reference"]["message_id"]) == str(asked["id"])
    assert_no_pings(emulator)
