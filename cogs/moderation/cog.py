"""The `/faq` command group (ModerationCog) and the extension's setup/teardown."""

from __future__ import annotations

from datetime import UTC, datetime
from io import BytesIO
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.bylines import read_byline
from bot.community import experts_settings_changes, role_credit_changes, suggest_settings_changes
from bot.curation import (
    FILTER_MAX,
    LIST_SCOPES,
    MAX_UPLOAD_BYTES,
    RESETTABLE,
    CurationError,
    ImportPlan,
    Listed,
    edited_entry,
    make_answer,
    matches_filter,
    new_entry,
    plan_import,
    settings_changes,
    unique_id,
    with_answer,
    with_phrasing,
    without_answer,
)
from bot.grammar import plural
from bot.models import MAX_ANSWERS, Entry
from bot.present.bylines import byline_preview
from bot.present.curation import (
    SettingsDefaults,
    entry_embed,
    history_embed,
    import_preview_embed,
    list_page,
    settings_embed,
    stats_embed,
)
from bot.present.embeds import answer_embed, clip
from bot.present.globals import server_phrasings_field
from bot.service import FaqService
from bot.settings import GuildSettings, SettingsChange
from bot.store import StoredEntry
from bot.yamlio import dump_entries
from cogs.common import (
    ensure_service,
    release_service,
)
from cogs.forums import SuggestChannel, forum_permission_warning
from cogs.moderation.access import (
    REFUSAL,
    NotModerator,
    actor_of,
    cog_of,
    is_moderator,
    require_moderator,
    send,
)
from cogs.moderation.buttons import (
    DYNAMIC_ITEMS,
    AliasButton,
    PendingButton,
    RemoveAnswerButton,
    RemoveButton,
    answer_label,
)
from cogs.moderation.drafts import (
    DraftAdd,
    DraftByline,
    Pending,
)
from cogs.moderation.globals import global_entry_message
from cogs.moderation.modals import (
    AddModal,
    AnswerModal,
    EditModal,
)
from cogs.moderation.unrouted import answer_unrouted
from cogs.ui import paginator
from cogs.ui.confirm import CANCELLED
from cogs.ui.defer import defer_write, edit_message
from cogs.ui.errors import report_error
from cogs.ui.paginator import PageContent, send_first_page
from cogs.views import AllAnswers


async def _respond(
    interaction: discord.Interaction,
    content: str,
    *,
    embed: dict[str, Any] | None = None,
    view: discord.ui.View | None = None,
    edit: bool = False,
) -> None:
    """A private reply, or (`edit`) the clicked button's message replaced by it."""
    if not edit:
        await send(interaction, content, embed=embed, view=view)
        return
    await edit_message(
        interaction,
        content=content,
        embed=discord.Embed.from_dict(embed) if embed is not None else None,
        view=view,
    )


