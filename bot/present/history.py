"""The audit trail as moderators read it: who (a `<@id>` mention, which pings nobody in an
embed), when (a Discord timestamp, shown in each reader's time zone), and a short diff of
what changed — which phrasing was added, which answer's text or expert changed."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from bot.grammar import plural

QUOTE = 50  # characters of a changed value shown on each side of an arrow

_ACTOR = re.compile(r"^(?P<name>.*) \((?P<id>\d{1,20})\)$")


def actor_mention(actor: str) -> str:
    """ "mod (123)" → "<@123>"; an actor without an id ("cli", "sync") stays as written."""
    m = _ACTOR.match(actor)
    return f"<@{m['id']}>" if m else actor


def actor_name(actor: str) -> str:
    m = _ACTOR.match(actor)
    return m["name"] if m else actor


def timestamp(at: str, style: str = "f") -> str:
    """ISO time from the store → `<t:UNIX:f>`; unparseable text is shown as stored."""
    try:
        when = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        return at
    return f"<t:{int(when.timestamp())}:{style}>"


def _q(value: Any) -> str:
    if value in (None, "", [], {}):
        return "∅"
    text = " ".join(str(value).split())
    return "“" + (text if len(text) <= QUOTE else text[: QUOTE - 1] + "…") + "”"


def _expert(provider: dict[str, Any] | None) -> str:
    if not provider:
        return "unattributed"
    name = provider.get("name")
    if name:
        creds = provider.get("credentials")
        return f"{name}, {creds}" if creds else str(name)
    return str(provider.get("specialty") or provider.get("location") or "unattributed")


def _list_diff(key: str, old: list[Any] | None, new: list[Any] | None) -> list[str]:
    before, after = list(old or []), list(new or [])
    added = [x for x in after if x not in before]
    removed = [x for x in before if x not in after]
    lines = [f"{key}: + {_q(x)}" for x in added] + [f"{key}: − {_q(x)}" for x in removed]
    return lines or [f"{key}: reordered"]


def _text_diff(old: str, new: str) -> str:
    """The changed middle of two texts, with a little context: “…six → twelve months…”."""
    start = 0
    while start < min(len(old), len(new)) and old[start] == new[start]:
        start += 1
    end = 0
    while end < min(len(old), len(new)) - start and old[-1 - end] == new[-1 - end]:
        end += 1
    a, b = old[start : len(old) - end], new[start : len(new) - end]
    lead = "…" if start else ""
    tail = "…" if end else ""
    return f"{lead}{_q(a)[1:-1] or '∅'}{tail} → {lead}{_q(b)[1:-1] or '∅'}{tail}"


def _answers_diff(old: list[dict[str, Any]] | None, new: list[dict[str, Any]] | None) -> list[str]:
    before, after = list(old or []), list(new or [])
    lines = []
    for i in range(max(len(before), len(after))):
        a = before[i] if i < len(before) else None
        b = after[i] if i < len(after) else None
        n = i + 1
        if a is None and b is not None:
            lines.append(f"answer {n} added ({_expert(b.get('provider'))})")
        elif b is None and a is not None:
            lines.append(f"answer {n} removed ({_expert(a.get('provider'))}): {_q(a.get('text'))}")
        elif a is not None and b is not None:
            if a.get("text") != b.get("text"):
                lines.append(f"answer {n} text: {_text_diff(a.get('text') or '', b.get('text') or '')}")
            if a.get("title") != b.get("title"):
                lines.append(f"answer {n} title: {_q(a.get('title'))} → {_q(b.get('title'))}")
            if a.get("provider") != b.get("provider"):
                lines.append(
                    f"answer {n} expert: {_expert(a.get('provider'))} → {_expert(b.get('provider'))}"
                )
    return lines


def change_lines(changes: dict[str, Any]) -> list[str]:
    """One short line per change, from the store's {field: [before, after]}."""
    lines: list[str] = []
    for key, pair in sorted(changes.items()):
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            lines.append(f"{key}: {_q(pair)}")
            continue
        old, new = pair
        if key == "answers" and isinstance(old or [], list) and isinstance(new or [], list):
            lines += _answers_diff(old, new)
        elif isinstance(old or [], list) and isinstance(new or [], list) and (old or new):
            lines += _list_diff(key, old, new)
        elif isinstance(old, str) and isinstance(new, str) and len(old) > QUOTE and len(new) > QUOTE:
            lines.append(f"{key}: {_text_diff(old, new)}")
        elif isinstance(old, dict) or isinstance(new, dict):
            lines.append(f"{key}: changed")
        else:
            lines.append(f"{key}: {_q(old)} → {_q(new)}")
    return lines


def count_line(total: int, limit: int) -> str:
    if not total:
        return "No recorded changes."
    return plural(total, "change") + (f"; the newest {limit} are shown" if total > limit else "")
