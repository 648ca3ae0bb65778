"""A `Reply` as Discord embeds, as plain dicts (`discord.Embed.from_dict` takes them).

No discord import here: the limits are Discord's, the code is pure and unit-tested. Nothing
is cut silently — a summary that does not fit says how many points were left out, and a long
answer is split into pages at paragraph or sentence boundaries.
"""

from __future__ import annotations

import re
from typing import Any

from bot.models import Answer, Entry, Summary, supporters_text
from bot.service import Reply

TITLE_MAX = 256
DESCRIPTION_MAX = 4096
FIELD_NAME_MAX = 256
FIELD_VALUE_MAX = 1024
FIELDS_MAX = 25
FOOTER_MAX = 2048
AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
MESSAGE_MAX = 2000
PAGE_TEXT = 3900  # answer text per page, leaving room for a continuation marker

Embed = dict[str, Any]


def clip(text: str, limit: int) -> str:
    """For labels only (titles, names): cut at a word boundary with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] or text[: limit - 1]
    return cut + "…"


def escape_markdown(text: str) -> str:
    """Stored text is shown as written: no bold/italic/links/headings injected by content."""
    text = re.sub(r"([\\*_`~|>\[\]])", r"\\\1", text)
    return re.sub(r"(?m)^([ \t]*)(#{1,3}|-#)(?=\s)", r"\1\\\2", text)  # "# big", "-# small" at a line start


def escape_prose(text: str) -> str:
    """A summary quote as Discord should show it: inline `code` spans kept as code (Markdown
    does not apply inside them), everything else escaped like stored text."""
    parts = re.split(r"(`[^`\n]+`)", text)
    return "".join(p if i % 2 else escape_markdown(p) for i, p in enumerate(parts))


def embed_length(embed: Embed) -> int:
    """What Discord counts against the 6000-character total."""
    total = len(embed.get("title", "")) + len(embed.get("description", ""))
    total += len(embed.get("footer", {}).get("text", "")) + len(embed.get("author", {}).get("name", ""))
    for f in embed.get("fields", []):
        total += len(f["name"]) + len(f["value"])
    return total


def _point_line(text: str, supporters: tuple[str, ...], experts: int) -> str:
    who = supporters_text(supporters)
    share = f"{len(supporters)} of {experts} experts" if experts else f"{len(supporters)} experts"
    return f"• {escape_prose(text)}\n  — *{share}: {escape_markdown(who)}*"


def summary_description(summary: Summary, experts: int, limit: int = DESCRIPTION_MAX) -> str:
    """Points by support, as many as fit; says so when some are left out."""
    lines: list[str] = []
    used = 0
    points = list(summary.points)
    for i, p in enumerate(points):
        line = _point_line(p.text, p.supporters, experts)
        more = f"\n*+{len(points) - i} more points — see All answers*"
        if used + len(line) + 1 + len(more) > limit:
            lines.append(more.strip())
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def disagreement_fields(summary: Summary) -> list[dict[str, Any]]:
    fields = []
    for d in summary.disagreements:
        sides = [
            f"◦ {escape_prose(s.text)}\n  — *{escape_markdown(supporters_text(s.supporters))}*"
            for s in d.sides
        ]
        value = "\n".join(sides)
        if len(value) > FIELD_VALUE_MAX:  # keep every side, shorten each side's quote
            per = FIELD_VALUE_MAX // len(d.sides) - 40
            short = [(clip(s.text, per), clip(supporters_text(s.supporters), 30)) for s in d.sides]
            value = "\n".join(f"◦ {escape_prose(t)}\n  — *{escape_markdown(w)}*" for t, w in short)
            value = value[:FIELD_VALUE_MAX]  # escaping may add a few characters
        fields.append({"name": clip(f"Where experts differ: {d.topic}", FIELD_NAME_MAX), "value": value})
    return fields


def answer_embed(reply: Reply, disclaimer: str) -> Embed:
    """The main /ask reply: question, summary points with who said them, disagreements."""
    entry, summary = reply.entry, reply.summary
    assert entry is not None
    summary = summary or Summary()
    experts = summary.experts or len(entry.answers)
    fields = disagreement_fields(summary)[: FIELDS_MAX - 2]
    if entry.source and (entry.source.url or entry.source.title):
        src = entry.source
        value = f"[{escape_markdown(src.title or src.url or '')}]({src.url})" if src.url else src.title
        fields.append({"name": "Source", "value": clip(value or "", FIELD_VALUE_MAX)})
    footer = clip(disclaimer, FOOTER_MAX) if disclaimer else ""
    embed: Embed = {"title": clip(entry.question, TITLE_MAX), "fields": fields}
    if footer:
        embed["footer"] = {"text": footer}
    room = EMBED_TOTAL_MAX - embed_length(embed) - 100
    if summary.is_empty():
        description = f"{len(entry.answers)} expert answers — open **All answers** to read them."
    else:
        label = "Curated summary" if summary.curated else f"What {experts} experts say"
        description = f"**{label}**\n" + summary_description(
            summary, experts, min(DESCRIPTION_MAX - 40, room)
        )
    embed["description"] = description
    return embed


def _split(text: str, size: int) -> list[str]:
    """Pages of at most `size`, cut at paragraph, then sentence, then word boundaries."""
    pages: list[str] = []
    rest = text.strip()
    while len(rest) > size:
        window = rest[:size]
        cut = max(window.rfind("\n\n"), 0)
        if cut < size // 2:
            cut = max((m.end() for m in re.finditer(r"[.!?]\s", window)), default=0)
        if cut < size // 2:
            cut = window.rfind(" ")
        if cut <= 0:
            cut = size
        pages.append(rest[:cut].strip())
        rest = rest[cut:].strip()
    pages.append(rest)
    return pages


def _pages_of(text: str) -> list[str]:
    """Pages whose escaped text fits: Markdown-heavy answers (`**kwargs`, `__init__`) grow
    when escaped, so the page size shrinks until every page fits (paged, never cut)."""
    size = PAGE_TEXT
    chunks = _split(text, size)
    while size > 500 and any(len(escape_markdown(c)) > PAGE_TEXT for c in chunks):
        size = size * 4 // 5
        chunks = _split(text, size)
    return chunks


def byline(a: Answer) -> str:
    return clip(a.provider.byline(), AUTHOR_MAX) if a.provider else "Unattributed answer"


def answer_pages(entry: Entry) -> list[Embed]:
    """Every expert answer in full, one embed per page; long answers span several pages."""
    pages: list[Embed] = []
    total = len(entry.answers)
    for i, a in enumerate(entry.answers, 1):
        chunks = _pages_of(a.text)
        for j, chunk in enumerate(chunks, 1):
            embed: Embed = {
                "title": clip(a.title or entry.question, TITLE_MAX),
                "author": {"name": byline(a)},
                "description": escape_markdown(chunk)
                + ("\n*(continued on the next page)*" if j < len(chunks) else ""),
                "footer": {
                    "text": f"Answer {i} of {total}"
                    + (f" · part {j} of {len(chunks)}" if len(chunks) > 1 else "")
                },
            }
            if a.provider and a.provider.profile_url:
                embed["author"]["url"] = a.provider.profile_url
            pages.append(embed)
    return pages


def keyword_reply_text(reply: Reply) -> str:
    """A short, unprompted nudge in a channel: the question and how many experts answered."""
    entry = reply.entry
    assert entry is not None
    return clip(
        f"This may help: **{escape_markdown(entry.question)}** — {len(entry.answers)} expert answers.",
        MESSAGE_MAX,
    )


def no_match_text(reply: Reply) -> str:
    r = reply.result
    if r.suggestions:
        return "I don't have a confident answer for that. Did you mean one of these?"
    return "I don't have an answer for that yet. The moderators can see unanswered questions and add one."
