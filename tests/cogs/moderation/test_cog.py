"""/faq through the loopback Discord emulator, with the real discord.py bot (`cogs.standalone.FaqBot`
loading cogs.faq and cogs.moderation) on a temporary SQLite store and a copy of data/."""

from __future__ import annotations

from contextlib import AbstractAsyncContextManager
from pathlib import Path
from typing import Any

import pytest

from bot.config import ThresholdsConfig
from bot.service import FaqService
from bot.settings import GuildSettings, SettingsChange
from cogs.moderation import REFUSAL
from cogs.standalone import FaqBot
from tests.conftest import SEED_ID
from tests.emulator import Callback, DiscordEmulator
from tests.emulator import payloads as p
from tests.emulator.faqbot import running_faqbot
from tests.emulator.fixtures import emulator, emulator_no_patch  # noqa: F401
from tests.emulator.state import RecordedFile

WAIT = 10.0
LIP = "how-long-does-lip-filler-last"
LIP_FIELDS = {
    "question": "How long does lip filler last?",
    "phrasings": "lip filler duration\nfiller lips",
    "answer": "Hyaluronic acid lip filler usually lasts six to twelve months.",
    "expert": "Jane Roe, MD",
    "where": "Boston Dermatologist",
}


def running(emu: DiscordEmulator, tmp_path: Path, db: str = "faq.db") -> AbstractAsyncContextManager[FaqBot]:
    """The standalone bot on its own store; commands synced before the test acts."""
    return running_faqbot(emu, tmp_path, db)


@pytest.fixture
def emu(emulator: DiscordEmulator) -> DiscordEmulator:  # noqa: F811
    return emulator


def svc(bot: FaqBot) -> FaqService:
    return bot.faq_service


async def call(emu: DiscordEmulator, name: str, options: dict[str, Any] | None = None, **kw: Any) -> Callback:
    kw.setdefault("user", emu.moderator)
    handle = await emu.send_interaction(emu.slash_command(name, options, **kw))
    return await handle.outcome(timeout=WAIT)


BYLINE_PREVIEW = "Not saved yet: check the expert's byline"


async def submit(
    emu: DiscordEmulator, opened: Callback, values: dict[str, str], *, confirm_byline: bool = True, **kw: Any
) -> Callback:
    """Fill the modal the bot opened (type 9) the way a member would and submit it. An add or
    answer form with an expert first shows the byline preview; `confirm_byline` clicks its
    Confirm (the outcome then replaces the preview: a type-7 callback)."""
    assert opened.type == 9, opened.data
    kw.setdefault("user", emu.moderator)
    handle = await emu.send_interaction(emu.modal_submit(opened.data["custom_id"], values, **kw))
    done = await handle.outcome(timeout=WAIT)
    if confirm_byline and (done.content or "").startswith(BYLINE_PREVIEW):
        ok = next(i for i in custom_ids(done) if i.startswith("faqm:pd:ok:"))
        return await click(emu, done, ok, user=kw["user"], member_permissions=kw.get("member_permissions"))
    return done


def message_of(cb: Callback) -> dict[str, Any]:
    """The message a callback created (Discord's callback resource), or an acknowledged
    interaction's outcome (types 5 and 6: `outcome()` holds the message itself)."""
    if cb.type in (5, 6):
        return cb.data
    message: dict[str, Any] = cb.request.response["resource"]["message"]
    return message


async def click(
    emu: DiscordEmulator, message: Callback | dict[str, Any], custom_id: str, **kw: Any
) -> Callback:
    kw.setdefault("user", emu.moderator)
    msg = message_of(message) if isinstance(message, Callback) else message
    handle = await emu.send_interaction(emu.component_click(msg, custom_id, **kw))
    return await handle.outcome(timeout=WAIT)


async def add(emu: DiscordEmulator, fields: dict[str, str] = LIP_FIELDS, **kw: Any) -> Callback:
    return await submit(emu, await call(emu, "faq add", **kw), fields, **kw)


def custom_ids(cb: Callback) -> list[str]:
    return [c["custom_id"] for row in cb.components for c in row["components"] if "custom_id" in c]


def upload(emu: DiscordEmulator, name: str, data: bytes) -> dict[str, Any]:
    """An attachment as Discord serves it: stored by the emulator, downloadable over loopback."""
    att_id = emu.world.ids.next()
    emu.world.attachments[att_id] = RecordedFile("files[0]", name, "text/plain", data)
    url = f"{emu.http_base}/attachments/{emu.channel}/{att_id}/{name}"
    return p.attachment(att_id, name, len(data), url, content_type="text/plain")


