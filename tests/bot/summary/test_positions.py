"""Experts' positions on the question's facets (issue 13: disagreements without shared words).

Every example is made up for these tests, in domains the evaluation threads do not use."""

from __future__ import annotations

import pytest

from bot.models import Disagreement
from bot.summary import summarize
from bot.summary.claims import Quantity, question_features, sentence_clauses
from bot.summary.core import extract_units
from bot.summary.positions import (
    asked_dimensions,
    change_position,
    compatible,
    figure_positions,
    named_pick,
    object_stance,
    question_change,
    question_object,
    question_options,
    stated_figures,
)
from tests.bot.summary.test_core import entry


def sides_of(d: Disagreement) -> list[set[str]]:
    return [set(s.supporters) for s in d.sides]


def figures(text: str, question: str = "", threshold: bool = False) -> list[tuple[float, float, str, bool]]:
    q = question_features(question)
    return [
        (round(x.low, 4), round(x.high, 4), x.unit, bound)
        for c in sentence_clauses(text)
        for x, bound in stated_figures(c, q, threshold)
    ]


# ── what the question asks ───────────────────────────────────────────────────────────────


def test_asked_dimensions_per_question_part() -> None:
    asked = dict(
        asked_dimensions("How long should I let a brisket rest, and what temperature should the smoker run?")
    )
    assert [set(v) for v in asked.values()] == [{"time", "length"}, {"degc"}]
    assert asked_dimensions("Which thermal pad brand is best?") == []
    assert dict(asked_dimensions("How often should I back up the NAS?")) == {
        "How often should I back up the NAS": ("period",)
    }
    assert (
        "ratio"
        in dict(asked_dimensions("What flour to water ratio do you use for pasta?"))[
            "What flour to water ratio do you use for pasta"
        ]
    )


# ── which figures are an expert's own ────────────────────────────────────────────────────


@pytest.mark.parametrize(
    "text",
    [
        "If the fever lasts more than 3 days, see a doctor.",  # a condition
        "Ignore the 8 hour rule for sleep, it is folklore.",  # rejected
        "People who say it takes 6 weeks have never tried the patch.",  # reported
        "Three days is far too long for a raid cooldown.",  # judged too long
        "It is much shorter than the 90 days often quoted.",  # a figure compared against
        "Add 2 minutes more when the oven is cold.",  # an offset
        "It might take 2 weeks.",  # hedged
    ],
)
def test_figures_that_are_not_the_experts_position(text: str) -> None:
    assert figures(text) == []


def test_a_plain_figure_and_a_bound_are_positions() -> None:
    assert figures("The appeal usually takes 6 to 8 weeks.") == [(42.0, 56.0, "time", False)]
    assert figures("Keep antacids to fewer than 10 days a month.") == [(3.044, 3.044, "period", True)]


def test_a_figure_the_question_gives_is_context() -> None:
    q = "My 3 year old laptop battery drains fast, how long should a battery last?"
    assert figures("A 3 year old battery is normal to fade.", q) == []


def test_compatible_ranges_overlap_or_touch() -> None:
    weeks = lambda a, b: Quantity(7 * a, 7 * b, "time")  # noqa: E731
    assert compatible(weeks(4, 6), weeks(6, 8))  # touching
    assert compatible(weeks(2, 10), weeks(4, 5))  # one inside the other
    assert not compatible(Quantity(7, 10, "time"), weeks(4, 6))


# ── figure disagreements ─────────────────────────────────────────────────────────────────


def test_durations_without_shared_words_disagree() -> None:
    e = entry(
        "How long does a small-claims case take in my county?",
        ("Ruth Okoye", "From filing to hearing it usually takes 6 to 8 weeks here."),
        ("Dan Bright", "Maybe 7 to 10 days if the clerk is quick."),  # hedged: no position
        ("Lee Park", "Mine was decided within 3 to 4 months, courts are slow."),
    )
    ds = summarize(e).disagreements
    assert len(ds) == 1 and sides_of(ds[0]) == [{"Ruth Okoye"}, {"Lee Park"}]


def test_touching_ranges_are_one_side() -> None:
    e = entry(
        "How long should I cure a new concrete slab before driving on it?",
        ("Ana Ruiz", "Give the slab 4 to 7 days before any car."),
        ("Bo Lind", "Wait 7 to 10 days for a car; trucks need longer."),
        ("Cy Moss", "Honestly 28 days to 35 days for full strength under a car."),
    )
    ds = summarize(e).disagreements
    assert len(ds) == 1 and sides_of(ds[0]) == [{"Ana Ruiz", "Bo Lind"}, {"Cy Moss"}]


