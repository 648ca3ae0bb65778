"""A global entry as one server sees it (issue 15): what `/faq edit` shows for an entry from the
bot's data/ folder, and the two things a server may change about it — its own phrasings
(matched in that server only) and whether it is hidden there.

Persistent buttons:
  faqm:gp:<id>         open the form of this server's phrasings of global entry <id>
  faqm:gh:<1|0>:<id>   hide (1) / show again (0) global entry <id> in this server
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.curation import split_lines
from bot.grammar import plural
from bot.models import Entry
from bot.present.embeds import clip
from bot.present.globals import global_entry_embed
from bot.service import FaqService
from cogs.common import NO_MENTIONS, ReportsErrors, service_of
from cogs.moderation.access import ID, PENDING_TTL, actor_of, handle_error, require_moderator, send
from cogs.moderation.modals import _input, _ModModal, _opening
from cogs.ui.defer import defer_write, edit_message

PHRASINGS_FORM_MAX = 4000  # one text input


def global_entry_view(entry_id: str, hidden: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(GlobalPhrasingsButton(entry_id))
    view.add_item(GlobalHideButton(entry_id, not hidden))
    return view


def global_entry_message(service: FaqService, guild_id: int, entry_id: str) -> dict[str, Any]:
    """embed + view of a global entry for `send` / `edit_message`."""
    entry = service.global_entry(entry_id).entry
    hidden = entry_id in service.hidden_ids(guild_id)
    own = service.guild_phrasings(guild_id, entry_id)
    return {"embed": global_entry_embed(entry, own, hidden), "view": global_entry_view(entry_id, hidden)}


class _GlobalButton(ReportsErrors):
    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await handle_error(interaction, error)


class GlobalPhrasingsButton(
    _GlobalButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faqm:gp:{ID}"
):
    def __init__(self, entry_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Edit this server's phrasings",
                style=discord.ButtonStyle.primary,
                custom_id=f"faqm:gp:{entry_id}",
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> GlobalPhrasingsButton:
        return cls(match["id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        if not await require_moderator(interaction):
            return
        service = service_of(interaction.client)
        entry = service.global_entry(self.entry_id).entry
        own = service.guild_phrasings(interaction.guild_id or 0, self.entry_id)
        await interaction.response.send_modal(GlobalPhrasingsModal(entry, own))


class GlobalHideButton(
    _GlobalButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faqm:gh:(?P<hide>[01]):{ID}"
):
    def __init__(self, entry_id: str, hide: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label="Hide in this server" if hide else "Show in this server",
                style=discord.ButtonStyle.danger if hide else discord.ButtonStyle.secondary,
                custom_id=f"faqm:gh:{int(hide)}:{entry_id}",
            )
        )
        self.entry_id, self.hide = entry_id, hide

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> GlobalHideButton:
        return cls(match["id"], match["hide"] == "1")

    async def callback(self, interaction: discord.Interaction) -> None:
        if not await require_moderator(interaction):
            return
        gid = interaction.guild_id or 0
        service = service_of(interaction.client)
        await defer_write(interaction, update=True)
        await service.set_hidden(gid, self.entry_id, self.hide, actor=actor_of(interaction.user))
        done = (
            f"Hid `{self.entry_id}` in this server; members here no longer get it."
            if self.hide
            else f"`{self.entry_id}` is shown in this server again."
        )
        message = _discord(global_entry_message(service, gid, self.entry_id))
        await edit_message(interaction, content=done, **message)


def _discord(message: dict[str, Any]) -> dict[str, Any]:
    return {
        "embed": discord.Embed.from_dict(message["embed"]),
        "view": message["view"],
        "allowed_mentions": NO_MENTIONS,
    }


class GlobalPhrasingsModal(_ModModal, title="This server's phrasings"):
    """The server's own phrasings of a global entry, one per line: lines removed go, lines
    added come, applied to the list as stored when it is saved (another moderator's addition
    meanwhile stays)."""

    def __init__(self, entry: Entry, own: tuple[str, ...]) -> None:
        super().__init__(custom_id=_opening(f"faqm:gphr:{entry.id}"), timeout=PENDING_TTL)
        self.entry_id, self.opened = entry.id, own
        self.phrasings = _input(
            "Phrasings for this server only (one per line)",
            "phrasings",
            limit=PHRASINGS_FORM_MAX,
            paragraph=True,
            required=False,
            default="\n".join(own),
            placeholder=clip(f"Words members here use for: {entry.question}", 100),
        )
        self.add_item(self.phrasings)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        gid = interaction.guild_id or 0
        service = service_of(interaction.client)
        submitted = split_lines(self.phrasings.value)
        await defer_write(interaction)
        old, new = await service.edit_guild_phrasings(
            gid, self.entry_id, self.opened, submitted, actor=actor_of(interaction.user)
        )
        if old == new:
            content = f"Nothing changed: this server's phrasings of `{self.entry_id}` are as they were."
        else:
            added = [p for p in new if p not in old]
            removed = [p for p in old if p not in new]
            parts = [f"+ {plural(len(added), 'phrasing')}"] if added else []
            parts += [f"− {plural(len(removed), 'phrasing')}"] if removed else []
            content = (
                f"Saved this server's phrasings of `{self.entry_id}` ({', '.join(parts)}; "
                f"{plural(len(new), 'phrasing')} now). They match in this server only."
            )
        await send(interaction, content, **global_entry_message(service, gid, self.entry_id))


# registered with the other moderator buttons (buttons.DYNAMIC_ITEMS)
DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (GlobalPhrasingsButton, GlobalHideButton)
