"""Where an asyncio program's event loop stalls: run a module with every loop callback timed.

    python -m benchmarks.loopprobe OUT.json MODULE [ARGS...]

runs MODULE like `python -m MODULE ARGS...`. Every callback is timed; those over `SLOW_MS`
are recorded with the coroutine, where its step resumed and where it suspended. SIGUSR1
clears the figures (start of a phase), SIGUSR2 (and the exit) writes them to OUT.json: per
callback site, count / total / max ms, and the slowest steps. A measurement tool for
benchmarks/web.py --probe; nothing ships with it.
"""

from __future__ import annotations

import asyncio
import asyncio.events
import asyncio.tasks
import atexit
import json
import runpy
import signal
import sys
import time
from typing import Any

SLOW_MS = 5.0

_sites: dict[str, list[float]] = {}  # site -> [count, total ms, max ms, count over SLOW_MS]
_slow: list[tuple[float, str]] = []
_started = time.monotonic()


def _where(coro: Any) -> str:
    """The innermost frame a coroutine chain is suspended in: file:line function."""
    frame = None
    while coro is not None:
        f = getattr(coro, "cr_frame", None) or getattr(coro, "gi_frame", None)
        if f is not None:
            frame = f
        coro = getattr(coro, "cr_await", None) or getattr(coro, "gi_yieldfrom", None)
    if frame is None:
        return "?"
    code = frame.f_code
    return f"{code.co_filename.rsplit('/', 2)[-1]}:{frame.f_lineno} {code.co_name}"


def _name(handle: asyncio.events.Handle) -> tuple[str, Any]:
    cb = handle._callback  # type: ignore[attr-defined]
    task = getattr(cb, "__self__", None)
    if isinstance(task, asyncio.Task):  # a task's step (TaskStepMethWrapper.__self__)
        coro = task.get_coro()
        return "task " + str(getattr(coro, "__qualname__", type(coro).__qualname__)), coro
    # never repr(): a callback's repr may read the state it is about to change
    return str(getattr(cb, "__qualname__", type(cb).__qualname__)), None


_real_run = asyncio.events.Handle._run


def _timed_run(self: asyncio.events.Handle) -> None:
    name, coro = _name(self)
    before = _where(coro) if coro is not None else ""
    t = time.perf_counter()
    _real_run(self)
    ms = (time.perf_counter() - t) * 1000
    s = _sites.setdefault(name, [0, 0.0, 0.0, 0])
    s[0] += 1
    s[1] += ms
    s[2] = max(s[2], ms)
    if ms >= SLOW_MS:
        s[3] += 1
        after = _where(coro) if coro is not None else ""
        _slow.append((ms, f"{name}: resumed at {before}, suspended at {after}"))
        if len(_slow) > 4000:
            _slow.sort(reverse=True)
            del _slow[500:]


def _reset(*_: Any) -> None:
    global _started
    _sites.clear()
    _slow.clear()
    _started = time.monotonic()


def _dump(path: str) -> None:
    wall = time.monotonic() - _started
    sites = sorted(_sites.items(), key=lambda kv: -kv[1][1])
    out = {
        "wall_s": round(wall, 2),
        "loop_busy_share": round(sum(v[1] for v in _sites.values()) / 1000 / max(wall, 1e-9), 3),
        "slow_ms": SLOW_MS,
        "callbacks_over_slow": sum(int(v[3]) for v in _sites.values()),
        "sites": [
            {
                "site": k,
                "n": int(v[0]),
                "total_ms": round(v[1], 1),
                "max_ms": round(v[2], 1),
                "over": int(v[3]),
            }
            for k, v in sites[:40]
        ],
        "slowest": [{"ms": round(ms, 1), "what": what} for ms, what in sorted(_slow, reverse=True)[:60]],
    }
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(out, fh, indent=1)


def main() -> None:
    out, module, *args = sys.argv[1:]
    asyncio.events.Handle._run = _timed_run  # type: ignore[method-assign]
    signal.signal(signal.SIGUSR1, _reset)
    signal.signal(signal.SIGUSR2, lambda *_: _dump(out))
    atexit.register(_dump, out)
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()


# What each thread spent its samples on, from a `py-spy record --format raw --threads` file.
# First match wins, checked from the stack's innermost frame outwards.
PARTS = (
    ("related entries", ("bot/browse.py",)),
    ("web pages", ("bot/web/", "jinja2/")),
    ("matching", ("bot/matching/",)),
    ("embeds / views", ("present/embeds.py", "cogs/views.py", "discord/ui/", "discord/embeds.py")),
    ("JSON", ("json/", "orjson")),
    ("store", ("bot/store/", "aiosqlite", "sqlite3")),
    ("Discord gateway", ("discord/gateway.py", "discord/state.py", "discord/shard.py")),
    ("Discord HTTP", ("discord/http.py", "discord/webhook/", "discord/interactions.py")),
    ("discord.py app commands", ("discord/app_commands/",)),
    ("aiohttp", ("aiohttp/",)),
    ("asyncio", ("asyncio/", "selectors.py")),
)


def summarise_pyspy(path: str) -> dict[str, dict[str, int]]:
    """Samples per thread and part: where a thread's CPU (with the GIL or not) went."""
    out: dict[str, dict[str, int]] = {}
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            stack, _, count = line.rstrip("\n").rpartition(" ")
            if not stack or not count.isdigit():
                continue
            frames = stack.split(";")
            thread = frames[0].split(":", 1)[-1].strip() if frames[0].startswith("thread") else "?"
            part = "other"
            for frame in reversed(frames[1:]):
                found = next((name for name, keys in PARTS if any(k in frame for k in keys)), None)
                if found:
                    part = found
                    break
            bucket = out.setdefault(thread, {})
            bucket[part] = bucket.get(part, 0) + int(count)
    return {t: dict(sorted(b.items(), key=lambda kv: -kv[1])) for t, b in out.items()}
