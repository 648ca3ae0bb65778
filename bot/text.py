"""Clean-up of real-world text: pasted threads and typed input carry odd whitespace."""

from __future__ import annotations

import re
import unicodedata

# Characters that render as nothing or as a plain space but break matching and splitting.
_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_SPACES = re.compile(r"[ \t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_line(line: str) -> str:
    """One line: NFC, no zero-width or control characters, single spaces, trimmed."""
    line = unicodedata.normalize("NFC", line).translate(_ZERO_WIDTH)
    line = _CONTROL.sub("", line)
    return _SPACES.sub(" ", line).strip()


def clean_text(text: str) -> str:
    """Multi-line text: lines cleaned, CR/LF unified, runs of blank lines kept as one."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u2028", "\n")
    lines = [clean_line(line) for line in text.split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip()


def slugify(text: str, max_len: int = 64) -> str:
    """A stable, readable id: "Why does Botox…?" → "why-does-botox…"."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    if len(slug) > max_len:
        slug = slug[:max_len].rsplit("-", 1)[0] or slug[:max_len]
    return slug or "entry"
