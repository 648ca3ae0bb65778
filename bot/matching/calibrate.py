"""Scores → a calibrated confidence in [0, 1]: logistic models fitted offline.

Fitted by `benchmarks/clinc150.py --fit` on the CLINC150 validation split (in-scope and
out-of-scope queries, seeds 0-2): a (query, entry) pair's label is "this is the right
entry". The features are absolute (IDF coverage, cosines), not ranks, so confidences from
different matchers (global vs a guild's own) compare directly. Refit after changing a
scoring formula; a different embedding model needs a refit too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass


@dataclass(frozen=True)
class Logistic:
    bias: float
    weights: tuple[float, ...]

    def __call__(self, *features: float) -> float:
        z = self.bias + sum(w * f for w, f in zip(self.weights, features, strict=True))
        if z < -60:
            return 0.0
        return 1.0 / (1.0 + math.exp(-z))

    @classmethod
    def projected(cls, bias: float, scale: float, mix: tuple[float, ...]) -> Logistic:
        """A 1-D fit over the ranking score `mix · features`, expanded to per-feature weights
        (the mix is tuned for top-1 first, then only scale and bias are fitted)."""
        return cls(bias, tuple(scale * m for m in mix))


# Ranking mix of (lexical, best-phrasing cosine, centroid cosine), chosen for top-1 on
# CLINC150 val: the centroid carries most of the meaning, lexical adds exact words.
FUSED_MIX = (0.3, 0.25, 0.75)
SEMANTIC_MIX = (0.0, 0.25, 0.75)

# features: (lexical,)
LEXICAL = Logistic(-7.578, (17.944,))
# features: (lexical, best-phrasing cosine, centroid cosine)
FUSED = Logistic.projected(-10.393, 14.609, FUSED_MIX)
