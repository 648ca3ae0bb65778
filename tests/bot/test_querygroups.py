"""/faq stats groups near-identical unanswered queries (issue 15)."""

from __future__ import annotations

from bot.present.curation import stats_embed
from bot.querygroups import group_queries
from bot.store.base import QueryStat, Stats


def test_near_identical_wordings_are_one_group_by_total() -> None:
    groups = group_queries(
        [("how long do fillers last", 3), ("how long does filler last?", 2), ("filler last how long", 1),
         ("does botox hurt", 4), ("reset my router", 1)]
    )  # fmt: skip
    assert [(g.query, g.count, g.variants) for g in groups] == [
        ("how long do fillers last", 6, ("how long does filler last?", "filler last how long")),
        ("does botox hurt", 4, ()),
        ("reset my router", 1, ()),
    ]


def test_different_questions_stay_apart() -> None:
    groups = group_queries([("does botox hurt", 2), ("does filler hurt", 2), ("botox cost", 1)])
    assert len(groups) == 3


def test_stats_embed_shows_groups() -> None:
    stats = Stats(
        unanswered=(
            QueryStat("how long do fillers last", 3, 3, None),
            QueryStat("how long does filler last", 2, 2, None),
            QueryStat("does botox hurt", 1, 1, None),
        )
    )
    fields = {f["name"]: f["value"] for f in stats_embed(stats, {})["fields"]}
    assert fields["Unanswered queries"].split("\n") == [
        "5× how long do fillers last *(+1 similar wording: “how long does filler last”)*",
        "1× does botox hurt",
    ]
