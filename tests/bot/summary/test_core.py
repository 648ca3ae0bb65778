"""Expert-answer summaries (issue #4): the seed thread and small constructed threads."""

from __future__ import annotations

import pytest

from bot.importer import parse_thread
from bot.models import Answer, Entry, Provider, Summary, supporter_label
from bot.summary import effective_summary, summarize, summary_from_dict, summary_to_dict
from bot.summary.core import MAX_POINT_CHARS, extract_units, question_subject, rendered_length, resolve_it
from bot.summary.sentences import content_stems
from tests.conftest import ROOT

SEED = ROOT / "data" / "seed" / "botox-smoother-skin.txt"


@pytest.fixture(scope="module")
def seed() -> Entry:
    return parse_thread(SEED.read_text(encoding="utf-8")).entry


@pytest.fixture(scope="module")
def seed_summary(seed: Entry) -> Summary:
    return summarize(seed)


def all_texts(s: Summary) -> list[str]:
    return [p.text for p in s.points] + [x.text for d in s.disagreements for x in d.sides]


def labels_of(entry: Entry) -> list[str]:
    return [supporter_label(a.provider) for a in entry.answers]


def answers_by(entry: Entry, label: str) -> list[str]:
    return [a.text for a in entry.answers if supporter_label(a.provider) == label]


def entry(question: str, *answers: tuple[str | None, str]) -> Entry:
    return Entry(
        id="t",
        question=question,
        answers=tuple(
            Answer(title=f"a{i}", text=text, provider=Provider(name=name) if name else None)
            for i, (name, text) in enumerate(answers)
        ),
    )


# ── the seed ────────────────────────────────────────────────────────────────────────────


def test_seed_muscle_relaxation_point(seed_summary: Summary) -> None:
    top = seed_summary.points[0]
    assert {"muscl", "relax"} <= set(content_stems(top.text))
    assert top.count >= 5
    # Some who say it in other words ("relaxing the muscles … in the treated area") are left
    # out when in doubt: a missed supporter, never a false one.
    assert {"Aldo Guerra", "Sharon Scherl"} <= set(top.supporters)


def test_seed_pore_disagreement(seed_summary: Summary) -> None:
    pores = [d for d in seed_summary.disagreements if "pore" in d.topic]
    assert len(pores) == 1
    d = pores[0]
    assert d.topic == "pore size"
    assert len(d.sides) == 2
    by_name = {name: i for i, side in enumerate(d.sides) for name in side.supporters}
    assert by_name["Hardik Soni"] != by_name["Omeed Memar"]
    unchanged = d.sides[by_name["Hardik Soni"]]
    smaller = d.sides[by_name["Omeed Memar"]]
    assert "not" in unchanged.text or "n't" in unchanged.text
    assert {"Dr. Green", "unattributed"} <= set(unchanged.supporters)
    assert {"Aldo Guerra", "Sharon Scherl", "Matthew Brace", "Dr. Richard Swift"} <= set(smaller.supporters)
    assert "unnamed facial plastic surgeon in Panama City" in smaller.supporters
    # each side quotes one expert; the others hold the position but did not write the quote
    assert unchanged.quoted_from == "Hardik Soni"
    assert unchanged.text == "Botox does not change your pore size."
    assert smaller.quoted_from == "unnamed facial plastic surgeon in Panama City"
    assert unchanged.credit() == "Hardik Soni; also 2 unattributed, Dr. Green"
    # nobody is on both sides of the pore question (the two unattributed answers both say
    # "not changed"; answer 10 is signed by Dr. Richard Swift)
    assert not set(unchanged.supporters) & set(smaller.supporters)


def test_seed_contested_sentences_are_not_points(seed_summary: Summary) -> None:
    for p in seed_summary.points:
        stems = set(content_stems(p.text))
        assert "pore" not in stems, p.text


