"""Issue 15 through the emulator with the real discord.py client: a server's own phrasings of a
global entry (matched there only, audited, reversible), hiding it, `/faq edit` on a global entry,
/faq stats and members' picks for global entries, the byline preview, the calibrated thresholds
in /faq settings. Every REST body is checked against Discord's OpenAPI spec by the emulator."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ThresholdsConfig
from bot.present.globals import WHAT_A_SERVER_MAY_CHANGE
from bot.settings import SettingsChange
from tests.cogs.moderation.test_cog import (
    BYLINE_PREVIEW,
    LIP,
    LIP_FIELDS,
    WAIT,
    answered,
    ask,
    call,
    click,
    custom_ids,
    running,
    submit,
    svc,
)
from tests.conftest import SEED_ID
from tests.emulator import DiscordEmulator
from tests.emulator.fixtures import emulator  # noqa: F401

OTHER_GUILD = 987654321  # a server that never added anything
MADE_UP = "zq shine trick"  # words no entry has: only this server's phrasing can answer them


@pytest.fixture
def emu(emulator: DiscordEmulator) -> DiscordEmulator:  # noqa: F811
    return emulator


async def test_a_server_adds_and_removes_its_own_phrasings_of_a_global_entry(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path) as bot:
        service = svc(bot)
        # /faq edit autocomplete finds the global entry
        handle = await emu.send_interaction(
            emu.autocomplete("faq edit", "entry", "botox", user=emu.moderator)
        )
        choices = {c["value"]: c["name"] for c in (await handle.response(timeout=WAIT)).choices}
        assert choices[SEED_ID] == "🌐 " + service.find(None, SEED_ID).entry.question  # type: ignore[union-attr]

        # /faq edit on it offers only what a server may change, and says so
        page = await call(emu, "faq edit", {"entry": SEED_ID})
        assert page.type == 4 and page.ephemeral
        embed = page.embeds[0]
        assert embed["description"] == WHAT_A_SERVER_MAY_CHANGE
        fields = {f["name"]: f["value"] for f in embed["fields"]}
        assert fields["In this server"] == "shown" and fields["This server's own phrasings (0)"] == "none yet"
        assert custom_ids(page) == [f"faqm:gp:{SEED_ID}", f"faqm:gh:1:{SEED_ID}"]
        refused = await call(emu, "faq edit", {"entry": SEED_ID, "answer": 1})
        assert "can't be edited here" in (refused.content or "") and refused.ephemeral
        for name in ("faq answer", "faq remove"):
            cb = await call(emu, name, {"entry": SEED_ID})
            assert "same in every server and can't be changed here" in (cb.content or ""), name

        # Edit this server's phrasings: a form, then the words answer here at once …
        assert answered(await ask(emu, MADE_UP)) is None
        form = await click(emu, page, f"faqm:gp:{SEED_ID}")
        assert form.type == 9
        saved = await submit(emu, form, {"phrasings": f"{MADE_UP}\ndoes tox smooth skin"})
        assert saved.content == (
            f"Saved this server's phrasings of `{SEED_ID}` (+ 2 phrasings; 2 phrasings now). "
            "They match in this server only."
        )
        assert answered(await ask(emu, MADE_UP)) is not None
        (best, *_) = service.rank(MADE_UP, emu.guild)
        assert (best.entry_id, best.confidence) == (SEED_ID, 1.0)
        # … in this server only: elsewhere, and in the global entry itself, nothing changed
        assert all(c.confidence < 1.0 for c in service.rank(MADE_UP, OTHER_GUILD))
        assert MADE_UP not in service.global_entry(SEED_ID).entry.phrasings
        assert (await service.store.get(None, SEED_ID)).entry.phrasings == service.global_entry(  # type: ignore[union-attr]
            SEED_ID
        ).entry.phrasings

        # /faq alias adds one too; the duplicate is refused, naming it
        aliased = await call(emu, "faq alias", {"entry": SEED_ID, "phrase": "botox glow"})
        assert (aliased.content or "").startswith(
            f"Added “botox glow” as a phrasing of the global entry `{SEED_ID}`"
        )
        again = await call(emu, "faq alias", {"entry": SEED_ID, "phrase": "Botox Glow"})
        assert "already a phrasing" in (again.content or "")
        assert service.guild_phrasings(emu.guild, SEED_ID) == (
            MADE_UP,
            "does tox smooth skin",
            "botox glow",
        )

        # Reversible: removing a line in the form removes it (the other stays)
        page = await call(emu, "faq edit", {"entry": SEED_ID})
        form = await click(emu, page, f"faqm:gp:{SEED_ID}")
        assert form.data["components"][0]["components"][0]["value"] == (
            f"{MADE_UP}\ndoes tox smooth skin\nbotox glow"
        )
        removed = await submit(emu, form, {"phrasings": "does tox smooth skin\nbotox glow"})
        assert "(− 1 phrasing; 2 phrasings now)" in (removed.content or "")
        assert all(c.confidence < 1.0 for c in service.rank(MADE_UP, emu.guild) if c.entry_id == SEED_ID)

        # Audited in /faq history, as a diff
        history = (await call(emu, "faq history", {"entry": SEED_ID})).embeds[0]
        names = [f["name"].split(" · ")[0] for f in history["fields"]]
        assert names == ["edit", "alias", "edit"]
        values = [f["value"] for f in history["fields"]]
        assert f"phrasings: − “{MADE_UP}”" in values[0]
        assert "phrasings: + “botox glow”" in values[1]
        assert f"phrasings: + “{MADE_UP}”" in values[2] and "phrasings: + “does tox smooth skin”" in values[2]

        # /faq show lists them beside the entry
        shown = {
            f["name"]: f["value"]
            for f in (await call(emu, "faq show", {"entry": SEED_ID})).embeds[0]["fields"]
        }
        assert shown["This server's own phrasings (2)"] == "• does tox smooth skin\n• botox glow"

        # The same phrasings survive a restart (they are in the store, not in memory)
        await service.reload()
        assert service.guild_phrasings(emu.guild, SEED_ID) == ("does tox smooth skin", "botox glow")


async def test_hiding_a_global_entry_from_its_page_hides_its_phrasings_too(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path) as bot:
        await call(emu, "faq alias", {"entry": SEED_ID, "phrase": MADE_UP})
        assert answered(await ask(emu, MADE_UP)) is not None
        page = await call(emu, "faq edit", {"entry": SEED_ID})
        hidden = await click(emu, page, f"faqm:gh:1:{SEED_ID}")
        assert hidden.type == 6 and (hidden.content or "").startswith(f"Hid `{SEED_ID}` in this server")
        assert {f["name"]: f["value"] for f in hidden.embeds[0]["fields"]}["In this server"] == "hidden"
        assert f"faqm:gh:0:{SEED_ID}" in custom_ids(hidden)
        assert answered(await ask(emu, MADE_UP)) is None  # its server phrasing is hidden with it
        assert answered(await ask(emu, "why does botox make my skin smoother")) is None
        shown = await click(emu, hidden, f"faqm:gh:0:{SEED_ID}")
        assert (shown.content or "").endswith("is shown in this server again.")
        assert answered(await ask(emu, MADE_UP)) is not None
        assert svc(bot).hidden_ids(emu.guild) == set()
        history = (await call(emu, "faq history", {"entry": SEED_ID})).embeds[0]
        assert [f["name"].split(" · ")[0] for f in history["fields"]] == ["unhide", "hide", "alias"]


async def test_a_members_pick_of_a_global_entry_is_approved_as_this_servers_phrasing(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    """Issue 14 item 4 for global entries: the pick is kept as a proposed phrasing for this
    server, /faq stats offers it with one click, and approving adds this server's phrasing."""
    async with running(emu, tmp_path) as bot:
        service = svc(bot)
        await service.update_settings(
            emu.guild, SettingsChange(thresholds=ThresholdsConfig(answer=1.0, suggest=0.01)), actor="t"
        )
        query = "does botox shrink pores"
        miss = await ask(emu, query)
        pick = next(i for i in custom_ids(miss) if i.startswith("faq:sug:") and i.endswith(f":{SEED_ID}"))
        key = pick.split(":")[2]
        await click(emu, miss, pick, user=emu.user)
        (row,) = [q for q in (await service.store.stats(emu.guild)).unanswered if q.query == query]
        assert row.last_entry_id == SEED_ID  # proposed, not added
        assert service.guild_phrasings(emu.guild, SEED_ID) == ()

        page = await call(emu, "faq stats")
        fields = {f["name"]: f["value"] for f in page.embeds[0]["fields"]}
        one_click = fields["One click: add an unanswered query as an alternate phrasing"]
        assert f"“{query}” →" in one_click and "(a member picked it)" in one_click
        approved = await click(emu, page, f"faqm:ua:{key}:{SEED_ID}")
        assert approved.content == (
            f"Added “{query}” as a phrasing of the global entry `{SEED_ID}` (in this server only); "
            "it is off the unanswered list."
        )
        assert service.guild_phrasings(emu.guild, SEED_ID) == (query,)
        assert query not in [q.query for q in (await service.store.stats(emu.guild)).unanswered]
        assert all(c.confidence < 1.0 for c in service.rank(query, OTHER_GUILD))
        # a suggestion nobody clicked is not presented as a member's pick
        await ask(emu, "is botox safe for pores")
        page = await call(emu, "faq stats")
        one_click = {f["name"]: f["value"] for f in page.embeds[0]["fields"]}.get(
            "One click: add an unanswered query as an alternate phrasing", ""
        )
        assert "(a member picked it)" not in one_click


