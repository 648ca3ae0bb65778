"""Web pages under load: entry pages and searches served while the bot answers /ask.

    python benchmarks/web.py [--entries 10000] [--requests 1000] [--ask-rate 20] [--semantic off] [--json]
                             [--probe DIR]

The bot runs as deployed: `faqbot run` with `web.enabled`, in its own process (the service,
lexical by default, the real `FaqBot` and the web server on one event loop), connected to
the loopback Discord emulator (tests/emulator, 127.0.0.1 only) that stays in this process
with the /ask load driver. `--entries` synthetic entries (benchmarks/load.py's generator) go
into one server's store first, which is made public. A client in a third process then
requests, one at a time over a kept-alive connection, `--requests` entry pages and
`--requests` searches (benchmarks/load.py's member queries):

1. baseline: no Discord traffic;
2. under load: meanwhile `--ask-rate` interactions a second, evenly spaced (half /ask, half
   autocomplete, as load.py), arrive through the emulator.

Reported: p50/p99/max per page kind and phase (client-side, request sent to body read), the
ratio under load / baseline, the same searches through `FaqService.ask` alone (no HTTP: the
matcher's share), the server's CPU time per request of each kind (a figure other processes
on the machine do not inflate), and the /ask time-to-first-response during phase 2.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import quote_plus, urlsplit

from bot.settings import SettingsChange

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.load import Round, fire, pct, queries, synthetic_entries  # noqa: E402
from tests.webtools import free_port  # noqa: E402


def kind_of(path: str) -> str:
    return "search" if "/search?" in path else "entry"


async def _cpu_per_request(pid: int, base: str, paths: list[str]) -> float:
    """The bot process's CPU time (all threads) per request of one kind, with no Discord
    traffic: a figure the other processes on the machine do not inflate, unlike latencies."""
    before = proc_cpu_seconds(pid)
    await run_client(base, paths)
    return round((proc_cpu_seconds(pid) - before) * 1000 / len(paths), 2)


def client(base: str, paths: list[str]) -> dict[str, list[float]]:
    """Fetch each path in turn on one kept-alive connection; latencies by page kind (seconds)."""
    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname or "127.0.0.1", parts.port or 80, timeout=30)
    out: dict[str, list[float]] = {}
    statuses: dict[int, int] = {}
    for path in paths:
        kind = kind_of(path)
        t = time.perf_counter()
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        out.setdefault(kind, []).append(time.perf_counter() - t)
        statuses[response.status] = statuses.get(response.status, 0) + 1
    conn.close()
    out["_statuses"] = [float(k) for k, v in statuses.items() for _ in range(v)]
    return out


async def run_client(base: str, paths: list[str]) -> dict[str, list[float]]:
    """The client in a child process, so it never competes for this process's event loop."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as fh:
        json.dump({"base": base, "paths": paths}, fh)
        job = fh.name
    try:
        proc = await asyncio.create_subprocess_exec(
            sys.executable, __file__, "--client", job, stdout=subprocess.PIPE
        )
        stdout, _ = await proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"the client failed ({proc.returncode})")
        result: dict[str, list[float]] = json.loads(stdout)
        return result
    finally:
        os.unlink(job)


def summarise(lat: dict[str, list[float]]) -> dict[str, Any]:
    ms = lambda v: round(v * 1000, 2)  # noqa: E731
    out: dict[str, Any] = {
        kind: {"n": len(v), "p50": ms(pct(v, 0.5)), "p99": ms(pct(v, 0.99)), "max": ms(max(v))}
        for kind, v in lat.items()
        if not kind.startswith("_")
    }
    statuses: dict[str, int] = {}
    for s in lat.get("_statuses", []):
        statuses[str(int(s))] = statuses.get(str(int(s)), 0) + 1
    out["statuses"] = statuses
    return out


