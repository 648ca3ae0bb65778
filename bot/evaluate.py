"""Regression-test a store: a CSV of real queries with the expected entry id.

`query,expected_id` per row (header optional); an empty expected_id means "the bot should
not answer". Pure: the caller passes `ask`, query → MatchResult (e.g. FaqService.ask).
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.models import MatchResult


class EvalFileError(ValueError):
    """A bad eval CSV, with file and line."""


@dataclass(frozen=True)
class EvalCase:
    query: str
    expected_id: str | None  # None: should not answer
    line: int = 0


@dataclass(frozen=True)
class Miss:
    case: EvalCase
    decision: str
    got_id: str | None  # the answered entry, or the top suggestion
    confidence: float


@dataclass(frozen=True)
class EvalReport:
    total: int
    in_scope: int
    in_scope_correct: int
    out_of_scope: int
    out_of_scope_rejected: int
    misses: tuple[Miss, ...]

    @property
    def accuracy(self) -> float:
        """Share of in-scope queries answered with the expected entry."""
        return self.in_scope_correct / self.in_scope if self.in_scope else 0.0

    @property
    def oos_recall(self) -> float:
        """Share of should-not-answer queries the bot did not answer."""
        return self.out_of_scope_rejected / self.out_of_scope if self.out_of_scope else 0.0


def load_eval_csv(path: str | Path) -> list[EvalCase]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{p}: cannot read: {exc}") from exc
    cases: list[EvalCase] = []
    for n, row in enumerate(csv.reader(text.splitlines()), start=1):
        if not row or all(not c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if n == 1 and [c.strip().lower() for c in row[:2]] == ["query", "expected_id"]:
            continue
        if len(row) > 2:
            raise EvalFileError(
                f"{p}:{n}: expected 2 columns (query,expected_id), got {len(row)}; "
                "quote a query that contains commas"
            )
        query = row[0].strip()
        if not query:
            raise EvalFileError(f"{p}:{n}: empty query")
        expected = row[1].strip() if len(row) == 2 else ""
        cases.append(EvalCase(query, expected or None, n))
    return cases


def evaluate(cases: Sequence[EvalCase], ask: Callable[[str], MatchResult]) -> EvalReport:
    in_ok = oos_ok = n_in = n_oos = 0
    misses: list[Miss] = []
    for case in cases:
        result = ask(case.query)
        answered = result.best.entry_id if result.decision == "answer" and result.best else None
        if case.expected_id is None:
            n_oos += 1
            ok = answered is None
            oos_ok += ok
        else:
            n_in += 1
            ok = answered == case.expected_id
            in_ok += ok
        if not ok:
            top = answered or (result.suggestions[0].entry_id if result.suggestions else None)
            misses.append(Miss(case, result.decision, top, result.confidence))
    return EvalReport(len(cases), n_in, in_ok, n_oos, oos_ok, tuple(misses))


def report_to_dict(report: EvalReport) -> dict[str, object]:
    return {
        "total": report.total,
        "in_scope": report.in_scope,
        "in_scope_correct": report.in_scope_correct,
        "accuracy": round(report.accuracy, 4),
        "out_of_scope": report.out_of_scope,
        "out_of_scope_rejected": report.out_of_scope_rejected,
        "oos_recall": round(report.oos_recall, 4),
        "misses": [
            {
                "line": m.case.line,
                "query": m.case.query,
                "expected_id": m.case.expected_id,
                "decision": m.decision,
                "got_id": m.got_id,
                "confidence": round(m.confidence, 4),
            }
            for m in report.misses
        ],
    }


def report_to_text(report: EvalReport) -> str:
    lines = [
        f"accuracy: {report.accuracy:.1%} ({report.in_scope_correct}/{report.in_scope} "
        "in-scope queries answered with the expected entry)",
        f"out-of-scope recall: {report.oos_recall:.1%} ({report.out_of_scope_rejected}/"
        f"{report.out_of_scope} should-not-answer queries not answered)",
    ]
    if report.misses:
        lines.append(f"misses ({len(report.misses)}):")
        for m in report.misses:
            want = m.case.expected_id or "(no answer)"
            got = m.got_id or "-"
            lines.append(
                f"  line {m.case.line}: {m.case.query!r}: expected {want}, "
                f"got {m.decision} {got} ({m.confidence:.2f})"
            )
    else:
        lines.append("no misses")
    return "\n".join(lines)
