"""Save to FAQ (issue 16): a moderator's message command turns a conversation into an entry.

Apps → **Save to FAQ** on a message: the question is that message (in a thread: the thread's
title), the moderator picks the replies to save from a select of the channel's/thread's
recent messages, each credited to its author (display name; credentials and specialty only
from roles mapped with `/faq settings credit_role:`), previews, edits the question and any
picked answer's text and byline (still credited to its author), and saves
a new entry or adds the answers to the existing entry the question resembles. Authors are
listed, never pinged. The flow lives in memory for 15 minutes (custom_id `faqs:<token>:<step>`);
a click after that (or after a restart) is told so.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import replace
from typing import Any

import discord
from discord import app_commands

from bot.community import (
    Said,
    byline_fields,
    edited_saved_answer,
    proposed_entry,
    saved_answers,
    with_answers,
)
from bot.curation import CurationError
from bot.models import Answer, Entry
from bot.present.curation import entry_embed
from bot.present.embeds import byline, clip, escape_markdown
from bot.service import FaqService
from cogs.common import NO_MENTIONS, send_private, service_of
from cogs.moderation.access import PENDING_TTL, REFUSAL, actor_of, is_moderator
from cogs.ui.confirm import settle
from cogs.ui.defer import defer_write, edit_message
from cogs.ui.errors import report_error

log = logging.getLogger("faqbot.savefaq")

PREFIX = "faqs:"
HISTORY = 50  # recent messages offered (a select shows at most 25)
PICK_MAX = 10
_live: dict[str, SaveFlow] = {}  # token → open flow


class SaveFlow(discord.ui.View):
    """One moderator's Save to FAQ, from the select to Save; only they can use it."""

    def __init__(
        self, service: FaqService, owner: int, guild_id: int, question: str, said: list[Said], origin: str
    ) -> None:
        super().__init__(timeout=PENDING_TTL)
        self.service, self.owner, self.guild_id = service, owner, guild_id
        self.question, self.said, self.origin = question, said, origin
        self.picked: list[Said] = []
        self.answers: list[Answer] = []  # the picked replies as answers, edits applied
        self.edits: dict[int, Answer] = {}  # message id → the moderator's edit of that answer
        self.fix: discord.ui.Select[SaveFlow] | None = None
        self.entry: Entry | None = None
        self.existing: str | None = None  # an own entry the question resembles
        self.token = secrets.token_hex(6)
        _live[self.token] = self
        options = [
            discord.SelectOption(
                label=clip(s.display_name, 100), description=clip(" ".join(s.text.split()), 100), value=str(i)
            )
            for i, s in enumerate(said[:25])
        ]
        self.select: discord.ui.Select[SaveFlow] = discord.ui.Select(
            custom_id=f"{PREFIX}{self.token}:pick",
            placeholder="Pick the replies to save as expert answers",
            min_values=1,
            max_values=min(len(options), PICK_MAX),
            options=options,
        )
        self.select.callback = self.on_pick  # type: ignore[method-assign]
        self.add_item(self.select)
        self._buttons()

    def _button(self, step: str, label: str, style: discord.ButtonStyle, disabled: bool = False) -> None:
        button: discord.ui.Button[SaveFlow] = discord.ui.Button(
            custom_id=f"{PREFIX}{self.token}:{step}", label=label, style=style, disabled=disabled
        )
        button.callback = getattr(self, f"on_{step}")  # type: ignore[method-assign]
        self.add_item(button)

    def _fix_select(self) -> None:
        """ "Edit a picked answer…": one option per picked reply; opens its form."""
        if self.fix is not None:
            self.remove_item(self.fix)
            self.fix = None
        if not self.answers:
            return
        self.fix = discord.ui.Select(
            custom_id=f"{PREFIX}{self.token}:fix",
            placeholder="Edit a picked answer's text or byline…",
            options=[
                discord.SelectOption(
                    label=clip(byline(a), 100), description=clip(" ".join(a.text.split()), 100), value=str(i)
                )
                for i, a in enumerate(self.answers)
            ],
        )
        self.fix.callback = self.on_fix  # type: ignore[method-assign]
        self.add_item(self.fix)

    def _buttons(self) -> None:
        for item in [i for i in self.children if isinstance(i, discord.ui.Button)]:
            self.remove_item(item)
        self._button("new", "Save as new entry", discord.ButtonStyle.primary, disabled=self.entry is None)
        if self.existing:
            self._button("add", clip(f"Add answers to {self.existing}", 80), discord.ButtonStyle.primary)
        self._button("edit", "Edit question", discord.ButtonStyle.secondary)
        self._button("cancel", "Cancel", discord.ButtonStyle.secondary)

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id != self.owner:
            await send_private(interaction, "This Save to FAQ belongs to the moderator who started it.")
            return False
        return True

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: Any) -> None:
        await report_error(interaction, error)

    def close(self) -> None:
        _live.pop(self.token, None)
        self.stop()

    async def on_timeout(self) -> None:
        _live.pop(self.token, None)

    # -- the preview ------------------------------------------------------------------------

    async def propose(self) -> tuple[str, dict[str, Any] | None]:
        """Rebuild the proposal from the question and the picked replies: message and embed."""
        if not self.picked:
            return f"**Question:** {escape_markdown(self.question)}\nPick the replies to save.", None
        settings = await self.service.guild_settings(self.guild_id)
        answers = self.answers = saved_answers(self.picked, settings, self.edits)
        self.entry = proposed_entry(
            guild_id=self.guild_id,
            question=self.question,
            answers=answers,
            taken_ids=self.service.taken_ids(self.guild_id),
            source_url=self.origin,
        )
        dupes = await self.service.near_duplicates(self.guild_id, self.entry.question)
        own = {e.id for e in self.service.own_entries(self.guild_id)}
        self.existing = next((d.entry_id for d in dupes if d.entry_id in own), None)
        lines = ["**Not saved yet.** Experts credited (listed, never pinged):"]
        lines += [
            f"• {escape_markdown(byline(a))}" + (" *(edited)*" if s.message_id in self.edits else "")
            for s, a in zip(self.picked, answers, strict=True)
        ]
        if dupes:
            d = dupes[0]
            lines.append(
                f"This question looks like “{clip(d.question, 150)}” (`{d.entry_id}`, {d.confidence:.0%})"
                + (
                    ": you can add the answers to it."
                    if self.existing
                    else " (a global entry; save a new one)."
                )
            )
        self._fix_select()
        self._buttons()
        return "\n".join(lines), entry_embed(self.entry, scope="this server (preview)")

    async def _show(self, interaction: discord.Interaction) -> None:
        content, embed = await self.propose()
        await interaction.response.edit_message(
            content=clip(content, 2000),
            embed=discord.Embed.from_dict(embed) if embed else None,
            view=self,
            allowed_mentions=NO_MENTIONS,
        )

    async def on_pick(self, interaction: discord.Interaction) -> None:
        self.picked = [self.said[int(v)] for v in self.select.values]
        for option in self.select.options:
            option.default = option.value in self.select.values
        await self._show(interaction)

    async def on_edit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(QuestionModal(self))

    async def on_fix(self, interaction: discord.Interaction) -> None:
        assert self.fix is not None
        i = int(self.fix.values[0])
        if i >= len(self.answers):  # a select from before a re-pick
            raise CurationError("Pick the answer to edit again: the picked replies changed.")
        await interaction.response.send_modal(AnswerEditModal(self, i))

    async def on_cancel(self, interaction: discord.Interaction) -> None:
        self.close()
        await settle(interaction, "Cancelled; nothing was saved.")

    async def on_new(self, interaction: discord.Interaction) -> None:
        if self.entry is None:
            raise CurationError("Pick the replies to save first.")
        entry = self.entry
        if entry.id in self.service.taken_ids(self.guild_id):  # taken meanwhile
            entry = proposed_entry(
                guild_id=self.guild_id,
                question=entry.question,
                answers=entry.answers,
                taken_ids=self.service.taken_ids(self.guild_id),
                source_url=self.origin,
            )
        await defer_write(interaction, update=True)
        saved = await self.service.save_entry(
            entry, actor=actor_of(interaction.user), action=f"save from {self.origin}", create=True
        )
        await self._done(interaction, f"Saved as `{saved.id}` with {len(saved.answers)} expert answers.")

    async def on_add(self, interaction: discord.Interaction) -> None:
        if self.entry is None or self.existing is None:
            raise CurationError("Pick the replies to save first.")
        stored = self.service.own_entry(self.guild_id, self.existing)
        answers: tuple[Answer, ...] = self.entry.answers
        updated = with_answers(stored.entry, answers)
        if updated == stored.entry:
            raise CurationError(f"`{stored.entry.id}` already has these answers.")
        await defer_write(interaction, update=True)
        saved = await self.service.save_unchanged_since(
            updated,
            stored.revision,
            actor=actor_of(interaction.user),
            action=f"save answers from {self.origin}",
        )
        added = len(saved.answers) - len(stored.entry.answers)
        await self._done(interaction, f"Added {added} expert answers to `{saved.id}`.")

    async def _done(self, interaction: discord.Interaction, text: str) -> None:
        self.close()
        log.info("%s by %s (guild %s)", text, actor_of(interaction.user), self.guild_id)
        await edit_message(interaction, content=text, view=None)


