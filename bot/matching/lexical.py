"""Lexical index: field-weighted term coverage plus best-phrasing TF-IDF cosine.

Pure Python (no numpy) so the base install ranks well. Two scores, both in [0, 1] and
independent of corpus size in scale, so they can be calibrated once:

* coverage  — how much of the query's IDF mass the entry covers, each term saturating with
  its field-weighted frequency (question/phrasings/tags count fully; body and answers less);
* phrasing  — the best cosine between the query and any one phrasing (or the question, or a
  tag), which rewards a near-verbatim paraphrase over scattered hits.
"""

from __future__ import annotations

import heapq
import math
from bisect import bisect_left
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.matching.normalize import is_content, stem, words
from bot.matching.synonyms import Synonyms
from bot.models import Entry

# Field weights for coverage: the asker's body and the experts' answers mention many
# things in passing, so they count for less than the question and its phrasings.
W_PRIMARY = 1.0
W_TAGS = 1.0
W_BODY = 0.35
W_ANSWERS = 0.12
SATURATION = 1.2  # s(tf) = tf / (tf + SATURATION): one primary hit ≈ 0.45
MIX = 0.7  # lexical = MIX * coverage + (1 - MIX) * phrasing
MAX_PREFIX_EXPANSION = 60
MIN_CORPUS = 100


@dataclass(frozen=True)
class QueryTerm:
    """A query word as index terms: usually one stem; a typo or a prefix gives several,
    each with a weight (1.0 exact, less for a fuzzy snap)."""

    alternatives: tuple[tuple[str, float], ...]
    surface: str


def analyse(text: str, synonyms: Synonyms) -> list[str]:
    """Text → index terms, synonyms applied. The same pipeline for entries and queries."""
    return terms_of(synonyms.apply(words(text)))


def terms_of(tokens: Sequence[str]) -> list[str]:
    """Stems of every word. Stop words are kept: IDF already makes them weigh little, and
    on CLINC150 dropping them cost 4 points of top-1 ("my" vs "the", "how much" vs "what");
    adjacent-word bigrams were measured too and did not help."""
    return [stem(w) for w in tokens]


def idf(df: int, n: int) -> float:
    # BM25's idf kept positive; a word no entry has (df 0) weighs most, so unknown words
    # in a query pull its coverage down — the signal for "out of scope". A small store is
    # treated as a sample of at least MIN_CORPUS entries: in a one-entry store every known
    # word would otherwise weigh a fifth of an unknown one and any extra word sank a match.
    n = max(n, MIN_CORPUS)
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


