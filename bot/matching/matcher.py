"""Matcher: one scope's entries → ranked candidates with calibrated confidence."""

from __future__ import annotations

import hashlib
import logging
from bisect import bisect_left
from collections.abc import Sequence
from typing import TYPE_CHECKING, overload

import numpy as np

from bot.matching import calibrate
from bot.matching.lexical import LexicalIndex, QueryTerm, terms_of
from bot.matching.normalize import fold, is_content, words
from bot.matching.synonyms import Synonyms
from bot.models import Candidate, Entry

if TYPE_CHECKING:
    from bot.matching.semantic import Embedder
    from bot.matching.semindex import SemanticIndex

log = logging.getLogger(__name__)

MAX_QUERY_CHARS = 500  # members type a few words; bound the work for pasted essays
FIT_POOL = 50  # candidates per query used when fitting the calibration on a large store
AUTOCOMPLETE_PREFIX_BONUS = 0.15


GATE_FULL_WORDS = 300.0  # an entry with this many words (all fields) gets the full gate


def key_hash(key: str) -> int:
    """A 64-bit hash that is the same in every process (Python's str hash is not)."""
    digest = hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return int.from_bytes(digest, "little", signed=True)


def gate(cover: np.ndarray, n_terms: int) -> np.ndarray:
    """Confidence factor from word coverage: 1 when the entry mentions every content word,
    0.25 when it mentions half. Longer questions (4+ words) may have one word it lacks."""
    slack = 1.0 / n_terms if n_terms >= 4 else 0.0
    return np.minimum(1.0, cover + slack) ** 2


class SortedQuestions(Sequence[str]):
    """The entries' questions as autocomplete compares them (folded), in sorted order, each
    folded when read: a bisection reads ~17 of them, and a list of all took 14 MB at 100k."""

    def __init__(self, entries: Sequence[Entry], order: np.ndarray) -> None:
        self._entries, self._order = entries, order

    def __len__(self) -> int:
        return len(self._order)

    @overload
    def __getitem__(self, k: int) -> str: ...
    @overload
    def __getitem__(self, k: slice) -> list[str]: ...
    def __getitem__(self, k: int | slice) -> str | list[str]:
        if isinstance(k, slice):
            return [self[i] for i in range(*k.indices(len(self)))]
        return fold(self._entries[int(self._order[k])].question).strip()


