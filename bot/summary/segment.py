"""Markdown-aware segmentation: an answer → its sentences and list items, code left out.

Experts write Markdown on Discord: fenced and indented code blocks, inline `code`, **bold**,
*italic*, [links](url), bare URLs, bullet and numbered lists, headings, quotes. Here:

* fenced (```/~~~) and indented code blocks, tables, headings and `>` quotes are not sentences
  (code is the expert's example, a quote is someone else's words);
* each list item is its own segment; an item that is not a full sentence ("- a fast
  metabolism") is marked a fragment, which may back a claim but is never quoted as a point;
* inline code, URLs, link targets, version numbers (v1.2.3), dotted names (`str.count()`,
  list.isEmpty(), docs.python.org) and abbreviations (e.g., i.e., Dr.) never end a sentence;
  a sentence may start with a lower-case code name ("list.isEmpty() is O(1).");
* **bold**/*italic* markers and link syntax are dropped from the text shown (a point is quoted
  inside an embed line); inline code keeps its backticks and its case;
* a bold lead-in label ("**Short answer:** use X") is dropped; the claim after it stays.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.text import clean_line

_FENCE = re.compile(r"^\s*(```|~~~)")
_LIST = re.compile(r"^\s*(?:[-*+•·]|\d{1,3}[.)])\s+(?=\S)")
_HEADING = re.compile(r"^\s*#{1,6}\s")
_RULE = re.compile(r"^\s*(?:[-*_]\s*){3,}$")
_TABLE = re.compile(r"^\s*\|.*\|\s*$")
_QUOTE = re.compile(r"^\s*>")

_CODE_SPAN = re.compile(r"(`+)(.+?)\1")
_LINK = re.compile(r"!?\[([^\]\n]+)\]\((<?[^)\s]+>?)(?:\s+\"[^\"]*\")?\)")
_URL = re.compile(r"<?\bhttps?://[^\s<>]+[^\s<>.,;:!?'\")\]]>?")
# Dotted names and versions: str.count(), list.isEmpty(), docs.python.org, v1.2.3, 3.11.2, e.g
_DOTTED = re.compile(r"\b(?:v?\d+(?:\.\d+){1,3}[a-z0-9-]*|[A-Za-z_][\w]*(?:\.[A-Za-z_]\w*)+(?:\(\))?)")
_CALL = re.compile(r"\b[A-Za-z_]\w*\(\)")
_BOLD = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
_ITALIC = re.compile(r"(?<![\w*])([*_])(?=[^\s*_])(.+?)(?<=[^\s*_])\1(?![\w*])")
_STRIKE = re.compile(r"~~(.+?)~~")
_LABEL = re.compile(r"^\s*(?:\*\*|__)([^*_\n]{1,40}?):?(?:\*\*|__):?\s*")
_PLAIN_LABEL = re.compile(
    r"^(?:tl;?dr|short answer|long answer|answer|edit|update|note|in short|summary)\s*[:\-–—]\s*", re.I
)

# Words after which a full stop does not end a sentence ("etc." may: "…, etc. The rest").
ABBREVIATIONS = frozenset({
    "dr", "mr", "mrs", "ms", "prof", "st", "sr", "jr", "vs", "eg", "ie", "e.g", "i.e", "cf",
    "approx", "fig", "mt", "ft", "inc", "ltd", "co", "dept", "univ", "a.m", "p.m", "al",
    "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec", "esq",
    "e", "i", "v", "ver", "min", "max", "avg", "est", "resp", "incl", "excl", "lb", "oz",
})  # fmt: skip
# Abbreviations that are also plain words or units and so often end a sentence: "it's the max.
# The sticker…", "in Dec. Then…". Before a capitalised word they end it; before a figure or a
# lower-case word ("max. 5 bar", "approx. twice") they do not.
_WORDLIKE = frozenset({
    "max", "min", "avg", "est", "approx", "incl", "excl", "resp", "ver", "fig", "ft", "lb", "oz",
    "co", "inc", "ltd", "dept", "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept",
    "oct", "nov", "dec",
})  # fmt: skip
_BOUNDARY = re.compile(r"[.!?…]+[\"'”’)\]]*\s+")
_PH = re.compile(r"\x00(\d+)\x00")


@dataclass(frozen=True)
class Segment:
    """One sentence or list item of an answer, as it is shown (Markdown-light)."""

    text: str
    item: bool = False  # from a list item
    fragment: bool = False  # not a full sentence: may support a claim, never quoted as one


def _blocks(text: str) -> list[tuple[str, bool]]:
    """Prose blocks (paragraphs, list items) with code, tables, headings, quotes removed."""
    out: list[tuple[str, bool]] = []
    para: list[str] = []
    item: list[str] | None = None

    def flush() -> None:
        nonlocal item
        if para:
            out.append((" ".join(para), False))
            para.clear()
        if item is not None:
            out.append((" ".join(item), True))
            item = None

    fence: str | None = None
    prev_blank = True
    in_code = False  # inside an indented code block
    for raw in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if fence is not None:
            if raw.strip().startswith(fence):
                fence = None
            prev_blank = False
            continue
        m = _FENCE.match(raw)
        if m:
            flush()
            fence = m.group(1)
            continue
        if not raw.strip():
            flush()
            prev_blank = True
            continue
        line = clean_line(raw)
        indented = raw.startswith(("    ", "\t"))
        if indented and (in_code or (prev_blank and item is None and not para)):
            in_code, prev_blank = True, False
            continue  # an indented code block
        in_code = False
        prev_blank = False
        if _HEADING.match(raw) or _RULE.match(raw) or _TABLE.match(raw) or _QUOTE.match(raw):
            flush()
            continue
        lm = _LIST.match(raw)
        if lm:
            flush()
            item = [
                line[len(lm.group(0).strip()) :].strip() if line.startswith(lm.group(0).strip()) else line
            ]
            continue
        if item is not None and raw[:1].isspace():
            item.append(line)  # an item's continuation line
            continue
        if item is not None:
            flush()
        if para and not re.search(r"[.!?:;,…)\]\"'”]$", para[-1]) and line[:1].isupper():
            # an unpunctuated line followed by a capitalised one: two sentences
            para[-1] += "."  # marker removed below
            para.append("\x01" + line)
        else:
            para.append(line)
    flush()
    return out


def _protect(text: str, saved: list[str]) -> str:
    def keep(m: re.Match[str]) -> str:
        saved.append(m.group(0))
        return f"\x00{len(saved) - 1}\x00"

    text = _CODE_SPAN.sub(keep, text)
    text = _LINK.sub(lambda m: m.group(1) if not _URL.fullmatch(m.group(1)) else m.group(2), text)
    text = _URL.sub(keep, text)
    text = _STRIKE.sub(r"\1", text)
    for _ in range(2):
        text = _BOLD.sub(r"\2", text)
        text = _ITALIC.sub(r"\2", text)
    text = _DOTTED.sub(keep, text)
    return _CALL.sub(keep, text)


def _restore(text: str, saved: list[str]) -> str:
    while _PH.search(text):
        text = _PH.sub(lambda m: saved[int(m.group(1))], text)
    return text


_BEFORE_NUMBER = frozenset({"no", "nos", "p", "pp", "vol", "ch", "sec", "art", "para"})


def _ends_with_abbreviation(chunk: str, saved: list[str], after: str = "") -> bool:
    chunk = chunk.rstrip().rstrip("\"'”’)]")
    m = re.search(r"(?:^|[\s(])([A-Za-z][A-Za-z.]*|\x00\d+\x00)\.$", chunk)
    if not m:
        return False
    token = _restore(m.group(1), saved).lower().rstrip(".")
    if re.search(r"\d\s*[A-Za-z]{1,3}\.$", chunk) and re.match(r"\s*[A-Z][a-z]", after):
        return False  # a unit after a figure ends the sentence: "up to 100 m. If you…", "5 ft. Then"
    if token in _WORDLIKE and re.match(r"\s*[A-Z][a-z]", after):
        return False  # "… it's the max. The sticker is right."
    if token in ABBREVIATIONS:
        return True
    if token in _BEFORE_NUMBER:
        return bool(re.match(r"\s*\d", after))  # "No. 5", "p. 12"; "No. In most states…" ends
    return len(token) == 1 and token.isalpha()  # an initial: "J. Smith"


def _starts_sentence(rest: str, saved: list[str]) -> bool:
    """Whether the text after a full stop can open a new sentence."""
    if not rest:
        return True
    m = _PH.match(rest)
    if m:
        return True  # inline code or a dotted name opens it: "list.isEmpty() is O(1)."
    ch = rest[0]
    return not ch.islower()


def _sentences(block: str) -> list[str]:
    saved: list[str] = []
    text = _protect(block, saved)
    label = _LABEL.match(text)
    if label and len(label.group(1).split()) <= 4:
        text = text[label.end() :]
    out: list[str] = []
    start = 0
    for m in _BOUNDARY.finditer(text):
        end = m.end()
        chunk = text[start:end]
        forced = text[end : end + 1] == "\x01"
        if not forced:
            if _ends_with_abbreviation(chunk, saved, text[end:]):
                continue
            if not _starts_sentence(text[end:], saved):
                continue
        out.append(chunk)
        start = end
    out.append(text[start:])
    result = []
    for s in out:
        s = s.replace("\x01", "")
        s = " ".join(_restore(s, saved).split())
        s = _PLAIN_LABEL.sub("", s)
        if s:
            result.append(capitalise(s))
    return result


def capitalise(s: str) -> str:
    """Upper-case the first letter of a plain first word; code and names stay as written."""
    m = re.match(r"([a-z][a-z']*)(?=[\s,;:!?]|$|\.(?:\s|$))", s)
    if not m:
        return s
    return s[0].upper() + s[1:]


def _is_full_sentence(s: str) -> bool:
    return bool(re.match(r"[A-Z`\"“(\d]", s)) and len(s.split()) >= 4 and s.rstrip().endswith((".", "!", "?"))


_ITEM_WORD = re.compile(r"[A-Za-z][A-Za-z'’-]+")


def _is_unpunctuated_sentence(s: str) -> bool:
    """A list item written as a sentence without its full stop ("Check them monthly: tyres lose
    about 1 psi a month"): it opens with a capitalised word, not a figure or code, and has five
    words or more. "A fast metabolism", "1 part perlite", "Control the centre" stay fragments."""
    if not re.match(r"[A-Z][a-z'’]*\b", s) or s.rstrip().endswith((":", ",", ";")):
        return False
    return len(_ITEM_WORD.findall(_CODE_SPAN.sub(" ", s))) >= 5


def segments(text: str) -> list[Segment]:
    """An answer's sentences and list items, in order (code blocks, quotes, tables left out)."""
    out: list[Segment] = []
    for block, item in _blocks(text):
        sentences = _sentences(block)
        # an item written lower-case continues its lead-in ("It fades sooner with: - a fast …")
        continues = item and bool(re.match(r"[*_~\s]*[a-z]", block))
        for i, s in enumerate(sentences):
            if not item or _is_full_sentence(s):
                out.append(Segment(s, item=item))
            elif _is_unpunctuated_sentence(s) and not (continues and i == 0):
                out.append(Segment(s.rstrip() + ".", item=True))  # shown as the sentence it is
            else:
                out.append(Segment(s, item=True, fragment=True))
    return out


def split_sentences(text: str) -> list[str]:
    return [s.text for s in segments(text)]


def plain_text(text: str) -> str:
    """Text without Markdown syntax (for word analysis): code keeps its words, not its ticks."""
    text = _LINK.sub(lambda m: m.group(1), text)
    text = _CODE_SPAN.sub(lambda m: m.group(2), text)
    text = _STRIKE.sub(r"\1", text)
    for _ in range(2):
        text = _BOLD.sub(r"\2", text)
        text = _ITALIC.sub(r"\2", text)
    return text


__all__ = ["ABBREVIATIONS", "Segment", "capitalise", "plain_text", "segments", "split_sentences"]
