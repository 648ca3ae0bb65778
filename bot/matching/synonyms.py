"""Synonym groups (data/synonyms.yaml) rewriting variants to one canonical term.

Applied to entries and queries alike, before stemming, so "tox", "Dysport" and
"neurotoxin" all index and search as "botox". Variants may be several words
("botulinum toxin"); the longest match wins.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from bot.files import read_text_file
from bot.matching.normalize import words
from bot.yamlio import MAX_YAML_BYTES, parse_yaml

DEFAULT_PATH = Path(__file__).resolve().parents[2] / "data" / "synonyms.yaml"


@dataclass(frozen=True)
class Synonyms:
    """canonical → variants. Both are stored normalised (folded word tuples)."""

    groups: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    _table: dict[tuple[str, ...], tuple[str, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )
    _longest: int = field(init=False, repr=False, compare=False, default=0)
    _starts: frozenset[str] = field(init=False, repr=False, compare=False, default=frozenset())

    def __post_init__(self) -> None:
        table: dict[tuple[str, ...], tuple[str, ...]] = {}
        for canonical, variants in self.groups.items():
            target = tuple(words(canonical))
            if not target:
                continue
            for variant in variants:
                key = tuple(words(variant))
                if key and key != target:
                    table[key] = target
        self._table.update(table)
        object.__setattr__(self, "_longest", max((len(k) for k in table), default=0))
        object.__setattr__(self, "_starts", frozenset(k[0] for k in table))

    @classmethod
    def from_mapping(cls, data: Mapping[str, Sequence[str] | str | None]) -> Synonyms:
        groups: dict[str, tuple[str, ...]] = {}
        for canonical, variants in data.items():
            if isinstance(variants, str):
                variants = [variants]
            groups[str(canonical)] = tuple(str(v) for v in (variants or ()))
        return cls(groups)

    def merged(self, other: Synonyms | None) -> Synonyms:
        """These groups extended by `other` (a guild's own): variants are unioned; a variant
        claimed by both goes to `other`'s canonical."""
        if other is None or not other.groups:
            return self
        out: dict[str, tuple[str, ...]] = {}
        claimed = {v for vs in other.groups.values() for v in vs}
        for canonical, variants in self.groups.items():
            out[canonical] = tuple(v for v in variants if v not in claimed)
        for canonical, variants in other.groups.items():
            out[canonical] = tuple(dict.fromkeys((*out.get(canonical, ()), *variants)))
        return Synonyms(out)

    def vocabulary(self) -> set[str]:
        """Every single word appearing in a variant or canonical (for typo snapping)."""
        vocab = {w for key in self._table for w in key}
        vocab.update(w for target in self._table.values() for w in target)
        return vocab

    def apply(self, tokens: Sequence[str]) -> list[str]:
        """Rewrite variant phrases to their canonical words, longest match first."""
        starts = self._starts
        if not self._table or starts.isdisjoint(tokens):
            return list(tokens)
        longest = self._longest
        out: list[str] = []
        i, n = 0, len(tokens)
        while i < n:
            if tokens[i] not in starts:
                out.append(tokens[i])
                i += 1
                continue
            for size in range(min(longest, n - i), 0, -1):
                target = self._table.get(tuple(tokens[i : i + size]))
                if target is not None:
                    out.extend(target)
                    i += size
                    break
            else:
                out.append(tokens[i])
                i += 1
        return out

    def __len__(self) -> int:
        return len(self.groups)


def load_synonyms(path: str | Path | None = None) -> Synonyms:
    """Read a synonyms YAML file (`canonical: [variant, ...]`). None → the shipped file;
    a missing default file gives empty synonyms. Bad structure raises ValueError."""
    target = Path(path) if path is not None else DEFAULT_PATH
    if path is None and not target.exists():
        return Synonyms()
    # The entries' own YAML reader: a regular file within the size limit, no aliases, and a
    # key given twice is an error naming both lines (PyYAML alone keeps the last one silently).
    text, problem = read_text_file(target, MAX_YAML_BYTES)
    if problem is not None:
        raise ValueError(str(problem))
    data, lines, problems = parse_yaml(text or "", str(target))
    if problems:
        raise ValueError("\n".join(str(p) for p in problems))
    data = data or {}
    if not isinstance(data, dict):
        raise ValueError(f"{target}: expected a mapping of canonical term → list of variants")
    for key, value in data.items():
        ok = (
            value is None
            or isinstance(value, str)
            or (isinstance(value, list) and all(isinstance(v, str | int | float) for v in value))
        )
        if not ok:
            line = lines.get(str(key))
            where = f"{target}:{line}" if line else str(target)
            raise ValueError(f"{where}: {key!r} must map to a list of strings")
    return Synonyms.from_mapping(data)
