"""Exact and near-exact matches answer at 1.0; rich entries don't dilute (issue 14)."""

from __future__ import annotations

import pytest

from bot.matching import Matcher, Thresholds, decide, load_embedder, load_synonyms
from bot.models import Answer, Entry
from tests.bot.matching.fixtures import SEED_ID, skincare_entries


def _matchers(entries: list[Entry]) -> list[Matcher]:
    """Lexical always; fused too when the [semantic] extra and its model are installed."""
    syn = load_synonyms(None)
    out = [Matcher(entries, synonyms=syn)]
    emb = load_embedder()
    if emb is not None:
        out.append(Matcher(entries, synonyms=syn, embedder=emb))
    return out


def ask(m: Matcher, q: str):
    return decide(q, m.rank(q), Thresholds())


def _with_seed_phrasing() -> list[Entry]:
    entries = skincare_entries()
    entries[0] = entries[0].with_changes(phrasings=("sebum reduction after injections",))
    return entries


@pytest.mark.parametrize(
    "query",
    [
        "sebum reduction after injections",  # the case, verbatim
        "Sebum reduction, after injections!",  # normalised
        "sebum reductoin after injection",  # typo-snapped and stemmed
    ],
)
def test_an_entrys_own_phrasing_answers_at_full_confidence(query: str) -> None:
    for m in _matchers(_with_seed_phrasing()):
        r = ask(m, query)
        assert (r.decision, r.best and r.best.entry_id, r.confidence) == ("answer", SEED_ID, 1.0), m.mode


def test_an_entry_with_ten_untitled_answers_answers_its_exact_question() -> None:
    answers = tuple(Answer(title=f"Answer {n}", text=f"Expert view number {n} on lasers.") for n in range(10))
    rich = Entry(id="laser-tattoo", question="Does laser tattoo removal leave scars?", answers=answers)
    for m in _matchers([*skincare_entries(), rich]):
        r = ask(m, "does laser tattoo removal leave scars")
        assert r.decision == "answer" and r.best is not None and r.best.entry_id == "laser-tattoo"
        assert r.confidence == 1.0


def test_an_entry_with_ten_short_aliases_answers_its_own_question() -> None:
    aliases = ("tox", "brow lift", "frown", "lines", "wrinkles", "forehead", "units", "dose", "crows", "11s")
    e = Entry(id="botox-units", question="How many units of Botox for forehead lines?", phrasings=aliases)
    for m in _matchers([*skincare_entries(), e]):
        for q in ("How many units of Botox for forehead lines?", "wrinkles"):
            r = ask(m, q)
            assert r.decision == "answer" and r.best is not None and r.best.entry_id == "botox-units", (
                m.mode,
                q,
            )
            assert r.confidence == 1.0


def test_a_shared_phrasing_is_not_an_exact_match_for_an_unrelated_query() -> None:
    for m in _matchers(_with_seed_phrasing()):
        assert ask(m, "sebum").confidence < 1.0
        assert ask(m, "how do I reset my router").decision == "none"


def test_a_rich_entry_answers_what_its_answers_are_about() -> None:
    """The seed's answers say pores look smaller: answer text adds evidence (the fused
    matcher used to give 0.04 here)."""
    for m in _matchers(skincare_entries()):
        r = ask(m, "why do my pores look smaller")
        assert r.decision == "answer" and r.best is not None and r.best.entry_id == SEED_ID, m.mode


def test_botox_side_effects_is_not_answered_by_the_smoother_skin_entry() -> None:
    for m in _matchers(skincare_entries()):
        r = ask(m, "botox side effects")
        assert not (r.decision == "answer" and r.best is not None and r.best.entry_id == SEED_ID)


def test_no_wrong_did_you_mean_on_the_seed_store_at_its_calibrated_bars() -> None:
    """On a store of the seed alone, "botox side effects" used to get "did you mean: Why does
    Botox make my skin appear smoother?". At the store's own bars it gets nothing."""
    from bot.matching import bars
    from tests.bot.matching.fixtures import seed_entry

    syn = load_synonyms(None)
    emb = load_embedder()

    def build(es: list[Entry]) -> Matcher:
        return Matcher(es, synonyms=syn, embedder=emb)

    th = bars.calibrate([seed_entry()], build).thresholds()
    m = build([seed_entry()])
    r = decide("botox side effects", m.rank("botox side effects"), th)
    assert r.decision == "none" and r.suggestions == ()
    for q in ("why do my pores look smaller", "botox pores", "does tox shrink pores"):
        assert decide(q, m.rank(q), th).decision == "answer", q
