"""The moderator plugin's persistent buttons (custom_id carries what they need; see the
package docstring for the formats). Each re-checks the clicker's permission."""

from __future__ import annotations

import re
from typing import Any

import discord

from bot.curation import (
    without_answer,
)
from bot.models import Answer, supporter_label
from bot.present.embeds import clip
from cogs.common import (
    ReportsErrors,
    service_of,
)
from cogs.moderation.access import (
    ID,
    actor_of,
    cog_of,
    require_moderator,
)
from cogs.moderation.globals import DYNAMIC_ITEMS as GLOBAL_ITEMS
from cogs.ui.confirm import ConfirmButton
from cogs.ui.defer import defer_write


class _ModButton(ReportsErrors):
    """A moderator's button: its errors take the plugin's one path (cogs/ui/errors.py)."""


class _ModConfirm(ConfirmButton):
    """A moderator's Confirm / Cancel (the one confirm prompt, cogs/ui/confirm.py)."""

    async def allowed(self, interaction: discord.Interaction) -> bool:
        return await require_moderator(interaction)


class _Removal(_ModConfirm):
    """A Remove / Cancel pair: Cancel changes nothing."""

    cancelled = "Cancelled; nothing was removed."


class RemoveButton(
    _Removal, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faqm:rm:(?P<ok>[01]):{ID}"
):
    def __init__(self, entry_id: str, confirm: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label="Remove" if confirm else "Cancel",
                style=discord.ButtonStyle.danger if confirm else discord.ButtonStyle.secondary,
                custom_id=f"faqm:rm:{int(confirm)}:{entry_id}",
            )
        )
        self.entry_id, self.confirm = entry_id, confirm

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> RemoveButton:
        return cls(match["id"], match["ok"] == "1")

    async def act(self, interaction: discord.Interaction) -> str:
        service = service_of(interaction.client)
        assert interaction.guild_id is not None
        await defer_write(interaction, update=True)
        await service.set_removed(interaction.guild_id, self.entry_id, True, actor=actor_of(interaction.user))
        return (
            f"Removed `{self.entry_id}`; members no longer get it. "
            f"`/faq restore entry:{self.entry_id}` brings it back."
        )


def answer_label(a: Answer) -> str:
    """“Title” by Expert — or just by Expert when the answer has no title."""
    by = f"by {supporter_label(a.provider)}"
    return f"“{clip(a.title, 150)}” {by}" if a.title.strip() else by


class RemoveAnswerButton(
    _Removal,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"faqm:ra:(?P<ok>[01]):(?P<n>[0-9]{{1,2}}):(?P<rev>[0-9]{{1,15}}):{ID}",
):
    """Confirm/cancel removing one answer. The entry's revision rides along: a click after
    someone else changed the entry refuses instead of removing a different answer."""

    def __init__(self, entry_id: str, index: int, revision: int, confirm: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label="Remove answer" if confirm else "Cancel",
                style=discord.ButtonStyle.danger if confirm else discord.ButtonStyle.secondary,
                custom_id=f"faqm:ra:{int(confirm)}:{index}:{revision}:{entry_id}",
            )
        )
        self.entry_id, self.index, self.revision, self.confirm = entry_id, index, revision, confirm

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> RemoveAnswerButton:
        return cls(match["id"], int(match["n"]), int(match["rev"]), match["ok"] == "1")

    async def act(self, interaction: discord.Interaction) -> str:
        service = service_of(interaction.client)
        assert interaction.guild_id is not None
        stored = service.own_entry(interaction.guild_id, self.entry_id)
        without_answer(stored.entry, self.index)  # says what is wrong before anything is written
        gone = stored.entry.answers[self.index]
        index = self.index
        await defer_write(interaction, update=True)
        changed = await service.change_entry(
            interaction.guild_id,
            self.entry_id,
            lambda e: without_answer(e, index),
            actor=actor_of(interaction.user),
            action="remove answer",
            expected_revision=self.revision,  # the answer the moderator saw, or a refusal
        )
        return (
            f"Removed answer {self.index + 1} ({answer_label(gone)}) from `{self.entry_id}`; "
            f"it has {len(changed.answers)} now. `/faq history` keeps the removed text."
        )


class AliasButton(
    _ModButton,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=rf"faqm:ua:(?P<key>[0-9a-f]{{10}}):{ID}",
):
    def __init__(self, key: str, entry_id: str, label: str = "Add as phrasing") -> None:
        super().__init__(
            discord.ui.Button(
                label=clip(label, 80),
                style=discord.ButtonStyle.primary,
                custom_id=f"faqm:ua:{key}:{entry_id}",
            )
        )
        self.key, self.entry_id = key, entry_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> AliasButton:
        return cls(match["key"], match["id"])

    async def callback(self, interaction: discord.Interaction) -> None:
        if not await require_moderator(interaction):
            return
        await cog_of(interaction).add_unanswered_alias(interaction, self.key, self.entry_id)


class PendingButton(
    _ModConfirm,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"faqm:pd:(?P<act>ok|alias|edit|no):(?P<token>[0-9a-f]{16})",
):
    def __init__(self, action: str, token: str, label: str, style: discord.ButtonStyle) -> None:
        super().__init__(
            discord.ui.Button(label=clip(label, 80), style=style, custom_id=f"faqm:pd:{action}:{token}")
        )
        self.action, self.token = action, token
        self.confirm = True  # Cancel too goes to resolve_pending: it drops the draft

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> PendingButton:
        return cls(match["act"], match["token"], "", discord.ButtonStyle.secondary)

    async def act(self, interaction: discord.Interaction) -> str | None:
        return await cog_of(interaction).resolve_pending(interaction, self.action, self.token)


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    RemoveButton,
    RemoveAnswerButton,
    AliasButton,
    PendingButton,
    *GLOBAL_ITEMS,
)
