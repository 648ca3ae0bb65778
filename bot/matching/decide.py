"""Ranked candidates + per-guild thresholds → answer / suggest / none."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import Candidate, MatchResult

MAX_SUGGESTIONS = 3
# A suggestion must be "close": within this share of the best candidate's confidence.
CLOSE_RATIO = 0.6
# With decision "none", candidates this close to the suggest bar are still offered as
# weak hints; anything lower is noise. The suggest bar is calibrated per store now, so a
# candidate below it is, by the store's own probes, not worth a "did you mean" (members saw
# "botox side effects" → "Why does Botox make my skin smoother?"): hints must nearly reach it.
NONE_HINT_RATIO = 0.95


@dataclass(frozen=True)
class Thresholds:
    """Confidence bars. These fixed values are a hand-chosen fallback, not tuned on any data
    set: the service replaces them with bars calibrated on each store's own entries
    (bot/matching/bars.py, `faqbot calibrate`); config.yaml and guilds may override them."""

    answer: float = 0.5
    suggest: float = 0.25
    keyword: float = 0.8  # unprompted keyword replies in channels need more certainty

    def __post_init__(self) -> None:
        for name in ("answer", "suggest", "keyword"):
            v = getattr(self, name)
            if not 0.0 <= v <= 1.0:
                raise ValueError(f"threshold {name} must be within [0, 1], got {v}")
        if self.suggest > self.answer:
            raise ValueError("threshold suggest must not exceed answer")


def decide(query: str, candidates: Sequence[Candidate], thresholds: Thresholds) -> MatchResult:
    ranked = _dedupe(candidates)
    if not ranked:
        return MatchResult(query=query, decision="none", confidence=0.0)
    best = ranked[0]
    if best.confidence >= thresholds.answer:
        # Also-relevant entries (e.g. for "not what you meant?" buttons).
        others = tuple(c for c in ranked[1:] if c.confidence >= thresholds.suggest)
        return MatchResult(query, "answer", best.confidence, best=best, suggestions=others[:MAX_SUGGESTIONS])
    if best.confidence >= thresholds.suggest:
        bar = max(thresholds.suggest, best.confidence * CLOSE_RATIO)
        close = tuple(c for c in ranked if c.confidence >= bar)[:MAX_SUGGESTIONS]
        return MatchResult(query, "suggest", best.confidence, suggestions=close)
    bar = thresholds.suggest * NONE_HINT_RATIO
    hints = tuple(c for c in ranked if c.confidence >= bar)[:MAX_SUGGESTIONS]
    return MatchResult(query, "none", best.confidence, suggestions=hints)


def _dedupe(candidates: Sequence[Candidate]) -> list[Candidate]:
    """Best first, one candidate per entry id (global and guild lists may be merged)."""
    seen: dict[str, Candidate] = {}
    for c in candidates:
        old = seen.get(c.entry_id)
        if old is None or c.confidence > old.confidence:
            seen[c.entry_id] = c
    return sorted(seen.values(), key=lambda c: (-c.confidence, c.entry_id))
