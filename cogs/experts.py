"""Ask the experts (issue 16): a member whose /ask (or "Find FAQ answer") found no answer may
send the question to the server's experts channel; a member with an expert role answers in a
form; a moderator approves (or the server trusts its experts), the answer becomes a credited
answer on a new or existing entry, and the member is told in the channel they asked in (their
name, no ping; under the message "Find FAQ answer" was used on) — or by DM if they chose it, with
the channel reply as the fallback when their DMs are closed (Discord's 50007).

custom_ids:  faq:ax:<token>     "Ask the experts" under a miss (the offer lives 15 min in memory)
             faq:xd:<qid>:<1|0> "Tell me by DM instead" / "Tell me here instead" (the asker; persistent)
             faq:xa:<qid>       "Answer" on the question in the experts channel (persistent)
             faq:xp:<qid>       "Approve" a proposed answer (moderators; persistent)
             faq:xm:<qid>       the answer form
"""

from __future__ import annotations

import logging
import re
import secrets
import time
from collections import OrderedDict
from datetime import UTC, datetime
from typing import Any

import discord

from bot.community import Said, credited_provider, proposed_entry, with_answers
from bot.curation import CurationError
from bot.models import Answer
from bot.present.embeds import answer_embed, byline, clip, escape_markdown
from bot.service import FaqService
from bot.settings import GuildSettings
from bot.store.forums import ExpertQuestion
from bot.text import clean_text
from cogs.common import NO_MENTIONS, send_private, service_of
from cogs.moderation.access import PENDING_TTL, REFUSAL, actor_of, is_moderator
from cogs.ui.defer import defer_write, edit_message
from cogs.ui.errors import ReportsErrors, report_error

log = logging.getLogger("faqbot.experts")

QID = r"(?P<qid>[0-9a-f]{12})"
OFFERS_MAX = 1000
WAIT_TOO_LONG = 24 * 3600  # seconds after which /faq stats flags a waiting question
# token → (at, guild, channel, asker, question, message to reply under)
_offers: OrderedDict[str, tuple[float, int, int, int, str, int | None]] = OrderedDict()


async def offer_button(
    client: discord.Client, interaction: discord.Interaction, query: str, *, reply_to: int | None = None
) -> discord.ui.Item[Any] | None:
    """An "Ask the experts" button for a miss, when this server has an experts channel.
    `reply_to`: the message "Find FAQ answer" was used on; the member is told under it."""
    gid, channel = interaction.guild_id, interaction.channel_id
    if not gid or not channel or not query.strip():
        return None
    if not (await service_of(client).guild_settings(gid)).experts_channel_id:
        return None
    cutoff = time.monotonic() - PENDING_TTL
    while _offers and (len(_offers) >= OFFERS_MAX or next(iter(_offers.values()))[0] < cutoff):
        _offers.popitem(last=False)
    token = secrets.token_hex(6)
    _offers[token] = (time.monotonic(), gid, channel, interaction.user.id, query[:300], reply_to)
    return AskExperts(token)


def _experts(member: discord.abc.User, settings: GuildSettings) -> bool:
    wanted = set(settings.expert_role_ids or [])
    return isinstance(member, discord.Member) and any(r.id in wanted for r in member.roles)