def test_an_expert_with_figures_on_two_sides_is_left_out() -> None:
    e = entry(
        "How long should a sprained wrist stay in a splint?",
        ("Dr. Hale", "Keep the splint on for 2 weeks, then start gentle movement."),
        ("Mia Chen", "Six weeks in the splint is what our clinic does. Two weeks in the splint also works."),
        ("Noor Aziz", "Ten days in a splint, then physio."),
    )
    units = extract_units(e)
    positions = figure_positions(units, ["time"], question_features(e.question))["time"]
    assert {x[0] for x in positions} == {"Dr. Hale", "Noor Aziz"}


def test_figures_far_apart_measure_different_things() -> None:
    # "3 to 5 seconds" and "2 weeks" both answer "how long", about different things.
    e = entry(
        "How long should I hold each stretch for a tight hamstring?",
        ("Pia Roth", "Hold each stretch 30 to 45 seconds and breathe."),
        ("Ken Wu", "Give the routine 2 weeks before judging it."),
    )
    assert summarize(e).disagreements == ()


def test_rates_are_normalised_before_comparing() -> None:
    # 3 times a week is every 2.3 days: not "every 2 to 3 days" against it.
    e = entry(
        "How often should I water a cactus in summer?",
        ("Omar Diaz", "Water it every 2 to 3 days in a heatwave."),
        ("Jill Stone", "About 3 times a week when it is hot."),
        ("Ivo Petr", "Once every 2 weeks, they rot easily."),
    )
    ds = summarize(e).disagreements
    assert len(ds) == 1
    assert sides_of(ds[0]) == [{"Omar Diaz", "Jill Stone"}, {"Ivo Petr"}]


def test_per_day_amounts_are_not_single_doses() -> None:
    # "400 mg" a dose and "1,200 mg a day" a daily limit can both hold.
    e = entry(
        "How much magnesium can I take for cramps?",
        ("Dr. Lund", "A 400 mg dose at night is typical."),
        ("Sara Ek", "Stay at 1,200 mg a day at most, less with kidney problems."),
    )
    assert summarize(e).disagreements == ()


def test_ratios_disagree() -> None:
    e = entry(
        "What rice to water ratio should I use in a pot?",
        ("Chef Amo", "For long grain I use 1:1.5 and a tight lid."),
        ("Rita Gill", "1:2 every time, and rinse first."),
    )
    ds = summarize(e).disagreements
    assert len(ds) == 1 and sides_of(ds[0]) == [{"Chef Amo"}, {"Rita Gill"}]


def test_a_comparison_question_has_figures_per_thing() -> None:
    e = entry(
        "How long does a tube amp last compared to a solid-state one?",
        ("Hal Dorn", "Tube amps need new valves every 2 years or so."),
        ("Ivy Bell", "A solid-state amp runs 20 years without service."),
    )
    assert summarize(e).disagreements == ()


# ── yes / no on the question's object ────────────────────────────────────────────────────


def test_question_object() -> None:
    assert question_object("Should I set swap files on my Linux servers, or not?") == ("swap", "file")
    assert question_object("Do I need a torque wrench for pedals?") == ("torqu", "wrench")
    assert question_object("Should I do it today?") is None
    assert question_object("How do I bake bread?") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don't set swap files on database hosts.", -1),
        ("We run with no swap files across the fleet.", -1),
        ("Memory ballooning yes, swap files no.", -1),
        ("I'd keep swap files, small ones.", 1),
        ("Swap files: it depends on the workload.", 0),
        ("If you set swap files, watch the latency.", 0),
        ("Swap files are slow on spinning disks.", 0),  # says something of them, no yes or no
    ],
)
def test_object_stance(text: str, expected: int) -> None:
    assert object_stance(text, ("swap", "file")) == expected


def test_yes_no_on_the_object_without_shared_words() -> None:
    e = entry(
        "Should I use a torque wrench on carbon handlebars?",
        ("Nils Berg", "Always use a torque wrench on carbon, 5 Nm is typical."),
        ("Kate Moor", "I skip the torque wrench and go by feel; twenty years, no cracks."),
        ("Raj Iyer", "Carbon paste matters more than anything else."),
    )
    ds = summarize(e).disagreements
    assert len(ds) == 1
    assert sides_of(ds[0]) == [{"Nils Berg"}, {"Kate Moor"}]


