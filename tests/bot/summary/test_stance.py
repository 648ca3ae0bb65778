"""Recommendation stance ("just merge" vs "rebase onto main"), unit-aware figures, question context."""

from __future__ import annotations

import pytest

from bot.models import Answer, Entry, Provider
from bot.summary import summarize
from bot.summary.claims import (
    alternatives,
    conflict,
    quantities,
    question_features,
    same_range,
    sentence_clauses,
)
from bot.summary.segment import split_sentences
from bot.summary.sentences import stem
from bot.summary.stance import YES_NO, answer, choice_topic, pick, stance, takes_side, verdict, yes_no_target


def entry(question: str, *answers: tuple[str, str]) -> Entry:
    return Entry(
        id="t",
        question=question,
        answers=tuple(
            Answer(title=f"a{i}", text=t, provider=Provider(name=n)) for i, (n, t) in enumerate(answers)
        ),
    )


# ── which option a clause recommends ───────────────────────────────────────────────────


@pytest.mark.parametrize(
    ("question", "text", "picked"),
    [
        # programming: imperatives, bare answers, "I do not recommend X" is for the other option
        ("Should I rebase or merge my branch?", "Just merge.", "merg"),
        ("Should I rebase or merge my branch?", "Merge `main` into your branch instead", "merg"),
        ("Should I rebase or merge my branch?", "For solo branches, rebase onto main first", "rebas"),
        ("Should I rebase or merge my branch?", "I do not recommend rebasing a shared branch", "merg"),
        # a subject, not an imperative: no pick
        ("Should I rebase or merge my branch?", "Merging takes about 2 seconds", None),
        ("Should I rebase or merge my branch?", "Rebasing keeps history linear", None),
        # finance: choice verbs, articles between the verb and the option
        ("Should I put it in the Roth or the traditional option?", "I'd pick the Roth 401(k)", "roth"),
        ("Should I put it in the Roth or the traditional option?", "Go with traditional.", "tradit"),
        (
            "Should I put it in the Roth or the traditional option?",
            "Put half in Roth and half in traditional",
            None,
        ),
        # cycling: "X better than Y" is a choice too; "don't bother with X"
        ("Is waxing better than oiling a chain?", "Wax it.", "wax"),
        ("Is waxing better than oiling a chain?", "Don't bother with wax on a commuter bike", "oil"),
        # medicine: advice for a case ("if you have an ulcer") and a subject ("X should be…") pick nothing
        ("Ibuprofen or paracetamol for a sprain?", "Don't take ibuprofen if you have a stomach ulcer", None),
        ("Ibuprofen or paracetamol for a sprain?", "Ibuprofen should be avoided with a stomach ulcer", None),
        # code: a call is one word, "size() == 0 is O(1)" is a statement about size()
        ("Should I use list.isEmpty() or list.size() == 0?", "`size() == 0` is O(1) for ArrayList too", None),
        ("Should I use list.isEmpty() or list.size() == 0?", "Prefer `isEmpty()` for readability", "isempti"),
    ],
)
def test_pick_on_either_or_questions(question: str, text: str, picked: str | None) -> None:
    options = alternatives(question)
    assert options is not None
    assert pick(text, options) == picked


def test_yes_no_questions_give_a_target_and_a_stance() -> None:
    assert yes_no_target("How long should sessions be, and should I use treats?") == "treat"
    assert yes_no_target("Do I need to preheat my Dutch oven for sourdough?") == "preheat"
    assert yes_no_target("How long do lip fillers last?") is None
    assert stance("Use small, soft treats as rewards", "treat") == 1
    assert stance("I don't recommend treats", "treat") == -1
    assert stance("You don't need to preheat the Dutch oven at all", "preheat") == -1
    assert stance("Always preheat the pot", "preheat") == 1
    assert stance("Preheating helps", "preheat") == 0  # a statement, not advice
    assert choice_topic("Should I rebase or merge my branch?") == "rebase or merge"
    assert (
        choice_topic("Do I need to preheat my Dutch oven for sourdough?")
        == "whether to preheat my Dutch oven"
    )
    assert takes_side("Just merge.", ("rebas", "merg"), None)
    assert not takes_side("Thanks!", ("rebas", "merg"), None)


def test_choice_conflicts_need_no_shared_words_but_hedges_opt_out() -> None:
    q = question_features("Should I rebase or merge my branch?")
    opts = alternatives("Should I rebase or merge my branch?")
    (a,) = sentence_clauses("Just merge.")
    (b,) = sentence_clauses("Rebase onto main before you open the PR.")
    (c,) = sentence_clauses("Maybe rebase onto main before you open the PR.")
    assert conflict(a, b, q, opts) == "choice"
    assert conflict(a, c, q, opts) is None  # a hedged pick is no firm side


