"""Answer before a write that may wait: Discord drops an interaction's first response after
3 seconds ("This interaction failed"), while a store write may wait up to 5 s for SQLite's
lock and a heavy entry takes time to summarise. So a path that writes acknowledges first —
the moderator sees "thinking…" (commands, form submits) or the clicked message stays as it is
(buttons) — then writes, then says the outcome as a follow-up or by editing the message
(`send`, `settle` and `edit_message` pick the right call once the response is done). An error
after that still takes the one error map (`cogs/ui/errors.py`), as a follow-up.
"""

from __future__ import annotations

from typing import Any

import discord

from cogs.common import NO_MENTIONS


async def defer_write(interaction: discord.Interaction, *, update: bool = False) -> None:
    """Acknowledge now, before a slow write. `update`: a component click whose message the
    outcome replaces (no "thinking" message); else a private "thinking…" the outcome replaces.
    Nothing happens if the interaction was answered already (e.g. deferred earlier)."""
    if interaction.response.is_done():
        return
    if update:
        await interaction.response.defer()
    else:
        await interaction.response.defer(ephemeral=True, thinking=True)


async def edit_message(interaction: discord.Interaction, **kwargs: Any) -> None:
    """Replace the clicked message: the response itself, or (after `defer_write(update=True)`)
    an edit of the original response, which is that message."""
    kwargs.setdefault("allowed_mentions", NO_MENTIONS)
    if interaction.response.is_done():
        await interaction.edit_original_response(**kwargs)
    else:
        await interaction.response.edit_message(**kwargs)
