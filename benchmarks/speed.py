"""Speed: query and autocomplete latency, index build time and peak RSS at 1k/10k/100k
synthetic entries, with rank_bm25 on the same corpus in the same run as the reference.

    python benchmarks/speed.py [--sizes 1000 10000 100000] [--queries 500] [--semantic]
                               [--semantic-max 10000] [--embed-build 1000]

Each size runs in a child process so its peak RSS is its own. With --semantic the query is
embedded for real but the entries' vectors are random unit vectors (embedding 100k entries
takes hours on 2 cores; the per-query cost doesn't depend on their values), up to
--semantic-max entries. Separately, for the first size only, a real semantic build of
--embed-build entries is timed three ways: first build (empty disk cache), restart (a new
embedder reading the disk cache) and in-process rebuild (the embedder's memory cache).
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.matching import Matcher, load_synonyms
from bot.models import Answer, Entry

SYLLABLES = "ka lo mi ne ru ta so vi pe da zu fo gi ha be ni ro te ma li".split()  # noqa: SIM905


def vocabulary(rng: random.Random, size: int = 30_000) -> list[str]:
    words = {"".join(rng.choices(SYLLABLES, k=rng.randint(2, 4))) for _ in range(size * 2)}
    return sorted(words)[:size]


def corpus(n: int, seed: int = 0) -> tuple[list[Entry], list[str], list[str]]:
    """Entries whose words follow a Zipf-like law, plus queries and partial inputs."""
    rng = random.Random(seed)
    vocab = vocabulary(rng)
    cum = list(itertools.accumulate(1 / (r + 1) for r in range(len(vocab))))

    def text(k: int) -> str:  # cum_weights: same draws as weights=, without O(vocab) per call
        return " ".join(rng.choices(vocab, cum_weights=cum, k=k))

    entries = [
        Entry(
            id=f"e{i}",
            question=text(8) + "?",
            phrasings=(text(6), text(5)),
            tags=(text(1), text(1)),
            answers=(Answer(title=text(4), text=text(40)),),
        )
        for i in range(n)
    ]
    queries, partial = [], []
    for _ in range(1000):
        words = rng.choice(entries).question.rstrip("?").split()
        q = rng.sample(words, rng.randint(2, 6))
        if rng.random() < 0.3:  # a typo
            w = q[0]
            i = rng.randrange(len(w))
            q[0] = w[:i] + w[i + 1 :]
        queries.append(" ".join(q))
        cut = " ".join(words[: rng.randint(1, 3)])
        partial.append(cut[: max(1, len(cut) - rng.randint(0, 3))])
    return entries, queries, partial


def latency(fn: Callable[[str], object], inputs: Sequence[str]) -> dict[str, float]:
    times = []
    for q in inputs:
        t0 = time.perf_counter()
        fn(q)
        times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {"p50_ms": times[len(times) // 2], "p99_ms": times[int(len(times) * 0.99) - 1]}


class RandomEntryEmbedder:
    """The real embedder for queries; random unit vectors for entries (see module doc)."""

    def __init__(self, real: object) -> None:
        import numpy as np

        self._real, self._np, self.dim = real, np, real.dim  # type: ignore[attr-defined]
        self._rng = np.random.default_rng(0)

    def embed(self, texts: Sequence[str], batch_size: int = 32, *, persist: bool = True) -> object:
        if len(texts) == 1:
            return self._real.embed(texts, persist=persist)  # type: ignore[attr-defined]
        v = self._rng.standard_normal((len(texts), self.dim)).astype(self._np.float32)
        return v / self._np.linalg.norm(v, axis=1, keepdims=True)


def embed_builds(entries: Sequence[Entry], syn: object) -> dict[str, float]:
    import tempfile

    from bot.matching import load_embedder
    from bot.matching.semindex import units_of

    out: dict[str, float] = {"entries": len(entries)}
    out["texts"] = sum(len(units_of(e)) for e in entries)
    with tempfile.TemporaryDirectory() as cache:
        emb = load_embedder(cache_dir=cache)
        if emb is None:
            return {}
        t0 = time.perf_counter()
        Matcher(entries, synonyms=syn, embedder=emb)  # type: ignore[arg-type]
        emb.flush()
        out["first_build_s"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        Matcher(entries, synonyms=syn, embedder=emb)  # type: ignore[arg-type]
        out["rebuild_in_process_s"] = time.perf_counter() - t0
        emb2 = load_embedder(cache_dir=cache)
        t0 = time.perf_counter()
        Matcher(entries, synonyms=syn, embedder=emb2)  # type: ignore[arg-type]
        out["restart_build_s"] = time.perf_counter() - t0
    return out


def child(
    n: int,
    n_queries: int,
    semantic: bool,
    semantic_max: int = 10_000,
    embed_build: int = 0,
    english: Sequence[str] = (),
) -> dict[str, object]:
    entries, queries, partial = corpus(n)
    queries, partial = queries[:n_queries], partial[:n_queries]
    syn = load_synonyms(None)
    out: dict[str, object] = {"entries": n}
    t0 = time.perf_counter()
    m = Matcher(entries, synonyms=syn)
    out["build_s"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    m = Matcher(entries, synonyms=syn)
    out["rebuild_s"] = time.perf_counter() - t0  # warm: stems and analysed texts cached
    m.rank(queries[0])
    out["query"] = latency(m.rank, queries)
    out["autocomplete"] = latency(m.autocomplete, partial)
    exact = [e.phrasings[0] for e in entries[: len(queries)]]  # an entry's own phrasing: 1.0
    out["exact_query"] = latency(m.rank, exact)
    if n <= 10_000:  # store calibration (bot/matching/bars.py), lexical: what a write triggers
        from bot.matching import bars

        t0 = time.perf_counter()
        cal = bars.calibrate(entries, lambda es: Matcher(es, synonyms=syn))
        out["calibrate_s"] = time.perf_counter() - t0
        out["calibrated_answer_bar"] = cal.answer

    from rank_bm25 import BM25Okapi

    t0 = time.perf_counter()
    docs = [
        " ".join((e.question, *e.phrasings, *e.tags, *(a.text for a in e.answers))).split() for e in entries
    ]
    bm = BM25Okapi(docs)
    out["bm25_build_s"] = time.perf_counter() - t0
    k = max(20, n_queries // (n // 1000 or 1))  # rank_bm25 is slow at 100k; fewer queries
    out["bm25_query"] = latency(lambda q: bm.get_top_n(q.split(), docs, 10), queries[:k])

    if semantic and n <= semantic_max:
        from bot.matching import load_embedder

        real = load_embedder()
        if real is not None:
            fake = RandomEntryEmbedder(real)
            t0 = time.perf_counter()
            sm = Matcher(entries, synonyms=syn, embedder=fake)  # type: ignore[arg-type]
            out["semantic_build_s_excl_embedding"] = time.perf_counter() - t0
            sm.rank(queries[0])
            out["semantic_query"] = latency(sm.rank, queries)
            if english:  # real members' English: word pieces as in production, not pseudo-words
                out["semantic_query_english"] = latency(sm.rank, english[:n_queries])
            del sm
    if semantic and embed_build:
        out["embed_build"] = embed_builds(entries[:embed_build], syn)
    out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", type=int, nargs="+", default=[1000, 10_000, 100_000])
    ap.add_argument("--queries", type=int, default=500)
    ap.add_argument("--semantic", action="store_true")
    ap.add_argument("--semantic-max", type=int, default=100_000)
    ap.add_argument("--embed-build", type=int, default=1000)
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    ap.add_argument("--json", default=None)
    ap.add_argument(
        "--clinc",
        default=None,
        help="CLINC150 data_full.json: also time semantic queries on its English test queries",
    )
    args = ap.parse_args(argv)
    if args.child is not None:
        english = [t for t, _ in json.loads(Path(args.clinc).read_text())["test"]] if args.clinc else []
        print(
            json.dumps(
                child(args.child, args.queries, args.semantic, args.semantic_max, args.embed_build, english)
            )
        )
        return 0
    results = []
    for k, n in enumerate(args.sizes):
        cmd = [
            sys.executable,
            __file__,
            "--child",
            str(n),
            "--queries",
            str(args.queries),
            "--semantic-max",
            str(args.semantic_max),
            "--embed-build",
            str(args.embed_build if k == 0 else 0),
        ]
        cmd += ["--semantic"] if args.semantic else []
        cmd += ["--clinc", args.clinc] if args.clinc else []
        res = json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)
        results.append(res)
        print(json.dumps(res), file=sys.stderr)
    print(
        "| entries | build s (rebuild) | query p50 / p99 ms | autocomplete p50 / p99 ms | "
        "rank_bm25 query p50 / p99 ms | p50 ratio | semantic query p50 / p99 ms | peak RSS MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in results:
        q, a, b = r["query"], r["autocomplete"], r["bm25_query"]
        s = r.get("semantic_query")
        sem = f"{s['p50_ms']:.2f} / {s['p99_ms']:.2f}" if s else "-"
        print(
            f"| {r['entries']:,} | {r['build_s']:.2f} ({r['rebuild_s']:.2f}) | "
            f"{q['p50_ms']:.2f} / {q['p99_ms']:.2f} | "
            f"{a['p50_ms']:.2f} / {a['p99_ms']:.2f} | {b['p50_ms']:.2f} / {b['p99_ms']:.2f} | "
            f"{b['p50_ms'] / q['p50_ms']:.0f}× | {sem} | {r['peak_rss_mb']:.0f} |"
        )
    for r in results:
        e = r["exact_query"]
        cal = f", lexical calibration {r['calibrate_s']:.1f} s" if "calibrate_s" in r else ""
        print(
            f"{r['entries']:,} entries: exact-phrasing query p50 {e['p50_ms']:.2f} / "
            f"p99 {e['p99_ms']:.2f} ms{cal}"
        )
    for r in results:
        if r.get("semantic_query_english"):
            e = r["semantic_query_english"]
            print(
                f"semantic, English queries, {r['entries']:,} entries: p50 {e['p50_ms']:.2f} / "
                f"p99 {e['p99_ms']:.2f} ms"
            )
    for r in results:
        if r.get("embed_build"):
            print(f"\nsemantic build with real embeddings: {json.dumps(r['embed_build'])}")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
