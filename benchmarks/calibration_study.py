"""Validation data for choosing how `bot/matching/bars.py` picks a store's answer bar.

Never reads a test split. For each set, seed and matcher it records the store's own probe
outcomes (what the calibration sees) and the outcomes of VALIDATION queries:

* CLINC150: `val` + `oos_val`; the generic out-of-scope bank is cut to its oos_train half,
  so the calibration never sees the oos_val questions it is judged on here;
* BANKING77 (no val split): carved from `train` rows not used as phrasings — per intent up
  to 40 rows (`random.Random(f"val:{seed}")`), the held-out intents' rows as out-of-scope
  (the test split's shape: 40 per intent).

    python benchmarks/calibration_study.py --clinc PATH/data_full.json --banking PATH/banking77 \
        --cache-dir DIR --out study.pkl
    python benchmarks/calibration_study.py --load study.pkl     # the current rule on val

The pickle holds, per (set, seed, matcher): `probes` [(kind, confidence, correct)] and
`val` [(correct, score, in_scope)], so rules for the bar can be compared without rebuilding.
"""

from __future__ import annotations

import argparse
import json
import pickle
import random
import sys
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.banking77 import build_store, read_rows
from benchmarks.clinc150 import Query, at_threshold, build_entries, matcher_method, oracle, run_queries
from bot.matching import Matcher, Synonyms, bars, load_embedder
from bot.models import Entry

VAL_PER_INTENT = 40

Record = dict[str, list[tuple[Any, ...]]]


def banking_val(
    train: Sequence[tuple[str, str]], entries: Sequence[Entry], held: set[str], seed: int
) -> list[Query]:
    used = {p for e in entries for p in e.phrasings}
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, intent in train:
        if text not in used:
            by_intent[intent].append(text)
    rng = random.Random(f"val:{seed}")
    out: list[Query] = []
    for intent in sorted(by_intent):
        rows = by_intent[intent]
        for text in rng.sample(rows, min(VAL_PER_INTENT, len(rows))):
            out.append((text, None if intent in held else intent))
    return out


def probe_outcomes(entries: Sequence[Entry], build: bars.Build, bank: Sequence[str]) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []
    for fold in bars.plan(entries, bank=bank):
        out += [(o.probe.kind, o.confidence, o.correct) for o in bars.run_fold(fold, build)]
    return out


def collect(args: argparse.Namespace) -> dict[tuple[str, int, str], Record]:
    embedder = None if args.no_semantic else load_embedder(None, cache_dir=args.cache_dir)
    syn = Synonyms()
    builds: dict[str, bars.Build] = {"lexical": lambda es: Matcher(es, synonyms=syn)}
    if embedder is not None:
        builds["fused"] = lambda es: Matcher(es, synonyms=syn, embedder=embedder)
    sets: list[tuple[str, int, list[Entry], list[Query], list[str]]] = []
    full_bank = list(bars.oos_bank())
    if args.clinc:
        data = json.loads(Path(args.clinc).read_text(encoding="utf-8"))
        val = [(t, i) for t, i in data["val"]] + [(t, None) for t, _ in data["oos_val"]]
        oos_val = {t for t, _ in data["oos_val"]}
        bank = [q for q in full_bank if q not in oos_val]
        for seed in args.seeds:
            sets.append(("clinc150", seed, build_entries(data["train"], seed), val, bank))
    if args.banking:
        train = read_rows(Path(args.banking) / "train.csv")
        for seed in args.seeds:
            entries, held = build_store(train, seed)
            sets.append(("banking77", seed, entries, banking_val(train, entries, held, seed), full_bank))
    if embedder is not None:
        embedder.embed(sorted({t for *_, val, _ in sets for t, _ in val}))
        embedder.flush()
    out: dict[tuple[str, int, str], Record] = {}
    for name, seed, entries, val, bank in sets:
        for mname, build in builds.items():
            rv = run_queries(matcher_method(build(entries)), val)
            out[(name, seed, mname)] = {"probes": probe_outcomes(entries, build, bank), "val": list(rv)}
            print(f"{name} seed {seed} {mname}: {len(rv)} val queries", file=sys.stderr)
    if embedder is not None:
        embedder.flush()
    return out


def as_outcomes(probes: Sequence[tuple[Any, ...]]) -> list[bars.Outcome]:
    """Recorded (kind, confidence, correct) → `bars.Outcome`s for `bars.choose`."""
    out = []
    for kind, conf, ok in probes:
        expected = "x" if kind == "held-out" else None
        out.append(bars.Outcome(bars.Probe("", expected, str(kind)), "x" if ok else None, float(conf)))
    return out


def report(study: dict[tuple[str, int, str], Record]) -> None:
    """The shipped rule (`bars.choose`) on validation data, beside the val oracle."""
    rows: dict[tuple[str, str], list[tuple[float, ...]]] = defaultdict(list)
    for (name, _seed, mname), rec in sorted(study.items()):
        outcomes = as_outcomes(rec["probes"])
        bar = bars.choose(outcomes).answer
        val = [(bool(a), float(b), bool(c)) for a, b, c in rec["val"]]
        acc, rec_ = at_threshold(val, bar)
        o_bar, o_bal = oracle(val)
        rows[(name, mname)].append((bar, acc, rec_, (acc + rec_) / 2, o_bar, o_bal))
    for (name, mname), rs in rows.items():
        m = np.mean(np.array(rs), axis=0)
        bars_seen = ", ".join(f"{r[0]:.3f}" for r in rs)
        print(
            f"{name:10} {mname:8} bars {bars_seen}: in {100 * m[1]:.1f} oos {100 * m[2]:.1f} "
            f"bal {100 * m[3]:.1f} | val oracle {m[4]:.3f} {100 * m[5]:.1f} gap {100 * (m[5] - m[3]):.1f}"
        )


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--clinc", help="clinc150 data_full.json")
    ap.add_argument("--banking", help="banking77 directory")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--no-semantic", action="store_true")
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--out", help="write the study here (pickle)")
    ap.add_argument("--load", help="read a study written before instead of collecting")
    args = ap.parse_args(argv)
    if args.load:
        study = pickle.loads(Path(args.load).read_bytes())
    else:
        study = collect(args)
        if args.out:
            Path(args.out).write_bytes(pickle.dumps(study))
    report(study)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
