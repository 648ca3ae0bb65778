"""A `Reply` as the CLI shows it: the stable `--json` object, or terminal text."""

from __future__ import annotations

import textwrap
from typing import Any

from bot.grammar import plural
from bot.models import Answer, Provider, Reply, Summary, supporter_label, supporters_text
from bot.summary.serialize import summary_to_dict as summary_dict


def provider_json(p: Provider | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {
        "name": p.name,
        "credentials": p.credentials,
        "specialty": p.specialty,
        "location": p.location,
        "profile_url": p.profile_url,
        "label": supporter_label(p),
    }


def summary_json(s: Summary) -> dict[str, Any]:
    """The summary in the `--json` contract: each point also says how many experts made it."""
    d = summary_dict(s)
    for point, p in zip(d["points"], s.points, strict=True):
        point["count"] = p.count
    return d


def reply_json(reply: Reply) -> dict[str, Any]:
    """The `faqbot ask --json` contract. Keys are only ever added, never renamed."""
    r = reply.result
    entry = reply.entry
    return {
        "query": r.query,
        "decision": r.decision,
        "confidence": round(r.confidence, 4),
        "entry": {"id": entry.id, "question": entry.question} if entry else None,
        "suggestions": [
            {"id": c.entry_id, "question": c.question, "confidence": round(c.confidence, 4)}
            for c in r.suggestions
        ],
        "summary": summary_json(reply.summary) if reply.summary else None,
        "answers": [
            {"title": a.title, "text": a.text, "provider": provider_json(a.provider)}
            for a in (entry.answers if entry else ())
        ],
    }


def _wrap(text: str, indent: str, first: str | None = None, width: int = 96) -> str:
    """Wrap paragraphs; `first` replaces the indent of the very first line (a bullet)."""
    out = "\n".join(
        textwrap.fill(par, width, initial_indent=indent, subsequent_indent=indent)
        for par in text.split("\n")
        if par.strip()
    )
    return first + out[len(indent) :] if first is not None else out


def answer_byline(a: Answer) -> str:
    if a.provider is None:
        return "unattributed"
    line = a.provider.byline(" — ")
    return f"{line} — {a.provider.profile_url}" if a.provider.profile_url else line


def reply_text(reply: Reply, *, show_answers: bool = True) -> str:
    r = reply.result
    lines: list[str] = []
    if r.decision != "answer" or reply.entry is None:
        lines.append(f"No confident answer for {r.query!r} (confidence {r.confidence:.2f}).")
        if r.suggestions:
            lines.append("Did you mean:")
            lines += [f"  • {c.question}  [{c.entry_id}, {c.confidence:.2f}]" for c in r.suggestions]
        return "\n".join(lines)
    entry, summary = reply.entry, reply.summary
    lines.append(f"Q: {entry.question}")
    lines.append(f"   [{entry.id} · confidence {r.confidence:.2f}]")
    if summary and not summary.is_empty():
        m = summary.experts or len(entry.answers)
        say = "says" if m == 1 else "say"
        label = "curated summary" if summary.curated else f"what {plural(m, 'expert')} {say}"
        lines.append(f"\nIn short ({label}):")
        for p in summary.points:
            lines.append(_wrap(p.text, "    ", first="  • "))
            lines.append(f"      — {p.count} of {plural(m, 'expert')}: {supporters_text(p.supporters)}")
        for d in summary.disagreements:
            lines.append(f"\nWhere they differ — {d.topic}:")
            for side in d.sides:
                lines.append(_wrap(side.text, "    ", first="  ◦ "))
                lines.append(f"      — {len(side.supporters)} of {m}: {side.credit()}")
    if entry.source and entry.source.url:
        lines.append(f"\nSource: {entry.source.title or ''} {entry.source.url}".rstrip())
    if show_answers:
        lines.append(f"\nAll answers ({len(entry.answers)}):")
        for i, a in enumerate(entry.answers, 1):
            lines.append(f"\n{i}. {a.title or '(untitled)'}")
            lines.append(f"   by {answer_byline(a)}")
            lines.append(_wrap(a.text, "   "))
    return "\n".join(lines)
