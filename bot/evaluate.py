"""Regression-test a store: a CSV of real queries with the expected entry id.

`query,expected_id` per row (header optional); an empty expected_id means "the bot should
not answer". A quoted query may span lines (its line breaks become spaces). Pure: the
caller passes `ask`, query → MatchResult (e.g. FaqService.ask), and optionally `rank`,
query → the top-ranked candidate whatever the bars (threshold-free top-1).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.models import Candidate, MatchResult


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
class Outcome:
    """One query's result: what the bot did, and what it ranked first whatever the bars."""

    case: EvalCase
    decision: str
    answered_id: str | None
    confidence: float
    top1_id: str | None
    top1_confidence: float | None
    ok: bool


@dataclass(frozen=True)
class EvalReport:
    total: int
    in_scope: int
    in_scope_correct: int
    out_of_scope: int
    out_of_scope_rejected: int
    misses: tuple[Miss, ...]
    top1_correct: int | None = None  # None: no ranking was given
    outcomes: tuple[Outcome, ...] = ()
    unknown_ids: tuple[str, ...] = ()  # expected ids the store does not hold

    @property
    def accuracy(self) -> float | None:
        """Share of in-scope queries answered with the expected entry (None: no such query)."""
        return self.in_scope_correct / self.in_scope if self.in_scope else None

    @property
    def oos_recall(self) -> float | None:
        """Share of should-not-answer queries the bot did not answer (None: no such query)."""
        return self.out_of_scope_rejected / self.out_of_scope if self.out_of_scope else None

    @property
    def top1(self) -> float | None:
        """Share of in-scope queries whose expected entry is ranked first, whatever the bars."""
        return self.top1_correct / self.in_scope if self.top1_correct is not None and self.in_scope else None


def load_eval_csv(path: str | Path) -> list[EvalCase]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise EvalFileError(f"{p}: cannot read: {exc}") from exc
    cases: list[EvalCase] = []
    reader = csv.reader(io.StringIO(text, newline=""))
    end = 0
    while True:
        n = end + 1  # the line the row starts on (a quoted field may span several)
        try:
            raw = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise EvalFileError(f"{p}:{n}: {exc}; check the quotes") from None
        end = reader.line_num
        row = [" ".join(c.split()) for c in raw]  # line breaks inside a field become spaces
        if not row or all(not c for c in row) or row[0].startswith("#"):
            continue
        if not cases and [c.lower() for c in row[:2]] == ["query", "expected_id"]:
            continue  # the header: the first row after any comments
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


def evaluate(
    cases: Sequence[EvalCase],
    ask: Callable[[str], MatchResult],
    rank: Callable[[str], Candidate | None] | None = None,
    known_ids: Collection[str] | None = None,
) -> EvalReport:
    in_ok = oos_ok = n_in = n_oos = top_ok = 0
    misses: list[Miss] = []
    outcomes: list[Outcome] = []
    for case in cases:
        result = ask(case.query)
        answered = result.best.entry_id if result.decision == "answer" and result.best else None
        first = rank(case.query) if rank is not None else None
        if case.expected_id is None:
            n_oos += 1
            ok = answered is None
            oos_ok += ok
        else:
            n_in += 1
            ok = answered == case.expected_id
            in_ok += ok
            top_ok += first is not None and first.entry_id == case.expected_id
        if not ok:
            top = answered or (result.suggestions[0].entry_id if result.suggestions else None)
            misses.append(Miss(case, result.decision, top, result.confidence))
        outcomes.append(
            Outcome(
                case,
                result.decision,
                answered,
                result.confidence,
                first.entry_id if first else None,
                first.confidence if first else None,
                ok,
            )
        )
    unknown: tuple[str, ...] = ()
    if known_ids is not None:
        unknown = tuple(sorted({c.expected_id for c in cases if c.expected_id} - set(known_ids)))
    return EvalReport(
        len(cases),
        n_in,
        in_ok,
        n_oos,
        oos_ok,
        tuple(misses),
        top_ok if rank is not None else None,
        tuple(outcomes),
        unknown,
    )


def _share(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _pct(x: float | None, part: int | None, whole: int) -> str:
    return "n/a" if x is None else f"{x:.1%} ({part}/{whole})"


def report_to_dict(report: EvalReport) -> dict[str, object]:
    return {
        "total": report.total,
        "in_scope": report.in_scope,
        "in_scope_correct": report.in_scope_correct,
        "accuracy": _share(report.accuracy),
        "top1": _share(report.top1),
        "top1_correct": report.top1_correct,
        "out_of_scope": report.out_of_scope,
        "out_of_scope_rejected": report.out_of_scope_rejected,
        "oos_recall": _share(report.oos_recall),
        "unknown_expected_ids": list(report.unknown_ids),
        "queries": [
            {
                "line": o.case.line,
                "query": o.case.query,
                "expected_id": o.case.expected_id,
                "decision": o.decision,
                "answered_id": o.answered_id,
                "confidence": round(o.confidence, 4),
                "top1_id": o.top1_id,
                "top1_confidence": None if o.top1_confidence is None else round(o.top1_confidence, 4),
                "ok": o.ok,
            }
            for o in report.outcomes
        ],
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
    lines = []
    if report.top1_correct is not None:
        lines.append(
            f"top-1: {_pct(report.top1, report.top1_correct, report.in_scope)} "
            "in-scope queries whose expected entry is ranked first, whatever the bars"
        )
    lines += [
        f"accuracy: {_pct(report.accuracy, report.in_scope_correct, report.in_scope)} "
        "in-scope queries answered with the expected entry",
        f"out-of-scope recall: {_pct(report.oos_recall, report.out_of_scope_rejected, report.out_of_scope)} "
        "should-not-answer queries not answered",
    ]
    if report.unknown_ids:
        lines.append(
            f"expected ids not in the store ({len(report.unknown_ids)}): {', '.join(report.unknown_ids)}"
            " — those queries can never pass; fix the CSV or add the entries"
        )
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


def below(report: EvalReport, min_accuracy: float | None, min_oos_recall: float | None) -> list[str]:
    """The CI gates the report fails (`--min-accuracy`, `--min-oos-recall`), as messages.
    A gate over no queries (n/a) fails: it cannot vouch for anything."""
    out = []
    for name, got, want in (
        ("accuracy", report.accuracy, min_accuracy),
        ("out-of-scope recall", report.oos_recall, min_oos_recall),
    ):
        if want is None:
            continue
        if got is None:
            out.append(f"{name} is n/a (no such queries in the CSV), below the required {want:.1%}")
        elif got < want:
            out.append(f"{name} {got:.1%} is below the required {want:.1%}")
    return out
