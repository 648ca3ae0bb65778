"""The moderator plugin's modals (add, answer, edit): field limits from bot.models.LIMITS;
submissions go back to the cog.

Each opening gets its own custom_id (`faqm:<kind>[:<…>]:<nonce>`): discord.py routes a
submission by custom_id alone, so with a fixed one two moderators' open forms would share one
instance (and its field values). `OPEN` tracks the open ones, so a submission discord.py will
not route (forged, expired, already submitted, from before a restart) can still be answered
(see cogs/moderation/unrouted.py).
"""

from __future__ import annotations

import secrets
import weakref
from typing import Any

import discord

from bot.curation import CurationError
from bot.models import LIMITS, Provider
from bot.store import StoredEntry
from cogs.moderation.access import (
    PENDING_TTL,
    cog_of,
    require_moderator,
)
from cogs.ui.errors import report_error

MODAL_TEXT_MAX = 4000  # Discord's limit for one text input


def _input(
    label: str,
    custom_id: str,
    *,
    limit: int,
    paragraph: bool = False,
    required: bool = True,
    default: str | None = None,
    placeholder: str | None = None,
) -> discord.ui.TextInput[Any]:
    return discord.ui.TextInput(
        label=label,
        custom_id=custom_id,
        max_length=min(limit, MODAL_TEXT_MAX),
        required=required,
        style=discord.TextStyle.paragraph if paragraph else discord.TextStyle.short,
        default=default[: min(limit, MODAL_TEXT_MAX)] if default else None,
        placeholder=placeholder,
    )


def _expert_inputs(
    provider: Provider | None, typed: dict[str, str] | None = None
) -> tuple[discord.ui.TextInput[Any], discord.ui.TextInput[Any]]:
    """The expert's two lines, as the importer reads them: name/credentials, specialty/location
    (`typed`: what the moderator typed before, kept as typed)."""
    typed = typed or {}
    expert = _input(
        "Expert name and credentials",
        "expert",
        limit=LIMITS["provider_field"],
        required=False,
        placeholder="Jane Roe, MD",
        default=typed.get("expert", provider.full_name() if provider else None),
    )
    where = _input(
        "Specialty and location",
        "where",
        limit=LIMITS["provider_field"],
        required=False,
        placeholder="Boston Dermatologist",
        default=typed.get("where", provider.where() if provider else None),
    )
    return expert, where


# custom_id → open modal. Weak: discord.py drops a modal once it is submitted or timed out.
OPEN: weakref.WeakValueDictionary[str, discord.ui.Modal] = weakref.WeakValueDictionary()


def is_open(custom_id: str) -> bool:
    """True while discord.py still routes submissions of this custom_id to a modal."""
    modal = OPEN.get(custom_id)
    return modal is not None and not modal.is_finished()


def _opening(prefix: str) -> str:
    return f"{prefix}:{secrets.token_hex(6)}"  # ≤ 100 characters with a 64-character entry id


class _ModModal(discord.ui.Modal):
    def __init__(self, *, custom_id: str, timeout: float) -> None:
        super().__init__(custom_id=custom_id, timeout=timeout)
        OPEN[custom_id] = self

    async def on_error(self, interaction: discord.Interaction, error: Exception) -> None:  # type: ignore[override]
        await report_error(interaction, error)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        return await require_moderator(interaction)

    def values(self) -> dict[str, str]:
        """The fields as typed (to reopen the form with them)."""
        return {str(i.custom_id): i.value for i in self.children if isinstance(i, discord.ui.TextInput)}


