"""Browsing the FAQ: the entries a member can see, by tag, and an entry's related entries.
Pure functions over `Entry` lists; the cog supplies what the service sees."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.models import Candidate, Entry

TOPICS_PER_PAGE = 8
RELATED_MAX = 3
RELATED_MIN_CONFIDENCE = 0.15  # below this a "similar" entry is noise, not a related question


def _norm(tag: str) -> str:
    return " ".join(tag.lower().split())


def all_tags(entries: Iterable[Entry]) -> list[str]:
    """Every tag in use, by how many entries carry it, then alphabetically."""
    counts: dict[str, int] = {}
    for e in entries:
        for t in {_norm(t) for t in e.tags if t.strip()}:
            counts[t] = counts.get(t, 0) + 1
    return sorted(counts, key=lambda t: (-counts[t], t))


def topics(entries: Iterable[Entry], tag: str | None = None) -> list[Entry]:
    """The entries to list (optionally only those tagged `tag`), sorted by question."""
    want = _norm(tag) if tag else None
    chosen = [e for e in entries if want is None or want in {_norm(t) for t in e.tags}]
    return sorted(chosen, key=lambda e: (e.question.casefold(), e.id))


def page_of(items: Sequence[Entry], page: int, per_page: int = TOPICS_PER_PAGE) -> tuple[list[Entry], int]:
    """Entries on `page` (clamped) and the page count (at least 1)."""
    total = max(1, -(-len(items) // per_page))
    page = min(max(page, 0), total - 1)
    return list(items[page * per_page : (page + 1) * per_page]), total


def related(entry: Entry, visible: Iterable[Entry], similar: Sequence[Candidate]) -> list[Entry]:
    """Up to three other entries: those sharing the most tags first, then the matcher's most
    similar (its ranking of this entry's question), never the entry itself."""
    by_id = {e.id: e for e in visible if e.id != entry.id}
    mine = {_norm(t) for t in entry.tags}
    shared = sorted(
        (e for e in by_id.values() if mine & {_norm(t) for t in e.tags}),
        key=lambda e: (-len(mine & {_norm(t) for t in e.tags}), e.question.casefold()),
    )
    out = shared[:RELATED_MAX]
    for c in similar:
        if len(out) >= RELATED_MAX:
            break
        e = by_id.get(c.entry_id)
        if e is not None and e not in out and c.confidence >= RELATED_MIN_CONFIDENCE:
            out.append(e)
    return out