def test_an_expert_on_both_sides_of_the_object_takes_none() -> None:
    e = entry(
        "Should I use a torque wrench on carbon handlebars?",
        ("Nils Berg", "Use a torque wrench on carbon."),
        ("Kate Moor", "Skip the torque wrench at home. At the shop, always use a torque wrench."),
    )
    assert summarize(e).disagreements == ()


# ── agreeing with another expert ─────────────────────────────────────────────────────────


def test_agreeing_with_an_expert_joins_their_side_of_a_choice() -> None:
    e = entry(
        "Should I use ranked or casual mode to learn a new hero?",
        ("Vera Holm", "Casual is the way to go for learning the kit."),
        ("Dr. Jonas Berg", "Ranked is fine, the pressure teaches faster."),
        ("Tia Lane", "I agree with Vera, at least for the first twenty games."),
    )
    ds = summarize(e).disagreements
    assert len(ds) == 1
    assert {"Vera Holm", "Tia Lane"} in sides_of(ds[0])
    assert {"Dr. Jonas Berg"} in sides_of(ds[0])


def test_agreeing_on_one_claim_is_no_side() -> None:
    e = entry(
        "Should I use ranked or casual mode to learn a new hero?",
        ("Vera Holm", "Casual is the way to go for learning the kit."),
        ("Dr. Jonas Berg", "Ranked is fine, the pressure teaches faster."),
        ("Tia Lane", "I agree with Vera that the kit takes time to learn."),
    )
    ds = summarize(e).disagreements
    assert len(ds) == 1
    assert all("Tia Lane" not in s for s in sides_of(ds[0]))


def test_a_case_the_question_did_not_ask_is_no_position() -> None:
    assert figures("Without a harness, keep climbs under 3 m.", "How high can I boulder?") == []
    # the case restates the question: still the expert's figure
    assert figures("For a first marathon, run 20 miles at most.", "How long a run before my first marathon?")


def test_the_question_verb_said_of_something_else() -> None:
    q = "How long do lithium drill batteries last?"
    assert figures("Ni-Cd packs typically last 2 to 3 years.", q) == []
    assert figures("They typically last 3 to 5 years.", q) == [(1095.75, 1826.25, "time", False)]


def test_at_what_threshold_the_condition_is_the_answer() -> None:
    q = "At what fever level should I call the doctor for my toddler?"
    assert figures("Call when the fever is above 39 °C.", q, threshold=True) == [(39.0, 39.0, "degc", True)]
    assert figures("Call when the fever is above 39 °C.", q) == []  # a condition, on other questions
    assert figures("Give paracetamol when it is above 40 °C.", q, threshold=True) == []  # another act's
    e = entry(
        q,
        ("Dr. Sun", "Call when the fever is above 38 °C, honestly."),
        ("Dr. Moe", "I tell parents to call at 40 °C, not earlier."),
    )
    ds = summarize(e).disagreements
    assert len(ds) == 1 and sides_of(ds[0]) == [{"Dr. Sun"}, {"Dr. Moe"}]


# ── the option each expert picks ─────────────────────────────────────────────────────────


def test_question_options() -> None:
    assert question_options("Should I write the CLI in Python, Go or Rust?") == ("python", "go", "rust")
    assert question_options("Should I use tabs or spaces?") is None  # two: the pairwise rules' job
    assert question_options("Bring a tent, a tarp, or a bivy?") == ("tent", "tarp", "bivi")


@pytest.mark.parametrize(
    ("text", "first", "expected"),
    [
        ("For a small team I use Django for everything.", False, {"django"}),
        ("I'd go with a hosted Postgres (Supabase) for this.", False, {"postgr"}),
        ("I'd go with hosted Postgres.", False, {"postgr"}),
        ("Django.", True, {"django"}),
        ("Rails is my go-to for prototypes.", False, {"rail"}),
        ("The Sicilian Defence.", True, {"sicilian", "defenc"}),  # a short opening answer
        ("The Sicilian Defence.", False, set()),  # not the answer's first words
        ("I wouldn't use Django for this.", False, set()),  # negated
        ("If you go with Flask, add Blueprints early.", False, set()),  # a condition
        ("Django has great docs.", False, set()),  # named, not picked
    ],
)
def test_named_pick(text: str, first: bool, expected: set[str]) -> None:
    assert named_pick(text, first, set()) == expected


