"""Disagreement precision: a shared word or unit is not a shared subject (issue 13, round 3)."""

from __future__ import annotations

import pytest

from bot.summary import summarize
from bot.summary.claims import conflict, question_features, sentence_clauses
from bot.summary.contradiction import sentence_claims
from bot.summary.disputes import _contested_figure
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


def _disputed(question: str, *texts: str) -> list[list[str]]:
    s = summarize(entry(question, *[(f"Expert {chr(65 + i)}", t) for i, t in enumerate(texts)]))
    return [[x.text for x in d.sides] for d in s.disagreements]


@pytest.mark.parametrize(
    ("first", "second"),
    [
        ("Run 60 psi in the front tyre.", "Run 80 psi in the rear tyre."),
        ("Set the upstairs thermostat to 18 °C.", "Set the downstairs thermostat to 21 °C."),
        ("The carry-on bag limit is 7 kg.", "The checked bag limit is 23 kg."),
    ],
)
def test_one_noun_with_different_modifiers_is_no_dispute(first: str, second: str) -> None:
    assert _disputed("What settings should I use?", first, second) == []


def test_same_noun_same_modifier_still_disputes() -> None:
    assert (
        len(
            _disputed(
                "What pressure for bike tyres?",
                "Run 60 psi in the front tyre.",
                "Run 80 psi in the front tyre.",
            )
        )
        == 1
    )


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (
            "Over the counter the limit is 3,000 mg a day.",
            "Under a doctor's care, the limit is 4,000 mg a day.",
        ),
        ("Without a harness, keep climbs under 3 m.", "On a rope, 15 m routes are routine for beginners."),
    ],
)
def test_figures_under_different_conditions_are_no_dispute(first: str, second: str) -> None:
    assert _disputed("How far can I go?", first, second) == []


def test_in_my_experience_is_no_modifier() -> None:
    # "In my experience Cat6" names Cat6, not an "experience Cat6": the figures still conflict.
    got = _disputed(
        "How long can an Ethernet run be?",
        "Cat6 carries 10 GbE to 55 m over your existing runs.",
        "In my experience Cat6 carries 10 GbE to about 30 m at most.",
    )
    assert len(got) == 1


def test_an_expert_who_picks_both_options_is_on_no_side() -> None:
    e = entry(
        "Should I pick rogue or warrior for a first run?",
        ("Ana Vidal", "Pick rogue, the stealth teaches the maps."),
        ("Ben Kroll", "Go with warrior for the armour."),
        ("Cal Moss", "Pick rogue for the maps. Then go with warrior on the second run."),
    )
    (d,) = summarize(e).disagreements
    assert sorted(s.supporters for s in d.sides) == [("Ana Vidal",), ("Ben Kroll",)]


def test_an_expert_stating_both_sides_figures_is_left_out() -> None:
    # "6.5 minutes soft, 12 minutes hard" holds a figure of each side of "6 to 7" ↔ "10 to 12".
    e = entry(
        "How long should I boil eggs for a soft yolk, and how long for hard?",
        ("Chef Ana", "For a jammy soft yolk, boil 6 to 7 minutes, then an ice bath for 2 minutes."),
        ("Bo Lund", "I do 6 minutes for soft. Hard-boiled takes 10 to 12 minutes."),
        ("Cy Ortiz", "Steam them instead: 6.5 minutes soft, 12 minutes hard. Peel under cold water."),
    )
    assert summarize(e).disagreements == ()


def test_a_side_is_never_keyed_on_the_questions_own_figure() -> None:
    q = question_features("How long should a walk be for my 3-month-old kitten on a harness?")
    (mine,) = sentence_clauses("At 3 months, 5 to 10 minutes a walk is plenty.")
    (other,) = sentence_clauses("Walks of 30 to 40 minutes are fine if it keeps up.")
    key = _contested_figure(mine, [mine, other], q)
    assert (round(key.low * 1440), round(key.high * 1440), key.unit) == (5, 10, "time")  # minutes
