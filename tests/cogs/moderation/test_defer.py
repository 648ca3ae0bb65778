"""Moderator writes while the database is busy, through the real discord.py client and the
loopback emulator enforcing Discord's 3-second deadline for an interaction's first response:
another connection holds every write for ~4 s (`tests/busytools.py`: SQLite's write lock, the
store waiting up to 5 s; PostgreSQL's tables locked against writes), so a bot
that wrote before answering would get "Unknown interaction" and the moderator "This
interaction failed" while the write committed. The bot acknowledges first, then says what was
saved — and what it says was saved is in the store."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import pytest

from tests.busytools import DEADLINE, HELD, acknowledged_then_saved, backend, lock_held  # noqa: F401
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
from tests.emulator import DiscordEmulator
from tests.emulator.faqbot import running_faqbot
from tests.emulator.fixtures import emulator  # noqa: F401


@pytest.fixture
def emu(emulator: DiscordEmulator) -> DiscordEmulator:  # noqa: F811
    emulator.interaction_deadline = DEADLINE  # a late first response gets 404 Unknown interaction
    return emulator


async def test_add_confirmed_on_the_byline_preview_while_the_database_is_busy(
    emu: DiscordEmulator,
    tmp_path: Path,
    backend: dict[str, Any],  # noqa: F811 - SQLite and PostgreSQL
) -> None:
    async with running_faqbot(emu, tmp_path, **backend) as bot:
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


async def test_answer_and_alias_while_the_database_is_busy(
    emu: DiscordEmulator,
    tmp_path: Path,
    backend: dict[str, Any],  # noqa: F811 - SQLite and PostgreSQL
) -> None:
    async with running_faqbot(emu, tmp_path, **backend) as bot:
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
    """SQLite (PostgreSQL waits for a lock rather than timing out): the lock is held past the
    busy timeout: the moderator was answered in time, and the
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