async def test_the_byline_preview_can_be_edited_before_anything_is_saved(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path) as bot:
        service = svc(bot)
        fields = LIP_FIELDS | {"expert": "Scherl, Sharon, MD", "where": "Englewood, NJ"}
        preview = await submit(emu, await call(emu, "faq add"), fields, confirm_byline=False)
        assert (preview.content or "").startswith(BYLINE_PREVIEW)
        embed = preview.embeds[0]
        assert embed["description"].startswith("**Sharon Scherl, MD — Englewood, NJ**")
        assert (
            "Please check: I read “Englewood” as the specialty and “NJ” as the location"
            in embed["description"]
        )
        assert service.own_entries(emu.guild) == []  # nothing saved yet
        ids = custom_ids(preview)
        assert [i.split(":")[2] for i in ids] == ["ok", "edit", "no"]
        form = await click(emu, preview, ids[1])  # Edit: the form again, as typed
        assert form.type == 9
        typed = {
            c["components"][0]["custom_id"]: c["components"][0].get("value") for c in form.data["components"]
        }
        assert typed["expert"] == "Scherl, Sharon, MD" and typed["where"] == "Englewood, NJ"
        assert typed["question"] == LIP_FIELDS["question"]
        again = await submit(
            emu, form, fields | {"where": "Dermatologist in Englewood, NJ"}, confirm_byline=False
        )
        embed = again.embeds[0]
        assert embed["description"].startswith("**Sharon Scherl, MD — Dermatologist, Englewood, NJ**")
        assert "Please check" not in embed["description"]
        assert {f["name"]: f["value"] for f in embed["fields"]} == {
            "Name": "Sharon Scherl",
            "Credentials": "MD",
            "Specialty": "Dermatologist",
            "Location": "Englewood, NJ",
        }
        stale = await click(emu, preview, ids[0])  # the first preview's token was used by Edit
        assert "expired or was already used" in (stale.content or "")
        assert service.own_entries(emu.guild) == []
        ok = next(i for i in custom_ids(again) if i.startswith("faqm:pd:ok:"))
        done = await click(emu, again, ok)
        assert done.content == f"Added `{LIP}`. Members can find it with /ask now."
        (answer,) = service.own_entry(emu.guild, LIP).entry.answers
        assert answer.provider is not None and answer.provider.byline(" — ") == (
            "Sharon Scherl, MD — Dermatologist, Englewood, NJ"
        )

        # The answer form: preview with the profile link; Cancel saves nothing
        form = await call(emu, "faq answer", {"entry": LIP})
        values = {
            "title": "",
            "answer": "Usually six months.",
            "expert": "Matthew Brace, MD",
            "where": "Facial Plastic Surgeon, Ontario",
            "profile": "https://example.org/brace",
        }
        preview = await submit(emu, form, values, confirm_byline=False)
        embed = preview.embeds[0]
        assert embed["description"].startswith("**Matthew Brace, MD — Facial Plastic Surgeon, Ontario**")
        assert {f["name"]: f["value"] for f in embed["fields"]}["Profile link"] == "https://example.org/brace"
        cancel = next(i for i in custom_ids(preview) if i.startswith("faqm:pd:no:"))
        assert (await click(emu, preview, cancel)).content == "Cancelled; nothing was changed."
        assert len(service.own_entry(emu.guild, LIP).entry.answers) == 1
        saved = await submit(emu, await call(emu, "faq answer", {"entry": LIP}), values)  # confirmed
        assert (saved.content or "").startswith(f"Added answer 2 to `{LIP}`")
        assert len(service.own_entry(emu.guild, LIP).entry.answers) == 2


async def test_settings_show_the_calibrated_bars_beside_an_override(
    emu: DiscordEmulator, tmp_path: Path
) -> None:
    async with running(emu, tmp_path) as bot:
        bars = svc(bot).calibrated_bars(emu.guild)
        assert bars is not None
        shown = await call(emu, "faq settings")
        value = {f["name"]: f["value"] for f in shown.embeds[0]["fields"]}["Thresholds"]
        calibrated = f"answer {bars.answer:.2f} · suggest {bars.suggest:.2f} · keyword {bars.keyword:.2f}"
        assert value.startswith(f"{calibrated} *(default)*")  # the calibrated bars are the defaults
        assert "Set by this server" not in value
        saved = await call(emu, "faq settings", {"answer_threshold": 0.9})
        value = {f["name"]: f["value"] for f in saved.embeds[0]["fields"]}["Thresholds"]
        assert value.startswith("answer 0.90 ·") and "*(this server)*" in value
        assert f"-# Set by this server: answer 0.90 (calibrated {bars.answer:.2f})." in value
        assert calibrated in value  # still shown beside the override
        assert len(value) <= 1024
