"""Moderators writing at the same moment, through the real discord.py client and the loopback
emulator (issue 12): every "Added …" is kept; an edit against an older version is refused;
an unreachable database is said in one line, with nothing changed."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot.config import load_config
from bot.service import FaqService
from cogs.standalone import FaqBot
from tests.cogs.moderation.test_cog import (
    BYLINE_PREVIEW,
    LIP,
    WAIT,
    add,
    call,
    custom_ids,
    message_of,
    running,
    svc,
)
from tests.emulator import Callback, DiscordEmulator, run_bot
from tests.emulator.fixtures import emulator  # noqa: F401
from tests.pgtools import fresh_database

N = 10


@pytest.fixture
def emu(emulator: DiscordEmulator) -> DiscordEmulator:  # noqa: F811
    return emulator


async def at_once(emu: DiscordEmulator, payloads: list[dict[str, Any]]) -> list[Callback]:
    """Send every interaction before waiting for any answer; what each finally says."""
    handles = [await emu.send_interaction(pl) for pl in payloads]
    return list(await asyncio.gather(*(h.outcome(timeout=WAIT * 3) for h in handles)))


def moderators(emu: DiscordEmulator, count: int = 2) -> list[dict[str, Any]]:
    """`count` members with the Moderator role (discord.py keeps one open form per member and
    form, so forms filled at the same moment come from different moderators)."""
    mods = [emu.moderator]
    role = next(r for r in emu.guild_state.roles if r["name"] == "Moderator")
    for i in range(1, count):
        user = emu.world.add_user(f"mod{i}")
        emu.guild_state.add_member(user, roles=[role])
        mods.append(user)
    return mods


async def test_ten_concurrent_aliases_are_all_kept(emu: DiscordEmulator, tmp_path: Path) -> None:
    async with running(emu, tmp_path) as bot:
        await add(emu)
        mods = moderators(emu)
        replies = await at_once(
            emu,
            [
                emu.slash_command(
                    "faq alias", {"entry": LIP, "phrase": f"filler question {i}"}, user=mods[i % 2]
                )
                for i in range(N)
            ],
        )
        assert all((r.content or "").startswith("Added “filler question") for r in replies), [
            r.content for r in replies
        ]
        stored = await svc(bot).store.get(emu.guild, LIP)
        assert stored is not None
        kept = [p for p in stored.entry.phrasings if p.startswith("filler question")]
        assert sorted(kept) == sorted(f"filler question {i}" for i in range(N))
        history = await svc(bot).store.history(emu.guild, LIP)
        assert sum(1 for h in history if h.action == "alias") == N  # the audit agrees
        # what the bot serves from memory is the stored entry too
        assert len(svc(bot).own_entry(emu.guild, LIP).entry.phrasings) == len(stored.entry.phrasings)


async def test_five_concurrent_answer_forms_are_all_kept(emu: DiscordEmulator, tmp_path: Path) -> None:
    async with running(emu, tmp_path) as bot:
        await add(emu)
        mods = moderators(emu, 5)
        forms = [await call(emu, "faq answer", {"entry": LIP}, user=u) for u in mods]  # opened together
        assert all(f.type == 9 for f in forms)
        fields = [
            {"answer": f"Answer number {i}: it lasts about {6 + i} months.", "expert": f"Dr {i}", "where": ""}
            for i in range(5)
        ]
        previews = await at_once(
            emu,
            [
                emu.modal_submit(f.data["custom_id"], v, user=u)
                for f, v, u in zip(forms, fields, mods, strict=True)
            ],
        )
        assert all((r.content or "").startswith(BYLINE_PREVIEW) for r in previews)
        assert svc(bot).own_entry(emu.guild, LIP).entry.answers[1:] == ()  # nothing saved before Confirm
        confirms = [next(i for i in custom_ids(r) if i.startswith("faqm:pd:ok:")) for r in previews]
        replies = await at_once(  # the five Confirm clicks at the same moment
            emu,
            [
                emu.component_click(message_of(r), ok, user=u)
                for r, ok, u in zip(previews, confirms, mods, strict=True)
            ],
        )
        said = sorted(r.content or "" for r in replies)
        assert [s.split(" to ")[0] for s in said] == [f"Added answer {n}" for n in range(2, 7)], said
        stored = await svc(bot).store.get(emu.guild, LIP)
        assert stored is not None and len(stored.entry.answers) == 6
        assert sum(1 for h in await svc(bot).store.history(emu.guild, LIP) if h.action == "answer") == 5


async def test_two_edits_of_one_version_one_saved_one_refused(
    emu: DiscordEmulator,
    tmp_path: Path,
) -> None:
    async with running(emu, tmp_path) as bot:
        await add(emu)
        mods = moderators(emu)
        forms = [await call(emu, "faq edit", {"entry": LIP}, user=u) for u in mods]
        replies = await at_once(
            emu,
            [
                emu.modal_submit(
                    f.data["custom_id"],
                    {
                        "question": f"How long does lip filler last, {who}?",
                        "phrasings": "",
                        "body": "",
                        "tags": "",
                    },
                    user=u,
                )
                for f, who, u in zip(forms, ("first", "second"), mods, strict=True)
            ],
        )
        contents = sorted(r.content or "" for r in replies)
        saved = [c for c in contents if c.startswith("Saved")]
        refused = [c for c in contents if "changed meanwhile" in c]
        assert len(saved) == 1 and len(refused) == 1, contents
        assert refused[0].startswith("Nothing was changed.") and "open it again" in refused[0]
        stored = await svc(bot).store.get(emu.guild, LIP)
        assert stored is not None and stored.entry.question.startswith("How long does lip filler last, ")
        assert sum(1 for h in await svc(bot).store.history(emu.guild, LIP) if h.action == "edit") == 1


# -- PostgreSQL down -------------------------------------------------------------------------------


class Relay:
    """A TCP relay on 127.0.0.1 in front of the test PostgreSQL server; `close()` takes the
    database away (existing sessions cut, new connections refused) as a server going down would."""

    def __init__(self, host: str, port: int) -> None:
        self.target = (host, port)
        self.server: asyncio.Server | None = None
        self.pipes: set[asyncio.StreamWriter] = set()

    async def start(self) -> int:
        self.server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_r, up_w = await asyncio.open_connection(*self.target)
        self.pipes |= {writer, up_w}

        async def pump(src: asyncio.StreamReader, dst: asyncio.StreamWriter) -> None:
            with contextlib.suppress(OSError, ConnectionError):
                while data := await src.read(65536):
                    dst.write(data)
                    await dst.drain()
            dst.close()

        await asyncio.gather(pump(reader, up_w), pump(up_r, writer))

    async def close(self) -> None:
        assert self.server is not None
        self.server.close()
        for w in self.pipes:
            w.close()
        await self.server.wait_closed()


@contextlib.asynccontextmanager
async def bot_on_postgres(emu: DiscordEmulator, tmp_path: Path) -> AsyncIterator[tuple[FaqBot, Relay]]:
    from urllib.parse import urlsplit

    async with fresh_database() as url:
        parts = urlsplit(url)
        relay = Relay(parts.hostname or "127.0.0.1", parts.port or 5432)
        port = await relay.start()
        relayed = parts._replace(netloc=parts.netloc.replace(f":{parts.port}", f":{port}")).geturl()
        import shutil

        from tests.conftest import ROOT

        shutil.copytree(ROOT / "data", tmp_path / "data")
        config = load_config(
            None,
            {
                "data_dir": str(tmp_path / "data"),
                "database": {"url": relayed},
                "matching": {"semantic": "off"},
            },
        )
        service = await FaqService.open(config)
        bot = FaqBot(config, service)
        try:
            async with run_bot(bot, emu):
                await emu.wait_for_request(lambda r: r.method == "PUT" and r.path.endswith("/commands"), WAIT)
                yield bot, relay
        finally:
            with contextlib.suppress(Exception):
                await relay.close()
            await service.close()


async def test_postgres_down_moderators_are_told_in_one_line(
    emu: DiscordEmulator,
    tmp_path: Path,
) -> None:
    async with bot_on_postgres(emu, tmp_path) as (bot, relay):
        await add(emu)
        await relay.close()  # the database goes away
        reply = await call(emu, "faq alias", {"entry": LIP, "phrase": "filler again"})
        assert reply.content == "The database is unreachable; nothing was changed. Try again shortly."
        assert "Error" not in (reply.content or "")
        removed = await call(emu, "faq settings", {"disclaimer": "Not medical advice."})
        assert removed.content == "The database is unreachable; nothing was changed. Try again shortly."
        # and what the bot serves from memory still says the phrasing is not there
        assert "filler again" not in svc(bot).own_entry(emu.guild, LIP).entry.phrasings
