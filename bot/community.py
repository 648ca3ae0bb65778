"""Growing the FAQ from the server itself (issue 16): the pure rules behind help-forum
suggestions and "Save to FAQ". No Discord types here; `cogs/forums.py` and `cogs/savefaq.py`
are the glue.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bot.curation import (
    CurationError,
    channel_list_changes,
    check_entry,
    make_answer,
    new_entry,
    with_answer,
)
from bot.models import LIMITS, Answer, Entry, Provider, Source
from bot.settings import GuildSettings, RoleCredit, SettingsChange
from bot.store.forums import CommunityRecords
from bot.text import clean_line, clean_text

QUERY_MAX = 300  # as /ask: the matcher sees at most this much of a post


def post_query(title: str, body: str) -> str:
    """What a new post asks: its title, then its first message, cleaned and capped."""
    parts = [clean_text(t) for t in (title, body)]
    text = "\n".join(p for p in parts if p)
    return text[:QUERY_MAX].strip()


def suggest_settings_changes(
    current: GuildSettings,
    *,
    add_channel: int | None = None,
    remove_channel: int | None = None,
    solved_tag: str | None = None,
    close_solved: bool | None = None,
) -> SettingsChange:
    """The change for FaqService.update_settings from /faq settings' help-forum options."""
    change = channel_list_changes(
        current, "suggest_channels", add_channel, remove_channel, "help-forum suggestions"
    )
    if solved_tag is not None:
        tag = clean_text(solved_tag)
        if not tag or len(tag) > 20:
            raise CurationError("solved_tag: a forum tag name of 1–20 characters (or reset it).")
        change |= SettingsChange(suggest_solved_tag=tag)
    if close_solved is not None:
        change |= SettingsChange(suggest_close_solved=close_solved)
    return change


def solved_tag_ids(
    available: list[tuple[int, str]], applied: list[int], wanted: str | None
) -> list[int] | None:
    """The post's tags with the server's "solved" tag added, or None when nothing changes.

    Discord allows at most 5 tags on a post; a full post keeps its own tags."""
    if not wanted:
        return None
    match = next((tid for tid, name in available if name.casefold() == wanted.casefold()), None)
    if match is None or match in applied or len(applied) >= 5:
        return None
    return [*applied, match]


# -- Save to FAQ ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Said:
    """A member's message a moderator may save as an expert answer (what Discord told us)."""

    message_id: int
    author_id: int
    display_name: str
    role_ids: tuple[int, ...]
    text: str


def credited_provider(said: Said, settings: GuildSettings) -> Provider:
    """The expert as the server vouches for them: their display name, and credentials and
    specialty only from roles the moderators mapped (`role_credits`); nothing invented."""
    credentials: list[str] = []
    specialty: str | None = None
    for role_id in said.role_ids:
        credit = settings.credit_for(role_id)
        if credit is None:
            continue
        if credit.field == "credentials" and credit.text not in credentials:
            credentials.append(credit.text)
        elif credit.field == "specialty" and specialty is None:
            specialty = credit.text
    return Provider(
        name=clean_line(said.display_name)[: LIMITS["provider_field"]] or None,
        credentials=", ".join(credentials)[: LIMITS["provider_field"]] or None,
        specialty=specialty,
    )


def saved_answers(
    picked: Sequence[Said],
    settings: GuildSettings,
    edits: dict[int, Answer] | None = None,
) -> list[Answer]:
    """The picked replies as credited answers; `edits` (by message id) are the moderator's
    rewordings from the preview (`edited_saved_answer`), used instead of the message as said."""
    answers = []
    for said in picked:
        if edits and said.message_id in edits:
            answers.append(edits[said.message_id])
            continue
        text = clean_text(said.text)
        if text:
            answers.append(Answer(title="", text=text, provider=credited_provider(said, settings)))
    if not answers:
        raise CurationError("The picked messages have no text to save.")
    return answers


def byline_fields(answer: Answer) -> tuple[str, str]:
    """An answer's expert as the two form fields /faq answer reads: ("Jane Roe, MD", "Dermatologist")."""
    p = answer.provider
    return (p.full_name() or "", p.where() or "") if p else ("", "")


def edited_saved_answer(original: Answer, text: str, expert: str, where: str) -> Answer:
    """A picked reply as the moderator edited it in the Save to FAQ preview: its text and byline,
    the byline read like /faq answer's form. The answer stays credited to its author: the name
    may be corrected, not removed, and a byline left as shown is kept exactly (nothing re-parsed)."""
    text = clean_text(text)
    if not text:
        raise CurationError("Answer: it is empty; type the answer's text (or Cancel the form).")
    if (clean_line(expert), clean_line(where)) == byline_fields(original):
        return Answer(title=original.title, text=text, provider=original.provider)
    edited = make_answer(text, expert, where)
    if edited.provider is None or not edited.provider.name:
        was = original.provider.name if original.provider and original.provider.name else "its author"
        raise CurationError(
            f"Expert's name and credentials: the answer stays credited to {was}, who wrote it; "
            "keep their name (you may correct it, or add credentials after a comma)."
        )
    return Answer(title=original.title, text=edited.text, provider=edited.provider)


