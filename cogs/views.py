"""Buttons, as persistent dynamic items: their custom_id carries the entry id, so they keep
working after a restart and need no in-memory state.

custom_id formats (≤ 100 characters; entry ids are ≤ 64):
  faq:all:<id>            open the full answers, page 0 (ephemeral)
  faq:pg:<n>:<id>         show page n of the full answers (the shared paginator, cogs/ui)
  faq:sum:<id>            the full summary, every point (ephemeral)
  faq:fb:<1|0>:<id>       Helpful / Not helpful (answers privately with your choice; click again to change)
  faq:sug:[<key>:]<id>    a "did you mean" suggestion: post its answer; with the query's key
                          (bot.curation.query_key), the pick is kept as a proposed phrasing
  faq:nom:<key>           "None of these": the query stays unanswered, any proposal is dropped
  faq:show:<id>           from a keyword reply: show the answer to the clicker only
  faq:post:<msg>:<id>     on a private answer: post it in the channel, replying to message <msg> (0: none)
  faq:del:<user>          🗑 on a public answer: its asker or a moderator removes it
  faq:rel:<id>            select of up to 3 related entries: show the picked one privately
"""

from __future__ import annotations

import logging
import re
from typing import Any

import discord

from bot.curation import query_key
from bot.models import Candidate, Entry, Reply
from bot.present.embeds import answer_embed, answer_pages
from bot.store import StoreError
from bot.store.common import normalise_query
from cogs.common import (
    NO_MENTIONS,
    answer_message,
    send_private,
    service_of,
)
from cogs.ui.defer import defer_write, edit_message
from cogs.ui.errors import ReportsErrors
from cogs.ui.paginator import PageContent, register, send_first_page

log = logging.getLogger("faqbot.views")
ID = r"(?P<id>[a-z0-9][a-z0-9-]{0,63})"
KEY = r"(?P<key>[0-9a-f]{10})"


def _key(query: str) -> str:
    return query_key(normalise_query(query))


GONE = "That FAQ entry has been removed or hidden by the moderators."


async def reply_for(interaction: discord.Interaction, entry_id: str) -> Reply | None:
    return await service_of(interaction.client).answer_for(interaction.guild_id, entry_id)


class _EntryButton(ReportsErrors):
    """Finds the entry for the clicker's server; a vanished entry gets a polite notice."""

    entry_id: str

    async def _reply_for(self, interaction: discord.Interaction) -> Reply | None:
        reply = await reply_for(interaction, self.entry_id)
        if reply is None:
            await send_private(interaction, GONE)
        return reply


async def _answer_page(interaction: discord.Interaction, page: int, entry_id: str) -> PageContent:
    reply = await reply_for(interaction, entry_id)
    if reply is None or reply.entry is None:
        return PageContent(None, 0, content=GONE)
    pages = answer_pages(reply.entry, reply.disclaimer)
    return PageContent(pages[min(page, len(pages) - 1)], len(pages))


register("faq", _answer_page)


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
        if await self._reply_for(interaction):
            await send_first_page(interaction, "faq", self.entry_id)


def page_view(entry_id: str, page: int, total: int) -> discord.ui.View:
    """The answer pages' buttons (kept for callers of the old name)."""
    from cogs.ui.paginator import page_view as generic

    return generic("faq", page, entry_id, PageContent(None, total))


