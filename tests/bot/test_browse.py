"""Browsing (issue 15): /topics listing by tag, pages, related entries — pure functions."""

from __future__ import annotations

from bot.browse import RELATED_MAX, all_tags, page_of, related, topics
from bot.models import Answer, Candidate, Entry


def entry(eid: str, question: str, *tags: str) -> Entry:
    return Entry(eid, question, (Answer("t", "x"),), tags=tags)


ENTRIES = [
    entry("b", "Botox and pores?", "botox"),
    entry("a", "are fillers safe?", "Fillers", "safety"),
    entry("c", "Cheek fillers?", "fillers"),
    entry("d", "Sunscreen daily?"),
]


def test_topics_sorted_and_filtered_by_tag_case_insensitively() -> None:
    assert [e.id for e in topics(ENTRIES)] == ["a", "b", "c", "d"]
    assert [e.id for e in topics(ENTRIES, "FILLERS")] == ["a", "c"]
    assert topics(ENTRIES, "nothing") == []
    assert all_tags(ENTRIES) == ["fillers", "botox", "safety"]  # by use, then name


def test_pages_are_clamped_and_counted() -> None:
    items = topics(ENTRIES)
    assert page_of(items, 0, 3) == (items[:3], 2)
    assert page_of(items, 9, 3) == (items[3:], 2)
    assert page_of([], 0) == ([], 1)


def test_related_shared_tags_first_then_similar_never_itself() -> None:
    me = ENTRIES[1]
    similar = [Candidate("a", "", 0.9), Candidate("d", "", 0.5), Candidate("b", "", 0.05)]
    assert [e.id for e in related(me, ENTRIES, similar)] == ["c", "d"]  # b is below the bar
    many = [entry(f"x{i}", f"Q{i}", "fillers") for i in range(5)]
    assert len(related(me, ENTRIES + many, similar)) == RELATED_MAX
