"""The summariser's working set: an entry's substantive sentences ("units") and helpers
shared by points and disagreements (labels, clarity, shortening)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from bot.models import Entry, supporter_label
from bot.summary.claims import Clause, sentence_clauses
from bot.summary.pleasantries import substantive
from bot.summary.segment import capitalise, plain_text, segments
from bot.summary.sentences import content_stems, words

MAX_POINT_CHARS = 300
MAX_UNITS = 160  # sentences considered per entry (pairwise comparisons are quadratic)
MIN_CONTENT = 2  # content words a sentence needs to be a claim
_PRONOUN_START = frozenset({
    "it", "this", "that", "these", "those", "they", "them", "he", "she", "its", "their",
    "such", "as", "so", "then", "also", "and", "but",
})  # fmt: skip


# "It depends on …", "It's worth …", "It is best to …": an "it" that stands for nothing before it
EXPLETIVE_IT = re.compile(
    r"^it\s+(?:depends\s+on|(?:is|'s|’s)\s+(?:not\s+)?(?:worth|best|better|safer|safest|fine|important|"
    r"essential|wise|okay|ok|normal|common|easier|harder|cheaper|usually|always|never)\b)",
    re.I,
)


@dataclass(frozen=True)
class Unit:
    """One substantive sentence (or list item) of one answer."""

    index: int
    answer: int
    label: str
    text: str  # as shown (Markdown-light: inline code kept, emphasis and links flattened)
    stems: frozenset[str]
    fragment: bool = False  # a list item that is not a full sentence: never quoted
    clauses: tuple[Clause, ...] = ()

    @property
    def expert(self) -> tuple[str, int]:
        """Who wrote it: a named expert is one person across answers; unnamed answers are not."""
        named = not self.label.startswith(("unattributed", "unnamed "))
        return (self.label, -1 if named else self.answer)


def shorten(text: str, limit: int = MAX_POINT_CHARS) -> str:
    """`text` if it fits, else cut at a word boundary with "…" (never inside inline code)."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    if cut.count("`") % 2:  # an unclosed code span would swallow the rest of the line
        cut = cut[: cut.rindex("`")].rstrip()
    return cut.rstrip(" ,;:-–—") + "…"


def extract_units(
    entry: Entry,
    max_units: int = MAX_UNITS,
    keep_short: Callable[[str], bool] | None = None,
    keep_yes: bool = False,
) -> list[Unit]:
    """The substantive sentences of every answer, in order (capped fairly across answers).

    `keep_short` keeps a sentence with too few content words when it takes a side ("Just
    merge.", "Wax it."); it is then a fragment: a side of a dispute, never a quoted point.
    `keep_yes` keeps an opening "Yes," (on a yes/no question it is the expert's answer)."""
    per_answer: list[list[tuple[str, bool]]] = []
    for answer in entry.answers:
        kept = []
        for seg in segments(answer.text):
            s = substantive(seg.text, keep_yes)
            if s and len(set(content_stems(plain_text(s)))) >= MIN_CONTENT:
                kept.append((s, seg.fragment))
            elif s and keep_short is not None and keep_short(s):
                kept.append((s, True))
        per_answer.append(kept)
    total = sum(len(k) for k in per_answer)
    if total > max_units:
        # Every answer keeps its first sentences; the cap is shared evenly.
        share = max(2, max_units // max(1, sum(1 for k in per_answer if k)))
        per_answer = [k[:share] for k in per_answer]
    units: list[Unit] = []
    for ai, kept in enumerate(per_answer):
        label = supporter_label(entry.answers[ai].provider)
        for s, fragment in kept:
            plain = plain_text(s)
            units.append(Unit(len(units), ai, label, s, frozenset(content_stems(plain)), fragment,
                              tuple(sentence_clauses(s))))  # fmt: skip
    return units


def labels(units: Sequence[Unit]) -> tuple[str, ...]:
    """Supporter labels in answer order, one per expert (see `Unit.expert`)."""
    seen: dict[tuple[str, int], str] = {}
    for u in sorted(units, key=lambda u: (u.answer, u.index)):
        seen.setdefault(u.expert, u.label)
    return tuple(seen.values())


def clarity(u: Unit) -> float:
    """Lower is clearer: short, self-contained (no leading pronoun), not a question."""
    first = words(u.text)[:1]
    penalty = 0.0
    if first and first[0] in _PRONOUN_START and not EXPLETIVE_IT.match(u.text):
        penalty += 0.2
    low = f" {u.text.lower()} "
    if any(x in low for x in (" not only ", " but ", ";", " however", " whilst ", " while ")):
        penalty += 0.2  # several claims in one sentence
    if u.text.rstrip().endswith("?"):
        penalty += 0.5
    n = len(u.text)
    penalty += 0.3 * max(0, n - 100) / 100  # long sentences read worse
    penalty += 0.15 * max(0, 35 - n) / 35  # and fragments say too little
    return penalty


# Discourse openers that tie a sentence to the one before it or to the rest of the thread; a
# point quoted on its own reads better without them ("But at 1000, the opening matters far
# less than tactics." → "At 1000, …"; "Whatever you choose, contribute …" → "Contribute …";
# "Note the limit is …" → "The limit is …").
_CONNECTIVE = re.compile(
    r"^(?:and|but|plus|then|also|honestly|frankly|basically|anyway|either\s+way|in\s+any\s+case|"
    r"regardless|whatever\s+you\s+(?:choose|pick|use|do|decide|go\s+with)|(?:note|keep\s+in\s+mind|bear\s+in\s+mind)"
    r"(?:\s+that)?(?=\s+(?:the|a|an|your|most|many|some|every|all|this|it|you)\b|\s+[0-9`$]))\b\s*,?\s+(?=\S)",
    re.I,
)


# A short lead-in that points back ("That's how I wire them: one GFCI at the first outlet …",
# "One thing nobody mentioned: keep the water warm"): the claim is what follows the colon.
_POINTING_LEAD = re.compile(
    r"^(?:(?:it|this|that|these|those|they|here)\b|one\s+(?:more\s+)?thing\b)[^:;.!?`]{0,40}:\s+(?=\S)", re.I
)


def standalone(text: str) -> str:
    """`text` as a quote that stands on its own: opening connectives and a lead-in that points
    back dropped, the next word capitalised unless it is code or a name written lower-case on
    purpose."""
    out = text
    while True:
        m = _CONNECTIVE.match(out) or _POINTING_LEAD.match(out)
        if m is None or len(out[m.end() :].split()) < 4:
            break
        out = out[m.end() :]
    return out if out == text else capitalise(out)


REASON = re.compile(r"\b(because|since|due to|as a result of|by (?:reducing|decreasing|relaxing))\b", re.I)

__all__ = [
    "EXPLETIVE_IT",
    "MAX_POINT_CHARS",
    "REASON",
    "Unit",
    "clarity",
    "extract_units",
    "labels",
    "shorten",
    "standalone",
]