def proc_cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), from /proc/<pid>/stat."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def bench(
    entries_n: int, requests: int, ask_rate: int, semantic: str, seed: int, probe: Path | None = None
) -> dict[str, Any]:
    import yaml

    from bot.config import load_config
    from bot.service import FaqService
    from tests.emulator import DiscordEmulator

    rng = random.Random(seed)
    figures: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as work:
        port = free_port()
        conf_path = Path(work) / "config.yaml"
        conf_path.write_text(yaml.safe_dump({
            "data_dir": str(ROOT / "data"),
            "database": {"url": f"sqlite:///{Path(work) / 'web.db'}"},
            "matching": {"semantic": semantic},
            "replies": {"ask_rate_limit": {"count": 1000, "per_seconds": 30}},
            # Every request comes from 127.0.0.1: a limit that never bites (1000 per ms).
            "web": {"enabled": True, "host": "127.0.0.1", "port": port,
                    "rate_limit": {"count": 1000, "per_seconds": 0.001}},
        }), encoding="utf-8")  # fmt: skip
        config = load_config(conf_path)
        emu = DiscordEmulator(interaction_deadline=3.0)
        await emu.start()
        try:
            t = time.monotonic()
            guild = emu.guild
            entries = synthetic_entries(entries_n, guild, seed)
            paths = [f"/g/{guild}/faq/{rng.choice(entries).id}" for _ in range(requests)]
            paths += [f"/g/{guild}/search?q={quote_plus(q)}" for q in queries(entries, requests, rng)]
            rng.shuffle(paths)
            service = await FaqService.open(config)
            try:
                await service.import_entries(guild, entries, actor="bench")
                await service.update_settings(guild, SettingsChange(web_public=True), actor="bench")
                figures["ask_direct"] = await _ask_direct(service, guild, paths)
                matcher = service.matcher_mode
            finally:
                await service.close()
            members = [emu.add_user(f"member{i}", guild=guild) for i in range(500)]
            # The bot and its pages as deployed: `faqbot run` with web.enabled, its own process.
            env = {**os.environ, **emu.subprocess_env(token="emulator-token"), "PYTHONPATH": str(ROOT)}
            if probe:
                env["FAQBOT_TRACEBACK"] = "1"
            # --probe: `python -m benchmarks.loopprobe OUT MODULE ...` in place of `python -m MODULE ...`
            run = ["-m", "benchmarks.loopprobe", str(probe / "loop.json")] if probe else ["-m"]
            bot = await asyncio.create_subprocess_exec(
                sys.executable, *run, "tests.emulator.redirect",
                "bot.cli", "run", "--config", str(conf_path),
                env=env, cwd=work, stdout=asyncio.subprocess.DEVNULL,
                stderr=(probe / "bot.log").open("wb") if probe else asyncio.subprocess.DEVNULL,
            )  # fmt: skip
            base = f"http://127.0.0.1:{port}"
            try:
                await emu.wait_for_request(
                    lambda r: r.method == "PUT" and r.path.endswith("/commands"), timeout=300
                )
                await emu.wait_until_identified()
                figures["setup_s"] = round(time.monotonic() - t, 1)
                await run_client(base, paths[:50])  # warm-up: templates compiled, caches filled
                figures["baseline"] = summarise(await run_client(base, paths))
                figures["server_cpu_ms_per_request"] = {
                    kind: await _cpu_per_request(bot.pid, base, [p for p in paths if kind_of(p) == kind])
                    for kind in ("entry", "search")
                }
                with _probing(probe, bot.pid):
                    figures["under_load"], figures["ask_load"] = await _under_load(
                        emu, members, entries, rng, ask_rate, base, paths
                    )
            finally:
                if bot.returncode is None:
                    bot.terminate()
                try:
                    figures["bot_exit"] = await asyncio.wait_for(bot.wait(), 120)
                except TimeoutError:  # keep the figures; say so
                    bot.kill()
                    figures["bot_exit"] = "no exit within 120 s of SIGTERM: killed"
        finally:
            await emu.stop()
    figures["ratio_p99"] = {
        kind: round(figures["under_load"][kind]["p99"] / figures["baseline"][kind]["p99"], 2)
        for kind in ("entry", "search")
    }
    figures["config"] = {
        "entries": entries_n, "requests_per_kind": requests, "ask_rate_per_s": ask_rate, "matcher": matcher,
    }  # fmt: skip
    return figures


@contextlib.contextmanager
def _probing(probe: Path | None, pid: int) -> Any:
    """--probe: the loop probe's figures and a py-spy profile (if installed) of phase 2 only."""
    if probe is None:
        yield
        return
    import shutil
    import signal

    os.kill(pid, signal.SIGUSR1)  # the probe starts counting
    spy_bin = shutil.which("py-spy") or str(Path(sys.executable).with_name("py-spy"))
    spy = None
    if Path(spy_bin).exists():
        spy = subprocess.Popen(
            [spy_bin, "record", "--pid", str(pid), "--rate", "250", "--nonblocking", "--threads",
             "--format", "raw", "--output", str(probe / "pyspy.txt")],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )  # fmt: skip
    try:
        yield
    finally:
        os.kill(pid, signal.SIGUSR2)  # the probe writes loop.json
        if spy is not None:
            spy.send_signal(signal.SIGINT)
            spy.wait(30)
            from benchmarks.loopprobe import summarise_pyspy

            with contextlib.suppress(OSError):  # py-spy may have been refused (ptrace)
                parts = summarise_pyspy(str(probe / "pyspy.txt"))
                (probe / "pyspy-parts.json").write_text(json.dumps(parts, indent=1), encoding="utf-8")


