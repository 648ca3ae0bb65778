"""Near-identical unanswered queries, grouped for `/faq stats`: "how long do fillers last"
and "how long does filler last?" are one gap in the FAQ, not two."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz

from bot.matching.normalize import is_content, stem, words

SIMILAR = 88.0  # token-sort ratio of the stemmed words, 0-100


@dataclass(frozen=True)
class QueryGroup:
    query: str  # the most asked wording
    count: int  # unanswered asks over the whole group
    variants: tuple[str, ...]  # the other wordings, most asked first


def _key(query: str) -> str:
    """The query's content words, stemmed and sorted: word order, plurals and filler go."""
    return " ".join(sorted({stem(w) for w in words(query) if is_content(w)}))


def group_queries(items: Sequence[tuple[str, int]]) -> list[QueryGroup]:
    """(query, count) pairs → groups of near-identical wordings, by total count. Greedy in
    order of count: each query joins the first group whose leading wording it resembles."""
    ordered = sorted(items, key=lambda qc: (-qc[1], qc[0]))
    groups: list[tuple[str, str, list[tuple[str, int]]]] = []  # (lead key, lead, members)
    for query, count in ordered:
        key = _key(query)
        for lead_key, _lead, members in groups:
            if key == lead_key or (key and lead_key and fuzz.token_sort_ratio(key, lead_key) >= SIMILAR):
                members.append((query, count))
                break
        else:
            groups.append((key, query, [(query, count)]))
    out = [
        QueryGroup(lead, sum(c for _, c in members), tuple(q for q, _ in members[1:]))
        for _, lead, members in groups
    ]
    return sorted(out, key=lambda g: (-g.count, g.query))
