"""faqbot as a plugin: `load_extension` into someone else's discord.py bot, config from
FAQBOT_CONFIG, driven through the loopback emulator."""

from __future__ import annotations

from pathlib import Path

import discord
import pytest
from discord.ext import commands

from tests.emulator import DiscordEmulator, run_bot


class HostBot(commands.Bot):
    """Another community's bot with its own command; it only adds our extensions."""

    def __init__(self) -> None:
        super().__init__(command_prefix="!", intents=discord.Intents.default())

    async def setup_hook(self) -> None:
        await self.load_extension("cogs.faq")
        await self.load_extension("cogs.moderation")
        await self.tree.sync()


async def test_plugin_loads_answers_and_unloads(
    emulator: DiscordEmulator, data_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = tmp_path / "faq.yaml"
    config.write_text(f"data_dir: {data_dir}\ndatabase:\n  url: sqlite:///{tmp_path / 'plugin.db'}\n")
    monkeypatch.setenv("FAQBOT_CONFIG", str(config))
    bot = HostBot()
    async with run_bot(bot, emulator):
        await emulator.wait_for_request(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
        assert {c["name"] for c in emulator.commands()} >= {"ask", "faq", "Find FAQ answer"}
        handle = await emulator.send_interaction(emulator.slash_command("ask", {"query": "botox pores"}))
        answer = await handle.answer()
        assert answer["embeds"][0]["title"] == "Why does Botox make my skin appear smoother?"
        assert (tmp_path / "plugin.db").exists()  # the store named by FAQBOT_CONFIG
        await bot.unload_extension("cogs.faq")
        assert hasattr(bot, "faq_service")  # still used by the moderation cog
        await bot.unload_extension("cogs.moderation")
        assert not hasattr(bot, "faq_service")  # closed with the last cog
