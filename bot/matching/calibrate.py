"""Scores → a calibrated confidence in [0, 1]: logistic models fitted offline.

Fitted by `benchmarks/clinc150.py --fit` on the CLINC150 validation split (in-scope and
out-of-scope, seeds 0-2): a candidate's label is "this is the right entry". The features
are absolute (cosines, IDF-coverage), not ranks, so confidences from different matchers
(global vs a guild's own) compare directly. Refit if you change a scoring formula.
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


# features: (lexical,)
LEXICAL = Logistic(-6.0, (10.0,))
# features: (lexical, best-phrasing cosine, centroid cosine)
FUSED = Logistic(-12.0, (3.0, 8.0, 6.0))