class AddModal(_ModModal, title="New FAQ entry"):
    """`prefill`: the values a moderator typed before (Edit on the byline preview)."""

    def __init__(self, prefill: dict[str, str] | None = None) -> None:
        super().__init__(custom_id=_opening("faqm:add"), timeout=PENDING_TTL)
        typed = prefill or {}
        self.question = _input(
            "Question",
            "question",
            limit=LIMITS["question"],
            placeholder="How long does Botox last?",
            default=typed.get("question"),
        )
        self.phrasings = _input(
            "Other phrasings or keywords (one per line)",
            "phrasings",
            limit=4000,
            paragraph=True,
            required=False,
            default=typed.get("phrasings"),
        )
        self.answer = _input(
            "First expert answer",
            "answer",
            limit=LIMITS["answer_text"],
            paragraph=True,
            default=typed.get("answer"),
        )
        self.expert, self.where = _expert_inputs(None, typed)
        for item in (self.question, self.phrasings, self.answer, self.expert, self.where):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await cog_of(interaction).finish_add(interaction, self)


class AnswerModal(_ModModal, title="Expert answer"):
    """Adds an answer (index None) or replaces answer `index` of entry `entry_id`."""

    def __init__(
        self,
        entry: StoredEntry,
        index: int | None = None,
        *,
        prefill: dict[str, str] | None = None,
        revision: int | None = None,
    ) -> None:
        """`prefill`/`revision`: reopened from the byline preview with what was typed, still
        checked against the revision the first form showed."""
        e = entry.entry
        custom_id = f"faqm:answer:{e.id}" if index is None else f"faqm:edit-answer:{index}:{e.id}"
        super().__init__(custom_id=_opening(custom_id), timeout=PENDING_TTL)
        self.entry_id, self.index = e.id, index
        self.revision = entry.revision if revision is None else revision
        typed = prefill or {}
        old = e.answers[index] if index is not None else None
        if old and len(old.text) > MODAL_TEXT_MAX:
            # A form field holds 4,000 characters: pre-filling a longer answer would cut it on save.
            raise CurationError(
                f"Answer {(index or 0) + 1} of `{e.id}` is {len(old.text):,} characters, more than a "
                f"Discord form holds ({MODAL_TEXT_MAX:,}), so it can't be edited here without cutting it. "
                "Edit it in the entry's YAML file under data/faq/, or export the entry with /faq export, "
                "edit the file and bring it back with /faq import."
            )
        provider = old.provider if old else None
        self.answer_title = _input(
            "Answer title (optional)",
            "title",
            limit=LIMITS["answer_title"],
            required=False,
            default=typed.get("title", old.title if old else None),
        )
        self.text = _input(
            "Answer",
            "answer",
            limit=LIMITS["answer_text"],
            paragraph=True,
            default=typed.get("answer", old.text if old else None),
        )
        self.expert, self.where = _expert_inputs(provider, typed)
        self.profile = _input(
            "Expert's profile link (optional)",
            "profile",
            limit=LIMITS["url"],
            required=False,
            placeholder="https://example.org/dr-jane-roe",
            default=typed.get("profile", provider.profile_url if provider else None),
        )
        for item in (self.answer_title, self.text, self.expert, self.where, self.profile):
            self.add_item(item)

    @property
    def profile_url(self) -> str | None:
        """The link as typed (checked with the rest of the answer when saved); blank for none."""
        return self.profile.value.strip() or None

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await cog_of(interaction).finish_answer(interaction, self)


class EditModal(_ModModal, title="Edit FAQ entry"):
    def __init__(self, entry: StoredEntry) -> None:
        e = entry.entry
        super().__init__(custom_id=_opening(f"faqm:edit:{e.id}"), timeout=PENDING_TTL)
        self.entry_id, self.revision = e.id, entry.revision
        self.question = _input("Question", "question", limit=LIMITS["question"], default=e.question)
        self.phrasings = _input(
            "Other phrasings or keywords (one per line)",
            "phrasings",
            limit=4000,
            paragraph=True,
            required=False,
            default="\n".join(e.phrasings),
        )
        self.body = _input(
            "Details of the question (optional)",
            "body",
            limit=LIMITS["body"],
            paragraph=True,
            required=False,
            default=e.body,
        )
        self.tags = _input(
            "Tags (comma-separated, optional)", "tags", limit=1000, required=False, default=", ".join(e.tags)
        )
        for item in (self.question, self.phrasings, self.body, self.tags):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await cog_of(interaction).finish_edit(interaction, self)
