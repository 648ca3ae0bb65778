"""Content at every field's limit, through the real bot and client, stays inside Discord's
OpenAPI spec: the ``emulator`` fixture fails the test on any request body that breaks it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest_asyncio
import yaml

from bot.config import ThresholdsConfig, load_config
from bot.models import LIMITS, MAX_ANSWERS, MAX_PHRASINGS, MAX_TAGS
from bot.serialize import entry_from_dict
from bot.service import FaqService
from bot.settings import SettingsChange
from cogs.standalone import FaqBot
from tests.emulator import DiscordEmulator, run_bot

WORD = "botulinum "
ID = "m" * LIMITS["id"]


def fill(limit: int, seed: str = "") -> str:
    return (seed + WORD * limit)[:limit].strip() + "x"


def biggest_entry() -> dict[str, Any]:
    provider = {
        k: fill(LIMITS["provider_field"] - 1, k) for k in ("name", "credentials", "specialty", "location")
    }
    provider["profile_url"] = "https://example.com/" + "p" * (LIMITS["url"] - 21)
    return {
        "id": ID,
        "question": fill(LIMITS["question"] - 1, "Why botulinum? "),
        "body": fill(LIMITS["body"] - 1),
        "phrasings": [fill(LIMITS["phrasing"] - 1, f"{i} ") for i in range(MAX_PHRASINGS)],
        "tags": [f"t{i}" + "g" * (LIMITS["tag"] - 3) for i in range(MAX_TAGS)],
        "answers": [
            {"title": fill(LIMITS["answer_title"] - 1, f"{i} "), "text": fill(LIMITS["answer_text"] - 1),
             "provider": dict(provider)}
            for i in range(MAX_ANSWERS)
        ],
    }  # fmt: skip


@pytest_asyncio.fixture
async def big_service(data_dir: Path, tmp_path: Path) -> AsyncIterator[FaqService]:
    (data_dir / "faq" / f"{ID}.yaml").write_text(yaml.safe_dump(biggest_entry(), sort_keys=False))
    db = f"sqlite:///{tmp_path / 'f.db'}"
    config = load_config(
        None, {"data_dir": str(data_dir), "database": {"url": db}, "matching": {"semantic": "off"}}
    )
    svc = await FaqService.open(config)
    yield svc
    await svc.close()


def custom_ids(components: list[dict[str, Any]]) -> list[str]:
    return [c["custom_id"] for row in components for c in row.get("components", []) if c.get("custom_id")]


async def test_the_biggest_entry_renders_inside_the_spec(
    emulator: DiscordEmulator, big_service: FaqService
) -> None:
    async with run_bot(FaqBot(big_service.config, big_service), emulator):
        await emulator.wait_for_request(lambda r: r.method == "PUT" and r.path.endswith("/commands"))
        auto = await (
            await emulator.send_interaction(emulator.autocomplete("ask", "query", "botulinum"))
        ).response()
        assert any(c["value"].endswith(ID) for c in auto.choices)
        handle = await emulator.send_interaction(emulator.slash_command("ask", {"query": f"entry:{ID}"}))
        cb = await handle.response()
        assert cb.embeds, cb.content
        message = await handle.original_message()
        ids = custom_ids(cb.components)
        assert any(i.startswith("faq:all:") for i in ids), ids
        pages = await (
            await emulator.send_interaction(
                emulator.component_click(message, next(i for i in ids if i.startswith("faq:all:")))
            )
        ).response()
        assert pages.embeds
        nxt = [i for i in custom_ids(pages.components) if i.startswith("faq:pg:")]
        if nxt:
            page_msg = (
                emulator.message(pages.request.response["resource"]["message"]["id"])
                if (pages.request.response)
                else await handle.original_message()
            )
            await (await emulator.send_interaction(emulator.component_click(page_msg, nxt[-1]))).response()
        fb = [i for i in ids if i.startswith("faq:fb:")]
        if fb:
            await (await emulator.send_interaction(emulator.component_click(message, fb[0]))).response()
        # A server's own copy at the same limits: the moderator forms open filled with it.
        own = entry_from_dict({**biggest_entry(), "id": "g" + ID[1:]})
        await big_service.save_entry(
            replace(own, guild_id=emulator.guild), actor="t", action="add", create=True
        )
        mod, gid = emulator.moderator, "g" + ID[1:]
        # This test is about Discord's limits, not matching: pin the answer bar (the store's
        # calibrated one, for two entries of one filler word, would call the form's filler
        # question a near-duplicate of them — rightly).
        await big_service.update_settings(
            emulator.guild, SettingsChange(thresholds=ThresholdsConfig(answer=0.5, suggest=0.25)), actor="t"
        )
        commands: list[tuple[str, dict[str, Any]]] = [
            ("faq list", {"filter": "b" * 50}), ("faq stats", {}), ("faq history", {"entry": ID}),
            ("faq show", {"entry": gid}), ("faq edit", {"entry": gid}),
            ("faq edit", {"entry": gid, "answer": 50}), ("faq answer", {"entry": gid}),
            ("faq remove", {"entry": gid}), ("faq remove", {"entry": gid, "answer": 50}), ("faq add", {}),
        ]  # fmt: skip
        kinds, callbacks = [], []
        for command, options in commands:
            got = await (
                await emulator.send_interaction(emulator.slash_command(command, options, user=mod))
            ).response()
            kinds.append(got.type)
            callbacks.append(got)
        # /faq edit's choices mark the global entry (its question at the limit) within 100 characters
        auto = await (
            await emulator.send_interaction(emulator.autocomplete("faq edit", "entry", "botulinum", user=mod))
        ).response()
        names = {c["value"]: c["name"] for c in auto.choices}
        assert names[ID].startswith("🌐 ") and 90 < len(names[ID]) <= 100 and names[ID].endswith("…"), names
        assert not names[gid].startswith("🌐"), names
        # The edit forms (entry, answer 50) and the add form are modals (type 9) filled at the limits;
        # a 51st answer is refused with a message.
        assert [kinds[i] for i in (4, 5, 6, 9)] == [9, 9, 4, 9], kinds
        # The add form submitted with every field full: the new entry is shown.
        values = {
            "question": fill(LIMITS["question"] - 1, "How long? "),
            "phrasings": "\n".join(fill(LIMITS["phrasing"] - 1, f"{i} ") for i in range(19))[:4000],
            "answer": fill(LIMITS["answer_text"] - 1),
            "expert": fill(LIMITS["provider_field"] - 1, "Dr. "),
            "where": fill(LIMITS["provider_field"] - 1, "Boston "),
        }
        # Each opening of the add form has its own custom_id (faqm:add:<nonce>).
        submit = emulator.modal_submit(callbacks[9].data["custom_id"], values, user=mod)
        preview = await (await emulator.send_interaction(submit)).response()
        # the byline preview first, its fields at the limits too; Confirm saves
        assert preview.embeds and preview.embeds[0]["title"] == "Check the expert's byline", preview
        ok = next(i for i in custom_ids(preview.components) if i.startswith("faqm:pd:ok:"))
        shown = preview.request.response["resource"]["message"]
        confirm = emulator.component_click(shown, ok, user=mod)
        added = await (await emulator.send_interaction(confirm)).outcome(timeout=30)  # a big save
        assert "Added" in (added.content or "") and added.embeds, added
    assert emulator.spec_violations == []
    assert len([r for r in emulator.requests if r.json is not None]) >= 8
