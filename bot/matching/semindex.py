"""Embedding index: each entry scored by its phrasing-level units, vectorised.

Units are the question, the alternate phrasings and the experts' answer titles (each expert
titles an answer with their own paraphrase of the question). All unit vectors sit in one
(n_units × dim) float32 matrix, grouped per entry; a query is one matrix-vector product
followed by per-entry segment reductions. Features per entry:

* best   — the best cosine to any one unit (a near paraphrase);
* knn    — a soft maximum over the entry's units (log-sum-exp at a low temperature): equal
  to `best` when one unit matches, higher when several do — kNN-style evidence; units far
  below the best add nothing, so entries with many units are not favoured for that;
* centroid — the cosine to the entry's mean unit vector (its overall meaning);
* mean dot — the dot product with the mean unit vector, not renormalised: the centroid
  cosine scaled by how closely the entry's units agree;
* tightness — how closely they agree: the mean pairwise cosine of the entry's units, shrunk
  towards the store's mean for entries with few units (one unit: the store's mean).

The shipped score is `mean dot - 0.5 * tightness` (plus lexical): an entry whose phrasings
all say nearly the same thing has a high mean dot with anything near them, and the
tightness term takes that advantage back. On CLINC150 val it ranks 87.4 top-1 against 86.7
for the centroid cosine (docs/benchmarks.md).

Needs numpy (and the embedder, the [semantic] extra).
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from bot.models import Entry

if TYPE_CHECKING:
    from bot.matching.semantic import Embedder

KNN_TEMPERATURE = 0.05
TIGHTNESS_PRIOR = 3.0  # pseudo-pairs of the store's mean tightness added to each entry's own
N_FEATURES = 5  # best, knn, centroid, mean dot, tightness
_CHUNK = 1024  # rows per float64 scratch block


def units_of(e: Entry) -> list[str]:
    texts = (e.question, *e.phrasings, *(a.title for a in e.answers))
    seen: dict[str, None] = {}
    for t in texts:
        t = " ".join(t.split())
        if t and t.casefold() not in {k.casefold() for k in seen}:
            seen[t] = None
    return list(seen) or [" "]


_blas: Any = None


def one_blas_thread() -> contextlib.AbstractContextManager[Any]:
    """numpy's BLAS on one thread for a query's matrix-vector products: they are memory
    bound, and OpenBLAS's spinning threads fight the ONNX runtime's and the bot's for two
    cores (10k × 384 scoring took 8 ms p50 with them, 1.5 ms without, on a busy 2-core box).
    A no-op without threadpoolctl (part of the [semantic] extra)."""
    global _blas
    if _blas is None:
        try:
            from threadpoolctl import ThreadpoolController

            _blas = ThreadpoolController()
        except Exception:  # not installed, or a BLAS it can't drive: run as is
            _blas = False
    return _blas.limit(limits=1, user_api="blas") if _blas else contextlib.nullcontext()


class SemanticIndex:
    def __init__(self, entries: Sequence[Entry], embedder: Embedder) -> None:
        self.embedder = embedder
        texts: list[str] = []
        starts: list[int] = []
        for e in entries:
            starts.append(len(texts))
            texts.extend(units_of(e))
        self._units = (
            np.ascontiguousarray(embedder.embed(texts), dtype=np.float32)
            if texts
            else np.zeros((0, embedder.dim), np.float32)
        )
        self._starts = np.asarray(starts, dtype=np.intp)
        self._counts = np.diff(np.append(self._starts, len(texts)))
        if len(entries):
            # In place and in float32: float64 temporaries of (entries × dim) were the open's
            # peak with the embedder (~45 MB at 10k entries). A float32 quotient of float32
            # operands is the float64 one rounded to float32, so the values are the same.
            self._means = np.add.reduceat(self._units, self._starts, axis=0)
            self._means /= self._counts[:, None].astype(np.float32)
        else:
            self._means = np.zeros((0, embedder.dim), np.float32)
        # The centroid is the mean's direction: its cosine is the mean dot over the mean's norm.
        self._mean_norms = np.maximum(np.linalg.norm(self._means, axis=1), 1e-12).astype(np.float32)
        self._tightness = _tightness(self._means, self._counts)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.embedder.embed(list(texts), persist=False), dtype=np.float32)

    def similarities(self, q: np.ndarray, need: Sequence[bool] = (True,) * N_FEATURES) -> np.ndarray:
        """Per entry (rows, in entry order) the features best-unit, soft-kNN, centroid,
        mean dot, tightness. `q` is one vector or several (e.g. the raw and the
        typo-corrected query): each cosine is the best of them. Features not in `need`
        are left at 0 (a query computes only what the calibration weighs)."""
        out = np.zeros((len(self._starts), N_FEATURES), np.float32)
        if not len(self._starts):
            return out
        with one_blas_thread():
            self._fill(out, q.reshape(-1, q.shape[-1]), need)
        return out

    def _fill(self, out: np.ndarray, qs: np.ndarray, need: Sequence[bool]) -> None:
        def best_dot(m: np.ndarray) -> np.ndarray:  # one product per query vector (gemv)
            return np.max([m @ v for v in qs], axis=0) if len(qs) > 1 else m @ qs[0]

        if need[2] or need[3]:
            dot = best_dot(self._means)
            out[:, 3] = dot
            out[:, 2] = dot / self._mean_norms
        out[:, 4] = self._tightness
        if need[0] or need[1]:
            unit = best_dot(self._units)
            best = np.maximum.reduceat(unit, self._starts)
            t = np.float32(KNN_TEMPERATURE)
            ex = np.exp((unit - np.repeat(best, self._counts)) / t)
            out[:, 0] = best
            out[:, 1] = best + t * np.log(np.add.reduceat(ex, self._starts))


def _tightness(means: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Mean pairwise cosine of each entry's unit vectors, from its mean: |mean|² = (1 +
    (n-1)·rho)/n for n unit vectors. Shrunk towards the store's mean by TIGHTNESS_PRIOR
    pseudo-pairs, so an entry of two phrasings is not judged on one pair alone."""
    n = counts.astype(np.float64)
    sq = np.empty(len(means), np.float64)
    for a in range(0, len(means), _CHUNK):  # per row, so chunks give the same sums
        sq[a : a + _CHUNK] = (means[a : a + _CHUNK].astype(np.float64) ** 2).sum(axis=1)
    multi = n > 1
    rho = np.zeros_like(n)
    rho[multi] = (n[multi] * sq[multi] - 1.0) / (n[multi] - 1.0)
    prior = float(rho[multi].mean()) if multi.any() else 0.5
    pairs = n * (n - 1) / 2
    return ((rho * pairs + TIGHTNESS_PRIOR * prior) / (pairs + TIGHTNESS_PRIOR)).astype(np.float32)
