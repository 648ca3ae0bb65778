"""The member-facing plugin driven through the loopback Discord emulator with the real
discord.py client: /ask, autocomplete, buttons, keyword replies, the message command, the
standalone `faqbot run` process."""

from __future__ import annotations

import asyncio
import os
import re
import sqlite3
import sys
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
import pytest_asyncio

from bot.config import ThresholdsConfig, load_config
from bot.service import FaqService
from bot.settings import SettingsChange
from bot.store.common import normalise_query
from cogs.standalone import FaqBot
from tests.conftest import ROOT, SEED_ID
from tests.emulator import DiscordEmulator, run_bot
from tests.emulator.loopback import faqbot_run

QUESTION = "Why does Botox make my skin appear smoother?"
EPHEMERAL = 64


def make_config(data_dir: Path, db: Path, **replies: Any) -> Any:
    return load_config(
        None,
        {
            "data_dir": str(data_dir),
            "database": {"url": f"sqlite:///{db}"},
            "discord": {"message_content": True},
            "replies": replies,
            "keyword_replies": {"channel_cooldown_seconds": 30, "user_cooldown_seconds": 30},
        },
    )


@pytest_asyncio.fixture
async def service(data_dir: Path, tmp_path: Path) -> AsyncIterator[FaqService]:
    svc = await FaqService.open(make_config(data_dir, tmp_path / "faq.db", ask_rate_limit={"count": 50}))
    yield svc
    await svc.close()


