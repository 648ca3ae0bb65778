"""One confirm prompt: a Confirm / Cancel pair of persistent buttons under a preview or a
question ("Remove this entry?"), and the way a prompt ends — replaced by its outcome, its
embed and buttons gone, pinging nobody — whether it was confirmed, cancelled or had expired.

A subclass (also a discord.py `DynamicItem`, whose custom_id carries what to do) says who may
click (`allowed`, which answers a refusal itself) and does the work (`act`), returning what
the prompt should now say (or None when `act` answered the interaction itself, e.g. with a
new preview). Errors take the plugin's one path (`cogs/ui/errors.py`).
"""

from __future__ import annotations

import discord

from cogs.ui.defer import edit_message
from cogs.ui.errors import ReportsErrors

CANCELLED = "Cancelled; nothing was changed."


async def settle(interaction: discord.Interaction, content: str) -> None:
    """Replace the prompt by its outcome (also after a defer: the work took a while)."""
    await edit_message(interaction, content=content, embed=None, view=None)


class ConfirmButton(ReportsErrors):
    """One button of a prompt's Confirm / Cancel pair."""

    confirm: bool
    cancelled: str = CANCELLED

    async def allowed(self, interaction: discord.Interaction) -> bool:
        """Whether the clicker may answer this prompt; if not, the refusal has been sent."""
        return True

    async def act(self, interaction: discord.Interaction) -> str | None:
        """Do what was confirmed; the prompt's new text (None: answered already)."""
        raise NotImplementedError

    async def callback(self, interaction: discord.Interaction) -> None:
        if not await self.allowed(interaction):
            return
        outcome = await self.act(interaction) if self.confirm else self.cancelled
        if outcome is not None:
            await settle(interaction, outcome)
