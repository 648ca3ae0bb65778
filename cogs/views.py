"""Buttons, as persistent dynamic items: their custom_id carries the entry id, so they keep
working after a restart and need no in-memory state.

custom_id formats (≤ 100 characters; entry ids are ≤ 64):
  faq:all:<id>            open the full answers, page 0 (ephemeral)
  faq:pg:<n>:<id>         show page n of the full answers (edits the ephemeral message)
  faq:fb:<1|0>:<id>       Helpful / Not helpful
  faq:sug:<id>            a "did you mean" suggestion: post its answer
  faq:show:<id>           from a keyword reply: show the answer to the clicker only
"""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.embeds import answer_pages
from bot.models import Candidate, MatchResult
from bot.service import Reply
from cogs.common import NO_MENTIONS, ReportsErrors, answer_message, send_private, service_of

ID = r"(?P<id>[a-z0-9][a-z0-9-]{0,63})"


class _EntryButton(ReportsErrors):
    """Finds the entry for the clicker's server; a vanished entry gets a polite notice."""

    entry_id: str

    async def _reply_for(self, interaction: discord.Interaction) -> Reply | None:
        service = service_of(interaction.client)
        stored = service.find(interaction.guild_id, self.entry_id)
        if stored is None:
            await send_private(interaction, "That FAQ entry has been removed or hidden by the moderators.")
            return None
        result = MatchResult(
            stored.entry.question, "answer", 1.0, Candidate(stored.entry.id, stored.entry.question, 1.0)
        )
        return Reply(result, stored.entry, service.summary_of(stored))


class AllAnswers(_EntryButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:all:{ID}"):
    def __init__(self, entry_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="All answers", style=discord.ButtonStyle.primary, custom_id=f"faq:all:{entry_id}"
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> AllAnswers:
        return cls(match["id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        reply = await self._reply_for(interaction)
        if reply and reply.entry:
            pages = answer_pages(reply.entry)
            await interaction.response.send_message(
                embed=discord.Embed.from_dict(pages[0]),
                view=page_view(self.entry_id, 0, len(pages)),
                ephemeral=True,
                allowed_mentions=NO_MENTIONS,
            )


class Page(
    _EntryButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:pg:(?P<n>\d{{1,4}}):{ID}"
):
    def __init__(self, entry_id: str, page: int, label: str = "", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or str(page + 1),
                disabled=disabled,
                style=discord.ButtonStyle.secondary,
                custom_id=f"faq:pg:{page}:{entry_id}",
            )
        )
        self.entry_id = entry_id
        self.page = page

    @classmethod
    async def from_custom_id(cls, interaction: discord.Interaction, item: Any, match: re.Match[str]) -> Page:
        return cls(match["id"], int(match["n"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        reply = await self._reply_for(interaction)
        if reply and reply.entry:
            pages = answer_pages(reply.entry)
            n = min(self.page, len(pages) - 1)
            await interaction.response.edit_message(
                embed=discord.Embed.from_dict(pages[n]),
                view=page_view(self.entry_id, n, len(pages)),
                allowed_mentions=NO_MENTIONS,
            )


def page_view(entry_id: str, page: int, total: int) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if total > 1:
        # Previous/next carry the page they lead to, so their custom_ids always differ.
        view.add_item(Page(entry_id, max(page - 1, 0), "◀ Previous", disabled=page == 0))
        counter: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=f"{page + 1} / {total}", disabled=True, custom_id=f"faq:noop:{page}:{entry_id}"
        )
        view.add_item(counter)
        view.add_item(Page(entry_id, min(page + 1, total - 1), "Next ▶", disabled=page >= total - 1))
    return view


class Feedback(
    _EntryButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:fb:(?P<v>[01]):{ID}"
):
    def __init__(self, entry_id: str, helpful: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label="Helpful" if helpful else "Not helpful",
                emoji="👍" if helpful else "👎",
                style=discord.ButtonStyle.secondary,
                custom_id=f"faq:fb:{int(helpful)}:{entry_id}",
            )
        )
        self.entry_id = entry_id
        self.helpful = helpful

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> Feedback:
        return cls(match["id"], match["v"] == "1")

    async def callback(self, interaction: discord.Interaction) -> None:
        service = service_of(interaction.client)
        if service.find(interaction.guild_id, self.entry_id) is None:
            # Not an entry of this server (a forged click naming another server's), or gone.
            await send_private(
                interaction,
                "That FAQ entry is not available in this server; your feedback was not recorded.",
            )
            return
        await service.store.record_feedback(
            interaction.guild_id, self.entry_id, interaction.user.id, self.helpful
        )
        await send_private(interaction, "Thanks — your feedback helps the moderators improve the FAQ.")


class Suggestion(_EntryButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:sug:{ID}"):
    def __init__(self, entry_id: str, label: str = "Show") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80] or "Show",
                style=discord.ButtonStyle.secondary,
                custom_id=f"faq:sug:{entry_id}",
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> Suggestion:
        return cls(match["id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        reply = await self._reply_for(interaction)
        if reply:
            await interaction.response.send_message(
                **await answer_message(interaction.client, reply, interaction.guild_id)
            )


class ShowAnswer(_EntryButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:show:{ID}"):
    def __init__(self, entry_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Show the answer", style=discord.ButtonStyle.primary, custom_id=f"faq:show:{entry_id}"
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> ShowAnswer:
        return cls(match["id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        reply = await self._reply_for(interaction)
        if reply:
            message = await answer_message(interaction.client, reply, interaction.guild_id)
            await interaction.response.send_message(ephemeral=True, **message)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    AllAnswers,
    Page,
    Feedback,
    Suggestion,
    ShowAnswer,
)


def answer_view(entry_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AllAnswers(entry_id))
    view.add_item(Feedback(entry_id, True))
    view.add_item(Feedback(entry_id, False))
    return view


def suggestions_view(candidates: list[Candidate] | tuple[Candidate, ...]) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for c in candidates[:3]:
        view.add_item(Suggestion(c.entry_id, c.question if len(c.question) <= 80 else c.question[:79] + "…"))
    return view


def keyword_view(entry_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ShowAnswer(entry_id))
    return view