class AskExperts(ReportsErrors, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:ax:{QID}"):
    def __init__(self, token: str) -> None:
        super().__init__(
            discord.ui.Button(
                label="Ask the experts", style=discord.ButtonStyle.primary, custom_id=f"faq:ax:{token}"
            )
        )
        self.token = token

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> AskExperts:
        return cls(match["qid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        offer = _offers.get(self.token)
        if offer is None:
            await send_private(
                interaction, "This offer expired (15 minutes, or the bot restarted): ask again."
            )
            return
        _, gid, channel_id, asker, query, reply_to = offer
        if interaction.user.id != asker:
            await send_private(
                interaction, "Only the member who asked can send this question to the experts."
            )
            return
        service = service_of(interaction.client)
        settings = await service.guild_settings(gid)
        guild = interaction.guild
        target = guild.get_channel(settings.experts_channel_id or 0) if guild else None
        if guild is None or not isinstance(target, discord.TextChannel):
            await send_private(interaction, "This server's experts channel is gone; tell the moderators.")
            return
        perms = target.permissions_for(guild.me)
        if not (perms.view_channel and perms.send_messages and perms.embed_links):
            log.warning(
                "cannot post to the experts channel %s: missing View Channel/Send Messages/Embed Links",
                target.id,
            )
            await send_private(interaction, "I can't post in the experts channel (missing permissions); "
                               "the moderators can see why in my log.")  # fmt: skip
            return
        _offers.pop(self.token, None)
        await defer_write(interaction)  # the writes below may wait for the database
        question = ExpertQuestion(gid, self.token, asker, channel_id, query, reply_to=reply_to)
        await service.add_expert_question(question)
        ping = settings.experts_ping_role_id
        view = discord.ui.View(timeout=None)
        view.add_item(AnswerButton(self.token))
        posted = await target.send(
            f"<@&{ping}>" if ping else None,
            embed=question_embed(question),
            view=view,
            allowed_mentions=discord.AllowedMentions(roles=[_IdAsString(ping)]) if ping else NO_MENTIONS,  # type: ignore[list-item]
        )
        await service.set_expert_question(gid, self.token, "waiting", post_id=posted.id)
        await send_private(
            interaction, sent_text(target.mention, dm=False), view=notify_view(self.token, dm=False)
        )


def sent_text(experts: str, *, dm: bool) -> str:
    how = (
        "I'll tell you by DM when one answers (if your DMs are closed, here instead, without a ping)."
        if dm
        else "I'll tell you here when one answers (a reply that doesn't ping you)."
    )
    return f"Sent to the experts in {experts}. {how}"


def notify_view(qid: str, *, dm: bool) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    view.add_item(NotifyToggle(qid, not dm))
    return view


class NotifyToggle(
    ReportsErrors, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:xd:{QID}:(?P<dm>[01])"
):
    """The member who asked switches between a DM and a channel reply for the answer."""

    def __init__(self, qid: str, dm: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label="Tell me by DM instead" if dm else "Tell me here instead",
                emoji="✉️" if dm else "💬",
                style=discord.ButtonStyle.secondary,
                custom_id=f"faq:xd:{qid}:{int(dm)}",
            )
        )
        self.qid, self.dm = qid, dm

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> NotifyToggle:
        return cls(match["qid"], match["dm"] == "1")

    async def callback(self, interaction: discord.Interaction) -> None:
        service = service_of(interaction.client)
        gid = interaction.guild_id or 0
        await defer_write(interaction, update=True)  # the write below may wait for the database
        if not await service.set_expert_notify(gid, self.qid, interaction.user.id, dm=self.dm):
            await send_private(
                interaction, "Too late to change: this question has been answered already (or isn't yours)."
            )
            return
        experts = (await service.guild_settings(gid)).experts_channel_id
        await edit_message(
            interaction,
            content=sent_text(f"<#{experts}>" if experts else "the experts channel", dm=self.dm),
            view=notify_view(self.qid, dm=self.dm),
        )


class _IdAsString:
    """A snowflake whose id goes out as a string where discord.py would send the int and
    Discord's OpenAPI spec types it as a snowflake string: allowed_mentions.roles, and the
    recipient_id that opens a DM channel."""

    def __init__(self, snowflake: int) -> None:
        self.id = str(snowflake)


def question_embed(q: ExpertQuestion, *, answer: str | None = None, by: str | None = None) -> discord.Embed:
    embed: dict[str, Any] = {"title": "A member asks", "description": clip(escape_markdown(q.question), 4000)}
    if answer:
        embed["fields"] = [
            {"name": clip(f"Proposed answer by {by or 'an expert'}", 256), "value": clip(answer, 1024)}
        ]
    return discord.Embed.from_dict(embed)


class AnswerButton(ReportsErrors, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:xa:{QID}"):
    def __init__(self, qid: str) -> None:
        super().__init__(
            discord.ui.Button(label="Answer", style=discord.ButtonStyle.success, custom_id=f"faq:xa:{qid}")
        )
        self.qid = qid

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> AnswerButton:
        return cls(match["qid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        service = service_of(interaction.client)
        gid = interaction.guild_id or 0
        settings = await service.guild_settings(gid)
        if not (_experts(interaction.user, settings) or await is_moderator(interaction)):
            await send_private(
                interaction, "Only members with one of this server's expert roles can answer here."
            )
            return
        q = await service.expert_question(gid, self.qid)
        if q is None or q.state != "waiting":
            await send_private(interaction, "This question has been answered already.")
            return
        await interaction.response.send_modal(AnswerModal(self.qid, q.question))


class AnswerModal(discord.ui.Modal):
    def __init__(self, qid: str, question: str) -> None:
        super().__init__(title="Answer the member", custom_id=f"faq:xm:{qid}", timeout=PENDING_TTL)
        self.qid = qid
        self.answer: discord.ui.TextInput[AnswerModal] = discord.ui.TextInput(
            label=clip(question, 45), style=discord.TextStyle.paragraph, max_length=4000, custom_id="answer"
        )
        self.add_item(self.answer)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        service = service_of(interaction.client)
        gid = interaction.guild_id or 0
        text = clean_text(self.answer.value)
        if not text:
            raise CurationError("The answer is empty.")
        await defer_write(interaction)  # the writes below may wait for the database
        moved = await service.set_expert_question(
            gid, self.qid, "proposed", expect=("waiting",), answer=text, expert_id=interaction.user.id
        )
        if not moved:
            await send_private(interaction, "Another expert answered this question first; thanks!")
            return
        settings = await service.guild_settings(gid)
        if settings.experts_trusted or await is_moderator(interaction):
            await apply_answer(interaction, self.qid)
            return
        q = await service.expert_question(gid, self.qid)
        assert q is not None
        view = discord.ui.View(timeout=None)
        view.add_item(ApproveButton(self.qid))
        if interaction.message is not None:
            await interaction.message.edit(
                embed=question_embed(q, answer=text, by=interaction.user.display_name), view=view,
                allowed_mentions=NO_MENTIONS,
            )  # fmt: skip
        await send_private(interaction, "Thanks! A moderator will approve your answer before members see it.")

    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await report_error(interaction, error)


class ApproveButton(ReportsErrors, discord.ui.DynamicItem[discord.ui.Button[Any]], template=rf"faq:xp:{QID}"):
    def __init__(self, qid: str) -> None:
        super().__init__(
            discord.ui.Button(label="Approve", style=discord.ButtonStyle.success, custom_id=f"faq:xp:{qid}")
        )
        self.qid = qid

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> ApproveButton:
        return cls(match["qid"])

    async def callback(self, interaction: discord.Interaction) -> None:
        if not await is_moderator(interaction):
            await send_private(interaction, REFUSAL)
            return
        await apply_answer(interaction, self.qid)


async def apply_answer(interaction: discord.Interaction, qid: str) -> None:
    """A proposed answer becomes a credited answer (new entry, or added to the entry the question
    resembles); the question is marked answered and the member who asked is told."""
    service = service_of(interaction.client)
    guild = interaction.guild
    assert guild is not None
    await defer_write(interaction)  # the writes below may wait for the database
    if not await service.set_expert_question(guild.id, qid, "answered", expect=("proposed",)):
        await send_private(interaction, "This answer was handled already.")
        return
    # Read after the move: a "Tell me by DM" acknowledged before it is in this row (later ones are refused).
    q = await service.expert_question(guild.id, qid)
    assert q is not None and q.answer is not None and q.expert_id is not None
    try:
        entry_id = await _save(service, guild, q, actor_of(interaction.user))
    except BaseException:
        await service.set_expert_question(guild.id, qid, "proposed", expect=("answered",))
        raise
    await service.set_expert_question(guild.id, qid, "answered", entry_id=entry_id)
    how = "by DM" if q.notify == "dm" else f"in <#{q.channel_id}>"
    await send_private(interaction, f"Saved in `{entry_id}`; telling the member who asked ({how}).")
    if interaction.message is not None:
        await interaction.message.edit(
            content=f"Answered — saved in `{entry_id}`.", view=None, allowed_mentions=NO_MENTIONS
        )
    if not await tell_asker(interaction.client, guild, q, entry_id):
        await send_private(
            interaction,
            f"⚠️ I couldn't tell the member who asked: I can't post in <#{q.channel_id}> (I need View "
            "Channel and Send Messages there — Send Messages in Threads for a thread). The answer is saved.",
        )


async def tell_asker(client: discord.Client, guild: discord.Guild, q: ExpertQuestion, entry_id: str) -> str:
    """Tell the member who asked: by DM if they chose it, else — or when their DMs are closed —
    in the channel they asked in, under the message they asked about, naming them without a ping.
    Returns how they were told ("dm", "channel", or "" when neither worked: logged)."""
    asked = clip(escape_markdown(q.question), 300)
    closed = False
    if q.notify == "dm":
        try:
            dm = await client.create_dm(_IdAsString(q.asker_id))  # type: ignore[arg-type]
            reply = await service_of(client).answer_for(guild.id, entry_id)
            embeds = [discord.Embed.from_dict(answer_embed(reply))] if reply is not None else []
            await dm.send(
                f"An expert answered the question you asked in **{escape_markdown(guild.name)}** "
                f"(<#{q.channel_id}>): “{asked}”",
                embeds=embeds,
                allowed_mentions=NO_MENTIONS,
            )
            return "dm"
        except discord.Forbidden as exc:  # 50007: DMs closed to the bot; the channel reply instead
            closed = True
            log.info(
                "member %s does not take DMs (%s): telling them in channel %s",
                q.asker_id,
                exc.code,
                q.channel_id,
            )
        except discord.HTTPException as exc:
            log.warning(
                "could not DM member %s: %s; telling them in channel %s", q.asker_id, exc, q.channel_id
            )
    channel = guild.get_channel_or_thread(q.channel_id)
    if not isinstance(channel, discord.abc.Messageable):
        log.warning("could not tell member %s: channel %s is gone", q.asker_id, q.channel_id)
        return ""
    reference = (
        discord.MessageReference(message_id=q.reply_to, channel_id=q.channel_id, fail_if_not_exists=False)
        if q.reply_to
        else None
    )
    note = " (I couldn't DM you: your DMs are closed to me)" if closed else ""
    text = (
        f"<@{q.asker_id}>, an expert answered your question “{asked}”{note}: "
        f"ask `/ask {clip(q.question, 100)}` to see the answer."
    )
    try:
        try:
            await channel.send(text, reference=reference, allowed_mentions=NO_MENTIONS)  # type: ignore[arg-type]
        except discord.Forbidden:
            if reference is None:
                raise
            # A reply needs Read Message History too; without it, the message alone.
            log.warning("cannot reply under message %s (Read Message History?): posting", q.reply_to)
            await channel.send(text, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning("could not tell member %s in channel %s: %s", q.asker_id, q.channel_id, exc)
        return ""
    return "channel"


async def _save(service: FaqService, guild: discord.Guild, q: ExpertQuestion, actor: str) -> str:
    assert q.answer is not None and q.expert_id is not None
    member = guild.get_member(q.expert_id)
    if member is None:
        try:
            member = await guild.fetch_member(q.expert_id)
        except discord.HTTPException:
            member = None
    said = Said(0, q.expert_id, member.display_name if member else "an expert",
                tuple(r.id for r in member.roles[1:]) if member else (), q.answer)  # fmt: skip
    settings = await service.guild_settings(guild.id)
    answer = Answer(title="", text=q.answer, provider=credited_provider(said, settings))
    action = f"expert answer to question {q.qid}"
    dupes = await service.near_duplicates(guild.id, q.question)
    own = {e.id for e in service.own_entries(guild.id)}
    existing = next((d.entry_id for d in dupes if d.entry_id in own), None)
    if existing:
        stored = service.own_entry(guild.id, existing)
        saved = await service.save_unchanged_since(
            with_answers(stored.entry, [answer]), stored.revision, actor=actor, action=action
        )
    else:
        entry = proposed_entry(
            guild_id=guild.id,
            question=q.question,
            answers=[answer],
            taken_ids=service.taken_ids(guild.id),
            source_url=None,
        )
        saved = await service.save_entry(entry, actor=actor, action=action, create=True)
    log.info("expert answer by %s saved in %r (guild %s)", byline(answer), saved.id, guild.id)
    return saved.id


async def waiting_field(service: FaqService, guild_id: int) -> dict[str, Any] | None:
    """For /faq stats: questions sent to the experts and not answered yet, oldest first."""
    waiting = await service.waiting_expert_questions(guild_id, limit=10)
    if not waiting:
        return None
    now = datetime.now(UTC)
    lines = []
    for q in waiting:
        asked = datetime.fromisoformat(q.asked_at) if q.asked_at else now
        hours = (now - asked).total_seconds() / 3600
        late = " ⏰" if hours * 3600 >= WAIT_TOO_LONG else ""
        lines.append(f"• {escape_markdown(clip(q.question, 80))} — {q.state}, {hours:.0f} h{late}")
    return {"name": f"Waiting for the experts ({len(waiting)})", "value": clip("\n".join(lines), 1024)}


EXPERT_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (
    AskExperts, NotifyToggle, AnswerButton, ApproveButton,
)  # fmt: skip
