"""Validation of untrusted entry data (YAML files, imports, moderator input).

Every problem names the file, line (where known), entry id, field, and what to do, so a
moderator can fix all of them in one pass.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass
from typing import Any

from bot.models import LIMITS, MAX_ANSWERS, MAX_PHRASINGS, MAX_TAGS

ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
ENTRY_KEYS = {
    "id",
    "question",
    "body",
    "phrasings",
    "tags",
    "summary",
    "source",
    "answers",
    "guild_id",
    "created_at",
    "created_by",
    "updated_at",
    "updated_by",
}
ANSWER_KEYS = {"title", "text", "provider"}
PROVIDER_KEYS = {"name", "credentials", "specialty", "location", "profile_url"}
SOURCE_KEYS = {"title", "url"}


SNOWFLAKE_MAX = 2**63 - 1
SNOWFLAKE_RULE = "a whole number from 1 to 2**63-1, as Discord's 'Copy Server ID' gives it"


def is_snowflake(value: object) -> bool:
    """A Discord id: a positive 64-bit signed integer (what the store's columns hold)."""
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= SNOWFLAKE_MAX


def _yaml_kind(value: object) -> str:
    """How YAML read an unquoted value, for messages: `id: no` is the boolean false."""
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()} (YAML reads an unquoted yes, no, on, off, true or false so)"
    if isinstance(value, int | float):
        return f"the number {value!r}" if len(repr(value)) <= 30 else "a number"
    if isinstance(value, list | dict):
        return "a list" if isinstance(value, list) else "a mapping"
    return type(value).__name__


def _quote_hint(value: object) -> str:
    if isinstance(value, bool):
        return 'quote it, e.g. id: "no"'
    return f'quote it: id: "{value}"' if len(repr(value)) <= 30 else "quote it"


@dataclass(frozen=True)
class Problem:
    file: str | None
    line: int | None
    entry: str | None
    field: str | None
    message: str

    def __str__(self) -> str:
        where = self.file or "<input>"
        if self.line:
            where += f":{self.line}"
        parts = [where]
        if self.entry:
            parts.append(f"entry {self.entry!r}")
        if self.field:
            parts.append(f"field {self.field!r}")
        return ": ".join([", ".join(parts), self.message])


class Validator:
    """Collects problems for one source; `lines` maps dotted field paths to line numbers."""

    def __init__(self, file: str | None, lines: dict[str, int] | None = None) -> None:
        self.file = file
        self.lines = lines or {}
        self.problems: list[Problem] = []
        self.entry: str | None = None

    def add(self, path: str, message: str) -> None:
        line = self.lines.get(path)
        probe = path
        while line is None and "." in probe:  # nearest enclosing node with a known line
            probe = probe.rsplit(".", 1)[0]
            line = self.lines.get(probe)
        self.problems.append(Problem(self.file, line, self.entry, path or None, message))

    def text(self, d: dict[str, Any], key: str, path: str, limit: str, *, required: bool) -> None:
        value = d.get(key)
        if value is None or value == "":
            if required:
                self.add(path, "is missing or empty; give it a value")
            return
        if not isinstance(value, str):
            self.add(path, f"must be text, not {_yaml_kind(value)}; quote it in YAML")
            return
        if required and not value.strip():
            self.add(path, "is blank; give it a value")
        if len(value) > LIMITS[limit]:
            self.add(path, f"is {len(value)} characters; the limit is {LIMITS[limit]} — shorten it")

    def unknown_keys(self, d: dict[str, Any], allowed: set[str], path: str) -> None:
        for key in d:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                fix = f"did you mean {hint[0]!r}?" if hint else f"allowed: {', '.join(sorted(allowed))}"
                self.add(f"{path}.{key}".lstrip("."), f"unknown field; {fix}")


