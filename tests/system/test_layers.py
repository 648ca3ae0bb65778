"""The layering docs/architecture.md promises, checked on the source: the core (`bot/` but its
front ends) imports neither Discord, the plugin, nor presentation; no module in `bot/` imports
the plugin or Discord; the plugin reaches the store only through the service."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from tests.conftest import ROOT

BOT = ROOT / "bot"
FRONT_ENDS = ("present/", "web/", "cli.py")  # edges over the core: they may import presentation
# The public address of an entry is the core's to know (a Reply carries it): pure, no aiohttp.
ALLOWED = {"bot.web.urls"}


def _imports(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def _modules(root: Path) -> dict[str, set[str]]:
    return {str(p.relative_to(root)): _imports(p) for p in sorted(root.rglob("*.py"))}


def test_no_module_in_bot_imports_discord_or_the_plugin() -> None:
    bad = {
        name: sorted(i for i in imports if i.split(".")[0] in ("discord", "cogs"))
        for name, imports in _modules(BOT).items()
    }
    assert not {k: v for k, v in bad.items() if v}


def test_the_core_does_not_import_presentation_or_front_ends() -> None:
    bad: dict[str, list[str]] = {}
    for name, imports in _modules(BOT).items():
        if name.startswith(FRONT_ENDS):
            continue
        edges = sorted(
            i for i in imports if i.startswith(("bot.present", "bot.web", "bot.cli")) and i not in ALLOWED
        )
        if edges:
            bad[name] = edges
    assert not bad


def test_the_plugin_reaches_the_store_only_through_the_service() -> None:
    uses = {
        str(p.relative_to(ROOT)): n
        for p in sorted((ROOT / "cogs").rglob("*.py"))
        if (n := len(re.findall(r"\.store\.\w+\(", p.read_text(encoding="utf-8"))))
    }
    assert not uses
