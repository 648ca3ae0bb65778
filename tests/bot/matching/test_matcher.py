"""Lexical matching (always tested): normalisation, synonyms, typos, ranking, decisions."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.matching import Matcher, Synonyms, Thresholds, decide, load_synonyms
from bot.matching.normalize import words
from bot.models import Candidate, Entry
from tests.bot.matching.fixtures import SEED_ID, SEED_QUERIES, UNRELATED, seed_entry, skincare_entries


@pytest.fixture(scope="module")
def synonyms() -> Synonyms:
    return load_synonyms(None)


@pytest.fixture(scope="module")
def matcher(synonyms: Synonyms) -> Matcher:
    return Matcher(skincare_entries(), synonyms=synonyms)


def ask(m: Matcher, q: str, th: Thresholds | None = None):
    return decide(q, m.rank(q), th or Thresholds())


def test_normalisation_folds_case_accents_punctuation_possessives() -> None:
    assert words("BOTOX's “Effect” on Crow’s-feet, naïve détox!") == [
        "botox",
        "effect",
        "on",
        "crow",
        "feet",
        "naive",
        "detox",
    ]
    assert words("patients' don't") == ["patients", "dont"]


def test_synonyms_rewrite_phrases_longest_first(synonyms: Synonyms) -> None:
    rewritten = synonyms.apply(words("botulinum toxin for crow's feet"))
    assert rewritten == ["botox", "for", "crows", "feet"]
    assert synonyms.apply(["tox"]) == ["botox"]


def test_synonyms_merge_per_guild(synonyms: Synonyms) -> None:
    guild = Synonyms.from_mapping({"botox": ["bottox juice"], "kybella": ["chin fat melt"]})
    merged = synonyms.merged(guild)
    assert merged.apply(words("bottox juice")) == ["botox"]
    assert merged.apply(words("chin fat melt")) == ["kybella"]
    assert merged.apply(["dysport"]) == ["botox"]  # shipped groups kept
    assert synonyms.apply(words("chin fat melt")) == ["chin", "fat", "melt"]  # original untouched


def test_load_synonyms_rejects_bad_structure(tmp_path) -> None:
    bad = tmp_path / "syn.yaml"
    bad.write_text("- just\n- a list\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"syn\.yaml"):
        load_synonyms(bad)


@pytest.mark.parametrize("query", SEED_QUERIES)
def test_seed_queries_answer_with_seed_entry(matcher: Matcher, query: str) -> None:
    result = ask(matcher, query)
    assert result.decision == "answer", result
    assert result.best is not None and result.best.entry_id == SEED_ID


@pytest.mark.parametrize("query", SEED_QUERIES)
def test_seed_queries_single_entry_store(synonyms: Synonyms, query: str) -> None:
    m = Matcher([seed_entry()], synonyms=synonyms)
    result = ask(m, query)
    assert result.decision == "answer" and result.best is not None


@pytest.mark.parametrize("query", UNRELATED)
def test_unrelated_queries_get_none_single_entry_store(synonyms: Synonyms, query: str) -> None:
    m = Matcher([seed_entry()], synonyms=synonyms)
    assert ask(m, query).decision == "none"


def test_answer_titles_are_phrasing_level_units(synonyms: Synonyms) -> None:
    """ "botox pores" is answered because an expert titled an answer "Smother skin and
    smaller pores after Botox"; with the titles blanked, the same words are only scattered
    through body and answer text and the confidence drops."""
    seed = seed_entry()
    untitled = seed.with_changes(answers=tuple(a.__class__(title="", text=a.text) for a in seed.answers))
    with_titles = Matcher([seed], synonyms=synonyms).rank("botox pores")[0].confidence
    without = Matcher([untitled], synonyms=synonyms).rank("botox pores")[0].confidence
    assert with_titles > without


@pytest.mark.parametrize("query", UNRELATED)
def test_unrelated_queries_get_none(matcher: Matcher, query: str) -> None:
    assert ask(matcher, query).decision == "none"


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("how long does juvederm last", "filler-longevity"),
        ("lip filler lasting", "filler-longevity"),
        ("peeling after tca peel", "chemical-peel-downtime"),
        ("tretinoin redness", "retinol-irritation"),
        ("how many lhr sessions", "laser-hair-removal-sessions"),
        ("bruises after tox", "botox-bruising"),
        ("retinl flaky skin", "retinol-irritation"),
    ],
)
def test_other_entries_rank_first(matcher: Matcher, query: str, expected: str) -> None:
    top = matcher.rank(query)
    assert top and top[0].entry_id == expected


def test_confidence_is_calibrated_range_and_sorted(matcher: Matcher) -> None:
    for q in [*SEED_QUERIES, *UNRELATED, "botox"]:
        ranked = matcher.rank(q)
        assert all(0.0 <= c.confidence <= 1.0 for c in ranked)
        confs = [c.confidence for c in ranked]
        assert confs == sorted(confs, reverse=True)


def test_confidence_does_not_depend_on_unrelated_entries(synonyms: Synonyms) -> None:
    """The service merges global and guild rankings, so adding unrelated entries must not
    swing an exact match's confidence much."""
    small = Matcher(skincare_entries(), synonyms=synonyms).rank("botox pores")[0].confidence
    padding = [Entry(id=f"x{i}", question=f"Question about topic number {i} gardening") for i in range(200)]
    big = Matcher([*skincare_entries(), *padding], synonyms=synonyms).rank("botox pores")
    assert big[0].entry_id == SEED_ID
    assert abs(big[0].confidence - small) < 0.1


