"""`faqbot run`: the standalone bot. Loads both cogs into a discord.py bot it owns."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

import discord
from discord.ext import commands

from bot import __version__
from bot.config import Config
from bot.logs import setup_logging
from bot.service import DataError, FaqService
from bot.store import ALL_GUILDS, GuildScope, StoreError, redact_url

log = logging.getLogger("faqbot")

EXTENSIONS = ("cogs.faq", "cogs.moderation", "cogs.forums")


def intents_for(config: Config) -> discord.Intents:
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True  # keyword replies listen to channel messages
    intents.message_content = config.discord.message_content  # privileged: enable in the portal first
    return intents


def guild_scope_for(config: Config) -> GuildScope:
    """The guilds this process serves: with `discord.shard_ids` (one process per group of
    shards), only those shards' guilds — by Discord's rule, so it is known before connecting
    and holds for servers that join later; otherwise every guild. A process that also serves
    the web pages holds every guild: they show any server's FAQ."""
    d = config.discord
    if d.shard_ids is not None and d.shard_count is not None and not config.web.enabled:
        return GuildScope.shards(d.shard_count, d.shard_ids)
    return ALL_GUILDS


class FaqBot(commands.AutoShardedBot):
    def __init__(self, config: Config, service: FaqService) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents_for(config),
            allowed_mentions=discord.AllowedMentions.none(),
            shard_count=config.discord.shard_count,
            shard_ids=config.discord.shard_ids,  # type: ignore[arg-type]  # None: all shards
            help_command=None,
        )
        self.config = config
        self.faq_service = service

    async def setup_hook(self) -> None:
        for ext in EXTENSIONS:
            await self.load_extension(ext)
        if not self.config.discord.sync_commands:
            return
        guild_id = self.config.discord.dev_guild_id
        if guild_id:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to development server %s", len(synced), guild_id)
        else:
            synced = await self.tree.sync()
            log.info("synced %d global commands (Discord may take up to an hour to show them)", len(synced))

    async def on_ready(self) -> None:
        log.info("connected as %s to %d servers", self.user, len(self.guilds))


async def _main(config: Config) -> int:
    token = config.token()
    if not token:
        log.error("no bot token: set DISCORD_TOKEN (or discord.token in the config file)")
        return 1
    try:
        service = await FaqService.open(
            config, wait_for_bars=False, guilds=guild_scope_for(config)
        )  # bars calibrated in the background; only this process's guilds
    except DataError as exc:
        log.error("data problems, nothing was synced; run faqbot check:\n%s", exc)
        return 1
    except StoreError as exc:
        log.error("%s", exc)
        return 1
    counts = await service.entry_counts()
    log.info(
        "faqbot %s: store %s, %d global entries, %d server entries in %d servers, %s matcher",
        __version__,
        redact_url(config.database.url),
        counts["global"],
        counts["guild"],
        counts["guilds"],
        service.matcher_mode,
    )
    if service.sync_report and service.sync_report.changed:
        r = service.sync_report
        log.info(
            "synced data/: %d added, %d updated, %d removed", len(r.added), len(r.updated), len(r.removed)
        )
    bot = FaqBot(config, service)
    web_runner = None
    if config.web.enabled:  # the public pages, beside the bot, over the same service
        from bot.web.app import start as start_web

        try:
            web_runner, _ = await start_web(service, config)
        except OSError as exc:
            log.error("web pages: cannot listen on %s:%d: %s", config.web.host, config.web.port, exc.strerror)
            await service.close()
            return 1
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, lambda: asyncio.ensure_future(bot.close()))
    try:
        async with bot:
            await bot.start(token)
    except discord.LoginFailure:
        log.error("Discord rejected the token: check DISCORD_TOKEN")
        return 1
    except discord.PrivilegedIntentsRequired:
        log.error(
            "discord.message_content is on but the Message Content intent is off in the developer portal"
        )
        return 1
    finally:
        if web_runner is not None:
            await web_runner.cleanup()
        await service.close()
    log.info("stopped cleanly")
    return 0


def run(config: Config) -> int:
    setup_logging(config.logging.level, config.logging.format)
    try:
        return asyncio.run(_main(config))
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    from bot.config import load_config

    sys.exit(run(load_config(sys.argv[1] if len(sys.argv) > 1 else None)))
