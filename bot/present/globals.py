"""A global entry as one server sees it (issue 15): what `/faq edit` shows for an entry from the
bot's data/ folder — what a server may change (its own phrasings, hiding it) and how it stands."""

from __future__ import annotations

from typing import Any

from bot.models import Entry
from bot.present.embeds import clip, escape_markdown

WHAT_A_SERVER_MAY_CHANGE = (
    "This entry comes from the bot's data/ folder and is the same in every server: its question, "
    "answers and experts can't be changed from Discord. This server can:\n"
    "• **add its own phrasings** — matched in this server only (**Edit this server's phrasings**, "
    "or `/faq alias`);\n"
    "• **hide it** here (**Hide in this server**; **Show in this server** brings it back)."
)


def _phrasing_list(phrasings: tuple[str, ...], empty: str) -> str:
    if not phrasings:
        return empty
    shown = [f"• {escape_markdown(clip(p, 100))}" for p in phrasings[:10]]
    if len(phrasings) > 10:
        shown.append(f"…and {len(phrasings) - 10} more")
    return clip("\n".join(shown), 1024)


def global_entry_embed(entry: Entry, own: tuple[str, ...], hidden: bool) -> dict[str, Any]:
    """What `/faq edit` shows for a global entry: what may change here, and how it stands."""
    return {
        "title": clip(f"Global entry: {entry.question}", 256),
        "description": WHAT_A_SERVER_MAY_CHANGE,
        "fields": [
            {"name": "Id", "value": f"`{entry.id}`", "inline": True},
            {"name": "In this server", "value": "hidden" if hidden else "shown", "inline": True},
            {
                "name": f"Phrasings in every server ({len(entry.phrasings)})",
                "value": _phrasing_list(entry.phrasings, "none"),
            },
            server_phrasings_field(own),
        ],
    }


def server_phrasings_field(own: tuple[str, ...]) -> dict[str, Any]:
    """This server's own phrasings of a global entry (matched here only), as an embed field."""
    return {"name": f"This server's own phrasings ({len(own)})", "value": _phrasing_list(own, "none yet")}