class QuestionModal(discord.ui.Modal):
    def __init__(self, flow: SaveFlow) -> None:
        super().__init__(
            title="Edit the question", custom_id=f"{PREFIX}{flow.token}:modal", timeout=PENDING_TTL
        )
        self.flow = flow
        self.text: discord.ui.TextInput[QuestionModal] = discord.ui.TextInput(
            label="Question", default=flow.question[:256], max_length=256, custom_id="question"
        )
        self.add_item(self.text)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.flow.owner:
            await send_private(interaction, REFUSAL)
            return
        self.flow.question = self.text.value
        await self.flow._show(interaction)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error)


class AnswerEditModal(discord.ui.Modal):
    """A picked reply's text and byline, typed like /faq answer's form; still credited to its author."""

    def __init__(self, flow: SaveFlow, index: int) -> None:
        answer = flow.answers[index]
        expert, where = byline_fields(answer)
        super().__init__(
            title=clip(f"Edit the answer by {byline(answer)}", 45),
            custom_id=f"{PREFIX}{flow.token}:answer:{index}",
            timeout=PENDING_TTL,
        )
        self.flow, self.said, self.answer = flow, flow.picked[index], answer
        self.text: discord.ui.TextInput[AnswerEditModal] = discord.ui.TextInput(
            label="Answer", style=discord.TextStyle.paragraph, default=answer.text[:4000],
            max_length=4000, custom_id="text",
        )  # fmt: skip
        self.expert: discord.ui.TextInput[AnswerEditModal] = discord.ui.TextInput(
            label="Expert's name and credentials", default=expert[:200] or None, max_length=200,
            required=False, placeholder="Jane Roe, MD", custom_id="expert",
        )  # fmt: skip
        self.where: discord.ui.TextInput[AnswerEditModal] = discord.ui.TextInput(
            label="Specialty and location", default=where[:200] or None, max_length=200,
            required=False, placeholder="Dermatologist, Boston", custom_id="where",
        )  # fmt: skip
        for item in (self.text, self.expert, self.where):
            self.add_item(item)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        if interaction.user.id != self.flow.owner:
            await send_private(interaction, REFUSAL)
            return
        edited = edited_saved_answer(self.answer, self.text.value, self.expert.value, self.where.value)
        self.flow.edits[self.said.message_id] = edited
        await self.flow._show(interaction)

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error)


