"""Point ranking and quoting (`bot/summary/core.py`, `units.standalone`) on made-up threads
from law, games, hardware, cooking, medicine and programming."""

from __future__ import annotations

from bot.models import Entry
from bot.summary import summarize
from bot.summary.core import centrality, similarity
from bot.summary.units import extract_units, standalone
from tests.bot.summary.test_core import entry


def texts(e: Entry) -> list[str]:
    return [p.text for p in summarize(e).points]


# ── centrality ──────────────────────────────────────────────────────────────────────────


def test_what_several_experts_talk_about_is_central() -> None:
    e = entry(
        "How long should a GPU stay under load when testing stability?",
        ("Ann", "Run the stress test for at least 30 minutes. My cat sleeps on the warm case."),
        ("Bo", "A stress test under 30 minutes misses heat soak."),
        ("Cy", "Keep the stress test running until the temperatures stop rising."),
    )
    units = extract_units(e)
    from bot.summary.claims import question_features

    q = question_features(e.question)
    c = centrality(units, q, similarity(units))
    assert abs(sum(c) / len(c) - 1.0) < 1e-6  # mean 1
    by_text = {u.text: c[u.index] for u in units}
    assert (
        by_text["Run the stress test for at least 30 minutes."] > by_text["My cat sleeps on the warm case."]
    )


def test_centrality_of_one_or_unrelated_sentences() -> None:
    e = entry(
        "How do I season a cast iron pan?", ("Ann", "Oil it thinly and bake it upside down for an hour.")
    )
    units = extract_units(e)
    assert centrality(units, frozenset(), similarity(units)) == [1.0]
    assert centrality([], frozenset(), similarity([])) == []


# ── what becomes a point ───────────────────────────────────────────────────────────────


def test_asides_and_anecdotes_rank_below_the_claims() -> None:
    e = entry(
        "Can my landlord enter without notice?",
        (
            "Ann",
            "By the way, my old landlord once showed up at midnight. "
            "In most states a landlord must give 24 hours' written notice before entering, "
            "except in an emergency.",
        ),
        (
            "Bo",
            "The landlord has to give 24 hours' written notice unless there is an emergency "
            "like a burst pipe.",
        ),
        (
            "Cy",
            "Keep a log of every visit with dates. "
            "Fun fact, some leases try to waive notice, which courts ignore.",
        ),
    )
    points = texts(e)
    assert "24 hours" in points[0]
    assert not any(p.startswith(("By the way", "Fun fact")) for p in points[:2])


def test_agreement_and_references_to_others_are_no_points_and_credit_nobody() -> None:
    e = entry(
        "Which thermal paste should I use on a CPU?",
        ("Ann", "Any non-conductive paste like Arctic MX-4 is fine for a CPU."),
        ("Bo", "+1 to a non-conductive paste like Arctic MX-4 for any CPU."),
        ("Cy", "As Ann said, a non-conductive paste like Arctic MX-4 is fine for a CPU."),
        ("Di", "People who say liquid metal is worth it for a CPU ignore the risk of shorts."),
    )
    s = summarize(e)
    assert not any(p.text.startswith(("+1", "As Ann", "People who")) for p in s.points)
    assert all("Bo" not in p.supporters and "Cy" not in p.supporters for p in s.points)


def test_near_duplicates_are_one_point() -> None:
    e = entry(
        "How long should I rest a steak after grilling?",
        (
            "Ann",
            "Rest the steak for 5 minutes under loose foil before slicing. Salt it an hour before grilling.",
        ),
        ("Bo", "Let the steak rest 5 minutes under foil before you slice it."),
        ("Cy", "Slice against the grain for a tender bite."),
    )
    points = texts(e)
    assert sum("rest" in p.lower() and "5 minutes" in p for p in points) == 1