async def import_file(emu: DiscordEmulator, attachment: dict[str, Any], **kw: Any) -> tuple[Callback, Any]:
    """/faq import file:<attachment> → the first callback and the message that answers it."""
    kw.setdefault("user", emu.moderator)
    payload = emu.slash_command("faq import", {"file": attachment["id"]}, **kw)
    payload["data"]["resolved"] = {"attachments": {attachment["id"]: attachment}}
    handle = await emu.send_interaction(payload)
    first = await handle.response(timeout=WAIT)
    if first.type == 4:  # refused before downloading (e.g. too large)
        return first, first.data
    (followup,) = await handle.followups(count=1, timeout=WAIT)
    return first, followup


async def ask(emu: DiscordEmulator, query: str, **kw: Any) -> Callback:
    kw.setdefault("user", emu.user)
    return await call(emu, "ask", {"query": query}, **kw)


def answered(cb: Callback) -> str | None:
    """The title of the answer embed /ask sent, or None for a miss."""
    return cb.embeds[0]["title"] if cb.embeds and "faq:all:" in str(cb.components) else None


# -- tests --------------------------------------------------------------------------------------------


async def test_add_then_ask_finds_the_new_entry(emu: DiscordEmulator, tmp_path: Path) -> None:
    async with running(emu, tmp_path):
        assert answered(await ask(emu, "how long do lip fillers last")) is None
        opened = await call(emu, "faq add")
        assert opened.type == 9 and opened.data["custom_id"].startswith("faqm:add:")
        inputs = [row["components"][0] for row in opened.data["components"]]
        assert [i["custom_id"] for i in inputs] == ["question", "phrasings", "answer", "expert", "where"]
        assert all(len(i["label"]) <= 45 and i["max_length"] <= 4000 for i in inputs)
        preview = await submit(emu, opened, LIP_FIELDS, confirm_byline=False)
        assert preview.ephemeral and (preview.content or "").startswith(BYLINE_PREVIEW)
        assert preview.embeds[0]["description"].startswith("**Jane Roe, MD — Dermatologist, Boston**")
        ok = next(i for i in custom_ids(preview) if i.startswith("faqm:pd:ok:"))
        done = await click(emu, preview, ok)  # the outcome replaces the (ephemeral) preview
        assert done.type == 6 and done.content == f"Added `{LIP}`. Members can find it with /ask now."
        assert "Jane Roe" in done.embeds[0]["description"]
        reply = await ask(emu, "how long do lip fillers last")
        assert answered(reply) == "How long does lip filler last?" and not reply.ephemeral
        assert answered(await ask(emu, "filler lips")) == "How long does lip filler last?"
        # The entry option autocompletes to the new entry's id.
        handle = await emu.send_interaction(
            emu.autocomplete("faq answer", "entry", "lip", user=emu.moderator)
        )
        choices = (await handle.response(timeout=WAIT)).choices
        assert choices[0] == {"name": "How long does lip filler last?", "value": LIP}


async def test_second_answer_changes_the_summary(emu: DiscordEmulator, tmp_path: Path) -> None:
    async with running(emu, tmp_path) as bot:
        await add(emu)
        before = (await ask(emu, "how long does lip filler last")).embeds[0]["description"]
        assert before.startswith("**What 1 expert says**")
        opened = await call(emu, "faq answer", {"entry": LIP})
        assert opened.data["custom_id"].startswith(f"faqm:answer:{LIP}:")
        done = await submit(
            emu,
            opened,
            {
                "title": "",
                "answer": "Most lip filler lasts about six months. Newer fillers can last a year.",
                "expert": "John Doe, DO",
                "where": "Chicago Plastic Surgeon",
            },
        )
        assert done.content == f"Added answer 2 to `{LIP}`. The summary members see now:"
        after = (await ask(emu, "how long does lip filler last")).embeds[0]["description"]
        assert after != before and after.startswith("**What 2 experts say**")
        assert "John Doe" in after and "Jane Roe" in after
        entry = svc(bot).own_entry(emu.guild, LIP).entry
        assert entry.answers[1].provider is not None and entry.answers[1].provider.location == "Chicago"