class FullSummary(_EntryButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:sum:{ID}"):
    def __init__(self, entry_id: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Full summary", style=discord.ButtonStyle.secondary, custom_id=f"faq:sum:{entry_id}"
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> FullSummary:
        return cls(match["id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        reply = await self._reply_for(interaction)
        if reply:
            embed = discord.Embed.from_dict(answer_embed(reply, full=True))
            await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)


FEEDBACK_PROMPT = "Thanks — you marked this answer"
FEEDBACK_CHOSEN = {True: f"{FEEDBACK_PROMPT} **Helpful** 👍", False: f"{FEEDBACK_PROMPT} **Not helpful** 👎"}


class Feedback(
    _EntryButton, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:fb:(?P<v>[01]):{ID}"
):
    def __init__(self, entry_id: str, helpful: bool, chosen: bool | None = None) -> None:
        style = discord.ButtonStyle.secondary
        if chosen:
            style = discord.ButtonStyle.success if helpful else discord.ButtonStyle.danger
        super().__init__(
            discord.ui.Button(
                label="Helpful" if helpful else "Not helpful",
                emoji="👍" if helpful else "👎",
                style=style,
                disabled=bool(chosen),
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
        # The store keeps one vote per member and entry; the latest click wins. Acknowledged
        # first: the write may wait for a busy database past Discord's 3 seconds.
        message = interaction.message
        in_place = message is not None and message.flags.ephemeral and _is_feedback_prompt(message)
        await defer_write(interaction, update=in_place)
        await service.record_feedback(interaction.guild_id, self.entry_id, interaction.user.id, self.helpful)
        text = f"{FEEDBACK_CHOSEN[self.helpful]}. Changed your mind? Pick the other one; the latest counts."
        view = feedback_view(self.entry_id, self.helpful)
        if in_place:
            await edit_message(interaction, content=text, view=view)
        else:  # a shared answer: each member sees their own choice, privately
            await send_private(interaction, text, view=view)


def _is_feedback_prompt(message: discord.Message) -> bool:
    return (message.content or "").startswith(FEEDBACK_PROMPT)


def feedback_view(entry_id: str, chosen: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(Feedback(entry_id, True, chosen=chosen))
    view.add_item(Feedback(entry_id, False, chosen=not chosen))
    return view


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
                **await answer_message(
                    interaction.client, reply, interaction.guild_id, owner=interaction.user.id
                )
            )
            if self.key and interaction.guild_id:
                await self._propose(interaction)

    async def _propose(self, interaction: discord.Interaction) -> None:
        """The member's pick becomes a proposed phrasing a moderator approves in /faq stats
        (never added by itself), for a global entry as for the server's own: approving adds it
        to the server's phrasings. Worth less than the answer: a failure is only logged."""
        try:
            service = service_of(interaction.client)
            query = await service.unanswered_query(interaction.guild_id, self.key or "")
            if query is not None:
                await service.propose_entry(interaction.guild_id, query, self.entry_id)
        except StoreError as exc:
            log.warning("suggestion pick not recorded: %s", exc)


class NoneOfThese(ReportsErrors, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:nom:{KEY}"):
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
        service = service_of(interaction.client)
        await defer_write(interaction)  # the write below may wait for a busy database
        query = await service.unanswered_query(interaction.guild_id, self.key)
        if query is not None:
            await service.propose_entry(interaction.guild_id, query, None)
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
            # "Post in channel" from here replies to the member's message the keyword reply answered.
            ref = interaction.message.reference if interaction.message else None
            message = await answer_message(
                interaction.client,
                reply,
                interaction.guild_id,
                private=True,
                reply_to=(ref.message_id or 0) if ref else 0,
            )
            await interaction.response.send_message(ephemeral=True, **message)


class PostInChannel(
    _EntryButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"faq:post:(?P<msg>\d{{1,20}}):{ID}",
):
    """On a private answer: share it in the channel, as a reply to the message it answers,
    pinging nobody. The clicker can remove it again (🗑)."""

    def __init__(self, entry_id: str, reply_to: int = 0, *, posted: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label="Posted in channel" if posted else "Post in channel",
                emoji="✅" if posted else "📣",
                style=discord.ButtonStyle.success,
                disabled=posted,
                custom_id=f"faq:post:{reply_to}:{entry_id}",
            )
        )
        self.entry_id, self.reply_to = entry_id, reply_to

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> PostInChannel:
        return cls(match["id"], int(match["msg"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        reply = await self._reply_for(interaction)
        if reply is None:
            return
        gid = interaction.guild_id
        public = await answer_message(interaction.client, reply, gid, owner=interaction.user.id)
        channel = interaction.channel
        posted = False
        if isinstance(channel, discord.abc.Messageable):
            reference = (
                discord.MessageReference(
                    message_id=self.reply_to, channel_id=channel.id, fail_if_not_exists=False
                )
                if self.reply_to
                else None
            )
            try:
                await channel.send(reference=reference, mention_author=False, **public)  # type: ignore[arg-type]
                posted = True
            except discord.Forbidden:
                posted = False  # the bot may not post here; answer through the interaction instead
        if not posted:
            await interaction.response.send_message(**public)
            return
        private = await answer_message(interaction.client, reply, gid, private=True, reply_to=self.reply_to)
        private["view"] = _mark_posted(private["view"])
        await interaction.response.edit_message(**private)


def _mark_posted(view: discord.ui.View) -> discord.ui.View:
    for item in list(view.children):
        if isinstance(item, PostInChannel):
            view.remove_item(item)
            view.add_item(PostInChannel(item.entry_id, item.reply_to, posted=True))
    return view


class RemoveAnswer(
    ReportsErrors, discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"faq:del:(?P<user>\d{1,20})"
):
    """🗑 on a public answer: the member who caused it, or anyone who may manage messages."""

    def __init__(self, owner: int) -> None:
        super().__init__(
            discord.ui.Button(emoji="🗑️", style=discord.ButtonStyle.secondary, custom_id=f"faq:del:{owner}")
        )
        self.owner = owner

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> RemoveAnswer:
        return cls(int(match["user"]))

    async def callback(self, interaction: discord.Interaction) -> None:
        perms = interaction.permissions
        if interaction.user.id != self.owner and not (perms.manage_messages or perms.manage_guild):
            await send_private(
                interaction,
                f"Only <@{self.owner}>, who brought up this answer, or a moderator can remove it.",
            )
            return
        await interaction.response.defer()
        if interaction.message is not None:
            await interaction.message.delete()


class Related(ReportsErrors, discord.ui.DynamicItem[discord.ui.Select[Any]], template=rf"faq:rel:{ID}"):
    """Up to three related entries under an answer; picking one shows it privately."""

    def __init__(self, entry_id: str, entries: list[Entry] | None = None) -> None:
        options = [discord.SelectOption(label=_label(e.question), value=e.id) for e in (entries or [])] or [
            discord.SelectOption(label="—", value=entry_id)
        ]
        super().__init__(
            discord.ui.Select(
                placeholder="Related questions",
                options=options,
                min_values=1,
                max_values=1,
                custom_id=f"faq:rel:{entry_id}",
            )
        )
        self.entry_id = entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> Related:
        return cls(match["id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        await show_privately(interaction, self.item.values[0] if self.item.values else self.entry_id)


async def show_privately(interaction: discord.Interaction, entry_id: str) -> None:
    """An entry's answer to the clicker only, with "Post in channel"."""
    reply = await reply_for(interaction, entry_id)
    if reply is None:
        await send_private(interaction, GONE)
        return
    message = await answer_message(interaction.client, reply, interaction.guild_id, private=True)
    await interaction.response.send_message(ephemeral=True, **message)


def _label(question: str) -> str:
    return question if len(question) <= 100 else question[:99] + "…"


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    AllAnswers,
    FullSummary,
    Feedback,
    Suggestion,
    NoneOfThese,
    ShowAnswer,
    PostInChannel,
    RemoveAnswer,
    Related,
)


def answer_view(
    entry_id: str,
    *,
    more: bool = False,
    private: bool = False,
    reply_to: int = 0,
    owner: int | None = None,
    related: list[Entry] | None = None,
) -> discord.ui.View:
    """Under an answer: All answers, Full summary (when points were left out), 👍 / 👎; on a
    private answer "Post in channel", on a public one 🗑 for whoever caused it; related entries."""
    view = discord.ui.View(timeout=None)
    view.add_item(AllAnswers(entry_id))
    if more:
        view.add_item(FullSummary(entry_id))
    view.add_item(Feedback(entry_id, True))
    view.add_item(Feedback(entry_id, False))
    if private:
        view.add_item(PostInChannel(entry_id, reply_to))
    elif owner is not None:
        view.add_item(RemoveAnswer(owner))
    if related:
        view.add_item(Related(entry_id, related))
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