def test_answers_naming_different_picks_disagree() -> None:
    e = entry(
        "Which web framework should a beginner learn first?",
        ("Ola Berg", "Learn Django first, the admin teaches you a lot."),
        ("Tim Roe", "I'd go with Flask so you see every moving part."),
        ("Ugo Sala", "Honestly, I recommend Django too, batteries included."),
        ("Vik Das", "Whatever you choose, build one real project end to end."),
    )
    ds = summarize(e).disagreements
    assert len(ds) == 1
    assert sides_of(ds[0]) == [{"Ola Berg", "Ugo Sala"}, {"Tim Roe"}]


def test_an_expert_picking_two_things_and_one_pick_alone_make_no_dispute() -> None:
    e = entry(
        "Which web framework should a beginner learn first?",
        ("Ola Berg", "Learn Django first, the admin teaches you a lot."),
        ("Tim Roe", "I use Flask at work. For teaching I use Django."),  # two picks: no side
        ("Vik Das", "Build one real project end to end."),
    )
    assert summarize(e).disagreements == ()


def test_three_named_options_one_side_each() -> None:
    e = entry(
        "Should I write the CLI in Python, Go or Rust?",
        ("Ada Holm", "Go, the single static binary is the whole point."),
        ("Bram Lee", "I'd pick Rust for the argument parsing crates."),
        ("Cleo Park", "Use Python if the team knows it, honestly."),  # a condition: no pick
    )
    ds = summarize(e).disagreements
    assert len(ds) == 1
    assert sides_of(ds[0]) == [{"Ada Holm"}, {"Bram Lee"}]


@pytest.mark.parametrize("text", ["Never flash the BIOS mid-game.", "Cold check, door placard, done."])
def test_a_short_opening_sentence_names_nothing_by_its_first_capital(text: str) -> None:
    assert named_pick(text, True, set()) == frozenset({"bio"} if "BIOS" in text else set())


def test_a_figure_timing_another_act_is_no_position() -> None:
    q = "How often should I change the coolant in an old pickup?"
    assert figures("Check the level monthly and top up.", q) == []  # another act
    assert figures("Change it every 2 years.", q) == [(730.5, 730.5, "period", False)]
    assert figures("Give it 2 years between changes.", q)  # "give" only frames the figure
    e = entry(
        q,
        ("Hank Lowe", "Every 2 years or 30,000 miles, whichever comes first."),
        ("Ida Marsh", "Check the level monthly and top up with the same type."),
    )
    assert summarize(e).disagreements == ()


def test_an_expert_who_would_use_anything_picks_nothing() -> None:
    e = entry(
        "Which static site generator should I use for a small blog?",
        ("Ola Berg", "I'd go with Hugo, builds are instant."),
        ("Tim Roe", "Use whatever you know; I use Jekyll because GitHub Pages builds it."),
    )
    assert summarize(e).disagreements == ()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Don't forget swap files on small VMs.", 1),
        ("Never skip the swap files.", 1),
        ("Skip swap files.", -1),
    ],
)
def test_a_denied_omission_is_a_yes(text: str, expected: int) -> None:
    assert object_stance(text, ("swap", "file")) == expected


def test_a_how_to_question_names_no_options() -> None:
    e = entry(
        "What should I do when my phone stops charging?",
        ("Ana Ruiz", "Try a different cable first, then use the Battery page in Settings."),
        ("Ben Ode", "I'd go with Apple Support if it is under warranty."),
        ("Cy Lam", "Use Safe Mode to rule out an app."),
    )
    assert summarize(e).disagreements == ()


# ── the change a yes / no question asks about ────────────────────────────────────────────


def test_question_change() -> None:
    assert question_change("Does creatine raise blood pressure?") == (1, frozenset({"blood", "pressur"}))
    assert (
        question_change("Does a bigger heatsink make the fan quieter?") is None
    )  # "quieter": no change word
    assert question_change("Does salt affect yeast activity?") == (0, frozenset({"yeast", "activ"}))
    assert question_change("How much does salt slow yeast?") is None  # not a yes / no question


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Creatine lowers resting blood pressure in most trials.", {"-1"}),
        ("It does not change blood pressure at all.", {"0"}),
        ("It does not raise blood pressure.", {"not+1"}),
        ("Drink more water with creatine.", set()),  # a change of something else
    ],
)
def test_change_position(text: str, expected: set[str]) -> None:
    assert change_position(text, frozenset({"blood", "pressur"})) == expected