async def test_remove_one_answer_confirms_and_keeps_the_entry(emu: DiscordEmulator, tmp_path: Path) -> None:
    async with running(emu, tmp_path) as bot:
        await add(emu)
        only = await call(emu, "faq remove", {"entry": LIP, "answer": 1})
        assert only.content.startswith("Nothing was changed. That is the entry's only answer")
        second = {
            "title": "",
            "answer": "Most lip filler lasts about six months. Newer fillers can last a year.",
            "expert": "John Doe, DO",
            "where": "Chicago Plastic Surgeon",
        }
        await submit(emu, await call(emu, "faq answer", {"entry": LIP}), second)
        too_far = await call(emu, "faq remove", {"entry": LIP, "answer": 3})
        assert too_far.content == "Nothing was changed. This entry has 2 answers; pick a number from 1 to 2."
        rev = svc(bot).own_entry(emu.guild, LIP).revision

        prompt = await call(emu, "faq remove", {"entry": LIP, "answer": 1})
        assert "by Jane Roe" in prompt.content and prompt.ephemeral
        assert custom_ids(prompt) == [f"faqm:ra:1:0:{rev}:{LIP}", f"faqm:ra:0:0:{rev}:{LIP}"]
        member = await click(emu, prompt, f"faqm:ra:1:0:{rev}:{LIP}", user=emu.user)
        assert member.content == REFUSAL
        cancelled = await click(emu, prompt, f"faqm:ra:0:0:{rev}:{LIP}")
        assert cancelled.content == "Cancelled; nothing was removed."
        assert len(svc(bot).own_entry(emu.guild, LIP).entry.answers) == 2

        # Someone edits the entry after the prompt was shown: the old prompt must not act.
        prompt = await call(emu, "faq remove", {"entry": LIP, "answer": 1})
        aliased = await call(emu, "faq alias", {"entry": LIP, "phrase": "when do lips go back to normal"})
        assert aliased.content.startswith("Added “when do lips go back to normal” as a phrasing")
        stale = await click(emu, prompt, f"faqm:ra:1:0:{rev}:{LIP}")
        assert "while you were editing" in stale.content
        assert len(svc(bot).own_entry(emu.guild, LIP).entry.answers) == 2

        fresh = await call(emu, "faq remove", {"entry": LIP, "answer": 1})
        done = await click(emu, fresh, custom_ids(fresh)[0])
        assert done.type == 6 and done.components == []
        assert done.content == (
            f"Removed answer 1 (by Jane Roe) from `{LIP}`; it has 1 now. "
            "`/faq history` keeps the removed text."
        )
        entry = svc(bot).own_entry(emu.guild, LIP).entry
        assert [a.provider.name for a in entry.answers if a.provider] == ["John Doe"]
        reply = (await ask(emu, "how long does lip filler last")).embeds[0]["description"]
        assert reply.startswith("**What 1 expert says**") and "Jane Roe" not in reply
        history = (await call(emu, "faq history", {"entry": LIP})).embeds[0]
        assert history["fields"][0]["name"].split(" · ")[0] == "remove answer"


async def test_member_without_permission_is_refused_everywhere(emu: DiscordEmulator, tmp_path: Path) -> None:
    async with running(emu, tmp_path) as bot:
        await add(emu)
        service = svc(bot)
        before = (
            service.own_entries(emu.guild),
            await service.guild_settings(emu.guild),
            service.hidden_ids(emu.guild),
        )
        revision = await service.store.revision()
        # Discord shows /faq to Manage Server only; the bot checks again on every use.
        faq = next(c for c in emu.commands() if c["name"] == "faq")
        assert int(faq["default_member_permissions"]) == 1 << 5 and faq["contexts"] == [0]
        attachment = upload(emu, "x.yaml", b"id: x\nquestion: Q?\nanswers: [{text: a}]\n")
        attempts: list[tuple[str, dict[str, Any]]] = [
            ("faq add", {}),
            ("faq answer", {"entry": LIP}),
            ("faq edit", {"entry": LIP}),
            ("faq alias", {"entry": LIP, "phrase": "lips"}),
            ("faq remove", {"entry": LIP}),
            ("faq restore", {"entry": LIP}),
            ("faq hide", {"entry": SEED_ID}),
            ("faq unhide", {"entry": SEED_ID}),
            ("faq settings", {"disclaimer": "pwned"}),
            ("faq export", {}),
            ("faq list", {}),
            ("faq stats", {}),
            ("faq show", {"entry": LIP}),
            ("faq history", {"entry": LIP}),
        ]
        for name, options in attempts:
            cb = await call(emu, name, options, user=emu.user, member_permissions=0)
            assert (cb.type, cb.content, cb.ephemeral) == (4, REFUSAL, True), name
        payload = emu.slash_command(
            "faq import", {"file": attachment["id"]}, user=emu.user, member_permissions=0
        )
        payload["data"]["resolved"] = {"attachments": {attachment["id"]: attachment}}
        cb = await (await emu.send_interaction(payload)).response(timeout=WAIT)
        assert cb.content == REFUSAL
        # Modals, buttons and autocomplete check too, even when the payload reaches the bot.
        assert (
            await submit(
                emu,
                await call(emu, "faq add"),
                LIP_FIELDS | {"question": "Sneaky?"},
                user=emu.user,
                member_permissions=0,
            )
        ).content == REFUSAL
        prompt = await call(emu, "faq remove", {"entry": LIP})
        assert custom_ids(prompt) == [f"faqm:rm:1:{LIP}", f"faqm:rm:0:{LIP}"]
        refused = await click(emu, prompt, f"faqm:rm:1:{LIP}", user=emu.user, member_permissions=0)
        assert refused.content == REFUSAL
        handle = await emu.send_interaction(
            emu.autocomplete("faq edit", "entry", "lip", user=emu.user, member_permissions=0)
        )
        assert (await handle.response(timeout=WAIT)).choices == []
        after = (
            service.own_entries(emu.guild),
            await service.guild_settings(emu.guild),
            service.hidden_ids(emu.guild),
        )
        assert after == before and await service.store.revision() == revision
        assert service.find(emu.guild, LIP) is not None