def test_seed_oil_point(seed_summary: Summary) -> None:
    oil = [p for p in seed_summary.points if "oil" in content_stems(p.text)]
    assert oil
    assert oil[0].count >= 2
    assert "Sharon Scherl" in oil[0].supporters or "Matthew Brace" in oil[0].supporters
    # The quote's "It" (Botox, named in the expert's previous sentence) is made explicit.
    assert oil[0].text == "[Botox] causes the sebaceous glands to secrete less oil."
    assert not any(p.text.startswith("It ") for p in seed_summary.points)


def test_it_is_resolved_only_from_the_same_experts_previous_sentence() -> None:
    def entry(*answers: str) -> Entry:
        return Entry(id="x", question="Does Dysport last longer than fillers?",
                     answers=tuple(Answer(title=f"t{i}", text=t) for i, t in enumerate(answers)))  # fmt: skip

    assert question_subject("Why does Botox make my skin appear smoother?") == "Botox"
    assert question_subject("Why does Botox beat Dysport?") is None  # two names: no guess
    assert question_subject("how long does filler last?") is None
    units = extract_units(entry(
        "Dysport is a neurotoxin injected into muscles. It lasts about four months in most patients.",
        "Fillers are gels placed under the skin. It lasts a year or more in most patients.",
    ))  # fmt: skip
    assert resolve_it(units[1], units, "Dysport") == "[Dysport] lasts about four months in most patients."
    assert resolve_it(units[3], units, "Dysport") == units[3].text  # its "It" is the filler
    assert resolve_it(units[1], units, None) == units[1].text


def test_seed_no_pleasantries(seed_summary: Summary) -> None:
    text = " ".join(all_texts(seed_summary)).lower()
    for bad in ("enjoy your botox", "thank you", "hope this helps", "best,", "best wishes",
                "great observation", "observation is correct", "observations are correct",
                "dr. aldo", "best of luck", "hello", "dear robin"):  # fmt: skip
        assert bad not in text


def test_seed_supporters_made_the_point(seed: Entry, seed_summary: Summary) -> None:
    """Every supporter is a real label whose answer shares the point's distinctive words."""
    known = set(labels_of(seed))
    q = set(content_stems(seed.question))
    for p in seed_summary.points:
        key = set(content_stems(p.text)) - q
        for name in p.supporters:
            assert name in known
            assert any(
                len(key & set(content_stems(t))) >= 1
                and len(set(content_stems(p.text)) & set(content_stems(t))) >= 2
                for t in answers_by(seed, name)
            ), (name, p.text)
    for d in seed_summary.disagreements:
        for side in d.sides:
            for name in side.supporters:
                assert name in known
                assert any("pore" in content_stems(t) for t in answers_by(seed, name))


def test_seed_shape(seed: Entry, seed_summary: Summary) -> None:
    assert not seed_summary.curated
    # 10 answers by 10 people: the two unattributed answers are two different experts
    assert seed_summary.experts == 10
    assert 3 <= len(seed_summary.points) <= 6
    counts = [p.count for p in seed_summary.points]
    assert counts == sorted(counts, reverse=True)
    for p in seed_summary.points:
        named = [x for x in p.supporters if x != "unattributed"]
        assert len(named) == len(set(named))
        assert p.count <= seed_summary.experts
    assert rendered_length(seed_summary) < 4096


def test_seed_deterministic(seed: Entry, seed_summary: Summary) -> None:
    assert summarize(seed) == seed_summary
    assert summarize(seed.with_changes(id="other-id")) == seed_summary


def test_max_points(seed: Entry) -> None:
    assert len(summarize(seed, max_points=2).points) == 2
    assert summarize(seed, max_points=0).points == ()


# ── constructed threads ─────────────────────────────────────────────────────────────────


def test_full_agreement() -> None:
    e = entry(
        "Does sunscreen prevent sunburn?",
        ("Ann Lee", "Thank you for your question. Sunscreen blocks ultraviolet rays that burn "
                    "the skin. Hope this helps!"),
        ("Bo Chen", "Yes. Sunscreen blocks the ultraviolet rays which cause the burn."),
        ("Cy Diaz", "Broad spectrum sunscreen blocks ultraviolet radiation, preventing burns. "
                    "Best, Dr. Diaz"),
    )  # fmt: skip
    s = summarize(e)
    assert s.experts == 3
    assert s.disagreements == ()
    assert s.points[0].supporters == ("Ann Lee", "Bo Chen", "Cy Diaz")
    assert "ultraviolet" in s.points[0].text.lower()