def proposed_entry(
    *,
    guild_id: int,
    question: str,
    answers: Sequence[Answer],
    taken_ids: Iterable[str],
    source_url: str | None,
) -> Entry:
    """A new entry from a Discord conversation, validated (CurationError says what to fix)."""
    question = clean_line(question)[: LIMITS["question"]]
    if not question:
        raise CurationError("The question is empty: use **Edit question** to type it.")
    entry = new_entry(
        guild_id=guild_id, question=question, phrasings="", answer=answers[0], taken_ids=taken_ids
    )
    for answer in answers[1:]:
        entry = with_answer(entry, answer)
    if source_url:
        entry = entry.with_changes(
            source=Source(title="Discord conversation", url=source_url[: LIMITS["url"]])
        )
        check_entry(entry)
    return entry


def with_answers(entry: Entry, answers: Sequence[Answer]) -> Entry:
    """An existing entry with the picked answers added (an answer it already has is skipped)."""
    have = {(a.text, a.provider.name if a.provider else None) for a in entry.answers}
    for answer in answers:
        if (answer.text, answer.provider.name if answer.provider else None) not in have:
            entry = with_answer(entry, answer)
    return entry


def role_credit_changes(
    current: GuildSettings, role_id: int | None, field: str | None, text: str | None
) -> SettingsChange:
    """/faq settings credit_role: credit_as: [credit_text:] — map a role to what it vouches for."""
    if role_id is None:
        if field is not None or text is not None:
            raise CurationError("credit_as / credit_text: pick the role with credit_role too.")
        return SettingsChange()
    credits = dict(current.role_credits or {})
    if field in (None, "none"):
        if str(role_id) not in credits:
            raise CurationError("That role credits nothing yet; pick credit_as: credentials or specialty.")
        credits.pop(str(role_id))
    else:
        if field not in ("credentials", "specialty"):
            raise CurationError("credit_as: credentials, specialty or none.")
        words = clean_line(text or "")
        if not words or len(words) > LIMITS["provider_field"]:
            raise CurationError(
                "credit_text: the words to show (e.g. MD or Dermatologist), 1–200 characters."
            )
        credits[str(role_id)] = RoleCredit(
            field="credentials" if field == "credentials" else "specialty", text=words
        )
    return SettingsChange(role_credits=credits) if credits else SettingsChange.resetting(["role_credits"])


def experts_settings_changes(
    current: GuildSettings,
    *,
    channel: int | None = None,
    role: int | None = None,
    ping_role: int | None = None,
    trusted: bool | None = None,
) -> SettingsChange:
    """/faq settings experts_channel / expert_role (a toggle) / experts_ping_role / trust_experts."""
    change = SettingsChange()
    if channel is not None:
        change |= SettingsChange(experts_channel_id=channel)
    if role is not None:
        roles = list(current.expert_role_ids or [])
        if role in roles:
            roles.remove(role)
        else:
            roles.append(role)
        change |= (
            SettingsChange(expert_role_ids=roles) if roles else SettingsChange.resetting(["expert_role_ids"])
        )
    if ping_role is not None:
        change |= SettingsChange(experts_ping_role_id=ping_role)
    if trusted is not None:
        change |= SettingsChange(experts_trusted=trusted)
    return change


# -- faqbot export ----------------------------------------------------------------------------


def community_export(records: CommunityRecords) -> dict[int, dict[str, Any]]:
    """Per server, what `faqbot export` writes to `community/<server id>.yaml` beside the
    entries: what was saved from which message and by whom (the audit), the help-forum posts the
    bot answered and the questions sent to the experts, every stored field. Servers without any
    are left out."""
    out: dict[int, dict[str, Any]] = {}

    def section(guild_id: int, name: str) -> list[dict[str, Any]]:
        doc = out.setdefault(
            guild_id,
            {"guild_id": guild_id, "saved_from_messages": [], "forum_posts": [], "expert_questions": []},
        )
        rows: list[dict[str, Any]] = doc[name]
        return rows

    for s in records.saved:
        section(s.guild_id, "saved_from_messages").append(
            {"entry_id": s.entry_id, "action": s.action, "actor": s.actor, "at": s.at}
        )
    for p in records.forum_posts:
        section(p.guild_id, "forum_posts").append({k: v for k, v in asdict(p).items() if k != "guild_id"})
    for q in records.expert_questions:
        section(q.guild_id, "expert_questions").append(
            {k: v for k, v in asdict(q).items() if k != "guild_id"}
        )
    return out
