"""Memory and start-up of the running service (issue 17): resident memory after opening a
store of N entries, cold start, where the memory goes, and what one shard process holds.

    python benchmarks/memory.py --workdir DIR --entries 100000               # lexical
    python benchmarks/memory.py --workdir DIR --entries 10000 --semantic     # warm cache
    python benchmarks/memory.py --workdir DIR --entries 10000 --breakdown    # tracemalloc
    python benchmarks/memory.py --workdir DIR --entries 2000 --guilds 40 --per-guild 250 \
        --shard-guilds 4                                                     # shard scope

The first run in a DIR builds the fixture: `data/faq/*.yaml` of N synthetic global entries
(benchmarks/speed.py's generator), a SQLite store synced from it with real automatic
summaries, the embedding cache (with --semantic) and, with --guilds, G guilds of K entries
each imported through the service. Later runs reuse it. Each measurement runs in a fresh
child process that opens the service exactly as `faqbot run` does (data/ read and synced,
summaries checked, matchers built) so its RSS and start-up time are its own.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from speed import corpus, latency

from bot.config import Config
from bot.models import Entry
from bot.service import FaqService
from bot.yamlio import dump_entries

PER_FILE = 1000  # entries per YAML file (files have a size cap)
GUILD_BASE = 10**17  # snowflake-sized guild ids


def rss_mb() -> tuple[float, float]:
    """(current, peak) resident set size in MB, from /proc (Linux)."""
    fields = dict(
        line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines() if ":" in line
    )
    return int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024


def config_for(workdir: Path, semantic: bool) -> Config:
    return Config.model_validate(
        {
            "data_dir": str(workdir / "data"),
            "database": {"url": f"sqlite:///{workdir / 'faq.db'}"},
            "matching": {"semantic": "on" if semantic else "off", "cache_dir": str(workdir)},
        }
    )


def guild_entries(guilds: int, per_guild: int) -> dict[int, list[Entry]]:
    if guilds * per_guild == 0:  # global entries only (the corpus generator needs n >= 1)
        return {}
    pool, _, _ = corpus(guilds * per_guild, seed=1)
    return {
        GUILD_BASE + g: [e.with_changes(id=f"g{g}-{e.id}") for e in pool[g * per_guild : (g + 1) * per_guild]]
        for g in range(guilds)
    }


async def seed_bars(config: Config) -> None:
    """Sync data/ into the store and cache fixed bars for the global scope, as if calibrated:
    calibrating 100k entries (several folds of 80k-entry matchers) does not fit beside other
    work, and the bars' values do not change what the service holds."""
    from bot.matching import bars
    from bot.serialize import content_hash
    from bot.service import CALIBRATION_CACHE
    from bot.store import open_store
    from bot.summary import summarize
    from bot.yamlio import load_data

    store = await open_store(config.database.url)
    try:
        points = config.replies.max_points
        await store.sync_global(load_data(config.data_dir).entries, lambda e: summarize(e, max_points=points))
        entries = [s.entry for s in await store.load_all() if not s.deleted]
    finally:
        await store.close()
    fixed = bars.Bars(0.5, 0.3, 0.8, 0, 0, 0.0, 0.0, 0.0, 0.0, "default")
    key = bars.cache_key(entries, "lexical", content_hash)
    (Path(config.embedding_cache_dir()) / CALIBRATION_CACHE).write_text(json.dumps({key: fixed.to_dict()}))


