"""One paginator for every paged message, as persistent dynamic items.

A paged view is registered once under a short `kind`; its page buttons carry the kind, the
page they lead to and one argument (an entry id, a tag) in their custom_id, so a click after a
restart renders the page again from the store — no in-memory state:

  <kind>:pg:<n>:<arg>      go to page n  (e.g. `faq:pg:3:botox-pores`, `tp:pg:1:fillers`,
                           `faqm:ls:pg:0:server:` — the moderators' /faq list)
  <kind>:noop:<n>:<arg>    the disabled "n / total" counter

A kind may require a permission (`allowed`, which sends its own refusal): a page of a
moderator's list is rendered for moderators only.

The renderer returns the page's embed (a plain dict), the page count and any extra items
(a select of the page's entries); the paginator lays out ◀ Previous · n / total · Next ▶.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import discord

from cogs.common import NO_MENTIONS
from cogs.ui.errors import ReportsErrors


@dataclass
class PageContent:
    embed: dict[str, Any] | None
    total: int
    extra: Sequence[discord.ui.Item[Any]] = field(default_factory=list)
    content: str | None = None  # said instead of the page when there is nothing to show


Renderer = Callable[[discord.Interaction, int, str], Awaitable[PageContent]]
Check = Callable[[discord.Interaction], Awaitable[bool]]
_RENDERERS: dict[str, Renderer] = {}
_CHECKS: dict[str, Check] = {}
ARG_MAX = 80
KIND = r"[a-z]{1,8}(?::[a-z]{1,8})?"


def register(kind: str, render: Renderer, *, allowed: Check | None = None) -> None:
    """`kind` is a short prefix (letters, at most one colon), unique per paged view."""
    assert re.fullmatch(KIND, kind), kind
    _RENDERERS[kind] = render
    if allowed is not None:
        _CHECKS[kind] = allowed


def attach(bot: discord.Client) -> None:
    """Route page clicks in `bot`; each cog that pages attaches (and detaches on unload)."""
    users = getattr(bot, "_faqbot_paginator_users", 0)
    if not users:
        bot.add_dynamic_items(PageButton)
    bot._faqbot_paginator_users = users + 1  # type: ignore[attr-defined]


def detach(bot: discord.Client) -> None:
    users = getattr(bot, "_faqbot_paginator_users", 0) - 1
    if users <= 0:
        bot.remove_dynamic_items(PageButton)
    bot._faqbot_paginator_users = max(users, 0)  # type: ignore[attr-defined]


class PageButton(
    ReportsErrors,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"(?P<kind>{KIND}):pg:(?P<n>\d{{1,4}}):(?P<arg>.{{0,80}})",
):
    def __init__(self, kind: str, page: int, arg: str, label: str = "", disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label or str(page + 1),
                disabled=disabled,
                style=discord.ButtonStyle.secondary,
                custom_id=f"{kind}:pg:{page}:{arg[:ARG_MAX]}",
            )
        )
        self.kind, self.page, self.arg = kind, page, arg

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> PageButton:
        return cls(match["kind"], int(match["n"]), match["arg"])

    async def callback(self, interaction: discord.Interaction) -> None:
        render = _RENDERERS.get(self.kind)
        if render is None:  # a button from a plugin version that no longer pages this
            await interaction.response.send_message("This list has expired.", ephemeral=True)
            return
        allowed = _CHECKS.get(self.kind)
        if allowed is not None and not await allowed(interaction):
            return
        content = await render(interaction, self.page, self.arg)
        n = min(self.page, max(content.total - 1, 0))
        if n != self.page:
            content = await render(interaction, n, self.arg)
        await interaction.response.edit_message(**message_kwargs(self.kind, n, self.arg, content))


def page_view(kind: str, page: int, arg: str, content: PageContent) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    for item in content.extra:
        view.add_item(item)
    total = content.total
    if total > 1:
        # Previous/next carry the page they lead to, so their custom_ids always differ.
        view.add_item(PageButton(kind, max(page - 1, 0), arg, "◀ Previous", disabled=page == 0))
        counter: discord.ui.Button[discord.ui.View] = discord.ui.Button(
            label=f"{page + 1} / {total}", disabled=True, custom_id=f"{kind}:noop:{page}:{arg[:ARG_MAX]}"
        )
        view.add_item(counter)
        view.add_item(PageButton(kind, min(page + 1, total - 1), arg, "Next ▶", disabled=page >= total - 1))
    return view


def message_kwargs(kind: str, page: int, arg: str, content: PageContent) -> dict[str, Any]:
    """kwargs for send_message / edit_message showing `content` as page `page`."""
    out: dict[str, Any] = {
        "view": page_view(kind, page, arg, content),
        "allowed_mentions": NO_MENTIONS,
        "content": content.content,
    }
    out["embed"] = discord.Embed.from_dict(content.embed) if content.embed else None
    return out


async def send_first_page(
    interaction: discord.Interaction, kind: str, arg: str, *, ephemeral: bool = True
) -> None:
    content = await _RENDERERS[kind](interaction, 0, arg)
    kwargs = message_kwargs(kind, 0, arg, content)
    if kwargs["embed"] is None:
        del kwargs["embed"]
    await interaction.response.send_message(ephemeral=ephemeral, **kwargs)