async def test_moderator_role_grants_access_but_not_the_role_setting(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    helpers = emu.guild_state.add_role("FAQ helpers", p.EVERYONE_PERMISSIONS)
    helper = emu.add_user("helper")
    emu.guild_state.add_member(helper, roles=[helpers])
    async with running(emu, tmp_path) as bot:
        assert (await call(emu, "faq list", user=helper)).content == REFUSAL
        set_role = await call(emu, "faq settings", {"moderator_role": helpers})
        assert set_role.content == "Saved: moderator_role_id."
        assert (await svc(bot).guild_settings(emu.guild)).moderator_role_id == int(helpers["id"])
        listed = await call(emu, "faq list", user=helper)
        assert listed.embeds[0]["title"] == "FAQ entries" and listed.content is None
        assert (await add(emu, user=helper)).content == f"Added `{LIP}`. Members can find it with /ask now."
        refused = await call(emu, "faq settings", {"reset": "moderator_role"}, user=helper)
        assert (
            refused.content
            == "Nothing was changed. Only members with Manage Server can change the moderator role."
        )
        assert svc(bot).own_entries(emu.guild)[0].created_by == f"helper ({helper['id']})"


async def test_guilds_do_not_see_each_others_entries_settings_or_stats(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    other = emu.add_guild("Other Guild", owner=emu.owner)
    other.add_channel("lobby")
    mods = other.add_role("Mods", p.MODERATOR_PERMISSIONS)
    other.add_member(emu.moderator, roles=[mods])
    other.add_member(emu.user)
    g2: dict[str, Any] = {"guild": other.id}
    async with running(emu, tmp_path) as bot:
        await add(emu)
        await call(emu, "faq settings", {"disclaimer": "Guild one's own disclaimer."})
        await call(emu, "faq hide", {"entry": SEED_ID})
        await ask(emu, "do lips get puffy after filler")
        assert answered(await ask(emu, "how long does lip filler last")) == "How long does lip filler last?"
        # The other guild: no entry, default settings, the global entry still visible, empty stats.
        assert answered(await ask(emu, "how long does lip filler last", **g2)) is None
        assert answered(await ask(emu, "why does botox make my skin smoother", **g2)) is not None
        assert answered(await ask(emu, "why does botox make my skin smoother")) is None  # hidden in guild one
        listing = (await call(emu, "faq list", **g2)).embeds[0]
        assert LIP not in listing["description"] and SEED_ID in listing["description"]
        settings = {
            f["name"]: f["value"] for f in (await call(emu, "faq settings", **g2)).embeds[0]["fields"]
        }
        assert "Guild one" not in settings["Disclaimer"] and settings["Disclaimer"].endswith("*(default)*")
        stats = {f["name"]: f["value"] for f in (await call(emu, "faq stats", **g2)).embeds[0]["fields"]}
        assert "lips" not in stats["Top queries"] and "lips" not in stats["Unanswered queries"]
        mine = {f["name"]: f["value"] for f in (await call(emu, "faq stats")).embeds[0]["fields"]}
        assert "1× do lips get puffy after filler" in mine["Unanswered queries"]
        assert (await call(emu, "faq export", **g2)).content == (
            "Nothing was changed. This server has no entries of its own to export yet; add one with /faq add."
        )
        refused = await call(emu, "faq edit", {"entry": LIP}, **g2)
        assert (
            refused.content
            == f"Nothing was changed. No entry “{LIP}” here; pick one from the list as you type."
        )
        assert (
            svc(bot).own_entries(other.id) == []
            and await svc(bot).guild_settings(other.id) == GuildSettings()
        )


async def test_entries_survive_a_restart(emu: DiscordEmulator, tmp_path: Path) -> None:
    async with running(emu, tmp_path):
        await add(emu)
        await call(emu, "faq alias", {"entry": LIP, "phrase": "kysse longevity"})
    async with running(emu, tmp_path) as bot:
        assert answered(await ask(emu, "kysse longevity")) == "How long does lip filler last?"
        history = (await call(emu, "faq history", {"entry": LIP})).embeds[0]
        assert history["description"] == "2 changes"
        assert [f["name"] for f in history["fields"]] == ["alias · mod", "add · mod"]
        assert history["fields"][0]["value"].startswith(f"<@{emu.moderator['id']}> · <t:")
        assert "phrasings: + “kysse longevity”" in history["fields"][0]["value"]
        assert [e.id for e in svc(bot).own_entries(emu.guild)] == [LIP]


async def test_mentions_in_entries_ping_nobody(emu: DiscordEmulator, tmp_path: Path) -> None:
    role = emu.guild_state.roles[0]["id"]
    hostile = {
        "question": f"Is @everyone safe with <@&{role}> and @here fillers?",
        "phrasings": "@everyone fillers",
        "answer": f"Yes @everyone, ask <@&{role}> and <@{emu.user['id']}>.",
        "expert": "Jane Roe, MD",
        "where": "",
    }
    async with running(emu, tmp_path):
        added = await add(emu, hostile)
        entry_id = added.content.split("`")[1] if added.content else ""
        assert (await ask(emu, "is everyone safe with fillers")).embeds
        await call(emu, "faq show", {"entry": entry_id})
        await call(emu, "faq list", {"filter": "everyone"})
        await call(emu, "faq alias", {"entry": entry_id, "phrase": "@here please"})
        await call(emu, "faq history", {"entry": entry_id})
        await ask(emu, "@everyone unanswered <@&1>")
        await call(emu, "faq stats")
        await call(emu, "faq export")
    bodies = [r.json for r in emu.requests if r.path.endswith("/callback") or "/webhooks/" in r.path]
    sent = [b.get("data", b) for b in bodies if isinstance(b, dict) and b.get("type") != 9]
    messages = [m for m in sent if m.get("content") or m.get("embeds")]
    assert len(messages) >= 9
    assert all(m.get("allowed_mentions") == {"parse": []} for m in messages), messages
    assert any("@everyone" in str(m) for m in messages)


async def test_malformed_import_changes_nothing(emu: DiscordEmulator, tmp_path: Path) -> None:
    async with running(emu, tmp_path) as bot:
        await add(emu)
        service = svc(bot)
        before, revision = service.own_entries(emu.guild), await service.store.revision()
        cases = [
            ("broken.yaml", b"entries:\n- id: a\n  question: [oops\n", "broken.yaml:4: invalid YAML"),
            (
                "partial.yaml",
                b"entries:\n- id: ok\n  question: Fine\n  answers: [{text: yes}]\n"
                b"- id: bad\n  question: Where are the answers\n",
                "field 'entries.1.answers'",
            ),
            ("thread.txt", b"Only a question here?\n", "no answers"),
            ("binary.yaml", b"\x89PNG\r\n\x1a\n\x00\x00", "not UTF-8"),
            ("big.yaml", b"#" * (1024 * 1024 + 1), "the limit is 1024 KiB"),
        ]
        for name, data, message in cases:
            first, followup = await import_file(emu, upload(emu, name, data))
            assert first.ephemeral and first.type == (4 if name == "big.yaml" else 5)
            assert (
                followup["content"].startswith("Nothing was changed.") and message in followup["content"]
            ), name
            assert not followup.get("components")
        assert service.own_entries(emu.guild) == before and await service.store.revision() == revision


async def test_build_export_and_restore_into_a_fresh_store(emu: DiscordEmulator, tmp_path: Path) -> None:
    """Done when: a small FAQ built in Discord, exported, restores losslessly into a fresh store."""
    async with running(emu, tmp_path) as bot:
        await add(emu)
        await submit(
            emu,
            await call(emu, "faq answer", {"entry": LIP}),
            {"answer": "About six months; longer with newer products.", "expert": "Dr. Green"},
        )
        opened = await call(emu, "faq edit", {"entry": LIP})
        defaults = {
            row["components"][0]["custom_id"]: row["components"][0].get("value")
            for row in opened.data["components"]
        }
        assert defaults["question"] == "How long does lip filler last?"
        assert defaults["phrasings"] == "lip filler duration\nfiller lips"
        edited = await submit(
            emu, opened, {**defaults, "body": "Asked by many members.", "tags": "fillers, lips"}
        )
        assert edited.content == f"Saved `{LIP}`."
        await add(
            emu,
            {
                "question": "Does tretinoin cause purging?",
                "answer": "Yes, often for 4-6 weeks.",
                "expert": "Sam Lee, MD",
                "where": "Austin Dermatologist",
                "phrasings": "",
            },
        )
        await call(emu, "faq alias", {"entry": "does-tretinoin-cause-purging", "phrase": "retinoid purge"})
        original = svc(bot).own_entries(emu.guild)
        exported = await call(emu, "faq export")
        assert exported.ephemeral and exported.content == "2 entries. Restore them anywhere with /faq import."
        (file,) = exported.files
        assert file.filename.startswith(f"faq-{emu.guild}-") and file.filename.endswith(".yaml")
    async with running(emu, tmp_path, db="fresh.db") as fresh:
        assert svc(fresh).own_entries(emu.guild) == []
        _, preview = await import_file(emu, upload(emu, "restore.yaml", file.data))
        embed = preview["embeds"][0]
        assert "2 entries from YAML: 2 new, 0 replacing" in embed["description"]
        assert svc(fresh).own_entries(emu.guild) == []  # nothing before Confirm
        ok = next(c for c in custom_ids_of(preview) if c.startswith("faqm:pd:ok:"))
        handle = await emu.send_interaction(emu.component_click(preview, ok, user=emu.moderator))
        assert (await handle.response(timeout=WAIT)).type == 6
        (edit,) = await handle.edits(count=1, timeout=WAIT)
        assert edit.json["content"] == "Imported 2 entries from restore.yaml: 2 new, 0 replaced."
        assert svc(fresh).own_entries(emu.guild) == original
        assert answered(await ask(emu, "retinoid purge")) == "Does tretinoin cause purging?"
        again = await call(emu, "faq export")
        assert again.files[0].data == file.data


def custom_ids_of(message: dict[str, Any]) -> list[str]:
    return [c["custom_id"] for row in message.get("components", []) for c in row["components"]]


async def test_remove_needs_confirmation_and_restore_brings_it_back(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path):
        await add(emu)
        prompt = await call(emu, "faq remove", {"entry": LIP})
        cancelled = await click(emu, prompt, f"faqm:rm:0:{LIP}")
        assert cancelled.type == 7 and cancelled.content == "Cancelled; nothing was removed."
        assert answered(await ask(emu, "how long does lip filler last")) is not None
        prompt = await call(emu, "faq remove", {"entry": LIP})
        done = await click(emu, prompt, f"faqm:rm:1:{LIP}")
        assert (
            done.type == 6 and (done.content or "").startswith(f"Removed `{LIP}`") and done.components == []
        )
        assert answered(await ask(emu, "how long does lip filler last")) is None
        handle = await emu.send_interaction(emu.autocomplete("faq restore", "entry", "", user=emu.moderator))
        assert [c["value"] for c in (await handle.response(timeout=WAIT)).choices] == [LIP]
        listed = (await call(emu, "faq list", {"scope": "removed"})).embeds[0]["description"]
        assert f"`{LIP}` · 1 answer · server, removed" in listed
        assert (
            await call(emu, "faq restore", {"entry": LIP})
        ).content == f"Restored `{LIP}`; members get it again."
        assert answered(await ask(emu, "how long does lip filler last")) is not None
        history = (await call(emu, "faq history", {"entry": LIP})).embeds[0]
        assert [f["name"].split(" · ")[0] for f in history["fields"]] == ["restore", "remove", "add"]


async def test_near_duplicate_question_is_a_warning_not_a_write(emu: DiscordEmulator, tmp_path: Path) -> None:
    async with running(emu, tmp_path) as bot:
        await add(emu)
        dup = await add(emu, LIP_FIELDS | {"question": "How long does a lip filler last?"})
        assert (dup.content or "").startswith(
            "Not saved yet: “How long does a lip filler last?” looks like an existing entry"
        )
        ids = custom_ids(dup)
        assert [i.split(":")[2] for i in ids] == ["ok", "alias", "no"]
        aliased = await click(emu, dup, ids[1])
        assert (aliased.content or "").startswith(
            f"Added “How long does a lip filler last?” as a phrasing of `{LIP}`"
        )
        assert [e.id for e in svc(bot).own_entries(emu.guild)] == [LIP]
        # Against a global entry too; its phrasing would be this server's own (see
        # tests/cogs/moderation/test_globals.py). Create anyway:
        botox = await add(emu, LIP_FIELDS | {"question": "Why does Botox make skin appear smoother?"})
        ids = custom_ids(botox)
        assert [i.split(":")[2] for i in ids] == ["ok", "alias", "no"]
        created = await click(emu, botox, ids[0])
        assert (
            created.content
            == "Added `why-does-botox-make-skin-appear-smoother`. Members can find it with /ask now."
        )


async def test_stats_one_click_adds_an_unanswered_query_as_a_phrasing(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path) as bot:
        await add(emu)
        for _ in range(2):
            assert answered(await ask(emu, "do lips get puffy after filler")) is None
        await ask(emu, "how long does lip filler last")
        await click(emu, await ask(emu, "how long does lip filler last"), f"faq:fb:1:{LIP}")
        stats = await call(emu, "faq stats")
        fields = {f["name"]: f["value"] for f in stats.embeds[0]["fields"]}
        assert fields["Unanswered queries"] == "2× do lips get puffy after filler"
        assert "2× how long does lip filler last" in fields["Top queries"]
        assert fields["Feedback per entry"] == "👍 1 · 👎 0 — How long does lip filler last?"
        (button,) = custom_ids(stats)
        assert button.startswith("faqm:ua:") and button.endswith(f":{LIP}")
        added = await click(emu, stats, button)
        assert (added.content or "").startswith(
            f"Added “do lips get puffy after filler” as a phrasing of `{LIP}`"
        )
        assert "do lips get puffy after filler" in svc(bot).own_entry(emu.guild, LIP).entry.phrasings
        assert answered(await ask(emu, "do lips get puffy after filler")) == "How long does lip filler last?"
        again = {f["name"]: f["value"] for f in (await call(emu, "faq stats")).embeds[0]["fields"]}
        assert "puffy" not in again["Unanswered queries"]


async def test_list_pages_and_filters(emu: DiscordEmulator, tmp_path: Path) -> None:
    entries = "".join(
        f"- id: topic-{i:02d}\n  question: Question about topic {i:02d}?\n  answers: [{{text: A{i}.}}]\n"
        for i in range(14)
    )
    async with running(emu, tmp_path):
        _, preview = await import_file(emu, upload(emu, "many.yaml", f"entries:\n{entries}".encode()))
        ok = next(c for c in custom_ids_of(preview) if ":ok:" in c)
        handle = await emu.send_interaction(emu.component_click(preview, ok, user=emu.moderator))
        await handle.edits(count=1, timeout=WAIT)
        first = await call(emu, "faq list", {"scope": "server"})
        assert first.embeds[0]["footer"]["text"] == "Page 1 of 2 · 14 entries"
        # the shared paginator (cogs/ui/paginator.py): previous, the disabled counter, next
        assert custom_ids(first) == ["faqm:ls:pg:0:server:", "faqm:ls:noop:0:server:", "faqm:ls:pg:1:server:"]
        second = await click(emu, first, "faqm:ls:pg:1:server:")
        assert second.type == 7 and second.embeds[0]["footer"]["text"] == "Page 2 of 2 · 14 entries"
        assert (
            "topic-13" in second.embeds[0]["description"]
            and "topic-00" not in second.embeds[0]["description"]
        )
        filtered = await call(emu, "faq list", {"filter": "TOPIC 07"})
        assert filtered.embeds[0]["footer"]["text"] == "Page 1 of 1 · 1 entry" and custom_ids(filtered) == []


async def test_validation_errors_are_specific_and_write_nothing(emu: DiscordEmulator, tmp_path: Path) -> None:
    async with running(emu, tmp_path) as bot:
        revision = await svc(bot).store.revision()
        bad = await add(emu, LIP_FIELDS | {"question": "Q" * 300, "answer": "   "})
        assert bad.ephemeral and bad.content is not None and bad.content.startswith("Nothing was changed.")
        assert "Question: is 300 characters; the limit is 256" in bad.content
        assert "Answer 1 answer text: is missing or empty" in bad.content
        too_low = await call(emu, "faq settings", {"suggest_threshold": 0.9})
        assert too_low.content == "Nothing was changed. thresholds: threshold suggest must not exceed answer."
        assert (
            await svc(bot).store.revision() == revision and await svc(bot).store.get_settings(emu.guild) == {}
        )
        saved = await call(
            emu, "faq settings", {"add_keyword_channel": emu.channel_payload, "user_cooldown": 30.0}
        )
        assert saved.content == "Saved: keyword_channels, keyword_user_cooldown."
        fields = {f["name"]: f["value"] for f in saved.embeds[0]["fields"]}
        assert fields["Keyword-reply channels"] == f"<#{emu.channel}>"
        assert svc(bot).own_entries(emu.guild) == []
        assert await svc(bot).store.get_settings(emu.guild) == {  # the stored form
            "keyword_channels": [emu.channel],
            "keyword_user_cooldown": 30.0,
        }
        settings_history = (await call(emu, "faq history")).embeds[0]
        assert settings_history["description"] == "1 change"


def test_pending_drafts_are_single_use_owned_and_bounded() -> None:
    from cogs.moderation import Pending

    pending = Pending(ttl=60, limit=2)
    token = pending.put((1, 10), "draft")
    assert pending.take(token, (1, 11)) is None  # another member cannot confirm it
    assert pending.take(token, (2, 10)) is None  # nor the same member in another server
    assert pending.take(token, (1, 10)) == "draft" and pending.take(token, (1, 10)) is None
    tokens = [pending.put((1, 10), n) for n in range(3)]
    assert pending.take(tokens[0], (1, 10)) is None and pending.take(tokens[2], (1, 10)) == 2
    expired = Pending(ttl=0)
    stale = expired.put((1, 10), "old")
    assert expired.take(stale, (1, 10)) is None


async def test_a_picked_suggestion_is_a_proposal_a_moderator_approves(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    """Issue 14: clicking a "did you mean" button records the member's words as a proposed
    phrasing of that entry (never added by itself); one click in /faq stats approves it;
    "None of these" keeps a question unanswered."""
    async with running(emu, tmp_path) as bot:
        await add(emu)
        # A strict answer bar: the member's words only get "did you mean" buttons.
        await svc(bot).update_settings(
            emu.guild, SettingsChange(thresholds=ThresholdsConfig(answer=1.0, suggest=0.01)), actor="t"
        )
        miss = await ask(emu, "do lips get puffy after filler")
        ids = custom_ids(miss)
        pick = next(i for i in ids if i.startswith("faq:sug:") and i.endswith(f":{LIP}"))
        key = pick.split(":")[2]
        assert f"faq:nom:{key}" in ids
        shown = await click(emu, miss, pick, user=emu.user)
        assert shown.embeds[0]["title"] == "How long does lip filler last?"
        stats = await svc(bot).store.stats(emu.guild)
        (row,) = [q for q in stats.unanswered if q.query == "do lips get puffy after filler"]
        assert row.last_entry_id == LIP  # proposed, not added
        assert "do lips get puffy after filler" not in svc(bot).own_entry(emu.guild, LIP).entry.phrasings

        page = await call(emu, "faq stats")
        fields = {f["name"]: f["value"] for f in page.embeds[0]["fields"]}
        assert "(a member picked it)" in fields["One click: add an unanswered query as an alternate phrasing"]
        (approve,) = [i for i in custom_ids(page) if i == f"faqm:ua:{key}:{LIP}"]
        await click(emu, page, approve)
        assert "do lips get puffy after filler" in svc(bot).own_entry(emu.guild, LIP).entry.phrasings

        other = await ask(emu, "can lip filler migrate")
        nom = next(i for i in custom_ids(other) if i.startswith("faq:nom:"))
        thanks = await click(emu, other, nom, user=emu.user)
        assert thanks.ephemeral and "unanswered list" in (thanks.content or "")
        stats = await svc(bot).store.stats(emu.guild)
        (row,) = [q for q in stats.unanswered if q.query == "can lip filler migrate"]
        assert row.last_entry_id is None
