"""One map from an error to what the member or moderator reads, for every path: slash
commands, the message command, buttons (persistent or not), selects and modals.

Errors someone can act on (`Refused`: a permission they lack; CurationError, SettingsError,
StoreError, a bad option value: what to fix, and that nothing was changed) get their own
message; anything else is logged whole and answered with a short apology — never a
traceback. The rules are tried in order, the first that knows the error wins, so a more
specific rule goes first.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands

from bot.curation import CurationError
from bot.settings import SettingsError
from bot.store import StoreError

log = logging.getLogger("faqbot.discord")

APOLOGY = "Sorry, something went wrong on my side. The moderators can find the details in the bot's log."


class Refused(app_commands.CheckFailure):
    """The clicker may not do this; the message says who may."""


def _nothing_changed(error: BaseException) -> str:
    text = str(error)  # store errors that say so already are not told twice
    return text if "nothing was changed" in text.lower() else f"Nothing was changed. {text}"


Rule = tuple[tuple[type[BaseException], ...], Callable[[BaseException], str]]
RULES: list[Rule] = [
    ((Refused,), str),
    ((CurationError, SettingsError, StoreError, app_commands.TransformerError), _nothing_changed),
]


def unwrap(error: BaseException) -> BaseException:
    """discord.py wraps a callback's exception (CommandInvokeError.original)."""
    while (inner := getattr(error, "original", None)) is not None and inner is not error:
        error = inner
    return error


def message_for(error: BaseException) -> str | None:
    """What to tell the member, or None for an unexpected error (log it, apologise)."""
    error = unwrap(error)
    for kinds, say in RULES:
        if isinstance(error, kinds):
            return say(error)
    return None


async def report_error(interaction: discord.Interaction, error: BaseException) -> None:
    """The one error path: a specific private message, or the whole error logged and an apology."""
    from cogs.common import send_private  # common re-exports this module's names

    text = message_for(error)
    if text is None:
        log.error(
            "interaction %s failed",
            getattr(interaction.command, "qualified_name", interaction.type),
            exc_info=unwrap(error),
        )
        text = APOLOGY
    try:
        await send_private(interaction, text)
    except discord.HTTPException:
        log.warning("could not send the error message either")


class ReportsErrors:
    """Mixin for persistent buttons (discord.py `DynamicItem`s). discord.py only *logs* an
    exception from a dynamic item's callback and never calls its `on_error`, so the member
    would see "This interaction failed". Every subclass's callback is wrapped to go through
    `report_error` instead."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        callback = cls.__dict__.get("callback")
        if callback is None:
            return

        @functools.wraps(callback)
        async def guarded(self: Any, interaction: discord.Interaction) -> None:
            try:
                await callback(self, interaction)
            except Exception as exc:
                await self.on_error(interaction, exc)

        cls.callback = guarded  # type: ignore[attr-defined]

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:
        await report_error(interaction, error)
