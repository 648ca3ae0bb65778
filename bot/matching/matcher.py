"""Matcher: one scope's entries → ranked candidates with calibrated confidence."""

from __future__ import annotations

import heapq
import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.matching import calibrate
from bot.matching.lexical import LexicalIndex
from bot.matching.normalize import fold
from bot.matching.synonyms import Synonyms
from bot.models import Candidate, Entry

if TYPE_CHECKING:
    from bot.matching.semantic import Embedder
    from bot.matching.semindex import SemanticIndex

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500  # members type a few words; bound the work for pasted essays
SEMANTIC_POOL = 50  # candidates taken from each side before fusing
AUTOCOMPLETE_PREFIX_BONUS = 0.15


class Matcher:
    """Built once per scope (global entries, or one guild's) and rebuilt when it changes."""

    def __init__(
        self,
        entries: Sequence[Entry],
        *,
        synonyms: Synonyms | None = None,
        embedder: Embedder | None = None,
    ) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        self.synonyms = synonyms if synonyms is not None else Synonyms()
        self._lex = LexicalIndex(self.entries, self.synonyms)
        self._folded = [fold(e.question) for e in self.entries]
        self._sem: SemanticIndex | None = None
        if embedder is not None:
            from bot.matching.semindex import SemanticIndex

            self._sem = SemanticIndex(self.entries, embedder)

    @property
    def mode(self) -> str:
        return "semantic+lexical" if self._sem is not None else "lexical"

    def __len__(self) -> int:
        return len(self.entries)

    # -- ranking ------------------------------------------------------------------------
    def rank(self, query: str, limit: int = 10) -> list[Candidate]:
        """Best first, confidence in [0, 1]. Never raises for any input string."""
        if not isinstance(query, str) or not self.entries or limit <= 0:
            return []
        query = query[:MAX_QUERY_CHARS]
        try:
            scored = self._scores(query)
        except Exception:  # a matcher bug must degrade to "no answer", not a crash
            log.exception("ranking failed for query %r", query)
            return []
        top = heapq.nlargest(limit, scored.items(), key=lambda kv: (kv[1], -kv[0]))
        return [self._candidate(i, c) for i, c in top if c > 0.0]

    def scores(self, query: str) -> dict[int, float]:
        """Entry index → confidence (for benchmarks and diagnostics)."""
        return self._scores(query[:MAX_QUERY_CHARS])

    def features(self, query: str) -> dict[int, tuple[float, ...]]:
        """Entry index → the raw features the calibration takes (for fitting it)."""
        lex = self._lex.score(self._lex.query_terms(query))
        if self._sem is None:
            return {i: (v,) for i, v in lex.items()}
        smax, smean = self._sem.similarities(self._sem.embed_query(query))
        pool = set(lex)
        combined = smax + smean
        k = min(SEMANTIC_POOL, len(combined))
        pool.update(int(i) for i in combined.argpartition(-k)[-k:])
        return {i: (lex.get(i, 0.0), float(smax[i]), float(smean[i])) for i in pool}

    def _scores(self, query: str) -> dict[int, float]:
        feats = self.features(query)
        model = calibrate.FUSED if self._sem is not None else calibrate.LEXICAL
        return {i: model(*f) for i, f in feats.items()}

    # -- autocomplete -------------------------------------------------------------------
    def autocomplete(self, text: str, limit: int = 25) -> list[Candidate]:
        """Entries for partial input ("bot" → Botox entries), lexical only for speed.
        Empty input lists entries alphabetically."""
        if not isinstance(text, str) or not self.entries or limit <= 0:
            return []
        text = text[:MAX_QUERY_CHARS]
        try:
            folded = fold(text).strip()
            if not folded:
                order = sorted(range(len(self.entries)), key=lambda i: self._folded[i])
                return [self._candidate(i, 0.0) for i in order[:limit]]
            lex = self._lex.score(self._lex.query_terms(text, prefix=True))
            scored = {i: calibrate.LEXICAL(v) for i, v in lex.items()}
            for i, q in enumerate(self._folded) if len(self.entries) <= 5000 else ():
                if q.startswith(folded):
                    scored[i] = min(1.0, scored.get(i, 0.0) + AUTOCOMPLETE_PREFIX_BONUS)
        except Exception:
            log.exception("autocomplete failed for %r", text)
            return []
        top = heapq.nlargest(limit, scored.items(), key=lambda kv: (kv[1], -kv[0]))
        return [self._candidate(i, c) for i, c in top]

    def _candidate(self, i: int, confidence: float) -> Candidate:
        e = self.entries[i]
        return Candidate(e.id, e.question, max(0.0, min(1.0, float(confidence))))
