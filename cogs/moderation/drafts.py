"""Drafts waiting for a moderator's Confirm: in memory, bounded, expiring, owner-bound."""

from __future__ import annotations

import secrets
import time
from collections import OrderedDict
from dataclasses import dataclass

from bot.bylines import Byline
from bot.models import Answer, Candidate, Entry
from cogs.moderation.access import (
    PENDING_MAX,
    PENDING_TTL,
)


@dataclass(frozen=True)
class DraftAdd:
    """A new entry whose question looks like an existing one."""

    entry: Entry
    duplicate: Candidate
    duplicate_is_own: bool


@dataclass(frozen=True)
class DraftByline:
    """A form waiting for the moderator to confirm the expert's byline: the new entry (add), or
    the answer for `entry_id` (answer `index`, None: a new one, edited against `revision`).
    `fields` are the form's values as typed, for **Edit**."""

    fields: dict[str, str]
    byline: Byline
    entry: Entry | None = None
    answer: Answer | None = None
    entry_id: str | None = None
    index: int | None = None
    revision: int | None = None


class Pending:
    """Bounded, expiring drafts keyed by a random token and tied to one member in one guild."""

    def __init__(self, ttl: float = PENDING_TTL, limit: int = PENDING_MAX) -> None:
        self.ttl = ttl
        self.limit = limit
        self._items: OrderedDict[str, tuple[float, tuple[int, int], object]] = OrderedDict()

    def put(self, owner: tuple[int, int], value: object) -> str:
        self._expire()
        while len(self._items) >= self.limit:
            self._items.popitem(last=False)
        token = secrets.token_hex(8)
        self._items[token] = (time.monotonic(), owner, value)
        return token

    def take(self, token: str, owner: tuple[int, int]) -> object | None:
        self._expire()
        item = self._items.get(token)
        if item is None or item[1] != owner:
            return None
        del self._items[token]
        return item[2]

    def _expire(self) -> None:
        cutoff = time.monotonic() - self.ttl
        while self._items and next(iter(self._items.values()))[0] < cutoff:
            self._items.popitem(last=False)
