"""A `Reply` as Discord embeds, as plain dicts (`discord.Embed.from_dict` takes them).

No discord import here: the limits are Discord's, the code is pure and unit-tested. Nothing
is cut silently — a summary that does not fit says how many points were left out, and a long
answer is split into pages at paragraph or sentence boundaries.
"""

from __future__ import annotations

import re
from typing import Any

from bot.grammar import plural
from bot.models import Answer, Entry, Reply, Summary, supporter_label, supporters_text

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
# The public answer fits a phone screen: the strongest points, a few names each; the rest is
# one click away ("Full summary").
COMPACT_POINTS = 3
COMPACT_NAMES = 3
COMPACT_POINT_TEXT = 300
BYLINE_MAX = 48  # one expert's name with credentials, as shown after a point

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


_KEEP_INLINE = re.compile(r"(```.*?```|`[^`\n]+`)", re.S)  # code: Markdown does not apply inside
_BOLD = re.compile(r"\*\*(?=\S)([^*\n]+?)(?<=\S)\*\*")
_BULLET = re.compile(r"(?m)^([ \t]*)\*(?=[ \t])")


def _render_plain(part: str) -> str:
    """Text outside code: **bold** and bullets kept, everything else escaped."""
    bold: list[str] = []

    def keep(m: re.Match[str]) -> str:
        bold.append(m.group(1))
        return f"\x00{len(bold) - 1}\x00"

    part = _BOLD.sub(keep, part)
    part = _BULLET.sub(lambda m: f"{m.group(1)}\x01", part)
    part = escape_markdown(part).replace("\x01", "-")  # "* item" shows as the same bullet as "- item"
    return re.sub("\x00(\\d+)\x00", lambda m: f"**{escape_markdown(bold[int(m.group(1))])}**", part)


def render_markdown(text: str) -> str:
    """An expert's answer as Discord should show it: code (inline and fenced), **bold** and
    list items (`- `, `* `, `1. `) render; links, headings, quotes, spoilers, underline and
    stray asterisks stay literal, so content cannot restyle or disguise itself."""
    parts = _KEEP_INLINE.split(text)
    return "".join(p if i % 2 else _render_plain(p) for i, p in enumerate(parts))


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


def credited_names(entry: Entry) -> dict[str, str]:
    """Summary supporter label → the name as a byline shows it ("Sharon Scherl, MD"), capped."""
    names: dict[str, str] = {}
    for a in entry.answers:
        if a.provider and a.provider.name:
            names.setdefault(supporter_label(a.provider), clip(a.provider.full_name() or "", BYLINE_MAX))
    return names


def who_text(supporters: tuple[str, ...], names: dict[str, str] | None = None, cap: int | None = None) -> str:
    """Named experts first (with credentials), then the unnamed counted; at most `cap` names
    and "+N" for the rest, so a point never carries a wall of names."""
    named = [names.get(s, s) if names else s for s in supporters if not _anonymous(s)]
    anon = [s for s in supporters if _anonymous(s)]
    if cap is None:
        return supporters_text(tuple(named) + tuple(anon))
    shown = named[:cap]
    if len(shown) < cap and anon:
        shown.append(supporters_text(tuple(anon)))
        rest = 0
    else:
        rest = len(supporters) - len(shown)
    text = " · ".join(shown)
    return f"{text} +{rest}" if rest else text


def _anonymous(label: str) -> bool:
    return label == "unattributed" or label.startswith("unnamed ")


def _point_line(
    text: str, supporters: tuple[str, ...], experts: int, names: dict[str, str] | None = None,
    cap: int | None = None,
) -> str:  # fmt: skip
    who = who_text(supporters, names, cap)
    n = len(supporters)
    share = f"{n} of {plural(experts, 'expert')}" if experts else plural(n, "expert")
    if cap is not None:
        text = clip(text, COMPACT_POINT_TEXT)
    return f"• {escape_prose(text)}\n  — *{share}: {escape_markdown(who)}*"


def summary_description(
    summary: Summary,
    experts: int,
    limit: int = DESCRIPTION_MAX,
    *,
    names: dict[str, str] | None = None,
    max_points: int | None = None,
    cap: int | None = None,
    more_hint: str = "see All answers",
) -> str:
    """Points by support, as many as fit (at most `max_points`); says so when some are left out."""
    lines: list[str] = []
    used = 0
    points = list(summary.points)
    for i, p in enumerate(points):
        line = _point_line(p.text, p.supporters, experts, names, cap)
        more = f"\n*+{plural(len(points) - i, 'more point')} — {more_hint}*"
        if max_points is not None and i >= max_points:
            lines.append(more.strip())
            break
        if used + len(line) + 1 + len(more) > limit:
            lines.append(more.strip())
            break
        lines.append(line)
        used += len(line) + 1
    return "\n".join(lines)


def disagreement_fields(
    summary: Summary, names: dict[str, str] | None = None, cap: int | None = None
) -> list[dict[str, Any]]:
    fields = []

    def who(xs: tuple[str, ...]) -> str:
        return who_text(xs, names, cap)

    for d in summary.disagreements:
        sides = [f"◦ {escape_prose(s.text)}\n  — *{escape_markdown(s.credit(who))}*" for s in d.sides]
        value = "\n".join(sides)
        if len(value) > FIELD_VALUE_MAX:  # keep every side, shorten each side's quote
            per = FIELD_VALUE_MAX // len(d.sides) - 40
            short = [(clip(s.text, per), clip(s.credit(who), 48)) for s in d.sides]
            value = "\n".join(f"◦ {escape_prose(t)}\n  — *{escape_markdown(w)}*" for t, w in short)
            value = value[:FIELD_VALUE_MAX]  # escaping may add a few characters
        fields.append({"name": clip(f"Where experts differ: {d.topic}", FIELD_NAME_MAX), "value": value})
    return fields


