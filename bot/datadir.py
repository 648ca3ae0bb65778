"""The curated data folder: importing threads into it and writing entries back to it.

Layout: `DATA/faq/<entry-id>.yaml`, one entry a file, `DATA/synonyms.yaml`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from bot.files import read_text_file, write_atomic
from bot.importer import MAX_THREAD_BYTES, ImportError_, parse_thread
from bot.models import Entry
from bot.serialize import entry_to_dict
from bot.validate import Problem, Validator, validate_entry_dict
from bot.yamlio import dump_entries, entries_from_yaml

Outcome = Literal["created", "updated", "unchanged"]


@dataclass
class ImportOutcome:
    results: list[tuple[Path, str, Outcome]] = field(default_factory=list)  # (file, id, outcome)
    problems: list[Problem] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def entry_path(data_dir: Path, entry_id: str) -> Path:
    return data_dir / "faq" / f"{entry_id}.yaml"


def read_entry_file(path: Path) -> Entry | None:
    text, problem = read_text_file(path, 1024 * 1024)
    if problem or text is None:
        return None
    loaded = entries_from_yaml(text, str(path))
    return loaded.entries[0] if len(loaded.entries) == 1 and loaded.ok else None


def merge_reimport(existing: Entry | None, imported: Entry) -> Entry:
    """Re-importing a thread refreshes what the thread says and keeps what curators added."""
    if existing is None:
        return imported
    return existing.with_changes(
        question=imported.question,
        body=imported.body,
        answers=imported.answers,
        source=existing.source or imported.source,
    )


def import_threads(files: list[Path], data_dir: Path, *, dry_run: bool = False) -> ImportOutcome:
    """Parse every file first; write nothing unless all of them are good."""
    out = ImportOutcome()
    planned: list[tuple[Path, Entry, Outcome]] = []
    for file in files:
        text, problem = read_text_file(file, MAX_THREAD_BYTES)
        if problem:
            out.problems.append(problem)
            continue
        assert text is not None
        try:
            report = parse_thread(text, source_name=str(file))
        except ImportError_ as exc:
            out.problems.append(Problem(str(file), None, None, None, str(exc).split(": ", 1)[-1]))
            continue
        out.warnings.extend(report.warnings)
        v = Validator(str(file))  # the imported entry must also fit Discord's limits
        if not validate_entry_dict(entry_to_dict(report.entry), v):
            out.problems.extend(v.problems)
            continue
        target = entry_path(data_dir, report.entry.id)
        existing = read_entry_file(target) if target.exists() else None
        if target.exists() and existing is None:
            out.problems.append(
                Problem(
                    str(target),
                    None,
                    report.entry.id,
                    None,
                    "exists but is not a valid entry file; fix or remove it "
                    "before re-importing (faqbot check shows why)",
                )
            )
            continue
        merged = merge_reimport(existing, report.entry)
        if any(p[1].id == merged.id for p in planned):
            out.problems.append(
                Problem(
                    str(file),
                    None,
                    merged.id,
                    "id",
                    "two files given import to the same entry id; import them one at a time",
                )
            )
            continue
        outcome: Outcome = (
            "created" if existing is None else ("unchanged" if existing == merged else "updated")
        )
        planned.append((target, merged, outcome))
    if out.problems:
        return out
    for target, entry, outcome in planned:
        if outcome != "unchanged" and not dry_run:
            write_atomic(target, dump_entries([entry]))
        out.results.append((target, entry.id, outcome))
    return out
