"""Semantic + lexical fusion (needs the [semantic] extra; skipped cleanly without it)."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy")
pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")

from bot.matching import Matcher, Thresholds, decide, load_embedder, load_synonyms

try:  # works whether or not tests/ is a package
    from tests.test_matching_fixtures import skincare_entries
except ImportError:
    from test_matching_fixtures import skincare_entries  # type: ignore[no-redef]

pytestmark = pytest.mark.semantic


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    emb = load_embedder()
    if emb is None:
        pytest.skip("no ONNX model installed")
    return Matcher(skincare_entries(), synonyms=load_synonyms(None), embedder=emb)


def test_mode(matcher: Matcher) -> None:
    assert matcher.mode == "semantic+lexical"


def test_missing_model_dir_falls_back_to_none(tmp_path) -> None:
    assert load_embedder(str(tmp_path)) is None


def test_embeddings_are_normalised_and_meaningful(matcher: Matcher) -> None:
    emb = load_embedder()
    assert emb is not None
    v = emb.embed(["botox smooth skin", "neurotoxin makes skin smoother", "pizza delivery"])
    norms = (v * v).sum(axis=1)
    assert norms == pytest.approx([1.0, 1.0, 1.0], abs=1e-4)
    assert v[0] @ v[1] > v[0] @ v[2]


@pytest.mark.parametrize(
    "query",
    ["botox pores", "dysport smooth forehead", "does tox shrink pores",
     "why is my forehead smoother after tox"],
)
def test_seed_queries(matcher: Matcher, query: str) -> None:
    top = matcher.rank(query)
    assert top and top[0].entry_id == "botox-smoother-skin"
    assert decide(query, top, Thresholds()).decision in {"answer", "suggest"}


@pytest.mark.parametrize(
    "query", ["how do I reset my router", "what's the capital of France", "best pizza in town"]
)
def test_unrelated_get_none(matcher: Matcher, query: str) -> None:
    assert decide(query, matcher.rank(query), Thresholds()).decision == "none"


def test_paraphrase_without_shared_words(matcher: Matcher) -> None:
    top = matcher.rank("my face is peeling after an acid treatment")
    assert top and top[0].entry_id == "chemical-peel-downtime"
