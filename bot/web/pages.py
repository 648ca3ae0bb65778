"""What the templates show, computed from entries and summaries: plain data, no HTTP.

Every string stays raw here; the templates escape it (Jinja2 autoescape). Links go through
`safe_href`, so only http/https addresses ever become `href`s.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from bot.models import Answer, Entry, Summary, supporter_label, supporters_text
from bot.web.urls import entry_path, safe_href

UNTAGGED = "Other questions"
ALL = "All questions"  # the only group, when no entry has a tag


@dataclass(frozen=True)
class Link:
    text: str
    href: str | None  # None: show `text` only (no address, or not a safe one)


@dataclass(frozen=True)
class IndexItem:
    question: str
    path: str
    answers: int


@dataclass(frozen=True)
class TagGroup:
    tag: str
    anchor: str
    items: tuple[IndexItem, ...]  # the first ones (all of them on a tag's own page)
    total: int
    key: str  # the tag as stored: its page is /tag/<key>


@dataclass(frozen=True)
class Byline:
    name: str  # "Aldo Guerra" or "unnamed facial plastic surgeon in Panama City"
    credentials: str | None
    specialty: str | None
    location: str | None
    profile: Link | None


@dataclass(frozen=True)
class AnswerView:
    anchor: str
    title: str
    paragraphs: tuple[str, ...]
    byline: Byline


@dataclass(frozen=True)
class SupportView:
    text: str
    share: str  # "3 of 10 experts"
    who: str  # "Aldo Guerra, 2 unattributed"


@dataclass(frozen=True)
class DisagreementView:
    topic: str
    sides: tuple[SupportView, ...]


@dataclass(frozen=True)
class SummaryView:
    label: str
    points: tuple[SupportView, ...]
    disagreements: tuple[DisagreementView, ...]


def group_by_tag(
    entries: Iterable[Entry], guild_id: int | None, *, per_tag: int | None = None, only: str | None = None
) -> list[TagGroup]:
    """Entries under each of their tags (an entry with two tags is listed under both), tags
    in alphabetical order, untagged entries last. `per_tag` keeps the index page small at
    10,000 entries (each tag's page lists the rest); `only` keeps one tag."""
    groups: dict[str, list[Entry]] = {}
    for e in entries:
        for tag in e.tags or (UNTAGGED,):
            if only is None or tag == only:
                groups.setdefault(tag, []).append(e)
    order = sorted((t for t in groups if t != UNTAGGED), key=str.casefold)
    if UNTAGGED in groups:
        order.append(UNTAGGED)
    out = []
    for i, tag in enumerate(order, 1):
        members = sorted(groups[tag], key=lambda e: e.question.casefold())
        shown = members[:per_tag] if per_tag is not None else members
        items = tuple(IndexItem(e.question, entry_path(e.id, guild_id), len(e.answers)) for e in shown)
        label = ALL if order == [UNTAGGED] else tag
        out.append(TagGroup(label, f"tag-{i}", items, len(members), tag))
    return out


def paragraphs(text: str) -> tuple[str, ...]:
    """Blank-line separated paragraphs; single line breaks are kept by the stylesheet."""
    return tuple(p.strip() for p in text.replace("\r\n", "\n").split("\n\n") if p.strip())


def byline(answer: Answer) -> Byline:
    p = answer.provider
    if p is None:
        return Byline("unattributed", None, None, None, None)
    profile = Link("profile", safe_href(p.profile_url)) if p.profile_url else None
    return Byline(
        p.name or supporter_label(p),
        p.credentials,
        p.specialty if p.name else None,  # an unnamed expert's label already says both
        p.location if p.name else None,
        profile,
    )


def answer_views(entry: Entry) -> list[AnswerView]:
    return [
        AnswerView(f"answer-{i}", a.title, paragraphs(a.text), byline(a))
        for i, a in enumerate(entry.answers, 1)
    ]


def _share(count: int, experts: int) -> str:
    return f"{count} of {experts} experts" if experts else f"{count} experts"


def summary_view(summary: Summary, entry: Entry) -> SummaryView:
    experts = summary.experts or len(entry.answers)
    label = "Curated summary" if summary.curated else f"What {experts} experts say"
    return SummaryView(
        label,
        tuple(
            SupportView(p.text, _share(p.count, experts), supporters_text(p.supporters))
            for p in summary.points
        ),
        tuple(
            DisagreementView(
                d.topic,
                tuple(SupportView(s.text, _share(len(s.supporters), experts), s.credit()) for s in d.sides),
            )
            for d in summary.disagreements
        ),
    )


def source_link(entry: Entry) -> Link | None:
    src = entry.source
    if src is None or not (src.title or src.url):
        return None
    return Link(src.title or src.url or "", safe_href(src.url))
