"""Import the plain-text Q&A thread format into an `Entry`.

The format (see data/seed/): blocks separated by blank lines.

    Question title
    <blank>
    Question body (one or more paragraphs)
    <blank>
    Answer title
    <blank>
    Answer body (one or more paragraphs)
    <blank>
    [Name, Credentials]          ← provider lines of the answer above, 0–2 (+ profile URL)
    [Location Specialty]
    Next answer title
    …

A "heading block" (short lines only) after an answer body holds that answer's provider lines
followed by the next answer's title. Provider lines belong to the answer *above* them and are
never moved to a neighbour. When an answer has no provider lines, a sign-off at the very end
of its body ("Best, Dr. Green") names the author; otherwise it stays unattributed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from bot.models import Answer, Entry, Provider, Source
from bot.text import clean_line, clean_text, slugify

MAX_THREAD_BYTES = 2 * 1024 * 1024
_HEADING_MAX = 160  # a line longer than this is prose, never a title or provider line

_CREDENTIALS = (
    "MD|M\\.D\\.|DO|D\\.O\\.|PhD|Ph\\.D\\.|DDS|DMD|MBBS|MBChB|MBBCh|FACS|FRCS|FRCSC|FRCS\\(C\\)|"
    "FAAD|FAAFPRS|FACMS|FRACS|FACOG|RN|BSN|MSN|NP|FNP|FNP-C|APRN|PA|PA-C|MS|MSc|MPH|MBA|DNP|"
    "PharmD|OD|DPM|DC|LE|CNS|ARNP|BDS|MDS|MRCS|MRCP|FRCP"
)
_NAME_LINE = re.compile(
    rf"^(?P<name>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){{0,4}}),\s*"
    rf"(?P<cred>(?:{_CREDENTIALS})(?:\s*,\s*(?:{_CREDENTIALS}))*(?:\s*\([^)]*\))?)\s*$"
)
# "Scherl, Sharon, MD": a directory-style name (family name first) with credentials.
_LAST_FIRST_LINE = re.compile(
    rf"^(?P<last>[A-Z][\w'’-]*),\s*(?P<first>[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*)?),\s*"
    rf"(?P<cred>(?:{_CREDENTIALS})(?:\s*,\s*(?:{_CREDENTIALS}))*)\s*$"
)
_DR_NAME_LINE = re.compile(r"^(?P<name>Dr\.?\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})$")

# Specialty = the longest tail of the line made of these words and ending in a head noun;
# what stands before it is the location ("Panama City" + "Facial Plastic Surgeon").
_SPECIALTY_HEADS = {
    "surgeon",
    "surgeons",
    "dermatologist",
    "dermatologists",
    "physician",
    "doctor",
    "nurse",
    "injector",
    "practitioner",
    "specialist",
    "dentist",
    "ophthalmologist",
    "otolaryngologist",
    "esthetician",
    "aesthetician",
    "oculoplastic",
    "surgery",
    "dermatology",
    "clinic",
}
_SPECIALTY_MODIFIERS = {
    "facial",
    "plastic",
    "cosmetic",
    "dermatologic",
    "dermatological",
    "oculoplastic",
    "aesthetic",
    "reconstructive",
    "board-certified",
    "board",
    "certified",
    "oral",
    "maxillofacial",
    "oculofacial",
    "mohs",
    "ent",
    "general",
    "laser",
    "medical",
    "head",
    "and",
    "neck",
    "&",
    "family",
    "internal",
    "medicine",
    "registered",
    "nurse",
    "pediatric",
    "breast",
    "hand",
    "skin",
    "hair",
    "restoration",
    "vein",
    "bariatric",
    "plastic-surgeon",
}
_SIGN_OFF = re.compile(
    r"(?:^|[.!?]\s+|\s)(?:best(?:\s+wishes|\s+regards)?|kind(?:est)?\s+regards|warm(?:est)?\s+"
    r"regards|regards|sincerely|cheers|thanks|thank\s+you|yours\s+truly|respectfully|cordially)"
    r"\s*,\s*(?P<name>(?:Dr\.?\s+)?[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3})\s*\.?\s*$",
    re.IGNORECASE,
)


class ImportError_(ValueError):
    """A thread that cannot be imported; the message says where and what to do."""


@dataclass
class ImportReport:
    entry: Entry
    warnings: list[str] = field(default_factory=list)


def parse_provider_lines(lines: list[str]) -> tuple[Provider | None, list[str]]:
    """Provider from 0–3 lines (name/credentials, location+specialty, profile URL).

    Returns the provider (None if no line was recognised) and the lines that were not
    recognised (reported as warnings, never guessed at).
    """
    name = credentials = specialty = location = url = None
    unknown: list[str] = []
    for line in lines:
        if m := _NAME_LINE.match(line):
            name, credentials = m["name"].strip(), m["cred"].strip()
        elif m := _LAST_FIRST_LINE.match(line):
            name, credentials = f"{m['first'].strip()} {m['last'].strip()}", m["cred"].strip()
        elif m := _DR_NAME_LINE.match(line):
            name = m["name"].strip()
        elif re.match(r"^https?://\S+$", line):
            url = line
        elif (split := _split_specialty(line)) is not None:
            location, specialty = split
        else:
            unknown.append(line)
    provider = Provider(name, credentials, specialty, location, url)
    return (None if provider.is_empty() and not url else provider), unknown


def _is_specialty(text: str) -> bool:
    """ "Facial Plastic Surgeon": modifiers ending in a head noun, nothing else."""
    words = [w.lower().strip(",.") for w in text.split()]
    if not words or words[-1] not in _SPECIALTY_HEADS:
        return False
    return all(w in _SPECIALTY_MODIFIERS for w in words[:-1])


def _split_specialty(line: str) -> tuple[str | None, str] | None:
    """(location, specialty) from "Boston Dermatologist", "Dermatologist in Englewood, NJ"
    or "Facial Plastic Surgeon, Ontario"; None when no specialty is recognised."""
    m = re.match(r"^(?P<spec>.+?)\s+(?:in|at|from|based in)\s+(?P<loc>\S.*)$", line)
    if m and _is_specialty(m["spec"]):
        return m["loc"].strip(",. ") or None, m["spec"].strip(",. ")
    head, comma, tail = line.partition(",")
    if comma and tail.strip() and _is_specialty(head):
        return tail.strip(",. ") or None, head.strip(",. ")
    words = line.split()
    if not words or words[-1].lower().strip(",.") not in _SPECIALTY_HEADS:
        return None
    start = len(words) - 1
    while start > 0 and words[start - 1].lower().strip(",") in _SPECIALTY_MODIFIERS:
        start -= 1
    specialty = " ".join(words[start:]).strip(",. ")
    location = " ".join(words[:start]).strip(",. -–") or None
    return location, specialty


def signature_provider(body: str) -> Provider | None:
    """A sign-off closing the body ("Best, Dr. Green") as the provider's name, else None."""
    m = _SIGN_OFF.search(body[-120:])
    return Provider(name=m["name"].strip()) if m else None


