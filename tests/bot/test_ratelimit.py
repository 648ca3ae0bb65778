from __future__ import annotations

from bot.ratelimit import Cooldown, RateLimiter


def test_sliding_window_per_key() -> None:
    rl = RateLimiter(2, 10)
    assert rl.hit("a", 0) == 0 and rl.hit("a", 1) == 0
    assert rl.hit("a", 2) == 8  # third hit within 10 s: wait until the first expires
    assert rl.hit("b", 2) == 0  # other users are unaffected
    assert rl.hit("a", 10) == 0


def test_memory_is_bounded() -> None:
    rl = RateLimiter(1, 60, max_keys=100)
    for i in range(1000):
        rl.hit(i, float(i) * 0.001)
    assert len(rl._hits) <= 100


def test_cooldown() -> None:
    cd = Cooldown(5)
    assert cd.ready("c", 0) and cd.hit("c", 0) == 0
    assert not cd.ready("c", 4.9) and cd.ready("c", 5)


def test_cooldown_length_can_be_overridden_per_guild() -> None:
    cd = Cooldown(60)
    cd.hit("g1", 0)
    assert not cd.ready("g1", 10) and cd.ready("g1", 10, seconds=5)
    cd.hit("g1", 10)
    assert not cd.ready("g1", 12, seconds=5)
