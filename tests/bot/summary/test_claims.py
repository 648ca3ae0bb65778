"""Issue 13: support checked per expert, real disagreements, Markdown-aware segmentation."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.models import Answer, Entry, Provider, Summary
from bot.present.embeds import answer_pages, escape_prose, summary_description
from bot.summary import summarize
from bot.summary.claims import (
    alternatives,
    conflict,
    quantities,
    ranges_conflict,
    sentence_clauses,
    supports,
)
from bot.summary.segment import segments, split_sentences
from bot.summary.sentences import content_stems
from bot.validate import Validator, validate_entry_dict
from tests.bot.summary.test_core import entry
from tests.conftest import ROOT

EVAL = ROOT / "benchmarks" / "summary_eval"


def credited(s: Summary) -> dict[str, set[str]]:
    """Point text → its supporters."""
    return {p.text: set(p.supporters) for p in s.points}


def sides_of(s: Summary) -> list[set[frozenset[str]]]:
    return [{frozenset(x.supporters) for x in d.sides} for d in s.disagreements]


# ── the lip-filler thread, verbatim ─────────────────────────────────────────────

LIP = entry(
    "How long do lip fillers last?",
    ("Ann Lee", "Most lip fillers last 6 to 12 months; a touch-up at 6 months keeps the shape."),
    ("Bo Chen", "Most lip fillers last 6 to 12 months; a touch-up at 6 months keeps the shape."),
    ("Cy Diaz", "Lip fillers last only 3 to 6 months, much shorter than the 12 months often quoted. "
                "I do not recommend touch-ups before 6 months."),
    ("Di Ek", "Most lip fillers last 6–9 months in my patients."),
)  # fmt: skip


def test_lip_filler_dissenter_is_never_credited() -> None:
    s = summarize(LIP)
    for text, who in credited(s).items():
        if len(who) > 1:  # Cy Diaz may only stand behind their own words
            assert "Cy Diaz" not in who, (text, who)
        if "6 to 12" in text:
            assert who <= {"Ann Lee", "Bo Chen"}
        if "keeps the shape" in text:
            assert who <= {"Ann Lee", "Bo Chen"}
    for d in s.disagreements:
        for side in d.sides:
            if "6 to 12" in side.text:
                assert set(side.supporters) <= {"Ann Lee", "Bo Chen"}  # "6–9" is another claim


def test_lip_filler_duration_is_a_disagreement() -> None:
    s = summarize(LIP)
    durations = [d for d in s.disagreements if any("3 to 6" in x.text for x in d.sides)]
    assert len(durations) == 1
    d = durations[0]
    by_name = {n: i for i, x in enumerate(d.sides) for n in x.supporters}
    assert by_name["Ann Lee"] == by_name["Bo Chen"] != by_name["Cy Diaz"]
    assert d.topic == "how long do lip fillers last"


# ── per-expert support rules ────────────────────────────────────────────────────────────

Q = frozenset(content_stems("How long does lip filler last?"))


def clause(text: str):
    return sentence_clauses(text)[0]


@pytest.mark.parametrize(
    ("claim", "other", "ok"),
    [
        ("Lip filler lasts 6 to 12 months.", "In my hands lip filler lasts 6 to 12 months.", True),
        ("Lip filler lasts 6 to 12 months.", "Lip filler lasts between six and twelve months.", True),
        ("Lip filler lasts 6 to 12 months.", "Lip filler lasts 6–9 months.", False),  # inside, not the same
        ("Lip filler lasts 6 to 12 months.", "Lip filler lasts only 3 to 6 months.", False),
        ("Lip filler lasts 6 to 12 months.", "Lip filler does not last 6 to 12 months.", False),
        ("Lip filler lasts 6 to 12 months.", "Lip filler might last 6 to 12 months.", False),  # hedge
        ("Lip filler lasts 6 to 12 months.", "Lip filler lasts a while.", False),  # no figure
        ("Lip filler lasts 12 months.", "Lip filler lasts much shorter than 12 months.", False),
        ("You need a touch-up at 6 months.", "You don't need a touch-up at 6 months.", False),
        ("I recommend a touch-up at 6 months.", "I do not recommend a touch-up at 6 months.", False),
    ],
)
def test_support_needs_same_polarity_hedge_and_figures(claim: str, other: str, ok: bool) -> None:
    assert supports(clause(claim), clause(other), Q) is ok


def test_range_rule() -> None:
    def q(text: str):
        return quantities(text)[0][2]

    assert ranges_conflict(q("3 to 6 months"), q("6 to 12 months"))  # touch at one end only
    assert not ranges_conflict(q("6–9 months"), q("6 to 12 months"))  # overlap: neither side
    assert ranges_conflict(q("40 vigor"), q("60 vigor"))
    assert not ranges_conflict(q("1 year"), q("12 months"))  # same span in days
    assert q("every day").unit == "period" and q("every 2 to 3 days").low == 2
    assert q("twice a week").low == pytest.approx(3.5)
    assert quantities("Released in v1.2.3 with MX-4 paste") == []
    assert quantities("tension migraines, oneself, halfway, often") == []  # number words are words


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("You don't need to water tomatoes every day.", "Container tomatoes need water every day."),
        ("Counter is not faster than a dict loop.", "Counter is faster than a manual dict loop."),
        ("Sealing pruning cuts is not necessary.", "Seal pruning cuts with wood glue."),
        ("Don't prune roses in autumn.", "I prune my roses in autumn."),
    ],
)
def test_conflicts(a: str, b: str) -> None:
    q = frozenset(content_stems("How should I care for it?"))
    assert conflict(clause(a), clause(b), q) == "polarity"


@pytest.mark.parametrize(
    ("a", "b"),
    [
        # the denied word ("replace") is not what the other says
        ("Talismans don't replace levelling Vigor.", "Level Vigor first, always."),
        # a denial about timing is not a denial of the act
        ("I do not recommend touch-ups before 6 months.", "A touch-up at 6 months keeps the shape."),
        # merely sharing a word
        ("Don't use str.count() in a loop.", "Counter is faster than a manual dict loop."),
        # a hedge is no firm side
        ("A small pot might need water daily.", "You don't need to water every day."),
        # both deny it; the ulcer is the condition, not the claim
        (
            "Don't take ibuprofen if you have a stomach ulcer.",
            "Ibuprofen should be avoided with a stomach ulcer.",
        ),
    ],
)
def test_no_conflict(a: str, b: str) -> None:
    q = frozenset(content_stems("How should I do it?"))
    assert conflict(clause(a), clause(b), q) is None


def test_x_or_y_questions() -> None:
    question = "Should I take ibuprofen or paracetamol for a sprained ankle?"
    assert alternatives(question) == ("ibuprofen", "paracetamol")
    e = entry(
        question,
        ("Ann", "For the first 48 hours, ibuprofen is a reasonable choice because it reduces swelling."),
        ("Bo", "I usually recommend paracetamol for the first 48 hours."),
        ("Cy", "Paracetamol is the safer choice for the first 48 hours."),
    )
    s = summarize(e)
    for text, who in credited(s).items():
        if "paracetamol" in text.lower():
            assert "Ann" not in who
    assert {frozenset({"Ann"}), frozenset({"Bo", "Cy"})} in sides_of(s)
    assert [d.topic for d in s.disagreements] == ["ibuprofen or paracetamol"]


def test_words_in_common_are_not_a_dispute() -> None:
    e = entry(
        "How do I count words in a Python string?",
        ("Ann", "Use `collections.Counter`; it is the idiomatic choice."),
        ("Bo", "Don't use `str.count()` in a loop: it counts substrings, not words."),
        ("Cy", "A string method is not the right tool; it does not split on punctuation."),
    )
    assert summarize(e).disagreements == ()


def test_one_disagreement_per_subject() -> None:
    e = entry(
        "How often should I water container tomatoes?",
        ("Ann", "Container tomatoes need water every day in summer. Water them every day."),
        ("Bo", "You don't need to water every day. Tomatoes don't need water every day."),
    )
    s = summarize(e)
    assert len(s.disagreements) == 1
    assert sides_of(s) == [{frozenset({"Ann"}), frozenset({"Bo"})}]


# ── Markdown-aware segmentation ─────────────────────────────────────────────────────────


def test_code_names_keep_their_case_and_split() -> None:
    assert split_sentences("str.count() counts substrings, not words.") == [
        "str.count() counts substrings, not words."
    ]
    assert split_sentences("v1.2.3 changed this. list.isEmpty() is O(1).") == [
        "v1.2.3 changed this.",
        "list.isEmpty() is O(1).",
    ]


def test_bold_label_and_inline_code() -> None:
    assert split_sentences("**Short answer:** use `collections.Counter`, it is in C.") == [
        "Use `collections.Counter`, it is in C."
    ]
    assert split_sentences("It is *really* fast, see [the docs](https://docs.python.org/3/).") == [
        "It is really fast, see the docs."
    ]


def test_code_blocks_are_not_sentences() -> None:
    text = (
        "Use a Counter.\n\n```python\nfrom collections import Counter\ncounts = Counter(words)\n```\n\n"
        "Then sort it.\n\n    indented = True\n    also_code()\n\nDone now."
    )
    assert split_sentences(text) == ["Use a Counter.", "Then sort it.", "Done now."]


def test_list_items_are_segments_fragments_never_points() -> None:
    segs = segments(
        "It fades sooner with:\n- a fast metabolism\n- intense exercise\n* Smoking makes it fade too."
    )
    assert [(s.text, s.item, s.fragment) for s in segs] == [
        ("It fades sooner with:", False, False),
        ("A fast metabolism", True, True),
        ("Intense exercise", True, True),
        ("Smoking makes it fade too.", True, False),
    ]
    e = entry(
        "Why does my filler fade?",
        ("Ann", "Filler fades sooner with:\n- a fast metabolism\n- intense exercise"),
        ("Bo", "Filler fades sooner with:\n- a fast metabolism\n- intense exercise"),
    )
    assert all(
        "metabolism" not in p.text.lower() or " " in p.text.split("metabolism")[0]
        for p in summarize(e).points
    )
    assert not any(p.text.lower().startswith(("a fast", "- ", "• ")) for p in summarize(e).points)


def test_abbreviations_urls_versions() -> None:
    assert split_sentences("Use e.g. retinol nightly. Dr. Smith agrees, i.e. twice a week. Done.") == [
        "Use e.g. retinol nightly.",
        "Dr. Smith agrees, i.e. twice a week.",
        "Done.",
    ]
    assert split_sentences("See https://example.org/a.b?c=1. Python 3.11.2 fixed it.") == [
        "See https://example.org/a.b?c=1.",
        "Python 3.11.2 fixed it.",
    ]
    assert split_sentences("No. In most states it is 30 days. See No. 5 for details.") == [
        "No.",
        "In most states it is 30 days.",
        "See No. 5 for details.",
    ]


def test_points_render_code_in_discord() -> None:
    assert escape_prose("Use `str.count()` for *one* word") == "Use `str.count()` for \\*one\\* word"
    s = Summary(
        points=(summarize(entry("Q?", ("Ann", "Call `Counter.most_common(3)` for the top words."))).points)
    )
    assert "`Counter.most_common(3)`" in summary_description(s, 1)


# ── long answers are stored and paged ───────────────────────────────────────────────────


def test_long_answers_validate_and_page() -> None:
    long = ("Water deeply at the base and mulch the pot. " * 120).strip()
    assert len(long) > 4000
    v = Validator("x.yaml")
    ok = validate_entry_dict({"id": "long", "question": "How to water?", "answers": [{"text": long}]}, v)
    assert ok and not v.problems
    pages = answer_pages(Entry("long", "How to water?", (Answer("t", long),)))
    assert len(pages) == 2
    assert all(len(p["description"]) <= 4096 for p in pages)
    joined = " ".join(p["description"].replace("\n*(continued on the next page)*", "") for p in pages)
    assert joined.split() == long.split()  # paged, never cut
    # Markdown-heavy text grows when escaped: pages still fit and nothing is lost
    code = ("def __init__(self, *args, **kwargs): return _x_[0] * __y__ ` | ~ > " * 90).strip()
    assert len(code) > 4000
    pages = answer_pages(Entry("code", "How?", (Answer("t", code),)))
    assert all(len(p["description"]) <= 4096 for p in pages)
    text = " ".join(p["description"].replace("\n*(continued on the next page)*", "") for p in pages)
    assert text.replace("\\", "").split() == code.split()


# ── the evaluation threads: no false supporter on any of them ───────────────────────────


def _threads() -> list[Path]:
    return sorted(EVAL.glob("*/*.yaml"))


@pytest.mark.parametrize("path", _threads(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_eval_threads_have_no_false_supporter(path: Path) -> None:
    d = yaml.safe_load(path.read_text(encoding="utf-8"))
    e = Entry(
        id=d["id"],
        question=d["question"],
        answers=tuple(
            Answer(f"a{i}", a["text"], None if a["expert"] == "unattributed" else Provider(name=a["expert"]))
            for i, a in enumerate(d["answers"])
        ),
    )
    s = summarize(e)
    stated = [set(c["stated_by"]) for c in d["claims"]]
    for p in s.points:
        if len(p.supporters) > 1:
            # everyone credited states one and the same labelled claim
            assert any(set(p.supporters) <= who for who in stated), (p.text, p.supporters)


def test_mixed_threads_do_not_dispute_or_credit_across_subjects() -> None:
    """All evaluation answers as one entry: every dispute and credit stays inside one thread."""
    answers = []
    for path in _threads():
        d = yaml.safe_load(path.read_text(encoding="utf-8"))
        answers += [
            Answer(path.stem, a["text"], Provider(name=f"{path.stem}:{a['expert']}")) for a in d["answers"]
        ]
    s = summarize(Entry("mix", "What do you recommend?", tuple(answers)))
    for d in s.disagreements:
        threads = {n.split(":")[0] for side in d.sides for n in side.supporters}
        assert len(threads) == 1, d
    for p in s.points:
        assert len({n.split(":")[0] for n in p.supporters}) == 1, p
    e = entry(
        "What do you recommend?",
        ("Ann", "The soft cap is where returns drop off hard."),
        ("Bo", "SSDs fail suddenly more often than hard drives."),
    )
    assert summarize(e).disagreements == ()  # "hard" names no shared subject


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mix mortar at 1:3 for bricks.", [(3.0, 3.0, "ratio")]),
        ("Brew 1:15 to 1:17 for pour-over.", [(15.0, 17.0, "ratio")]),
        ("Meet at 6:30 pm.", [(6.0, 6.0, "meet"), (30.0, 30.0, "meet")]),  # a clock time is no ratio
        ("Limit antacids to 10 days a month.", [(3.044, 3.044, "period")]),  # how often
        ("Take 1,200 mg a day at most.", [(1.2, 1.2, "mass/day")]),  # a daily amount, not a dose
        ("Allow 500 mg/day.", [(0.5, 0.5, "mass/day")]),
        ("Screens 2 hours a day are plenty.", [(0.0833, 0.0833, "time/day")]),
        ("Compile runs 35–45 s on CI.", [(0.0004, 0.0005, "time")]),
        ("It was big in the 90s.", [(90.0, 90.0, "")]),  # "s" after no space is no unit
        ("Reboot at 1:2 in 10 minutes.", [(2.0, 2.0, "ratio"), (0.0069, 0.0069, "time")]),  # "2 in" no inch
        ("Proof it 28 days to 35 days.", [(28.0, 35.0, "time")]),  # the unit repeated: one range
        ("Rest 4 days to 2 weeks.", [(4.0, 14.0, "time")]),
        ("Ship a 2 week sprint.", [(14.0, 14.0, "time")]),  # "a 2 week" is a duration
    ],
)
def test_quantities_normalise_ratios_rates_and_ranges(
    text: str, expected: list[tuple[float, float, str]]
) -> None:
    got = [(round(q.low, 4), round(q.high, 4), q.unit) for _, _, q in quantities(text)]
    assert got == expected


def test_a_single_figure_at_a_ranges_end_does_not_conflict() -> None:
    from bot.summary.claims import Quantity, ranges_conflict

    days = lambda a, b, approx=False: Quantity(a, b, "time", approx)  # noqa: E731
    assert not ranges_conflict(days(90, 90), days(56, 84))  # 3 months ↔ 8–12 weeks: within 10 %
    assert ranges_conflict(days(120, 120), days(56, 84))  # 4 months is past it
    assert not ranges_conflict(days(100, 100, True), days(56, 84))  # "about 100 days": loose
    assert ranges_conflict(days(30, 30, True), days(56, 84))  # "about a month" is still shorter


def test_a_light_verb_is_no_subject_of_a_conflict() -> None:
    from bot.summary.claims import conflict, question_features, sentence_clauses

    q = question_features("Should I rent or buy a kayak?")
    (a,) = sentence_clauses("Never put a roof rack on a rented car.")
    (b,) = sentence_clauses("Renting puts the repair risk on the shop.")
    assert conflict(a, b, q) is None


def test_one_verb_on_two_objects_is_no_conflict() -> None:
    from bot.summary.claims import conflict, question_features, sentence_clauses

    q = question_features("How do I look after a carbon steel wok?")
    (a,) = sentence_clauses("Never steam rice in it, the water strips the patina.")
    (b,) = sentence_clauses("Just steam vegetables in it for a week and the patina builds.")
    assert conflict(a, b, q) is None
    (c,) = sentence_clauses("Steam rice in it whenever you like.")
    assert conflict(a, c, q) == "polarity"  # the same act denied and done


def test_a_list_after_a_negation_is_denied_throughout() -> None:
    from bot.summary.claims import conflict, question_features, sentence_clauses

    q = question_features("How should I store fresh basil?")
    (a,) = sentence_clauses("No fridge or freezer for basil.")
    (b,) = sentence_clauses("Don't keep it near the stove, fridge, freezer or a sunny window.")
    assert conflict(a, b, q) is None  # both keep basil out of the freezer
    from bot.summary.claims import _listed

    (c,) = sentence_clauses("Keep it near the window, fridge, freezer or pantry.")
    assert not _listed("freezer", c)  # no negation: a plain list
    assert _listed("freezer", b)


def test_a_consequence_or_a_purpose_is_no_denial() -> None:
    from bot.summary.claims import conflict, question_features, sentence_clauses

    q = question_features("How should I set up a worm bin?")
    (a,) = sentence_clauses("Give the bin at least 20 litres of bedding to hold moisture.")
    (b,) = sentence_clauses("Add wet cardboard or the bedding won't hold moisture.")
    assert conflict(a, b, q) is None  # both want the bedding to hold moisture
    (c,) = sentence_clauses("Sawdust bedding doesn't hold moisture well.")
    assert conflict(a, c, q) is None  # a purpose ("to hold moisture") is not a claim


def test_two_kinds_of_one_thing_are_no_conflict() -> None:
    """'Set the guest limit' and 'don't set device limits' advise on two different limits."""
    from bot.summary.claims import conflict, question_features, sentence_clauses

    q = question_features("How should I configure the office router?")
    (a,) = sentence_clauses("Set the guest limit on the admin page.")
    (b,) = sentence_clauses("For a small office, don't set device limits.")
    assert conflict(a, b, q) is None
    (c,) = sentence_clauses("Don't set guest limits, they break video calls.")
    assert conflict(a, c, q) == "polarity"  # the same kind set and not set
    (d,) = sentence_clauses("Never rinse it with cold water.")
    (e,) = sentence_clauses("Rinse it with hot water after every use.")
    assert conflict(d, e, question_features("How do I clean a cast iron pan?")) is None
