"""A loopback Discord API + gateway emulator for driving the real discord.py client in tests.

Quick use (with the ``emulator`` fixture from ``tests.emulator.fixtures``)::

    async with run_bot(bot, emulator):
        handle = await emulator.send_interaction(emulator.slash_command("ask", {"query": "x"}))
        cb = await handle.response()
        assert cb.type == 4 and "x" in cb.content

The full API, what is emulated and what is not: ``tests/emulator/README.md``.
"""

from .loopback import discord_loopback, loopback_only_network, run_bot
from .server import DiscordEmulator
from .state import Callback, GatewayFrame, InteractionHandle, RecordedFile, RecordedRequest

__all__ = [
    "Callback",
    "DiscordEmulator",
    "GatewayFrame",
    "InteractionHandle",
    "RecordedFile",
    "RecordedRequest",
    "discord_loopback",
    "loopback_only_network",
    "run_bot",
]
