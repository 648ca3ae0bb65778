"""In-memory rate limits and cooldowns (per user, per channel). Pure: time is passed in."""

from __future__ import annotations

from collections import deque
from collections.abc import Hashable


class RateLimiter:
    """At most `count` hits per `per` seconds for each key (a sliding window)."""

    def __init__(self, count: int, per: float, *, max_keys: int = 50_000) -> None:
        self.count = count
        self.per = per
        self.max_keys = max_keys  # bounded memory under a flood of distinct users
        self._hits: dict[Hashable, deque[float]] = {}

    def hit(self, key: Hashable, now: float) -> float:
        """Record a hit; 0 if allowed, else the seconds until the next one would be."""
        window = self._hits.get(key)
        if window is None:
            if len(self._hits) >= self.max_keys:
                self._evict(now)
            window = self._hits[key] = deque()
        while window and now - window[0] >= self.per:
            window.popleft()
        if len(window) >= self.count:
            return self.per - (now - window[0])
        window.append(now)
        return 0.0

    def _evict(self, now: float) -> None:
        stale = [k for k, w in self._hits.items() if not w or now - w[-1] >= self.per]
        for k in stale:
            del self._hits[k]
        if len(self._hits) >= self.max_keys:  # all fresh: drop the oldest half
            for k in list(self._hits)[: self.max_keys // 2]:
                del self._hits[k]


class Cooldown(RateLimiter):
    """One hit per `seconds` per key."""

    def __init__(self, seconds: float) -> None:
        super().__init__(1, seconds)

    def ready(self, key: Hashable, now: float, seconds: float | None = None) -> bool:
        """Whether `seconds` (default: the cooldown's own) have passed since the last hit."""
        window = self._hits.get(key)
        return not window or now - window[-1] >= (self.per if seconds is None else seconds)

    def hit(self, key: Hashable, now: float) -> float:
        # A cooldown records the latest hit (ready() decides, with a per-guild length).
        self._hits.pop(key, None)
        if len(self._hits) >= self.max_keys:
            self._evict(now)
        self._hits[key] = deque([now])
        return 0.0
