"""`/topics [tag]`: the entries a member can see, paged with the shared paginator, each one
pick away from its answer (a select of the page's entries)."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.browse import all_tags, page_of, topics
from bot.grammar import plural
from bot.present.embeds import clip, escape_markdown
from cogs.common import service_of
from cogs.ui.errors import ReportsErrors
from cogs.ui.paginator import PageContent, register
from cogs.views import show_privately

KIND = "tp"  # custom_ids tp:pg:<n>:<tag>


class OpenTopic(ReportsErrors, discord.ui.DynamicItem[discord.ui.Select[Any]], template=r"faq:open"):
    """The select under a /topics page: picking an entry shows its answer privately."""

    def __init__(self, options: list[discord.SelectOption] | None = None) -> None:
        super().__init__(
            discord.ui.Select(
                placeholder="Open an answer",
                options=options or [discord.SelectOption(label="—", value="-")],
                custom_id="faq:open",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> OpenTopic:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        values = self.item.values
        await show_privately(interaction, values[0] if values else "-")


async def topics_page(interaction: discord.Interaction, page: int, tag: str) -> PageContent:
    service = service_of(interaction.client)
    items = topics(service.visible_entries(interaction.guild_id), tag or None)
    if not items:
        what = f"tagged **{escape_markdown(tag)}**" if tag else "in this server's FAQ"
        return PageContent(None, 0, content=f"No entries {what} yet.")
    shown, total = page_of(items, page)
    page = min(max(page, 0), total - 1)
    start = page * len(shown) if page < total - 1 else len(items) - len(shown)
    lines = []
    for i, e in enumerate(shown, start + 1):
        tags = " ".join(f"`{escape_markdown(t)}`" for t in e.tags[:3])
        lines.append(f"**{i}.** {escape_markdown(clip(e.question, 200))}" + (f"  {tags}" if tags else ""))
    title = "FAQ topics" + (f" · {clip(tag, 80)}" if tag else "")
    embed = {
        "title": title,
        "description": "\n".join(lines),
        "footer": {"text": f"Page {page + 1} of {total} · {plural(len(items), 'entry')} · pick one below"},
    }
    options = [discord.SelectOption(label=clip(e.question, 100), value=e.id) for e in shown]
    return PageContent(embed, total, [OpenTopic(options)])


register(KIND, topics_page)


def tag_choices(interaction: discord.Interaction, current: str) -> list[str]:
    tags = all_tags(service_of(interaction.client).visible_entries(interaction.guild_id))
    want = current.lower().strip()
    return [t for t in tags if want in t][:25]
