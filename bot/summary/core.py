"""An entry's answers → an automatic `Summary` (and the curated one taking precedence).

Pipeline (deterministic, offline, no LLM):

1. every answer is segmented Markdown-aware (`segment.py`: code blocks, quotes and tables
   left out, list items kept apart); pleasantries dropped and greetings trimmed; a sentence
   needs two content words; each is cut into clauses and read by `claims.py`;
2. disagreements (`disputes.py`): change claims and conflicting clauses on one subject, one
   per subject, sides attributed; their sentences are not quoted as points;
3. points: every other full sentence is a candidate. Its supporters are checked **per
   expert**: an expert supports it only if, for every clause of the sentence, their own answer
   has a clause that states it (`claims.supports`: same words, same polarity, same hedging,
   same figures) and no clause of theirs conflicts with it. Candidates are ranked by support,
   then by salience (`salience`: biased LexRank centrality over the thread's sentences, how
   much of the question it answers, a figure, minus asides and long sentences), picked by
   maximal marginal relevance; near-duplicates of a chosen point are skipped; quotes are
   made to stand alone (`units.standalone`).

`Summary.experts` (m in "n of m experts") counts the distinct experts with at least one
substantive sentence (a named expert once, each unattributed answer once).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.models import Entry, Point, Summary
from bot.summary.claims import (
    QUESTION_WEIGHT,
    Clause,
    alternatives,
    conflict,
    question_features,
    same_range,
    supports,
    weight,
)
from bot.summary.contradiction import opposite_change
from bot.summary.disputes import MAX_DISAGREEMENTS, find_disagreements
from bot.summary.sentences import words
from bot.summary.stance import takes_side, yes_no_target
from bot.summary.units import (
    EXPLETIVE_IT,
    MAX_POINT_CHARS,
    Unit,
    clarity,
    extract_units,
    labels,
    shorten,
    standalone,
)

RENDER_BUDGET = 3500  # rendered summary stays well inside an embed description (4096)
MAX_OWN_POINTS = 2  # single-expert points quoted from one answer
DUPLICATE = 0.5  # lexical similarity at which two candidate points say the same thing
_ASIDE = re.compile(
    r"^(?:according to me|also|by the way|btw|as a side note|side note|fun fact|p\.?s\.?|edit|"
    r"personally|in my case|for what it'?s worth|fwiw|off[- ]topic|anyway|funnily|interestingly|"
    r"i remember|i once|when i|keep in mind|bear in mind|note that|"
    r"my (?:wife|husband|friend|mother|father|son|daughter))\b",
    re.I,
)
# "I agree with Dr. Okafor about…": a reference to another expert's words, not a claim of its own
# (two such sentences share "agree" and "Dr." and nothing they claim).
# "+1 to …", "Agree on keeping it easy", "As Dale said, …", "People who say … are wrong": about
# the others' words.
_REFERS = re.compile(
    r"^(?:(?:i\s+)?(?:\w+ly\s+)?(?:agree|disagree)d?\s+(?:with|on|that)\b|\+1\b|(?:as|like)\s+\S+\s+(?:said|says|"
    r"mentioned|wrote|pointed\s+out)\b|(?:people|those|anyone)\s+who\s+(?:say|says|claim|tell)\b)",
    re.I,
)
_PRONOUN_OPENER = re.compile(r"^(?:it|this|that|these|those|they)(?:\s|['’])", re.I)
_LEAD_IN_LIST = re.compile(
    r"\b(?:following|these|here|steps?|things?|tips?|ways?|options?|reasons?|rules?)\b", re.I
)
_DEPENDENT_OPENER = re.compile(
    r"^(as a result|this|that|these|those|it|thereby|therefore|so|thus|hence|also|then|either way|"
    r"otherwise|both|which)\b",
    re.IGNORECASE,
)


def question_subject(question: str) -> str | None:
    """The one proper noun the question is about ("Why does Botox make…" → "Botox"), if
    exactly one capitalised word stands after the first word."""
    names = {w.strip(".,;:!?\"'()") for w in question.split()[1:]}
    names = {w for w in names if len(w) > 1 and w[0].isupper() and w[1:].islower()}
    return names.pop() if len(names) == 1 else None


def resolve_it(unit: Unit, units: Sequence[Unit], subject: str | None) -> str:
    """A point quoted out of context must not open with a bare "It": when the expert's
    previous sentence names the question's subject, that is what "It" stands for, and the
    quote says so in brackets ("[Botox] causes the glands…"), the usual mark of an edit."""
    text = unit.text
    if subject is None or not text.startswith("It ") or unit.index == 0:
        return text
    i = unit.index - 1
    while i > 0 and units[i].text.startswith("It ") and units[i - 1].answer == unit.answer:
        i -= 1  # "Botox … . It causes … . It also softens …": both "It"s are Botox
    before = units[i]
    if before.answer != unit.answer or subject.lower() not in words(before.text):
        return text
    return f"[{subject}] {text[3:]}"


_NON_PROSE = re.compile(r"`[^`]*`|<?https?://\S+")


def _prose_words(text: str) -> int:
    """Words outside code spans and URLs ("See the docs: <url>" has three)."""
    return len(_NON_PROSE.sub(" ", text).split())


def _cosine(a: frozenset[str], b: frozenset[str], question: frozenset[str]) -> float:
    if not a or not b:
        return 0.0
    shared = a & b
    if not shared:
        return 0.0
    q2 = QUESTION_WEIGHT**2

    def total(x: frozenset[str]) -> float:
        inq = len(x & question)
        return len(x) - inq + q2 * inq

    return total(shared) / math.sqrt(total(a) * total(b))


def _claims_before_list(text: str) -> bool:
    """A lead-in to a list or code that is a claim of its own ("One composite index, equality
    column first, range column second:"), not an announcement ("Here are the steps:")."""
    return _prose_words(text) >= 5 and not _LEAD_IN_LIST.search(text) and not _PRONOUN_OPENER.match(text)


def _own_words(u: Unit, question: frozenset[str]) -> frozenset[str]:
    return frozenset(t for t in u.stems if weight(t, question) == 1.0)


def other_figures(a: Unit, b: Unit) -> bool:
    """`a` and `b` give figures of one kind and none of them agree ("six to twelve months" /
    "about six months"): two claims, however many words they share."""
    qa = [q for c in a.clauses for q in c.quantities]
    qb = [q for c in b.clauses for q in c.quantities]
    kinds = {q.unit for q in qa} & {q.unit for q in qb}
    return bool(kinds) and not any(same_range(x, y) for x in qa for y in qb if x.unit in kinds)


def _same_claim(a: Unit, b: Unit, question: frozenset[str]) -> bool:
    """Near-duplicates: most of the shorter one's own words (not the question's, not light
    verbs) are the other's, or the two read alike overall; never opposite changes ("larger" /
    "smaller") nor other figures: each is a view of its own."""
    if (opposite_change(a.text, b.text) and opposite_change(b.text, a.text)) or other_figures(a, b):
        return False
    wa, wb = _own_words(a, question), _own_words(b, question)
    shared = len(wa & wb)
    if shared >= 2 and shared >= 0.5 * min(len(wa), len(wb)):
        return True
    return _cosine(a.stems, b.stems, question) >= DUPLICATE


def _embed(embedder: object, texts: list[str]) -> list[list[float]] | None:
    fn = getattr(embedder, "embed", None)
    if fn is None or not texts:
        return None
    try:
        rows = [[float(x) for x in row] for row in fn(texts)]
    except Exception:  # an optional model must never break a summary
        return None
    return rows if len(rows) == len(texts) else None


def by_expert(units: Sequence[Unit]) -> dict[tuple[str, int], tuple[list[Unit], frozenset[str]]]:
    """Each expert's sentences and every word or figure they use (to skip the unrelated fast)."""
    out: dict[tuple[str, int], tuple[list[Unit], frozenset[str]]] = {}
    for u in units:
        own, words_used = out.get(u.expert, ([], frozenset()))
        own.append(u)
        out[u.expert] = (own, words_used | {f for c in u.clauses for f in c.features})
    return out


@dataclass(frozen=True)
class Vocabulary:
    """The thread's terms (words two or more experts use) and which of them ever share a
    sentence: two terms that never do are alternatives ("ibuprofen" / "paracetamol")."""

    terms: frozenset[str]
    together: frozenset[tuple[str, str]]

    @classmethod
    def of(cls, units: Sequence[Unit]) -> Vocabulary:
        who: dict[str, set[tuple[str, int]]] = {}
        for u in units:
            for f in u.stems:
                who.setdefault(f, set()).add(u.expert)
        terms = frozenset(f for f, e in who.items() if len(e) >= 2)
        together: set[tuple[str, str]] = set()
        for u in units:
            ts = sorted(u.stems & terms)
            together.update((a, b) for i, a in enumerate(ts) for b in ts[i + 1 :])
        return cls(terms, frozenset(together))

    def swapped(self, r: Clause, s: Clause, question: frozenset[str]) -> bool:
        """`s` says another term where `r` says one of the thread's (one for the other)."""
        missing = [f for f in r.features - s.features if f in self.terms and weight(f, question) == 1.0]
        extra = [f for f in s.features - r.features if f in self.terms and weight(f, question) == 1.0]
        return any((min(m, x), max(m, x)) not in self.together for m in missing for x in extra)


def supporters_of(
    rep: Unit,
    units: Sequence[Unit],
    question: frozenset[str],
    options: tuple[str, str] | None = None,
    experts: dict[tuple[str, int], tuple[list[Unit], frozenset[str]]] | None = None,
    vocabulary: Vocabulary | None = None,
    target: str | None = None,
) -> tuple[tuple[str, ...], set[int]]:
    """The experts whose own answer states every clause of `rep` (and contradicts none),
    in answer order, and the sentences that state it."""
    claims = [c for c in rep.clauses if any(f not in question for f in c.features)]
    if not claims:
        return (), set()
    vocab = vocabulary or Vocabulary.of(units)
    mine = frozenset(f for c in rep.clauses for f in c.features)
    backers: list[Unit] = [rep]
    used = {rep.index}
    for expert, (own, words_used) in (experts or by_expert(units)).items():
        if expert == rep.expert or len(mine & words_used) < 2:
            continue  # shares too little to state it or to contradict it
        own = [u for u in own if not _REFERS.match(u.text)]
        clauses = [c for u in own for c in u.clauses]
        if any(conflict(r, c, question, options, target) for r in rep.clauses for c in clauses):
            continue  # says something else on this: not a supporter
        hits: list[Unit] = []
        for r in claims:
            hit = next(
                (u for u in own for c in u.clauses
                 if supports(r, c, question, options) and not vocab.swapped(r, c, question)
                 and not opposite_change(r.text, c.text)),
                None,
            )  # fmt: skip
            if hit is None:
                break
            hits.append(hit)
        else:
            backers.extend(hits)
            used |= {u.index for u in hits}
    return labels(backers), used


def rendered_length(s: Summary) -> int:
    """Characters a plain rendering of `s` needs (text, names, "n of m experts" lines)."""
    n = 0
    for p in s.points:
        n += len(p.text) + sum(len(x) + 2 for x in p.supporters) + 30
    for d in s.disagreements:
        n += len(d.topic) + 20
        for side in d.sides:
            n += len(side.text) + sum(len(x) + 2 for x in side.supporters) + 30
    return n


@dataclass(frozen=True)
class Weights:
    """How a candidate point's salience is made up (see `salience`). Chosen leave-one-split-
    out on the labelled threads (docs/benchmarks.md, round 4); a bonus for an answer's first
    sentence and a cost for first-person anecdotes were measured there and did not help."""

    central: float = 0.5  # biased LexRank centrality over the thread's sentences
    answers: float = 0.3  # share of the question's words it uses
    figures: float = 0.2  # states a figure (a quantity with its unit)
    unclear: float = 1.0  # `clarity` penalty and asides


WEIGHTS = Weights()
DAMPING = 0.85
REDUNDANCY = 2.0  # how much a point's likeness to a chosen one costs it (MMR)
QUESTION_BIAS = 0.5  # share of the random jump that goes to sentences using the question's words


def similarity(units: Sequence[Unit], vectors: list[list[float]] | None = None) -> np.ndarray:
    """Pairwise similarity of the thread's sentences: cosine of TF-IDF vectors of their stems
    and figures (a word every sentence uses says little), or with an embedder the larger of
    that and the semantic cosine less a floor (unrelated sentences of one thread still embed
    close). The diagonal is 0."""
    n = len(units)
    feats = [u.stems | {f for c in u.clauses for f in c.features if f.startswith("#")} for u in units]
    df: dict[str, int] = {}
    for fs in feats:
        for f in fs:
            df[f] = df.get(f, 0) + 1
    vocab = {f: i for i, f in enumerate(sorted(df))}
    tfidf = np.zeros((n, len(vocab)))
    for i, fs in enumerate(feats):
        for f in fs:
            tfidf[i, vocab[f]] = math.log((n + 1) / (df[f] + 0.5))
    norms = np.linalg.norm(tfidf, axis=1)
    tfidf /= np.where(norms > 0, norms, 1.0)[:, None]
    sim = tfidf @ tfidf.T
    if vectors is not None:
        emb = np.asarray(vectors, dtype=float)
        sim = np.maximum(sim, emb @ emb.T - 0.3)
    np.fill_diagonal(sim, 0.0)
    return np.asarray(np.clip(sim, 0.0, None))


def centrality(units: Sequence[Unit], question: frozenset[str], sim: np.ndarray) -> list[float]:
    """Each sentence's centrality in the thread (mean 1.0): continuous LexRank (Erkan & Radev
    2004) over `similarity`, the random jump biased towards sentences that use the question's
    words (Otterbacher et al. 2005). (Weighing an expert's own other sentences less was
    measured and did not help.)"""
    n = len(units)
    if n == 0:
        return []
    rows = sim.sum(axis=1)
    # a sentence like no other spreads its vote evenly (a dangling node of the graph)
    walk = np.where(rows[:, None] > 0, sim / np.where(rows > 0, rows, 1.0)[:, None], 1.0 / n)
    relevance = np.array([len(u.stems & question) / math.sqrt(max(1, len(u.stems))) for u in units])
    jump = np.full(n, 1.0 / n)
    if relevance.sum() > 0:
        jump = (1 - QUESTION_BIAS) * jump + QUESTION_BIAS * relevance / relevance.sum()
    p = np.full(n, 1.0 / n)
    for _ in range(100):
        nxt = (1 - DAMPING) * jump + DAMPING * (walk.T @ p)
        done = float(np.abs(nxt - p).sum()) < 1e-9
        p = nxt
        if done:
            break
    return [float(x) * n for x in p]


def salience(u: Unit, central: float, question: frozenset[str], weights: Weights = WEIGHTS) -> float:
    """How much a candidate point is what the thread is about: its centrality, how much of
    the question it answers, a figure it states; less for an aside, a long or dependent
    sentence."""
    n_parts = sum(1 for f in question if f.startswith("&"))  # a compound question's parts, not words
    answered = len(u.stems & question) / max(1, len(question) - n_parts)
    figures = any(f.startswith("#") for c in u.clauses for f in c.features)
    penalty = clarity(u) + (0.4 if _ASIDE.match(u.text) else 0.0)
    return (
        weights.central * central
        + weights.answers * answered
        + weights.figures * figures
        - weights.unclear * penalty
    )


def summarize(
    entry: Entry, *, max_points: int = 6, embedder: object | None = None, weights: Weights = WEIGHTS
) -> Summary:
    """The automatic summary of `entry` (never the curated one; see `effective_summary`)."""
    options = alternatives(entry.question)
    target = None if options else yes_no_target(entry.question)
    keep = target is not None  # an opening "Yes," answers a yes/no question
    units = extract_units(entry, keep_short=lambda s: takes_side(s, options, target), keep_yes=keep)
    if not units:
        return Summary(experts=0, curated=False)
    experts = len(labels(units))
    question = question_features(entry.question)
    subject = question_subject(entry.question)
    disagreements, contested = find_disagreements(units, question, entry.question)

    candidates = [
        u for u in units
        if not u.fragment and u.index not in contested and not u.text.rstrip().endswith("?")
        and not _REFERS.match(u.text)
        and len(u.stems - question) >= 1 and _prose_words(u.text) >= 4
        and (not u.text.rstrip().endswith(":") or _claims_before_list(u.text))
    ]  # fmt: skip
    vectors = _embed(embedder, [u.text for u in units]) if embedder is not None else None
    sim = similarity(units, vectors)
    central = centrality(units, question, sim)

    experts_words = by_expert(units)
    vocabulary = Vocabulary.of(units)
    scored = []
    for u in candidates:
        who, used = supporters_of(u, units, question, options, experts_words, vocabulary, target)
        if not who:
            continue
        scored.append((len(who), salience(u, central[u.index], question, weights), u, who, used))
    chosen: list[tuple[int, float, Unit, tuple[str, ...], set[int]]] = []
    own_points: dict[int, int] = {}
    side_texts = {s.text for d in disagreements for s in d.sides}
    while scored and len(chosen) < max(0, max_points):
        # maximal marginal relevance (Carbonell & Goldstein 1998): a sentence much like a
        # chosen point adds less; support still comes first
        def gain(x: tuple[int, float, Unit, tuple[str, ...], set[int]]) -> tuple[int, float, int]:
            overlap = max((float(sim[x[2].index, c[2].index]) for c in chosen), default=0.0)
            return (x[0], x[1] - REDUNDANCY * overlap, -x[2].index)

        best = max(scored, key=gain)
        scored.remove(best)
        n, sal, u, who, used = best
        if any(u.index in c[4] or c[2].index in used or _same_claim(u, c[2], question) for c in chosen):
            continue  # says what a chosen point already says (a sentence may back two points)
        text = shorten(standalone(resolve_it(u, units, subject)))
        if text.endswith(":"):
            text = text[:-1].rstrip() + "."  # a lead-in that is a claim of its own
        if not EXPLETIVE_IT.match(text) and (
            _PRONOUN_OPENER.match(text) or (n == 1 and _DEPENDENT_OPENER.match(text))
        ):
            continue  # "It also …", one expert's "As a result, …": little out of context
        if n == 1:
            if own_points.get(u.answer, 0) >= MAX_OWN_POINTS:
                continue
            own_points[u.answer] = own_points.get(u.answer, 0) + 1
        if text in side_texts:
            continue
        chosen.append((n, sal, replace(u, text=text), who, used))
    points = [Point(u.text, who) for _, _, u, who, _ in chosen]

    summary = Summary(tuple(points), tuple(disagreements), experts=experts, curated=False)
    while rendered_length(summary) > RENDER_BUDGET and summary.points:
        summary = replace(summary, points=summary.points[:-1])
    while rendered_length(summary) > RENDER_BUDGET and summary.disagreements:
        summary = replace(summary, disagreements=summary.disagreements[:-1])
    return summary


def effective_summary(entry: Entry, automatic: Summary | None) -> Summary:
    """The summary to show: the curated one (`entry.summary`) when present, else `automatic`.

    `automatic` is the summary computed when the entry was stored; when it is missing it is
    computed now (a fallback, the service should pass the stored one).
    """
    if entry.summary is not None and not entry.summary.is_empty():
        curated = entry.summary
        experts = curated.experts
        if not experts:
            experts = automatic.experts if automatic is not None else summarize(entry).experts
        return replace(curated, experts=experts, curated=True)
    if automatic is not None:
        return automatic
    return summarize(entry)


__all__ = [
    "MAX_DISAGREEMENTS",
    "MAX_POINT_CHARS",
    "Unit",
    "effective_summary",
    "extract_units",
    "question_subject",
    "rendered_length",
    "resolve_it",
    "shorten",
    "summarize",
    "supporters_of",
]
