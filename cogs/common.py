"""What the cogs share: the one FaqService per bot, safe sending, the answer message; errors
go through `cogs.ui.errors` (re-exported here).

When loaded as a plugin into someone else's bot, the service is opened from the config file
named by FAQBOT_CONFIG (default ./config.yaml, else built-in defaults) and attached to the bot
as `bot.faq_service`; the standalone runner attaches it before loading the cogs.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path
from typing import Any

import discord
from discord.ext import commands

from bot.config import load_config
from bot.models import Reply
from bot.present.embeds import MESSAGE_MAX, answer_embed, clip
from bot.service import FaqService

log = logging.getLogger("faqbot.discord")

NO_MENTIONS = discord.AllowedMentions.none()  # stored content can never ping anyone


async def ensure_service(bot: commands.Bot) -> FaqService:
    """The bot's FaqService, opened on first use by whichever cog loads first."""
    service: FaqService | None = getattr(bot, "faq_service", None)
    if service is None:
        path = os.environ.get("FAQBOT_CONFIG") or ("config.yaml" if Path("config.yaml").exists() else None)
        config = load_config(path)
        service = await FaqService.open(config, wait_for_bars=False)  # calibrate in the background
        bot.faq_service = service  # type: ignore[attr-defined]
        bot.faq_service_owned = True  # type: ignore[attr-defined]  # the plugin closes it on unload
        log.info("faqbot plugin: opened store %s (%s matcher)", config.database.url, service.matcher_mode)
    return service


async def release_service(bot: commands.Bot, *, still_loaded: str | tuple[str, ...]) -> None:
    """On unload: close the service this plugin opened, unless another of its cogs still uses it."""
    others = (still_loaded,) if isinstance(still_loaded, str) else still_loaded
    if getattr(bot, "faq_service_owned", False) and not any(o in bot.extensions for o in others):
        await bot.faq_service.close()  # type: ignore[attr-defined]
        del bot.faq_service  # type: ignore[attr-defined]


def service_of(client: discord.Client) -> FaqService:
    return client.faq_service  # type: ignore[attr-defined]


async def answer_message(
    client: discord.Client,
    reply: Reply,
    guild_id: int | None,
    *,
    private: bool = False,
    reply_to: int = 0,
    owner: int | None = None,
) -> dict[str, Any]:
    """kwargs for send_message/followup.send: the compact answer embed and its buttons.
    `private`: shown to one member, with "Post in channel" (replying to `reply_to`);
    `owner`: the member who caused a public answer, who may remove it (🗑)."""
    from bot.present.embeds import has_more
    from cogs.views import answer_view  # views import this module

    entry = reply.entry
    assert entry is not None
    service = service_of(client)
    embed = discord.Embed.from_dict(answer_embed(reply))  # disclaimer and web page: the reply's
    try:
        others = await service.related_entries(guild_id, entry)
    except Exception:  # related entries are a courtesy; never cost the answer
        log.exception("related entries for %s failed", entry.id)
        others = []
    view = answer_view(
        entry.id,
        more=has_more(reply.summary),
        private=private,
        reply_to=reply_to,
        owner=owner,
        related=others,
    )
    return {"embed": embed, "view": view, "allowed_mentions": NO_MENTIONS}


async def send_private(interaction: discord.Interaction, content: str, **kwargs: Any) -> None:
    """An ephemeral message, whether or not the interaction was answered already."""
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    content = clip(content, MESSAGE_MAX)
    if interaction.response.is_done():
        await interaction.followup.send(content, ephemeral=True, **kwargs)
    else:
        await interaction.response.send_message(content, ephemeral=True, **kwargs)
