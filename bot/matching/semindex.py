"""Embedding index: each entry scored by its phrasing-level units, vectorised.

Units are the question, the alternate phrasings and the experts' answer titles (each expert
titles an answer with their own paraphrase of the question). All unit vectors sit in one
(n_units × dim) float32 matrix, grouped per entry; a query is one matrix-vector product
followed by per-entry segment reductions. Three similarities per entry:

* best   — the best cosine to any one unit (a near paraphrase);
* knn    — a soft maximum over the entry's units (log-sum-exp at a low temperature): equal
  to `best` when one unit matches, higher when several do — kNN-style evidence; units far
  below the best add nothing, so entries with many units are not favoured for that;
* centroid — the cosine to the entry's mean unit vector (its overall meaning).

Needs numpy (and the embedder, the [semantic] extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from bot.models import Entry

if TYPE_CHECKING:
    from bot.matching.semantic import Embedder

KNN_TEMPERATURE = 0.05


def units_of(e: Entry) -> list[str]:
    texts = (e.question, *e.phrasings, *(a.title for a in e.answers))
    seen: dict[str, None] = {}
    for t in texts:
        t = " ".join(t.split())
        if t and t.casefold() not in {k.casefold() for k in seen}:
            seen[t] = None
    return list(seen) or [" "]


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
            sums = np.add.reduceat(self._units, self._starts, axis=0)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            self._centroids = (sums / np.maximum(norms, 1e-12)).astype(np.float32)
        else:
            self._centroids = np.zeros((0, embedder.dim), np.float32)

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        return np.asarray(self.embedder.embed(list(texts)), dtype=np.float32)

    def similarities(
        self, q: np.ndarray, *, units: bool = True
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(best-unit, soft-kNN, centroid) cosine per entry, in entry order. `q` is one
        vector or several (e.g. the raw and the typo-corrected query): the best of them.
        `units=False` skips the per-unit scores (zeros) when the calibration ignores them."""
        if not len(self._starts):
            empty = np.zeros(0, np.float32)
            return empty, empty, empty
        qm = q.reshape(-1, q.shape[-1]).T  # dim × k
        cent = (self._centroids @ qm).max(axis=1)
        if not units:
            zeros = np.zeros_like(cent)
            return zeros, zeros, cent
        unit = (self._units @ qm).max(axis=1)
        best = np.maximum.reduceat(unit, self._starts)
        t = np.float32(KNN_TEMPERATURE)
        ex = np.exp((unit - np.repeat(best, self._counts)) / t)
        knn = best + t * np.log(np.add.reduceat(ex, self._starts))
        return best, knn.astype(np.float32), cent
