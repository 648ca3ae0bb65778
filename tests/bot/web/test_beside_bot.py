"""The web pages beside the bot, through the loopback Discord emulator: /ask links answers to
their page when web.base_url is set; a server's own entries are linked and served only after
its moderators turn `web_public` on with /faq settings."""

from __future__ import annotations

import asyncio
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest_asyncio

from bot.models import Answer, Entry, Provider
from bot.service import FaqService
from bot.web.app import start
from cogs.standalone import FaqBot
from tests.conftest import SEED_ID
from tests.emulator import DiscordEmulator, run_bot
from tests.emulator.fixtures import emulator, emulator_no_patch  # noqa: F401
from tests.emulator.loopback import faqbot_run
from tests.webtools import config_from, free_port, write_config

WAIT = 10.0
OWN_ID = "our-own-aftercare"


@pytest_asyncio.fixture
async def setup(
    emulator: DiscordEmulator,  # noqa: F811
    data_dir: Path,
    tmp_path: Path,
) -> AsyncIterator[tuple[DiscordEmulator, FaqService, str]]:
    config = config_from(write_config(tmp_path, data_dir))
    service = await FaqService.open(config)
    own = Entry(
        id=OWN_ID,
        question="What aftercare do you recommend after microneedling?",
        answers=(
            Answer(
                title="Aftercare",
                text="Keep it clean and skip makeup for a day.",
                provider=Provider(name="Our Nurse"),
            ),
        ),
        guild_id=emulator.guild,
    )
    await service.save_entry(own, actor="test", action="add", create=True)
    runner, address = await start(service, config)  # the pages, beside the bot, one service
    try:
        async with run_bot(FaqBot(config, service), emulator):
            await emulator.wait_for_request(
                lambda r: r.method == "PUT" and r.path.endswith("/commands"), WAIT
            )
            yield emulator, service, address
    finally:
        await runner.cleanup()
        await service.close()


async def ask(emu: DiscordEmulator, query: str) -> dict[str, Any]:
    handle = await emu.send_interaction(emu.slash_command("ask", {"query": query}))
    cb = await handle.response(timeout=WAIT)
    assert cb.type == 4 and cb.embeds, cb.data
    return dict(cb.embeds[0])


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=5) as r:
            return int(r.status)
    except urllib.error.HTTPError as exc:
        return exc.code


def web_field(embed: dict[str, Any]) -> str | None:
    return next((f["value"] for f in embed.get("fields", []) if f["name"] == "On the web"), None)


async def test_answers_link_to_their_public_page(setup: tuple[DiscordEmulator, FaqService, str]) -> None:
    emu, service, address = setup
    embed = await ask(emu, "botox pores")
    assert embed["url"] == f"https://faq.example.org/faq/{SEED_ID}"
    assert web_field(embed) == f"[Read all answers on the web](https://faq.example.org/faq/{SEED_ID})"

    # The server's own entry: not public by default, so no link and no page.
    embed = await ask(emu, "microneedling aftercare")
    assert embed["title"].startswith("What aftercare") and "url" not in embed and web_field(embed) is None
    page = f"{address}/g/{emu.guild}/faq/{OWN_ID}"
    assert await _status(page) == 404

    # A moderator publishes the server's entries with /faq settings web_public:true.
    handle = await emu.send_interaction(
        emu.slash_command("faq settings", {"web_public": True}, user=emu.moderator)
    )
    cb = await handle.outcome(timeout=WAIT)  # settings writes are deferred, then followed up
    assert "web_public" in (cb.data.get("content") or "")
    shown = {f["name"]: f["value"] for f in cb.embeds[0]["fields"]}
    assert shown["Web pages"].startswith(
        f"this server's entries are published at https://faq.example.org/g/{emu.guild}/"
    )
    assert (await service.guild_settings(emu.guild)).web_public is True
    embed = await ask(emu, "microneedling aftercare")
    assert embed["url"] == f"https://faq.example.org/g/{emu.guild}/faq/{OWN_ID}"
    assert await _status(page) == 200

    # And back off: the page is gone at once.
    handle = await emu.send_interaction(
        emu.slash_command("faq settings", {"web_public": False}, user=emu.moderator)
    )
    await handle.outcome(timeout=WAIT)
    assert await _status(page) == 404
    assert "url" not in await ask(emu, "microneedling aftercare")


async def _status(url: str) -> int:
    return await asyncio.get_running_loop().run_in_executor(None, status, url)


async def test_faqbot_run_serves_the_pages_beside_the_bot(
    emulator_no_patch: DiscordEmulator,  # noqa: F811
    data_dir: Path,
    tmp_path: Path,
) -> None:
    """The real entry point with web.enabled: the bot answers on Discord (linking the page)
    and the same process serves the page; SIGTERM stops both cleanly."""
    emu = emulator_no_patch
    port = free_port()
    config = write_config(tmp_path, data_dir, port=port)
    async with faqbot_run(emu, config, tmp_path) as bot:
        embed = await ask(emu, "botox pores")
        assert embed["url"] == f"https://faq.example.org/faq/{SEED_ID}"
        assert await _status(f"http://127.0.0.1:{port}/faq/{SEED_ID}") == 200
        assert await _status(f"http://127.0.0.1:{port}/faq/nope") == 404
        await bot.stop()
    log = bot.log
    assert bot.returncode == 0, log
    assert f"web pages on http://127.0.0.1:{port}" in log and "stopped cleanly" in log
    assert "Traceback" not in log
