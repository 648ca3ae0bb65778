"""Forged and stale interactions (issue 12, "Discord edges"), through the loopback emulator with
the real discord.py client: a modal submission or `faqm:` button click nothing routes gets an
answer (the refusal for members, "nothing was saved" for moderators), never silence; a
feedback click naming another server's entry is refused and not recorded.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from bot.service import FaqService
from cogs.moderation.unrouted import EXPIRED
from tests.cogs.moderation.test_cog import LIP, LIP_FIELDS, REFUSAL, add, call, message_of, running, submit
from tests.emulator import Callback, DiscordEmulator

MANAGE_GUILD = 1 << 5
PEEL = {"question": "How often should I get a chemical peel?", "phrasings": "",
        "answer": "Light peels every four weeks; deeper peels once or twice a year.",
        "expert": "Ann Lee, MD", "where": ""}  # fmt: skip
NEEDLING = {"question": "Is microneedling safe for dark skin?", "phrasings": "",
            "answer": "Yes, with care: it carries less pigment risk than most lasers.",
            "expert": "Bo Kim, MD", "where": ""}  # fmt: skip
WAIT = 5.0  # an unanswered interaction is the failure: wait boundedly


async def _dump(service: FaqService) -> Any:
    dump = await service.store.dump()
    return (dump.entries, dump.feedback, dump.audit, await service.store.revision())


async def _submit(emu: DiscordEmulator, custom_id: str, values: dict[str, str], **kw: Any) -> Callback:
    handle = await emu.send_interaction(emu.modal_submit(custom_id, values, **kw))
    return await handle.response(timeout=WAIT)


def _forged_message(emu: DiscordEmulator, real: dict[str, Any], custom_id: str, guild: int) -> dict[str, Any]:
    """A copy of a real bot message whose one button now carries `custom_id` (Discord delivers
    clicks only on components a message has; a forger edits the payload instead)."""
    button = {"type": 2, "style": 2, "label": "x", "custom_id": custom_id}
    forged = {**real, "id": str(emu.world.ids.next()), "guild_id": str(guild),
              "components": [{"type": 1, "components": [button]}]}  # fmt: skip
    emu.world.store_message(forged)
    return forged


async def _click(emu: DiscordEmulator, message: dict[str, Any], custom_id: str, **kw: Any) -> Callback:
    handle = await emu.send_interaction(emu.component_click(message, custom_id, **kw))
    return await handle.response(timeout=WAIT)


async def test_forged_and_stale_modal_submissions_are_answered(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    emu = emulator
    member = {"user": emu.user, "member_permissions": 0}
    async with running(emu, tmp_path) as bot:
        service: FaqService = bot.faq_service  # type: ignore[attr-defined]
        await add(emu)  # a real entry to name in forgeries
        before = await _dump(service)
        forged_ids = [
            "faqm:add",
            "faqm:add:0123456789ab",
            f"faqm:answer:{LIP}",
            f"faqm:answer:{LIP}:0123456789ab",
            f"faqm:edit:{LIP}",
            f"faqm:edit-answer:0:{LIP}",
            "faqm:whatever",
        ]
        # 1. A plain member submits forms that were never opened for them: the refusal.
        for custom_id in forged_ids:
            cb = await _submit(emu, custom_id, {**LIP_FIELDS, "question": "Forged?"}, **member)
            assert (cb.type, cb.content, cb.ephemeral) == (4, REFUSAL, True), custom_id
        # 2. A moderator's stale form (expired, or opened before a restart): told nothing was saved.
        for custom_id in forged_ids[:3]:
            cb = await _submit(emu, custom_id, {**LIP_FIELDS, "question": "Stale?"}, user=emu.moderator)
            assert (cb.content, cb.ephemeral) == (EXPIRED, True), custom_id
        assert await _dump(service) == before, "a forged or stale submission changed the store"

        # 3. Two moderators' open forms are separate; a member replaying one of them is refused
        #    and does not change what the moderator then sends.
        first, second = await call(emu, "faq add"), await call(emu, "faq add")
        assert first.data["custom_id"] != second.data["custom_id"]
        forged = await submit(emu, first, {**LIP_FIELDS, "question": "Pwned by a member?"}, **member)
        assert (forged.content, forged.ephemeral) == (REFUSAL, True)
        done = await submit(emu, first, PEEL)
        assert done.content and done.content.startswith("Added `how-often-should-i-get-a-chemical-peel`")
        done = await submit(emu, second, NEEDLING)
        assert done.content and done.content.startswith("Added `is-microneedling-safe-for-dark-skin`")
        # The same form sent twice: the second submission is answered, not dropped.
        again = await submit(emu, second, NEEDLING)
        assert (again.content, again.ephemeral) == (EXPIRED, True)
        ids = {e.id for e in service.own_entries(emu.guild)}
        assert ids == {LIP, "how-often-should-i-get-a-chemical-peel", "is-microneedling-safe-for-dark-skin"}
        peel = service.find(emu.guild, "how-often-should-i-get-a-chemical-peel")
        assert peel and peel.entry.answers[0].text == PEEL["answer"]  # the moderator's, not the forger's


async def test_forged_moderator_buttons_are_refused(emulator: DiscordEmulator, tmp_path: Path) -> None:
    emu = emulator
    member = {"user": emu.user, "member_permissions": 0}
    async with running(emu, tmp_path) as bot:
        service: FaqService = bot.faq_service  # type: ignore[attr-defined]
        await add(emu)
        real = message_of(await call(emu, "faq remove", {"entry": LIP}))
        before = await _dump(service)
        buttons = [
            "faqm:ls:pg:0:all:",  # a /faq list page (the shared paginator)
            f"faqm:rm:1:{LIP}",
            f"faqm:ra:1:0:1:{LIP}",
            f"faqm:ua:0123456789:{LIP}",
            "faqm:pd:ok:0123456789abcdef",
            "faqm:ls:noop:0:all:",  # the disabled page counter: routed nowhere by discord.py
            "faqm:unknown",
        ]
        for custom_id in buttons:
            cb = await _click(emu, _forged_message(emu, real, custom_id, emu.guild), custom_id, **member)
            assert (cb.type, cb.content, cb.ephemeral) == (4, REFUSAL, True), custom_id
        # A moderator clicking the counter (or an unknown faqm: button) is acknowledged, nothing done.
        for custom_id in ("faqm:ls:noop:0:all:", "faqm:unknown"):
            message = _forged_message(emu, real, custom_id, emu.guild)
            cb = await _click(emu, message, custom_id, user=emu.moderator)
            assert cb.type == 6, (custom_id, cb.data)
        assert await _dump(service) == before


async def test_forged_feedback_naming_another_servers_entry_is_refused(
    emulator: DiscordEmulator, tmp_path: Path
) -> None:
    emu = emulator
    other = emu.world.add_guild("Other Guild")
    other_channel = other.add_channel("general")
    other_mod = emu.add_user("othermod")
    other.add_member(other_mod)
    async with running(emu, tmp_path) as bot:
        service: FaqService = bot.faq_service  # type: ignore[attr-defined]
        secret = {**LIP_FIELDS, "question": "What does the other server keep to itself?"}
        await add(emu, secret, guild=other.id, channel=int(other_channel["id"]), user=other_mod,
                  member_permissions=MANAGE_GUILD)  # fmt: skip
        secret_id = "what-does-the-other-server-keep-to-itself"
        assert service.find(other.id, secret_id) and service.find(emu.guild, secret_id) is None
        await add(emu)  # guild A's own entry: feedback on it still works
        answer = await call(emu, "ask", {"query": "how long does lip filler last"}, user=emu.user)
        real = message_of(answer)
        before = await _dump(service)
        for value in ("1", "0"):
            custom_id = f"faq:fb:{value}:{secret_id}"
            cb = await _click(emu, _forged_message(emu, real, custom_id, emu.guild), custom_id, user=emu.user)
            assert cb.ephemeral and "not recorded" in (cb.content or ""), cb.data
        assert await _dump(service) == before, "feedback on another server's entry was recorded"
        handle = await emu.send_interaction(emu.component_click(real, f"faq:fb:1:{LIP}", user=emu.user))
        cb = await handle.outcome(timeout=WAIT)  # acknowledged before the write, then the note
        assert cb.ephemeral and (cb.content or "").startswith("Thanks")
        assert (await service.store.stats(emu.guild)).feedback == {LIP: (1, 0)}