class Matcher:
    """Built once per scope (global entries, or one guild's) and rebuilt when it changes."""

    def __init__(
        self,
        entries: Sequence[Entry],
        *,
        synonyms: Synonyms | None = None,
        embedder: Embedder | None = None,
        coverage_gate: bool = True,
        cached: dict[str, np.ndarray] | None = None,
    ) -> None:
        self.entries: tuple[Entry, ...] = tuple(entries)
        # An FAQ entry must mention what the member asks about: "does botox hurt" shares
        # "botox" with the seed, but nothing in it speaks of pain. Off for benchmarks that
        # measure the raw ranking (CLINC entries have no answer text to cover words).
        self.coverage_gate = coverage_gate
        self.synonyms = synonyms if synonyms is not None else Synonyms()
        self.from_cache = cached is not None
        if cached is not None:  # `arrays()` of a matcher over these same entries (indexcache.py)
            self._lex = LexicalIndex.from_arrays(cached, self.synonyms)
            self._by_question = np.asarray(cached["by_question"], np.int32)
            self._sorted_questions = SortedQuestions(self.entries, self._by_question)
            self._exact_hashes, self._exact_owners = cached["exact_hashes"], cached["exact_owners"]
            self._semantic(embedder)
            return
        self._lex = LexicalIndex(self.entries, self.synonyms)
        folded = [fold(e.question).strip() for e in self.entries]
        self._by_question = np.asarray(sorted(range(len(folded)), key=lambda i: (folded[i], i)), np.int32)
        self._sorted_questions = SortedQuestions(self.entries, self._by_question)
        # Exact and near-exact matches: an entry's question or phrasing (aliases included),
        # normalised like a query, answers at confidence 1.0 whatever the scores say. Held as
        # sorted key hashes beside entry numbers (12 bytes a key; a dict of the key strings
        # took 38 MB at 100k entries); a hit is confirmed against the entry's own keys.
        hashes: list[int] = []
        owners: list[int] = []
        for i, e in enumerate(self.entries):
            for key in {self.exact_key(text) for text in (e.question, *e.phrasings)} - {""}:
                hashes.append(key_hash(key))
                owners.append(i)
        h = np.asarray(hashes, dtype=np.int64)
        order = np.lexsort((np.asarray(owners, dtype=np.int32), h))  # by hash, then entry
        self._exact_hashes = h[order]
        self._exact_owners = np.asarray(owners, dtype=np.int32)[order]
        self._semantic(embedder)

    def _semantic(self, embedder: Embedder | None) -> None:
        self._sem: SemanticIndex | None = None
        if embedder is not None:
            from bot.matching.semindex import SemanticIndex

            self._sem = SemanticIndex(self.entries, embedder)

    def arrays(self) -> dict[str, np.ndarray]:
        """The lexical side as arrays, for `Matcher(entries, cached=…)` in another process."""
        return {
            **self._lex.arrays(),
            "by_question": np.asarray(self._by_question, np.int32),
            "exact_hashes": self._exact_hashes,
            "exact_owners": self._exact_owners,
        }

    @property
    def mode(self) -> str:
        return "semantic+lexical" if self._sem is not None else "lexical"

    def __len__(self) -> int:
        return len(self.entries)

    def exact_key(self, text: str) -> str:
        """Text → its exact-match key: folded words, synonyms applied, stemmed."""
        return " ".join(terms_of(self.synonyms.apply(words(text))))

    def _exact_hit(self, query: str, corrected: str | None) -> int | None:
        """The entry whose question or phrasing the query is, as typed or typo-snapped."""
        hit = self._exact_entry(self.exact_key(query))
        if hit is None and corrected:
            hit = self._exact_entry(self.exact_key(corrected))
        return hit

    def _exact_entry(self, key: str) -> int | None:
        """The first entry (in entry order) with `key` among its exact-match keys."""
        if not key:
            return None
        h = key_hash(key)
        lo = int(np.searchsorted(self._exact_hashes, h, side="left"))
        hi = int(np.searchsorted(self._exact_hashes, h, side="right"))
        for i in self._exact_owners[lo:hi].tolist():  # ascending entry numbers
            e = self.entries[i]
            if any(self.exact_key(text) == key for text in (e.question, *e.phrasings)):
                return int(i)
        return None

    # -- ranking ------------------------------------------------------------------------
    def rank(self, query: str, limit: int = 10) -> list[Candidate]:
        """Best first, confidence in [0, 1]. Never raises for any input string."""
        if not isinstance(query, str) or not self.entries or limit <= 0:
            return []
        query = query[:MAX_QUERY_CHARS]
        try:
            conf = self._confidences(query)
            return self._top(conf, limit, positive_only=True)
        except Exception:  # a matcher bug must degrade to "no answer", not a crash
            log.exception("ranking failed for query %r", query)
            return []

    def scores(self, query: str) -> dict[int, float]:
        """Entry index → confidence for every candidate entry (benchmarks, diagnostics)."""
        conf = self._confidences(query[:MAX_QUERY_CHARS])
        return {int(i): float(conf[i]) for i in np.flatnonzero(conf > 0)}

    def feature_matrix(
        self,
        query: str,
        *,
        all_features: bool = True,
        analysed: tuple[list[QueryTerm], str | None] | None = None,
    ) -> np.ndarray:
        """The raw features the calibration takes, one row per entry: (lexical,), or with
        the embedder (lexical, best-unit, soft-kNN, centroid, mean dot, tightness) — see
        bot/matching/semindex.py. Without `all_features`, features the calibration weighs
        at 0 are left at 0 (faster).
        `analysed`: the query's terms and corrected text (`LexicalIndex.analyse`), if the
        caller has them."""
        query = query[:MAX_QUERY_CHARS]
        terms, corrected = analysed if analysed is not None else self._lex.analyse(query)
        lex = self._lex.score_array(terms)
        if self._sem is None:
            return lex[:, None]
        texts = [query]
        if corrected:  # typos: embed what the member probably meant too, keep the best
            texts.append(corrected)
        need = [all_features or w != 0 for w in calibrate.FUSED.weights[1:]]
        sem = self._sem.similarities(self._sem.embed_queries(texts), need)
        return np.concatenate([lex[:, None], sem], axis=1)

    def features(self, query: str) -> dict[int, tuple[float, ...]]:
        """Entry index → raw features, over the candidate pool (for fitting)."""
        f = self.feature_matrix(query)
        conf = self._calibrated(f)
        pool = np.flatnonzero(conf > 0)
        if len(pool) > FIT_POOL:
            pool = pool[np.argpartition(-conf[pool], FIT_POOL)[:FIT_POOL]]
        return {int(i): tuple(float(v) for v in f[i]) for i in pool}

    def _calibrated(self, f: np.ndarray) -> np.ndarray:
        if self._sem is None:
            conf = calibrate.LEXICAL.array(f)
            conf[f[:, 0] <= 0] = 0.0  # no shared word: not a candidate
            return conf
        return calibrate.FUSED.array(f)

    def _confidences(self, query: str) -> np.ndarray:
        analysed = self._lex.analyse(query)  # once: for the score, the embedding and the gate
        terms, corrected = analysed
        f = self.feature_matrix(query, all_features=False, analysed=analysed)
        conf = self._calibrated(f)
        # How much an entry says beyond short phrasings (its body and answers): 0 for five
        # phrasings, 1 for a question with expert answers.
        rich = np.minimum(1.0, self._lex.entry_words / GATE_FULL_WORDS)
        if self._sem is not None:
            # Answer text adds evidence, never drowns it: the embedding side sees only the
            # phrasing-level units, whose mean drifts as experts add titled answers, so an
            # entry with answer text keeps at least its lexical confidence (which reads the
            # answers too). Entries of phrasings alone are left to the fused score.
            texty = np.minimum(1.0, self._lex.text_words / GATE_FULL_WORDS)
            lex_conf = calibrate.LEXICAL.array(f[:, :1])
            lex_conf[f[:, 0] <= 0] = 0.0
            conf = np.maximum(conf, texty * lex_conf)
        if self.coverage_gate:
            cover = self._lex.coverage(terms)
            if cover is not None:
                factor = gate(cover, sum(is_content(q.surface) for q in terms))
                # A missing word is evidence only against an entry that says a lot: a
                # question with answers, not five short phrasings.
                conf = conf * (1.0 - rich * (1.0 - factor))
        hit = self._exact_hit(query, corrected)
        if hit is not None:  # the member typed the entry's own words: no doubt left
            conf[hit] = 1.0
        return conf

    def _top(self, conf: np.ndarray, limit: int, *, positive_only: bool) -> list[Candidate]:
        n = len(conf)
        idx = np.argpartition(-conf, limit - 1)[:limit] if limit < n else np.arange(n)
        idx = idx[np.lexsort((idx, -conf[idx]))]
        return [self._candidate(int(i), float(conf[i])) for i in idx if not positive_only or conf[i] > 0]

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
                return [self._candidate(i, 0.0) for i in self._by_question[:limit].tolist()]
            lex = self._lex.score_array(self._lex.query_terms(text, prefix=True))
            conf = calibrate.LEXICAL.array(lex[:, None])
            conf[lex <= 0] = 0.0
            # Questions that start with the typed text get a bonus (a sorted-list range).
            lo = bisect_left(self._sorted_questions, folded)
            for k in range(lo, min(lo + 4 * limit, len(self._sorted_questions))):
                if not self._sorted_questions[k].startswith(folded):
                    break
                i = int(self._by_question[k])
                conf[i] = min(1.0, conf[i] + AUTOCOMPLETE_PREFIX_BONUS)
            return self._top(conf, limit, positive_only=True)
        except Exception:
            log.exception("autocomplete failed for %r", text)
            return []

    def _candidate(self, i: int, confidence: float) -> Candidate:
        e = self.entries[i]
        return Candidate(e.id, e.question, max(0.0, min(1.0, float(confidence))))
