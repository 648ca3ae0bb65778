"""Summary ⇄ plain dict (JSON/YAML-safe, lossless) and a plain-text rendering for review.

The dict is the YAML shape of a curated summary:

    summary:
      points:
        - text: "Botox relaxes the muscles, which smooths the skin."
          supporters: ["Aldo Guerra", "Sharon Scherl"]
      disagreements:
        - topic: pore size
          sides:
            - {text: "Botox does not change your pore size.", supporters: ["Hardik Soni"]}
            - {text: "The pores also seem to shrink.", supporters: ["Omeed Memar"]}
      experts: 10       # optional: m in "n of m experts"
      curated: true     # optional
"""

from __future__ import annotations

from typing import Any

from bot.grammar import plural
from bot.models import Disagreement, Point, Side, Summary


def summary_to_dict(s: Summary) -> dict[str, Any]:
    """Every field, so `summary_from_dict(summary_to_dict(s)) == s`."""
    return {
        "points": [{"text": p.text, "supporters": list(p.supporters)} for p in s.points],
        "disagreements": [
            {
                "topic": d.topic,
                "sides": [
                    {"text": x.text, "supporters": list(x.supporters), "quoted_from": x.quoted_from}
                    for x in d.sides
                ],
            }
            for d in s.disagreements
        ],
        "experts": s.experts,
        "curated": s.curated,
    }


def _text(value: object, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: expected non-empty text, got {value!r}")
    return value


def _supporters(value: object, where: str) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return (value,)
    if not isinstance(value, list | tuple) or not all(isinstance(x, str) for x in value):
        raise ValueError(f"{where}: expected a list of names, got {value!r}")
    return tuple(value)


def _list(value: object, where: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list | tuple):
        raise ValueError(f"{where}: expected a list, got {type(value).__name__}")
    return list(value)


def _mapping(value: object, where: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def summary_from_dict(d: dict[str, Any]) -> Summary:
    """The inverse of `summary_to_dict`; also reads hand-written YAML (missing keys default).

    Raises ValueError naming the bad field ("points.2.text: expected non-empty text").
    """
    d = _mapping(d, "summary")
    points = []
    for i, p in enumerate(_list(d.get("points"), "points")):
        p = _mapping(p, f"points.{i}")
        points.append(Point(_text(p.get("text"), f"points.{i}.text"),
                            _supporters(p.get("supporters"), f"points.{i}.supporters")))  # fmt: skip
    disagreements = []
    for i, x in enumerate(_list(d.get("disagreements"), "disagreements")):
        x = _mapping(x, f"disagreements.{i}")
        sides = []
        for j, s in enumerate(_list(x.get("sides"), f"disagreements.{i}.sides")):
            where = f"disagreements.{i}.sides.{j}"
            s = _mapping(s, where)
            supporters = _supporters(s.get("supporters"), f"{where}.supporters")
            quoted = s.get("quoted_from")
            if quoted is not None and (not isinstance(quoted, str) or quoted not in supporters):
                raise ValueError(
                    f"{where}.quoted_from: {quoted!r} is not one of the side's supporters "
                    f"{list(supporters)}; name one of them or leave quoted_from out"
                )
            sides.append(Side(_text(s.get("text"), f"{where}.text"), supporters, quoted))
        disagreements.append(Disagreement(_text(x.get("topic"), f"disagreements.{i}.topic"), tuple(sides)))
    experts = d.get("experts", 0)
    if experts is None:
        experts = 0
    if isinstance(experts, bool) or not isinstance(experts, int) or experts < 0:
        raise ValueError(f"experts: expected a whole number ≥ 0, got {experts!r}")
    curated = d.get("curated", False)
    if not isinstance(curated, bool):
        raise ValueError(f"curated: expected true or false, got {curated!r}")
    return Summary(tuple(points), tuple(disagreements), experts=experts, curated=curated)


def _who(names: tuple[str, ...], experts: int) -> str:
    count = f"{len(names)} of {plural(experts, 'expert')}" if experts else plural(len(names), "expert")
    return f"{count}: {', '.join(names)}" if names else count


def _side_who(side: Side, experts: int) -> str:
    """ "2 of 4 experts: Tom Becker; also Omar Haddad" (only Tom Becker wrote the quote)."""
    n = len(side.supporters)
    count = f"{n} of {plural(experts, 'expert')}" if experts else plural(n, "expert")
    return f"{count}: {side.credit(lambda xs: ', '.join(xs))}" if side.supporters else count


def format_summary(s: Summary) -> str:
    """Plain text for `faqbot summarize` and logs (the bot's embeds are rendered elsewhere)."""
    if s.is_empty():
        return "(no summary: no answer has substantive content)"
    lines = [f"{'Curated' if s.curated else 'Automatic'} summary of {plural(s.experts, 'expert')}"]
    for p in s.points:
        lines.append(f"• {p.text}")
        lines.append(f"    — {_who(p.supporters, s.experts)}")
    for d in s.disagreements:
        lines.append(f"Experts disagree on {d.topic}:")
        for side in d.sides:
            lines.append(f"  ◦ {side.text}")
            lines.append(f"      — {_side_who(side, s.experts)}")
    return "\n".join(lines)
