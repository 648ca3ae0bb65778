"""Disagreement precision: a shared word or unit is not a shared subject (issue 13, round 3)."""

from __future__ import annotations

import pytest

from bot.summary import summarize
from bot.summary.claims import conflict, question_features, sentence_clauses
from bot.summary.contradiction import sentence_claims
from tests.bot.summary.test_core import entry


def change_words(text: str) -> list[tuple[str, int | None]]:
    return [
        (c.word, c.direction) for c in sentence_claims(text, answer=0, sentence=0) if c.predicate == "~change"
    ]


@pytest.mark.parametrize(
    "text",
    [
        "Keep coffee to no more than 4 cups a day.",
        "If the bus is more than 15 minutes late, call the depot.",
        "A loaded van needs 3 metres more to stop.",
        "Cold batteries show 10 % less charge.",
        "Give it two weeks more before you judge the seedlings.",
        "Fewer than about 5 failures a year is normal for a fleet this size.",
    ],
)
def test_comparative_on_a_figure_is_no_change_claim(text: str) -> None:
    # "more/less/fewer" bounding or offsetting a number compares figures; it says nothing grows.
    assert change_words(text) == []


def test_comparative_without_a_figure_is_still_a_change_claim() -> None:
    assert [d for _, d in change_words("Salt makes the crust more brittle.")] == [1]
    assert [d for _, d in change_words("After pruning the fruit gets smaller.")] == [-1]


def test_two_thresholds_on_a_figure_are_no_dispute() -> None:
    # A limit and a warning sign at different figures can both hold.
    e = entry(
        "How much screen time is fine for a ten-year-old, and when should I worry?",
        ("Dr. Ines Varga", "Keep recreational screens to fewer than 14 hours a week, or sleep suffers."),
        ("Tom Reyes", "If it is more than 3 hours a day on school nights, talk to the school counsellor."),
    )
    assert summarize(e).disagreements == ()


def test_offsets_of_one_unit_are_no_dispute() -> None:
    # "2 kg heavier" when wet and "1 kg more per extra layer" measure different things.
    e = entry(
        "How heavy will my tent be on the trail?",
        ("Ana Silva", "Pack it dry if you can; a soaked tent weighs 2 kg heavier."),
        ("Ken Ito", "Roughly 1 kg more for every extra season rating of fabric."),
    )
    assert summarize(e).disagreements == ()


def test_opposite_changes_of_one_thing_still_dispute() -> None:
    e = entry(
        "What does a young starter do to bread?",
        ("Ana Silva", "A young starter makes the holes in the crumb larger."),
        ("Ken Ito", "Honestly a young starter makes the holes in the crumb smaller."),
    )
    assert len(summarize(e).disagreements) == 1


@pytest.mark.parametrize(
    ("denial", "other"),
    [
        ("The warm-up lap is not a sprint.", "Save your sprint legs for the warm-up lap's final bend."),
        (
            "Honestly, a sourdough loaf is not a project, it is a habit.",
            "Start your project notebook before the first loaf.",
        ),
        ("This budget app is not a bank.", "Link your bank account to the app for automatic imports."),
    ],
)
def test_denied_class_against_a_modifier_is_no_conflict(denial: str, other: str) -> None:
    # "X is not a sprint" does not deny "sprint legs": the word modifies another noun there.
    q = question_features("How should I approach it?")
    pairs = [(a, b) for a in sentence_clauses(denial) for b in sentence_clauses(other)]
    assert not [conflict(a, b, q) for a, b in pairs if conflict(a, b, q) == "polarity"]


def test_denied_class_against_the_same_class_still_conflicts() -> None:
    q = question_features("How should I approach the warm-up lap?")
    a = sentence_clauses("The warm-up lap is not a sprint.")[0]
    b = sentence_clauses("The warm-up lap is a sprint for the front row.")[0]
    assert conflict(a, b, q) == "polarity"


def test_denying_an_act_on_a_modifier_noun_still_conflicts() -> None:
    # "Skip the roof rack" ↔ "get the roof rack upgrade": an act on one thing, not a class.
    e = entry(
        "What should I buy first for my new car?",
        ("Lou Park", "Get the rack upgrade first, it saves so many trips."),
        ("Mia Olsen", "Skip the rack first; spend everything on winter tyres, because safety comes first."),
    )
    assert len(summarize(e).disagreements) == 1