def test_ambiguous_query_suggests_close_candidates(matcher: Matcher) -> None:
    result = ask(matcher, "botox")
    ids = {c.entry_id for c in result.suggestions} | {result.best.entry_id if result.best else ""}
    assert {SEED_ID, "botox-bruising"} <= ids
    assert len(result.suggestions) <= 3


def test_suggest_decision_between_thresholds(matcher: Matcher) -> None:
    conf = matcher.rank("botox pores")[0].confidence
    th = Thresholds(answer=min(1.0, conf + 0.01), suggest=conf - 0.01, keyword=1.0)
    result = ask(matcher, "botox pores", th)
    assert result.decision == "suggest" and result.best is None
    assert result.suggestions[0].entry_id == SEED_ID


def test_decide_dedupes_and_orders() -> None:
    cands = [Candidate("a", "A", 0.3), Candidate("b", "B", 0.9), Candidate("a", "A", 0.95)]
    result = decide("q", cands, Thresholds(answer=0.5, suggest=0.2, keyword=0.9))
    assert result.best == Candidate("a", "A", 0.95)
    assert [c.entry_id for c in result.suggestions] == ["b"]
    assert decide("q", [], Thresholds()).decision == "none"


def test_thresholds_validate() -> None:
    with pytest.raises(ValueError):
        Thresholds(answer=0.3, suggest=0.5)
    with pytest.raises(ValueError):
        Thresholds(answer=1.5)


def test_empty_matcher_works() -> None:
    m = Matcher([])
    assert m.rank("botox") == [] and m.autocomplete("bot") == [] and m.mode == "lexical"
    assert decide("botox", m.rank("botox"), Thresholds()).decision == "none"


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        "\x00",
        '"',
        "AND OR NOT",
        "bot*",
        "NEAR(a b)",
        "col:val",
        "((",
        "''",
        "🙂🙂",
        "的的的",
        "a" * 5000,
        "-botox",
        "^botox",
        "botox OR",
        "\u200b\u200b",
    ],
)
def test_hostile_input_never_raises(matcher: Matcher, query: str) -> None:
    matcher.rank(query)
    matcher.autocomplete(query)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=80))
def test_any_text_never_raises(text: str) -> None:
    m = _shared_matcher()
    for c in m.rank(text):
        assert 0.0 <= c.confidence <= 1.0
    assert len(m.autocomplete(text)) <= 25


_CACHE: dict[str, Matcher] = {}


def _shared_matcher() -> Matcher:
    if "m" not in _CACHE:
        _CACHE["m"] = Matcher(skincare_entries(), synonyms=load_synonyms(None))
    return _CACHE["m"]


def test_autocomplete_partial_input(matcher: Matcher) -> None:
    ids = [c.entry_id for c in matcher.autocomplete("bot")]
    assert set(ids[:2]) == {SEED_ID, "botox-bruising"}
    assert matcher.autocomplete("laser ha")[0].entry_id == "laser-hair-removal-sessions"
    assert matcher.autocomplete("chemical p")[0].entry_id == "chemical-peel-downtime"


def test_autocomplete_limit_and_empty_input(synonyms: Synonyms) -> None:
    many = [Entry(id=f"e{i:03}", question=f"Botox question number {i}") for i in range(60)]
    m = Matcher(many, synonyms=synonyms)
    assert len(m.autocomplete("bot")) == 25
    assert len(m.autocomplete("bot", limit=5)) == 5
    listed = m.autocomplete("")
    assert len(listed) == 25 and [c.question for c in listed] == sorted(c.question for c in listed)


# Botox questions the seed does not answer: it shares "botox" with them, nothing more.
ON_TOPIC_NOT_ANSWERED = ["does botox hurt", "how much does botox cost", "how long does botox last"]


@pytest.mark.parametrize("query", ON_TOPIC_NOT_ANSWERED)
def test_no_confident_answer_about_words_the_entry_never_mentions(synonyms: Synonyms, query: str) -> None:
    gated = Matcher([seed_entry()], synonyms=synonyms)
    assert ask(gated, query).decision != "answer"
    # The gate is what lowers it: the same ranking without it is more confident.
    raw = Matcher([seed_entry()], synonyms=synonyms, coverage_gate=False)
    assert gated.scores(query).get(0, 0.0) < raw.scores(query)[0]


def test_tightness_is_the_mean_pairwise_cosine_shrunk_to_the_store_mean() -> None:
    import numpy as np

    from bot.matching.semindex import TIGHTNESS_PRIOR, _tightness

    e = np.eye(4, dtype=np.float32)
    same = np.stack([e[0]] * 4)  # four identical phrasings: pairwise cosine 1
    apart = e  # four orthogonal phrasings: pairwise cosine 0
    means = np.stack([same.mean(0), apart.mean(0), e[2]])  # the last entry has one unit
    got = _tightness(means, np.array([4, 4, 1]))
    prior = 0.5  # the store's mean over entries with 2+ units
    pairs = 6  # 4 units: 6 pairs
    assert got[0] == pytest.approx((1.0 * pairs + TIGHTNESS_PRIOR * prior) / (pairs + TIGHTNESS_PRIOR))
    assert got[1] == pytest.approx((0.0 * pairs + TIGHTNESS_PRIOR * prior) / (pairs + TIGHTNESS_PRIOR))
    assert got[2] == pytest.approx(prior)  # one unit says nothing about agreement