# ── summaries: the rebase thread and a yes/no thread ───────────────────────────────────

REBASE = entry(
    "Should I rebase or merge my feature branch before opening a pull request?",
    ("Priya", "**Short answer:** rebase onto `main` before you open the PR. It keeps history linear.\n"
              "```\ngit rebase origin/main\ngit push --force-with-lease\n```"),
    ("Tom", "I do not recommend rebasing a branch that other people have pulled. "
            "Merge `main` into your branch instead; it never rewrites history."),
    ("Lena", "For solo branches, rebase onto main before you open the PR — it keeps history linear."),
    ("Omar", "Merging takes about 2 seconds and rebasing 50 commits can take 30 minutes of conflict "
             "fixing. Just merge."),
)  # fmt: skip


def test_rebase_or_merge_is_one_disagreement_with_both_camps() -> None:
    s = summarize(REBASE)
    assert len(s.disagreements) == 1
    d = s.disagreements[0]
    assert d.topic == "rebase or merge"
    camps = sorted(sorted(side.supporters) for side in d.sides)
    assert camps == [["Lena", "Priya"], ["Omar", "Tom"]]
    for p in s.points:  # nobody on the merge side is credited with a rebase point, nor the reverse
        rebase_point = "rebase onto" in p.text.lower()
        assert not (rebase_point and {"Tom", "Omar"} & set(p.supporters))


def test_yes_no_recommendations_disagree_across_domains() -> None:
    dogs = entry(
        "Should I use treats to train my puppy?",
        ("Mia", "Use small, soft treats as rewards and end every session on a success."),
        ("Ben", "I don't recommend treats. Use praise and play as the reward instead."),
        ("Sofia", "Use treats — food is the fastest way to teach new behaviours."),
    )
    (d,) = summarize(dogs).disagreements
    assert sorted(sorted(x.supporters) for x in d.sides) == [["Ben"], ["Mia", "Sofia"]]
    assert d.topic.startswith("whether to use treats")
    agree = entry(
        "Should I use treats to train my puppy?",
        ("Mia", "Use small, soft treats as rewards."),
        ("Sofia", "Use treats; food is the fastest way to teach new behaviours."),
    )
    assert summarize(agree).disagreements == ()


# ── figures: units, tolerance, the question's own figures ──────────────────────────────


def test_fahrenheit_is_converted_and_temperatures_compare_within_a_few_degrees() -> None:
    ((_, _, f205),) = quantities("pull it at 205 °F")
    ((_, _, c96),) = quantities("done at 96 °C")
    ((_, _, f190),) = quantities("cooked at about 190 °F")
    assert f205.unit == c96.unit == "degc"
    assert same_range(f205, c96)
    assert not same_range(f190, c96)  # 88 °C is another loaf, though within 10 %
    ((_, _, f450),) = quantities("bake at 450F")
    ((_, _, c230),) = quantities("bake at 230 °C")
    assert same_range(f450, c230)


def test_a_measure_conflicts_beside_a_shared_figure_and_units_end_sentences() -> None:
    q = question_features("Can I keep my Cat5e cables for a faster network?")
    (a, _) = sentence_clauses("2.5 GbE runs fine over your existing Cat5e at up to 100 m, so no rewiring.")
    (b, _) = sentence_clauses("Cat5e is only reliable for 2.5 GbE up to about 100 ft; past that, pull Cat6.")
    (c, _) = sentence_clauses("Cat5e handles 2.5 GbE at up to 100 metres, so no rewiring.")
    assert conflict(a, b, q) == "quantity"
    assert conflict(a, c, q) is None
    assert split_sentences("It reaches 100 m. If you upgrade, test it. He is 5 ft. tall.") == [
        "It reaches 100 m.",
        "If you upgrade, test it.",
        "He is 5 ft. tall.",
    ]


def test_how_long_questions_and_the_questions_own_figures() -> None:
    q = question_features("How long should training sessions be for my 4-month-old puppy?")
    assert "?time" in q
    (five,) = sentence_clauses("Keep sessions to about 5 minutes")
    (long_,) = sentence_clauses("Sessions of 15 to 20 minutes work fine")
    (ten,) = sentence_clauses("At 4 months, 5 to 10 minutes per session is plenty")
    assert conflict(five, long_, q) == "quantity"
    assert conflict(ten, long_, q) == "quantity"
    assert conflict(five, ten, q) is None  # "4 months" is the question's, and 5 lies in 5–10
    # without "how long" the same pair shares too little to be one subject
    assert conflict(five, long_, question_features("Any tips for training sessions with a puppy?")) is None
    # a negated or bounded clause is no plain answer to "how long"
    ssd = question_features("How long will an SSD last compared to a hard drive?")
    (_, ret) = sentence_clauses(
        "Don't leave an SSD unpowered; data retention without power can drop to about 1 year"
    )
    (hdd,) = sentence_clauses("Hard drives typically last 3 to 5 years")
    assert conflict(ret, hdd, ssd) is None


