"""Answer bars derived from the store itself, so one default suits every store.

A confidence of 0.3 means different things in a store of phrasings-only intents and in one
of rich expert entries: the best single answer bar measured 0.07 on CLINC150 and 0.72-0.82
on BANKING77 with the same matcher. So the bars are chosen per store (and per guild scope)
from probes the store itself yields:

* in-scope probes — each entry's phrasings, question and answer titles, held out one at a
  time (the entry keeps the rest; leave-one-out, in a few folds), must be answered with
  their entry;
* near out-of-scope probes — a share of the entries is left out of the store entirely, and
  their units must get no answer (what a question about a neighbouring topic the store
  does not cover looks like);
* generic out-of-scope probes — a shipped bank of everyday questions (`oos_bank.txt`,
  CLINC150's oos_train + oos_val, CC BY 3.0; never oos_test, which the benchmarks report
  on) must get no answer.

The answer bar maximises the balanced score (in-scope accuracy + out-of-scope recall, near
probes weighted against generic ones by how close the store's neighbouring topics are) on
those probes, taken in the middle of its
plateau and shrunk towards the fixed default for stores with few probes. Pure: the caller
builds matchers (`build`) and decides on which thread this runs.
"""

from __future__ import annotations

import hashlib
import json
import random
import zlib
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from functools import lru_cache
from importlib import resources

import numpy as np

from bot.matching.decide import Thresholds
from bot.matching.matcher import Matcher
from bot.matching.normalize import words
from bot.models import Answer, Entry

VERSION = 2  # part of the cache key: bump when probes or the choice change
FOLDS = 4
SMALL_STORE = 30  # entries: below this, up to MAX_FOLDS folds, one per unit (leave-one-out)
MAX_FOLDS = 10
LARGE_STORE = 2000  # entries: above this, 1 fold (each fold rebuilds the whole store)
# How much out-of-scope recall weighs near (absent-entry) probes against generic ones
# follows the store: where the left-out entries' probes score high against the entries
# that stay (close neighbouring topics, one narrow domain: BANKING77), members' unanswered
# questions are likely neighbours too, and answering them with the nearest entry is the
# costly mistake; where they score low (a store spanning many topics: CLINC150), unanswered
# questions look like the generic bank. Weight = NEAR_SCALE x (median confidence of the
# absent probes / median confidence of correctly answered held-out ones), at most
# NEAR_WEIGHT_MAX. NEAR_SCALE was chosen on validation data only (CLINC150 val + oos_val
# with the bank cut to oos_train; BANKING77 rows carved from train): see docs/benchmarks.md.
NEAR_SCALE = 6.0
NEAR_WEIGHT_MAX = 0.9
NEAR_WEIGHT_FALLBACK = 0.5  # no correctly answered held-out probe to compare with
ABSENT_SHARE = 0.2  # of the entries, left out per fold as near out-of-scope probes
MIN_ENTRIES_FOR_ABSENT = 5
MAX_IN_PROBES = 300  # per fold: bounds the work on large stores
MAX_ABSENT_PROBES = 100  # per fold
PRIOR_WEIGHT = 20  # the fixed default counts as this many in-scope probes
SUGGEST_RATIO = 0.6  # suggest bar = answer bar x this: a "did you mean" must be plausible
KEYWORD_SHARE = 0.6  # keyword bar: this far from the answer bar to 1 (0.5 → 0.8)
GRID = np.round(np.arange(0.005, 1.0, 0.005), 3)

Build = Callable[[Sequence[Entry]], Matcher]


@lru_cache(maxsize=1)
def oos_bank() -> tuple[str, ...]:
    text = resources.files("bot.matching").joinpath("oos_bank.txt").read_text(encoding="utf-8")
    return tuple(s for s in (line.strip() for line in text.splitlines()) if s and not s.startswith("#"))


@dataclass(frozen=True)
class Probe:
    text: str
    expected: str | None  # the entry that must answer; None: must not be answered
    kind: str  # "held-out", "absent" or "bank"


@dataclass(frozen=True)
class Fold:
    entries: tuple[Entry, ...]
    probes: tuple[Probe, ...]


@dataclass(frozen=True)
class Outcome:
    probe: Probe
    got: str | None  # the top-ranked entry
    confidence: float

    @property
    def correct(self) -> bool:
        return self.probe.expected is not None and self.got == self.probe.expected


