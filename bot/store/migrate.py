"""Copy a whole store to another one, typically SQLite → PostgreSQL when a bot outgrows one process.

`faqbot migrate --from URL --to URL` calls `migrate_urls`. The copy is exact: entries (global and
per server) with their soft-deleted state, metadata, automatic summaries and revisions; hidden
globals; server settings; the audit log in order; query statistics and feedback; help-forum posts
answered and questions sent to the experts (issue 16). It reads one
consistent snapshot of the source, writes the destination in one transaction (all or nothing),
refuses a destination that already holds anything, and reads the copy back to check it
(removing it again if it differs).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from bot.store import open_store
from bot.store.base import Store, StoreDump, StoreError
from bot.store.common import storable


@dataclass(frozen=True)
class MigrateReport:
    entries: int
    removed: int  # of `entries`, soft-deleted (kept, as in the source)
    hidden: int
    settings: int
    audit: int
    queries: int
    feedback: int
    revision: int
    forum_posts: int = 0
    expert_questions: int = 0

    def __str__(self) -> str:
        return (
            f"{self.entries} entries ({self.removed} removed), {self.hidden} hidden globals, "
            f"settings of {self.settings} servers, {self.audit} audit records, {self.queries} query "
            f"statistics, {self.feedback} feedback votes, {self.forum_posts} help-forum posts, "
            f"{self.expert_questions} questions for the experts (revision {self.revision})"
        )


def _report(dump: StoreDump) -> MigrateReport:
    return MigrateReport(
        entries=len(dump.entries),
        removed=sum(1 for s in dump.entries if s.deleted),
        hidden=sum(len(ids) for ids in dump.hidden.values()),
        settings=len(dump.settings),
        audit=len(dump.audit),
        queries=len(dump.queries),
        feedback=len(dump.feedback),
        revision=dump.revision,
        forum_posts=len(dump.forum_posts),
        expert_questions=len(dump.expert_questions),
    )


async def migrate(src: Store, dst: Store) -> MigrateReport:
    """Copy everything in `src` into the empty `dst`; StoreError if `dst` is not empty.

    Text either backend cannot store (NUL, lone surrogates; rows written by older versions
    may hold them) is normalised as every write normalises it (`common.storable`), and the copy
    is compared with that. A copy that does not read back equal is removed again, so the
    target is left empty and the migration can be re-run.
    """
    dump = storable(await src.dump())
    if not (await dst.dump()).is_empty():
        raise StoreError(
            "the destination already holds data; migrate only into an empty database (nothing was copied)"
        )
    await dst.restore(dump)
    try:
        copied = await dst.dump()
        same = replace(copied, revision=dump.revision) == dump
    except BaseException:
        await dst.clear()
        raise
    if not same:
        await dst.clear()
        raise StoreError(
            "the copy read back different from the source, so it was removed again (the "
            "destination is empty as before); please report this"
        )
    return _report(dump)


def _is_postgres(url: str) -> bool:
    return url.startswith(("postgres://", "postgresql://"))


async def open_source(url: str) -> Store:
    """Open an existing store; unlike `open_store`, never creates an empty SQLite file."""
    if not _is_postgres(url):
        path = url.removeprefix("sqlite:///").removeprefix("sqlite://")
        if path != ":memory:" and not Path(path).is_file():
            raise StoreError(f"{path}: no such SQLite database")
    return await open_store(url)


async def migrate_urls(source: str, target: str) -> MigrateReport:
    if source == target:
        raise StoreError("--from and --to are the same database")
    src = await open_source(source)
    try:
        dst = await open_store(target)
        try:
            return await migrate(src, dst)
        finally:
            await dst.close()
    finally:
        await src.close()