def _is_heading_block(lines: list[str]) -> bool:
    """Short lines with no sentence inside: titles and provider lines, not prose."""
    if any(len(line) > _HEADING_MAX for line in lines):
        return False
    # A prose paragraph of one short line still has sentences; a title has at most one.
    return all(len(re.findall(r"[.!?](?:\s|$)", line)) <= 1 for line in lines) and (
        len(lines) > 1 or not re.search(r"[.!]\s*$", lines[0]) or _looks_like_provider(lines[0])
    )


def _looks_like_provider(line: str) -> bool:
    return bool(_NAME_LINE.match(line) or _DR_NAME_LINE.match(line) or _split_specialty(line))


def _blocks(text: str) -> list[list[str]]:
    blocks: list[list[str]] = []
    current: list[str] = []
    for line in text.split("\n"):
        if line:
            current.append(line)
        elif current:
            blocks.append(current)
            current = []
    if current:
        blocks.append(current)
    return blocks


def parse_thread(text: str, *, source_name: str = "thread", entry_id: str | None = None) -> ImportReport:
    """Parse one thread. Raises ImportError_ with a specific message for unusable input."""
    if len(text.encode("utf-8", "surrogatepass")) > MAX_THREAD_BYTES:
        raise ImportError_(f"{source_name}: larger than {MAX_THREAD_BYTES // 1024} KiB; split it")
    blocks = _blocks(clean_text(text))
    if not blocks:
        if text.strip():  # only control or invisible characters: a binary file, most likely
            raise ImportError_(
                f"{source_name}: is not text (only control or invisible characters); "
                "give a UTF-8 text file with a question, then answers"
            )
        raise ImportError_(f"{source_name}: the file is empty; expected a question, then answers")
    question, *rest_of_first = blocks[0]
    if len(question) > _HEADING_MAX:
        raise ImportError_(
            f"{source_name}: the first line should be the question title (at most "
            f"{_HEADING_MAX} characters), followed by a blank line"
        )
    warnings: list[str] = []
    i = 1
    body_parts = [" ".join(rest_of_first)] if rest_of_first else []
    while i < len(blocks) and not _is_heading_block(blocks[i]):
        body_parts.append("\n".join(blocks[i]))
        i += 1

    answers: list[Answer] = []
    pending: tuple[str, list[str]] | None = None  # (title, body paragraphs) of the open answer
    while i < len(blocks):
        block = blocks[i]
        i += 1
        has_body_next = i < len(blocks) and not _is_heading_block(blocks[i])
        if pending is None:
            # Heading right after the question: the first answer's title (a provider line
            # here would belong to the asker, whom we never name).
            provider_lines, title = block[:-1], block[-1]
            if provider_lines:
                warnings.append(
                    f"{source_name}: ignored lines before the first answer title: "
                    + " | ".join(provider_lines)
                )
        else:
            provider_lines, title = (block[:-1], block[-1]) if has_body_next else (block, "")
            answers.append(_finish_answer(pending, provider_lines, source_name, warnings))
        paragraphs: list[str] = []
        while i < len(blocks) and not _is_heading_block(blocks[i]):
            paragraphs.append("\n".join(blocks[i]))
            i += 1
        pending = (title, paragraphs) if title or paragraphs else None
    if pending is not None:
        answers.append(_finish_answer(pending, [], source_name, warnings))

    answers = [a for a in answers if a.text]
    if not answers:
        raise ImportError_(
            f"{source_name}: found the question {question!r} but no answers; each answer needs "
            "a title line, a blank line, then its text"
        )
    entry = Entry(
        id=entry_id or slugify(question),
        question=question,
        body="\n\n".join(body_parts),
        answers=tuple(answers),
        source=Source(title=question),
    )
    return ImportReport(entry, warnings)


def _finish_answer(
    pending: tuple[str, list[str]], provider_lines: list[str], source_name: str, warnings: list[str]
) -> Answer:
    title, paragraphs = pending
    text = "\n\n".join(paragraphs)
    provider, unknown = parse_provider_lines([clean_line(x) for x in provider_lines])
    for line in unknown:
        warnings.append(
            f"{source_name}: answer {title!r}: line {line!r} is neither a name/credentials "
            "line nor a specialty/location line; left out"
        )
    if provider is None:
        provider = signature_provider(text)
    return Answer(title=title, text=text, provider=provider)
