"""Expert bylines from the add / answer forms: read the two lines the ways people type them,
and say where the reading is a fallback rather than a recognised pattern, so the moderator
confirms (or edits) what members will see before anything is saved (issue 15; the preview
itself is `bot.present.bylines`)."""

from __future__ import annotations

from dataclasses import dataclass

from bot.importer import parse_provider_lines
from bot.models import Provider
from bot.text import clean_line

BYLINE_SEP = " — "


@dataclass(frozen=True)
class Byline:
    """The provider read from the form (None: no expert given) and what was not recognised."""

    provider: Provider | None
    doubts: tuple[str, ...] = ()

    def text(self) -> str:
        """ "Matthew Brace, MD — Facial Plastic Surgeon, Ontario", as members see it."""
        return self.provider.byline(BYLINE_SEP) if self.provider is not None else "Unattributed answer"


def read_byline(expert: str, where: str, profile_url: str | None = None) -> Byline:
    """ "Jane Roe, MD" / "Scherl, Sharon, MD" and "Boston Dermatologist" / "Dermatologist in
    Englewood, NJ" / "Dermatologist, Boston" → Provider. A line no pattern recognises is kept
    as typed in the likeliest field and named in `doubts`, never silently re-arranged."""
    expert, where = clean_line(expert), clean_line(where)
    name = credentials = specialty = location = None
    doubts: list[str] = []
    if expert:
        parsed, _ = parse_provider_lines([expert])
        if parsed is not None and parsed.name:
            name, credentials = parsed.name, parsed.credentials
        else:  # "Jane Roe" or "Jane Roe, RDN": name, then whatever follows the first comma
            head, _, tail = expert.partition(",")
            name, credentials = head.strip() or None, tail.strip() or None
            if credentials:
                doubts.append(f"read “{name}” as the name and “{credentials}” as credentials")
    if where:
        parsed, _ = parse_provider_lines([where])
        if parsed is not None and parsed.specialty:
            specialty, location = parsed.specialty, parsed.location
        elif "," in where:  # "Dermatologist, Boston" — the order Provider.where() prints
            head, _, tail = where.partition(",")
            specialty, location = head.strip() or None, tail.strip() or None
            doubts.append(f"read “{specialty}” as the specialty and “{location}” as the location")
        else:
            specialty = where
            doubts.append(f"read “{where}” as the specialty (no location)")
    provider = Provider(name, credentials, specialty, location, profile_url)
    return Byline(None if provider.is_empty() else provider, tuple(doubts))
