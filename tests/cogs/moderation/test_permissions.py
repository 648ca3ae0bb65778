"""Permissions (issue 8): every mutating /faq subcommand tried by a member without the right, by
a moderator of another guild, from a DM, and with forged option values (another guild's entry
ids, global entry ids) — all refused, the store unchanged (load_all, hidden, settings, revision).

Complements tests/cogs/moderation/test_cog.py (refusals inside one guild).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.service import FaqService
from tests.cogs.moderation.test_cog import (
    LIP,
    LIP_FIELDS,
    REFUSAL,
    add,
    call,
    click,
    message_of,
    running,
    submit,
)
from tests.conftest import SEED_ID
from tests.emulator import DiscordEmulator

MANAGE_GUILD = 1 << 5
OTHER_FIELDS = LIP_FIELDS | {"question": "Does the other server's secret entry stay its own?"}
OTHER = "does-the-other-server-s-secret-entry-stay-its-own"


async def snapshot(service: FaqService, guilds: list[int]) -> Any:
    rows = await service.store.load_all()
    return (
        [(s.entry, s.deleted, s.revision) for s in rows],
        await service.store.all_hidden(),
        [await service.store.get_settings(g) for g in guilds],
        await service.store.revision(),
    )


MUTATING = [
    ("faq answer", {"entry": "{id}"}),
    ("faq edit", {"entry": "{id}"}),
    ("faq edit", {"entry": "{id}", "answer": 1}),
    ("faq alias", {"entry": "{id}", "phrase": "pwned phrase"}),
    ("faq remove", {"entry": "{id}"}),
    ("faq restore", {"entry": "{id}"}),
    ("faq hide", {"entry": "{id}"}),
    ("faq unhide", {"entry": "{id}"}),
]


def _fill(options: dict[str, Any], entry_id: str) -> dict[str, Any]:
    return {k: (v.format(id=entry_id) if isinstance(v, str) else v) for k, v in options.items()}


async def test_forged_ids_other_guilds_and_dms_are_all_refused(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    emu = emulator
    other = emu.world.add_guild("Other Guild")  # before the bot identifies: it is in both guilds
    other_channel = other.add_channel("general")
    other_mod = emu.add_user("othermod")
    other.add_member(other_mod)
    async with running(emu, tmp_path) as bot:
        service: FaqService = bot.faq_service  # type: ignore[attr-defined]
        assert (await add(emu)).type in (5, 6)  # guild A: the lip entry (6: confirmed on the byline preview)
        kw_b = {"guild": other.id, "channel": int(other_channel["id"]), "user": other_mod,
                "member_permissions": MANAGE_GUILD}  # fmt: skip
        await add(emu, OTHER_FIELDS, **kw_b)  # guild B: its own entry
        assert service.find(emu.guild, LIP) and service.find(other.id, OTHER)
        assert service.find(emu.guild, OTHER) is None
        prompt = await call(emu, "faq remove", {"entry": LIP})
        prompt_message = message_of(prompt)  # a real confirm message, copied for forgeries
        await click(emu, prompt, f"faqm:rm:1:{LIP}")
        assert service.find(emu.guild, LIP) is None
        before = await snapshot(service, [emu.guild, other.id])
        tried = 0

        # 1. A moderator of guild B names guild A's entries (forged ids): nothing in A changes.
        for name, options in MUTATING:
            for entry_id in (LIP, "no-such-entry"):
                cb = await call(emu, name, _fill(options, entry_id), **kw_b)
                tried += 1
                assert cb.type == 4 and cb.ephemeral, (name, entry_id, cb.data)  # never a modal

        # 2. Global entries' questions and answers are read-only from Discord: answer/edit/remove
        #    with a global id change nothing (/faq edit shows what a server may change; /faq alias
        #    adds the server's own phrasing: tests/cogs/moderation/test_globals.py).
        for name, options in [m for m in MUTATING[:5] if m[0] != "faq alias"]:
            cb = await call(emu, name, _fill(options, SEED_ID))
            tried += 1
            assert cb.type == 4 and cb.ephemeral, (name, cb.data)

        # 3. Buttons with forged custom ids. Discord (and discord.py) only deliver clicks on
        #    components a message really has, so the forgery is a copy of a real confirm message
        #    whose button now names another guild's entry, or a global one.
        for custom_id, kwargs in (
            (f"faqm:rm:1:{OTHER}", {"user": emu.moderator, "member_permissions": MANAGE_GUILD}),
            (f"faqm:rm:1:{SEED_ID}", {"user": emu.moderator, "member_permissions": MANAGE_GUILD}),
            (f"faqm:rm:1:{LIP}", kw_b),
            (f"faqm:rm:1:{OTHER}", {"user": emu.user, "member_permissions": 0}),
        ):
            button = {"type": 2, "style": 4, "label": "Remove", "custom_id": custom_id}
            forged = {
                **prompt_message,
                "id": str(emu.world.ids.next()),
                "guild_id": str(kwargs.get("guild", emu.guild)),
                "channel_id": str(kwargs.get("channel", emu.channel)),
                "components": [{"type": 1, "components": [button]}],
            }
            emu.world.store_message(forged)
            click_kw = {k: v for k, v in kwargs.items() if k in ("user", "member_permissions")}
            handle = await emu.send_interaction(emu.component_click(forged, custom_id, **click_kw))
            cb = await handle.outcome()
            tried += 1
            assert cb.ephemeral or cb.type == 7, (custom_id, cb.data)
            assert "Removed" not in (cb.content or ""), (custom_id, cb.data)

        # 4. A modal opened for B's own entry, submitted from guild A: refused or about B only.
        opened = await call(emu, "faq answer", {"entry": OTHER}, **kw_b)
        assert opened.type == 9
        values = {"answer": "Forged answer from the wrong server.", "expert": "Mallory", "where": ""}
        cb = await submit(
            emu, opened, values, user=other_mod, member_permissions=MANAGE_GUILD, guild=emu.guild
        )
        tried += 1
        assert cb.ephemeral

        # 5. Members without Manage Server, in either guild; and from a DM.
        for name, options in [*MUTATING, ("faq add", {}), ("faq settings", {"disclaimer": "pwned"})]:
            for kwargs in ({"user": emu.user, "member_permissions": 0},
                           {**kw_b, "user": emu.user, "member_permissions": 0}):  # fmt: skip
                cb = await call(emu, name, _fill(options, LIP), **kwargs)
                tried += 1
                assert (cb.type, cb.content, cb.ephemeral) == (4, REFUSAL, True), (name, kwargs.get("guild"))
            handle = await emu.send_interaction(emu.slash_command(name, _fill(options, LIP), guild=None,
                                                                  user=emu.moderator))  # fmt: skip
            try:
                cb = await handle.response(timeout=5)
                assert cb.type == 4 and cb.ephemeral, (name, cb.data)  # refused in a DM
            except TimeoutError:
                pass  # discord.py drops a guild-only command arriving in a DM: also nothing done
            tried += 1

        after = await snapshot(service, [emu.guild, other.id])
        assert after == before, "a refused command changed the store"
        assert service.find(emu.guild, OTHER) is None and service.find(other.id, LIP) is None
        print(f"\npermissions: {tried} forged or unauthorised attempts, store unchanged")
