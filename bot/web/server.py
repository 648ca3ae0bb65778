"""`faqbot web`: the pages alone, without the Discord bot (e.g. on another host reading the
same PostgreSQL). Writes made elsewhere are picked up by the service's revision polling."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal

from bot.config import Config
from bot.service import FaqService
from bot.web.app import start

log = logging.getLogger("faqbot.web")

REFRESH_SECONDS = 5.0  # as the bot's own refresh loop


async def refresh_loop(service: FaqService, every: float = REFRESH_SECONDS) -> None:
    """Reload when another process (the bot, moderators) has written to the store."""
    while True:
        await asyncio.sleep(every)
        try:
            if await service.refresh():
                log.info("store changed elsewhere; reloaded")
        except Exception:  # a database blip must not stop the pages
            log.exception("refreshing from the store failed; will retry")


async def serve(service: FaqService, config: Config, stop: asyncio.Event | None = None) -> None:
    """Serve until `stop` is set (or SIGTERM/SIGINT when none is given)."""
    stop = stop or asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        with contextlib.suppress(NotImplementedError, RuntimeError):
            loop.add_signal_handler(sig, stop.set)
    runner, _address = await start(service, config)
    refresher = asyncio.create_task(refresh_loop(service))
    try:
        await stop.wait()
    finally:
        refresher.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await refresher
        await runner.cleanup()
    log.info("web pages stopped")