async def _ask_direct(service: Any, guild: int, paths: list[str]) -> dict[str, Any]:
    """The same searches through FaqService.ask with no HTTP: what the matcher alone costs."""
    from urllib.parse import parse_qs

    lat = []
    for path in paths:
        if "/search?" in path:
            q = parse_qs(path.split("?", 1)[1])["q"][0]
            t = time.perf_counter()
            await service.ask(q, guild, record=False)
            lat.append(time.perf_counter() - t)
    return summarise({"search": lat})


async def _under_load(
    emu: Any,
    members: list[Any],
    entries: list[Any],
    rng: random.Random,
    rate: int,
    base: str,
    paths: list[str],
) -> tuple[dict[str, Any], dict[str, Any]]:
    """The client's run while `rate` interactions a second arrive, evenly spaced."""
    stop = asyncio.Event()
    rounds: list[Round] = []
    batches: list[asyncio.Task[Round]] = []

    async def pace() -> None:
        while not stop.is_set():
            texts = queries(entries, 1, rng)
            batches.append(asyncio.ensure_future(
                fire(emu, members, texts, concurrency=1, autocomplete_share=0.5, rng=rng)
            ))  # fmt: skip
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 1.0 / rate)

    pacer = asyncio.ensure_future(pace())
    await asyncio.sleep(1.0)  # the load is running before the first page is asked for
    lat = await run_client(base, paths)
    stop.set()
    await pacer
    rounds = list(await asyncio.gather(*batches))
    ask = [x for r in rounds for x in r.latencies["ask"]]
    auto = [x for r in rounds for x in r.latencies["autocomplete"]]
    ms = lambda v: round(v * 1000, 1)  # noqa: E731
    load = {
        "interactions": sum(r.answered for r in rounds),
        "missing": sum(len(r.missing) for r in rounds),
        "late_rejected": sum(r.late_rejected for r in rounds),
        "ask_ttfr_ms": {"p50": ms(pct(ask, 0.5)), "p99": ms(pct(ask, 0.99)), "n": len(ask)},
        "autocomplete_ttfr_ms": {"p50": ms(pct(auto, 0.5)), "p99": ms(pct(auto, 0.99)), "n": len(auto)},
    }
    return summarise(lat), load


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=10_000)
    ap.add_argument("--requests", type=int, default=1000, help="entry pages, and as many searches, per phase")
    ap.add_argument("--ask-rate", type=int, default=20, help="Discord interactions per second in phase 2")
    ap.add_argument("--semantic", choices=["auto", "on", "off"], default="off")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--json", action="store_true")
    ap.add_argument(
        "--probe", type=Path, metavar="DIR",
        help="write the bot's loop stalls (loop.json) and a py-spy profile (pyspy.txt) in phase 2 to DIR",
    )  # fmt: skip
    ap.add_argument("--client", metavar="JOB", help=argparse.SUPPRESS)  # the child process
    args = ap.parse_args(argv)
    if args.client:
        job = json.loads(Path(args.client).read_text(encoding="utf-8"))
        print(json.dumps(client(job["base"], job["paths"])))
        return 0
    import logging

    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    if args.probe:
        args.probe.mkdir(parents=True, exist_ok=True)
    figures = asyncio.run(
        bench(args.entries, args.requests, args.ask_rate, args.semantic, args.seed, args.probe)
    )
    figures["machine"] = {
        "nproc": os.cpu_count(),
        "loadavg": os.getloadavg(),
        "python": sys.version.split()[0],
    }
    if args.json:
        print(json.dumps(figures))
    else:
        for key, value in figures.items():
            print(f"{key}: {value}")
        print(verdict(figures))
    ok = all(figures[p][k]["p99"] <= 20.0 for p in ("baseline", "under_load") for k in ("entry", "search"))
    return 0 if ok else 1


def verdict(f: dict[str, Any]) -> str:
    """The lines to paste: p99 per page kind, alone and under /ask load, against the target."""
    c, load = f["config"], f["ask_load"]
    lines = [
        f"\nweb pages at {c['entries']:,} entries ({c['matcher']}), p99 ms (target <= 20), "
        f"{c['requests_per_kind']} requests per kind and phase:"
    ]
    for kind in ("entry", "search"):
        base, under = f["baseline"][kind]["p99"], f["under_load"][kind]["p99"]
        mark = "met" if max(base, under) <= 20.0 else "MISSED"
        lines.append(
            f"  {kind:6}  alone {base:7.2f}   under {c['ask_rate_per_s']} interactions/s {under:7.2f}"
            f"   ratio {f['ratio_p99'][kind]:5.2f}   {mark}"
        )
    ttfr = load["ask_ttfr_ms"]
    lines.append(
        f"  /ask time to first response p50 / p99: {ttfr['p50']} / {ttfr['p99']} ms; {load['interactions']} "
        f"interactions, {load['missing']} unanswered, {load['late_rejected']} too late"
    )
    m = f["machine"]
    lines.append(f"  machine: {m['nproc']} cores, load average {', '.join(f'{x:.2f}' for x in m['loadavg'])}")
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
