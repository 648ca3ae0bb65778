"""Semantic + lexical fusion (needs the [semantic] extra; skipped cleanly without it)."""

from __future__ import annotations

import pytest

pytest.importorskip("numpy")
pytest.importorskip("onnxruntime")
pytest.importorskip("tokenizers")

from bot.matching import Matcher, Thresholds, decide, load_embedder, load_synonyms
from tests.bot.matching.fixtures import SEED_ID, SEED_QUERIES, UNRELATED, seed_entry, skincare_entries

pytestmark = pytest.mark.semantic


@pytest.fixture(scope="module")
def matcher() -> Matcher:
    emb = load_embedder()
    if emb is None:
        pytest.skip("no ONNX model installed")
    return Matcher(skincare_entries(), synonyms=load_synonyms(None), embedder=emb)


@pytest.fixture(scope="module")
def single() -> Matcher:
    emb = load_embedder()
    if emb is None:
        pytest.skip("no ONNX model installed")
    return Matcher([seed_entry()], synonyms=load_synonyms(None), embedder=emb)


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


def test_batches_give_each_text_its_own_vector() -> None:
    """Texts are sorted by length and split into batches; every vector must land on its own
    text and match what the text gets embedded alone (one fresh embedder per text)."""
    texts = ["botox pores", "why is my forehead smoother after tox", "pizza", "a b c d e f g h"] * 2
    texts += [f"phrasing number {i} about skin" for i in range(70)]
    together = load_embedder()
    assert together is not None
    v = together.embed(texts, batch_size=8)
    for i in (0, 1, 2, 3, 4, 40, 77):
        alone = load_embedder()
        assert alone is not None
        assert alone.embed([texts[i]])[0] == pytest.approx(v[i], abs=2e-3)
    assert (v[0] == v[4]).all()  # the same text twice: one vector


@pytest.mark.parametrize("query", SEED_QUERIES)
def test_seed_queries_answered_with_default_thresholds(matcher: Matcher, query: str) -> None:
    result = decide(query, matcher.rank(query), Thresholds())
    assert result.decision == "answer", result
    assert result.best is not None and result.best.entry_id == SEED_ID


@pytest.mark.parametrize("query", SEED_QUERIES)
def test_seed_queries_single_entry_store(single: Matcher, query: str) -> None:
    result = decide(query, single.rank(query), Thresholds())
    assert result.decision == "answer" and result.best is not None


@pytest.mark.parametrize("query", UNRELATED)
def test_unrelated_get_none(matcher: Matcher, single: Matcher, query: str) -> None:
    assert decide(query, matcher.rank(query), Thresholds()).decision == "none"
    assert decide(query, single.rank(query), Thresholds()).decision == "none"


def test_synonyms_reach_the_embedder(matcher: Matcher) -> None:
    """ "tox" means nothing to the model; the query is also embedded as the store spells it
    ("botox"), so the semantic score of the seed rises."""
    f = matcher.feature_matrix("does tox shrink pores")
    assert matcher.entries[int(f[:, 3].argmax())].id == SEED_ID


def test_embedding_disk_cache_round_trip(tmp_path) -> None:
    first = load_embedder(cache_dir=tmp_path)
    assert first is not None
    texts = [f"cache probe sentence number {i}" for i in range(70)]
    v1 = first.embed(texts)
    first.flush()
    assert list(tmp_path.glob("embeddings-*.npz"))
    second = load_embedder(cache_dir=tmp_path)
    assert second is not None
    second._session = None  # type: ignore[assignment]  # must not run the model
    assert (second.embed(texts) == v1).all()


def test_damaged_cache_is_ignored(tmp_path) -> None:
    emb = load_embedder(cache_dir=tmp_path)
    assert emb is not None
    emb.embed(["x"])
    emb.flush()
    files = list(tmp_path.glob("embeddings-*.npz"))
    assert files
    for p in files:
        p.write_bytes(b"junk")
    again = load_embedder(cache_dir=tmp_path)
    assert again is not None and again.embed(["hello"]).shape == (1, again.dim)


def test_paraphrase_without_shared_words(matcher: Matcher) -> None:
    top = matcher.rank("my face is peeling after an acid treatment")
    assert top and top[0].entry_id == "chemical-peel-downtime"


@pytest.mark.parametrize("query", ["does botox hurt", "how much does botox cost", "bruises after tox"])
def test_no_confident_answer_about_words_the_entry_never_mentions(single: Matcher, query: str) -> None:
    assert decide(query, single.rank(query), Thresholds()).decision != "answer"


def test_a_query_is_not_written_to_the_disk_cache(tmp_path) -> None:
    """Entries' texts persist; a member's query does not (the file would grow with every
    question asked), though it is still cached in memory."""
    emb = load_embedder(cache_dir=tmp_path)
    assert emb is not None
    kept = emb.embed(["an entry's phrasing about peels"])
    query = emb.embed(["a member asking about peels"], persist=False)
    emb.flush()
    again = load_embedder(cache_dir=tmp_path)
    assert again is not None
    again._session = None  # type: ignore[assignment]  # a cached text must not run the model
    assert (again.embed(["an entry's phrasing about peels"]) == kept).all()
    with pytest.raises(AttributeError):  # not cached: it would run the (removed) model
        again.embed(["a member asking about peels"])
    emb._session = None  # type: ignore[assignment]
    assert (emb.embed(["a member asking about peels"]) == query).all()  # in memory