@pytest_asyncio.fixture
async def bot(emulator: DiscordEmulator, service: FaqService) -> AsyncIterator[FaqBot]:
    async with run_bot(FaqBot(service.config, service), emulator) as running:
        await emulator.wait_for_request(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
        yield running


async def ask(emu: DiscordEmulator, query: str, **kw: Any) -> Any:
    handle = await emu.send_interaction(emu.slash_command("ask", {"query": query}, **kw))
    return handle, await handle.response()


def buttons(components: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {c["custom_id"]: c for row in components for c in row.get("components", []) if c.get("custom_id")}


def assert_no_pings(emu: DiscordEmulator) -> None:
    """Every message-creating request the bot made carried allowed_mentions parse=[]."""
    sent = [r for r in emu.requests if r.method in ("POST", "PATCH") and isinstance(r.json, dict)]
    bodies = [r.json.get("data", r.json) if "/callback" in r.path else r.json for r in sent]
    bodies = [b for b in bodies if isinstance(b, dict) and ("content" in b or "embeds" in b)]
    assert bodies
    for body in bodies:
        allowed = body.get("allowed_mentions") or {}
        assert allowed.get("parse") == [] and not allowed.get("users") and not allowed.get("roles"), body
        assert not allowed.get("replied_user"), body


async def test_commands_are_registered(emulator: DiscordEmulator, bot: FaqBot) -> None:
    names = {(c["name"], c.get("type", 1)) for c in emulator.commands()}
    assert ("ask", 1) in names and ("Find FAQ answer", 3) in names


async def test_ask_answers_with_summary_and_buttons(emulator: DiscordEmulator, bot: FaqBot) -> None:
    _, cb = await ask(emulator, "botox pores")
    assert cb.type == 4 and not cb.ephemeral
    (embed,) = cb.embeds
    assert embed["title"] == QUESTION
    assert "Aldo Guerra" in embed["description"] and "of 10 experts" in embed["description"]
    assert any("pore" in f["name"] for f in embed.get("fields", []))  # the disagreement
    assert "not medical advice" in embed["footer"]["text"]
    ids = buttons(cb.components)
    assert {f"faq:all:{SEED_ID}", f"faq:fb:1:{SEED_ID}", f"faq:fb:0:{SEED_ID}"} <= set(ids)
    assert_no_pings(emulator)


async def test_autocomplete_then_pick(emulator: DiscordEmulator, bot: FaqBot) -> None:
    handle = await emulator.send_interaction(emulator.autocomplete("ask", "query", "bot"))
    cb = await handle.response()
    assert cb.type == 8
    assert {"name": QUESTION, "value": f"entry:{SEED_ID}"} in cb.choices
    assert len(cb.choices) <= 25 and all(len(c["name"]) <= 100 for c in cb.choices)
    _, cb = await ask(emulator, f"entry:{SEED_ID}")
    assert cb.type == 4 and cb.embeds[0]["title"] == QUESTION


async def test_picked_choice_answers_while_the_database_is_busy(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService
) -> None:
    """Recording the pick in the stats fails (another writer holds the lock past the busy
    timeout); the member still gets the answer, not an apology."""
    service.store._busy_timeout = 0.3  # type: ignore[attr-defined]  # seconds a write waits
    other = sqlite3.connect(service.store.path, isolation_level=None, timeout=0.1)  # type: ignore[attr-defined]
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE meta SET value = value WHERE key = 'revision'")
    try:
        handle, _ = await ask(emulator, f"entry:{SEED_ID}")
        message = await handle.answer()
        assert message["embeds"] and message["embeds"][0]["title"] == QUESTION, message
        assert "not medical advice" in message["embeds"][0]["footer"]["text"]
    finally:
        other.rollback()
        other.close()
    recorded = normalise_query(QUESTION)
    stats = await service.stats(emulator.guild)
    assert all(q.query != recorded for q in stats.top_queries)  # not recorded, and nothing broke
    _, cb = await ask(emulator, f"entry:{SEED_ID}")  # once the lock is gone the pick counts again
    assert cb.type == 4 and cb.embeds[0]["title"] == QUESTION
    assert any(q.query == recorded for q in (await service.stats(emulator.guild)).top_queries)


async def test_all_answers_pages_through_every_expert(emulator: DiscordEmulator, bot: FaqBot) -> None:
    handle, _ = await ask(emulator, "botox pores")
    message = await handle.original_message()
    click = await emulator.send_interaction(emulator.component_click(message, f"faq:all:{SEED_ID}"))
    cb = await click.response()
    assert cb.type == 4 and cb.ephemeral
    authors = [cb.embeds[0]["author"]["name"]]
    page = await click.original_message()
    for n in range(1, 10):
        nxt = await emulator.send_interaction(emulator.component_click(page, f"faq:pg:{n}:{SEED_ID}"))
        update = await nxt.response()
        assert update.type == 7
        authors.append(update.embeds[0]["author"]["name"])
        page = {**page, "components": update.components, "embeds": update.embeds}
    assert authors[3] == "Aldo Guerra, MD · Plastic Surgeon, Scottsdale"
    assert authors[1] == "Unattributed answer" and authors[9] == "Dr. Richard Swift"
    last = buttons(page["components"])
    assert last[f"faq:pg:9:{SEED_ID}"].get("disabled") is True  # "Next" on the last page


async def test_feedback_is_recorded(emulator: DiscordEmulator, bot: FaqBot, service: FaqService) -> None:
    handle, _ = await ask(emulator, "botox pores")
    message = await handle.original_message()
    click = await emulator.send_interaction(emulator.component_click(message, f"faq:fb:1:{SEED_ID}"))
    cb = await click.outcome()  # acknowledged before the write, then the private note
    assert cb.ephemeral and "you marked this answer **Helpful**" in (cb.content or "")
    chosen = buttons(cb.components)
    assert chosen[f"faq:fb:1:{SEED_ID}"]["style"] == 3 and chosen[f"faq:fb:1:{SEED_ID}"]["disabled"]
    stats = await service.store.stats(emulator.guild)
    assert stats.feedback[SEED_ID] == (1, 0)
    # Changing your mind in the private note edits it in place; the latest vote counts, once.
    note = await click.original_message()
    change = await emulator.send_interaction(emulator.component_click(note, f"faq:fb:0:{SEED_ID}"))
    edited = await change.outcome()
    assert edited.type == 6 and "**Not helpful**" in (edited.content or "")  # the note, edited
    assert buttons(edited.components)[f"faq:fb:0:{SEED_ID}"]["style"] == 4
    assert buttons(edited.components)[f"faq:fb:1:{SEED_ID}"].get("disabled") in (None, False)
    stats = await service.store.stats(emulator.guild)
    assert stats.feedback[SEED_ID] == (0, 1)


async def test_unrelated_question_is_private_and_recorded(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService
) -> None:
    _, cb = await ask(emulator, "how do I reset my router")
    assert cb.type == 4 and cb.ephemeral and not cb.embeds
    stats = await service.store.stats(emulator.guild)
    assert [(s.query, s.unanswered) for s in stats.unanswered] == [("how do i reset my router", 1)]


async def test_suggestions_are_buttons_that_answer(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService
) -> None:
    # A guild with a very strict answer bar gets "did you mean" for the same words.
    await service.update_settings(
        emulator.guild, SettingsChange(thresholds=ThresholdsConfig(answer=1.0, suggest=0.05)), actor="t"
    )
    handle, cb = await ask(emulator, "botox pores")
    assert cb.ephemeral and "Did you mean" in (cb.content or "")
    message = await handle.original_message()
    ids = list(buttons(message["components"]))
    (pick,) = [i for i in ids if i.startswith("faq:sug:") and i.endswith(f":{SEED_ID}")]
    assert any(i.startswith("faq:nom:") for i in ids)  # "None of these"
    click = await emulator.send_interaction(emulator.component_click(message, pick))
    answer = await click.response()
    assert answer.type == 4 and answer.embeds[0]["title"] == QUESTION


async def test_keyword_replies_off_by_default_then_on_with_cooldown(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService
) -> None:
    await emulator.send_message(emulator.channel, emulator.user, "does botox shrink pores?")
    await ask(emulator, "botox pores")  # a later event the bot handled in order
    assert not emulator.requests_to("POST", f"/channels/{emulator.channel}/messages")

    await service.update_settings(
        emulator.guild, SettingsChange(keyword_channels=[emulator.channel]), actor="t"
    )
    await emulator.send_message(emulator.channel, emulator.other_bot, "does botox shrink pores?")
    await emulator.send_message(emulator.channel, emulator.user, "does botox shrink pores?")
    reply = await emulator.wait_for_message(emulator.channel)
    assert QUESTION in reply["content"] and reply["author"]["id"] == str(emulator.application_id)
    assert len(emulator.requests_to("POST", f"/channels/{emulator.channel}/messages")) == 1  # not the bot's
    click = await emulator.send_interaction(emulator.component_click(reply, f"faq:show:{SEED_ID}"))
    shown = await click.response()
    assert shown.ephemeral and shown.embeds[0]["title"] == QUESTION

    await emulator.send_message(emulator.channel, emulator.user, "why is my skin smoother after botox")
    await ask(emulator, "botox pores")
    assert len(emulator.requests_to("POST", f"/channels/{emulator.channel}/messages")) == 1  # cooldown
    await emulator.send_message(emulator.other_channel, emulator.user, "does botox shrink pores?")
    await ask(emulator, "botox pores")
    assert not emulator.requests_to("POST", f"/channels/{emulator.other_channel}/messages")
    assert_no_pings(emulator)


async def test_message_command(emulator: DiscordEmulator, bot: FaqBot) -> None:
    target = await emulator.send_message(
        emulator.channel, emulator.user, "why does tox make my forehead smoother"
    )
    handle = await emulator.send_interaction(emulator.message_context_menu("Find FAQ answer", target))
    cb = await handle.response()
    assert cb.ephemeral and cb.embeds[0]["title"] == QUESTION


async def test_stored_mentions_ping_nobody(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService
) -> None:
    from bot.models import Answer, Entry, Provider

    entry = Entry(
        "ping-test", "Does @everyone get pinged by <@&123> here?",
        (Answer("@here", "Hello @everyone and <@&123> and <@42>", Provider(name="@everyone")),),
        phrasings=("ping test everyone",), guild_id=emulator.guild,
    )  # fmt: skip
    await service.save_entry(entry, actor="t", action="add", create=True)
    handle, cb = await ask(emulator, "ping test everyone")
    assert cb.embeds[0]["title"].startswith("Does @everyone")
    message = await handle.original_message()
    click = await emulator.send_interaction(emulator.component_click(message, "faq:all:ping-test"))
    await click.response()
    assert_no_pings(emulator)


async def test_rate_limit_is_friendly(emulator: DiscordEmulator, data_dir: Path, tmp_path: Path) -> None:
    svc = await FaqService.open(
        make_config(data_dir, tmp_path / "rl.db", ask_rate_limit={"count": 2, "per_seconds": 60})
    )
    try:
        async with run_bot(FaqBot(svc.config, svc), emulator):
            await emulator.wait_for_request(lambda r: r.method == "PUT")
            for _ in range(2):
                _, cb = await ask(emulator, "botox pores")
                assert cb.embeds
            _, cb = await ask(emulator, "botox pores")
            assert cb.ephemeral and "asking quickly" in (cb.content or "")
            # Discord's relative time, about a minute ahead; picking an autocomplete choice still works.
            stamp = int(re.search(r"<t:(\d+):R>", cb.content or "")[1])  # type: ignore[index]
            assert 0 < stamp - time.time() <= 61
            _, cb = await ask(emulator, f"entry:{SEED_ID}")
            assert cb.embeds and cb.embeds[0]["title"] == QUESTION
            _, cb = await ask(emulator, "botox pores", user=emulator.moderator)  # others unaffected
            assert cb.embeds
    finally:
        await svc.close()


async def test_errors_show_an_apology_not_a_traceback(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def broken(*args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("database exploded")

    monkeypatch.setattr(service, "ask", broken)
    _, cb = await ask(emulator, "botox pores")
    assert cb.ephemeral and "Sorry" in (cb.content or "")
    assert "Traceback" not in (cb.content or "") and "exploded" not in (cb.content or "")


async def test_slow_answers_are_deferred(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = service.ask

    async def slow(*args: Any, **kwargs: Any) -> Any:
        await asyncio.sleep(2.2)
        return await real(*args, **kwargs)

    monkeypatch.setattr(service, "ask", slow)
    handle, cb = await ask(emulator, "botox pores")
    assert cb.type == 5  # acknowledged inside Discord's 3 seconds
    (followup,) = await handle.followups(1, timeout=10)
    assert followup["embeds"][0]["title"] == QUESTION


async def test_gateway_resume_keeps_answering(emulator: DiscordEmulator, bot: FaqBot) -> None:
    await emulator.disconnect_gateway()
    await emulator.wait_for_op(6)  # RESUME
    _, cb = await ask(emulator, "botox pores")
    assert cb.embeds[0]["title"] == QUESTION


async def test_faqbot_run_as_a_process(
    emulator_no_patch: DiscordEmulator, data_dir: Path, tmp_path: Path
) -> None:
    """The real entry point: `faqbot run` against the emulator, then SIGTERM."""
    emu = emulator_no_patch
    config = tmp_path / "config.yaml"
    config.write_text(f"data_dir: {data_dir}\ndatabase:\n  url: sqlite:///{tmp_path / 'run.db'}\n")
    async with faqbot_run(emu, config, tmp_path) as bot:
        handle = await emu.send_interaction(emu.slash_command("ask", {"query": "botox pores"}))
        message = await handle.answer(timeout=30)  # deferred first on a loaded machine
        assert message["embeds"][0]["title"] == QUESTION
        await bot.stop()
    log = bot.log
    assert bot.returncode == 0, log
    assert "faqbot 0.1.0: store" in log and "matcher" in log and "stopped cleanly" in log
    assert "Traceback" not in log


async def test_faqbot_run_without_token_says_what_to_do(data_dir: Path, tmp_path: Path) -> None:
    root = ROOT
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"} | {"PYTHONPATH": str(root)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "run", "--data", str(data_dir), "--db", str(tmp_path / "x.db"),
        env=env, cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    out, _ = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode == 1 and "DISCORD_TOKEN" in out.decode()


async def test_a_failing_button_answers_with_an_apology(
    emulator: DiscordEmulator, bot: FaqBot, service: FaqService, monkeypatch: pytest.MonkeyPatch
) -> None:
    """discord.py only logs a persistent button's exception; the member must still get a reply."""
    handle, _ = await ask(emulator, "botox pores")
    message = await handle.original_message()

    async def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(service.store, "record_feedback", broken)
    click = await emulator.send_interaction(emulator.component_click(message, f"faq:fb:1:{SEED_ID}"))
    cb = await click.outcome()
    assert cb.ephemeral and "Sorry" in (cb.content or "") and "fire" not in (cb.content or "")
