"""The pure logic behind the moderator commands (`/faq`): entries from modal fields, near-duplicate
questions, uploads to import, settings changes, and the embeds that list, show, count and trace
entries.

No Discord import: the cog turns the embed dicts into `discord.Embed` and a `CurationError` into an
ephemeral reply (its message is specific and safe to show).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any

from bot.bylines import read_byline
from bot.embeds import (
    DESCRIPTION_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    TITLE_MAX,
    byline,
    clip,
    escape_markdown,
    summary_description,
)
from bot.grammar import plural
from bot.history import actor_mention, actor_name, change_lines, count_line, timestamp
from bot.importer import ImportError_, parse_thread
from bot.matching import Thresholds
from bot.models import LIMITS, MAX_ANSWERS, MAX_PHRASINGS, Answer, Candidate, Entry, Provider, Summary
from bot.querygroups import group_queries
from bot.serialize import entry_to_dict
from bot.store.base import AuditRecord, QueryStat, Stats
from bot.text import clean_line, clean_text, slugify
from bot.validate import Problem, Validator, validate_entry_dict
from bot.yamlio import MAX_YAML_BYTES, entries_from_yaml, parse_yaml

Embed = dict[str, Any]

MAX_UPLOAD_BYTES = MAX_YAML_BYTES  # 1 MiB: an export of a few hundred entries fits easily
MAX_IMPORT_ENTRIES = 1000
MAX_SHOWN_PROBLEMS = 12
LIST_PAGE_SIZE = 10
FILTER_MAX = 50  # characters of a /faq list filter (it travels in a button's custom_id)
SETTINGS_KEY = "*settings*"  # the audit trail's entry id for settings changes


class CurationError(ValueError):
    """Input a moderator can fix. One line per problem; safe to show."""

    def __init__(self, problems: str | Sequence[str]) -> None:
        self.problems = [problems] if isinstance(problems, str) else list(problems)
        shown = self.problems[:MAX_SHOWN_PROBLEMS]
        if len(self.problems) > len(shown):
            shown.append(f"…and {len(self.problems) - len(shown)} more problems")
        super().__init__("\n".join(shown))


# -- entries from modal fields -------------------------------------------------------------

_LABELS = {
    "id": "Id",
    "question": "Question",
    "body": "Details",
    "title": "answer title",
    "text": "answer text",
    "name": "expert name",
    "credentials": "expert credentials",
    "specialty": "specialty",
    "location": "location",
    "profile_url": "profile URL",
    "answers": "Answers",
    "phrasings": "Alternate phrasings",
    "tags": "Tags",
}


def describe(problem: Problem) -> str:
    """A validation problem in a moderator's words: "Answer 2 expert name: is 230 characters; …"."""
    parts = (problem.field or "").split(".")
    if parts[0] in ("phrasings", "tags") and len(parts) > 1 and parts[1].isdigit():
        label = f"{'Alternate phrasing' if parts[0] == 'phrasings' else 'Tag'} {int(parts[1]) + 1}"
    elif parts[0] == "answers" and len(parts) > 2 and parts[1].isdigit():
        label = f"Answer {int(parts[1]) + 1} {_LABELS.get(parts[-1], parts[-1])}"
    elif parts[0] in _LABELS:
        label = _LABELS[parts[0]]
    else:
        label = problem.field or "Entry"
    return f"{label}: {problem.message}"


def check_entry(entry: Entry) -> None:
    """Raise CurationError listing every problem (limits, empty fields) of an entry."""
    v = Validator(None)
    validate_entry_dict(entry_to_dict(entry), v)
    if v.problems:
        raise CurationError([describe(p) for p in v.problems])


def provider_from_fields(expert: str, where: str, profile_url: str | None = None) -> Provider | None:
    """ "Jane Roe, MD" and "Boston Dermatologist" (or "Dermatologist, Boston") → Provider."""
    return read_byline(expert, where, profile_url).provider


def split_lines(text: str) -> tuple[str, ...]:
    """One item per line, cleaned, blanks and case-insensitive repeats dropped."""
    out: list[str] = []
    seen: set[str] = set()
    for line in text.replace("\r", "\n").split("\n"):
        item = clean_line(line)
        if item and item.casefold() not in seen:
            seen.add(item.casefold())
            out.append(item)
    return tuple(out)


