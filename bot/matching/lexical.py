"""Lexical index: term coverage, best-unit TF-IDF cosine and pooled BM25, vectorised.

Each score is a column-sparse (CSC-like) term → postings matrix held in numpy arrays; a
query touches a handful of columns and sums them into a dense per-entry array, so the cost
is a few numpy calls per query term, not a Python step per posting. Three scores, all in
[0, 1] and independent of corpus size in scale, so they can be calibrated once:

* coverage — how much of the query's IDF mass the entry covers, each term saturating with
  its field-weighted frequency (question/phrasings/tags count fully, the experts' answer
  titles nearly so; the asker's body and the answer texts less);
* unit     — the best cosine between the query and any one "unit": the question, a phrasing,
  a tag or an answer's title (experts title their answers with their own paraphrase of the
  question, so titles are phrasing-level evidence). Rewards a near-verbatim paraphrase over
  scattered hits;
* pooled   — BM25 over the whole entry (a lexical "centroid"): a word in several phrasings
  counts more than in one, and a word in an entry of short phrasings more than in long
  ones (length = words per unit, so answers' length never counts). On CLINC150 val (5
  phrasings) it alone ranks 73.2 top-1 vs 71.4 for the former coverage + unit mix; the mix
  of all three 73.0, with better out-of-scope separation.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_left
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
from rapidfuzz.distance import OSA

from bot.matching.normalize import STOP_WORDS, is_content, stem, words
from bot.matching.synonyms import Synonyms
from bot.matching.typos import DeletionIndex, deletions
from bot.models import Entry

# Field weights for coverage: the asker's body and the experts' answers mention many
# things in passing, so they count for less than the question and its phrasings.
W_PRIMARY = 1.0
W_TAGS = 1.0
W_TITLES = 0.6
W_BODY = 0.35
W_ANSWERS = 0.12
SATURATION = 1.2  # s(tf) = tf / (tf + SATURATION): one primary hit ≈ 0.45
# lexical = W_POOL * pooled + W_COV * coverage + W_UNIT * unit (weights sum to 1; chosen on
# CLINC150 val: pooled alone ranks best, coverage and unit keep out-of-scope queries lower).
W_POOL = 0.7
W_COV = 0.15
W_UNIT = 0.15
# BM25 over an entry's pooled fields (coverage's field weights, a repeated unit once). k1: a
# word in two of five phrasings is clearly more than in one; b: length normalised by the
# entry's mean unit length, never by its body or answers (a long expert answer says nothing
# about how the question is phrased, and penalising it broke the seed's matches).
POOL_K1 = 2.0
POOL_B = 0.75
MAX_PREFIX_EXPANSION = 30  # completions of a partial last word (10 for 1-2 letters)
MIN_CORPUS = 100
# Stop words keep a little weight (they disambiguate "how much" vs "what"), but never more
# than a word found in this share of the (at least MIN_CORPUS) entries: in a small store
# every word is rare and "does" would otherwise weigh as much as "botox".
STOP_DF_SHARE = 0.25

_STOP_STEMS = frozenset(stem(w) for w in STOP_WORDS)


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
    """Stems of every word. Stop words are kept (down-weighted, see STOP_DF_SHARE): on
    CLINC150 dropping them cost 4 points of top-1 ("my" vs "the", "how much" vs "what");
    adjacent-word bigrams were measured too and did not help."""
    return [stem(w) for w in tokens]


def idf(df: int, n: int) -> float:
    # BM25's idf kept positive; a word no entry has (df 0) weighs most, so unknown words
    # in a query pull its coverage down — the signal for "out of scope". A small store is
    # treated as a sample of at least MIN_CORPUS entries: in a one-entry store every known
    # word would otherwise weigh a fifth of an unknown one and any extra word sank a match.
    n = max(n, MIN_CORPUS)
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


class _Postings:
    """term → (row indices, values) as one CSC-like triple of flat numpy arrays."""

    def __init__(self, cols: dict[str, int], rows: np.ndarray, col: np.ndarray, vals: np.ndarray) -> None:
        self.cols = cols
        order = np.argsort(col, kind="stable")  # rows stay ascending within a column
        self.rows = rows[order]
        self.vals = vals[order]
        counts = np.bincount(col, minlength=len(cols))
        self.indptr = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)

    @classmethod
    def of(cls, cols: dict[str, int], rows: np.ndarray, vals: np.ndarray, indptr: np.ndarray) -> _Postings:
        """Already in column order (`arrays`' own)."""
        p = cls.__new__(cls)
        p.cols, p.rows, p.vals, p.indptr = cols, rows, vals, indptr
        return p

    def get(self, term: str) -> tuple[np.ndarray, np.ndarray] | None:
        c = self.cols.get(term)
        if c is None:
            return None
        a, b = self.indptr[c], self.indptr[c + 1]
        if a == b:
            return None
        return self.rows[a:b], self.vals[a:b]


class LexicalIndex:
    def __init__(self, entries: Sequence[Entry], synonyms: Synonyms) -> None:
        self.synonyms = synonyms
        self.n = len(entries)
        surface: Counter[str] = Counter()
        cols: dict[str, int] = {}
        # Aggregated per entry as it is read, into typed arrays (4-8 bytes a value, no Python
        # object per token): one record per distinct (entry, term) for coverage and pooled
        # BM25, one per distinct (unit, term). At 100k entries the former per-token lists of
        # Python objects made the build peak near 1.4 GB.
        c_rows, c_cols = array("i"), array("i")
        c_tf, c_ptf = array("d"), array("d")  # coverage tf; pooled tf (a repeated unit once)
        u_rows, u_cols = array("i"), array("i")
        starts = array("q")
        entry_words = array("f")
        n_units = 0
        unit_words = np.zeros(self.n, np.float64)  # words in an entry's distinct units
        unit_count = np.zeros(self.n, np.float64)
        self.text_words = np.zeros(self.n, np.float32)  # words of the body and answers' texts
        analysed: dict[str, tuple[list[str], list[int]]] = {}  # titles/tags repeat
        for i, e in enumerate(entries):
            starts.append(n_units)
            seen: set[str] = set()  # the question repeated as a phrasing or title is one unit
            tf: dict[int, float] = {}
            ptf: dict[int, float] = {}
            n_words = 0
            for text, w, is_unit in _fields(e):
                hit = analysed.get(text)
                if hit is None:
                    tokens = words(text)
                    ids = [cols.setdefault(t, len(cols)) for t in terms_of(synonyms.apply(tokens))]
                    hit = (tokens, ids)
                    if len(text) < 200 and len(analysed) < 50_000:
                        analysed[text] = hit
                surface.update(hit[0])
                k = len(hit[1])
                n_words += k
                if not is_unit:
                    self.text_words[i] += k
                for c in hit[1]:
                    tf[c] = tf.get(c, 0.0) + w
                if is_unit and k:
                    unit_terms = sorted(set(hit[1]))
                    u_rows.extend([n_units] * len(unit_terms))
                    u_cols.extend(unit_terms)
                    n_units += 1
                    key = " ".join(hit[0])
                    if key in seen:
                        continue
                    seen.add(key)
                    unit_words[i] += k
                    unit_count[i] += 1
                for c in hit[1]:
                    ptf[c] = ptf.get(c, 0.0) + w
            if n_units == starts[-1]:  # no unit: an empty one keeps segments aligned
                n_units += 1
            entry_words.append(n_words)
            terms = sorted(tf)
            c_rows.extend([i] * len(terms))
            c_cols.extend(terms)
            c_tf.extend(tf[c] for c in terms)
            c_ptf.extend(ptf.get(c, 0.0) for c in terms)
        del analysed

        # Words per entry: how much an entry says, i.e. how telling a missing word is.
        self.entry_words = np.frombuffer(entry_words, np.float32).copy()
        rows_c = np.frombuffer(c_rows, np.int32)
        cols_c = np.frombuffer(c_cols, np.int32)
        df = np.bincount(cols_c, minlength=len(cols))
        self._idf = np.array([self._term_idf(t, int(d)) for t, d in zip(cols, df, strict=True)], np.float64)
        # The float64 arrays below are computed in place, one scratch array at a time (each
        # is ~36 MB at 100k entries); same operations in the same order as the plain formulas
        # (noted beside them), so the same values.
        tf_c = np.frombuffer(c_tf, np.float64)
        c_vals = tf_c + SATURATION
        np.divide(tf_c, c_vals, out=c_vals)  # coverage: tf / (tf + SATURATION)
        del tf_c, c_tf

        ur, uc = np.frombuffer(u_rows, np.int32), np.frombuffer(u_cols, np.int32)
        idf2 = self._idf**2
        norms = np.sqrt(np.bincount(ur, weights=idf2[uc], minlength=n_units))
        u_vals = (idf2[uc] / np.maximum(norms[ur], 1e-12)).astype(np.float32)

        # Pooled BM25 has the same (entry, term) pairs as coverage (a repeated unit adds no
        # pair), so both are stored as one weighted value: one pass per query term for two.
        ptf_c = np.frombuffer(c_ptf, np.float64)
        mean_len = unit_words / np.maximum(unit_count, 1)  # per entry: words per unit
        avg_len = float(mean_len[unit_count > 0].mean()) if unit_count.any() else 1.0
        k_len = mean_len[rows_c]  # k1 * (1 - b + b * len / avg_len)
        k_len *= POOL_B
        k_len /= max(avg_len, 1e-9)
        k_len += 1 - POOL_B
        k_len *= POOL_K1
        k_len += ptf_c
        p_vals = np.divide(ptf_c, k_len, out=k_len)  # ptf / (ptf + k): BM25's tf part over k1 + 1
        del ptf_c, c_ptf
        c_vals *= W_COV
        p_vals *= W_POOL
        c_vals += p_vals  # W_COV * coverage + W_POOL * pooled
        del p_vals, k_len
        e_vals = c_vals.astype(np.float32)
        del c_vals
        self._cov = _Postings(cols, rows_c, cols_c, e_vals)
        self._unit = _Postings(cols, ur, uc, u_vals)
        self.n_units = n_units
        self._unit_starts = np.frombuffer(starts, np.int64).astype(np.intp)

        # Surface words for typo snapping and prefix completion (stop words can't be snapped to).
        vocab = {w for w in surface if is_content(w) and not w.isdigit()}
        vocab |= {w for w in synonyms.vocabulary() if is_content(w)}
        # One sorted list and its counts in the store (ties between typo candidates go to
        # the more frequent word): a set and a Counter of the same words took 10 MB at 10k.
        self._sorted_vocab = sorted(vocab)
        self._vocab_freq = np.array([surface[w] for w in self._sorted_vocab], np.int64)
        del surface
        # Typo candidates SymSpell-style (bot/matching/typos.py): every vocabulary word under
        # itself and its one-letter deletions; a query word looks up its own deletions.
        self._deletes = DeletionIndex(self._sorted_vocab)

    # -- on disk (bot/matching/indexcache.py) ----------------------------------------------
    def arrays(self) -> dict[str, np.ndarray]:
        """Everything the index holds but its synonyms, as arrays (strings newline-joined)."""
        terms = sorted(self._cov.cols, key=self._cov.cols.__getitem__)
        return {
            "n": np.array([self.n, self.n_units], np.int64),
            "terms": _joined(terms),
            "cov_rows": self._cov.rows,
            "cov_vals": self._cov.vals,
            "cov_indptr": self._cov.indptr,
            "unit_rows": self._unit.rows,
            "unit_vals": self._unit.vals,
            "unit_indptr": self._unit.indptr,
            "idf": self._idf,
            "entry_words": self.entry_words,
            "text_words": self.text_words,
            "unit_starts": self._unit_starts,
            "vocab": _joined(self._sorted_vocab),
            "vocab_freq": self._vocab_freq,
        }

    @classmethod
    def from_arrays(cls, a: dict[str, np.ndarray], synonyms: Synonyms) -> LexicalIndex:
        """`arrays()` back into an index: the same scores, no text analysed again."""
        index = cls.__new__(cls)
        index.synonyms = synonyms
        index.n, index.n_units = (int(v) for v in a["n"])
        cols = {t: i for i, t in enumerate(_split(a["terms"]))}
        index._cov = _Postings.of(cols, a["cov_rows"], a["cov_vals"], a["cov_indptr"])
        index._unit = _Postings.of(cols, a["unit_rows"], a["unit_vals"], a["unit_indptr"])
        index._idf = a["idf"]
        index.entry_words = a["entry_words"]
        index.text_words = a["text_words"]
        index._unit_starts = a["unit_starts"].astype(np.intp)
        index._sorted_vocab = _split(a["vocab"])
        index._vocab_freq = a["vocab_freq"]
        index._deletes = DeletionIndex(index._sorted_vocab)  # str hashes are per process
        return index

    def _term_idf(self, term: str, df: int = 0) -> float:
        """A term's idf from its document frequency (an unknown term: 0)."""
        if term in _STOP_STEMS:
            df = max(df, int(STOP_DF_SHARE * max(self.n, MIN_CORPUS)))
        return idf(df, self.n)

    def in_vocabulary(self, word: str) -> bool:
        """A surface word the store uses (or a synonym's), typo snapping's targets."""
        return self._vocab_position(word) is not None

    def word_count(self, word: str) -> int:
        """How often the store uses a vocabulary word (0 for others)."""
        i = self._vocab_position(word)
        return 0 if i is None else int(self._vocab_freq[i])

    def _vocab_position(self, word: str) -> int | None:
        i = bisect_left(self._sorted_vocab, word)
        return i if i < len(self._sorted_vocab) and self._sorted_vocab[i] == word else None

    def idf(self, term: str) -> float:
        c = self._cov.cols.get(term)
        return float(self._idf[c]) if c is not None else self._term_idf(term)

    def known(self, term: str) -> bool:
        return term in self._cov.cols

    # -- query side -------------------------------------------------------------------
    def query_terms(self, text: str, *, prefix: bool = False) -> list[QueryTerm]:
        """Analyse a query: snap unknown words to the vocabulary, apply synonyms, stem.
        With `prefix`, the last word is a partial word expanded to vocabulary completions."""
        return self.analyse(text, prefix=prefix)[0]

    def analyse(self, text: str, *, prefix: bool = False) -> tuple[list[QueryTerm], str | None]:
        """The query's terms (`query_terms`) and the query as the store spells it: unknown
        words snapped to the vocabulary and synonyms rewritten to their canonical term ("does
        tox shrink porse" → "does botox shrink pore"), or None if nothing changed. The matcher
        embeds that besides the raw query, so the semantic side sees what the member probably
        meant in the store's own vocabulary. One pass: snapping a word is the costly part."""
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
            if t not in out and (t in self._cov.cols or is_content(w)):
                out[t] = QueryTerm(((t, sims.get(w, 1.0)),), w)
        terms = list(out.values())
        if partial:
            alts = self._complete(partial)
            if alts:
                terms.append(QueryTerm(alts, partial))
        return terms, (" ".join(rewritten) if rewritten != raw else None)

    def _snap(self, word: str) -> tuple[str, float]:
        """An unknown word of 4+ letters → the closest vocabulary word within 1 edit
        (2 for 8+ letters; transpositions count as one), weighted by similarity."""
        if len(word) < 4 or not is_content(word) or word.isdigit() or self.in_vocabulary(word):
            return word, 1.0
        if stem(word) in self._cov.cols:
            return word, 1.0
        max_d = 2 if len(word) >= 8 else 1
        keys = {word} | deletions(word)
        if max_d == 2:
            keys |= {d2 for d in keys for d2 in deletions(d)}
        found = self._deletes.candidates(keys)
        if not found:
            return word, 1.0
        scored = [(OSA.distance(word, w, score_cutoff=max_d), w) for w in found]
        hits = [(d, w) for d, w in scored if d <= max_d]
        if not hits:
            return word, 1.0
        best_d = min(d for d, _ in hits)
        # Ties: prefer the more frequent word in the store, then the alphabetically first.
        best = min((w for d, w in hits if d == best_d), key=lambda w: (-self.word_count(w), w))
        return best, 1.0 - best_d / max(len(word), len(best)) * 0.8

    def _complete(self, partial: str) -> tuple[tuple[str, float], ...]:
        vocab = self._sorted_vocab
        lo = bisect_left(vocab, partial)
        hi = bisect_left(vocab, partial + "\U0010ffff", lo)
        found = vocab[lo:hi]
        cap = MAX_PREFIX_EXPANSION if len(partial) > 2 else 10
        if len(found) > cap:  # the most frequent; ties in vocabulary order (nlargest is stable)
            counts = self._vocab_freq[lo:hi].tolist()
            found = [found[k] for k in heapq.nlargest(cap, range(len(found)), key=counts.__getitem__)]
        stems: dict[str, float] = {}
        for w in found:
            for t in analyse(w, self.synonyms):
                stems[t] = 1.0
        if not stems and is_content(partial) and len(partial) >= 3:
            stems[stem(partial)] = 1.0
        return tuple(stems.items())

    # -- scoring ----------------------------------------------------------------------
    def score_array(self, terms: Iterable[QueryTerm]) -> np.ndarray:
        """Lexical score in [0, 1] per entry (entry order); 0 where no term matches."""
        terms = list(terms)
        if not terms or self.n == 0:
            return np.zeros(self.n, np.float32)
        weights = [max(self.idf(t) for t, _ in q.alternatives) for q in terms]
        total = sum(weights) or 1.0
        qnorm = math.sqrt(sum(w * w for w in weights)) or 1.0
        cov = np.zeros(self.n, np.float32)
        unit = np.zeros(self.n_units, np.float32)
        for q in terms:
            _accumulate(cov, [(self._cov.get(t), self.idf(t) * p) for t, p in q.alternatives])
            _accumulate(unit, [(self._unit.get(t), p) for t, p in q.alternatives])
        best_unit = np.maximum.reduceat(unit, self._unit_starts)
        out = cov / total  # W_COV * coverage + W_POOL * pooled, summed in one pass
        out += (W_UNIT / qnorm) * np.minimum(best_unit, qnorm)
        out[cov <= 0] = 0.0
        return out.astype(np.float32, copy=False)

    def coverage(self, terms: Iterable[QueryTerm]) -> np.ndarray | None:
        """Per entry, the share of the query's content words it contains in any field
        (question, phrasings, tags, body, answers); None when the query has no content word.
        Used to refuse a confident answer about a word the entry never mentions."""
        content = [q for q in terms if is_content(q.surface)]
        if not content or self.n == 0:
            return None
        hits = np.zeros(self.n, np.float32)
        for q in content:
            covered = np.zeros(self.n, bool)
            for t, _ in q.alternatives:
                posting = self._cov.get(t)
                if posting is not None:
                    covered[posting[0]] = True
            hits += covered
        return hits / len(content)

    def score(self, terms: Iterable[QueryTerm]) -> dict[int, float]:
        """entry index → lexical score for every entry matching any term (diagnostics)."""
        arr = self.score_array(terms)
        nz = np.flatnonzero(arr)
        return {int(i): float(arr[i]) for i in nz}


def _accumulate(
    dense: np.ndarray, postings: list[tuple[tuple[np.ndarray, np.ndarray] | None, float]]
) -> None:
    """dense += for one query term, the best of its alternatives per row."""
    present = [(p, w) for p, w in postings if p is not None and w > 0]
    if not present:
        return
    if len(present) == 1:
        (rows, vals), w = present[0]
        dense[rows] += vals * np.float32(w)  # rows are unique within one term's postings
        return
    rows = np.concatenate([p[0] for p, _ in present])
    vals = np.concatenate([p[1] * np.float32(w) for p, w in present])
    best = np.zeros_like(dense)
    np.maximum.at(best, rows, vals)
    dense += best


def _joined(words: Sequence[str]) -> np.ndarray:
    """Words (never containing a newline: `words()` splits on whitespace) as one UTF-8 blob."""
    return np.frombuffer("\n".join(words).encode("utf-8", "surrogatepass"), np.uint8)


def _split(blob: np.ndarray) -> list[str]:
    text = blob.tobytes().decode("utf-8", "surrogatepass")
    return text.split("\n") if text else []


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
        if a.title.strip():
            yield a.title, W_TITLES, True
        yield a.text, W_ANSWERS, False