def test_direct_contradiction() -> None:
    e = entry(
        "Does retinol cause acne?",
        ("Ann Lee", "Retinol does not cause acne. It unclogs pores over time."),
        ("Bo Chen", "Retinol can cause acne in the first weeks, a purge that settles."),
        ("Cy Diaz", "In my experience retinol does not cause acne at all."),
    )
    s = summarize(e)
    assert len(s.disagreements) == 1
    d = s.disagreements[0]
    sides = {frozenset(x.supporters) for x in d.sides}
    assert sides == {frozenset({"Ann Lee", "Cy Diaz"}), frozenset({"Bo Chen"})}
    assert d.topic == "whether retinol can cause acne"
    # never merged into one point, never silently picked
    for p in s.points:
        assert "cause acne" not in p.text.lower()


def test_opposite_outcomes() -> None:
    e = entry(
        "What does laser do to pores?",
        ("Ann Lee", "After the laser the pores become smaller within a month."),
        ("Bo Chen", "Honestly the pores become larger for a few weeks after the laser."),
    )
    s = summarize(e)
    assert len(s.disagreements) == 1
    assert {x.supporters for x in s.disagreements[0].sides} == {("Ann Lee",), ("Bo Chen",)}


def test_one_answer_only() -> None:
    e = entry(
        "How long does filler last?",
        ("Ann Lee", "Hyaluronic filler usually lasts between six and twelve months. "
                    "Lips break it down faster than cheeks. Thank you for your question."),
    )  # fmt: skip
    s = summarize(e)
    assert s.experts == 1
    assert s.disagreements == ()
    assert 1 <= len(s.points) <= 2
    assert all(p.supporters == ("Ann Lee",) for p in s.points)
    assert not any("thank" in p.text.lower() for p in s.points)


def test_only_pleasantries() -> None:
    e = entry(
        "Is this normal?",
        ("Ann Lee", "Thank you for your question! Hope this helps. Best, Dr. Lee"),
        (None, "Great question. Enjoy your Botox! Best wishes!"),
        ("Cy Diaz", ""),
    )
    s = summarize(e)
    assert s.is_empty()
    assert s.experts == 0
    assert summarize(Entry(id="x", question="Empty?")) == Summary()


def test_very_long_answer() -> None:
    sentence = (
        "The hyaluronic acid filler integrates with the surrounding tissue and is slowly "
        "metabolised by the body over many months, "
    )
    giant = "Filler duration depends on metabolism, " + sentence * 30 + "which varies."
    many = " ".join(f"Point number {i} concerns topic{i} and detail{i} specifically." for i in range(300))
    e = entry("How long does filler last?", ("Ann Lee", giant), ("Bo Chen", many))
    s = summarize(e, max_points=6)
    assert len(s.points) <= 6
    for text in all_texts(s):
        assert len(text) <= MAX_POINT_CHARS
    long_ones = [p.text for p in s.points if p.text.endswith("…")]
    for t in long_ones:
        assert not t[:-1].endswith(" ")
        assert t[:-1] in giant  # cut at a word boundary, in the expert's own words
    assert rendered_length(s) < 4096
    assert len(extract_units(e)) <= 160