def unique_id(question: str, taken: Iterable[str]) -> str:
    """slugify(question), with -2, -3… when the id is taken (ids stay ≤ 64 characters)."""
    taken = set(taken)
    base = slugify(question, LIMITS["id"])
    candidate, n = base, 1
    while candidate in taken:
        n += 1
        suffix = f"-{n}"
        candidate = base[: LIMITS["id"] - len(suffix)].rstrip("-") + suffix
    return candidate


def make_answer(
    text: str, expert: str = "", where: str = "", title: str = "", *, profile_url: str | None = None
) -> Answer:
    """An answer from modal fields; `profile_url` carries an existing expert's link through an edit."""
    provider = provider_from_fields(expert, where, profile_url)
    return Answer(title=clean_line(title), text=clean_text(text), provider=provider)


def new_entry(
    *,
    guild_id: int,
    question: str,
    phrasings: str,
    answer: Answer,
    taken_ids: Iterable[str],
) -> Entry:
    """The entry `/faq add` creates, validated (CurationError says what to fix)."""
    question = clean_line(question)
    entry = Entry(
        id=unique_id(question, taken_ids) if question else "entry",
        question=question,
        phrasings=tuple(p for p in split_lines(phrasings) if p.casefold() != question.casefold()),
        answers=(answer,),
        guild_id=guild_id,
    )
    check_entry(entry)
    return entry


def edited_entry(entry: Entry, *, question: str, phrasings: str, body: str, tags: str) -> Entry:
    question = clean_line(question)
    edited = entry.with_changes(
        question=question,
        phrasings=tuple(p for p in split_lines(phrasings) if p.casefold() != question.casefold()),
        body=clean_text(body),
        tags=split_lines(tags.replace(",", "\n")),
    )
    check_entry(edited)
    return edited


def with_answer(entry: Entry, answer: Answer, index: int | None = None) -> Entry:
    """Add an answer (index None) or replace answer `index` (0-based)."""
    answers = list(entry.answers)
    if index is None:
        if len(answers) >= MAX_ANSWERS:
            raise CurationError(f"This entry already has {MAX_ANSWERS} answers, the most it can hold.")
        answers.append(answer)
    else:
        if not 0 <= index < len(answers):
            raise CurationError(
                f"This entry has {plural(len(answers), 'answer')}; pick a number from 1 to {len(answers)}."
            )
        answers[index] = answer
    changed = entry.with_changes(answers=tuple(answers))
    check_entry(changed)
    return changed


def without_answer(entry: Entry, index: int) -> Entry:
    """Remove answer `index` (0-based). An entry keeps at least one answer."""
    n = len(entry.answers)
    if not 0 <= index < n:
        raise CurationError(f"This entry has {plural(n, 'answer')}; pick a number from 1 to {n}.")
    if n == 1:
        raise CurationError(
            "That is the entry's only answer and an entry needs one: change it with "
            "`/faq edit answer:1`, or remove the whole entry with `/faq remove` (no answer number)."
        )
    return entry.with_changes(answers=entry.answers[:index] + entry.answers[index + 1 :])


def with_phrasing(entry: Entry, phrase: str) -> Entry:
    phrase = clean_line(phrase)
    if not phrase:
        raise CurationError("Phrase: is empty; type the words members use for this question.")
    existing = {p.casefold() for p in (entry.question, *entry.phrasings)}
    if phrase.casefold() in existing:
        raise CurationError(f"“{phrase}” is already a phrasing of this entry.")
    if len(entry.phrasings) >= MAX_PHRASINGS:
        raise CurationError(f"This entry already has {MAX_PHRASINGS} phrasings; edit it to remove some.")
    changed = entry.with_changes(phrasings=(*entry.phrasings, phrase))
    check_entry(changed)
    return changed


def near_duplicates(
    ranked: Sequence[Candidate], *, bar: float, exclude: str | None = None
) -> list[Candidate]:
    """Entries a question would already be answered with (confidence at or above `bar`)."""
    return [c for c in ranked if c.confidence >= bar and c.entry_id != exclude]


# -- import ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ImportPlan:
    """What an upload would write; nothing is written until the moderator confirms."""

    filename: str
    kind: str  # "YAML" or "thread text"
    entries: tuple[Entry, ...]
    created: tuple[str, ...]
    updated: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def _looks_like_yaml(filename: str, text: str) -> bool:
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".yaml", ".yml"):
        return True
    if suffix in (".txt", ".md", ".text"):
        return False
    data, _, problems = parse_yaml(text, filename)
    return not problems and isinstance(data, dict) and ("entries" in data or "id" in data)