def _said(message: discord.Message) -> Said | None:
    if message.author.bot or not message.content.strip():
        return None
    roles = tuple(r.id for r in getattr(message.author, "roles", ())[1:])  # [0] is @everyone
    return Said(message.id, message.author.id, message.author.display_name, roles, message.content)


async def _as_members(guild: discord.Guild, history: list[discord.Message], said: list[Said]) -> list[Said]:
    """Authors as this server knows them. Messages read from the history carry a user, not a
    member (Discord sends member data only with live events, and the bot runs without the
    privileged Members intent), so their server nickname and roles — the role credits — are
    fetched once per author (REST, no intent needed). An author who left keeps their name only."""
    users = {m.author.id for m in history if not isinstance(m.author, discord.Member)}
    members: dict[int, discord.Member] = {}
    for user_id in users & {s.author_id for s in said}:
        member = guild.get_member(user_id)
        if member is None:
            try:
                member = await guild.fetch_member(user_id)
            except discord.HTTPException:
                continue  # left the server (or hidden from us): credited by name only
        members[user_id] = member
    return [
        replace(s, display_name=m.display_name, role_ids=tuple(r.id for r in m.roles[1:]))
        if (m := members.get(s.author_id))
        else s
        for s in said
    ]


async def save_to_faq(interaction: discord.Interaction, message: discord.Message) -> None:
    """The "Save to FAQ" message command."""
    if not await is_moderator(interaction):
        await send_private(interaction, REFUSAL)
        return
    assert interaction.guild_id is not None
    channel = message.channel
    thread = channel if isinstance(channel, discord.Thread) else None
    perms = interaction.app_permissions  # the bot's, in this channel, as Discord sent them
    missing = [n for n, ok in (("View Channel", perms.view_channel),
                               ("Read Message History", perms.read_message_history)) if not ok]  # fmt: skip
    if missing:  # Discord would list no messages at all: say why instead of "no replies"
        await send_private(interaction, _lacking(missing))
        return
    try:
        if thread is not None:
            question = thread.name
            history = [m async for m in thread.history(limit=HISTORY)]
            history.reverse()
        else:
            question = message.content
            history = [m async for m in channel.history(limit=HISTORY, after=message, oldest_first=True)]
    except discord.Forbidden:
        log.warning("Save to FAQ: cannot read the history of channel %s (Read Message History)", channel.id)
        await send_private(interaction, _lacking(["View Channel", "Read Message History"]))
        return
    said = [s for m in history if (thread is not None or m.id != message.id) and (s := _said(m))]
    if thread is not None and isinstance(thread.parent, discord.ForumChannel):
        said = [s for s in said if s.message_id != thread.id]  # the post itself is the question
    if not said:
        unread = any(not m.author.bot and not m.content and not m.attachments for m in history)
        if unread and not service_of(interaction.client).config.discord.message_content:
            text = (
                "I can't read the replies' text: the bot runs without Discord's **Message Content** "
                "intent. The bot's owner can turn it on in the developer portal and set "
                "`discord.message_content: true`. Nothing was saved."
            )
        else:
            text = "There are no replies with text after that message to save as answers."
        await send_private(interaction, text)
        return
    assert interaction.guild is not None
    said = await _as_members(interaction.guild, history, said[-25:])
    flow = SaveFlow(
        service_of(interaction.client),
        interaction.user.id,
        interaction.guild_id,
        question,
        said,
        message.jump_url,
    )
    content, _ = await flow.propose()
    await interaction.response.send_message(content, view=flow, ephemeral=True, allowed_mentions=NO_MENTIONS)


def _lacking(missing: list[str]) -> str:
    return (
        "I can't read this channel's messages: I lack "
        + " and ".join(f"**{m}**" for m in missing)
        + " here. Grant it to my role in this channel, then try again. Nothing was saved."
    )


async def answer_expired(interaction: discord.Interaction) -> None:
    """`on_interaction`: a `faqs:` click or form whose flow is gone (expired, restarted)."""
    data: dict[str, Any] = dict(interaction.data or {})
    custom_id = str(data.get("custom_id", ""))
    if not custom_id.startswith(PREFIX) or custom_id[len(PREFIX) :].split(":")[0] in _live:
        return
    if interaction.type in (discord.InteractionType.component, discord.InteractionType.modal_submit):
        await send_private(
            interaction,
            "This Save to FAQ expired (15 minutes, or the bot restarted); nothing "
            "was saved. Use Apps → Save to FAQ again.",
        )


def context_menu() -> app_commands.ContextMenu:
    menu = app_commands.ContextMenu(name="Save to FAQ", callback=save_to_faq)
    menu.guild_only = True

    async def on_error(interaction: discord.Interaction, error: app_commands.AppCommandError) -> None:
        await report_error(interaction, error)

    menu.on_error = on_error
    return menu