def source_field(entry: Entry) -> dict[str, Any] | None:
    """`Source` links to the source's address; a source with no address is not shown."""
    src = entry.source
    if not (src and src.url):
        return None
    label = escape_markdown(clip(src.title or src.url, 200)).replace("]", "")
    return {"name": "Source", "value": clip(f"[{label}]({src.url})", FIELD_VALUE_MAX)}


def has_more(summary: Summary | None) -> bool:
    """Whether the compact answer leaves points or disagreements for "Full summary"."""
    return bool(summary) and (
        len(summary.points) > COMPACT_POINTS or len(summary.disagreements) > 1  # type: ignore[union-attr]
    )


def answer_embed(
    reply: Reply, disclaimer: str | None = None, web_url: str | None = None, *, full: bool = False
) -> Embed:
    """The answer as a phone shows it: question, the strongest points with a few names each
    (credentials kept), at most one disagreement, source link, disclaimer. `full=True` is the
    "Full summary": every point and disagreement that fits. With a web address (the entry's
    public page) the title links there and a field says so. The disclaimer and the address are
    the reply's unless given."""
    entry, summary = reply.entry, reply.summary
    disclaimer = reply.disclaimer if disclaimer is None else disclaimer
    web_url = web_url or reply.web_url
    assert entry is not None
    summary = summary or Summary()
    experts = summary.experts or len(entry.answers)
    names = credited_names(entry)
    cap = None if full else COMPACT_NAMES
    fields = disagreement_fields(summary, names, cap)[: FIELDS_MAX - 2 if full else 1]
    src = source_field(entry)
    if src:
        fields.append(src)
    if web_url:
        fields.append({"name": "On the web", "value": f"[Read all answers on the web]({web_url})"})
    footer = clip(disclaimer, FOOTER_MAX) if disclaimer else ""
    embed: Embed = {"title": clip(entry.question, TITLE_MAX), "fields": fields}
    if web_url:
        embed["url"] = web_url
    if footer:
        embed["footer"] = {"text": footer}
    room = EMBED_TOTAL_MAX - embed_length(embed) - 100
    if summary.is_empty():
        description = f"{plural(len(entry.answers), 'expert answer')} — open **All answers** to read them."
    else:
        say = "says" if experts == 1 else "say"
        label = "Curated summary" if summary.curated else f"What {plural(experts, 'expert')} {say}"
        description = f"**{label}**\n" + summary_description(
            summary,
            experts,
            min(DESCRIPTION_MAX - 40, room),
            names=names,
            max_points=None if full else COMPACT_POINTS,
            cap=cap,
            more_hint="see All answers" if full else "Full summary",
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
    while size > 500 and any(len(render_markdown(c)) > PAGE_TEXT for c in chunks):
        size = size * 4 // 5
        chunks = _split(text, size)
    return chunks


def byline(a: Answer) -> str:
    return clip(a.provider.byline(), AUTHOR_MAX) if a.provider else "Unattributed answer"


def answer_pages(entry: Entry, disclaimer: str = "") -> list[Embed]:
    """Every expert answer in full, one embed per page; long answers span several pages.
    Lists, **bold** and code render; every page carries the disclaimer."""
    pages: list[Embed] = []
    total = len(entry.answers)
    for i, a in enumerate(entry.answers, 1):
        chunks = _pages_of(a.text)
        for j, chunk in enumerate(chunks, 1):
            embed: Embed = {
                "title": clip(a.title or entry.question, TITLE_MAX),
                "author": {"name": byline(a)},
                "description": render_markdown(chunk)
                + ("\n*(continued on the next page)*" if j < len(chunks) else ""),
                "footer": {
                    "text": clip(
                        f"Answer {i} of {total}"
                        + (f" · part {j} of {len(chunks)}" if len(chunks) > 1 else "")
                        + (f"\n{disclaimer}" if disclaimer else ""),
                        FOOTER_MAX,
                    )
                },
            }
            if a.provider and a.provider.profile_url:
                embed["author"]["url"] = a.provider.profile_url
            pages.append(embed)
    return pages


def keyword_reply_text(reply: Reply, disclaimer: str | None = None) -> str:
    """A short, unprompted nudge in a channel: the question, how many experts answered, and
    the disclaimer (the reply's unless given) as Discord's small subtext line."""
    disclaimer = reply.disclaimer if disclaimer is None else disclaimer
    entry = reply.entry
    assert entry is not None
    count = plural(len(entry.answers), "expert answer")
    head = clip(f"This may help: **{escape_markdown(entry.question)}** — {count}.", MESSAGE_MAX // 2)
    small = " ".join(disclaimer.split())
    return clip(f"{head}\n-# {escape_markdown(small)}" if small else head, MESSAGE_MAX)


def no_match_text(reply: Reply) -> str:
    r = reply.result
    if r.suggestions:
        return "I don't have a confident answer for that. Did you mean one of these?"
    return "I don't have an answer for that yet. The moderators can see unanswered questions and add one."
