"""Who may moderate, and how moderators are answered: the permission check (Manage Server or
the moderator role) and private replies. Errors go through the plugin's one error map
(`cogs/ui/errors.py`): a refusal is a `Refused`, like every other."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.present.embeds import clip
from cogs.common import NO_MENTIONS, service_of
from cogs.ui.errors import Refused

if TYPE_CHECKING:
    from cogs.moderation.cog import ModerationCog


ID = r"(?P<id>[a-z0-9][a-z0-9-]{0,63})"
REFUSAL = (
    "Only moderators can change the FAQ: you need the Manage Server permission or this server's "
    "moderator role."
)
PENDING_TTL = 15 * 60  # seconds a preview or draft waits for its Confirm button
PENDING_MAX = 500
MESSAGE_MAX = 2000


class NotModerator(Refused):
    def __init__(self, message: str = REFUSAL) -> None:
        super().__init__(message)


def actor_of(user: discord.abc.User) -> str:
    return f"{user.name} ({user.id})"


async def is_moderator(interaction: discord.Interaction) -> bool:
    """Manage Server (or Administrator), or the guild's moderator role. Never in DMs."""
    if interaction.guild_id is None:
        return False
    perms = interaction.permissions
    if perms.manage_guild or perms.administrator:
        return True
    service = service_of(interaction.client)
    settings = await service.guild_settings(interaction.guild_id)
    role_id = settings.moderator_role_id or service.config.discord.moderator_role_id
    user = interaction.user
    return bool(role_id) and isinstance(user, discord.Member) and any(r.id == role_id for r in user.roles)


async def require_moderator(interaction: discord.Interaction) -> bool:
    """For buttons and modals: True, or the refusal has been sent."""
    if await is_moderator(interaction):
        return True
    await send(interaction, REFUSAL)
    return False


async def send(
    interaction: discord.Interaction,
    content: str | None = None,
    *,
    embed: dict[str, Any] | None = None,
    view: discord.ui.View | None = None,
    file: discord.File | None = None,
) -> None:
    """An ephemeral reply that can ping no one, whether or not the interaction was answered."""
    kwargs: dict[str, Any] = {"ephemeral": True, "allowed_mentions": NO_MENTIONS}
    if content:
        kwargs["content"] = clip(content, MESSAGE_MAX)
    if embed is not None:
        kwargs["embed"] = discord.Embed.from_dict(embed)
    if view is not None:
        kwargs["view"] = view
    if file is not None:
        kwargs["file"] = file
    if interaction.response.is_done():
        await interaction.followup.send(**kwargs)
    else:
        await interaction.response.send_message(**kwargs)


def cog_of(interaction: discord.Interaction) -> ModerationCog:
    """The loaded moderation cog: buttons and modals hand their work back to it."""
    from cogs.moderation.cog import ModerationCog  # the cog imports this module

    cog = interaction.client.get_cog(ModerationCog.__cog_name__)  # type: ignore[attr-defined]
    assert isinstance(cog, ModerationCog)
    return cog