@dataclass(frozen=True)
class Bars:
    """The chosen bars and what they give on the store's own probes."""

    answer: float
    suggest: float
    keyword: float
    in_scope_probes: int
    out_of_scope_probes: int
    answer_rate: float  # share of in-scope probes answered at the answer bar
    precision: float  # share of answers (in- and out-of-scope probes) with the right entry
    accuracy: float  # share of in-scope probes answered with their own entry
    oos_recall: float  # share of out-of-scope probes not answered (near ones weighted as chosen)
    source: str  # "store" (calibrated) or "default" (too few probes)
    near_weight: float = 0.0  # the weight of near (absent-entry) probes in out-of-scope recall

    def thresholds(self) -> Thresholds:
        return Thresholds(answer=self.answer, suggest=self.suggest, keyword=self.keyword)

    def to_dict(self) -> dict[str, object]:
        return {k: round(v, 4) if isinstance(v, float) else v for k, v in asdict(self).items()}

    @classmethod
    def from_dict(cls, d: dict[str, object]) -> Bars:
        return cls(**d)  # type: ignore[arg-type]


def units(e: Entry) -> list[str]:
    """The entry's phrasing-level texts: question, phrasings, answer titles (distinct)."""
    seen: dict[str, str] = {}
    for t in (e.question, *e.phrasings, *(a.title for a in e.answers)):
        key = " ".join(words(t))
        if key and key not in seen:
            seen[key] = t
    return list(seen.values())


def without(e: Entry, unit: str) -> Entry:
    """The entry with one unit held out (a phrasing, an answer title, or the question when
    a phrasing can take its place)."""
    key = " ".join(words(unit))
    same = [p for p in e.phrasings if " ".join(words(p)) != key]
    if " ".join(words(e.question)) == key and same:
        return e.with_changes(question=same[0], phrasings=tuple(same[1:]))
    answers = tuple(a if " ".join(words(a.title)) != key else _untitled(a) for a in e.answers)
    return e.with_changes(phrasings=tuple(same), answers=answers)


def _untitled(a: Answer) -> Answer:
    return replace(a, title="")


def _holdable(e: Entry) -> list[str]:
    """Units that can be held out while the entry keeps something to match on."""
    us = units(e)
    if len(us) < 2:
        return []
    qkey = " ".join(words(e.question))
    return [u for u in us if " ".join(words(u)) != qkey or e.phrasings]


def plan(
    entries: Sequence[Entry],
    *,
    folds: int | None = None,
    seed: int = 0,
    bank: Sequence[str] | None = None,
) -> list[Fold]:
    """Deterministic probes for a store: per fold, a modified store and its probes. Across
    folds each entry holds out a different unit. `bank`: the generic out-of-scope questions
    (default: the shipped `oos_bank.txt`; studies pass a part of it)."""
    ordered = sorted(entries, key=lambda e: e.id)
    if folds is None:
        folds = FOLDS
        if len(ordered) < SMALL_STORE:  # few entries: every unit they have is worth probing
            folds = max(FOLDS, min(MAX_FOLDS, max((len(units(e)) for e in ordered), default=0)))
        elif len(ordered) > LARGE_STORE:  # probes are capped anyway; the build dominates
            folds = 1
    bank = list(oos_bank() if bank is None else bank)
    out: list[Fold] = []
    for f in range(folds):
        rng = random.Random(f"{seed}:{f}")
        shuffled = ordered[:]
        rng.shuffle(shuffled)
        n_absent = int(ABSENT_SHARE * len(shuffled)) if len(shuffled) >= MIN_ENTRIES_FOR_ABSENT else 0
        # Only as many left out as are probed: a large store keeps its crowd of neighbours.
        n_absent = min(n_absent, MAX_ABSENT_PROBES)
        absent, kept = shuffled[:n_absent], shuffled[n_absent:]
        probes: list[Probe] = []
        for e in absent:
            us = units(e)
            probes.append(Probe(us[f % len(us)], None, "absent"))
        held: dict[str, str] = {}
        for e in kept:
            if len(held) >= MAX_IN_PROBES:  # bounded work on a large store
                break
            if hold := _holdable(e):
                held[e.id] = hold[(zlib.crc32(e.id.encode()) + f) % len(hold)]
        store = tuple(without(e, held[e.id]) if e.id in held else e for e in kept)
        probes += [Probe(text, eid, "held-out") for eid, text in held.items()]
        probes += [Probe(q, None, "bank") for q in bank[f::folds]]  # each bank question once
        out.append(Fold(store, tuple(probes)))
    return out


def run_fold(fold: Fold, build: Build) -> list[Outcome]:
    """Build the fold's store and rank every probe (the slow part: run off the event loop)."""
    m = build(fold.entries)
    outcomes = []
    for p in fold.probes:
        top = m.rank(p.text, 1)
        outcomes.append(Outcome(p, top[0].entry_id if top else None, top[0].confidence if top else 0.0))
    return outcomes


