"""Shard scoping (issue 17): a process holds the global entries and its own guilds' only.

Two `FaqService`s on one store stand in for two shard processes, as in test_multiprocess.py;
both backends, because the guild filter is SQL run by each.
"""

from __future__ import annotations

import random
from pathlib import Path

from bot.config import Config, DiscordConfig
from bot.models import Answer, Entry, Provider
from bot.service import FaqService
from bot.store import ALL_GUILDS, GLOBAL, GuildScope, open_store
from cogs.standalone import guild_scope_for
from tests.bot.store.test_multiprocess import config_for, db_url  # noqa: F401  (db_url: both backends)

SEED_ID = "why-does-botox-make-my-skin-appear-smoother"
GUILD_A = 4242
GUILD_B = 5353


async def add(service: FaqService, entry_id: str, question: str, guild_id: int) -> None:
    answer = Answer("Dr A", "Usually six to twelve months.", Provider(name="Ada Lovelace"))
    entry = Entry(id=entry_id, question=question, answers=(answer,), guild_id=guild_id)
    await service.save_entry(entry, actor="m", action="add", create=True)


async def test_a_shard_holds_its_guilds_and_the_global_entries_only(db_url: str, data_dir: Path) -> None:  # noqa: F811
    config = config_for(db_url, data_dir)
    writer = await FaqService.open(config)  # every guild: another process
    try:
        await add(writer, "filler", "How long does lip filler last?", GUILD_A)
        await add(writer, "peel", "How long does a chemical peel take to heal?", GUILD_B)
        await writer.set_hidden(GUILD_B, SEED_ID, True, actor="m")
        shard = await FaqService.open(config, guilds={GUILD_A})
        try:
            assert set(shard.scope_sizes()) == {GLOBAL, GUILD_A}
            assert shard.find(GUILD_B, "peel") is None and shard.own_entries(GUILD_B) == []
            assert GUILD_B not in shard._hidden  # nor B's hidden list
            # /ask in A sees A's own entry and the global ones
            reply = await shard.ask("How long does lip filler last?", GUILD_A, record=False)
            assert reply.entry is not None and reply.entry.id == "filler"
            reply = await shard.ask("Why does botox make my skin appear smoother?", GUILD_A, record=False)
            assert reply.entry is not None and reply.entry.id == SEED_ID
            # B's entry is never an answer here, even asked in A
            reply = await shard.ask("How long does a chemical peel take to heal?", GUILD_A, record=False)
            assert reply.entry is None or reply.entry.id != "peel"

            # Writes by the other process: A's are picked up, B's are not loaded.
            await add(writer, "lips", "Do lip injections hurt?", GUILD_A)
            await add(writer, "scar", "Does microneedling help acne scars?", GUILD_B)
            assert await shard.refresh() is True
            assert shard.find(GUILD_A, "lips") is not None
            assert shard.find(GUILD_B, "scar") is None and set(shard.scope_sizes()) == {GLOBAL, GUILD_A}
            assert shard.scope_sizes()[GUILD_A] == 2
        finally:
            await shard.close()
    finally:
        await writer.close()


async def test_a_shard_process_loads_its_shards_guilds_by_discords_rule(db_url: str, data_dir: Path) -> None:  # noqa: F811
    """The SQL filter and `GuildScope.holds` agree on real snowflake-sized ids."""
    rng = random.Random(7)
    guilds = sorted({rng.randrange(1 << 40, 1 << 62) for _ in range(24)})
    config = config_for(db_url, data_dir)
    writer = await FaqService.open(config)
    try:
        for k, gid in enumerate(guilds):
            await add(writer, f"e{k}", f"Question number {k} about fillers?", gid)
    finally:
        await writer.close()
    scope = GuildScope.shards(4, [1, 3])
    expected = {g for g in guilds if (g >> 22) % 4 in (1, 3)}
    assert expected and expected != set(guilds)  # the sample covers both cases
    store = await open_store(db_url)
    try:
        loaded = {s.entry.guild_id or GLOBAL for s in await store.load_all(scope=scope)}
        assert loaded == expected | {GLOBAL}
        assert {s.entry.guild_id or GLOBAL for s in await store.load_all()} == set(guilds) | {GLOBAL}
    finally:
        await store.close()
    assert all(scope.holds(g) == (g in expected) for g in guilds)
    service = await FaqService.open(config, guilds=scope)
    try:
        assert set(service.scope_sizes()) == expected | {GLOBAL}
    finally:
        await service.close()


def test_faqbot_run_scopes_a_shard_process_to_its_shards(tmp_path: Path) -> None:
    whole = Config(discord=DiscordConfig(shard_count=4))  # one process runs every shard
    assert guild_scope_for(whole) == ALL_GUILDS
    part = Config(discord=DiscordConfig(shard_count=4, shard_ids=[2]))
    scope = guild_scope_for(part)
    assert scope == GuildScope.shards(4, [2])
    assert scope.holds((122 << 22) | 12345) and not scope.holds((123 << 22) | 12345)  # 122 % 4 == 2
    assert scope.holds(GLOBAL)
    with_web = Config(discord=DiscordConfig(shard_count=4, shard_ids=[2]), web={"enabled": True})
    assert guild_scope_for(with_web) == ALL_GUILDS  # the web pages show every server's FAQ


def test_an_empty_guild_set_holds_only_the_global_entries() -> None:
    scope = GuildScope(guild_ids=frozenset())
    assert scope.holds(GLOBAL) and not scope.holds(GUILD_A)
    assert "NULL" in scope.sql()  # `IN ()` is not SQL