def test_the_asked_change_disputed_without_other_shared_words() -> None:
    e = entry(
        "Does a dehumidifier reduce mould in a basement?",
        ("Ana Ruiz", "Running one at 50 % humidity reduces mould a lot within weeks."),
        ("Ben Ode", "In my experience it doesn't reduce mould, it only masks the smell; fix the leak."),
        ("Cy Lam", "Empty the tank daily and clean the filter monthly."),
    )
    ds = summarize(e).disagreements
    assert len(ds) == 1
    assert sorted(s.supporters for s in ds[0].sides) == [("Ana Ruiz",), ("Ben Ode",)]


def test_a_change_of_something_else_is_no_side() -> None:
    e = entry(
        "Does a dehumidifier reduce mould in a basement?",
        ("Ana Ruiz", "Yes, it reduces mould if you keep it near 50 % humidity."),
        ("Ben Ode", "It raises your power bill a little, but the mould goes."),
    )
    assert summarize(e).disagreements == ()


# ── loose figures, figures judged wrong, figures of another thing (round 6) ──────────────


def test_a_loose_single_figure_agrees_with_a_range_it_nearly_touches() -> None:
    # "about 6 months" (180 days) beside "20–24 weeks" (140–168 days): within 20 %
    about = Quantity(180, 180, "time", approx=True)
    assert compatible(about, Quantity(140, 168, "time"))
    assert not compatible(Quantity(180, 180, "time"), Quantity(140, 168, "time"))  # said exactly: apart
    assert not compatible(about, Quantity(28, 42, "time"))  # 4–6 weeks: still far apart
    # a loose temperature is loose by degrees, not by a share of its value
    assert not compatible(Quantity(71, 71, "degc", approx=True), Quantity(82, 82, "degc"))
    assert compatible(Quantity(71, 71, "degc", approx=True), Quantity(73, 73, "degc"))


def test_approximate_words_mark_a_figure_loose() -> None:
    from bot.summary.claims import quantities

    loose = [q.approx for _, _, q in quantities("Expect roughly 40 minutes, or ~2 hours on a cold day.")]
    assert loose == [True, True]
    assert [q.approx for _, _, q in quantities("Bake it 40 minutes.")] == [False]


def test_loose_figures_make_no_dispute() -> None:
    e = entry(
        "How long until a new lawn can take foot traffic?",
        ("Ana", "Keep off the new lawn for 6–8 weeks after seeding."),
        ("Bo", "I'd stay off it for about 2 months, then mow high."),
    )
    assert summarize(e).disagreements == ()


def test_exact_figures_far_apart_still_dispute() -> None:
    e = entry(
        "How long until a new lawn can take foot traffic?",
        ("Ana", "Keep off the new lawn for 6–8 weeks after seeding."),
        ("Bo", "Stay off it for 10 days, then mow high."),
    )
    assert len(summarize(e).disagreements) == 1


@pytest.mark.parametrize(
    "text",
    [
        "10 % is cutting it way too close for a tip.",  # judged wrong, any "too" adjective
        "2 hours is too generous for a lunch break.",
    ],
)
def test_a_figure_judged_too_anything_is_no_position(text: str) -> None:
    assert figures(text, "How much should I tip?") == []


def test_a_figure_said_of_another_named_thing_is_no_position() -> None:
    q = "How much should I budget for a wedding cake?"
    assert figures("The delivery fee is roughly $80 on top of that.", q) == []
    assert figures("Sales tax is about 8 %.", q) == []
    # the question's own thing, a frame word or a pronoun as subject: the answer itself
    assert figures("A wedding cake is about $500 for 100 guests.", q)
    assert figures("The usual budget is $400.", q)
    assert figures("It is $400 at most bakeries.", q)


# ── for or against one named thing ───────────────────────────────────────────────────────


