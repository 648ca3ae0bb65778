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
    items: tuple[IndexItem, ...]


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


def group_by_tag(entries: Iterable[Entry], guild_id: int | None) -> list[TagGroup]:
    """Entries under each of their tags (an entry with two tags is listed twice), tags in
    alphabetical order, untagged entries last."""
    groups: dict[str, list[IndexItem]] = {}
    for e in entries:
        item = IndexItem(e.question, entry_path(e.id, guild_id), len(e.answers))
        for tag in e.tags or (UNTAGGED,):
            groups.setdefault(tag, []).append(item)
    order = sorted((t for t in groups if t != UNTAGGED), key=str.casefold)
    if UNTAGGED in groups:
        order.append(UNTAGGED)
    return [
        TagGroup(
            ALL if order == [UNTAGGED] else tag,
            f"tag-{i}",
            tuple(sorted(groups[tag], key=lambda x: x.question.casefold())),
        )
        for i, tag in enumerate(order, 1)
    ]


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
                tuple(
                    SupportView(s.text, _share(len(s.supporters), experts), supporters_text(s.supporters))
                    for s in d.sides
                ),
            )
            for d in summary.disagreements
        ),
    )


def source_link(entry: Entry) -> Link | None:
    src = entry.source
    if src is None or not (src.title or src.url):
        return None
    return Link(src.title or src.url or "", safe_href(src.url))
