"""The embedding index's per-entry arrays (`bot/matching/semindex.py`): computed in float32
and in blocks to keep the open's peak down (issue 17), with exactly the values of the plain
float64 formulas."""

from __future__ import annotations

import numpy as np

from bot.matching import semindex
from bot.matching.semindex import SemanticIndex, units_of
from bot.models import Answer, Entry


class RandomEmbedder:
    dim = 16

    def embed(self, texts: list[str], batch_size: int = 32, *, persist: bool = True) -> np.ndarray:
        out = np.empty((len(texts), self.dim), np.float32)
        for i, t in enumerate(texts):
            v = np.random.default_rng(abs(hash(t)) % 2**32).standard_normal(self.dim)
            out[i] = v / np.linalg.norm(v)
        return out


def test_means_and_tightness_equal_the_float64_formulas(monkeypatch) -> None:
    monkeypatch.setattr(semindex, "_CHUNK", 7)  # several blocks, the last one partial
    rng = np.random.default_rng(5)
    entries = [
        Entry(
            id=f"e{i}",
            question=f"question {i} {rng.integers(1000)}",
            phrasings=tuple(f"phrasing {i} {k}" for k in range(int(rng.integers(0, 6)))),
            answers=(Answer(f"title {i}", "text"),) if i % 3 else (),
        )
        for i in range(50)
    ]
    index = SemanticIndex(entries, RandomEmbedder())  # type: ignore[arg-type]
    units = index._units
    starts = np.asarray([0, *np.cumsum([len(units_of(e)) for e in entries])[:-1]])
    counts = np.diff(np.append(starts, len(units)))
    means = (np.add.reduceat(units, starts, axis=0) / counts[:, None]).astype(np.float32)
    assert means.dtype == index._means.dtype and (index._means == means).all()
    n = counts.astype(np.float64)
    sq = (means.astype(np.float64) ** 2).sum(axis=1)
    rho = np.where(n > 1, (n * sq - 1.0) / np.maximum(n - 1.0, 1.0), 0.0)
    prior = float(rho[n > 1].mean())
    pairs = n * (n - 1) / 2
    tight = ((rho * pairs + semindex.TIGHTNESS_PRIOR * prior) / (pairs + semindex.TIGHTNESS_PRIOR)).astype(
        np.float32
    )
    assert (index._tightness == tight).all()
