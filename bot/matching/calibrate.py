"""Scores → a calibrated confidence in [0, 1]: logistic models fitted offline.

Fitted by `benchmarks/clinc150.py --fit` on the CLINC150 validation split only (in-scope
and out-of-scope queries, seeds 0-2 pooled, every (query, entry) pair; label "this is the
right entry"). The features are absolute (IDF coverage, cosines), not ranks, so confidences
from different matchers (global vs a guild's own) compare directly, and they are built from
phrasing-level units (question, phrasings, answer titles) so an FAQ entry with a body and
many answers lands on the same scale as a CLINC entry with five phrasings. Refit after
changing a scoring formula; a different embedding model needs a refit too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Logistic:
    bias: float
    weights: tuple[float, ...]

    def __call__(self, *features: float) -> float:
        z = self.bias + sum(w * f for w, f in zip(self.weights, features, strict=True))
        if z < -60:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    def array(self, features: np.ndarray) -> np.ndarray:
        """Vectorised: one row of features per entry → confidences (float32)."""
        z = self.bias + features.astype(np.float64) @ np.asarray(self.weights, dtype=np.float64)
        return (1.0 / (1.0 + np.exp(-np.clip(z, -60.0, 60.0)))).astype(np.float32)

    @classmethod
    def projected(cls, bias: float, scale: float, mix: tuple[float, ...]) -> Logistic:
        """A 1-D fit over the ranking score `mix · features`, expanded to per-feature weights
        (the mix is tuned for top-1 first, then only scale and bias are fitted)."""
        return cls(bias, tuple(scale * m for m in mix))


# features: (lexical,)
LEXICAL = Logistic(-7.462, (20.899,))
# features: (lexical, best-unit cosine, soft-kNN cosine, centroid cosine, mean dot, tightness).
# Ranking score 0.2 * lexical + mean dot - 0.5 * tightness (mix chosen on val for top-1 and
# the in-scope/out-of-scope balance, clean and typo'd; see semindex.py), then a 1-D logistic
# over it. Unit-level cosines and the centroid cosine stay as features at weight 0: a free fit
# over them gave no better val top-1, and the unit ones cost a pass over every unit.
FUSED = Logistic.projected(-5.716, 21.266, (0.2, 0.0, 0.0, 0.0, 1.0, -0.5))
# Semantic only (benchmark row): (best-unit, soft-kNN, centroid, mean dot, tightness).
SEMANTIC_ONLY = Logistic.projected(-5.364, 24.920, (0.0, 0.0, 0.0, 1.0, -0.5))
