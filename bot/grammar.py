"""Counted nouns for everything a member or moderator reads: "1 expert", "2 experts"."""

from __future__ import annotations

_IRREGULAR = {"entry": "entries", "reply": "replies", "query": "queries", "is": "are", "was": "were"}


def plural_form(word: str) -> str:
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word.endswith(("s", "x", "sh", "ch")):
        return word + "es"
    if word.endswith("y") and word[-2:-1] not in ("a", "e", "o", "u"):
        return word[:-1] + "ies"
    return word + "s"


def plural(n: int, word: str, many: str | None = None) -> str:
    """ "1 entry", "3 entries", "0 changes"; `many` overrides the plural form."""
    return f"{n} {word if n == 1 else (many or plural_form(word))}"