# ── outright answers to yes/no questions ───────────────────────────────────────────────


@pytest.mark.parametrize(
    ("text", "side"),
    [
        ("Yes, if your NAS has more than one drive.", 1),
        ("Honestly, not worth it for most homes.", -1),
        ("No. The warranty does not cover it.", -1),
        ("Absolutely worth it for a gaming PC.", 1),
        ("No rewiring is needed.", 0),  # "No" that starts a phrase is no answer
        ("Nobody knows future tax rates.", 0),
        ("Yesterday I tried it.", 0),
    ],
)
def test_outright_answers(text: str, side: int) -> None:
    from bot.summary.stance import answer

    assert answer(text) == side


def test_is_it_worth_questions_and_conditions() -> None:
    q = "Is it worth upgrading my router to Wi-Fi 7, and can I keep my old cables?"
    assert yes_no_target(q) == "upgrad"
    assert choice_topic(q) == "whether upgrading my router is worth it"
    assert stance("If you do upgrade, skip Wi-Fi 7 and buy a mesh kit.", "upgrad") == 0  # a condition
    assert stance("Upgrade the router first.", "upgrad") == 1
    router = entry(
        q,
        ("Ana", "Yes, if you have more than ten devices."),
        ("Raj", "Honestly, not worth it for a small flat."),
        ("Lu", "If you do upgrade, get a mesh kit instead."),
    )
    (d,) = summarize(router).disagreements
    assert sorted(x.supporters for x in d.sides) == [("Ana",), ("Raj",)]  # Lu answers neither way
    assert d.topic == "whether upgrading my router is worth it"
    assert [x.quoted_from for x in d.sides] == [x.supporters[0] for x in d.sides]


def test_a_yes_keeps_its_word_only_on_yes_no_questions() -> None:
    yes = entry("Do I need to repaste my CPU every year?", ("Owen", "Yes, repaste every year for the temps."))
    assert any(p.text.startswith("Yes, repaste") for p in summarize(yes).points)
    why = entry("Why does thermal paste dry out?", ("Owen", "Yes, the oils in it evaporate over time."))
    assert all(not p.text.startswith("Yes") for p in summarize(why).points)


def test_hyphenated_durations_and_there_is_no_claims() -> None:
    (q,) = [x for _, _, x in quantities('There is no "10-second rule"')]
    assert q.unit == "time" and same_range(q, next(x for _, _, x in quantities("under 10 seconds")))
    clips = entry(
        "Can I use short movie clips in my reviews?",
        ("Ann", "There is no fixed number of seconds that is automatically safe."),
        ("Bo", "Keep clips under 10 seconds and you're safe."),
        ("Cy", "Merging takes about 2 seconds and rebasing can take 30 minutes of conflict fixing."),
    )
    (d,) = summarize(clips).disagreements
    assert sorted(x.supporters for x in d.sides) == [("Ann",), ("Bo",)]  # "fixed" ≠ "fixing": Cy stays out


def test_a_shared_time_unit_alone_is_no_subject() -> None:
    drives = entry(
        "How long do SSDs last?",
        ("Ann", "A 1 TB SSD is rated for well over 10 years of typical desktop writes."),
        ("Bo", "Hard drives typically last 3 to 5 years before they fail."),
    )
    assert summarize(drives).disagreements == ()


def test_a_measure_on_one_part_of_a_compound_question() -> None:
    q = "Should I preheat the grill, and when is the brisket done?"
    assert {"&brisket", "&grill,preheat"} <= question_features(q)  # "done" is no content word
    bbq = entry(
        q,
        ("Ann", "The brisket is done when it reaches 95 °C inside."),
        ("Bo", "A brisket is tender at about 190 °F, so go by feel."),
        ("Cy", "Preheat the grill to 120 °C for an hour."),
    )
    (d,) = summarize(bbq).disagreements
    assert d.topic == "when is the brisket done"
    assert sorted(x.supporters for x in d.sides) == [("Ann",), ("Bo",)]  # Cy's grill is another subject
    single = entry(  # one question: a shared word alone does not make a subject
        "How do I smoke a brisket?",
        ("Ann", "The brisket is done when it reaches 95 °C inside."),
        ("Bo", "A brisket is tender at about 190 °F, so go by feel."),
    )
    assert summarize(single).disagreements == ()


