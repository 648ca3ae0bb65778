"""Concurrent moderator writers, for tests/bot/store/test_concurrency.py: in the test's own process, or
as a separate OS process on the same database (`python -m tests.concurrent_writer URL DATA TAG N`).

As a process it opens its own `FaqService`, prints `ready`, then for each `go KIND ARG` line
on stdin runs N writers of that kind at once and prints one JSON line: what was acknowledged
(the writer was told "saved") and what was refused (with the message).
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from bot.community import role_credit_changes, suggest_settings_changes, with_answers
from bot.config import Config, DatabaseConfig, MatchingConfig
from bot.curation import settings_changes
from bot.matching import Thresholds
from bot.models import Answer, Entry, Provider
from bot.service import FaqService
from bot.settings import GuildSettings, SettingsChange
from bot.store import StoreError
from bot.store.forums import ForumPost

GUILD = 4242
KINDS = (
    "alias", "answer", "edit", "settings", "hide", "feedback", "import", "create",
    # issue 16: a help-forum post claimed, an expert's answer, "Tell me by DM" racing the
    # approval, answers saved from messages into an existing entry (Save to FAQ / Approve)
    "claim", "xanswer", "notify", "saveto",
    # issue 15: a server's own phrasings of a global entry, via /faq alias and the edit form
    "global-alias", "global-edit",
    # issue 17: moderators changing different settings at once, through /faq settings' own
    # typed changes (a keyword channel, a help-forum channel, a role credit)
    "settings-mixed",
)  # fmt: skip
THREAD, ASKER = 777, 77  # the forum post every claim writer claims; who asked the questions
GLOBALS = tuple(f"global-{i:02d}" for i in range(10))  # global entries the hide writers hide
PHRASED = "global-phrased"  # the global entry the guild adds its own phrasings to (issue 15)


def config_for(url: str, data_dir: Path) -> Config:
    return Config(
        data_dir=str(data_dir),
        database=DatabaseConfig(url=url),
        matching=MatchingConfig(semantic="off"),  # lexical: fast and deterministic
    )


def entry(entry_id: str, question: str, answer: str = "Lip filler usually lasts six months.") -> Entry:
    return Entry(
        id=entry_id,
        question=question,
        answers=(Answer("Dr A", answer, Provider(name="Ada Lovelace")),),  # one expert
        guild_id=GUILD,
    )


def channel_of(tag: str, i: int) -> int:
    return 10_000 * (1 + sum(map(ord, tag)) % 97) + i


def user_of(tag: str, i: int) -> int:
    return 10**9 + channel_of(tag, i)


async def run_kind(service: FaqService, kind: str, tag: str, writers: int, arg: int = 0) -> dict[str, Any]:
    """Start `writers` writes of `kind` at the same moment; {"acked": [...], "refused": [...]}."""

    def one(i: int) -> tuple[str, Callable[[], Awaitable[Any]]]:
        who = f"{tag}-{i}"
        actor = f"mod {who}"
        if kind == "alias":
            phrase = f"phrase {who}"
            return phrase, lambda: service.add_phrasing(GUILD, "alias-target", phrase, actor=actor)
        if kind == "answer":
            return who, lambda: service.add_answer(
                GUILD,
                "answer-target",
                Answer(who, f"Lip filler usually lasts nine months, says {who}.", Provider(name=who)),
                actor=actor,
            )
        if kind == "edit":  # all against the revision the parent read: one wins, the rest conflict
            question = f"Edited by {who}?"
            return question, lambda: service.change_entry(
                GUILD,
                "edit-target",
                lambda e: e.with_changes(question=question),
                actor=actor,
                action="edit",
                expected_revision=arg,
            )
        if kind == "settings":
            channel = channel_of(tag, i)

            def add_channel(current: GuildSettings) -> SettingsChange:
                return SettingsChange(keyword_channels=sorted({*current.keyword_channels, channel}))

            return str(channel), lambda: service.update_settings(GUILD, add_channel, actor=actor)
        if kind == "settings-mixed":
            value = channel_of(tag, i) + 500  # not a channel the "settings" writers add
            field = ("keyword_channels", "suggest_channels", "role_credits")[i % 3]

            def mixed(current: GuildSettings) -> SettingsChange:
                if field == "keyword_channels":
                    return settings_changes(current, base=Thresholds(), add_channel=value)
                if field == "suggest_channels":
                    return suggest_settings_changes(current, add_channel=value)
                return role_credit_changes(current, value, "specialty", f"Specialty {who}")

            return f"{field}:{value}", lambda: service.update_settings(GUILD, mixed, actor=f"{actor} mixed")
        if kind == "hide":  # every process hides the same ten: each is hidden once
            gid = GLOBALS[i % len(GLOBALS)]
            return gid, lambda: service.set_hidden(GUILD, gid, True, actor=actor)
        if kind == "feedback":
            user = user_of(tag, i)
            return str(user), lambda: service.record_feedback(GUILD, "answer-target", user, i % 2 == 0)
        if kind == "import":
            new = entry(f"imp-{who}", f"Imported question {who}?")
            return new.id, lambda: service.import_entries(GUILD, [new], actor=actor)
        if kind == "global-alias":  # the guild's own phrasings of a global entry
            phrase = f"global phrase {who}"
            return phrase, lambda: service.add_guild_phrasing(GUILD, PHRASED, phrase, actor=actor)
        if kind == "global-edit":  # each form removes its writer's phrase and adds another
            opened, submitted = (f"global phrase {who}",), (f"edited {who}",)
            return who, lambda: service.edit_guild_phrasings(GUILD, PHRASED, opened, submitted, actor=actor)
        if kind == "create":
            new = entry(f"new-{who}", f"Created question {who}?")
            return new.id, lambda: service.save_entry(new, actor=actor, action="add", create=True)
        if kind == "claim":  # every writer, in every process, claims the same post
            post = ForumPost(GUILD, THREAD, 1, user_of(tag, i), "alias-target", "q", None, "claimed")
            return str(post.poster_id), lambda: service.store.claim_forum_post(post)
        if kind == "xanswer":  # every expert answers the same waiting question
            return who, lambda: service.store.set_expert_question(
                GUILD, "xq", "proposed", expect=("waiting",), answer=f"answer {who}", expert_id=i
            )
        if kind == "notify":  # the asker's "Tell me by DM" clicks racing the moderators' Approve
            if i % 5 == 0:
                return f"m-{who}", lambda: service.store.set_expert_question(
                    GUILD, "nq", "answered", expect=("waiting",)
                )
            return f"t-{who}", lambda: service.set_expert_notify(GUILD, "nq", ASKER, dm=True)
        if kind == "saveto":  # as Save to FAQ's "Add answers to" / an approved expert answer
            said = Answer("", f"Saved reply by {who}.", Provider(name=who))

            async def save_to() -> Entry:
                stored = service.own_entry(GUILD, "save-target")
                return await service.save_unchanged_since(
                    with_answers(stored.entry, [said]), stored.revision, actor=actor,
                    action=f"save answers from https://discord.com/channels/{GUILD}/1/{channel_of(tag, i)}",
                )  # fmt: skip

            return who, save_to
        raise ValueError(kind)

    jobs = [one(i) for i in range(writers)]
    gate = asyncio.Event()

    async def write(key: str, fn: Callable[[], Awaitable[Any]]) -> tuple[str, str | None]:
        await gate.wait()
        try:
            applied = await fn()
        except StoreError as exc:
            return key, str(exc)
        if applied is False:  # a conditional write that did not apply (claimed / answered before)
            return key, "not applied"
        return key, None

    tasks = [asyncio.create_task(write(key, fn)) for key, fn in jobs]
    await asyncio.sleep(0)
    gate.set()  # all at once
    results = await asyncio.gather(*tasks)
    return {
        "acked": [k for k, err in results if err is None],
        "refused": [[k, err] for k, err in results if err is not None],
    }


async def main(url: str, data_dir: str, tag: str, writers: int) -> None:
    service = await FaqService.open(config_for(url, Path(data_dir)))
    try:
        print("ready", flush=True)
        loop = asyncio.get_running_loop()
        while line := (await loop.run_in_executor(None, sys.stdin.readline)).strip():
            _, kind, arg = line.split()
            result = await run_kind(service, kind, tag, writers, int(arg))
            print(json.dumps(result), flush=True)
    finally:
        await service.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])))
