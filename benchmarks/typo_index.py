"""Typo snapping: the lexical index's own delete index + rapidfuzz OSA vs symspellpy, same run.

    pip install symspellpy   # not a dependency: this only measures whether it would be a fit
    python benchmarks/typo_index.py [--entries 10000] [--words 3000] [--repeat 3]

Both snap a word to the closest vocabulary word within 1 edit (2 for 8+ letters; transposition
= 1 edit), ties to the more frequent word. The vocabulary and frequencies are those of a
`LexicalIndex` built on `benchmarks/speed.py`'s synthetic corpus. Misspelt words: vocabulary
words with 1 edit (2 for long ones) of each kind, plus the typo'd words of speed.py's queries,
plus unknown words (no candidate). Reports build time, per-word lookup p50/p99, peak memory
of each structure, and how often both pick the same word.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rapidfuzz.distance import OSA

from benchmarks.speed import corpus
from bot.matching.lexical import LexicalIndex
from bot.matching.normalize import is_content, stem
from bot.matching.synonyms import load_synonyms
from bot.matching.typos import DeletionIndex

LETTERS = "abcdefghijklmnopqrstuvwxyz"


def misspell(rng: random.Random, word: str, edits: int) -> str:
    for _ in range(edits):
        i = rng.randrange(len(word))
        kind = rng.choice("dist")
        if kind == "d" and len(word) > 4:
            word = word[:i] + word[i + 1 :]
        elif kind == "i":
            word = word[:i] + rng.choice(LETTERS) + word[i:]
        elif kind == "s":
            word = word[:i] + rng.choice(LETTERS) + word[i + 1 :]
        elif i + 1 < len(word):
            word = word[:i] + word[i + 1] + word[i] + word[i + 2 :]
    return word


def pct(times: list[float], q: float) -> float:
    times = sorted(times)
    return times[min(len(times) - 1, int(len(times) * q))] * 1e6


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--words", type=int, default=3000)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--oracle", type=int, default=600, help="words checked against brute force")
    ap.add_argument("--prefix-length", type=int, default=7, help="symspellpy's (7 is its default)")
    args = ap.parse_args()
    from symspellpy import SymSpell, Verbosity

    entries, queries, _ = corpus(args.entries)
    index = LexicalIndex(entries, load_synonyms(None))
    vocab = index._sorted_vocab
    freq = {w: index.word_count(w) for w in vocab}
    rng = random.Random(1)
    words = [
        misspell(rng, w, 2 if len(w) >= 8 else 1) for w in rng.sample(vocab, min(args.words, len(vocab)))
    ]
    words += [w for q in queries for w in q.split() if not index.in_vocabulary(w)][: args.words // 3]
    words += ["".join(rng.choices(LETTERS, k=rng.randint(5, 10))) for _ in range(args.words // 10)]
    # Only words the index would try to snap (not known, not a known stem, a content word), so
    # both sides answer the same question: the closest vocabulary word.
    words = [w for w in words if len(w) >= 4 and not index.in_vocabulary(w) and is_content(w)
             and stem(w) not in index._cov.cols and not w.isdigit()]  # fmt: skip

    def ours_build() -> object:  # what LexicalIndex.__init__ builds, alone
        return DeletionIndex(vocab)

    def sym_build() -> SymSpell:
        sym = SymSpell(max_dictionary_edit_distance=2, prefix_length=args.prefix_length)
        for word in vocab:
            sym.create_dictionary_entry(word, freq[word])
        return sym

    builds: dict[str, list[float]] = {"ours": [], "symspellpy": []}
    peaks: dict[str, float] = {}
    for name, build in (("ours", ours_build), ("symspellpy", sym_build)):
        for _ in range(args.repeat):
            gc.collect()
            t0 = time.perf_counter()
            build()
            builds[name].append(time.perf_counter() - t0)
        gc.collect()
        tracemalloc.start()  # a separate build: tracemalloc slows allocation several-fold
        kept = build()
        peaks[name] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
        del kept
    sym = sym_build()

    def sym_snap(word: str) -> str:
        hits = sym.lookup(word, Verbosity.CLOSEST, max_edit_distance=2 if len(word) >= 8 else 1)
        if not hits:
            return word
        best = min(hits, key=lambda s: (s.distance, -s.count, s.term))  # our tie-break
        return best.term

    ours_t: list[float] = []
    sym_t: list[float] = []
    same = 0
    differ: list[tuple[str, str, str]] = []
    for _ in range(args.repeat):
        for w in words:
            t0 = time.perf_counter()
            a = index._snap(w)[0]
            t1 = time.perf_counter()
            b = sym_snap(w)
            t2 = time.perf_counter()
            ours_t.append(t1 - t0)
            sym_t.append(t2 - t1)
            same += a == b
            if a != b and len(differ) < 8:
                differ.append((w, a, b))
    n = len(words) * args.repeat

    def figures(name: str, times: list[float]) -> dict[str, float]:
        return {"build_s": round(min(builds[name]), 3), "peak_mib": round(peaks[name], 1),
                "p50_us": round(pct(times, 0.5), 1), "p99_us": round(pct(times, 0.99), 1),
                "mean_us": round(sum(times) / n * 1e6, 1)}  # fmt: skip

    # Exact answer by brute force over the whole vocabulary, for a sample.
    def exact(word: str) -> str:
        max_d = 2 if len(word) >= 8 else 1
        hits = [(d, -freq[v], v) for v in vocab if (d := OSA.distance(word, v, score_cutoff=max_d)) <= max_d]
        return min(hits)[2] if hits else word

    sample = words[: args.oracle]
    truth = [exact(w) for w in sample]
    ours_ok = sum(index._snap(w)[0] == t for w, t in zip(sample, truth, strict=True)) / len(sample)
    sym_ok = sum(sym_snap(w) == t for w, t in zip(sample, truth, strict=True)) / len(sample)

    print(json.dumps({
        "entries": args.entries, "vocabulary": len(vocab), "words": len(words),
        "prefix_length": args.prefix_length,
        "ours": figures("ours", ours_t), "symspellpy": figures("symspellpy", sym_t),
        "same_choice": round(same / n, 4),
        "agrees_with_brute_force": {"sample": len(sample), "ours": round(ours_ok, 4),
                                    "symspellpy": round(sym_ok, 4)},
        "differing (word, ours, symspellpy)": differ,
    }, indent=1))  # fmt: skip


if __name__ == "__main__":
    main()
