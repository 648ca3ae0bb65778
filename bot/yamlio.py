"""data/faq/*.yaml ⇄ entries.

Safe by construction: `yaml.SafeLoader` only, a size limit per file, no anchors/aliases (the
"billion laughs" bomb needs them and curated data never does), nesting bounded. Every
problem carries file, line, entry and field. Writes are atomic (temp file + rename).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.files import read_text_file, regular_file_problem, remove_stray_temp_files
from bot.models import Entry, supporter_label
from bot.serialize import entry_from_dict, entry_to_dict
from bot.validate import Problem, Validator, validate_entry_dict

MAX_YAML_BYTES = 1024 * 1024
MAX_DEPTH = 20


class _NoAliasLoader(yaml.SafeLoader):
    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                "anchors and aliases (*name) are not allowed in faqbot data",
                event.start_mark,
            )
        return super().compose_node(parent, index)


def _line_map(
    node: yaml.Node, path: str, out: dict[str, int], dups: list[tuple[str, int, int]], depth: int = 0
) -> None:
    """Dotted path → line of every node; a key given twice in one mapping goes to `dups`
    as (path, line, first line): PyYAML would silently keep the last one."""
    if depth > MAX_DEPTH:
        raise ValueError(f"nested deeper than {MAX_DEPTH} levels (line {node.start_mark.line + 1})")
    out.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            child = f"{path}.{key.value}" if path else str(key.value)
            line = key.start_mark.line + 1
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                ident = (key.tag, key.value)
                if ident in seen:
                    dups.append((child, line, seen[ident]))
                    continue
                seen[ident] = line
            out[child] = line
            _line_map(value, child, out, dups, depth + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, value in enumerate(node.value):
            _line_map(value, f"{path}.{i}" if path else str(i), out, dups, depth + 1)


def parse_yaml(text: str, name: str) -> tuple[Any, dict[str, int], list[Problem]]:
    """YAML text → (data, path→line map, problems). Never raises for bad input."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_YAML_BYTES:
        return (
            None,
            {},
            [
                Problem(
                    name,
                    None,
                    None,
                    None,
                    f"larger than {MAX_YAML_BYTES // 1024} KiB; split it into several files",
                )
            ],
        )
    try:
        _refuse_aliases_and_depth(text)
        loader = _fast_loader(text)
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        msg = f"invalid YAML: character U+{exc.character:04X} is not allowed in YAML; remove it"
        return None, {}, [Problem(name, line, None, None, msg)]
    except yaml.MarkedYAMLError as exc:
        return None, {}, [_marked_problem(name, exc, text)]
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return None, {}, [Problem(name, None, None, None, f"invalid YAML: {exc}")]
    try:
        node = loader.get_single_node()
        if node is None:
            return None, {}, []
        lines: dict[str, int] = {}
        dups: list[tuple[str, int, int]] = []
        _line_map(node, "", lines, dups)
        if dups:
            return None, lines, [_duplicate_key(name, *d) for d in dups]
        return loader.construct_document(node), lines, []
    except yaml.MarkedYAMLError as exc:
        return None, {}, [_marked_problem(name, exc, text)]
    except (yaml.YAMLError, ValueError, RecursionError) as exc:
        return None, {}, [Problem(name, None, None, None, f"invalid YAML: {exc}")]
    except (AttributeError, TypeError, OverflowError, KeyError, IndexError) as exc:
        # PyYAML's constructors fail this way on some explicitly tagged values ("!!timestamp x").
        msg = f"invalid YAML value ({type(exc).__name__}: {exc}); check explicit tags such as !!timestamp"
        return None, {}, [Problem(name, None, None, None, msg)]
    finally:
        loader.dispose()


def _duplicate_key(name: str, path: str, line: int, first: int) -> Problem:
    key = path.rsplit(".", 1)[-1]
    return Problem(
        name,
        line,
        None,
        path,
        f"duplicate key {key!r} (also on line {first}); YAML would keep only the last — "
        "keep one, or merge them",
    )


def _marked_problem(name: str, exc: yaml.MarkedYAMLError, text: str) -> Problem:
    mark = exc.problem_mark or exc.context_mark
    line = mark.line + 1 if mark else None
    fix = "fix the syntax there"
    lines = text.splitlines()
    bad = lines[mark.line] if mark is not None and mark.line < len(lines) else ""
    if "\t" in bad[: len(bad) - len(bad.lstrip())]:
        fix = "the line is indented with a tab; YAML indents with spaces only"
    return Problem(name, line, None, None, f"invalid YAML: {exc.problem or exc.context}; {fix}")


def _fast_loader(text: str) -> Any:
    """libyaml's C parser when PyYAML has it (about 10x faster), else the pure-Python one."""
    c_loader = getattr(yaml, "CSafeLoader", None)
    return c_loader(text) if c_loader is not None else _NoAliasLoader(text)