async def prepare(
    workdir: Path, n: int, semantic: bool, guilds: int, per_guild: int, seeded_bars: bool = False
) -> None:
    marker = workdir / "fixture.json"
    wanted = {"entries": n, "semantic": semantic, "guilds": guilds, "per_guild": per_guild}
    if marker.exists() and json.loads(marker.read_text()) == wanted:
        return
    if marker.exists():
        raise SystemExit(f"{workdir} holds another fixture ({marker.read_text()}); use a new --workdir")
    faq = workdir / "data" / "faq"
    faq.mkdir(parents=True, exist_ok=True)
    entries, _, _ = corpus(n)
    for k in range(0, n, PER_FILE):
        (faq / f"bench-{k // PER_FILE:04d}.yaml").write_text(dump_entries(entries[k : k + PER_FILE]))
    t0 = time.perf_counter()
    if seeded_bars:
        if semantic or guilds:
            raise SystemExit("--seed-bars: lexical, global entries only")
        await seed_bars(config_for(workdir, semantic))
    service = await FaqService.open(config_for(workdir, semantic))
    try:
        for gid, own in guild_entries(guilds, per_guild).items():
            await service.import_entries(gid, own, actor="bench")
    finally:
        await service.close()
    print(f"fixture built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    marker.write_text(json.dumps(wanted))


async def measure(
    workdir: Path, semantic: bool, shard: Sequence[int] | None, breakdown: bool, parts: bool = False
) -> dict[str, Any]:
    out: dict[str, Any] = {"rss_before_open_mb": rss_mb()[0]}
    if breakdown:
        import tracemalloc

        tracemalloc.start()
    t0, c0 = time.perf_counter(), time.process_time()
    guilds = None if shard is None else {GUILD_BASE + g for g in shard}
    kwargs: dict[str, Any] = {} if guilds is None else {"guilds": guilds}
    service = await FaqService.open(config_for(workdir, semantic), **kwargs)
    out["cold_start_s"] = time.perf_counter() - t0
    out["cold_start_cpu_s"] = time.process_time() - c0
    try:
        out["rss_after_open_mb"], out["peak_rss_mb"] = rss_mb()
        if breakdown:
            snap = tracemalloc.take_snapshot()
            tracemalloc.stop()
            stats = snap.statistics("lineno")
            out["traced_mb"] = sum(s.size for s in stats) / 2**20
            out["top_lines"] = [
                (
                    f"{s.traceback[0].filename.split('faqbot/')[-1].split('/wt/memory/')[-1]}:"
                    f"{s.traceback[0].lineno}",
                    round(s.size / 2**20, 1),
                )
                for s in stats[:25]
            ]
        out["scopes"] = service.scope_sizes() if hasattr(service, "scope_sizes") else {}
        if hasattr(service, "phases"):
            out["phases_s"] = {k: round(v, 2) for k, v in service.phases.seconds.items()}
            out["phases_cpu_s"] = {k: round(v, 2) for k, v in service.phases.cpu.items()}
            out["phases_peak_mb"] = {k: round(v) for k, v in getattr(service.phases, "peak_mb", {}).items()}
        if parts:
            out["service_parts_mb"] = service_parts(service)
        _, queries, _ = corpus(1000)  # queries drawn from the global entries' questions
        queries = queries[:300]
        gid = None if not guilds else min(guilds)
        service.rank(queries[0], gid)
        out["rank"] = latency(lambda q: service.rank(q, gid), queries)
    finally:
        await service.close()
    return out


def deep_size(obj: object, seen: set[int] | None = None) -> int:
    """Bytes held by an object and everything it references (numpy arrays by their buffers);
    objects already counted (shared strings, entries) are counted once."""
    import numpy as np

    seen = set() if seen is None else seen
    stack, total = [obj], 0
    while stack:
        o = stack.pop()
        if id(o) in seen:
            continue
        seen.add(id(o))
        if isinstance(o, np.ndarray):
            total += o.nbytes + 112
            continue
        total += sys.getsizeof(o)
        if isinstance(o, dict):
            stack.extend(o.keys())
            stack.extend(o.values())
        elif isinstance(o, (list, tuple, set, frozenset)):
            stack.extend(o)
        elif hasattr(o, "__dict__"):
            stack.append(vars(o))
        elif hasattr(o, "__slots__"):
            stack.extend(getattr(o, a) for a in o.__slots__ if hasattr(o, a))
    return total


def service_parts(service: FaqService) -> dict[str, float]:
    """MB the opened service holds, by part (each object counted once, in this order)."""
    seen: set[int] = set()
    sizes: dict[str, float] = {}

    def add(name: str, obj: object) -> None:
        sizes[name] = sizes.get(name, 0.0) + deep_size(obj, seen) / 2**20

    scopes = list(service._scopes.values())
    for scope in scopes:  # the entries first: their texts are counted there
        held = scope.entries.values() if isinstance(scope.entries, dict) else [scope.entries]
        add("entries", [getattr(s, "entry", s) for s in held])
    for scope in scopes:
        held = scope.entries.values() if isinstance(scope.entries, dict) else [scope.entries]
        add("auto summaries", [getattr(s, "auto_summary", None) for s in held])
        add("scope records", scope.entries)
    for scope in scopes:
        m = scope.matcher
        if m is None:
            continue
        for k, v in vars(m).items():
            if k == "_lex":
                for lk, lv in vars(v).items():
                    add(f"lex.{lk}", lv)
            elif k not in ("synonyms", "entries"):
                add(f"matcher.{k}", v)
        add("matcher.entries", m.entries)
    return {k: round(v, 1) for k, v in sorted(sizes.items(), key=lambda kv: -kv[1]) if v >= 0.1}


def index_breakdown(n: int) -> dict[str, Any]:
    """RSS after the corpus and after one matcher over it, and the matcher's parts by size."""
    import gc

    from bot.matching import Matcher, load_synonyms

    out: dict[str, Any] = {"entries": n, "rss_start_mb": rss_mb()[0]}
    entries, _, _ = corpus(n)
    gc.collect()
    out["rss_after_corpus_mb"] = rss_mb()[0]
    t0 = time.perf_counter()
    m = Matcher(entries, synonyms=load_synonyms(None))
    out["build_s"] = time.perf_counter() - t0
    gc.collect()
    out["rss_after_matcher_mb"], out["peak_rss_mb"] = rss_mb()
    seen: set[int] = set()
    out["entries_mb"] = deep_size(m.entries, seen) / 2**20  # first: the texts count here
    parts = {
        **{f"lex.{k}": v for k, v in vars(m._lex).items() if k != "synonyms"},
        **{f"matcher.{k}": v for k, v in vars(m).items() if k not in ("entries", "_lex", "synonyms")},
    }
    sizes = {k: deep_size(v, seen) / 2**20 for k, v in parts.items()}
    out["parts_mb"] = {k: round(v, 1) for k, v in sorted(sizes.items(), key=lambda kv: -kv[1]) if v >= 0.1}
    _, queries, partial = corpus(n)
    queries, partial = queries[:300], partial[:300]
    m.rank(queries[0])
    out["rank"] = latency(m.rank, queries)
    out["autocomplete"] = latency(m.autocomplete, partial)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workdir", required=True, type=Path)
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--semantic", action="store_true")
    ap.add_argument("--guilds", type=int, default=0)
    ap.add_argument("--per-guild", type=int, default=0)
    ap.add_argument(
        "--shard-guilds",
        type=int,
        default=None,
        help="open the service for only the first S guilds, as a shard process",
    )
    ap.add_argument("--breakdown", action="store_true", help="tracemalloc: the 25 largest lines")
    ap.add_argument("--parts", action="store_true", help="the opened service's memory by part (slow)")
    ap.add_argument(
        "--index-only",
        action="store_true",
        help="no store: RSS of the corpus and of one matcher over it, by part",
    )
    ap.add_argument(
        "--seed-bars",
        action="store_true",
        help="building the fixture: cache fixed bars instead of calibrating (for 100k entries)",
    )
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.index_only:
        print(json.dumps(index_breakdown(args.entries)))
        return 0
    shard = None if args.shard_guilds is None else list(range(args.shard_guilds))
    if args.child:
        res = asyncio.run(measure(args.workdir, args.semantic, shard, args.breakdown, args.parts))
        print(json.dumps(res))
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    fixture = (args.workdir, args.entries, args.semantic, args.guilds, args.per_guild, args.seed_bars)
    asyncio.run(prepare(*fixture))
    cmd = [sys.executable, __file__, "--child", "--workdir", str(args.workdir)]
    cmd += ["--semantic"] if args.semantic else []
    cmd += ["--breakdown"] if args.breakdown else []
    cmd += ["--parts"] if args.parts else []
    runs = [("all guilds", cmd)]
    if shard is not None:
        runs.append((f"shard of {len(shard)} guilds", [*cmd, "--shard-guilds", str(len(shard))]))
    print(f"load: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    for label, c in runs:
        res = json.loads(subprocess.run(c, check=True, capture_output=True, text=True).stdout)
        res["run"] = label
        print(json.dumps(res))
    print(f"load: {os.getloadavg()[0]:.1f}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