class LexicalIndex:
    def __init__(self, entries: Sequence[Entry], synonyms: Synonyms) -> None:
        self.synonyms = synonyms
        self.n = len(entries)
        # term → parallel lists (entry index, saturated field-weighted tf)
        self._cov: dict[str, tuple[list[int], list[float]]] = {}
        # term → parallel lists (unit index, idf² / |unit|)
        self._unit: dict[str, tuple[list[int], list[float]]] = {}
        self._unit_entry: list[int] = []
        self._df: Counter[str] = Counter()
        surface: Counter[str] = Counter()

        weighted: list[dict[str, float]] = []
        unit_terms: list[list[str]] = []
        for i, e in enumerate(entries):
            tf: defaultdict[str, float] = defaultdict(float)
            for text, w, is_unit in _fields(e):
                for word in words(text):
                    surface[word] += 1
                terms = analyse(text, synonyms)
                for t in terms:
                    tf[t] += w
                if is_unit and terms:
                    unit_terms.append(terms)
                    self._unit_entry.append(i)
            weighted.append(tf)
            self._df.update(tf.keys())

        for i, entry_tf in enumerate(weighted):
            for t, f in entry_tf.items():
                ids, vals = self._cov.setdefault(t, ([], []))
                ids.append(i)
                vals.append(f / (f + SATURATION))
        for u, terms in enumerate(unit_terms):
            uniq = set(terms)
            norm = math.sqrt(sum(self.idf(t) ** 2 for t in uniq)) or 1.0
            for t in uniq:
                ids, vals = self._unit.setdefault(t, ([], []))
                ids.append(u)
                vals.append(self.idf(t) ** 2 / norm)

        # Surface words for typo snapping and prefix completion (stop words can't be snapped to).
        vocab = {w for w in surface if is_content(w) and not w.isdigit()}
        vocab |= {w for w in synonyms.vocabulary() if is_content(w)}
        self._freq = surface
        self._vocab = vocab
        self._sorted_vocab = sorted(vocab)
        self._by_len: defaultdict[int, list[str]] = defaultdict(list)
        for word in self._sorted_vocab:
            self._by_len[len(word)].append(word)

    def idf(self, term: str) -> float:
        return idf(self._df.get(term, 0), self.n)

    # -- query side -------------------------------------------------------------------
    def query_terms(self, text: str, *, prefix: bool = False) -> list[QueryTerm]:
        """Analyse a query: snap unknown words to the vocabulary, apply synonyms, stem.
        With `prefix`, the last word is a partial word expanded to vocabulary completions."""
        raw = words(text)
        partial = raw.pop() if prefix and raw and not text[-1:].isspace() else None
        snapped: list[tuple[str, float]] = [self._snap(w) for w in raw]
        rewritten = self.synonyms.apply([w for w, _ in snapped])
        sims = dict(snapped)
        out: dict[str, QueryTerm] = {}
        for w in rewritten:
            t = stem(w)
            # A stop word the store never uses says nothing about the topic; counting it
            # at full "unknown word" weight would sink small stores' coverage.
            if t not in out and (t in self._cov or is_content(w)):
                out[t] = QueryTerm(((t, sims.get(w, 1.0)),), w)
        terms = list(out.values())
        if partial:
            alts = self._complete(partial)
            if alts:
                terms.append(QueryTerm(alts, partial))
        return terms

    def _snap(self, word: str) -> tuple[str, float]:
        """An unknown word of 4+ letters → the closest vocabulary word within 1 edit
        (2 for 8+ letters; transpositions count as one), weighted by similarity."""
        if len(word) < 4 or word in self._vocab or not is_content(word) or word.isdigit():
            return word, 1.0
        if self._cov.get(stem(word)):
            return word, 1.0
        max_d = 2 if len(word) >= 8 else 1
        pool: list[str] = []
        for n in range(len(word) - max_d, len(word) + max_d + 1):
            pool.extend(self._by_len.get(n, ()))
        if not pool:
            return word, 1.0
        hits = process.extract(word, pool, scorer=OSA.distance, score_cutoff=max_d, limit=5)
        if not hits:
            return word, 1.0
        best_d = hits[0][1]
        # Ties: prefer the more frequent word in the store.
        best = max((h for h in hits if h[1] == best_d), key=lambda h: self._freq[h[0]])[0]
        return best, 1.0 - best_d / max(len(word), len(best)) * 0.8

    def _complete(self, partial: str) -> tuple[tuple[str, float], ...]:
        lo = bisect_left(self._sorted_vocab, partial)
        found: list[str] = []
        for w in self._sorted_vocab[lo:]:
            if not w.startswith(partial):
                break
            found.append(w)
        if len(found) > MAX_PREFIX_EXPANSION:
            found = heapq.nlargest(MAX_PREFIX_EXPANSION, found, key=lambda w: self._freq[w])
        stems: dict[str, float] = {}
        for w in found:
            for t in analyse(w, self.synonyms):
                stems[t] = 1.0
        if not stems and is_content(partial) and len(partial) >= 3:
            stems[stem(partial)] = 1.0
        return tuple(stems.items())

    # -- scoring ----------------------------------------------------------------------
    def score(self, terms: Iterable[QueryTerm]) -> dict[int, float]:
        """entry index → lexical score in [0, 1] for every entry matching any term."""
        terms = list(terms)
        if not terms or self.n == 0:
            return {}
        weights = [max(self.idf(t) for t, _ in q.alternatives) for q in terms]
        total = sum(weights) or 1.0
        qnorm = math.sqrt(sum(w * w for w in weights)) or 1.0
        cov: dict[int, float] = {}
        unit: dict[int, float] = {}
        for q in terms:
            best_c: dict[int, float] = {}
            best_u: dict[int, float] = {}
            for t, p in q.alternatives:
                posting = self._cov.get(t)
                if posting is None:
                    continue
                w = self.idf(t) * p
                for e, s in zip(*posting, strict=True):
                    v = w * s
                    if v > best_c.get(e, 0.0):
                        best_c[e] = v
                uposting = self._unit.get(t)
                if uposting is not None:
                    for u, s in zip(*uposting, strict=True):
                        v = p * s
                        if v > best_u.get(u, 0.0):
                            best_u[u] = v
            for e, v in best_c.items():
                cov[e] = cov.get(e, 0.0) + v
            for u, v in best_u.items():
                unit[u] = unit.get(u, 0.0) + v
        best_unit: dict[int, float] = {}
        for u, v in unit.items():
            e = self._unit_entry[u]
            if v > best_unit.get(e, 0.0):
                best_unit[e] = v
        return {
            e: MIX * c / total + (1 - MIX) * min(1.0, best_unit.get(e, 0.0) / qnorm)
            for e, c in cov.items()
        }


def _fields(e: Entry) -> Iterable[tuple[str, float, bool]]:
    """(text, coverage weight, is a phrasing-level unit) for each indexed field."""
    yield e.question, W_PRIMARY, True
    for p in e.phrasings:
        yield p, W_PRIMARY, True
    for t in e.tags:
        yield t, W_TAGS, True
    if e.body:
        yield e.body, W_BODY, False
    for a in e.answers:
        yield f"{a.title}\n{a.text}", W_ANSWERS, False