def test_advice_for_and_against_one_thing_disagrees() -> None:
    e = entry(
        "My bike chain squeaks after rain. What should I do about it?",
        ("Ines", "Clean it and use a wet lube; the dry stuff washes straight off."),
        ("Karl", "Honestly, wax is the best option for commuters."),
        ("Lou", "Skip the wax, it takes forever to apply and flakes in the wet."),
    )
    (d,) = summarize(e).disagreements
    assert sides_of(d) == [{"Karl"}, {"Lou"}]
    assert d.topic == "wax"


@pytest.mark.parametrize(
    "against",
    [
        "I do not recommend waxing before the first 100 km.",  # a denial about timing
        "Wax is the best option, maybe.",  # hedged
        "I don't recommend switching brands of wax mid-season.",  # advice on another act
    ],
)
def test_advice_that_takes_no_side(against: str) -> None:
    e = entry(
        "My bike chain squeaks after rain. What should I do about it?",
        ("Karl", "Honestly, wax is the best option for commuters."),
        ("Lou", against),
    )
    assert summarize(e).disagreements == ()


def test_a_mixed_clause_or_a_name_in_code_takes_no_side() -> None:
    e = entry(
        "How should I deploy a static site?",
        ("Ann", "Use `rsync --delete`, never plain `scp -r`, for the upload."),
        ("Bea", "Never use scp for deploys."),
        ("Cy", "Use the tools/deploy.sh script and skip the deploy hooks of your host."),
        ("Dee", "Don't use tools from random blogs for this."),
    )
    assert summarize(e).disagreements == ()


def test_an_imperative_verb_is_not_the_thing_advised() -> None:
    # "Brush …" (the act) and "brushes" (the thing) share a stem, not a subject
    e = entry(
        "How do I keep a cast aluminium grill clean?",
        ("Ann", "Brush it while it's still warm, then oil it lightly."),
        ("Bo", "I don't recommend brushes with steel bristles."),
    )
    assert summarize(e).disagreements == ()


def test_contracted_verdicts_and_emphatic_negations_take_sides() -> None:
    from bot.summary.stance import stance

    assert stance("Chalk's fine for indoor climbing, just brush the holds after.", "chalk") == 1
    assert stance("Never, ever use chalk on a wet rock.", "chalk") == -1
    assert stance("My partner's chalk bag is empty.", "partner") == 0  # a possessive is no verdict
    e = entry(
        "Can I use chalk on sandstone?",
        ("Ann", "Chalk's fine on most sandstone, brush it off afterwards."),
        ("Bo", "Never, ever use chalk on sandstone, it clogs the pores."),
    )
    (d,) = summarize(e).disagreements
    assert sides_of(d) == [{"Ann"}, {"Bo"}]


def test_how_many_asks_for_a_count_of_its_noun() -> None:
    assert asked_dimensions("How many hens should I keep in a 3 m² coop?") == [
        ("How many hens should I keep in a 3 m² coop", ("hen",))
    ]
    assert asked_dimensions("How many times a week should I feed them?")[0][1] == ("period",)
    e = entry(
        "How many hens should I keep in a small backyard coop?",
        ("Ana", "Keep 4–5 hens in a coop that size."),
        ("Bo", "I'd say 4 hens, they need the space."),
        ("Cy", "We keep 12 hens in ours and they're fine."),
    )
    (d,) = summarize(e).disagreements
    assert sides_of(d) == [{"Ana", "Bo"}, {"Cy"}]


def test_a_count_per_another_thing_is_no_answer_to_how_many() -> None:
    q = "How many hens should I keep?"
    assert [f for f in figures("Hens need 4 hens per coop to stay calm.", q) if f[2] == "hen"] == []
    assert figures("Keep 6 hens.", q) == [(6.0, 6.0, "hen", False)]


def test_counts_next_to_each_other_are_one_side() -> None:
    assert compatible(Quantity(36, 36, "land"), Quantity(37, 38, "land"))
    assert not compatible(Quantity(29, 29, "land"), Quantity(36, 36, "land"))


def test_a_comma_before_a_wh_word_starts_another_question_part() -> None:
    from bot.summary.claims import question_parts

    assert question_parts("Should I use a crate or a pen, how often should I let him out?") == [
        "Should I use a crate or a pen",
        "how often should I let him out",
    ]
    assert question_parts("Is it fine, what with the rain?") == ["Is it fine, what with the rain"]


