"""The moderator's views (`/faq`) as Discord embed dicts: an import preview, a page of the
entry list, one entry, the statistics, an audit trail and the settings.

Pure, no Discord import: the cog turns the dicts into `discord.Embed`. The logic that decides
what they show (plans, listings, suggestions, settings changes) is `bot.curation`'s.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from bot.config import ThresholdsConfig
from bot.curation import LIST_PAGE_SIZE, AliasSuggestion, ImportPlan, Listed
from bot.grammar import plural
from bot.matching import Thresholds
from bot.matching.bars import Bars
from bot.models import Entry, Summary
from bot.present.embeds import (
    DESCRIPTION_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    TITLE_MAX,
    Embed,
    byline,
    clip,
    escape_markdown,
    summary_description,
)
from bot.present.history import actor_mention, actor_name, change_lines, count_line, timestamp
from bot.querygroups import group_queries
from bot.settings import GuildSettings
from bot.store.base import AuditRecord, Stats


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
    timestamp in each reader's time zone) and a short diff (bot/present/history.py)."""
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


@dataclass(frozen=True)
class SettingsDefaults:
    """What applies where a server set nothing: its bars without its own overrides (the
    calibrated ones, then config.yaml's), and config.yaml's other values."""

    thresholds: Thresholds
    disclaimer: str
    moderator_role_id: int | None
    keyword_channel_cooldown: float
    keyword_user_cooldown: float
    calibrated: Bars | None = None
    configured: ThresholdsConfig | None = None


def settings_embed(settings: GuildSettings, defaults: SettingsDefaults) -> Embed:
    """The effective settings, each marked when it is this server's own value."""

    def mark(own: object, value: str) -> str:
        return f"{value} *(this server)*" if own is not None else f"{value} *(default)*"

    own_bars = settings.thresholds.model_dump(exclude_none=True) if settings.thresholds else {}
    th = {**asdict(defaults.thresholds), **own_bars}
    role = settings.moderator_role_id or defaults.moderator_role_id
    disclaimer = settings.disclaimer or defaults.disclaimer
    channel_cd = _or(settings.keyword_channel_cooldown, defaults.keyword_channel_cooldown)
    user_cd = _or(settings.keyword_user_cooldown, defaults.keyword_user_cooldown)
    fields = [
        {
            "name": "Keyword-reply channels",
            "value": " ".join(f"<#{c}>" for c in settings.keyword_channels) or "none",
        },
        {
            "name": "Thresholds",
            "value": mark(settings.thresholds, " · ".join(f"{k} {float(v):.2f}" for k, v in th.items()))
            + threshold_help(th)
            + calibration_note(defaults.calibrated, settings.thresholds, defaults.configured),
        },
        {
            "name": "Moderator role",
            "value": mark(settings.moderator_role_id, f"<@&{role}>" if role else "none"),
        },
        {
            "name": "Keyword cooldowns",
            "value": "channel "
            + mark(settings.keyword_channel_cooldown, f"{channel_cd:g} s")
            + "\nmember "
            + mark(settings.keyword_user_cooldown, f"{user_cd:g} s"),
        },
        {
            "name": "Disclaimer",
            "value": mark(settings.disclaimer, clip(escape_markdown(disclaimer), 900) or "none"),
        },
        {"name": "Help-forum suggestions", "value": _suggest_value(settings)},
        {"name": "Expert credits (Save to FAQ)", "value": _credits_value(settings)},
    ]
    return {"title": "FAQ settings for this server", "fields": fields}


THRESHOLD_HELP = {
    "answer": "at or above this confidence the bot answers",
    "suggest": "from this up to *answer* it offers “did you mean” buttons; below, it says it has no answer",
    "keyword": "unprompted replies in keyword channels need at least this",
}


def threshold_help(values: dict[str, float]) -> str:
    """What each number does: confidence runs 0–1; higher means fewer, surer answers."""
    lines = [f"-# {k} {float(v):.2f}: {THRESHOLD_HELP[k]}" for k, v in values.items() if k in THRESHOLD_HELP]
    if not lines:
        return ""
    return "\n" + "\n".join(lines) + "\n-# Confidence runs 0–1: raise a number for fewer, surer replies."


def calibration_note(
    calibrated: Bars | None, overrides: ThresholdsConfig | None, configured: ThresholdsConfig | None
) -> str:
    """The store's calibrated bars (bot/matching/bars.py) beside what overrides them here:
    config.yaml's values, then this server's own."""
    if calibrated is None:
        return ""
    keys = ("answer", "suggest", "keyword")
    bars = " · ".join(f"{k} {getattr(calibrated, k):.2f}" for k in keys)
    probes = calibrated.in_scope_probes + calibrated.out_of_scope_probes
    if calibrated.source == "store":
        lines = [
            f"-# Calibrated on the entries members here see: {bars} "
            f"({plural(probes, 'test question')}: answers {calibrated.answer_rate:.0%} of "
            f"questions the FAQ covers, {calibrated.precision:.0%} of them right; declines "
            f"{calibrated.oos_recall:.0%} of the others)."
        ]
    else:
        lines = [f"-# Too few entries to calibrate ({plural(probes, 'test question')}): fixed bars {bars}."]
    for source, values in (("config.yaml", configured), ("this server", overrides)):
        set_here = values.model_dump(exclude_none=True) if values is not None else {}
        over = [
            f"{k} {float(v):.2f} (calibrated {getattr(calibrated, k):.2f})"
            for k, v in set_here.items()
            if k in keys
        ]
        if over:
            lines.append(f"-# Set by {source}: " + " · ".join(over) + ".")
    return "\n" + "\n".join(lines)


def _suggest_value(settings: GuildSettings) -> str:
    channels = " ".join(f"<#{c}>" for c in settings.suggest_channels or []) or "none"
    tag = settings.suggest_solved_tag
    on_solved = [f"tag {escape_markdown(tag)}"] if tag else []
    if settings.suggest_close_solved:
        on_solved.append("close the post")
    return channels + ('\non "This solved it": ' + ", ".join(on_solved) if on_solved else "")


def _credits_value(settings: GuildSettings) -> str:
    credits = settings.role_credits or {}
    lines = [f"<@&{rid}> → {c.field}: {escape_markdown(c.text)}" for rid, c in credits.items()]
    return clip("\n".join(lines), FIELD_VALUE_MAX) or "none"


def _or(own: float | None, default: float) -> float:
    return default if own is None else own