def test_points_quote_a_claim_that_stands_on_its_own() -> None:
    e = entry(
        "Should I learn an opening as a beginner chess player?",
        (
            "Ann",
            "Openings are fun to study. But at 1200, tactics decide far more games than the opening does.",
        ),
        ("Bo", "Tactics decide far more games than the opening does at 1200, so do puzzles daily."),
    )
    points = texts(e)
    assert any(p.startswith("At 1200, tactics decide") or p.startswith("Tactics decide") for p in points)
    assert not any(p.startswith("But ") for p in points)


def test_a_lead_in_that_is_a_claim_is_quoted_and_an_announcement_is_not() -> None:
    e = entry(
        "How should I index a Postgres table for WHERE a = $1 AND b > $2?",
        (
            "Ann",
            "One composite index, equality column first, range column second:\n\n"
            "```sql\nCREATE INDEX ON t (a, b);\n```",
        ),
        ("Bo", "Here are the steps:\n\n1. run EXPLAIN\n2. add the index"),
    )
    points = texts(e)
    assert "One composite index, equality column first, range column second." in points
    assert not any("steps" in p for p in points)


def test_expletive_it_is_quoted_and_a_referring_it_is_not() -> None:
    e = entry(
        "Should I put my savings in a Roth IRA or a traditional IRA?",
        ("Ann", "It depends on your tax bracket now versus in retirement."),
        ("Bo", "Open the account at a low-fee broker. It also lowers your taxable income this year."),
    )
    points = texts(e)
    assert "It depends on your tax bracket now versus in retirement." in points
    assert not any(p.startswith("It also") for p in points)


def test_a_pointing_lead_in_is_dropped_from_the_quote() -> None:
    e = entry(
        "How do I wire a GFCI outlet to protect the rest of the circuit?",
        (
            "Ann",
            "That's how I do it: the downstream outlets go on the LOAD terminals "
            "of the first GFCI receptacle.",
        ),
        ("Bo", "Label every protected outlet so the next electrician knows."),
    )
    assert "The downstream outlets go on the LOAD terminals of the first GFCI receptacle." in texts(e)


def test_code_is_never_recased_when_a_connective_is_dropped() -> None:
    assert (
        standalone("And `git gc` packs loose objects into one file.")
        == "`git gc` packs loose objects into one file."
    )
    assert (
        standalone("But str.count() counts substrings, not words.")
        == "str.count() counts substrings, not words."
    )
    assert standalone("Whatever you choose, take it with food.") == "Take it with food."
    assert standalone("Butter the pan first.") == "Butter the pan first."  # a word, not "But"
    assert standalone("And so on.") == "And so on."  # nothing left worth quoting alone
    assert standalone("Note the filing deadline is 30 days after the notice.") == (
        "The filing deadline is 30 days after the notice."
    )
    assert standalone("Keep in mind that a deposit is not rent.") == "A deposit is not rent."
    assert standalone("Note down every visit with its date.") == "Note down every visit with its date."
    assert standalone("Still water is best for the starter.") == "Still water is best for the starter."


def test_points_are_ordered_by_support() -> None:
    e = entry(
        "How often should I take ibuprofen for a tension headache?",
        ("Ann", "Take 400 mg of ibuprofen with food. Drink a glass of water with every dose."),
        ("Bo", "Take 400 mg of ibuprofen with food and no more than three doses a day."),
        ("Cy", "Take 400 mg of ibuprofen with food. See a doctor if headaches come more than twice a week."),
    )
    s = summarize(e)
    counts = [len(p.supporters) for p in s.points]
    assert counts == sorted(counts, reverse=True)
    assert counts[0] >= 2


def test_other_figures_are_two_points_not_one() -> None:
    # sharing "laptop battery lasts … years" is not saying the same thing when the figures differ
    e = entry(
        "How long does a laptop battery last?",
        ("Ann", "A laptop battery usually lasts two to four years."),
        ("Bo", "Most laptop batteries last about two years. Newer cells can last longer."),
    )
    s = summarize(e)
    # "two to four" holds "about two" (no dispute), yet neither states the other's figure
    assert {p.supporters[0] for p in s.points} == {"Ann", "Bo"}
    assert not any(len(p.supporters) > 1 for p in s.points)  # neither backs the other's figure
