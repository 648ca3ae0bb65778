"""Buttons, as persistent dynamic items: their custom_id carries the entry id, so they keep
working after a restart and need no in-memory state.

custom_id formats (≤ 100 characters; entry ids are ≤ 64):
  faq:all:<id>            open the full answers, page 0 (ephemeral)
  faq:pg:<n>:<id>         show page n of the full answers (edits the ephemeral message)
  faq:fb:<1|0>:<id>       Helpful / Not helpful
  faq:sug:[<key>:]<id>    a "did you mean" suggestion: post its answer; with the query's key
                          (bot.curation.query_key), the pick is kept as a proposed phrasing
  faq:nom:<key>           "None of these": the query stays unanswered, any proposal is dropped
  faq:show:<id>           from a keyword reply: show the answer to the clicker only
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.curation import query_key
from bot.embeds import answer_pages
from bot.models import Candidate, MatchResult
from bot.service import Reply
from bot.store import StoreError
from bot.store.common import normalise_query
from cogs.common import NO_MENTIONS, ReportsErrors, answer_message, send_private, service_of

log = logging.getLogger("faqbot.views")
ID = r"(?P<id>[a-z0-9][a-z0-9-]{0,63})"
KEY = r"(?P<key>[0-9a-f]{10})"


def _key(query: str) -> str:
    return query_key(normalise_query(query))


async def _unanswered(interaction: discord.Interaction, key: str) -> str | None:
    """The server's unanswered query with this key (the stats hold the text, the button can't)."""
    stats = await service_of(interaction.client).store.stats(interaction.guild_id, limit=1000)
    return next((q.query for q in stats.unanswered if query_key(q.query) == key), None)


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


class Suggestion(
    _EntryButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:sug:(?:{KEY}:)?{ID}"
):
    def __init__(self, entry_id: str, label: str = "Show", key: str | None = None) -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:80] or "Show",
                style=discord.ButtonStyle.secondary,
                custom_id=f"faq:sug:{key}:{entry_id}" if key else f"faq:sug:{entry_id}",
            )
        )
        self.entry_id = entry_id
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> Suggestion:
        return cls(match["id"], key=match["key"])

    async def callback(self, interaction: discord.Interaction) -> None:
        reply = await self._reply_for(interaction)
        if reply:
            await interaction.response.send_message(
                **await answer_message(interaction.client, reply, interaction.guild_id)
            )
            if self.key and interaction.guild_id:
                await self._propose(interaction)

    async def _propose(self, interaction: discord.Interaction) -> None:
        """The member's pick becomes a proposed phrasing a moderator approves in /faq stats
        (never added by itself). Worth less than the answer: a failure is only logged."""
        try:
            query = await _unanswered(interaction, self.key or "")
            if query is not None:
                store = service_of(interaction.client).store
                await store.propose_entry(interaction.guild_id, query, self.entry_id)
        except StoreError as exc:
            log.warning("suggestion pick not recorded: %s", exc)


class NoneOfThese(
    ReportsErrors, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:nom:{KEY}"
):
    def __init__(self, key: str) -> None:
        button: discord.ui.Button[Any] = discord.ui.Button(
            label="None of these", style=discord.ButtonStyle.danger, custom_id=f"faq:nom:{key}"
        )
        super().__init__(button)
        self.key = key

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> NoneOfThese:
        return cls(match["key"])

    async def callback(self, interaction: discord.Interaction) -> None:
        query = await _unanswered(interaction, self.key)
        if query is not None:
            await service_of(interaction.client).store.propose_entry(interaction.guild_id, query, None)
        await send_private(
            interaction, "Thanks — your question stays on the moderators' unanswered list so they can add it."
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
    NoneOfThese,
    ShowAnswer,
)


def answer_view(entry_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(AllAnswers(entry_id))
    view.add_item(Feedback(entry_id, True))
    view.add_item(Feedback(entry_id, False))
    return view


def suggestions_view(
    candidates: list[Candidate] | tuple[Candidate, ...], query: str | None = None
) -> discord.ui.View:
    """ "Did you mean" buttons; with the member's query, a pick teaches (a proposed phrasing)
    and "None of these" keeps it unanswered."""
    view = discord.ui.View(timeout=None)
    key = _key(query) if query and normalise_query(query) else None
    for c in candidates[:3]:
        label = c.question if len(c.question) <= 80 else c.question[:79] + "…"
        view.add_item(Suggestion(c.entry_id, label, key))
    if key:
        view.add_item(NoneOfThese(key))
    return view


def keyword_view(entry_id: str) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(ShowAnswer(entry_id))
    return view
