"""Opposite change claims are never one point (issue 13, rule 1: no false supporters).

When the thing that changes is one of the question's own words ("the crumb", "battery life",
"latency"), two experts who say it changes in opposite directions must not be credited with
one point: an expert supports a point only if their answer states it with the same direction.
"""

from __future__ import annotations

import pytest

from bot.models import Answer, Entry, Provider
from bot.summary import summarize


def _entry(question: str, answers: list[tuple[str, str]]) -> Entry:
    return Entry(
        id="change-direction",
        question=question,
        answers=tuple(Answer(f"a{i}", text, Provider(name=who)) for i, (who, text) in enumerate(answers)),
    )


CASES = [
    pytest.param(
        "How does hydration affect the crumb of sourdough?",
        [
            ("Ana", "Higher hydration makes the holes in the crumb larger."),
            ("Ben", "Higher hydration makes the holes in the crumb smaller."),
        ],
        id="crumb-larger-smaller",
    ),
    pytest.param(
        "Why is the crumb of my loaf so tight?",
        [
            (
                "Ana",
                "In my experience a longer bulk ferment makes the holes in the crumb larger and more open.",
            ),
            ("Ben", "Honestly, a longer bulk ferment makes the holes in the crumb smaller."),
        ],
        id="crumb-larger-smaller-wordy",
    ),
    pytest.param(
        "Does disabling Bluetooth improve the battery life of my phone?",
        [
            ("Cara", "Disabling Bluetooth on the phone makes battery life noticeably longer."),
            ("Dev", "Disabling Bluetooth on the phone makes battery life noticeably shorter."),
        ],
        id="battery-longer-shorter",
    ),
    pytest.param(
        "How does the audio buffer size affect latency?",
        [
            ("Eli", "A bigger audio buffer size increases latency in every DAW I have used."),
            ("Fay", "A bigger audio buffer size reduces latency in every DAW I have used."),
        ],
        id="latency-increase-reduce",
    ),
    pytest.param(
        "How does buffer size affect latency?",
        [
            ("Eli", "A bigger buffer increases latency noticeably."),
            ("Fay", "A bigger buffer lowers latency noticeably."),
        ],
        id="latency-increase-lower",
    ),
    pytest.param(
        "Does disabling Bluetooth improve battery life?",
        [
            ("Cara", "Disabling Bluetooth makes battery life longer."),
            ("Dev", "Disabling Bluetooth makes no difference to battery life."),
        ],
        id="battery-longer-no-difference",
    ),
    pytest.param(
        "Does a hotter oven affect how fast the bread crust browns?",
        [
            ("Gus", "A hotter oven makes the bread crust brown faster in the first minutes."),
            ("Hal", "A hotter oven makes the bread crust brown slower in the first minutes."),
        ],
        id="crust-faster-slower",
    ),
]


@pytest.mark.parametrize(("question", "answers"), CASES)
def test_opposite_directions_are_not_one_point(question: str, answers: list[tuple[str, str]]) -> None:
    s = summarize(_entry(question, answers))
    a, b = answers[0][0], answers[1][0]
    credited = {n for p in s.points for n in p.supporters}
    credited |= {n for d in s.disagreements for side in d.sides for n in side.supporters}
    assert {a, b} <= credited, "each view is still summarised, on its own"
    for p in s.points:
        assert not {a, b} <= set(p.supporters), f"{p.text!r} credited to both {a} and {b}"
    for d in s.disagreements:  # when reported as a disagreement, on opposite sides
        for side in d.sides:
            assert not {a, b} <= set(side.supporters), f"{side.text!r} held by both {a} and {b}"


@pytest.mark.parametrize(
    ("question", "answers"),
    [
        pytest.param(
            "Does disabling Bluetooth improve the battery life of my phone?",
            [
                ("Cara", "Disabling Bluetooth on the phone makes battery life noticeably longer."),
                (
                    "Dev",
                    "Disabling Bluetooth on the phone makes battery life noticeably longer, in my tests.",
                ),
            ],
            id="battery-same-direction",
        ),
        pytest.param(
            "How does the audio buffer size affect latency?",
            [
                ("Eli", "A bigger audio buffer size increases latency in every DAW I have used."),
                ("Fay", "A bigger audio buffer size increases latency in every DAW I tried."),
            ],
            id="latency-same-direction",
        ),
    ],
)
def test_same_direction_still_supports(question: str, answers: list[tuple[str, str]]) -> None:
    """The fix must not cost real support: the same direction on the question's word is one point."""
    s = summarize(_entry(question, answers))
    a, b = answers[0][0], answers[1][0]
    assert any({a, b} <= set(p.supporters) for p in s.points), [(p.text, p.supporters) for p in s.points]


@pytest.mark.parametrize(
    ("question", "answers"),
    [
        c
        for c in CASES
        if c.id in {"crumb-larger-smaller", "latency-increase-reduce", "latency-increase-lower"}
    ],
)
def test_word_for_word_opposite_change_is_a_disagreement(
    question: str, answers: list[tuple[str, str]]
) -> None:
    """The same change said word for word with opposite directions is reported as a dispute,
    each expert on their own side, even when the changing word is the question's own."""
    s = summarize(_entry(question, answers))
    a, b = answers[0][0], answers[1][0]
    assert any(
        {frozenset(side.supporters) for side in d.sides} == {frozenset({a}), frozenset({b})}
        for d in s.disagreements
    ), s.disagreements