def _refuse_aliases_and_depth(text: str) -> None:
    """One pass over the parser's events, before anything is built: no alias can expand
    (the billion-laughs bomb) and no nesting can recurse deeper than MAX_DEPTH."""
    loader = _fast_loader(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.AliasEvent):
                raise yaml.composer.ComposerError(
                    None,
                    None,
                    "anchors and aliases (*name) are not allowed in faqbot data",
                    event.start_mark,  # type: ignore[arg-type]
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise yaml.composer.ComposerError(
                        None,
                        None,
                        f"nested deeper than {MAX_DEPTH} levels",
                        event.start_mark,  # type: ignore[arg-type]
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


@dataclass
class LoadResult:
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: dict[str, str] = field(default_factory=dict)  # entry id → file it came from

    @property
    def ok(self) -> bool:
        return not self.problems


def entries_from_yaml(text: str, name: str) -> LoadResult:
    """One file: a single entry mapping, or `entries:` (a list) with an optional guild_id."""
    result = LoadResult()
    data, lines, problems = parse_yaml(text, name)
    result.problems.extend(problems)
    if problems:
        return result
    if data is None:
        result.problems.append(
            Problem(
                name, None, None, None, "the file is empty; remove it or add an entry (id, question, answers)"
            )
        )
        return result
    if isinstance(data, dict) and "entries" in data:
        items, prefix = data["entries"], "entries"
        if not isinstance(items, list):
            result.problems.append(
                Problem(name, lines.get("entries"), None, "entries", "must be a list of entries")
            )
            return result
        extra = set(data) - {"entries", "guild_id", "version"}
        for key in sorted(map(str, extra)):
            result.problems.append(
                Problem(
                    name,
                    lines.get(key),
                    None,
                    key,
                    "unknown top-level field; expected 'entries' (and 'guild_id')",
                )
            )
    elif isinstance(data, list):
        result.problems.append(
            Problem(
                name,
                lines.get(""),
                None,
                None,
                "the top level is a list; write one entry (id, question, answers) per file, "
                "or put the list under 'entries:'",
            )
        )
        return result
    else:
        items, prefix = [data], ""
    for i, item in enumerate(items):
        v = Validator(name, lines)
        path = f"{prefix}.{i}" if prefix else ""
        if isinstance(item, dict) and isinstance(data, dict) and "guild_id" in data:
            item = {**item, "guild_id": item.get("guild_id", data["guild_id"])}
        if validate_entry_dict(item, v, path):
            entry = entry_from_dict(item)
            _check_curated_supporters(entry, v, path)
            if not v.problems:
                result.entries.append(entry)
                result.files[entry.id] = name
        result.problems.extend(v.problems)
    return result


def _check_curated_supporters(entry: Entry, v: Validator, path: str) -> None:
    """A curated summary may only credit experts who answered: never an invented name."""
    if entry.summary is None:
        return
    known = {supporter_label(a.provider) for a in entry.answers}
    prefix = f"{path}.summary" if path else "summary"
    named = [(f"{prefix}.points.{i}", p.supporters) for i, p in enumerate(entry.summary.points)]
    for i, d in enumerate(entry.summary.disagreements):
        named += [(f"{prefix}.disagreements.{i}.sides.{j}", s.supporters) for j, s in enumerate(d.sides)]
    for field_path, supporters in named:
        for name in supporters:
            if name not in known:
                v.add(
                    field_path + ".supporters",
                    f"{name!r} did not answer this entry; use one of: {', '.join(sorted(known))}",
                )


def load_dir(directory: str | Path) -> LoadResult:
    """All `*.yaml`/`*.yml` below `directory`, with duplicate ids reported across files."""
    root = Path(directory)
    result = LoadResult()
    if not root.is_dir():
        result.problems.append(
            Problem(
                str(root),
                None,
                None,
                None,
                "is not a directory; pass --data DIR pointing at the folder that holds faq/*.yaml",
            )
        )
        return result
    seen: set[tuple[int | None, str]] = set()  # (guild, id) so far: a set, not a scan per entry
    for path in sorted([*root.rglob("*.yaml"), *root.rglob("*.yml")]):
        text, problem = read_text_file(path, MAX_YAML_BYTES)
        if problem:
            result.problems.append(problem)
            continue
        assert text is not None
        part = entries_from_yaml(text, str(path))
        result.problems.extend(part.problems)
        for entry in part.entries:
            key = (entry.guild_id, entry.id)
            if key in seen:
                result.problems.append(
                    Problem(
                        str(path),
                        None,
                        entry.id,
                        "id",
                        f"duplicate id; also defined in {result.files[entry.id]} — rename one",
                    )
                )
                continue
            seen.add(key)
            result.entries.append(entry)
            result.files[entry.id] = part.files[entry.id]
    return result


def dump_entries(entries: Iterable[Entry]) -> str:
    items = [entry_to_dict(e) for e in entries]
    data: Any = items[0] if len(items) == 1 else {"entries": items}
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def dump_records(data: Any) -> str:
    """Plain records (dicts, lists, scalars) as YAML in the same style as entries."""
    return yaml.dump(data, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


class _Dumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _str_presenter(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    # Multi-line text as a readable block; everything else as plain or quoted scalars.
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)


def load_data(data_dir: str | Path) -> LoadResult:
    """The entries of a data folder: every YAML file under DATA/faq/ (none yet is fine)."""
    root = Path(data_dir)
    if not root.is_dir():
        return load_dir(root)  # reports the missing folder
    faq = root / "faq"
    remove_stray_temp_files(faq)  # left by a killed import or export; logged
    result = load_dir(faq) if faq.exists() else LoadResult()
    synonyms = root / "synonyms.yaml"  # read by bot.matching, which would block on a FIFO
    if (synonyms.exists() or synonyms.is_symlink()) and (
        problem := regular_file_problem(synonyms, MAX_YAML_BYTES)
    ):
        result.problems.append(problem)
    return result