def near_weight(outcomes: Sequence[Outcome]) -> float:
    """The weight of near (absent-entry) probes against generic ones (see NEAR_SCALE)."""
    absent = [o.confidence for o in outcomes if o.probe.kind == "absent"]
    right = [o.confidence for o in outcomes if o.correct]
    if not absent:
        return 0.0
    if not right or float(np.median(right)) <= 0:
        return NEAR_WEIGHT_FALLBACK
    return float(min(NEAR_WEIGHT_MAX, NEAR_SCALE * float(np.median(absent)) / float(np.median(right))))


def choose(
    outcomes: Sequence[Outcome], default: Thresholds | None = None, *, near: float | None = None
) -> Bars:
    """The answer bar with the best balanced score on the probes (see the module doc).
    `near`: the near probes' weight (default: from the probes, `near_weight`)."""
    default = default or Thresholds()
    near = near_weight(outcomes) if near is None else near
    ins = [o for o in outcomes if o.probe.expected is not None]
    kinds = {k: np.array([o.confidence for o in outcomes if o.probe.kind == k]) for k in ("absent", "bank")}
    weights = {k: w for k, w in (("absent", near), ("bank", 1 - near)) if len(kinds[k]) and w > 0}
    if not ins or not weights:
        return _bars(default.answer, outcomes, "default", near)
    conf = np.array([o.confidence for o in ins])
    ok = np.array([o.correct for o in ins])
    acc = (ok[None, :] & (conf[None, :] >= GRID[:, None])).mean(axis=1)
    rec = sum(w * (kinds[k][None, :] < GRID[:, None]).mean(axis=1) for k, w in weights.items())
    rec = rec / sum(weights.values())
    score = (acc + rec) / 2
    best = int(np.argmax(score))
    # The middle of the best plateau: a bar just above the highest negative is fragile.
    lo = hi = best
    while lo > 0 and score[lo - 1] >= score[best] - 1e-9:
        lo -= 1
    while hi < len(GRID) - 1 and score[hi + 1] >= score[best] - 1e-9:
        hi += 1
    chosen = float(GRID[lo] + GRID[hi]) / 2
    n = len(ins)
    answer = (n * chosen + PRIOR_WEIGHT * default.answer) / (n + PRIOR_WEIGHT)
    return _bars(answer, outcomes, "store", near)


def _bars(answer: float, outcomes: Sequence[Outcome], source: str, near: float) -> Bars:
    answer = round(min(0.99, max(0.01, answer)), 3)
    ins = [o for o in outcomes if o.probe.expected is not None]
    outs = [o for o in outcomes if o.probe.expected is None]
    answered_in = [o for o in ins if o.confidence >= answer]
    answered_out = [o for o in outs if o.confidence >= answer]
    weights = (("absent", near), ("bank", 1 - near))
    kinds = [([o for o in outs if o.probe.kind == k], w) for k, w in weights]
    recalls = [(w * sum(o.confidence < answer for o in k) / len(k), w) for k, w in kinds if k and w > 0]
    answered = len(answered_in) + len(answered_out)
    return Bars(
        answer=answer,
        suggest=round(answer * SUGGEST_RATIO, 3),
        keyword=round(answer + (1.0 - answer) * KEYWORD_SHARE, 3),
        in_scope_probes=len(ins),
        out_of_scope_probes=len(outs),
        answer_rate=len(answered_in) / len(ins) if ins else 0.0,
        precision=sum(o.correct for o in answered_in) / answered if answered else 0.0,
        accuracy=sum(o.correct for o in answered_in) / len(ins) if ins else 0.0,
        oos_recall=sum(r for r, _ in recalls) / sum(w for _, w in recalls) if recalls else 0.0,
        source=source,
        near_weight=round(near, 3),
    )


def calibrate(entries: Sequence[Entry], build: Build, default: Thresholds | None = None) -> Bars:
    """All folds in one go (CLI, benchmarks, tests); the service runs them one by one."""
    outcomes: list[Outcome] = []
    for fold in plan(entries):
        outcomes += run_fold(fold, build)
    return choose(outcomes, default)


def cache_key(entries: Sequence[Entry], mode: str, content_hash: Callable[[Entry], str]) -> str:
    """What the bars depend on: the entries' content, the matcher mode, this module."""
    h = hashlib.sha256(json.dumps([VERSION, mode]).encode())
    for digest in sorted(content_hash(e) for e in entries):
        h.update(digest.encode())
    return h.hexdigest()
