"""Load: thousands of /ask and autocomplete interactions through the loopback Discord emulator.

    python benchmarks/load.py [--interactions 5000] [--concurrency 300] [--autocomplete-share 0.5]
                              [--data data/] [--synthetic 1000] [--semantic auto|off]
                              [--duration SECONDS] [--writes K] [--json]

Starts the emulator (tests/emulator, 127.0.0.1 only) and the real `FaqBot` in this process,
adds `--synthetic` guild entries so the matcher does real work, then fires `--interactions`
interactions from a pool of members with `--concurrency` in flight (each: send
INTERACTION_CREATE, await the bot's first callback). The emulator enforces Discord's 3-second
deadline for the first response. Reported: answered / missing, callback types, time to first
response (p50/p99/max, from dispatch to the bot's callback request), ERROR and WARNING log
records, RSS (VmRSS) at start, middle and end. `--duration` repeats rounds of `--interactions`
until that many seconds have passed and reports RSS after each round (memory flat?); the
emulator's own request log is cleared between rounds so only the bot can grow. `--writes K`
makes K moderator writes (an extra answer on a guild entry) spread over the run.

Figures: docs/reliability.md. A CI-sized run is tests/system/test_load.py.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import random
import statistics
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.config import load_config  # noqa: E402
from bot.models import Answer, Entry, Provider  # noqa: E402
from bot.service import FaqService  # noqa: E402
from cogs.standalone import FaqBot  # noqa: E402
from tests.emulator import DiscordEmulator, run_bot  # noqa: E402

_TOPIC_TEXT = """botox filler laser acne scar peel retinol sunscreen pores wrinkles lips cheeks jawline nose
eyelid collagen microneedling tattoo hair-removal rosacea melasma eczema psoriasis mole biopsy sweating
bruising swelling numbing downtime toxin dermaplaning hyperpigmentation stretch-marks"""
TOPICS = _TOPIC_TEXT.split()
FORMS = (
    "How long does {a} last after {b}?",
    "Is {a} safe with {b}?",
    "Can {a} help {b}?",
    "What does {a} cost compared with {b}?",
    "Why does {a} cause {b}?",
    "When can I have {a} after {b}?",
)
HOSTILE = (
    '"botox" NEAR( pores * ^ OR NOT AND question:',
    "@everyone <@&1> <@42> **bold** [link](https://example.com) `code`",
    "\x00\x07\u202e\u200b botox \ufeff",
    "x" * 300,
)


def rss_kib() -> int:
    """Resident set size of this process from /proc/self/status (KiB)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class LogCounter(logging.Handler):
    """Counts WARNING and ERROR records (any logger) and keeps the first few messages."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.counts: Counter[str] = Counter()
        self.samples: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.counts[record.levelname] += 1
        if len(self.samples) < 10:
            self.samples.append(f"{record.levelname} {record.name}: {record.getMessage()[:300]}")

    @property
    def errors(self) -> int:
        return self.counts["ERROR"] + self.counts["CRITICAL"]


def synthetic_entries(n: int, guild_id: int, seed: int = 0) -> list[Entry]:
    rng = random.Random(seed)
    out = []
    for i in range(n):
        a, b, c = rng.sample(TOPICS, 3)
        question = rng.choice(FORMS).format(a=a, b=b)
        answers = tuple(
            Answer(
                f"{c.capitalize()} and {a}: expert {k}",
                f"In my practice {a} after {b} is usually fine. "
                + f"Ask about {c} first. " * rng.randint(1, 8),
                Provider(name=f"Dr Synth{i}x{k}", credentials="MD", specialty="Dermatologist"),
            )
            for k in range(rng.randint(1, 3))
        )
        out.append(Entry(f"synth-{i}", f"{question} ({i})", answers, phrasings=(f"{a} {b} {i}",),
                         tags=(a, b), guild_id=guild_id))  # fmt: skip
    return out


def queries(entries: list[Entry], n: int, rng: random.Random) -> list[str]:
    """What members type: entry questions (exact, partial, typo'd), keywords, noise, hostile text."""
    out = []
    for _ in range(n):
        roll = rng.random()
        e = rng.choice(entries)
        words = e.question.split()
        if roll < 0.3:
            q = e.question
        elif roll < 0.55:
            q = " ".join(rng.sample(words, max(1, len(words) // 2)))
        elif roll < 0.7:
            w = list(rng.choice(words))
            if len(w) > 3:
                i = rng.randrange(len(w) - 1)
                w[i], w[i + 1] = w[i + 1], w[i]
            q = " ".join([*words[:2], "".join(w)])
        elif roll < 0.85:
            q = " ".join(rng.sample(TOPICS, 2))
        elif roll < 0.95:
            q = " ".join(rng.choices(["router", "weather", "football", "recipe", "python", "tax"], k=3))
        else:
            q = rng.choice(HOSTILE)
        out.append(q[:300] or "botox")
    return out


@dataclass
class Round:
    latencies: dict[str, list[float]] = field(default_factory=lambda: {"ask": [], "autocomplete": []})
    types: Counter[str] = field(default_factory=Counter)
    missing: list[str] = field(default_factory=list)  # interactions with no callback in time
    followups_missing: int = 0
    rate_limited: int = 0
    late_rejected: int = 0  # callbacks the emulator refused as past Discord's 3-second deadline
    wall: float = 0.0

    @property
    def answered(self) -> int:
        return sum(len(v) for v in self.latencies.values())


def pct(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


async def fire(
    emu: DiscordEmulator,
    users: list[dict[str, Any]],
    texts: list[str],
    *,
    concurrency: int,
    autocomplete_share: float,
    rng: random.Random,
    timeout: float = 30.0,
    on_progress: Any = None,
) -> Round:
    result = Round()
    sem = asyncio.Semaphore(concurrency)
    done = 0

    async def one(text: str, user: dict[str, Any], kind: str) -> None:
        nonlocal done
        async with sem:
            if kind == "autocomplete":
                partial = text[: rng.randint(1, max(1, len(text)))]
                payload = emu.autocomplete("ask", "query", partial, user=user)
            else:
                payload = emu.slash_command("ask", {"query": text}, user=user)
            handle = await emu.send_interaction(payload)
            try:
                cb = await handle.response(timeout=timeout)
            except TimeoutError:
                result.missing.append(f"{kind} {text!r}")
                return
            result.latencies[kind].append(cb.request.at - handle.created_at)
            result.types[f"{kind}:{cb.type}"] += 1
            if "asking quickly" in (cb.content or ""):
                result.rate_limited += 1
            if cb.type == 5:  # deferred: the answer follows as a follow-up message
                try:
                    await handle.followups(1, timeout=timeout)
                except TimeoutError:
                    result.followups_missing += 1
        done += 1
        if on_progress is not None:
            await on_progress(done)

    started = time.monotonic()
    first_request = len(emu.requests)
    jobs = [
        one(t, rng.choice(users), "autocomplete" if rng.random() < autocomplete_share else "ask")
        for t in texts
    ]
    await asyncio.gather(*jobs)
    result.wall = time.monotonic() - started
    result.late_rejected = sum(
        1 for r in emu.requests[first_request:] if r.path.endswith("/callback") and r.status == 404
    )
    return result


def prune_emulator(emu: DiscordEmulator) -> None:
    """Forget the emulator's logs between rounds, so RSS growth is the bot's (nothing in flight)."""
    emu.requests.clear()
    emu.frames.clear()
    emu.world.interactions.clear()
    emu.world.interactions_by_id.clear()
    emu.world.messages.clear()


async def run_load(
    *,
    interactions: int,
    concurrency: int,
    autocomplete_share: float = 0.5,
    data: Path = ROOT / "data",
    synthetic: int = 1000,
    semantic: str = "auto",
    duration: float = 0.0,
    writes: int = 0,
    users: int = 2000,
    seed: int = 1,
    workdir: Path | None = None,
    rate_limit: int = 1000,
) -> dict[str, Any]:
    rng = random.Random(seed)
    counter = LogCounter()
    root_logger = logging.getLogger()
    root_logger.addHandler(counter)
    if root_logger.level > logging.WARNING or root_logger.level == logging.NOTSET:
        root_logger.setLevel(logging.WARNING)
    tmp = tempfile.TemporaryDirectory() if workdir is None else None
    work = Path(tmp.name) if tmp else Path(workdir)  # type: ignore[arg-type]
    figures: dict[str, Any] = {}
    try:
        config = load_config(None, {
            "data_dir": str(data),
            "database": {"url": f"sqlite:///{work / 'load.db'}"},
            "matching": {"semantic": semantic},
            "replies": {"ask_rate_limit": {"count": rate_limit, "per_seconds": 30}},
        })  # fmt: skip
        t = time.monotonic()
        service = await FaqService.open(config)
        try:
            emu = DiscordEmulator(interaction_deadline=3.0)
            await emu.start()
            try:
                guild = emu.guild
                entries = synthetic_entries(synthetic, guild, seed)
                if entries:
                    await service.import_entries(guild, entries, actor="load")
                members = [emu.add_user(f"member{i}", guild=guild) for i in range(users)]
                service.rank("warm up", guild)  # build the matchers before the clock starts
                service.autocomplete("warm", guild)
                figures["setup_s"] = round(time.monotonic() - t, 1)
                pool = entries or service.visible_entries(guild)
                async with run_bot(FaqBot(config, service), emu):
                    await emu.wait_for_request(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
                    figures |= await _drive(emu, service, members, pool, rng, guild, counter, interactions,
                                            concurrency, autocomplete_share, duration, writes)  # fmt: skip
                figures["unknown_requests"] = len(emu.unknown_requests)
            finally:
                await emu.stop()
        finally:
            await service.close()
    finally:
        root_logger.removeHandler(counter)
        if tmp:
            tmp.cleanup()
    figures["log_errors"] = counter.errors
    figures["log_warnings"] = counter.counts["WARNING"]
    figures["log_samples"] = counter.samples
    figures["config"] = {
        "interactions": interactions, "concurrency": concurrency, "autocomplete_share": autocomplete_share,
        "synthetic_entries": synthetic, "semantic": service.matcher_mode, "duration": duration,
        "writes": writes, "members": users,
    }  # fmt: skip
    return figures


async def _drive(
    emu: DiscordEmulator,
    service: FaqService,
    members: list[dict[str, Any]],
    pool: list[Entry],
    rng: random.Random,
    guild: int,
    counter: LogCounter,
    interactions: int,
    concurrency: int,
    autocomplete_share: float,
    duration: float,
    writes: int,
) -> dict[str, Any]:
    rss = [("start", rss_kib())]
    rounds: list[Round] = []
    write_times: list[float] = []
    guild_ids = [e.id for e in pool if e.guild_id == guild]
    started = time.monotonic()
    total_target = interactions
    writes_left = writes

    async def progress(done: int) -> None:
        nonlocal writes_left
        if len(rounds) == 0 and done == interactions // 2 and not any(k == "middle" for k, _ in rss):
            rss.append(("middle", rss_kib()))
        if writes_left and guild_ids and done % max(1, interactions // (writes + 1)) == 0:
            writes_left -= 1
            t = time.monotonic()
            await service.add_answer(guild, rng.choice(guild_ids), Answer("load", "One more answer."),
                                     actor="load")  # fmt: skip
            write_times.append(time.monotonic() - t)

    while True:
        texts = queries(pool, interactions, rng)
        done = await fire(
            emu, members, texts, concurrency=concurrency, autocomplete_share=autocomplete_share, rng=rng,
            on_progress=progress,
        )  # fmt: skip
        rounds.append(done)
        prune_emulator(emu)
        rss.append((f"after round {len(rounds)}", rss_kib()))
        if time.monotonic() - started >= duration:
            break
        total_target += interactions
    ask = [x for r in rounds for x in r.latencies["ask"]]
    auto = [x for r in rounds for x in r.latencies["autocomplete"]]
    both = ask + auto
    types: Counter[str] = Counter()
    for r in rounds:
        types.update(r.types)
    ms = lambda v: round(v * 1000, 1)  # noqa: E731
    return {
        "sent": total_target,
        "answered": sum(r.answered for r in rounds),
        "missing": sum(len(r.missing) for r in rounds),
        "missing_samples": [m for r in rounds for m in r.missing][:5],
        "followups_missing": sum(r.followups_missing for r in rounds),
        "late_rejected": sum(r.late_rejected for r in rounds),
        "rate_limited": sum(r.rate_limited for r in rounds),
        "callback_types": dict(sorted(types.items())),
        "rounds": len(rounds),
        "wall_s": round(sum(r.wall for r in rounds), 1),
        "throughput_per_s": round(len(both) / max(1e-9, sum(r.wall for r in rounds)), 1),
        "ttfr_ms": {
            name: {
                "p50": ms(pct(v, 0.5)),
                "p99": ms(pct(v, 0.99)),
                "max": ms(max(v)) if v else None,
                "mean": ms(statistics.fmean(v)) if v else None,
                "n": len(v),
            }
            for name, v in (("all", both), ("ask", ask), ("autocomplete", auto))
        },
        "rss_kib": rss,
        "moderator_writes": len(write_times),
        "moderator_write_ms": [ms(w) for w in write_times],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--interactions", type=int, default=5000, help="interactions per round")
    ap.add_argument("--concurrency", type=int, default=300, help="interactions in flight")
    ap.add_argument("--autocomplete-share", type=float, default=0.5)
    ap.add_argument("--data", type=Path, default=ROOT / "data", help="data folder (default: the repo's)")
    ap.add_argument("--synthetic", type=int, default=1000, help="synthetic guild entries to add")
    ap.add_argument("--semantic", choices=["auto", "on", "off"], default="auto")
    ap.add_argument("--duration", type=float, default=0.0, help="repeat rounds for this many seconds")
    ap.add_argument("--writes", type=int, default=0, help="moderator writes during the first round")
    ap.add_argument("--members", type=int, default=2000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true", help="print the figures as one JSON object")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    figures = asyncio.run(run_load(
        interactions=args.interactions, concurrency=args.concurrency,
        autocomplete_share=args.autocomplete_share, data=args.data, synthetic=args.synthetic,
        semantic=args.semantic, duration=args.duration, writes=args.writes, users=args.members,
        seed=args.seed,
    ))  # fmt: skip
    figures["machine"] = {"nproc": os.cpu_count(), "python": sys.version.split()[0]}
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
    ok = figures["missing"] == 0 and figures["log_errors"] == 0 and figures["late_rejected"] == 0
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
