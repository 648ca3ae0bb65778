"""Moderator writes while the database is busy, through the real discord.py client and the
loopback emulator enforcing Discord's 3-second deadline for an interaction's first response:
another connection holds SQLite's write lock for ~4 s (the store waits up to 5 s), so a bot
that wrote before answering would get "Unknown interaction" and the moderator "This
interaction failed" while the write committed. The bot acknowledges first, then says what was
saved — and what it says was saved is in the store."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.service import FaqService
from tests.cogs.moderation.test_cog import (
    BYLINE_PREVIEW,
    LIP,
    LIP_FIELDS,
    WAIT,
    add,
    call,
    custom_ids,
    message_of,
    running,
    svc,
)
from tests.emulator import Callback, DiscordEmulator, InteractionHandle
from tests.emulator.fixtures import emulator  # noqa: F401

DEADLINE = 3.0  # Discord's, for the first response
HELD = 4.0  # seconds another connection holds the write lock: past the deadline, within the busy timeout


@pytest.fixture
def emu(emulator: DiscordEmulator) -> DiscordEmulator:  # noqa: F811
    emulator.interaction_deadline = DEADLINE  # a late first response gets 404 Unknown interaction
    return emulator


@contextlib.asynccontextmanager
async def lock_held(service: FaqService, seconds: float) -> AsyncIterator[float]:
    """Another connection holds the database's write lock for `seconds` (released by the
    event loop, whatever the bot does meanwhile); yields when it was taken."""
    other = sqlite3.connect(service.store.path, isolation_level=None, timeout=0.1)  # type: ignore[attr-defined]
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE meta SET value = value WHERE key = 'revision'")
    taken = time.monotonic()
    release = asyncio.get_running_loop().call_later(seconds, other.rollback)
    try:
        yield taken
    finally:
        release.cancel()
        other.rollback()
        other.close()


async def acknowledged_then_saved(handle: InteractionHandle, taken: float) -> Callback:
    """The first response came within the deadline, the outcome only after the lock was gone
    (so the write really waited for it)."""
    outcome = await handle.outcome(timeout=WAIT + HELD)
    assert handle.response_delay() < DEADLINE, handle.response_delay()
    assert outcome.request.status in (200, 204), outcome.request  # not 404 Unknown interaction
    assert time.monotonic() - taken >= HELD * 0.9
    return outcome


async def test_add_confirmed_on_the_byline_preview_while_the_database_is_busy(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path) as bot:
        opened = await call(emu, "faq add")
        handle = await emu.send_interaction(
            emu.modal_submit(opened.data["custom_id"], LIP_FIELDS, user=emu.moderator)
        )
        preview = await handle.outcome(timeout=WAIT)
        assert (preview.content or "").startswith(BYLINE_PREVIEW)  # no write yet: answered at once
        ok = next(i for i in custom_ids(preview) if i.startswith("faqm:pd:ok:"))
        async with lock_held(svc(bot), HELD) as taken:
            click = await emu.send_interaction(
                emu.component_click(message_of(preview), ok, user=emu.moderator)
            )
            done = await acknowledged_then_saved(click, taken)
        assert done.type == 6  # the click was acknowledged; the preview then became the outcome
        assert done.content == f"Added `{LIP}`. Members can find it with /ask now."
        assert done.components == [] and done.ephemeral
        stored = await svc(bot).store.get(emu.guild, LIP)
        assert stored is not None and stored.entry.question == LIP_FIELDS["question"]


async def test_answer_and_alias_while_the_database_is_busy(emu: DiscordEmulator, tmp_path: Path) -> None:
    async with running(emu, tmp_path) as bot:
        await add(emu)
        opened = await call(emu, "faq answer", {"entry": LIP})
        text = "Most lip filler lasts about six months."
        async with lock_held(svc(bot), HELD) as taken:  # a form without an expert saves on submit
            submitted = await emu.send_interaction(
                emu.modal_submit(
                    opened.data["custom_id"],
                    {"title": "", "answer": text, "expert": "", "where": ""},
                    user=emu.moderator,
                )
            )
            done = await acknowledged_then_saved(submitted, taken)
        assert done.type == 5 and done.ephemeral
        assert done.content == f"Added answer 2 to `{LIP}`. The summary members see now:"
        async with lock_held(svc(bot), HELD) as taken:
            alias = await emu.send_interaction(
                emu.slash_command(
                    "faq alias", {"entry": LIP, "phrase": "filler in the lips"}, user=emu.moderator
                )
            )
            said = await acknowledged_then_saved(alias, taken)
        assert said.type == 5 and (said.content or "").startswith("Added “filler in the lips” as a phrasing")
        stored = await svc(bot).store.get(emu.guild, LIP)
        assert stored is not None
        assert [a.text for a in stored.entry.answers][1] == text
        assert "filler in the lips" in stored.entry.phrasings


async def test_a_write_that_times_out_after_the_defer_says_nothing_was_saved(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    """The lock is held past the busy timeout: the moderator was answered in time, and the
    follow-up is the error map's message (nothing saved), never a traceback or a "saved"."""
    async with running(emu, tmp_path) as bot:
        await add(emu)
        svc(bot).store._busy_timeout = 0.5  # type: ignore[attr-defined]
        async with lock_held(svc(bot), HELD) as taken:
            alias = await emu.send_interaction(
                emu.slash_command(
                    "faq alias", {"entry": LIP, "phrase": "filler in the lips"}, user=emu.moderator
                )
            )
            said = await alias.outcome(timeout=WAIT)
            assert alias.response_delay() < DEADLINE
            assert time.monotonic() - taken < HELD  # said while the lock is still held
        assert said.type == 5 and said.ephemeral
        content = said.content or ""
        assert "busy" in content and "nothing was saved" in content and "Traceback" not in content, content
        assert not content.startswith("Added")
        stored = await svc(bot).store.get(emu.guild, LIP)
        assert stored is not None and "filler in the lips" not in stored.entry.phrasings
