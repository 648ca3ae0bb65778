"""pytest fixtures; enable with ``pytest_plugins = ["tests.emulator.fixtures"]`` in conftest.

* ``emulator`` — a started :class:`DiscordEmulator` with discord.py pointed at it and the
  loopback-only network guard active for the whole test; stopped afterwards. At teardown it
  fails the test if the bot made REST calls the emulator has no route for, or sent a body that
  breaks Discord's OpenAPI spec (``emu.spec_violations``: route, JSON path, problem).
* ``emulator_no_patch`` — the same server without touching discord.py (subprocess tests).
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
import pytest_asyncio

from .loopback import discord_loopback
from .openapi import format_violations
from .server import DiscordEmulator


@pytest_asyncio.fixture
async def emulator_no_patch() -> AsyncIterator[DiscordEmulator]:
    emu = DiscordEmulator()
    await emu.start()
    try:
        yield emu
    finally:
        await emu.stop()


@pytest_asyncio.fixture
async def emulator(emulator_no_patch: DiscordEmulator) -> AsyncIterator[DiscordEmulator]:
    with discord_loopback(emulator_no_patch):
        yield emulator_no_patch
    problems = []
    unknown = emulator_no_patch.unknown_requests
    if unknown:
        problems.append(f"bot made Discord API calls the emulator does not handle: {unknown}")
    violations = emulator_no_patch.spec_violations
    if violations:
        problems.append(
            f"bot sent {len(violations)} request bod{'y' if len(violations) == 1 else 'ies'} that break"
            f" Discord's OpenAPI spec (route, JSON path, problem):\n{format_violations(violations)}"
        )
    if problems:
        pytest.fail("\n".join(problems), pytrace=False)
