"""CPU per /ask answer spent on related entries, and on the matcher calls around it.

    python benchmarks/related.py [--entries 10000]

CPU time of this thread (time.thread_time), so other processes on a shared machine barely
move it: the full sort per answer (the first implementation, kept in tests/bot/test_browse.py
as the reference) against `RelatedIndex` (built once per change, then a lookup per answer);
and, for scale, a lexical rank and an autocomplete over the same entries.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.load import queries, synthetic_entries  # noqa: E402
from bot.browse import RelatedIndex  # noqa: E402
from bot.matching import Matcher, load_synonyms  # noqa: E402
from tests.bot.test_browse import reference_related  # noqa: E402


def cpu_ms(fn: Callable[[int], object], n: int) -> float:
    t = time.thread_time()
    for i in range(n):
        fn(i)
    return (time.thread_time() - t) / n * 1000


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--entries", type=int, default=10_000)
    n = ap.parse_args().entries
    entries = synthetic_entries(n, 123, 1)
    rng = random.Random(1)
    sample = [rng.choice(entries) for _ in range(60)]
    full = cpu_ms(lambda i: reference_related(sample[i], entries, []), 20)
    t = time.thread_time()
    index = RelatedIndex(entries)
    build = (time.thread_time() - t) * 1000
    first = cpu_ms(lambda i: index.related(sample[i], []), 60)
    again = cpu_ms(lambda i: index.related(sample[i], []), 60)
    print(f"related entries at {n:,} entries, CPU ms per answer:")
    print(f"  full sort (before): {full:.2f}")
    print(
        f"  RelatedIndex: build {build:.2f} once per change; "
        f"lookup {first:.3f} (new tag set), {again:.3f} (seen)"
    )
    matcher = Matcher(entries, synonyms=load_synonyms(None))
    qs = queries(entries, 300, rng)
    rank = cpu_ms(lambda i: matcher.rank(qs[i], 10), 300)
    auto = cpu_ms(lambda i: matcher.autocomplete(qs[i][:12], 25), 300)
    print(f"for scale: lexical rank {rank:.2f}, autocomplete {auto:.2f} CPU ms per call")
    return 0


if __name__ == "__main__":
    sys.exit(main())