def test_wh_questions_are_not_yes_no() -> None:
    assert yes_no_target("How often should I water tomato plants in containers?") is None
    assert choice_topic("What should I do about it?") is None
    assert yes_no_target("How long should sessions be, and should I use treats?") == "treat"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tabs are the way to go in Go code.", 1),
        ("Tabs are mostly obsolete now.", -1),
        ("Tabs aren't worth it.", -1),
        ("Tabs are not the best here.", -1),
        ("Tabs are fine if your team agrees.", 0),  # praise for a case
        ("Tabs are fine after the migration.", 0),
        ("Tabs are wide on old terminals.", 0),  # a description, no verdict
    ],
)
def test_a_verdict_on_an_option(text: str, expected: int) -> None:
    assert stance(text, "tab") == expected


def test_a_verdict_picks_an_option() -> None:
    assert pick("Arbitration is the safer route for small claims.", ("arbitr", "court")) == "arbitr"
    assert pick("Arbitration is slow for small claims.", ("arbitr", "court")) is None  # no verdict word
    assert pick("Arbitration is obsolete for claims this size.", ("arbitr", "court")) == "court"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Skip it, the stock cooler is fine.", -1),
        ("Honestly, don't bother.", -1),
        ("Not needed for a 65 W chip.", -1),
        ("Go for it, it is a 20 minute job.", 1),
        ("Skip it unless you overclock.", 0),  # a condition: no side
        ("Skipping meals is bad.", 0),  # no answer to the question's act
    ],
)
def test_a_bare_answer_takes_the_questions_act_as_said(text: str, expected: int) -> None:
    assert verdict(text, "repast") == expected


def test_skip_it_disputes_always_do_it_without_shared_words() -> None:
    e = entry(
        "Should I repaste my laptop's CPU?",
        ("Ana Ruiz", "Skip it, the factory paste is fine for years."),
        ("Ben Ode", "Definitely repaste: temperatures drop by 10 °C on most models."),
    )
    (d,) = summarize(e).disagreements
    assert sorted(x.supporters for x in d.sides) == [("Ana Ruiz",), ("Ben Ode",)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("No. A landlord cannot charge for ordinary wear.", -1),
        ("Yes, as long as both parties consent.", 1),
        ("It's not legal to record a call without consent here.", -1),
        ("That's illegal in most states.", -1),
        ("It is perfectly legal in one-party states.", 1),
        ("It depends on the state.", 0),
        ("The landlord can keep it.", 0),  # no verdict word
    ],
)
def test_an_opening_verdict_answers_a_yes_no_question(text: str, expected: int) -> None:
    assert answer(text) == expected


def test_opposite_opening_verdicts_disagree() -> None:
    e = entry(
        "Can my employer read my work email?",
        ("Lia Stone", "Yes, in most countries the account is the employer's property."),
        ("Marc Dubois", "No. In the EU they need a stated purpose and must tell you first."),
        ("Nora Pike", "Keep personal mail on a personal account either way."),
    )
    assert yes_no_target(e.question) == YES_NO  # no act an answer would repeat
    ds = summarize(e).disagreements
    assert len(ds) == 1 and sorted(s.supporters for s in ds[0].sides) == [("Lia Stone",), ("Marc Dubois",)]


def test_a_compound_question_takes_no_outright_answer() -> None:
    compound = entry(  # the "No." may answer either part
        "Can my employer read my work email, and should I use it for personal mail?",
        ("Lia Stone", "Yes, in most countries the account is the employer's property."),
        ("Marc Dubois", "No. Keep personal mail on a personal account."),
    )
    assert summarize(compound).disagreements == ()


@pytest.mark.parametrize(
    "clause",
    ["I started lifting at 14 and hurt my back.", "We started far too early and regretted it."],
)
def test_a_first_person_past_act_is_what_happened_not_advice(clause: str) -> None:
    assert stance(clause, stem("start")) == 0
    assert stance("I'd start now with light sets.", stem("start")) == 1


def test_an_anecdote_of_the_act_is_no_side_of_the_dispute() -> None:
    """An unnamed answer telling how starting early went wrong for them is not on the "start
    now" side (it was credited with it: "I started sprint work…" read as "start")."""
    answers = [
        (
            "Coach Dana",
            "Skip it for now. Until about a year of steady running your tendons lag behind your lungs.",
        ),
        ("Dr. Wu", "The one-year rule is folklore. I would start now with short, easy strides twice a week."),
        (
            None,
            "Agree with Dana. I started sprint work at 3 months and got shin splints; 6 weeks off. "
            "Run more, sprint later.",
        ),
    ]
    e = Entry(
        id="t",
        question="I have been running for 4 months. When should I start interval training?",
        answers=tuple(
            Answer(title=f"a{i}", text=t, provider=Provider(name=n) if n else None)
            for i, (n, t) in enumerate(answers)
        ),
    )
    (d,) = summarize(e).disagreements
    start_now = next(side for side in d.sides if "start now" in side.text)
    assert start_now.supporters == ("Dr. Wu",)
