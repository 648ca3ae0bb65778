"""Browsing (issue 15): /topics listing by tag, pages, related entries — pure functions."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

from bot.browse import (
    RELATED_MAX,
    RELATED_MIN_CONFIDENCE,
    RelatedIndex,
    all_tags,
    page_of,
    related,
    topics,
)
from bot.models import Answer, Candidate, Entry
from bot.service import FaqService
from tests.webtools import config_from, write_config


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


def reference_related(entry: Entry, visible: list[Entry], similar: list[Candidate]) -> list[Entry]:
    """The first implementation (a full sort per answer), kept as the behaviour to match."""
    norm = lambda t: " ".join(t.lower().split())  # noqa: E731
    by_id = {e.id: e for e in visible if e.id != entry.id}
    mine = {norm(t) for t in entry.tags}
    shared = sorted(
        (e for e in by_id.values() if mine & {norm(t) for t in e.tags}),
        key=lambda e: (-len(mine & {norm(t) for t in e.tags}), e.question.casefold()),
    )
    out = shared[:RELATED_MAX]
    for c in similar:
        if len(out) >= RELATED_MAX:
            break
        e = by_id.get(c.entry_id)
        if e is not None and e not in out and c.confidence >= RELATED_MIN_CONFIDENCE:
            out.append(e)
    return out


def test_the_related_index_picks_what_a_full_sort_picks() -> None:
    """Random stores with few tags (many ties), repeated questions differing in case, ids
    shared by a global entry and a guild's own: the index answers exactly as the full sort,
    for every entry, asked twice (the second from its cache of tag sets)."""
    rng = random.Random(7)
    tags = ["Botox", "botox ", "fillers", "Lasers", "safety", " sun  care", ""]
    for _ in range(30):
        n = rng.randint(1, 60)
        visible = [
            entry(
                f"e{rng.randint(0, n)}", rng.choice(["Q", "q", f"Q{i}"]), *rng.sample(tags, rng.randint(0, 3))
            )
            for i in range(n)
        ]
        index = RelatedIndex(visible)
        for me in [*visible, entry("new", "New?", "fillers", "safety")]:
            similar = [Candidate(e.id, "", rng.random() * 0.4) for e in rng.sample(visible, min(5, n))]
            want = [e.id for e in reference_related(me, visible, similar)]
            assert [e.id for e in index.related(me, similar)] == want
            assert [e.id for e in index.related(me, similar)] == want


async def test_the_service_keeps_its_related_index_only_while_nothing_changes(
    data_dir: Path, tmp_path: Path
) -> None:
    """FaqService.related_entries reuses its tag index between answers, and a write, a hide
    or an unhide is seen at the next answer (in the guild that made it only)."""
    (data_dir / "faq" / "zz-global-fillers.yaml").write_text(
        "id: zz-global-fillers\nquestion: Zz which fillers are global?\ntags: [Fillers]\n"
        "answers:\n- title: t\n  text: Hyaluronic acid fillers.\n",
        encoding="utf-8",
    )
    service = await FaqService.open(config_from(write_config(tmp_path, data_dir)))

    async def add(e: Entry, gid: int) -> None:
        await service.save_entry(replace(e, guild_id=gid), actor="m", action="add", create=True)

    async def offered(gid: int) -> list[str]:
        return [e.id for e in await service.related_entries(gid, me)]

    try:
        gid, other = 4242, 5353
        me = replace(entry("me", "How long do fillers last?", "fillers"), guild_id=gid)
        await add(me, gid)
        await add(entry("o", "Other server's fillers?", "fillers"), other)
        assert await offered(gid) == ["zz-global-fillers"]  # never another server's entry
        index = service._related[gid][1]
        assert await offered(gid) == ["zz-global-fillers"]
        assert service._related[gid][1] is index  # nothing changed: the same index

        await add(entry("aa", "Are fillers painful?", "fillers"), gid)
        assert await offered(gid) == ["aa", "zz-global-fillers"]  # by question
        await service.set_hidden(gid, "zz-global-fillers", True, actor="m")
        assert await offered(gid) == ["aa"]
        assert await offered(other) == ["o", "zz-global-fillers"]  # hidden in gid only
        await service.set_hidden(gid, "zz-global-fillers", False, actor="m")
        assert await offered(gid) == ["aa", "zz-global-fillers"]
    finally:
        await service.close()
