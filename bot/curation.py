"""The pure logic behind the moderator commands (`/faq`): entries from modal fields, near-duplicate
questions, uploads to import, listing filters, alias suggestions and settings changes. How they
look on Discord is `bot.present.curation`'s.

No Discord import: the cog turns a `CurationError` into an ephemeral reply (its message is
specific and safe to show).
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Any, Literal

from bot.bylines import read_byline
from bot.config import ThresholdsConfig
from bot.grammar import plural
from bot.importer import ImportError_, parse_thread
from bot.matching import Thresholds
from bot.models import LIMITS, MAX_ANSWERS, MAX_PHRASINGS, Answer, Candidate, Entry, Provider
from bot.serialize import entry_to_dict
from bot.settings import GuildSettings, SettingsChange
from bot.store.base import QueryStat
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


# -- settings -----------------------------------------------------------------------------------

RESETTABLE = ("keyword_channels", "thresholds", "disclaimer", "moderator_role", "cooldowns")
ChannelList = Literal["keyword_channels", "suggest_channels"]


def channel_list_changes(
    current: GuildSettings, key: ChannelList, add: int | None, remove: int | None, what: str
) -> SettingsChange:
    """Add a channel to / remove one from the settings list `key` (`what` names it in the error)."""
    was = list(getattr(current, key) or [])
    channels = list(was)
    if add is not None and add not in channels:
        channels.append(add)
    if remove is not None:
        if remove not in channels:
            raise CurationError(f"That channel does not have {what} on.")
        channels.remove(remove)
    if channels == was and remove is None:
        return SettingsChange()
    if key == "keyword_channels":
        return SettingsChange(keyword_channels=channels)
    return SettingsChange(suggest_channels=channels)


def settings_changes(
    current: GuildSettings,
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
) -> SettingsChange:
    """The change for FaqService.update_settings, or CurationError."""
    change = SettingsChange()
    if reset is not None:
        if reset not in RESETTABLE:
            raise CurationError(f"reset: choose one of {', '.join(RESETTABLE)}.")
        keys = {
            "moderator_role": ["moderator_role_id"],
            "cooldowns": ["keyword_channel_cooldown", "keyword_user_cooldown"],
        }.get(reset, [reset])
        change = SettingsChange.resetting(keys)
    change |= channel_list_changes(
        current, "keyword_channels", add_channel, remove_channel, "keyword replies"
    )
    if thresholds:
        own = current.thresholds.model_dump(exclude_none=True) if current.thresholds else {}
        merged = {**own, **thresholds}
        try:
            Thresholds(**{**base.__dict__, **merged})
        except ValueError as exc:
            raise CurationError(f"thresholds: {exc}.") from None
        change |= SettingsChange(thresholds=ThresholdsConfig(**merged))
    if disclaimer is not None:
        text = clean_text(disclaimer)
        if not text:
            raise CurationError("disclaimer: is blank; use reset: disclaimer to restore the default.")
        change |= SettingsChange(disclaimer=text)
    if moderator_role_id is not None:
        change |= SettingsChange(moderator_role_id=moderator_role_id)
    if channel_cooldown is not None:
        change |= SettingsChange(keyword_channel_cooldown=channel_cooldown)
    if user_cooldown is not None:
        change |= SettingsChange(keyword_user_cooldown=user_cooldown)
    return change
