"""A stored answer longer than a Discord form (up to 40,000 characters) is never cut by
editing it in a modal: /faq edit refuses and says where to edit it instead."""

from __future__ import annotations

from pathlib import Path

from bot.models import Answer, Entry, Provider
from tests.cogs.moderation.test_cog import call, emu, running, svc  # noqa: F401
from tests.emulator import DiscordEmulator
from tests.emulator.fixtures import emulator  # noqa: F401


async def test_editing_a_long_answer_in_a_modal_is_refused(emu: DiscordEmulator, tmp_path: Path) -> None:  # noqa: F811
    long_text = " ".join(f"Sentence {i} about sunscreen." for i in range(600))  # ~16k characters
    assert len(long_text) > 4000
    async with running(emu, tmp_path) as bot:
        service = svc(bot)
        entry = Entry(
            "long-one", "Why so long?",
            (Answer("Short", "Short answer."), Answer("Long", long_text, Provider("Jo"))),
            phrasings=("long answer",), guild_id=emu.guild,
        )  # fmt: skip
        await service.save_entry(entry, actor="t", action="add", create=True)
        cb = await call(emu, "faq edit", {"entry": "long-one", "answer": 2})
        assert cb.type == 4 and cb.ephemeral, cb.data  # a message, not a modal
        text = cb.content or ""
        assert "Answer 2 of `long-one`" in text and "4,000" in text and "YAML" in text
        assert "Traceback" not in text
        stored = service.find(emu.guild, "long-one")
        assert stored is not None and stored.entry.answers[1].text == long_text  # nothing lost
        # A short answer of the same entry still opens the form, pre-filled in full.
        opened = await call(emu, "faq edit", {"entry": "long-one", "answer": 1})
        assert opened.type == 9


async def test_importing_a_thread_already_in_the_store_warns(emu: DiscordEmulator, tmp_path: Path) -> None:  # noqa: F811
    from tests.cogs.moderation.test_cog import import_file, upload
    from tests.conftest import SEED, SEED_ID

    async with running(emu, tmp_path) as bot:
        _, preview = await import_file(emu, upload(emu, "botox.txt", SEED.read_bytes()))
        fields = {f["name"]: f["value"] for f in preview["embeds"][0]["fields"]}
        (warnings,) = [v for k, v in fields.items() if k.startswith("Warnings")]
        assert "already in the FAQ as the global entry" in warnings and SEED_ID in warnings
        assert svc(bot).own_entries(emu.guild) == []  # nothing written before Confirm


async def test_answer_form_reads_directory_style_bylines_and_a_profile_link(
    emu: DiscordEmulator,  # noqa: F811
    tmp_path: Path,
) -> None:
    from tests.cogs.moderation.test_cog import LIP, add, submit

    async with running(emu, tmp_path) as bot:
        await add(emu)
        opened = await call(emu, "faq answer", {"entry": LIP})
        fields = {
            "title": "",
            "answer": "Most lip filler lasts about six months.",
            "expert": "Scherl, Sharon, MD",
            "where": "Dermatologist in Englewood, NJ",
            "profile": "https://example.org/sharon-scherl",
        }
        done = await submit(emu, opened, fields)
        assert done.content and done.content.startswith(f"Added answer 2 to `{LIP}`")
        provider = svc(bot).own_entry(emu.guild, LIP).entry.answers[1].provider
        assert provider is not None
        assert (provider.name, provider.credentials) == ("Sharon Scherl", "MD")
        assert (provider.specialty, provider.location) == ("Dermatologist", "Englewood, NJ")
        assert provider.profile_url == "https://example.org/sharon-scherl"
        # Editing that answer keeps the link, pre-filled.
        reopened = await call(emu, "faq edit", {"entry": LIP, "answer": 2})
        assert "https://example.org/sharon-scherl" in str(reopened.data)
        # A link that is not http(s) is refused with the field named; nothing is saved.
        opened = await call(emu, "faq answer", {"entry": LIP})
        refused = await submit(emu, opened, fields | {"profile": "javascript:alert(1)", "expert": "Jo Poe"})
        assert refused.ephemeral and "profile" in (refused.content or "").lower()
        assert len(svc(bot).own_entry(emu.guild, LIP).entry.answers) == 2