def test_two_entries_sharing_words_do_not_mix() -> None:
    a = entry(
        "Does Botox help migraines?",
        ("Ann Lee", "Botox relaxes the muscles that trigger tension migraines."),
        ("Bo Chen", "Botox relaxes muscles and blocks pain signals behind migraines."),
    )
    b = entry(
        "Does Botox help sweating?",
        ("Cy Diaz", "Botox blocks the nerves that activate sweat glands."),
        ("Di Ek", "Botox blocks sweat gland nerves for about six months."),
    )
    sa, sb = summarize(a), summarize(b)
    again_a = summarize(a)
    assert sa == again_a
    names_a = {n for p in sa.points for n in p.supporters}
    names_b = {n for p in sb.points for n in p.supporters}
    # "relaxes muscles and blocks pain signals" does not state "relaxes the muscles that
    # trigger tension migraines": each keeps their own point; no one crosses entries
    assert names_a == {"Ann Lee", "Bo Chen"} or all(len(p.supporters) == 1 for p in sa.points)
    assert names_a <= {"Ann Lee", "Bo Chen"} and names_a
    assert names_b <= {"Cy Diaz", "Di Ek"} and names_b
    assert all("sweat" not in p.text.lower() for p in sa.points)
    assert all("migraine" not in p.text.lower() for p in sb.points)


def test_named_expert_counts_once_unattributed_answers_each_count() -> None:
    e = entry(
        "Why do bruises appear after filler?",
        (None, "The needle can puncture small blood vessels, which causes bruising."),
        (None, "Bruising comes from the needle puncturing small blood vessels."),
        ("Ann Lee", "A needle that punctures small blood vessels causes the bruising."),
        ("Ann Lee", "Small blood vessels punctured by the needle cause bruising."),
    )
    s = summarize(e)
    assert s.experts == 3  # two unknown authors are two people; Ann Lee is one
    assert s.points[0].supporters == ("unattributed", "unattributed", "Ann Lee")


def test_specialty_only_label() -> None:
    e = Entry(
        id="t",
        question="Why is my skin smoother?",
        answers=(
            Answer("a", "Botox relaxes the forehead muscles, smoothing lines.",
                   Provider(specialty="Facial Plastic Surgeon", location="Panama City")),
            Answer("b", "Relaxed forehead muscles smooth out the lines.", None),
        ),
    )  # fmt: skip
    s = summarize(e)
    assert set(s.points[0].supporters) == {
        "unnamed facial plastic surgeon in Panama City",
        "unattributed",
    }


# ── curated summaries and the dict round trip ──────────────────────────────────────────


def test_round_trip(seed_summary: Summary) -> None:
    d = summary_to_dict(seed_summary)
    assert summary_from_dict(d) == seed_summary
    import json

    assert summary_from_dict(json.loads(json.dumps(d))) == seed_summary


def test_from_hand_written_yaml_dict() -> None:
    s = summary_from_dict(
        {
            "points": [{"text": "Muscles relax.", "supporters": ["Aldo Guerra"]}],
            "disagreements": [{"topic": "pore size", "sides": [{"text": "No change.", "supporters": "X"}]}],
        }
    )
    assert s.points[0].supporters == ("Aldo Guerra",)
    assert s.disagreements[0].sides[0].supporters == ("X",)
    assert s.experts == 0 and s.curated is False
    with pytest.raises(ValueError, match=r"points\.0\.text"):
        summary_from_dict({"points": [{"supporters": ["A"]}]})


def test_curated_wins(seed: Entry, seed_summary: Summary) -> None:
    curated = summary_from_dict({"points": [{"text": "Curated.", "supporters": ["Aldo Guerra"]}]})
    e = seed.with_changes(summary=curated)
    eff = effective_summary(e, seed_summary)
    assert eff.curated is True
    assert eff.points[0].text == "Curated."
    assert eff.experts == seed_summary.experts
    assert effective_summary(seed, seed_summary) is seed_summary
    assert effective_summary(seed, None) == seed_summary


def test_seed_acne_not_credited_to_oil_only_answers(seed: Entry) -> None:
    s = summarize(seed, max_points=20)
    for p in s.points:
        if "acne" in p.text.lower():
            assert p.supporters == ("Matthew Brace",)


def test_seed_points_fit_discord(seed_summary: Summary) -> None:
    for text in all_texts(seed_summary):
        assert 0 < len(text) <= MAX_POINT_CHARS
    for d in seed_summary.disagreements:
        assert 0 < len(d.topic) <= 100
