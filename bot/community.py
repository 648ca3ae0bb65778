"""Growing the FAQ from the server itself (issue 16): the pure rules behind help-forum
suggestions. No Discord types here; `cogs/forums.py` is the glue.
"""

from __future__ import annotations

from typing import Any

from bot.curation import CurationError
from bot.text import clean_text

QUERY_MAX = 300  # as /ask: the matcher sees at most this much of a post


def post_query(title: str, body: str) -> str:
    """What a new post asks: its title, then its first message, cleaned and capped."""
    parts = [clean_text(t) for t in (title, body)]
    text = "\n".join(p for p in parts if p)
    return text[:QUERY_MAX].strip()


def suggest_settings_changes(
    current: dict[str, Any],
    *,
    add_channel: int | None = None,
    remove_channel: int | None = None,
    solved_tag: str | None = None,
    close_solved: bool | None = None,
) -> dict[str, Any]:
    """Changes for FaqService.update_settings from /faq settings' help-forum options."""
    changes: dict[str, Any] = {}
    channels = list(current.get("suggest_channels") or [])
    if add_channel is not None and add_channel not in channels:
        channels.append(add_channel)
        changes["suggest_channels"] = channels
    if remove_channel is not None:
        if remove_channel not in channels:
            raise CurationError("That channel does not have help-forum suggestions on.")
        channels.remove(remove_channel)
        changes["suggest_channels"] = channels
    if solved_tag is not None:
        tag = clean_text(solved_tag)
        if not tag or len(tag) > 20:
            raise CurationError("solved_tag: a forum tag name of 1–20 characters (or reset it).")
        changes["suggest_solved_tag"] = tag
    if close_solved is not None:
        changes["suggest_close_solved"] = close_solved
    return changes


def solved_tag_ids(
    available: list[tuple[int, str]], applied: list[int], wanted: str | None
) -> list[int] | None:
    """The post's tags with the server's "solved" tag added, or None when nothing changes.

    Discord allows at most 5 tags on a post; a full post keeps its own tags."""
    if not wanted:
        return None
    match = next((tid for tid, name in available if name.casefold() == wanted.casefold()), None)
    if match is None or match in applied or len(applied) >= 5:
        return None
    return [*applied, match]
