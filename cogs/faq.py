"""The member-facing plugin: /ask with autocomplete, buttons, keyword replies, and the
"Find FAQ answer" message command. Thin glue over `bot.service.FaqService`.

Load it into any discord.py 2.x bot with `await bot.load_extension("cogs.faq")`.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands, tasks

from bot.models import Reply
from bot.present.embeds import keyword_reply_text, no_match_text
from bot.ratelimit import Cooldown, RateLimiter
from bot.service import FaqService
from cogs import browse
from cogs.common import (
    NO_MENTIONS,
    answer_message,
    ensure_service,
    release_service,
    send_private,
)
from cogs.experts import offer_button
from cogs.ui import paginator
from cogs.ui.errors import report_error
from cogs.ui.paginator import send_first_page
from cogs.views import DYNAMIC_ITEMS, keyword_view, suggestions_view

log = logging.getLogger("faqbot.discord")

DEFER_AFTER = 1.5  # seconds: past this, defer so Discord's 3-second deadline is never missed
CHOICE_MAX = 100
ENTRY_PREFIX = "entry:"  # autocomplete choices carry the entry id, not the (truncatable) question


class FaqCog(commands.Cog):
    def __init__(self, bot: commands.Bot, service: FaqService) -> None:
        self.bot = bot
        self.service = service
        limit = service.config.replies.ask_rate_limit
        self.ask_limit = RateLimiter(limit.count, limit.per_seconds)
        kw = service.config.keyword_replies
        self.channel_cooldown = Cooldown(kw.channel_cooldown_seconds)
        self.user_cooldown = Cooldown(kw.user_cooldown_seconds)
        self.context_menu = app_commands.ContextMenu(name="Find FAQ answer", callback=self.find_in_message)
        self.context_menu.on_error = self._context_error

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS, browse.OpenTopic)
        paginator.attach(self.bot)
        self.bot.tree.add_command(self.context_menu)
        self.refresh_loop.start()

    async def cog_unload(self) -> None:
        self.refresh_loop.cancel()
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS, browse.OpenTopic)
        paginator.detach(self.bot)
        self.bot.tree.remove_command(self.context_menu.name, type=self.context_menu.type)

    @tasks.loop(seconds=5)
    async def refresh_loop(self) -> None:
        """Other processes on the same database (shards, a second bot) may have written."""
        try:
            if await self.service.refresh():
                log.info("store changed elsewhere; reloaded")
        except Exception:
            log.exception("refreshing from the store failed; will retry")

    async def cog_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)

    async def _context_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)

    # -- /ask ----------------------------------------------------------------------------

    @app_commands.command(name="ask", description="Ask the FAQ: a summary of what the experts say")
    @app_commands.describe(
        query="Your question, in a few words",
        private="Only you see the answer (you can still post it in the channel)",
    )
    async def ask(
        self,
        interaction: discord.Interaction,
        query: app_commands.Range[str, 1, 300],
        private: bool = False,
    ) -> None:
        # A picked autocomplete choice is a lookup, not a search: it never counts against the limit.
        if not query.startswith(ENTRY_PREFIX):
            wait = self.ask_limit.hit(interaction.user.id, time.monotonic())
            if wait:
                again = math.ceil(time.time() + wait)
                await send_private(interaction, f"You're asking quickly — you can ask again <t:{again}:R>.")
                return
        await self._answer(interaction, query, ephemeral_miss=True, private=private)

    @ask.autocomplete("query")
    async def ask_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        choices = []
        for c in self.service.autocomplete(current[:300], interaction.guild_id, limit=25):
            name = c.question if len(c.question) <= CHOICE_MAX else c.question[: CHOICE_MAX - 1] + "…"
            choices.append(app_commands.Choice(name=name, value=f"{ENTRY_PREFIX}{c.entry_id}"))
        return choices

    async def _ask(self, query: str, guild_id: int | None) -> Reply:
        if query.startswith(ENTRY_PREFIX):  # a picked autocomplete choice
            picked = await self.service.answer_for(guild_id, query.removeprefix(ENTRY_PREFIX), record=True)
            if picked is not None:
                return picked
        return await self.service.ask(query, guild_id)

    async def _answer(
        self, interaction: discord.Interaction, query: str, *, ephemeral_miss: bool, private: bool = False
    ) -> None:
        who: dict[str, Any] = {"private": True} if private else {"owner": interaction.user.id}

        async def prepare() -> tuple[Reply, dict[str, Any] | None]:
            # The whole answer (match, related entries, disclaimer) inside the deadline check.
            reply = await self._ask(query, interaction.guild_id)
            if reply.result.decision != "answer" or reply.entry is None:
                return reply, None
            return reply, await answer_message(self.bot, reply, interaction.guild_id, **who)

        task = asyncio.ensure_future(prepare())
        done, _ = await asyncio.wait({task}, timeout=DEFER_AFTER)
        if not done:  # slow path: acknowledge now, answer with a follow-up
            await interaction.response.defer(thinking=True, ephemeral=private)
        reply, message = await task
        if message is not None:
            if interaction.response.is_done():
                await interaction.followup.send(ephemeral=private, **message)
            else:
                await interaction.response.send_message(ephemeral=private, **message)
            return
        await self._miss(interaction, reply, query)

    async def _miss(
        self, interaction: discord.Interaction, reply: Reply, query: str, reply_to: int | None = None
    ) -> None:
        """No answer: "did you mean" buttons, and "Ask the experts" where the server has them
        (issue 16; `reply_to`: the message "Find FAQ answer" looked up, told under it)."""
        kwargs = (
            {"view": suggestions_view(reply.result.suggestions, reply.result.query)}
            if reply.result.suggestions
            else {}
        )
        ask_experts = await offer_button(self.bot, interaction, query, reply_to=reply_to)
        if ask_experts is not None:
            kwargs.setdefault("view", discord.ui.View(timeout=None)).add_item(ask_experts)
        await send_private(interaction, no_match_text(reply), **kwargs)

    # -- /topics ---------------------------------------------------------------------------

    @app_commands.command(name="topics", description="Browse the FAQ: every question, optionally by tag")
    @app_commands.describe(tag="Only the entries with this tag")
    async def topics(
        self, interaction: discord.Interaction, tag: app_commands.Range[str, 1, 80] | None = None
    ) -> None:
        await send_first_page(interaction, browse.KIND, (tag or "").strip().lower())

    @topics.autocomplete("tag")
    async def topics_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        tags = browse.tag_choices(interaction, current)
        return [app_commands.Choice(name=t[:100], value=t[:80]) for t in tags]

    # -- message command -----------------------------------------------------------------

    async def find_in_message(self, interaction: discord.Interaction, message: discord.Message) -> None:
        text = message.content.strip()
        if not text:
            await send_private(interaction, "That message has no text to look up.")
            return
        reply = await self._ask(text[:300], interaction.guild_id)
        if reply.result.decision == "answer" and reply.entry is not None:
            message_kwargs = await answer_message(
                self.bot, reply, interaction.guild_id, private=True, reply_to=message.id
            )
            await interaction.response.send_message(ephemeral=True, **message_kwargs)
            return
        await self._miss(interaction, reply, text[:300], reply_to=message.id)

    # -- keyword replies -----------------------------------------------------------------

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.guild is None or not message.content:
            return  # never bots (ourselves included), never DMs
        try:
            await self._keyword_reply(message)
        except Exception:
            log.exception("keyword reply failed in channel %s", message.channel.id)

    async def _keyword_reply(self, message: discord.Message) -> None:
        assert message.guild is not None
        settings = await self.service.guild_settings(message.guild.id)
        if message.channel.id not in settings.keyword_channels:
            return
        now = time.monotonic()
        channel_key, user_key = (message.guild.id, message.channel.id), (message.guild.id, message.author.id)
        channel_secs = settings.keyword_channel_cooldown
        user_secs = settings.keyword_user_cooldown
        if not (
            self.channel_cooldown.ready(channel_key, now, channel_secs)
            and self.user_cooldown.ready(user_key, now, user_secs)
        ):
            return
        reply = await self.service.ask(message.content[:300], message.guild.id, keyword=True)
        if reply.result.decision != "answer" or reply.entry is None:
            return
        self.channel_cooldown.hit(channel_key, now)
        self.user_cooldown.hit(user_key, now)
        await message.reply(
            keyword_reply_text(reply),
            view=keyword_view(reply.entry.id),
            allowed_mentions=NO_MENTIONS,
            mention_author=False,
        )


async def setup(bot: commands.Bot) -> None:
    service = await ensure_service(bot)
    await bot.add_cog(FaqCog(bot, service))


async def teardown(bot: commands.Bot) -> None:
    await release_service(bot, still_loaded=("cogs.moderation", "cogs.forums"))
