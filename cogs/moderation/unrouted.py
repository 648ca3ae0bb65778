"""Moderator interactions discord.py routes nowhere, answered instead of left to fail.

discord.py silently drops a modal submission whose custom_id has no open modal (forged, from
before a restart, expired, or already submitted) and a click on a `faqm:` button no persistent
item handles (e.g. a forged click on the disabled page counter). The member would see "This
interaction failed". Here a member without the right gets the same refusal as everywhere else,
a moderator a short "nothing was saved, open it again". Every `faqm:` button must therefore be
one of `buttons.DYNAMIC_ITEMS`, a page of the shared paginator (`faqm:ls:pg:…`), or a
disabled counter (`faqm:noop:…`, `faqm:ls:noop:…`).
"""

from __future__ import annotations

from typing import Any

import discord

from cogs.moderation.access import require_moderator, send
from cogs.moderation.buttons import DYNAMIC_ITEMS
from cogs.moderation.modals import is_open
from cogs.ui.paginator import PageButton

PREFIX = "faqm:"
EXPIRED = (
    "This form is no longer open (it was already sent, it expired after 15 minutes, or the bot "
    "restarted); nothing was saved. Run the /faq command again."
)


def _routed_button(custom_id: str) -> bool:
    items: tuple[type[discord.ui.DynamicItem[Any]], ...] = (*DYNAMIC_ITEMS, PageButton)  # + /faq list pages
    return any(item.__discord_ui_compiled_template__.fullmatch(custom_id) for item in items)


async def answer_unrouted(interaction: discord.Interaction) -> None:
    """`on_interaction` listener: answer a `faqm:` modal or button nothing else will answer."""
    data: dict[str, Any] = dict(interaction.data or {})
    custom_id = str(data.get("custom_id", ""))
    if not custom_id.startswith(PREFIX):
        return
    if interaction.type == discord.InteractionType.modal_submit:
        if is_open(custom_id):
            return  # discord.py routes it to the open modal, which checks the permission itself
        if await require_moderator(interaction):
            await send(interaction, EXPIRED)
    elif interaction.type == discord.InteractionType.component:
        if _routed_button(custom_id):
            return
        if await require_moderator(interaction):
            await interaction.response.defer()  # a counter or stale button: acknowledged, nothing done
