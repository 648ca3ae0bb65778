"""Check the bot's REST request bodies against Discord's published OpenAPI spec.

The spec (``discord-openapi/openapi.json``, MIT, from discord/discord-api-spec) is OpenAPI 3.1,
whose schema objects are JSON Schema 2020-12 plus annotation-only keywords, so a 2020-12
validator checks them as written; ``jsonschema-rs`` does it in well under a millisecond per
request (the pure-Python ``jsonschema`` took ~13 ms per interaction callback and ~220 ms per
command sync here, on the spec's deep anyOf/oneOf unions). ``date-time`` and ``uri`` formats are
asserted (Discord rejects a malformed embed URL or timestamp); snowflakes are checked by the
spec's own ``pattern``.

A request is matched to the spec's path template (literal segments beat ``{params}``:
``/users/@me/channels`` before ``/users/{user_id}``), and its body is checked against the
``application/json`` schema of that operation. A multipart body's ``payload_json`` part is that
same JSON (the spec's multipart schema only adds the ``files[n]`` parts), so it is checked
against the same schema. Validators are compiled once per (method, template) and kept for the
process, so the spec is parsed once per test run.

Where the spec is stricter than what Discord documents and accepts, the exception is listed in
:data:`SPEC_EXCEPTIONS` with its reason; nothing else is relaxed.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

import jsonschema_rs

SPEC_PATH = Path(__file__).resolve().parent / "discord-openapi" / "openapi.json"
_SPEC_URI = "urn:discord-openapi"
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
_UNIONS = frozenset({"anyOf", "oneOf"})


@dataclass(frozen=True)
class SpecException:
    """A place where the spec is stricter than Discord: a failure of one of ``keywords`` at a
    JSON path matching ``json_path`` (``*`` = any index or key) on one of ``routes`` is not
    reported when ``accepts(value)`` holds."""

    routes: tuple[tuple[str, str], ...]
    json_path: str
    keywords: frozenset[str]
    accepts: Callable[[Any], bool]
    reason: str


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


_MESSAGE_ROUTES = (
    ("POST", "/channels/{channel_id}/messages"),
    ("PATCH", "/channels/{channel_id}/messages/{message_id}"),
    ("POST", "/webhooks/{webhook_id}/{webhook_token}"),
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/@original"),
    ("PATCH", "/webhooks/{webhook_id}/{webhook_token}/messages/{message_id}"),
)
_CALLBACK = (("POST", "/interactions/{interaction_id}/{interaction_token}/callback"),)

SPEC_EXCEPTIONS: tuple[SpecException, ...] = (
    SpecException(
        _MESSAGE_ROUTES,
        "$.attachments[*].id",
        frozenset({"type"}),
        _is_int,
        "a new upload's attachment id is the integer index of its files[n] part: Discord's"
        " 'Uploading Files' docs show {\"id\": 0}, and discord.py (File.to_dict) sends it so;"
        " the spec types every attachment id as a snowflake string",
    ),
    SpecException(
        _CALLBACK,
        "$.data.attachments[*].id",
        frozenset({"type"}),
        _is_int,
        "as above, inside an interaction callback's data",
    ),
    SpecException(
        (("POST", "/channels/{channel_id}/messages"),),
        "$.message_reference.*",
        frozenset({"type", "oneOf"}),
        _is_int,
        "Discord takes snowflakes as JSON integers as well as strings; discord.py's"
        " Message.reply sends message_reference ids as integers (message.py"
        " to_message_reference_dict), which the spec's string-only SnowflakeType rejects",
    ),
)


@dataclass(frozen=True)
class Violation:
    """One way a request body breaks the spec. ``json_path`` is ``$``-rooted (``$.data.embeds[0]``)."""

    method: str
    route: str
    path: str
    json_path: str
    message: str

    def __str__(self) -> str:
        return f"{self.method} {self.route} at {self.json_path}: {self.message}"


def _pointer(*parts: str) -> str:
    """A URI fragment JSON pointer (``~1`` for ``/``, ``{}`` percent-encoded)."""
    raw = "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)
    return quote(raw, safe="/#~@")


def _json_path(parts: Iterable[str | int]) -> str:
    return "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in parts)


def _ruled_out(branch: list[Any], depth: int) -> bool:
    """Whether a union's alternative plainly does not apply: the wrong JSON type, or a ``type``
    field that is not its discriminator (``{"type": 4}`` is not the autocomplete callback)."""
    for e in branch:
        rel = list(e.instance_path)[depth:]
        if (e.kind.name == "type" and not rel) or (
            e.kind.name in ("enum", "const", "oneOf") and rel == ["type"]
        ):
            return True
    return False


def _leaves(error: Any) -> list[Any]:
    """The errors that say what is wrong, rather than "not valid under any of the schemas".

    In an anyOf/oneOf failure, alternatives that plainly do not apply (wrong JSON type, another
    ``type`` discriminator) are dropped; if exactly one is left, each of its errors is reported,
    descending the same way, so a callback with a 300-char embed title and an unknown component
    type yields both, each at its own path. If several are left (a webhook body may be a create
    or an update), the one with the fewest errors is reported; if none, the value itself fits
    no alternative.
    """
    if error.kind.name not in _UNIONS:
        return [error]
    depth = len(error.instance_path)
    live = [b for b in error.kind.context if not _ruled_out(b, depth)]
    if not live:
        return [error]
    explained = [[leaf for e in branch for leaf in _leaves(e)] for branch in live]
    return min(explained, key=len)


def _short(value: Any, limit: int = 60) -> str:
    text = json.dumps(value, default=str)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _message(error: Any) -> str:
    value, kind = error.instance, error.kind
    if kind.name in _UNIONS:
        if isinstance(value, dict) and "type" in value:
            return f"no alternative here takes an object of type {_short(value['type'])}"
        return f"{_short(value)} fits none of the alternatives"
    if kind.name in ("maxLength", "minLength") and isinstance(value, str):
        return f"{_short(value)} has {len(value)} characters ({kind.name} {kind.limit})"
    if kind.name in ("maxItems", "minItems") and isinstance(value, list):
        return f"{len(value)} items ({kind.name} {kind.limit})"
    text = error.message
    full = json.dumps(value, separators=(",", ":"), default=str)
    if len(full) > 60:
        text = text.replace(full, _short(value))
    return text if len(text) <= 300 else text[:297] + "..."


def _glob(pattern: str) -> re.Pattern[str]:
    return re.compile(re.escape(pattern).replace(r"\*", r"[^.\[\]]+"))


def _excepted(method: str, template: str, json_path: str, error: Any) -> bool:
    return any(
        (method, template) in exc.routes
        and _glob(exc.json_path).fullmatch(json_path)
        and error.kind.name in exc.keywords
        and exc.accepts(error.instance)
        for exc in SPEC_EXCEPTIONS
    )


_NUMERIC = re.compile(r"^[0-9]+$")


def _normalise(path: str) -> str:
    # Route-cache key: ids vary per request but never change which template matches (no
    # template has a literal numeric segment), so collapse them.
    return "/".join("0" if _NUMERIC.match(s) else s for s in path.split("/"))


class SpecValidator:
    """Route table and compiled body validators for one OpenAPI document."""

    def __init__(self, spec: dict[str, Any]) -> None:
        self.spec = spec
        self._registry = jsonschema_rs.Registry([(_SPEC_URI, spec)])
        routes: list[tuple[int, int, re.Pattern[str], str]] = []
        for template in spec["paths"]:
            segments = template.strip("/").split("/")
            params = sum(1 for s in segments if s.startswith("{"))
            regex = "/".join("[^/]+" if s.startswith("{") else re.escape(s) for s in segments)
            routes.append((params, -len(segments), re.compile(f"/{regex}"), template))
        routes.sort(key=lambda r: (r[0], r[1]))  # fewest {params} first: literal @me wins
        self._routes = [(regex, template) for _, _, regex, template in routes]
        self._route_cache: dict[str, str | None] = {}
        self._validators: dict[tuple[str, str], Any] = {}

    def route(self, path: str) -> str | None:
        """The spec's path template for a request path relative to ``/api/v10``, or None."""
        key = _normalise(path.split("?", 1)[0].rstrip("/") or "/")
        if key not in self._route_cache:
            self._route_cache[key] = next((t for regex, t in self._routes if regex.fullmatch(key)), None)
        return self._route_cache[key]

    def operation(self, method: str, template: str) -> dict[str, Any] | None:
        op = self.spec["paths"][template].get(method.lower())
        return op if isinstance(op, dict) else None

    def body_validator(self, method: str, template: str) -> Any:
        """The compiled validator of this operation's JSON body (built on first use, then kept)."""
        key = (method.upper(), template)
        if key not in self._validators:
            self._validators[key] = self._compile(method.lower(), template)
        return self._validators[key]

    def _compile(self, method: str, template: str) -> Any:
        op = self.operation(method, template) or {}
        if "application/json" not in op.get("requestBody", {}).get("content", {}):
            return None
        where = ("paths", template, method, "requestBody", "content", "application/json", "schema")
        return jsonschema_rs.Draft202012Validator(
            {"$ref": _SPEC_URI + _pointer("#", *where)}, registry=self._registry, validate_formats=True
        )

    def validate(self, method: str, path: str, body: Any) -> list[Violation]:
        """Violations of ``body`` (the JSON, or a multipart ``payload_json``; None = no body)."""
        method = method.upper()
        template = self.route(path)
        if template is None:
            return []  # not a Discord route: the emulator reports unknown routes itself
        op = self.operation(method, template)
        if op is None:
            return [Violation(method, template, path, "$", f"the spec has no {method} on this route")]
        request_body = op.get("requestBody")
        if request_body is None:
            if body is not None and method in _BODY_METHODS:
                return [Violation(method, template, path, "$", "this route takes no request body")]
            return []
        if body is None:
            required = request_body.get("required", False)
            return [Violation(method, template, path, "$", "a request body is required")] if required else []
        validator = self.body_validator(method, template)
        if validator is None or validator.is_valid(body):
            return []
        out = []
        for error in validator.iter_errors(body):
            for leaf in _leaves(error):
                json_path = _json_path(leaf.instance_path)
                if not _excepted(method, template, json_path, leaf):
                    out.append(Violation(method, template, path, json_path, _message(leaf)))
        return out


@functools.cache
def discord_spec() -> SpecValidator:
    """The shipped spec's validator, built once per process."""
    return SpecValidator(json.loads(SPEC_PATH.read_text(encoding="utf-8")))


def format_violations(violations: Iterable[Violation]) -> str:
    return "\n".join(f"  {v}" for v in violations)