class ModerationCog(commands.Cog, name="FaqModeration"):
    faq = app_commands.Group(
        name="faq",
        description="Curate this server's FAQ (moderators)",
        guild_only=True,
        allowed_contexts=app_commands.AppCommandContext(guild=True),
        default_permissions=discord.Permissions(manage_guild=True),
    )

    def __init__(self, bot: commands.Bot, service: FaqService) -> None:
        self.bot = bot
        self.service = service
        self.pending = Pending()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)
        paginator.attach(self.bot)
        self.bot.add_listener(answer_unrouted, "on_interaction")

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        paginator.detach(self.bot)
        self.bot.remove_listener(answer_unrouted, "on_interaction")

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if not await is_moderator(interaction):
            raise NotModerator(REFUSAL)
        return True

    async def cog_app_command_error(
        self, interaction: discord.Interaction, error: app_commands.AppCommandError
    ) -> None:
        await report_error(interaction, error)

    # -- helpers ----------------------------------------------------------------------------

    @staticmethod
    def _gid(interaction: discord.Interaction) -> int:
        if interaction.guild_id is None:  # guild_only keeps /faq out of DMs; belt and braces
            raise CurationError("/faq works inside a server only.")
        return interaction.guild_id

    @staticmethod
    def _resolve(value: str, pool: list[Entry], what: str = "entry") -> Entry:
        """An autocomplete id, or a question typed out in full; else a specific error."""
        value = value.strip()
        for e in pool:
            if e.id == value:
                return e
        folded = value.casefold()
        for e in pool:
            if e.question.casefold() == folded:
                return e
        raise CurationError(f"No {what} “{clip(value, 80)}” here; pick one from the list as you type.")

    def _own(self, guild_id: int, value: str) -> StoredEntry:
        entry = self._resolve(value, [*self.service.own_entries(guild_id), *self._globals()])
        return self.service.own_entry(guild_id, entry.id)  # ReadOnly for a global entry

    def _globals(self) -> list[Entry]:
        return self.service.own_entries(None)

    def _own_or_global(self, guild_id: int, value: str, *, visible: bool = False) -> StoredEntry | Entry:
        """The server's own entry (stored), or a global entry (hidden ones too unless `visible`)."""
        own = self.service.own_entries(guild_id)
        hidden = self.service.hidden_ids(guild_id) if visible else set()
        ids = {e.id for e in own}
        glob = [e for e in self._globals() if e.id not in ids and e.id not in hidden]
        entry = self._resolve(value, [*own, *glob])
        return self.service.own_entry(guild_id, entry.id) if entry.id in ids else entry

    def _phrasable(self, guild_id: int) -> list[Entry]:
        """Entries a server may add phrasings to: its own, and the global ones it shows."""
        own = self.service.own_entries(guild_id)
        hidden = self.service.hidden_ids(guild_id) | {e.id for e in own}
        return own + [e for e in self._globals() if e.id not in hidden]

    def _all(self, guild_id: int) -> list[Listed]:
        hidden = self.service.hidden_ids(guild_id)
        own = [Listed(e, "server") for e in self.service.own_entries(guild_id)]
        own_ids = {x.entry.id for x in own}
        glob = [
            Listed(e, "global", "hidden" if e.id in hidden else "")
            for e in self._globals()
            if e.id not in own_ids
        ]
        removed = [Listed(e, "server", "removed") for e in self.service.removed_entries(guild_id)]
        return own + glob + removed

    async def _choices(
        self, interaction: discord.Interaction, current: str, pool: list[Entry], *, mark_shared: bool = False
    ) -> list[app_commands.Choice[str]]:
        """Up to 25 entries of `pool` for what the moderator typed; `mark_shared` marks the
        global entries (shared by every server) in a list that mixes them with the server's own."""
        if interaction.guild_id is None or not await is_moderator(interaction):
            return []
        by_id = {e.id: e for e in pool}
        ranked = [c.entry_id for c in self.service.autocomplete(current[:100], interaction.guild_id, 50)]
        ids = [i for i in ranked if i in by_id]
        ids += [
            e.id
            for e in sorted(pool, key=lambda e: e.question.casefold())
            if e.id not in ids and matches_filter(e, current)
        ]
        return [app_commands.Choice(name=choice_name(by_id[i], mark_shared), value=i) for i in ids[:25]]

    def list_content(self, guild_id: int, scope: str, text: str, page: int) -> PageContent:
        """One page of /faq list (the shared paginator's kind `faqm:ls`, arg `<scope>:<filter>`)."""
        items = [x for x in self._all(guild_id) if matches_filter(x.entry, text)]
        if scope == "server":
            items = [x for x in items if x.scope == "server" and not x.state]
        elif scope in ("global", "hidden", "removed"):
            items = [x for x in items if scope in (x.scope, x.state)]
        title = (
            "FAQ entries"
            + (f" — {scope}" if scope != "all" else "")
            + (f" matching “{text}”" if text else "")
        )
        embed, pages = list_page(items, page, title=title)
        return PageContent(embed, pages)

    async def _summary_reply(self, guild_id: int, entry_id: str) -> dict[str, Any]:
        self.service.own_entry(guild_id, entry_id)  # NotFound / ReadOnly: said to the moderator
        reply = await self.service.answer_for(guild_id, entry_id)
        assert reply is not None  # own_entry found it
        return answer_embed(reply)

    # -- add / answer / edit / alias ------------------------------------------------------------

    @faq.command(name="add", description="Add an entry: question, phrasings and the first expert answer")
    async def add(self, interaction: discord.Interaction) -> None:
        self._gid(interaction)
        await interaction.response.send_modal(AddModal())

    async def finish_add(self, interaction: discord.Interaction, modal: AddModal) -> None:
        gid = self._gid(interaction)
        answer = make_answer(modal.answer.value, modal.expert.value, modal.where.value)
        entry = new_entry(
            guild_id=gid,
            question=modal.question.value,
            phrasings=modal.phrasings.value,
            answer=answer,
            taken_ids=self.service.taken_ids(gid),
        )
        byline = read_byline(modal.expert.value, modal.where.value)
        if byline.provider is not None:  # the moderator confirms the byline before anything is saved
            await self._preview_byline(interaction, DraftByline(modal.values(), byline, entry=entry))
            return
        await self._add_checked(interaction, entry)

    async def _preview_byline(self, interaction: discord.Interaction, draft: DraftByline) -> None:
        token = self.pending.put((self._gid(interaction), interaction.user.id), draft)
        view = discord.ui.View(timeout=None)
        view.add_item(PendingButton("ok", token, "Confirm and save", discord.ButtonStyle.primary))
        view.add_item(PendingButton("edit", token, "Edit", discord.ButtonStyle.secondary))
        view.add_item(PendingButton("no", token, "Cancel", discord.ButtonStyle.secondary))
        await send(
            interaction,
            "Not saved yet: check the expert's byline, then **Confirm and save** (or **Edit**).",
            embed=byline_preview(draft.byline),
            view=view,
        )

    async def _confirm_byline(
        self, interaction: discord.Interaction, action: str, draft: DraftByline
    ) -> None:
        """Edit reopens the form as typed; Confirm goes on with the save, in the same message."""
        gid = self._gid(interaction)
        if action == "edit":
            if draft.entry is not None:
                await interaction.response.send_modal(AddModal(prefill=draft.fields))
            else:
                assert draft.entry_id is not None
                stored = self.service.own_entry(gid, draft.entry_id)
                modal = AnswerModal(stored, draft.index, prefill=draft.fields, revision=draft.revision)
                await interaction.response.send_modal(modal)
            return
        if draft.entry is not None:
            await self._add_checked(interaction, draft.entry, edit=True)
        else:
            await self._save_answer(interaction, draft, edit=True)

    async def _add_checked(
        self, interaction: discord.Interaction, entry: Entry, *, edit: bool = False
    ) -> None:
        """Save a new entry unless it looks like an existing one (then ask). `edit`: answer by
        replacing the message the clicked button is on."""
        gid = self._gid(interaction)
        dupes = await self.service.near_duplicates(gid, entry.question)
        if dupes:
            best = dupes[0]
            own = any(e.id == best.entry_id for e in self.service.own_entries(gid))
            token = self.pending.put((gid, interaction.user.id), DraftAdd(entry, best, own))
            view = discord.ui.View(timeout=None)
            view.add_item(PendingButton("ok", token, "Create anyway", discord.ButtonStyle.primary))
            # own, or a global entry (the phrasing is then this server's own)
            view.add_item(
                PendingButton(
                    "alias", token, "Add as a phrasing of the existing entry", discord.ButtonStyle.secondary
                )
            )
            view.add_item(PendingButton("no", token, "Cancel", discord.ButtonStyle.secondary))
            await _respond(
                interaction,
                f"Not saved yet: “{clip(entry.question, 200)}” looks like an existing entry, "
                f"“{clip(best.question, 200)}” (`{best.entry_id}`, {best.confidence:.0%} match). "
                "Members asking it would already get that answer.",
                view=view,
                edit=edit,
            )
            return
        await self._create(interaction, entry, edit=edit)

    async def _create(self, interaction: discord.Interaction, entry: Entry, *, edit: bool = False) -> None:
        await defer_write(interaction, update=edit)
        saved = await self.service.save_entry(
            entry, actor=actor_of(interaction.user), action="add", create=True
        )
        content = f"Added `{saved.id}`. Members can find it with /ask now."
        embed = await self._summary_reply(saved.guild_id or 0, saved.id)
        await _respond(interaction, content, embed=embed, edit=edit)

    @faq.command(name="answer", description="Add another expert's answer to an entry")
    @app_commands.describe(entry="The entry (start typing its question)")
    async def answer(self, interaction: discord.Interaction, entry: str) -> None:
        stored = self._own(self._gid(interaction), entry)
        if len(stored.entry.answers) >= MAX_ANSWERS:
            raise CurationError(
                f"`{stored.entry.id}` already has {MAX_ANSWERS} answers, the most it can hold."
            )
        await interaction.response.send_modal(AnswerModal(stored))

    async def finish_answer(self, interaction: discord.Interaction, modal: AnswerModal) -> None:
        gid = self._gid(interaction)
        stored = self.service.own_entry(gid, modal.entry_id)
        answer = make_answer(
            modal.text.value,
            modal.expert.value,
            modal.where.value,
            modal.answer_title.value,
            profile_url=modal.profile_url,
        )
        with_answer(stored.entry, answer, modal.index)  # validates limits now, before any preview
        byline = read_byline(modal.expert.value, modal.where.value, modal.profile_url)
        draft = DraftByline(
            modal.values(),
            byline,
            answer=answer,
            entry_id=modal.entry_id,
            index=modal.index,
            revision=modal.revision,
        )
        old = stored.entry.answers[modal.index].provider if modal.index is not None else None
        if byline.provider is not None and byline.provider != old:  # a new or changed byline: confirm it
            await self._preview_byline(interaction, draft)
            return
        await self._save_answer(interaction, draft)

    async def _save_answer(
        self, interaction: discord.Interaction, draft: DraftByline, *, edit: bool = False
    ) -> None:
        gid = self._gid(interaction)
        answer, index, entry_id = draft.answer, draft.index, draft.entry_id
        assert answer is not None and entry_id is not None
        actor = actor_of(interaction.user)
        await defer_write(interaction, update=edit)
        if index is None:  # appended to the entry as stored now (limits checked against it)
            saved = await self.service.add_answer(gid, entry_id, answer, actor=actor)
            what = f"Added answer {len(saved.answers)} to `{saved.id}`"
        else:
            saved = await self.service.change_entry(
                gid,
                entry_id,
                lambda e: with_answer(e, answer, index),
                actor=actor,
                action="edit",
                expected_revision=draft.revision,
            )
            what = f"Updated answer {index + 1} of `{saved.id}`"
        await _respond(
            interaction,
            f"{what}. The summary members see now:",
            embed=await self._summary_reply(gid, saved.id),
            edit=edit,
        )

    @faq.command(name="edit", description="Edit an entry's question and phrasings, or one of its answers")
    @app_commands.describe(
        entry="The entry (start typing its question)",
        answer="Edit this answer (1 = the first) instead of the question",
    )
    async def edit(
        self,
        interaction: discord.Interaction,
        entry: str,
        answer: app_commands.Range[int, 1, 50] | None = None,
    ) -> None:
        gid = self._gid(interaction)
        found = self._own_or_global(gid, entry)
        if isinstance(found, Entry):  # a global entry: only what a server may change (issue 15)
            if answer is not None:
                raise CurationError(
                    f"`{found.id}` is a global entry (from the bot's data/ folder): its answers are the "
                    "same in every server and can't be edited here. Use /faq edit without answer: to "
                    "add this server's own phrasings or hide it here."
                )
            await send(interaction, **global_entry_message(self.service, gid, found.id))
            return
        stored = found
        if answer is None:
            await interaction.response.send_modal(EditModal(stored))
            return
        if answer > len(stored.entry.answers):
            raise CurationError(
                f"`{stored.entry.id}` has {plural(len(stored.entry.answers), 'answer')}; pick 1 to "
                f"{len(stored.entry.answers)}."
            )
        await interaction.response.send_modal(AnswerModal(stored, answer - 1))

    async def finish_edit(self, interaction: discord.Interaction, modal: EditModal) -> None:
        gid = self._gid(interaction)
        stored = self.service.own_entry(gid, modal.entry_id)
        changed = edited_entry(
            stored.entry,
            question=modal.question.value,
            phrasings=modal.phrasings.value,
            body=modal.body.value,
            tags=modal.tags.value,
        )
        if changed == stored.entry:
            await send(interaction, "No changes; nothing was saved.")
            return
        dupes = await self.service.near_duplicates(gid, changed.question, exclude=changed.id)
        fields = {
            "question": modal.question.value,
            "phrasings": modal.phrasings.value,
            "body": modal.body.value,
            "tags": modal.tags.value,
        }
        await defer_write(interaction)
        saved = await self.service.change_entry(
            gid,
            modal.entry_id,
            lambda e: edited_entry(e, **fields),
            actor=actor_of(interaction.user),
            action="edit",
            expected_revision=modal.revision,  # refused if someone changed it since the form opened
        )
        note = ""
        if dupes and changed.question != stored.entry.question:
            other = dupes[0]
            note = f"\nNote: the question also looks like “{clip(other.question, 150)}” (`{other.entry_id}`)."
        stored_now = self.service.own_entry(gid, saved.id)
        await send(
            interaction,
            f"Saved `{saved.id}`.{note}",
            embed=entry_embed(saved, scope="server", summary=self.service.summary_of(stored_now)),
        )

    @faq.command(name="alias", description="Add an alternate phrasing or keyword to an entry")
    @app_commands.describe(entry="The entry (start typing its question)", phrase="Words members use for it")
    async def alias(
        self, interaction: discord.Interaction, entry: str, phrase: app_commands.Range[str, 1, 200]
    ) -> None:
        gid = self._gid(interaction)
        found = self._own_or_global(gid, entry, visible=True)
        if isinstance(found, Entry):
            await defer_write(interaction)  # a global entry: the phrasing is this server's own
            mine = await self.service.add_guild_phrasing(
                gid, found.id, phrase, actor=actor_of(interaction.user), forget_query=phrase
            )
            await send(
                interaction,
                f"Added “{clip(mine[-1], 200)}” as a phrasing of the global entry `{found.id}` in this "
                f"server only ({plural(len(mine), 'phrasing')} of this server's own). "
                "`/faq edit` lists and removes them.",
            )
            return
        stored = found
        with_phrasing(stored.entry, phrase)  # says what is wrong before anything is written
        await defer_write(interaction)
        # Appended to the entry as stored at that moment; the phrase also leaves the unanswered
        # queries, in the same transaction.
        saved = await self.service.add_phrasing(
            gid, stored.entry.id, phrase, actor=actor_of(interaction.user), forget_query=phrase
        )
        await send(
            interaction,
            f"Added “{clip(saved.phrasings[-1], 200)}” as a phrasing of `{saved.id}` "
            f"({plural(len(saved.phrasings), 'phrasing')} now).",
        )

    # -- remove / restore / hide / unhide -----------------------------------------------------------

    @faq.command(name="remove", description="Remove an entry (it can be restored), or one of its answers")
    @app_commands.describe(
        entry="The entry (start typing its question)",
        answer="Remove only this answer (1 = the first); the entry stays",
    )
    async def remove(
        self,
        interaction: discord.Interaction,
        entry: str,
        answer: app_commands.Range[int, 1, 50] | None = None,
    ) -> None:
        stored = self._own(self._gid(interaction), entry)
        if answer is not None:
            without_answer(stored.entry, answer - 1)  # out of range or the only one: say so now
            a = stored.entry.answers[answer - 1]
            view = discord.ui.View(timeout=None)
            view.add_item(RemoveAnswerButton(stored.entry.id, answer - 1, stored.revision, True))
            view.add_item(RemoveAnswerButton(stored.entry.id, answer - 1, stored.revision, False))
            await send(
                interaction,
                f"Remove answer {answer} of `{stored.entry.id}` ({answer_label(a)})? The entry and "
                "its other answers stay.",
                view=view,
            )
            return
        view = discord.ui.View(timeout=None)
        view.add_item(RemoveButton(stored.entry.id, True))
        view.add_item(RemoveButton(stored.entry.id, False))
        await send(
            interaction,
            f"Remove “{clip(stored.entry.question, 200)}” (`{stored.entry.id}`)? Members will "
            "stop getting it; `/faq restore` brings it back.",
            view=view,
        )

    @faq.command(name="restore", description="Bring back a removed entry")
    @app_commands.describe(entry="A removed entry")
    async def restore(self, interaction: discord.Interaction, entry: str) -> None:
        gid = self._gid(interaction)
        e = self._resolve(entry, self.service.removed_entries(gid), "removed entry")
        await defer_write(interaction)
        await self.service.set_removed(gid, e.id, False, actor=actor_of(interaction.user))
        await send(interaction, f"Restored `{e.id}`; members get it again.")

    @faq.command(name="hide", description="Hide a global entry (from the bot's data) in this server")
    @app_commands.describe(entry="A global entry")
    async def hide(self, interaction: discord.Interaction, entry: str) -> None:
        gid = self._gid(interaction)
        hidden = self.service.hidden_ids(gid)
        e = self._resolve(entry, [g for g in self._globals() if g.id not in hidden], "visible global entry")
        await defer_write(interaction)
        await self.service.set_hidden(gid, e.id, True, actor=actor_of(interaction.user))
        await send(
            interaction, f"Hid the global entry `{e.id}` in this server. `/faq unhide` shows it again."
        )

    @faq.command(name="unhide", description="Show a hidden global entry in this server again")
    @app_commands.describe(entry="A hidden global entry")
    async def unhide(self, interaction: discord.Interaction, entry: str) -> None:
        gid = self._gid(interaction)
        hidden = self.service.hidden_ids(gid)
        e = self._resolve(entry, [g for g in self._globals() if g.id in hidden], "hidden global entry")
        await defer_write(interaction)
        await self.service.set_hidden(gid, e.id, False, actor=actor_of(interaction.user))
        await send(interaction, f"The global entry `{e.id}` is shown in this server again.")

    # -- list / show / stats / history ----------------------------------------------------------------

    @faq.command(name="list", description="List entries, with an optional filter")
    @app_commands.describe(
        filter="Words in the question, a phrasing, a tag or an expert's name",
        scope="Which entries (default: all)",
    )
    @app_commands.choices(scope=[app_commands.Choice(name=s, value=s) for s in LIST_SCOPES])
    async def list_(
        self,
        interaction: discord.Interaction,
        filter: app_commands.Range[str, 1, FILTER_MAX] | None = None,
        scope: str = "all",
    ) -> None:
        if scope not in LIST_SCOPES:
            raise CurationError(f"scope: choose one of {', '.join(LIST_SCOPES)}.")
        self._gid(interaction)
        await send_first_page(interaction, LIST_PAGES, f"{scope}:{(filter or '').strip()}")

    @faq.command(name="show", description="Show an entry: phrasings, experts, summary, feedback")
    @app_commands.describe(entry="The entry (start typing its question)")
    async def show(self, interaction: discord.Interaction, entry: str) -> None:
        gid = self._gid(interaction)
        item = next((x for x in self._all(gid) if x.entry.id == entry.strip()), None)
        if item is None:
            e = self._resolve(entry, [x.entry for x in self._all(gid)])
            item = next(x for x in self._all(gid) if x.entry.id == e.id)
        stats = await self.service.stats(gid)
        stored = self.service.find(gid, item.entry.id) if not item.state else None
        summary = self.service.summary_of(stored) if stored else None
        embed = entry_embed(
            item.entry,
            scope=item.scope,
            state=item.state,
            summary=summary,
            feedback=stats.feedback.get(item.entry.id),
        )
        if item.scope == "global" and (mine := self.service.guild_phrasings(gid, item.entry.id)):
            embed.setdefault("fields", []).append(server_phrasings_field(mine))
        view = discord.ui.View(timeout=None)
        if stored is not None:
            view.add_item(AllAnswers(item.entry.id))
        await send(interaction, embed=embed, view=view)

    @faq.command(name="stats", description="Top and unanswered queries, feedback per entry")
    async def stats(self, interaction: discord.Interaction) -> None:
        gid = self._gid(interaction)
        stats = await self.service.stats(gid, limit=10)
        questions = {x.entry.id: x.entry.question for x in self._all(gid)}
        suggestions = await self.service.alias_suggestions(gid, stats.unanswered, questions)
        view = discord.ui.View(timeout=None)
        for s in suggestions:
            view.add_item(AliasButton(s.key, s.entry_id, f"Add “{clip(s.query, 30)}” to: {s.question}"))
        embed = stats_embed(stats, questions, suggestions)
        from cogs.experts import waiting_field  # cogs.experts imports this package

        if (waiting := await waiting_field(self.service, gid)) is not None:  # issue 16: Ask the experts
            embed.setdefault("fields", []).append(waiting)
        await send(interaction, embed=embed, view=view)

    async def add_unanswered_alias(self, interaction: discord.Interaction, key: str, entry_id: str) -> None:
        gid = self._gid(interaction)
        query = await self.service.unanswered_query(gid, key)
        if query is None:
            raise CurationError("That query is no longer in the unanswered list; run /faq stats again.")
        actor = actor_of(interaction.user)
        await defer_write(interaction)
        if entry_id not in {e.id for e in self.service.own_entries(gid)}:  # a global entry
            if entry_id in self.service.hidden_ids(gid):
                raise CurationError(f"`{entry_id}` is hidden in this server; /faq unhide it first.")
            await self.service.add_guild_phrasing(gid, entry_id, query, actor=actor, forget_query=query)
            where = f"the global entry `{entry_id}` (in this server only)"
        else:
            await self.service.add_phrasing(gid, entry_id, query, actor=actor, forget_query=query)
            where = f"`{entry_id}`"
        await send(
            interaction,
            f"Added “{clip(query, 200)}” as a phrasing of {where}; it is off the unanswered list.",
        )

    @faq.command(name="history", description="Who changed an entry, when, and what (no entry: settings)")
    @app_commands.describe(entry="The entry (leave empty for the settings' history)")
    async def history(self, interaction: discord.Interaction, entry: str | None = None) -> None:
        gid = self._gid(interaction)
        if entry is None or entry.strip() == "":
            records = await self.service.history(gid, None)
            await send(interaction, embed=history_embed(records, "settings"))
            return
        entry_id = entry.strip()
        known = {x.entry.id: x.entry for x in self._all(gid)}
        if entry_id not in known:
            entry_id = self._resolve(entry, list(known.values())).id
        records = await self.service.history(gid, entry_id)
        await send(
            interaction, embed=history_embed(records, f"{clip(known[entry_id].question, 150)} ({entry_id})")
        )

    # -- import / export ------------------------------------------------------------------------

    @faq.command(
        name="import", description="Import a /faq export (YAML) or a Q&A thread (text): preview first"
    )
    @app_commands.describe(file="A .yaml export or a .txt thread, at most 1 MiB")
    async def import_(self, interaction: discord.Interaction, file: discord.Attachment) -> None:
        gid = self._gid(interaction)
        if file.size > MAX_UPLOAD_BYTES:
            raise CurationError(
                f"{file.filename} is {file.size // 1024} KiB; the limit is "
                f"{MAX_UPLOAD_BYTES // 1024} KiB — split it."
            )
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            data = await file.read()
        except discord.HTTPException as exc:
            raise CurationError(
                f"Could not download {file.filename} from Discord ({exc.status}); try again."
            ) from None
        own = {e.id for e in self.service.own_entries(gid)} | {
            e.id for e in self.service.removed_entries(gid)
        }
        plan = plan_import(
            file.filename, data, guild_id=gid, own_ids=own, global_ids={e.id for e in self._globals()}
        )
        token = self.pending.put((gid, interaction.user.id), plan)
        view = discord.ui.View(timeout=None)
        view.add_item(PendingButton("ok", token, "Confirm import", discord.ButtonStyle.primary))
        view.add_item(PendingButton("no", token, "Cancel", discord.ButtonStyle.secondary))
        await send(interaction, embed=import_preview_embed(plan), view=view)

    @faq.command(
        name="export", description="Download this server's entries as YAML (restore with /faq import)"
    )
    async def export(self, interaction: discord.Interaction) -> None:
        gid = self._gid(interaction)
        entries = self.service.own_entries(gid)
        if not entries:
            raise CurationError("This server has no entries of its own to export yet; add one with /faq add.")
        text = dump_entries(entries)
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M")
        file = discord.File(BytesIO(text.encode("utf-8")), filename=f"faq-{gid}-{stamp}.yaml")
        count = plural(len(entries), "entry")
        await send(interaction, f"{count}. Restore them anywhere with /faq import.", file=file)

    # -- pending drafts -----------------------------------------------------------------------------

    async def resolve_pending(self, interaction: discord.Interaction, action: str, token: str) -> str | None:
        """A draft's Confirm / Cancel (cogs/ui/confirm.py): what the prompt now says, or None
        when a new message answered (the created entry)."""
        gid = self._gid(interaction)
        value = self.pending.take(token, (gid, interaction.user.id))
        if value is None:
            return "This preview has expired or was already used; run the command again."
        if action == "no":
            return CANCELLED
        if isinstance(value, DraftByline):
            await self._confirm_byline(interaction, action, value)  # answers the click itself
            return None
        actor = actor_of(interaction.user)
        if isinstance(value, ImportPlan):
            await defer_write(interaction, update=True)
            await self.service.import_entries(gid, value.entries, actor=actor)
            return (
                f"Imported {plural(len(value.entries), 'entry')} from {value.filename}: "
                f"{len(value.created)} new, {len(value.updated)} replaced."
            )
        assert isinstance(value, DraftAdd)
        if action == "alias":
            await defer_write(interaction, update=True)
            target = value.duplicate.entry_id
            if value.duplicate_is_own:
                await self.service.add_phrasing(gid, target, value.entry.question, actor=actor)
                where = f"`{target}`"
            else:  # a global entry: the phrasing is this server's own
                await self.service.add_guild_phrasing(gid, target, value.entry.question, actor=actor)
                where = f"the global entry `{target}` (in this server only)"
            return (
                f"Added “{clip(value.entry.question, 200)}” as a phrasing of {where}; "
                "no new entry was created."
            )
        entry = value.entry
        if entry.id in self.service.taken_ids(gid):  # taken meanwhile
            entry = entry.with_changes(id=unique_id(entry.question, self.service.taken_ids(gid)))
        await self._create(interaction, entry, edit=True)
        return None

    # -- settings ---------------------------------------------------------------------------------

    @faq.command(name="settings", description="Show or change this server's FAQ settings")
    @app_commands.describe(
        add_keyword_channel="Reply to matching messages in this channel",
        remove_keyword_channel="Stop keyword replies in this channel",
        answer_threshold="Confidence needed to answer (0–1)",
        suggest_threshold="Confidence needed to suggest (0–1)",
        keyword_threshold="Confidence needed for an unprompted keyword reply (0–1)",
        disclaimer="Footer shown under every answer",
        moderator_role="Members with this role may use /faq (needs Manage Server to change)",
        channel_cooldown="Seconds between keyword replies in one channel",
        user_cooldown="Seconds between keyword replies to one member",
        web_public="Publish this server's own entries on the FAQ web pages (off by default)",
        reset="Return one setting to the default",
        add_suggest_channel="Suggest answers in new posts of this forum (or new threads of this channel)",
        remove_suggest_channel="Stop suggesting answers in this forum's posts / channel's threads",
        solved_tag='Forum tag to put on a post when its author presses "This solved it"',
        close_solved='Close (archive) a post when its author presses "This solved it"',
        credit_role="Save to FAQ: members with this role are credited with credit_as/credit_text",
        credit_as="What the role vouches for (none: stop crediting it)",
        credit_text="The words shown, e.g. MD or Dermatologist",
        experts_channel="Ask the experts: where members' unanswered questions are posted",
        expert_role="Ask the experts: members with this role may answer (again: no longer)",
        experts_ping_role="Ask the experts: role pinged for each new question (none unless set)",
        trust_experts="Ask the experts: experts' answers are saved without a moderator's approval",
    )
    @app_commands.choices(
        reset=[app_commands.Choice(name=r, value=r) for r in RESETTABLE],
        credit_as=[app_commands.Choice(name=c, value=c) for c in ("credentials", "specialty", "none")],
    )
    async def settings(
        self,
        interaction: discord.Interaction,
        add_keyword_channel: discord.TextChannel | None = None,
        remove_keyword_channel: discord.TextChannel | None = None,
        answer_threshold: app_commands.Range[float, 0.0, 1.0] | None = None,
        suggest_threshold: app_commands.Range[float, 0.0, 1.0] | None = None,
        keyword_threshold: app_commands.Range[float, 0.0, 1.0] | None = None,
        disclaimer: app_commands.Range[str, 1, 2048] | None = None,
        moderator_role: discord.Role | None = None,
        channel_cooldown: app_commands.Range[float, 0.0, 86400.0] | None = None,
        user_cooldown: app_commands.Range[float, 0.0, 86400.0] | None = None,
        web_public: bool | None = None,
        reset: str | None = None,
        add_suggest_channel: app_commands.Transform[int, SuggestChannel] | None = None,
        remove_suggest_channel: app_commands.Transform[int, SuggestChannel] | None = None,
        solved_tag: app_commands.Range[str, 1, 20] | None = None,
        close_solved: bool | None = None,
        credit_role: discord.Role | None = None,
        credit_as: str | None = None,
        credit_text: app_commands.Range[str, 1, 200] | None = None,
        experts_channel: discord.TextChannel | None = None,
        expert_role: discord.Role | None = None,
        experts_ping_role: discord.Role | None = None,
        trust_experts: bool | None = None,
    ) -> None:
        gid = self._gid(interaction)
        if (moderator_role is not None or reset == "moderator_role") and not (
            interaction.permissions.manage_guild or interaction.permissions.administrator
        ):
            raise CurationError("Only members with Manage Server can change the moderator role.")
        current = await self.service.guild_settings(gid)
        thresholds = {
            k: v
            for k, v in (
                ("answer", answer_threshold),
                ("suggest", suggest_threshold),
                ("keyword", keyword_threshold),
            )
            if v is not None
        }
        base = self.service.base_thresholds(gid)  # calibrated, then config.yaml's

        def changes_to(settings: GuildSettings) -> SettingsChange:
            role_id = credit_role.id if credit_role else None
            return (
                settings_changes(
                    settings,
                    base=base,
                    add_channel=add_keyword_channel.id if add_keyword_channel else None,
                    remove_channel=remove_keyword_channel.id if remove_keyword_channel else None,
                    thresholds=thresholds,
                    disclaimer=disclaimer,
                    moderator_role_id=moderator_role.id if moderator_role else None,
                    channel_cooldown=channel_cooldown,
                    user_cooldown=user_cooldown,
                    reset=reset,
                )
                # issue 16: help forums (cogs/forums.py), expert credits, Ask the experts
                | suggest_settings_changes(
                    settings,
                    add_channel=add_suggest_channel,
                    remove_channel=remove_suggest_channel,
                    solved_tag=solved_tag,
                    close_solved=close_solved,
                )
                | role_credit_changes(settings, role_id, credit_as, credit_text)
                | experts_settings_changes(
                    settings,
                    channel=experts_channel.id if experts_channel else None,
                    role=expert_role.id if expert_role else None,
                    ping_role=experts_ping_role.id if experts_ping_role else None,
                    trusted=trust_experts,
                )
                | (
                    SettingsChange(web_public=web_public)
                    if web_public is not None and web_public != bool(settings.web_public)
                    else SettingsChange()
                )
            )

        changes = changes_to(current)  # what this command changes (checked, shown below)
        if changes:
            # Applied to the settings as stored when the write happens (a keyword channel added
            # by another moderator meanwhile stays).
            await defer_write(interaction)
            current = await self.service.update_settings(gid, changes_to, actor=actor_of(interaction.user))
            content = "Saved: " + ", ".join(changes.names) + "."
        else:
            content = "Current settings (pass options to change them):"
        cfg = self.service.config
        defaults = SettingsDefaults(
            thresholds=base,
            disclaimer=cfg.replies.disclaimer,
            moderator_role_id=cfg.discord.moderator_role_id,
            keyword_channel_cooldown=cfg.keyword_replies.channel_cooldown_seconds,
            keyword_user_cooldown=cfg.keyword_replies.user_cooldown_seconds,
            calibrated=self.service.calibrated_bars(gid),
            configured=cfg.matching.thresholds,
        )
        content += forum_permission_warning(interaction, add_suggest_channel, current)
        embed = settings_embed(current, defaults)
        embed["fields"].append({"name": "Web pages", "value": self._web_status(gid, current)})
        await send(interaction, content, embed=embed)

    def _web_status(self, gid: int, settings: GuildSettings) -> str:
        web = self.service.config.web
        if not settings.web_public:
            return "this server's entries are not published *(default)*"
        if not web.guild_pages:
            return "web_public is on, but the bot's operator does not publish any server's entries"
        where = f" at {web.base_url}/g/{gid}/" if web.base_url else ""
        return f"this server's entries are published{where} *(this server)*"

    # -- autocomplete -----------------------------------------------------------------------------

    @edit.autocomplete("entry")
    async def edit_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """The server's entries, and the global ones (their form offers only what a server may change)."""
        gid = interaction.guild_id or 0
        own = self.service.own_entries(gid)
        ids = {e.id for e in own}
        return await self._choices(
            interaction, current, own + [e for e in self._globals() if e.id not in ids], mark_shared=True
        )

    @alias.autocomplete("entry")
    async def alias_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._choices(
            interaction, current, self._phrasable(interaction.guild_id or 0), mark_shared=True
        )

    @answer.autocomplete("entry")
    @remove.autocomplete("entry")
    async def own_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._choices(interaction, current, self.service.own_entries(interaction.guild_id or 0))

    @show.autocomplete("entry")
    @history.autocomplete("entry")
    async def any_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._choices(
            interaction, current, [x.entry for x in self._all(interaction.guild_id or 0)], mark_shared=True
        )

    @restore.autocomplete("entry")
    async def removed_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return await self._choices(
            interaction, current, self.service.removed_entries(interaction.guild_id or 0)
        )

    @hide.autocomplete("entry")
    async def visible_global_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        hidden = self.service.hidden_ids(interaction.guild_id or 0)
        return await self._choices(interaction, current, [e for e in self._globals() if e.id not in hidden])

    @unhide.autocomplete("entry")
    async def hidden_global_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        hidden = self.service.hidden_ids(interaction.guild_id or 0)
        return await self._choices(interaction, current, [e for e in self._globals() if e.id in hidden])


SHARED = "🌐 "  # marks a global entry among a server's own in autocomplete choices


def choice_name(entry: Entry, mark_shared: bool) -> str:
    """An autocomplete choice's name: the question, within Discord's 100 characters."""
    if mark_shared and not entry.guild_id:
        return SHARED + clip(entry.question, 100 - len(SHARED))
    return clip(entry.question, 100)


async def _list_page(interaction: discord.Interaction, page: int, arg: str) -> PageContent:
    scope, _, text = arg.partition(":")
    return cog_of(interaction).list_content(interaction.guild_id or 0, scope, text, page)


LIST_PAGES = "faqm:ls"  # a moderator's list: its page buttons start with faqm: (see unrouted.py)
paginator.register(LIST_PAGES, _list_page, allowed=require_moderator)


async def setup(bot: commands.Bot) -> None:
    service = await ensure_service(bot)
    await bot.add_cog(ModerationCog(bot, service))


async def teardown(bot: commands.Bot) -> None:
    await release_service(bot, still_loaded=("cogs.faq", "cogs.forums"))