def test_figures_that_time_another_act_are_dropped() -> None:
    e = entry(
        "Should I keep my guinea pigs indoors or outdoors, how often does their hutch need cleaning?",
        ("Ana", "Clean the hutch fully every 7 days, spot clean in between."),
        ("Bo", "A full hutch clean every 3 days in summer."),
        ("Cy", "Long-haired coats want a good brush every 14 days."),
    )
    from bot.summary.positions import figure_disputes

    q = e.question
    ((d, _),) = figure_disputes(extract_units(e), question_features(q), q)
    assert sides_of(d) == [{"Ana"}, {"Bo"}]  # Cy's figure times brushing, not cleaning


def test_verdicts_on_a_named_subject_take_sides() -> None:
    from bot.summary.positions import _subject_verdict

    assert _subject_verdict("Cold brine soaks help a lot.")["brine"] == 1
    assert _subject_verdict("Honestly, brining the bird is totally fine.")["brine"] == 1
    assert _subject_verdict("Dry brining is basically a waste of salt.")["brine"] == -1
    assert _subject_verdict("Keep sugar and honey out of the brine.") == {"sugar": -1, "honey": -1}
    assert _subject_verdict("The brine rule is outdated.") == {}  # judges the rule, not brine
    assert _subject_verdict("Brining is fine if the bird is fresh.") == {}  # a condition: no side
    assert _subject_verdict("It is fine.") == {}


def test_advice_on_a_modifier_is_not_advice_on_the_word() -> None:
    e = entry(
        "How do I get my violin ready for a concert?",
        ("Ana", "Use rosin cakes from a music shop, not a hardware store."),
        ("Bo", "Rosin dust is basically a waste of your time to clean off before the show."),
    )
    assert summarize(e).disagreements == ()  # "rosin cakes" and "rosin dust" are different things


def test_a_path_names_one_thing_whatever_its_prefix() -> None:
    e = entry(
        "Which HTTP client should I use in my Rust service?",
        ("Ana", "Don't use `github.com/acme/fetchlib` in new code, it is unmaintained."),
        ("Bo", "Honestly acme/fetchlib is still the best choice for services."),
    )
    (d,) = summarize(e).disagreements
    assert d.topic == "acme/fetchlib"
    assert sides_of(d) == [{"Bo"}, {"Ana"}]


def test_object_stance_with_the_questions_verb_and_short_forms() -> None:
    obj = question_object("Should I make weekly backups for a home NAS?")
    assert obj == ("week", "backup")
    assert object_stance("Do make the weekly backups, it saves you one day.", obj, "make") == 1
    assert object_stance("Yes, make weekly offsite backups.", obj, "make") == 1  # one word between
    assert (
        object_stance("Honestly you can skip the weeklies in year one.", obj, "make") == -1
    )  # the modifier as a noun
    assert (
        object_stance("No weekly job of any kind runs here.", obj, "make") == 0
    )  # the bare modifier: not the object
    assert object_stance("Weekly backups in a small office are perfectly fine.", obj) == 1
    assert object_stance("Weekly backups are fine after the first month if the disk is new.", obj) == 0


def test_yes_no_object_dispute_with_short_forms() -> None:
    e = entry(
        "Should I make weekly backups for a home NAS?",
        ("Ana", "Yes, make weekly offsite backups, RAID is not a backup."),
        ("Bo", "Honestly you can skip the weeklies if nothing on it changes."),
        ("Cy", "Honestly you can skip the weeklies; a monthly copy is plenty."),
    )
    (d,) = summarize(e).disagreements
    assert sides_of(d) == [{"Ana"}, {"Cy"}]  # Bo's is for a case (a condition): no side


def test_a_long_subject_verdict_and_a_later_condition_of_another_part() -> None:
    from bot.summary.positions import _subject_verdict

    v = _subject_verdict(
        "Honestly rotating the two feeds every 2 weeks is totally fine and it's what we do when wet."
    )
    assert v["rotat"] == 1
    assert _subject_verdict("Rotating the two fertilisers is fine when the soil is dry.") == {}
    e = entry(
        "How should I feed my tomatoes?",
        ("Ana", "I don't recommend rotating the two feeds routinely."),
        (
            "Bo",
            "Honestly rotating the two feeds every 2 weeks is totally fine and it's what we do when wet.",
        ),
    )
    (d,) = summarize(e).disagreements
    assert {frozenset(s) for s in sides_of(d)} == {frozenset({"Ana"}), frozenset({"Bo"})}
