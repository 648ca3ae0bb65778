"""The data model shared by every step: entries, expert answers, summaries, match results.

Plain dataclasses, no I/O. Everything the store, matcher, summariser, renderer and cog
exchange is one of these types.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Literal

# Discord's limits, used to validate fields so anything stored can be shown.
LIMITS = {
    "id": 64,
    "question": 256,  # embed title
    "body": 4000,
    "phrasing": 200,
    "tag": 50,
    "answer_title": 256,
    "answer_text": 4000,  # what one modal paragraph takes (a moderator types at most this)
    "answer_text_stored": 40000,  # an imported or YAML answer: paged in Discord, never cut
    "provider_field": 200,
    "url": 512,
    "summary_point": 1000,
}
MAX_PHRASINGS = 500  # real intents have 100+ phrasings
MAX_TAGS = 20
MAX_ANSWERS = 50

Decision = Literal["answer", "suggest", "none"]


@dataclass(frozen=True, slots=True)
class Provider:
    """Who wrote an answer. Every field is optional: the seed has unnamed specialists."""

    name: str | None = None
    credentials: str | None = None  # "MD", "MD, PhD"
    specialty: str | None = None  # "Facial Plastic Surgeon"
    location: str | None = None  # "Panama City"
    profile_url: str | None = None

    def is_empty(self) -> bool:
        return not (self.name or self.credentials or self.specialty or self.location)

    def full_name(self) -> str | None:
        """ "Aldo Guerra, MD" — the name with credentials, or None when unnamed."""
        if not self.name:
            return None
        return f"{self.name}, {self.credentials}" if self.credentials else self.name

    def byline(self, sep: str = " · ") -> str:
        """ "Aldo Guerra, MD · Plastic Surgeon, Scottsdale"; an unnamed expert by label only."""
        name = self.full_name() or supporter_label(self)
        where = self.where() if self.name else None
        return f"{name}{sep}{where}" if where else name

    def where(self) -> str | None:
        """ "Scottsdale Plastic Surgeon" style line: specialty and location together."""
        if self.specialty and self.location:
            return f"{self.specialty}, {self.location}"
        return self.specialty or self.location


def supporter_label(provider: Provider | None) -> str:
    """How an expert is named in summaries: never invented, never borrowed.

    A name when known; "unnamed facial plastic surgeon in Panama City" when only the
    specialty (and location) are known; otherwise "unattributed".
    """
    if provider is None:
        return "unattributed"
    if provider.name:
        return provider.name
    if provider.specialty:
        label = f"unnamed {provider.specialty.lower()}"
        return f"{label} in {provider.location}" if provider.location else label
    if provider.location:
        return f"unnamed expert in {provider.location}"
    return "unattributed"


def supporters_text(supporters: tuple[str, ...] | list[str]) -> str:
    """ "Aldo Guerra, 2 unattributed": names in order, repeated anonymous labels counted."""
    counts: dict[str, int] = {}
    for s in supporters:
        counts[s] = counts.get(s, 0) + 1
    return ", ".join(f"{n} {s}" if n > 1 else s for s, n in counts.items())


@dataclass(frozen=True, slots=True)
class Answer:
    title: str
    text: str
    provider: Provider | None = None


@dataclass(frozen=True, slots=True)
class Source:
    title: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Point:
    """One claim, in an expert's own words, with the experts who made it."""

    text: str
    supporters: tuple[str, ...]

    @property
    def count(self) -> int:
        return len(self.supporters)


@dataclass(frozen=True)
class Side:
    """One position of a disagreement: `text` is one expert's sentence, `quoted_from` says whose
    (None on a curated side that does not say), `supporters` every expert who holds the
    position, each checked against their own answer — not everyone said `text`."""

    text: str
    supporters: tuple[str, ...]
    quoted_from: str | None = None

    def also(self) -> tuple[str, ...]:
        """The holders besides the quoted expert (one "unattributed" fewer when it is them)."""
        if self.quoted_from is None or self.quoted_from not in self.supporters:
            return self.supporters
        rest = list(self.supporters)
        rest.remove(self.quoted_from)
        return tuple(rest)

    def credit(self, names: Callable[[tuple[str, ...]], str] | None = None) -> str:
        """ "Tom Becker; also Omar Haddad": who said the quote, then who else holds the side
        (`names` formats a list of labels; `supporters_text` by default)."""
        fmt = names or supporters_text
        if self.quoted_from is None:
            return fmt(self.supporters)
        also = self.also()
        return f"{fmt((self.quoted_from,))}; also {fmt(also)}" if also else fmt((self.quoted_from,))


@dataclass(frozen=True)
class Disagreement:
    topic: str
    sides: tuple[Side, ...]


@dataclass(frozen=True)
class Summary:
    """A digest of an entry's answers. `experts` is m in "n of m experts"."""

    points: tuple[Point, ...] = ()
    disagreements: tuple[Disagreement, ...] = ()
    experts: int = 0
    curated: bool = False

    def is_empty(self) -> bool:
        return not self.points and not self.disagreements


@dataclass(frozen=True, slots=True)  # slots: a process holds every entry (~300 bytes less each)
class Entry:
    """One FAQ entry: a question and the expert answers to it.

    `guild_id` None means global (from data/, read-only from Discord); otherwise the entry
    belongs to that guild alone.
    """

    id: str
    question: str
    answers: tuple[Answer, ...] = ()
    body: str = ""  # the asker's details, if any
    phrasings: tuple[str, ...] = ()  # alternate phrasings and keywords
    tags: tuple[str, ...] = ()
    summary: Summary | None = None  # curated summary; takes precedence over the automatic one
    source: Source | None = None
    guild_id: int | None = None
    created_at: str | None = None  # ISO 8601 UTC
    updated_at: str | None = None
    created_by: str | None = None
    updated_by: str | None = None

    def with_changes(self, **changes: object) -> Entry:
        return replace(self, **changes)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Candidate:
    entry_id: str
    question: str
    confidence: float


@dataclass(frozen=True)
class MatchResult:
    query: str
    decision: Decision
    confidence: float
    best: Candidate | None = None  # the entry answered with, when decision == "answer"
    suggestions: tuple[Candidate, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Reply:
    """What the bot answers: the match decision, and for an answer its entry and summary, the
    disclaimer shown with it and the entry's public web page (when there is one). Everything a
    renderer needs: none goes back to the service."""

    result: MatchResult
    entry: Entry | None = None
    summary: Summary | None = None
    disclaimer: str = ""
    web_url: str | None = None
