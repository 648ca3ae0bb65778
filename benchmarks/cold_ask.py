"""Cold `faqbot ask --guild G` on a store with many servers and no cached answer bars.

Builds a SQLite store of `--guilds` servers x `--per-guild` synthetic entries (the speed
benchmark's corpus) beside the shipped data/ (the global scope), lexical matching only, then
times the real CLI in a child process with the calibration cache removed before each run —
for this checkout and, with `--baseline DIR`, for another checkout of the project (e.g. main
before the change), in the same run.

    python benchmarks/cold_ask.py --work DIR [--guilds 20] [--per-guild 500] [--baseline /work/main]
    python benchmarks/cold_ask.py --work DIR --scope-size 10000 [--baseline /work/main]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchmarks.speed import corpus
from bot.config import load_config
from bot.service import CALIBRATION_CACHE, FaqService

ROOT = Path(__file__).resolve().parents[1]
FIRST_GUILD = 1000


async def build_store(work: Path, guilds: int, per_guild: int) -> None:
    config = load_config(work / "config.yaml")
    service = await FaqService.open(config, bars_for=())
    try:
        entries, _, _ = corpus(guilds * per_guild)
        for g in range(guilds):
            own = entries[g * per_guild : (g + 1) * per_guild]
            await service.import_entries(FIRST_GUILD + g, own, actor="bench")
    finally:
        await service.close()


def cold_ask(
    checkout: Path, work: Path, guild: int, query: str, timeout: float, *, warm: bool = False
) -> dict[str, object]:
    """One `faqbot ask` in a child process: cold (cache removed first) or warm (kept)."""
    if not warm:
        (work / CALIBRATION_CACHE).unlink(missing_ok=True)
    # cwd too: `python -c` puts the working directory first on sys.path
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    cmd = [sys.executable, "-c", "import sys; from bot.cli import main; sys.exit(main())"]
    cmd += ["ask", "--json", "--guild", str(guild), query, "--config", str(work / "config.yaml")]
    t0 = time.perf_counter()
    try:
        done = subprocess.run(
            cmd, env=env, cwd=checkout, capture_output=True, text=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        return {"checkout": str(checkout), "warm": warm, "secs": None, "timeout": timeout}
    secs = time.perf_counter() - t0
    cached = json.loads((work / CALIBRATION_CACHE).read_text()) if (work / CALIBRATION_CACHE).exists() else {}
    reply = json.loads(done.stdout) if done.returncode == 0 else {}
    return {
        "checkout": str(checkout),
        "warm": warm,
        "secs": round(secs, 2),
        "exit": done.returncode,
        "scopes_calibrated": len(cached),
        "decision": reply.get("decision"),
        "stderr": done.stderr[-500:],
    }


CALIBRATE_ONE = """
import sys, time
from benchmarks.speed import corpus
from bot.matching import Matcher, bars, load_synonyms
entries, _, _ = corpus(int(sys.argv[1]))
syn = load_synonyms(None)
t0 = time.perf_counter()
b = bars.calibrate(entries, lambda es: Matcher(es, synonyms=syn))
print(round(time.perf_counter() - t0, 2), b.answer, b.in_scope_probes, b.out_of_scope_probes)
"""


def calibrate_one(checkout: Path, n: int, timeout: float) -> dict[str, object]:
    """One scope of `n` synthetic entries calibrated in-process (lexical), in a child."""
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    cmd = [sys.executable, "-c", CALIBRATE_ONE, str(n)]
    done = subprocess.run(
        cmd, env=env, cwd=checkout, capture_output=True, text=True, timeout=timeout, check=False
    )
    secs, bar, n_in, n_out = done.stdout.split() if done.returncode == 0 else ("nan",) * 4
    return {
        "checkout": str(checkout),
        "entries": n,
        "calibrate_secs": float(secs),
        "answer_bar": bar,
        "in_scope_probes": n_in,
        "out_of_scope_probes": n_out,
        "stderr": done.stderr[-300:],
    }


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, required=True, help="a new folder for the store")
    ap.add_argument("--guilds", type=int, default=20)
    ap.add_argument("--per-guild", type=int, default=500)
    ap.add_argument("--baseline", type=Path, action="append", default=[], help="another checkout to time")
    ap.add_argument("--timeout", type=float, default=1800.0)
    ap.add_argument("--scope-size", type=int, default=0, help="also time calibrating one scope this big")
    args = ap.parse_args(argv)
    if args.scope_size:
        for checkout in (ROOT, *args.baseline):
            print(json.dumps(calibrate_one(checkout, args.scope_size, args.timeout)))
        return 0
    work: Path = args.work
    if not (work / "faq.db").exists():
        work.mkdir(parents=True, exist_ok=True)
        shutil.copytree(ROOT / "data", work / "data", dirs_exist_ok=True)
        (work / "config.yaml").write_text(
            "data_dir: data\ndatabase:\n  url: faq.db\nmatching:\n  semantic: 'off'\n", encoding="utf-8"
        )
        t0 = time.perf_counter()
        asyncio.run(build_store(work, args.guilds, args.per_guild))
        print(f"store built in {time.perf_counter() - t0:.1f} s", file=sys.stderr)
    entries, _, _ = corpus(args.guilds * args.per_guild)
    guild = FIRST_GUILD + args.guilds // 2
    query = entries[(args.guilds // 2) * args.per_guild].phrasings[0]
    for checkout in (ROOT, *args.baseline):
        for warm in (False, True):  # warm: the same again with the bars it cached
            print(json.dumps(cold_ask(checkout, work, guild, query, args.timeout, warm=warm)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
