"""Help forums (issue 16): when a member opens a post in a forum (or a thread in a text
channel) that moderators turned suggestions on for, match its title and first message with
the same decision as /ask; when confident, reply once in the post with the entry's answer
and "This solved it" / "Not it" buttons for the poster. Below the bar: silence.

A post is claimed in the store before the reply is sent, so replayed THREAD_CREATE events,
reconnects, restarts and other processes never give a post a second reply.

Needs the Guilds intent (THREAD_CREATE), Guild Messages + Message Content (to read the first
message; without it only the title is matched), and in the channel: View Channel, Send
Messages in Threads, Embed Links, Read Message History; Manage Threads to tag/close on "Solved".

custom_id: faq:fp:<1|0>:<thread id>   "This solved it" / "Not it"
"""

from __future__ import annotations

import logging
import re
import time
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.community import post_query, solved_tag_ids
from bot.present.embeds import answer_embed
from bot.ratelimit import Cooldown
from bot.service import FaqService
from bot.settings import GuildSettings
from bot.store.forums import ForumPost
from cogs import experts, savefaq
from cogs.common import (
    NO_MENTIONS,
    ensure_service,
    release_service,
    send_private,
)
from cogs.ui.defer import defer_write, edit_message
from cogs.ui.errors import ReportsErrors
from cogs.views import AllAnswers

log = logging.getLogger("faqbot.forums")


def missing_permissions(
    channel: discord.abc.GuildChannel | discord.Thread, me: discord.Member, *, manage: bool = False
) -> list[str]:
    """The permissions the bot lacks to suggest answers in `channel`'s posts/threads, by name."""
    perms = channel.permissions_for(me)
    needed = [
        ("View Channel", perms.view_channel),
        ("Send Messages in Threads", perms.send_messages_in_threads),
        ("Embed Links", perms.embed_links),
        ("Read Message History", perms.read_message_history),
    ]
    if manage:
        needed.append(("Manage Threads", perms.manage_threads))
    return [name for name, ok in needed if not ok]


class ForumReply(
    ReportsErrors,
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"faq:fp:(?P<v>[01]):(?P<thread>\d{1,20})",
):
    """ "This solved it" / "Not it" under a suggestion; only the post's author may press them."""

    def __init__(self, thread_id: int, solved: bool) -> None:
        super().__init__(
            discord.ui.Button(
                label="This solved it" if solved else "Not it",
                emoji="✅" if solved else "✖️",
                style=discord.ButtonStyle.success if solved else discord.ButtonStyle.secondary,
                custom_id=f"faq:fp:{int(solved)}:{thread_id}",
            )
        )
        self.thread_id = thread_id
        self.solved = solved

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: Any, match: re.Match[str]
    ) -> ForumReply:
        return cls(int(match["thread"]), match["v"] == "1")

    async def callback(self, interaction: discord.Interaction) -> None:
        service: FaqService = interaction.client.faq_service  # type: ignore[attr-defined]
        gid = interaction.guild_id
        post = await service.forum_post(gid, self.thread_id) if gid else None
        if post is None:
            await send_private(interaction, "I no longer know this post's suggestion.")
            return
        if interaction.user.id != post.poster_id:
            await send_private(
                interaction, "Only the member who opened this post can answer this — thanks anyway!"
            )
            return
        await defer_write(interaction, update=True)  # the write below may wait for the database
        if not await service.resolve_forum_post(post, self.solved):
            await send_private(interaction, "This suggestion has been answered already.")
            return
        if self.solved:
            await edit_message(interaction, view=reply_view(post.thread_id, post.entry_id, done=True))
            await _close_solved(service, interaction, post)
        else:
            await send_private(
                interaction, "Thanks — I removed my suggestion; the moderators will see the question."
            )
            if interaction.message is not None:
                try:
                    await interaction.message.delete()
                except discord.HTTPException as exc:
                    log.warning("forum post %s: could not remove my suggestion: %s", post.thread_id, exc)


async def _close_solved(service: FaqService, interaction: discord.Interaction, post: ForumPost) -> None:
    """Tag and/or close a solved post when the server's settings say so."""
    settings = await service.guild_settings(post.guild_id)
    thread = interaction.channel
    if not isinstance(thread, discord.Thread):
        return
    changes: dict[str, Any] = {}
    parent = thread.parent
    if isinstance(parent, discord.ForumChannel):
        available = [(t.id, t.name) for t in parent.available_tags]
        tags = solved_tag_ids(available, [t.id for t in thread.applied_tags], settings.suggest_solved_tag)
        if tags is not None:
            changes["applied_tags"] = [discord.Object(id=t) for t in tags]
    if settings.suggest_close_solved:
        changes["archived"] = True
    if not changes:
        return
    try:
        await thread.edit(**changes)
    except discord.Forbidden:
        log.warning(
            "forum post %s: cannot tag/close it: the bot lacks Manage Threads in #%s", thread.id, parent
        )
        await send_private(interaction, "I couldn't tag or close this post: I lack Manage Threads here.")
    except discord.HTTPException as exc:
        log.warning("forum post %s: tagging/closing failed: %s", thread.id, exc)


def reply_view(thread_id: int, entry_id: str, *, done: bool = False) -> discord.ui.View:
    view = discord.ui.View(timeout=None)
    if not done:
        view.add_item(ForumReply(thread_id, True))
        view.add_item(ForumReply(thread_id, False))
    view.add_item(AllAnswers(entry_id))
    return view


