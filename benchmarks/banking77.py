"""BANKING77 quality benchmark in the FAQ setting (protocol: the bench README).

19 of the 77 intents (random.Random(seed).sample of the sorted names) are held out as
out-of-scope: no entry, their test questions must get no answer. Each kept intent is an
entry of 5 train phrasings (random.Random(seed).sample per intent, the first is the
question). Queries: all of test. No threshold is tuned here: the answer bar is the one the
store's own calibration chooses (bot/matching/bars.py), shown beside the oracle bar.

    python benchmarks/banking77.py /path/to/banking77 [--seeds 0 1 2] [--no-semantic]
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.clinc150 import Query, defaults_table, defaults_vs_oracle, matcher_method, run_queries, top1
from bot.matching import Matcher, Synonyms, bars, load_embedder
from bot.models import Entry

HELD_OUT = 19


def read_rows(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as f:
        return [(r["text"], r["category"]) for r in csv.DictReader(f)]


def build_store(train: Sequence[tuple[str, str]], seed: int, k: int = 5) -> tuple[list[Entry], set[str]]:
    names = sorted({c for _, c in train})
    held = set(random.Random(seed).sample(names, HELD_OUT))
    by_intent: dict[str, list[str]] = defaultdict(list)
    for text, intent in train:
        by_intent[intent].append(text)
    entries = []
    for intent in names:
        if intent in held:
            continue
        chosen = random.Random(seed).sample(by_intent[intent], k)
        entries.append(Entry(id=intent, question=chosen[0], phrasings=tuple(chosen)))
    return entries, held


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("data", help="directory with banking77 train.csv and test.csv")
    ap.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    ap.add_argument("--no-semantic", action="store_true")
    ap.add_argument("--model-dir", default=None)
    ap.add_argument("--cache-dir", default=None)
    ap.add_argument("--json", default=None, help="also write the figures to this file")
    args = ap.parse_args(argv)

    root = Path(args.data)
    train, test_rows = read_rows(root / "train.csv"), read_rows(root / "test.csv")
    embedder = None if args.no_semantic else load_embedder(args.model_dir, cache_dir=args.cache_dir)
    if embedder is not None:
        embedder.embed([t for t, _ in test_rows])
        embedder.flush()
    syn = Synonyms()
    rows: dict[str, list[dict[str, float]]] = defaultdict(list)
    for seed in args.seeds:
        entries, held = build_store(train, seed)
        test: list[Query] = [(t, None if c in held else c) for t, c in test_rows]
        shipped: dict[str, bars.Build] = {"faqbot lexical": lambda es: Matcher(es, synonyms=syn)}
        if embedder is not None:
            shipped["faqbot fused"] = lambda es: Matcher(es, synonyms=syn, embedder=embedder)
        for name, build in shipped.items():
            t0 = time.perf_counter()
            rt = run_queries(matcher_method(build(entries)), test)
            r = {"top1": top1(rt), **defaults_vs_oracle(entries, build, rt)}
            r["secs"] = time.perf_counter() - t0
            rows[name].append(r)
            print(
                f"seed {seed} {name:16} top1 {r['top1']:.3f} bar {r['default_bar']:.3f} "
                f"in {r['default_in_scope']:.3f} oos {r['default_oos_recall']:.3f} "
                f"bal {r['default_balanced']:.3f} oracle {r['oracle_bar']:.3f} {r['oracle_balanced']:.3f}",
                file=sys.stderr,
            )
    print("\n".join(defaults_table(rows)))
    if args.json:
        summary = {n: {k: float(np.mean([r[k] for r in rs])) for k in rs[0]} for n, rs in rows.items()}
        Path(args.json).write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