def validate_entry_dict(d: Any, v: Validator, path: str = "") -> bool:
    """Check one entry mapping; returns True when it is usable (no new problems)."""
    before = len(v.problems)
    p = (path + ".") if path else ""
    if not isinstance(d, dict):
        v.add(path, "an entry must be a mapping with id, question and answers")
        return False
    entry_id = d.get("id")
    v.entry = entry_id if isinstance(entry_id, str) else None
    if isinstance(entry_id, bool | int | float):
        v.add(p + "id", f"was read as {_yaml_kind(entry_id)}, not text; {_quote_hint(entry_id)}")
    elif not isinstance(entry_id, str) or not entry_id:
        v.add(p + "id", "is missing; add a lowercase id such as 'botox-pores'")
    elif not ID_RE.match(entry_id) or len(entry_id) > LIMITS["id"]:
        v.add(p + "id", f"must be lowercase letters, digits and '-', at most {LIMITS['id']} long")
    v.unknown_keys(d, ENTRY_KEYS, path)
    v.text(d, "question", p + "question", "question", required=True)
    v.text(d, "body", p + "body", "body", required=False)
    for key, limit, most in (("phrasings", "phrasing", MAX_PHRASINGS), ("tags", "tag", MAX_TAGS)):
        items = d.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            v.add(p + key, "must be a list (one '- item' per line)")
            continue
        if len(items) > most:
            v.add(p + key, f"has {len(items)} items; at most {most}")
        for i, item in enumerate(items):
            v.text({"x": item}, "x", f"{p}{key}.{i}", limit, required=True)
    source = d.get("source")
    if source is not None:
        if not isinstance(source, dict):
            v.add(p + "source", "must be a mapping with title and/or url")
        else:
            v.unknown_keys(source, SOURCE_KEYS, p + "source")
            v.text(source, "title", p + "source.title", "question", required=False)
            _url(v, source, p + "source.url")
    _answers(v, d.get("answers"), p + "answers")
    if d.get("summary") is not None:
        _summary(v, d["summary"], p + "summary")
    guild = d.get("guild_id")
    if guild is not None and not is_snowflake(guild):
        v.add(p + "guild_id", f"must be a Discord server id ({SNOWFLAKE_RULE})")
    for key in ("created_at", "updated_at", "created_by", "updated_by"):
        if d.get(key) is not None and not isinstance(d[key], str):
            v.add(p + key, "must be text (quote timestamps in YAML)")
    return len(v.problems) == before


def _url(v: Validator, d: dict[str, Any], path: str) -> None:
    url = d.get(path.rsplit(".", 1)[-1])
    if url is None:
        return
    if not isinstance(url, str) or not re.match(r"^https?://[^\s]+$", url):
        v.add(path, "must be a web address starting with http:// or https://")
    elif len(url) > LIMITS["url"]:
        v.add(path, f"is longer than {LIMITS['url']} characters")


def _answers(v: Validator, answers: Any, path: str) -> None:
    if not isinstance(answers, list) or not answers:
        v.add(path, "needs at least one answer (a list of title/text/provider)")
        return
    if len(answers) > MAX_ANSWERS:
        v.add(path, f"has {len(answers)} answers; at most {MAX_ANSWERS}")
    for i, a in enumerate(answers):
        ap = f"{path}.{i}"
        if not isinstance(a, dict):
            v.add(ap, "an answer must be a mapping with title, text and provider")
            continue
        v.unknown_keys(a, ANSWER_KEYS, ap)
        v.text(a, "title", ap + ".title", "answer_title", required=False)
        v.text(a, "text", ap + ".text", "answer_text_stored", required=True)
        provider = a.get("provider")
        if provider is None:
            continue
        if not isinstance(provider, dict):
            v.add(
                ap + ".provider",
                "must be a mapping (name, credentials, specialty, location, "
                "profile_url) or null for an unknown author",
            )
            continue
        v.unknown_keys(provider, PROVIDER_KEYS, ap + ".provider")
        for key in ("name", "credentials", "specialty", "location"):
            v.text(provider, key, f"{ap}.provider.{key}", "provider_field", required=False)
        _url(v, provider, ap + ".provider.profile_url")


def _summary(v: Validator, s: Any, path: str) -> None:
    if not isinstance(s, dict):
        v.add(path, "must be a mapping with points and/or disagreements")
        return
    v.unknown_keys(s, {"points", "disagreements", "experts"}, path)
    for key, item_keys in (("points", {"text", "supporters"}), ("disagreements", {"topic", "sides"})):
        items = s.get(key) or []
        if not isinstance(items, list):
            v.add(f"{path}.{key}", "must be a list")
            continue
        for i, item in enumerate(items):
            ip = f"{path}.{key}.{i}"
            if not isinstance(item, dict):
                v.add(ip, "must be a mapping")
                continue
            v.unknown_keys(item, item_keys, ip)
            if key == "points":
                v.text(item, "text", ip + ".text", "summary_point", required=True)
                _names(v, item.get("supporters"), ip + ".supporters")
                continue
            v.text(item, "topic", ip + ".topic", "question", required=True)
            sides = item.get("sides")
            if not isinstance(sides, list) or len(sides) < 2:
                v.add(ip + ".sides", "a disagreement needs at least two sides")
                continue
            for j, side in enumerate(sides):
                sp = f"{ip}.sides.{j}"
                if not isinstance(side, dict):
                    v.add(sp, "must be a mapping with text and supporters")
                    continue
                v.text(side, "text", sp + ".text", "summary_point", required=True)
                _names(v, side.get("supporters"), sp + ".supporters")


def _names(v: Validator, names: Any, path: str) -> None:
    if names is None:
        return
    if not isinstance(names, list) or not all(isinstance(n, str) and n for n in names):
        v.add(path, "must be a list of expert names")
