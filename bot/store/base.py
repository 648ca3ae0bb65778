"""The store interface every backend implements, and the records it returns."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from bot.models import Entry, Summary

if TYPE_CHECKING:
    from bot.store.forums import CommunityRecords, ExpertQuestion, ForumPost

GLOBAL = 0  # guild_id stored for global entries (NULL would defeat UNIQUE constraints)


@dataclass(frozen=True)
class GuildScope:
    """Which guilds' entries a process holds besides the global ones: every guild (the
    default), a set of guild ids, or the guilds of some shards (`(guild_id >> 22) %
    shard_count`, Discord's own rule), so a shard process never loads other shards' guilds."""

    guild_ids: frozenset[int] | None = None
    shard_count: int | None = None
    shard_ids: frozenset[int] | None = None

    @classmethod
    def shards(cls, shard_count: int, shard_ids: Sequence[int]) -> GuildScope:
        return cls(shard_count=shard_count, shard_ids=frozenset(shard_ids))

    @property
    def everything(self) -> bool:
        return self.guild_ids is None and self.shard_count is None

    def holds(self, guild_id: int) -> bool:
        if guild_id == GLOBAL:
            return True
        if self.guild_ids is not None and guild_id not in self.guild_ids:
            return False
        if self.shard_count is not None and self.shard_ids is not None:
            return (guild_id >> 22) % self.shard_count in self.shard_ids
        return True

    def sql(self, column: str = "guild_id") -> str:
        """The same test as a SQL condition both dialects accept (integers only, inlined)."""
        parts = []
        if self.guild_ids is not None:
            parts.append(f"{column} IN ({', '.join(str(int(g)) for g in sorted(self.guild_ids)) or 'NULL'})")
        if self.shard_count is not None and self.shard_ids is not None:
            shards = ", ".join(str(int(s)) for s in sorted(self.shard_ids)) or "NULL"
            parts.append(f"(({column} >> 22) % {int(self.shard_count)}) IN ({shards})")
        test = " AND ".join(parts) or "1 = 1"
        return f"({column} = {GLOBAL} OR ({test}))"


ALL_GUILDS = GuildScope()


class StoreError(Exception):
    """A store operation that cannot be done; the message is safe to show a moderator."""


class NotFound(StoreError):
    pass


class ReadOnly(StoreError):
    pass


class Conflict(StoreError):
    """An edit made against an older revision of the entry: nothing was written."""


class Unavailable(StoreError):
    """The database cannot be reached (or its file is gone): nothing was written."""


UNREACHABLE = "The database is unreachable; nothing was changed. Try again shortly."


@dataclass(frozen=True)
class Mutation:
    """What `Store.mutate` committed.

    `summary_current` is False when the automatic summary stored with the entry was computed
    for another version of it (the row moved between the caller's guess and the write): the
    caller computes it for `entry` and stores it with `set_summary(…, revision)`.
    """

    entry: Entry
    old: Entry
    revision: int
    summary_current: bool


@dataclass(frozen=True, slots=True)
class StoredEntry:
    entry: Entry
    auto_summary: Summary | None
    deleted: bool = False
    revision: int = 0  # the store revision of the row's last write (entry, state or summary)
    content_hash: str = ""  # `serialize.content_hash(entry)`, as stored with the row


@dataclass(frozen=True)
class SyncReport:
    added: tuple[str, ...] = ()
    updated: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class AuditRecord:
    guild_id: int
    entry_id: str
    actor: str
    action: str
    at: str
    changes: dict[str, Any]


@dataclass(frozen=True)
class QueryStat:
    query: str
    count: int
    unanswered: int
    last_entry_id: str | None


@dataclass(frozen=True)
class Stats:
    top_queries: tuple[QueryStat, ...] = ()
    unanswered: tuple[QueryStat, ...] = ()
    feedback: dict[str, tuple[int, int]] = field(default_factory=dict)  # id → (helpful, not)


@dataclass(frozen=True)
class QueryRecord:
    """One row of the query statistics, as stored (for copying between stores)."""

    guild_id: int
    query: str
    count: int
    unanswered: int
    last_entry_id: str | None
    last_at: str


@dataclass(frozen=True)
class FeedbackRecord:
    guild_id: int
    entry_id: str
    user_id: int
    helpful: bool
    at: str


@dataclass(frozen=True)
class StoreDump:
    """Everything a store holds, backend-neutral: `dump()` of one store, `restore()` into another.

    Entries keep their soft-deleted state, metadata, automatic summary and revision; audit keeps
    its order and timestamps; `revision` is the store's counter.
    """

    revision: int
    entries: tuple[StoredEntry, ...]
    hidden: dict[int, frozenset[str]]
    settings: dict[int, dict[str, Any]]
    audit: tuple[AuditRecord, ...]
    queries: tuple[QueryRecord, ...]
    feedback: tuple[FeedbackRecord, ...]
    # a guild's own phrasings of global entries: guild → entry id → phrasings (in order added)
    phrasings: dict[int, dict[str, tuple[str, ...]]] = field(default_factory=dict)
    forum_posts: tuple[ForumPost, ...] = ()  # issue 16 (bot/store/forums.py)
    expert_questions: tuple[ExpertQuestion, ...] = ()

    def is_empty(self) -> bool:
        return not (
            self.entries
            or self.hidden
            or self.settings
            or self.audit
            or self.queries
            or self.feedback
            or self.phrasings
            or self.forum_posts
            or self.expert_questions
        )


Summarizer = Callable[[Entry], Summary]
Change = Callable[[Entry], Entry]  # a pure change of an entry; raises to refuse it
# the stored JSON object now → after (FaqService.update_settings: a bot.settings.SettingsChange applied)
StoredSettingsChange = Callable[[dict[str, Any]], dict[str, Any]]
# (the global entry, the guild's phrasings of it now) → the guild's new phrasings; raises to refuse
PhrasingsChange = Callable[[Entry, tuple[str, ...]], tuple[str, ...]]


def plan_sync(
    existing_hashes: Mapping[str, str], wanted: Mapping[str, Entry]
) -> tuple[list[Entry], list[Entry], list[str]]:
    """What syncing data/ changes: (added, updated, removed ids), from stored content hashes."""
    from bot.serialize import content_hash

    added = [e for i, e in wanted.items() if i not in existing_hashes]
    updated = [e for i, e in wanted.items() if i in existing_hashes and existing_hashes[i] != content_hash(e)]
    return added, updated, sorted(set(existing_hashes) - set(wanted))


class Store(Protocol):
    """Async store. Every write is one transaction; a failure leaves the previous state."""

    async def close(self) -> None: ...
    async def revision(self) -> int: ...
    async def data_digest(self) -> int | None: ...
    async def sync_global(
        self, entries: Sequence[Entry], summarize: Summarizer, digest: int | None = None
    ) -> SyncReport: ...
    async def refresh_summaries(self, version: int, summarize: Summarizer, batch: int = 2000) -> int: ...
    async def load_all(self, since_revision: int = 0, scope: GuildScope = ...) -> list[StoredEntry]: ...
    async def load_rows(
        self, since_revision: int = 0, scope: GuildScope = ...
    ) -> list[tuple[StoredEntry, str | None]]: ...
    def load_row_batches(
        self, scope: GuildScope = ..., size: int = ...
    ) -> AsyncIterator[list[tuple[StoredEntry, str | None]]]: ...
    async def entry_count(self, scope: GuildScope = ...) -> int: ...
    async def entry_keys(self, scope: GuildScope = ...) -> set[tuple[int, str]]: ...
    async def all_settings(self, scope: GuildScope = ...) -> dict[int, dict[str, Any]]: ...
    async def get(self, guild_id: int | None, entry_id: str) -> StoredEntry | None: ...
    async def save(
        self,
        entry: Entry,
        auto_summary: Summary,
        *,
        actor: str,
        action: str,
        create: bool | None = None,
    ) -> Entry: ...
    async def mutate(
        self,
        guild_id: int,
        entry_id: str,
        change: Change,
        *,
        actor: str,
        action: str,
        expected_revision: int | None = None,
        summary: tuple[Entry, Summary] | None = None,
        forget_query: str | None = None,
    ) -> Mutation: ...
    async def set_summary(self, guild_id: int, entry_id: str, revision: int, summary: Summary) -> bool: ...
    async def change_settings(
        self, guild_id: int, change: StoredSettingsChange, *, actor: str
    ) -> tuple[dict[str, Any], dict[str, Any]]: ...
    async def save_many(
        self, entries: Sequence[Entry], summaries: Sequence[Summary], *, actor: str
    ) -> None: ...
    async def set_deleted(self, guild_id: int, entry_id: str, deleted: bool, *, actor: str) -> None: ...
    async def set_hidden(self, guild_id: int, entry_id: str, hidden: bool, *, actor: str) -> bool: ...
    async def hidden(self, guild_id: int) -> set[str]: ...
    async def change_guild_phrasings(
        self,
        guild_id: int,
        entry_id: str,
        change: PhrasingsChange,
        *,
        actor: str,
        action: str,
        forget_query: str | None = None,
    ) -> tuple[tuple[str, ...], tuple[str, ...]]: ...
    async def guild_phrasings(self, scope: GuildScope = ...) -> dict[int, dict[str, tuple[str, ...]]]: ...
    async def history(self, guild_id: int | None, entry_id: str) -> list[AuditRecord]: ...
    async def get_settings(self, guild_id: int) -> dict[str, Any]: ...
    async def set_settings(self, guild_id: int, settings: dict[str, Any], *, actor: str) -> None: ...
    async def record_query(
        self, guild_id: int | None, query: str, decision: str, entry_id: str | None
    ) -> None: ...
    async def record_feedback(
        self, guild_id: int | None, entry_id: str, user_id: int, helpful: bool
    ) -> None: ...
    async def stats(self, guild_id: int | None, limit: int = 10) -> Stats: ...
    async def entry_counts(self) -> dict[str, int]: ...
    async def all_hidden(self, scope: GuildScope = ...) -> dict[int, set[str]]: ...
    async def search(self, guild_id: int | None, text: str, limit: int = 25) -> list[str]: ...
    async def forget_query(self, guild_id: int | None, query: str) -> None: ...
    async def propose_entry(self, guild_id: int | None, query: str, entry_id: str | None) -> bool: ...
    async def integrity_check(self) -> str: ...
    async def dump(self) -> StoreDump: ...
    async def restore(self, dump: StoreDump) -> None: ...
    async def clear(self) -> None: ...
    # issue 16's tables (bot/store/forums.py): help-forum posts answered, questions for the experts
    async def claim_forum_post(self, post: ForumPost) -> bool: ...
    async def set_forum_post(
        self,
        guild_id: int,
        thread_id: int,
        state: str,
        *,
        reply_id: int | None = None,
        expect: tuple[str, ...] = (),
    ) -> bool: ...
    async def get_forum_post(self, guild_id: int, thread_id: int) -> ForumPost | None: ...
    async def add_expert_question(self, q: ExpertQuestion) -> None: ...
    async def set_expert_question(
        self, guild_id: int, qid: str, state: str, *, expect: tuple[str, ...] = (), **fields: Any
    ) -> bool: ...
    async def get_expert_question(self, guild_id: int, qid: str) -> ExpertQuestion | None: ...
    async def waiting_expert_questions(self, guild_id: int, limit: int = 10) -> list[ExpertQuestion]: ...
    async def set_expert_notify(self, guild_id: int, qid: str, asker_id: int, notify: str) -> bool: ...
    async def community_records(self, guild_id: int | None = None) -> CommunityRecords: ...