class ForumsCog(commands.Cog):
    def __init__(self, bot: commands.Bot, service: FaqService) -> None:
        self.bot = bot
        self.service = service
        self.user_cooldown = Cooldown(service.config.keyword_replies.user_cooldown_seconds)
        self.warned: set[tuple[int, str]] = set()
        self.save_menu = savefaq.context_menu()  # (channel, what) logged once, not per post

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(ForumReply, *experts.EXPERT_ITEMS)
        self.bot.tree.add_command(self.save_menu)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(ForumReply, *experts.EXPERT_ITEMS)
        self.bot.tree.remove_command(self.save_menu.name, type=self.save_menu.type)

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction) -> None:
        try:
            await savefaq.answer_expired(interaction)
        except Exception:
            log.exception("answering an expired Save to FAQ click failed")

    @commands.Cog.listener()
    async def on_thread_create(self, thread: discord.Thread) -> None:
        try:
            await self._suggest(thread)
        except Exception:
            log.exception("help-forum suggestion failed in thread %s", thread.id)

    def _warn_once(self, channel_id: int, what: str, message: str, *args: Any) -> None:
        if (channel_id, what) not in self.warned:
            self.warned.add((channel_id, what))
            log.warning(message, *args)

    async def _starter(self, thread: discord.Thread) -> discord.Message | None:
        """The post's first message: in the thread for a forum, in the parent for a text thread."""
        if thread.starter_message is not None:
            return thread.starter_message
        source = thread if isinstance(thread.parent, discord.ForumChannel) else thread.parent
        if source is None or not isinstance(source, discord.abc.Messageable):
            return None
        try:
            return await source.fetch_message(thread.id)
        except discord.NotFound:
            return None  # a thread started without a message: its title is the question
        except discord.Forbidden:
            self._warn_once(
                thread.parent_id,
                "history",
                "cannot read posts in channel %s: the bot lacks Read Message History; matching titles only",
                thread.parent_id,
            )
            return None

    async def _suggest(self, thread: discord.Thread) -> None:
        guild = thread.guild
        settings = await self.service.guild_settings(guild.id)
        if thread.parent_id not in (settings.suggest_channels or []):
            return
        owner_id = thread.owner_id
        owner = guild.get_member(owner_id) if owner_id else None
        if owner_id is None or owner_id == self.bot.user.id or (owner is not None and owner.bot):  # type: ignore[union-attr]
            return
        missing = missing_permissions(thread, guild.me)
        if missing:
            self._warn_once(
                thread.parent_id,
                "perms",
                "help-forum suggestions in channel %s are off in effect: the bot lacks %s there",
                thread.parent_id,
                ", ".join(missing),
            )
            return
        if self.service.config.discord.message_content is False:
            self._warn_once(
                0,
                "intent",
                "help-forum suggestions match post titles only: the Message Content "
                "intent is off (discord.message_content)",
            )
        now = time.monotonic()
        key = (guild.id, owner_id)
        if not self.user_cooldown.ready(key, now, settings.keyword_user_cooldown):
            return
        starter = await self._starter(thread)
        if starter is not None and starter.author.bot:
            return  # the member cache may not know bots (no Members intent); the message does
        query = post_query(thread.name, starter.content if starter else "")
        if not query:
            return
        reply = await self.service.ask(query, guild.id, record=False)  # the poster's click records it
        if reply.result.decision != "answer" or reply.entry is None:
            return
        post = ForumPost(
            guild.id, thread.id, thread.parent_id, owner_id, reply.entry.id, query, None, "claimed"
        )
        if not await self.service.claim_forum_post(post):
            return  # answered before (a replayed event, another process, a restart)
        self.user_cooldown.hit(key, now)
        embed = discord.Embed.from_dict(answer_embed(reply))
        try:
            sent = await thread.send(
                "This may answer your question:",
                embed=embed,
                view=reply_view(thread.id, reply.entry.id),
                allowed_mentions=NO_MENTIONS,
            )
        except discord.HTTPException as exc:
            await self.service.set_forum_post(guild.id, thread.id, "failed")
            log.warning("could not reply in post %s of channel %s: %s", thread.id, thread.parent_id, exc)
            return
        await self.service.set_forum_post(guild.id, thread.id, "replied", reply_id=sent.id)
        log.info("suggested %r in post %s of channel %s", reply.entry.id, thread.id, thread.parent_id)


async def setup(bot: commands.Bot) -> None:
    service = await ensure_service(bot)
    await bot.add_cog(ForumsCog(bot, service))


async def teardown(bot: commands.Bot) -> None:
    await release_service(bot, still_loaded=("cogs.faq", "cogs.moderation"))


class SuggestChannel(app_commands.Transformer):
    """A forum or text channel option. Spelled out because discord.py's `ForumChannel` annotation
    also offers media channels (type 16), which Discord's OpenAPI spec does not list."""

    @property
    def type(self) -> discord.AppCommandOptionType:
        return discord.AppCommandOptionType.channel

    @property
    def channel_types(self) -> list[discord.ChannelType]:
        return [discord.ChannelType.forum, discord.ChannelType.text]

    async def transform(self, interaction: discord.Interaction, value: Any) -> int:
        return int(value.id)


def forum_permission_warning(
    interaction: discord.Interaction, channel_id: int | None, settings: GuildSettings
) -> str:
    """For /faq settings add_suggest_channel: tell the moderator now what the bot lacks there."""
    guild = interaction.guild
    channel = guild.get_channel(channel_id) if guild is not None and channel_id else None
    if channel is None or guild is None:
        return ""
    manage = bool(settings.suggest_solved_tag or settings.suggest_close_solved)
    missing = missing_permissions(channel, guild.me, manage=manage)
    if not missing:
        return ""
    return (
        f"\n⚠️ I can't suggest answers in {channel.mention} yet: I lack "
        + ", ".join(f"**{m}**" for m in missing)
        + " there. Grant them to my role in that channel."
    )
