"""The project's own bot on the emulator: the standalone `FaqBot` on a temporary SQLite store
and a copy of data/, commands synced before the test acts. One helper for every Discord test
that needs the whole bot (moderation, forums, long answers…)."""

from __future__ import annotations

import contextlib
import shutil
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from bot.config import Config, load_config
from bot.service import FaqService
from cogs.standalone import FaqBot
from tests.conftest import ROOT

from .loopback import run_bot
from .server import DiscordEmulator

WAIT = 10.0


def faqbot_config(tmp_path: Path, db: str = "faq.db", **settings: Any) -> Config:
    """Lexical matching on a copy of data/ in `tmp_path`; `settings` add or replace config keys."""
    data = tmp_path / "data"
    if not data.exists():
        shutil.copytree(ROOT / "data", data)
    base: dict[str, Any] = {
        "data_dir": str(data),
        "database": {"url": f"sqlite:///{tmp_path / db}"},
        "matching": {"semantic": "off"},
    }
    return load_config(None, base | settings)


@contextlib.asynccontextmanager
async def running_faqbot(
    emu: DiscordEmulator, tmp_path: Path, db: str = "faq.db", **settings: Any
) -> AsyncIterator[FaqBot]:
    """The standalone bot on its own store, connected, with its commands synced."""
    config = faqbot_config(tmp_path, db, **settings)
    service = await FaqService.open(config)
    bot = FaqBot(config, service)
    try:
        async with run_bot(bot, emu):
            await emu.wait_for_request(lambda r: r.method == "PUT" and r.path.endswith("/commands"), WAIT)
            yield bot
    finally:
        await service.close()
