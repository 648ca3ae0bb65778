"""Browsing the FAQ: the entries a member can see, by tag, and an entry's related entries.
Pure functions over `Entry` lists; the cog supplies what the service sees."""

from __future__ import annotations

import heapq
from collections import Counter
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
    return RelatedIndex(visible).related(entry, similar)


class RelatedIndex:
    """`related()` for any entry of one visible list, with the tags indexed once. At 10,000
    entries a tag is shared by hundreds: sorting them for each answer took ~23 ms of CPU on
    the event loop the bot and its web pages share. Here an answer counts the shared tags over
    the postings (~0.5 ms), once per set of tags (then ~0.01 ms); the index (~20 ms) is built
    once per change of what the guild sees."""

    def __init__(self, visible: Iterable[Entry]) -> None:
        by_id: dict[str, Entry] = {}
        for e in visible:
            by_id[e.id] = e  # a later namesake (the guild's own entry) takes the first's place
        self._by_id = by_id
        self._entries = list(by_id.values())
        # The order ties are broken in: the question, then the place in the visible list.
        self._keys = [e.question.casefold() for e in self._entries]
        self._postings: dict[str, list[int]] = {}
        for i, e in enumerate(self._entries):
            for t in {_norm(t) for t in e.tags}:
                self._postings.setdefault(t, []).append(i)
        self._shared: dict[frozenset[str], list[int]] = {}  # at most one per entry

    def related(self, entry: Entry, similar: Sequence[Candidate]) -> list[Entry]:
        out = [self._entries[i] for i in self._sharing(entry.tags) if self._entries[i].id != entry.id]
        del out[RELATED_MAX:]
        for c in similar:
            if len(out) >= RELATED_MAX:
                break
            e = self._by_id.get(c.entry_id)
            if e is None or c.entry_id == entry.id or c.confidence < RELATED_MIN_CONFIDENCE:
                continue
            if e not in out:
                out.append(e)
        return out

    def _sharing(self, tags: Iterable[str]) -> list[int]:
        """The best RELATED_MAX + 1 (one may be the entry itself) for a set of tags, kept:
        entries with the same tags get the same list."""
        mine = frozenset(_norm(t) for t in tags)
        hit = self._shared.get(mine)
        if hit is None:
            counts: Counter[int] = Counter()
            for t in mine:
                counts.update(self._postings.get(t, ()))
            best = heapq.nsmallest(
                RELATED_MAX + 1, counts.items(), key=lambda kv: (-kv[1], self._keys[kv[0]], kv[0])
            )
            hit = self._shared[mine] = [i for i, _ in best]
        return hit
