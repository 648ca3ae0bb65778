"""Embedding index: each entry scored by its question and alternate phrasings.

Two similarities per entry: the best cosine to any one phrasing (a near paraphrase) and the
cosine to the entry's mean phrasing vector (its overall meaning). Needs numpy (the extra).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np

from bot.models import Entry

if TYPE_CHECKING:
    from bot.matching.semantic import Embedder


class SemanticIndex:
    def __init__(self, entries: Sequence[Entry], embedder: Embedder) -> None:
        self.embedder = embedder
        texts: list[str] = []
        starts: list[int] = []
        for e in entries:
            starts.append(len(texts))
            texts.extend(dict.fromkeys(t for t in (e.question, *e.phrasings) if t.strip()) or [" "])
        self._units = embedder.embed(texts) if texts else np.zeros((0, embedder.dim), np.float32)
        self._starts = np.asarray(starts, dtype=np.intp)
        if len(entries):
            sums = np.add.reduceat(self._units, self._starts, axis=0)
            norms = np.linalg.norm(sums, axis=1, keepdims=True)
            self._centroids = (sums / np.maximum(norms, 1e-12)).astype(np.float32)
        else:
            self._centroids = np.zeros((0, embedder.dim), np.float32)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embedder.embed([text])[0]

    def similarities(self, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(best-phrasing cosine, centroid cosine) per entry, in entry order."""
        if not len(self._starts):
            empty = np.zeros(0, np.float32)
            return empty, empty
        unit = self._units @ q
        return np.maximum.reduceat(unit, self._starts), self._centroids @ q