def plan_import(
    filename: str,
    data: bytes,
    *,
    guild_id: int,
    own_ids: Iterable[str],
    global_ids: Iterable[str] = (),
) -> ImportPlan:
    """An uploaded export (YAML) or Q&A thread (text) → an ImportPlan, or CurationError."""
    name = PurePath(filename).name or "upload"
    if len(data) > MAX_UPLOAD_BYTES:
        raise CurationError(
            f"{name} is {len(data) // 1024} KiB; the limit is {MAX_UPLOAD_BYTES // 1024} KiB — split it."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CurationError(f"{name} is not UTF-8 text (byte {exc.start}); save it as UTF-8.") from None
    if not text.strip():
        raise CurationError(f"{name} is empty; upload a /faq export (YAML) or a Q&A thread (text).")
    own, globals_ = set(own_ids), set(global_ids)
    warnings: list[str] = []
    if _looks_like_yaml(name, text):
        kind = "YAML"
        loaded = entries_from_yaml(text, name)
        if loaded.problems:
            raise CurationError([str(p) for p in loaded.problems])
        entries = loaded.entries
        counts = Counter(e.id for e in entries)
        dupes = sorted(i for i, n in counts.items() if n > 1)
        if dupes:
            raise CurationError([f"{name}: entry {i!r} appears more than once; keep one" for i in dupes])
        foreign = sorted({e.guild_id for e in entries if e.guild_id is not None and e.guild_id != guild_id})
        if foreign:
            warnings.append(f"exported from another server ({', '.join(map(str, foreign))}); imported here")
    else:
        kind = "thread text"
        try:
            report = parse_thread(text, source_name=name)
        except ImportError_ as exc:
            raise CurationError(str(exc)) from None
        entry = report.entry
        if entry.id in globals_ and entry.id not in own:
            # Already in the store as a global entry: say so, as a near-duplicate add does,
            # instead of quietly creating `…-2` next to it.
            new_id = unique_id(entry.question, own | globals_)
            warnings.append(
                f"this thread is already in the FAQ as the global entry {entry.id!r}, which members "
                f"here already get. Confirm imports it as this server's own copy {new_id!r}; "
                "Cancel, then /faq alias or /faq hide, to keep one."
            )
            entry = entry.with_changes(id=new_id)
        entries = [entry]
        warnings.extend(report.warnings)
    if not entries:
        raise CurationError(f"{name} holds no entries.")
    if len(entries) > MAX_IMPORT_ENTRIES:
        raise CurationError(
            f"{name} has {len(entries)} entries; import at most {MAX_IMPORT_ENTRIES} at a time."
        )
    entries = [e.with_changes(guild_id=guild_id) for e in entries]
    problems: list[str] = []
    for e in entries:
        try:
            check_entry(e)
        except CurationError as exc:
            problems += [f"{name}: entry {e.id!r}: {p}" for p in exc.problems]
    if problems:
        raise CurationError(problems)
    for e in entries:
        if e.id in globals_ and e.id not in own:
            warnings.append(f"{e.id!r} has the id of a global entry; this server will see its own version")
    return ImportPlan(
        filename=name,
        kind=kind,
        entries=tuple(entries),
        created=tuple(e.id for e in entries if e.id not in own),
        updated=tuple(e.id for e in entries if e.id in own),
        warnings=tuple(warnings),
    )


def _id_list(ids: Sequence[str], limit: int = FIELD_VALUE_MAX) -> str:
    out: list[str] = []
    used = 0
    for i, entry_id in enumerate(ids):
        item = f"`{entry_id}`"
        if used + len(item) + 2 > limit - 30:
            out.append(f"…and {len(ids) - i} more")
            break
        out.append(item)
        used += len(item) + 2
    return ", ".join(out) or "—"


def import_preview_embed(plan: ImportPlan) -> Embed:
    embed: Embed = {
        "title": clip(f"Import preview: {plan.filename}", TITLE_MAX),
        "description": (
            f"{plural(len(plan.entries), 'entry')} from {plan.kind}: {len(plan.created)} new, "
            f"{len(plan.updated)} replacing this server's entries of the same id. "
            "Nothing is saved until you press **Confirm import**."
        ),
        "fields": [],
    }
    if plan.created:
        embed["fields"].append({"name": f"New ({len(plan.created)})", "value": _id_list(plan.created)})
    if plan.updated:
        embed["fields"].append({"name": f"Replaced ({len(plan.updated)})", "value": _id_list(plan.updated)})
    if plan.warnings:
        text = "\n".join(f"• {escape_markdown(w)}" for w in plan.warnings)
        embed["fields"].append(
            {"name": f"Warnings ({len(plan.warnings)})", "value": clip(text, FIELD_VALUE_MAX)}
        )
    return embed


# -- listing and showing ----------------------------------------------------------------------


@dataclass(frozen=True)
class Listed:
    entry: Entry
    scope: str  # "server" or "global"
    state: str = ""  # "", "hidden" or "removed"


LIST_SCOPES = ("all", "server", "global", "hidden", "removed")


def matches_filter(entry: Entry, text: str) -> bool:
    """Case-insensitive substring of id, question, phrasings, tags or an expert's name."""
    needle = clean_line(text).casefold()
    if not needle:
        return True
    names = [a.provider.name or "" for a in entry.answers if a.provider]
    hay = [entry.id, entry.question, *entry.phrasings, *entry.tags, *names]
    return any(needle in h.casefold() for h in hay)


def list_page(
    items: Sequence[Listed], page: int, *, title: str, per_page: int = LIST_PAGE_SIZE
) -> tuple[Embed, int]:
    """One page of entries and the page count; `page` is clamped into range."""
    pages = max(1, -(-len(items) // per_page))
    page = min(max(page, 0), pages - 1)
    lines = []
    for item in items[page * per_page : (page + 1) * per_page]:
        e = item.entry
        flags = [item.scope] + ([item.state] if item.state else [])
        question = escape_markdown(clip(e.question, 180))
        lines.append(f"**{question}**\n`{e.id}` · {plural(len(e.answers), 'answer')} · {', '.join(flags)}")
    description = "\n".join(lines) if lines else "No entries match."
    embed: Embed = {
        "title": clip(title, TITLE_MAX),
        "description": clip(description, DESCRIPTION_MAX),
        "footer": {"text": f"Page {page + 1} of {pages} · {plural(len(items), 'entry')}"},
    }
    return embed, pages


def entry_embed(
    entry: Entry,
    *,
    scope: str,
    state: str = "",
    summary: Summary | None = None,
    feedback: tuple[int, int] | None = None,
) -> Embed:
    """Everything a moderator checks about one entry, Discord-sized."""
    fields: list[dict[str, Any]] = [
        {"name": "Id", "value": f"`{entry.id}`", "inline": True},
        {"name": "Scope", "value": scope + (f" ({state})" if state else ""), "inline": True},
    ]
    if feedback:
        fields.append({"name": "Feedback", "value": f"👍 {feedback[0]} · 👎 {feedback[1]}", "inline": True})
    if entry.phrasings:
        text = "\n".join(f"• {escape_markdown(p)}" for p in entry.phrasings)
        fields.append(
            {"name": f"Alternate phrasings ({len(entry.phrasings)})", "value": clip(text, FIELD_VALUE_MAX)}
        )
    if entry.tags:
        fields.append(
            {"name": "Tags", "value": clip(", ".join(map(escape_markdown, entry.tags)), FIELD_VALUE_MAX)}
        )
    experts = "\n".join(f"{i}. {escape_markdown(byline(a))}" for i, a in enumerate(entry.answers, 1))
    fields.append({"name": f"Answers ({len(entry.answers)})", "value": clip(experts or "—", FIELD_VALUE_MAX)})
    if summary is not None and not summary.is_empty():
        label = "Curated summary" if summary.curated else "Automatic summary"
        experts_n = summary.experts or len(entry.answers)
        fields.append({"name": label, "value": summary_description(summary, experts_n, FIELD_VALUE_MAX)})
    meta = []
    if entry.created_at:
        meta.append(f"created {entry.created_at[:16].replace('T', ' ')} by {entry.created_by or '?'}")
    if entry.updated_at and entry.updated_at != entry.created_at:
        meta.append(f"updated {entry.updated_at[:16].replace('T', ' ')} by {entry.updated_by or '?'}")
    embed: Embed = {
        "title": clip(entry.question, TITLE_MAX),
        "description": clip(escape_markdown(entry.body), 1500) if entry.body else "",
        "fields": fields,
    }
    if meta:
        embed["footer"] = {"text": clip(" · ".join(meta), 2048)}
    return embed


# -- statistics --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AliasSuggestion:
    """An unanswered query and the entry (the server's own or a global one) it most likely means."""

    query: str
    count: int
    entry_id: str
    question: str
    proposed: bool = False  # a member picked this entry among the "did you mean" buttons

    @property
    def key(self) -> str:
        return query_key(self.query)


def query_key(query: str) -> str:
    """A short, stable handle for a query (fits a button's custom_id where the query may not)."""
    return hashlib.sha256(query.encode("utf-8")).hexdigest()[:10]


def suggest_aliases(
    unanswered: Sequence[QueryStat],
    rank: Callable[[str], Sequence[Candidate]],
    own_ids: Iterable[str],
    *,
    min_confidence: float = 0.1,
    limit: int = 4,
    questions: dict[str, str] | None = None,
) -> list[AliasSuggestion]:
    """For each unanswered query, the entry a member picked for it (a proposal), else the
    best-ranked entry of `own_ids`: the entries a server may add a phrasing to — its own and
    the global ones it shows (a global entry's phrasing is the server's own). Proposals first."""
    own = set(own_ids)
    picked: list[AliasSuggestion] = []
    out: list[AliasSuggestion] = []
    for q in unanswered:
        if len(q.query) > LIMITS["phrasing"]:
            continue
        if q.last_entry_id in own and questions and q.last_entry_id in questions:
            eid = q.last_entry_id
            picked.append(AliasSuggestion(q.query, q.unanswered, eid, questions[eid], proposed=True))
            continue
        if len(out) >= limit:
            continue
        best = next((c for c in rank(q.query) if c.entry_id in own and c.confidence >= min_confidence), None)
        if best is not None:
            out.append(AliasSuggestion(q.query, q.unanswered, best.entry_id, best.question))
    return (picked + out)[:limit]


def _variants(variants: Sequence[str]) -> str:
    """ " *(+2 similar wordings: “a”, “b”)*" after a grouped unanswered query."""
    if not variants:
        return ""
    shown = ", ".join(f"“{escape_markdown(clip(v, 40))}”" for v in variants[:2])
    more = " …" if len(variants) > 2 else ""
    return f" *(+{plural(len(variants), 'similar wording')}: {shown}{more})*"


def stats_embed(
    stats: Stats, questions: dict[str, str], suggestions: Sequence[AliasSuggestion] = ()
) -> Embed:
    """Top queries, unanswered queries with counts, and feedback per entry."""

    def rows(items: Iterable[str]) -> str:
        return clip("\n".join(items), FIELD_VALUE_MAX) or "—"

    top = rows(f"{q.count}× {escape_markdown(clip(q.query, 80))}" for q in stats.top_queries)
    groups = group_queries([(q.query, q.unanswered) for q in stats.unanswered])
    missed = rows(f"{g.count}× {escape_markdown(clip(g.query, 80))}{_variants(g.variants)}" for g in groups)
    ranked_feedback = sorted(stats.feedback.items(), key=lambda kv: (-(kv[1][0] + kv[1][1]), kv[0]))
    feedback = rows(
        f"👍 {up} · 👎 {down} — {escape_markdown(clip(questions.get(eid, eid), 70))}"
        for eid, (up, down) in ranked_feedback[:15]
    )
    fields = [
        {"name": "Top queries", "value": top},
        {"name": "Unanswered queries", "value": missed},
        {"name": "Feedback per entry", "value": feedback},
    ]
    if suggestions:
        fields.append({
            "name": "One click: add an unanswered query as an alternate phrasing",
            "value": rows(
                f"“{escape_markdown(clip(s.query, 60))}” → {escape_markdown(clip(s.question, 60))}"
                + (" (a member picked it)" if s.proposed else "")
                for s in suggestions
            ),
        })  # fmt: skip
    return {"title": "FAQ statistics for this server", "fields": fields}


# -- audit trail ---------------------------------------------------------------------------------


def _short(value: Any, limit: int = 60) -> str:
    if value is None or value == "" or value == []:
        return "∅"
    if isinstance(value, list):
        return f"{len(value)} items"
    if isinstance(value, dict):
        return "{…}"
    return "“" + clip(str(value).replace("\n", " "), limit) + "”"


def describe_changes(changes: dict[str, Any]) -> str:
    """ "question: “old” → “new”; answers: 1 items → 2 items" (old/new pairs from the store)."""
    parts = []
    for key, pair in sorted(changes.items()):
        if isinstance(pair, list | tuple) and len(pair) == 2:
            parts.append(f"{key}: {_short(pair[0])} → {_short(pair[1])}")
        else:
            parts.append(f"{key}: {_short(pair)}")
    return "; ".join(parts)


def history_embed(records: Sequence[AuditRecord], label: str, *, limit: int = 12) -> Embed:
    """Newest first: what, who (a mention: renders as a name, pings nobody), when (a Discord
    timestamp in each reader's time zone) and a short diff (bot/history.py)."""
    shown = list(reversed(records))[:limit]
    fields = []
    for r in shown:
        name = clip(f"{r.action} · {actor_name(r.actor)}", FIELD_NAME_MAX)
        head = f"{actor_mention(r.actor)} · {timestamp(r.at)}"
        body = "\n".join(escape_markdown(line) for line in change_lines(r.changes)) or "—"
        fields.append({"name": name, "value": clip(f"{head}\n{body}", 600)})
    return {
        "title": clip(f"History: {label}", TITLE_MAX),
        "description": count_line(len(records), limit),
        "fields": fields,
    }


# -- settings -----------------------------------------------------------------------------------

RESETTABLE = ("keyword_channels", "thresholds", "disclaimer", "moderator_role", "cooldowns")


def channel_list_changes(
    current: dict[str, Any], key: str, add: int | None, remove: int | None, what: str
) -> dict[str, Any]:
    """Add a channel to / remove one from the settings list `key` (`what` names it in the error)."""
    channels = list(current.get(key) or [])
    if add is not None and add not in channels:
        channels.append(add)
    if remove is not None:
        if remove not in channels:
            raise CurationError(f"That channel does not have {what} on.")
        channels.remove(remove)
    return {key: channels} if channels != list(current.get(key) or []) or remove is not None else {}


def settings_changes(
    current: dict[str, Any],
    *,
    base: Thresholds,
    add_channel: int | None = None,
    remove_channel: int | None = None,
    thresholds: dict[str, float] | None = None,
    disclaimer: str | None = None,
    moderator_role_id: int | None = None,
    channel_cooldown: float | None = None,
    user_cooldown: float | None = None,
    reset: str | None = None,
) -> dict[str, Any]:
    """The changes for FaqService.update_settings (None resets a key), or CurationError."""
    changes: dict[str, Any] = {}
    if reset is not None:
        if reset not in RESETTABLE:
            raise CurationError(f"reset: choose one of {', '.join(RESETTABLE)}.")
        keys = {
            "moderator_role": ["moderator_role_id"],
            "cooldowns": ["keyword_channel_cooldown", "keyword_user_cooldown"],
        }.get(reset, [reset])
        changes.update(dict.fromkeys(keys))
    changes.update(
        channel_list_changes(current, "keyword_channels", add_channel, remove_channel, "keyword replies")
    )
    if thresholds:
        merged = {**(current.get("thresholds") or {}), **thresholds}
        try:
            Thresholds(**{**base.__dict__, **merged})
        except ValueError as exc:
            raise CurationError(f"thresholds: {exc}.") from None
        changes["thresholds"] = merged
    if disclaimer is not None:
        text = clean_text(disclaimer)
        if not text:
            raise CurationError("disclaimer: is blank; use reset: disclaimer to restore the default.")
        changes["disclaimer"] = text
    if moderator_role_id is not None:
        changes["moderator_role_id"] = moderator_role_id
    if channel_cooldown is not None:
        changes["keyword_channel_cooldown"] = channel_cooldown
    if user_cooldown is not None:
        changes["keyword_user_cooldown"] = user_cooldown
    return changes


def settings_embed(settings: dict[str, Any], defaults: dict[str, Any]) -> Embed:
    """The effective settings, each marked when it is this server's own value."""

    def mark(key: str, value: str) -> str:
        return f"{value} *(this server)*" if settings.get(key) is not None else f"{value} *(default)*"

    channels = settings.get("keyword_channels") or []
    th = {**(defaults.get("thresholds") or {}), **(settings.get("thresholds") or {})}
    role = settings.get("moderator_role_id") or defaults.get("moderator_role_id")
    disclaimer = settings.get("disclaimer") or defaults.get("disclaimer") or ""
    fields = [
        {"name": "Keyword-reply channels", "value": " ".join(f"<#{c}>" for c in channels) or "none"},
        {
            "name": "Thresholds",
            "value": mark("thresholds", " · ".join(f"{k} {float(v):.2f}" for k, v in th.items()))
            + threshold_help(th)
            + calibration_note(
                defaults.get("calibrated"), settings.get("thresholds"), defaults.get("configured")
            ),
        },
        {"name": "Moderator role", "value": mark("moderator_role_id", f"<@&{role}>" if role else "none")},
        {
            "name": "Keyword cooldowns",
            "value": "channel "
            + mark("keyword_channel_cooldown", f"{_num(settings, defaults, 'keyword_channel_cooldown')} s")
            + "\nmember "
            + mark("keyword_user_cooldown", f"{_num(settings, defaults, 'keyword_user_cooldown')} s"),
        },
        {"name": "Disclaimer", "value": mark("disclaimer", clip(escape_markdown(disclaimer), 900) or "none")},
        {"name": "Help-forum suggestions", "value": _suggest_value(settings)},
        {"name": "Expert credits (Save to FAQ)", "value": _credits_value(settings)},
    ]
    return {"title": "FAQ settings for this server", "fields": fields}


THRESHOLD_HELP = {
    "answer": "at or above this confidence the bot answers",
    "suggest": "from this up to *answer* it offers “did you mean” buttons; below, it says it has no answer",
    "keyword": "unprompted replies in keyword channels need at least this",
}


def threshold_help(values: dict[str, Any]) -> str:
    """What each number does: confidence runs 0–1; higher means fewer, surer answers."""
    lines = [f"-# {k} {float(v):.2f}: {THRESHOLD_HELP[k]}" for k, v in values.items() if k in THRESHOLD_HELP]
    if not lines:
        return ""
    return "\n" + "\n".join(lines) + "\n-# Confidence runs 0–1: raise a number for fewer, surer replies."


def calibration_note(
    calibrated: dict[str, Any] | None, overrides: dict[str, Any] | None, configured: dict[str, Any] | None
) -> str:
    """The store's calibrated bars (bot/matching/bars.py) beside what overrides them here:
    config.yaml's values, then this server's own."""
    if not calibrated:
        return ""
    keys = ("answer", "suggest", "keyword")
    bars = " · ".join(f"{k} {float(calibrated[k]):.2f}" for k in keys)
    probes = int(calibrated["in_scope_probes"]) + int(calibrated["out_of_scope_probes"])
    if calibrated.get("source") == "store":
        lines = [
            f"-# Calibrated on the entries members here see: {bars} "
            f"({plural(probes, 'test question')}: answers {float(calibrated['answer_rate']):.0%} of "
            f"questions the FAQ covers, {float(calibrated['precision']):.0%} of them right; declines "
            f"{float(calibrated['oos_recall']):.0%} of the others)."
        ]
    else:
        lines = [f"-# Too few entries to calibrate ({plural(probes, 'test question')}): fixed bars {bars}."]
    for source, values in (("config.yaml", configured), ("this server", overrides)):
        over = [
            f"{k} {float(v):.2f} (calibrated {float(calibrated[k]):.2f})"
            for k, v in (values or {}).items()
            if k in keys and v is not None
        ]
        if over:
            lines.append(f"-# Set by {source}: " + " · ".join(over) + ".")
    return "\n" + "\n".join(lines)


def _suggest_value(settings: dict[str, Any]) -> str:
    channels = " ".join(f"<#{c}>" for c in settings.get("suggest_channels") or []) or "none"
    tag = settings.get("suggest_solved_tag")
    on_solved = [f"tag {escape_markdown(tag)}"] if tag else []
    if settings.get("suggest_close_solved"):
        on_solved.append("close the post")
    return channels + ('\non "This solved it": ' + ", ".join(on_solved) if on_solved else "")


def _credits_value(settings: dict[str, Any]) -> str:
    credits = settings.get("role_credits") or {}
    lines = [f"<@&{rid}> → {c['field']}: {escape_markdown(c['text'])}" for rid, c in credits.items()]
    return clip("\n".join(lines), FIELD_VALUE_MAX) or "none"


def _num(settings: dict[str, Any], defaults: dict[str, Any], key: str) -> str:
    value = settings.get(key)
    value = defaults.get(key) if value is None else value
    return f"{float(value or 0):g}"
