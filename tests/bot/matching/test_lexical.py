"""The lexical index's build (bot/matching/lexical.py): chunked, the same arrays whatever the
chunk size, postings in column order with rows ascending."""

from __future__ import annotations

from array import array

import numpy as np
import pytest

from bot.matching import lexical, load_synonyms
from bot.matching.lexical import LexicalIndex
from bot.models import Answer, Entry
from tests.bot.matching.test_indexcache import entries


def varied() -> list[Entry]:
    es = entries(300)
    # units with no word (empty segments), a repeated tag and title, a question repeated as a phrasing
    es.insert(5, Entry(id="blank", question="?!", answers=(Answer("Dr A", "botox lasts months"),)))
    es.insert(9, Entry(id="rep", question="lip filler cost", phrasings=("Lip filler cost!",), tags=("lip",)))
    es.append(
        Entry(
            id="tagged",
            question="peel heal",
            tags=("lip", "peel"),
            answers=(Answer("peel", "x"),),
        )
    )
    return es


def built(es: list[Entry], chunk: int, monkeypatch: pytest.MonkeyPatch) -> dict[str, np.ndarray]:
    monkeypatch.setattr(lexical, "CHUNK_ENTRIES", chunk)
    return LexicalIndex(es, load_synonyms(None)).arrays()


def test_the_arrays_are_the_same_whatever_the_chunk_size(monkeypatch: pytest.MonkeyPatch) -> None:
    es = varied()
    whole = built(es, 10**6, monkeypatch)
    for chunk in (1, 3, 64):
        part = built(es, chunk, monkeypatch)
        assert part.keys() == whole.keys()
        for k, v in whole.items():
            assert part[k].dtype == v.dtype and part[k].tobytes() == v.tobytes(), (chunk, k)


def test_postings_are_by_term_with_each_terms_rows_ascending(monkeypatch: pytest.MonkeyPatch) -> None:
    es = varied()
    a = built(es, 7, monkeypatch)
    for name, n_rows in (("cov", len(es)), ("unit", int(a["n"][1]))):
        rows, vals, indptr = a[f"{name}_rows"], a[f"{name}_vals"], a[f"{name}_indptr"]
        assert indptr[0] == 0 and indptr[-1] == len(rows) == len(vals)
        for c in range(len(indptr) - 1):
            seg = rows[indptr[c] : indptr[c + 1]]
            assert (np.diff(seg) > 0).all() and (seg < n_rows).all()
        assert (vals > 0).all()


def test_a_units_values_are_its_idf_squares_over_its_norm(monkeypatch: pytest.MonkeyPatch) -> None:
    es = varied()
    a = built(es, 5, monkeypatch)
    idf2 = a["idf"] ** 2
    cols = np.repeat(np.arange(len(a["unit_indptr"]) - 1), np.diff(a["unit_indptr"]))
    norm = np.sqrt(np.bincount(a["unit_rows"], weights=idf2[cols], minlength=int(a["n"][1])))
    expected = idf2[cols] / norm[a["unit_rows"]]
    assert np.allclose(a["unit_vals"], expected, rtol=1e-6)


def letters(k: int) -> str:
    """A distinct all-letter word per number (words() keeps letters; no stemmer collapses these)."""
    out = "zq"
    while True:
        k, r = divmod(k, 20)
        out += "bcdfghjklmnpqrstvwx"[r] if r < 19 else "z"
        if not k:
            return out


def test_past_65535_terms_the_numbers_widen_and_every_term_still_scores(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 70,000 distinct words, 100 a body: term numbers outgrow 16 bits in the middle of the build
    es = [
        Entry(
            id=f"e{i}",
            question=f"botox {letters(i)}",
            body=" ".join(letters(1000 + i * 100 + j) for j in range(100)),
        )
        for i in range(700)
    ]
    index = LexicalIndex(es, load_synonyms(None))
    assert len(index.arrays()["idf"]) > 0xFFFF
    for i in (0, 350, 699):
        for word in (letters(1000 + i * 100), letters(1000 + i * 100 + 99)):
            scores = index.score_array(index.query_terms(word))
            assert np.flatnonzero(scores).tolist() == [i], word
    narrow = index.arrays()
    monkeypatch.setattr(
        lexical, "_wide_enough", lambda numbers, count: array("i", numbers)
    )  # 32 bits from the start
    wide = LexicalIndex(es, load_synonyms(None)).arrays()
    assert all(wide[k].tobytes() == v.tobytes() for k, v in narrow.items())
