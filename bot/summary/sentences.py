"""The normalised, stemmed token view the summariser works on (splitting: `segment.py`).

Everything here is pure and deterministic: the same text always gives the same sentences
and the same tokens.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import snowballstemmer

_WORD = re.compile(r"[a-z0-9]+(?:['’][a-z]+)?")


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


STOPWORDS = _wordset(
    """
    a about above after again against all almost along already also although always am among
    an and any anyone anything are around as at be because been before being below between
    both but by can could did do does doing done down during each either else enough even
    ever every for from further get gets getting got had has have having he her here hers
    herself him himself his how however i if in into is it its itself just let like likely
    may me might mine more most much must my myself nor of off often on once one only onto or
    other others otherwise our ours ourselves out over own per perhaps please quite rather
    really same several shall she should since so some something such than that the their
    theirs them themselves then there thereby therefore these they this those though through
    thus to too under until up upon us usually very via was we well were what whatever when
    where whereas whether which while whilst who whom whose why will with within would yet
    you your yours yourself yourselves
    make makes made making use used uses using
    """
)
# General-purpose modifiers: they qualify a subject, they never name one. Two claims that
# share only such a word ("returns drop off hard" / "than hard drives") are not on one subject.
_GENERIC_WORDS = """
    hard soft good bad better worse best worst high low big small large long short fast slow
    quick easy difficult new old early late great little lot much many few more less most
    least often sometimes always never usually really very pretty quite enough far near
    full empty whole main major minor real true right wrong sure clear simple normal common
    typical general overall total extra even still just also
"""
# "not" and friends are kept out of the token sets but drive contradiction detection.
NEGATORS = frozenset({"not", "no", "never", "neither", "nor", "cannot", "without", "none"})

# Comparatives the stemmer leaves alone; mapped to their base so "smoother" meets "smooth".
_COMPARATIVES = {
    "smaller": "small", "smallest": "small", "larger": "large", "largest": "large",
    "bigger": "big", "biggest": "big", "smoother": "smooth", "smoothest": "smooth",
    "softer": "soft", "tighter": "tight", "thicker": "thick", "thinner": "thin",
    "firmer": "firm", "oilier": "oily", "drier": "dry", "dryer": "dry", "higher": "high",
    "wider": "wide", "deeper": "deep", "finer": "fine", "brighter": "bright",
    "better": "good", "best": "good", "worse": "bad", "worst": "bad", "fewer": "less",
    "greater": "more",
}  # fmt: skip

# A few near-synonyms folded together after stemming, so experts using different words for
# the same claim still meet lexically ("paralysing" the muscle = relaxing it, "reduces" oil =
# "decreases" oil). Kept short and general on purpose; the embedding model does the rest.
_SYNONYMS = {
    "paralys": "relax", "paralyz": "relax", "loosen": "relax",
    "reduc": "decreas", "lessen": "decreas", "diminish": "decreas", "less": "decreas",
    "lower": "decreas", "drop": "decreas", "declin": "decreas",
    "rais": "increas", "boost": "increas",
    "soften": "smooth",
    "oil": "oil", "oili": "oil", "oily": "oil", "sebum": "oil",
    "wrinkl": "wrinkl", "wrinkli": "wrinkl",
}  # fmt: skip


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """Lower-case word → normalised stem ("smoother" → "smooth", "paralysing" → "relax")."""
    word = word.replace("’", "'")
    if word.endswith("'s"):
        word = word[:-2]
    word = _COMPARATIVES.get(word, word)
    s: str = _stemmer().stemWord(word)
    return _SYNONYMS.get(s, s)


def words(text: str) -> list[str]:
    """Lower-case word tokens in order (apostrophes kept: "doesn't")."""
    return _WORD.findall(text.lower())


def is_negator(word: str) -> bool:
    w = word.replace("’", "'")
    return w in NEGATORS or w.endswith("n't")


def content_stems(text: str) -> list[str]:
    """Stems of the words that carry meaning: no stop words, no negators, no bare numbers."""
    out = []
    for w in words(text):
        if w in STOPWORDS or is_negator(w) or w.isdigit() or len(w) < 2:
            continue
        out.append(stem(w))
    return out


def split_sentences(text: str) -> list[str]:
    """Text → sentences and list items, Markdown-aware (see `bot.summary.segment`)."""
    from bot.summary.segment import split_sentences as split

    return split(text)


@dataclass(frozen=True)
class Token:
    """One word of a sentence with what the claim detector needs to know about it."""

    word: str  # lower-case surface form
    stem: str  # normalised stem ("" for stop words)
    negator: bool
    boundary_before: bool  # a clause boundary (, ; : but however) sits before this word


_CLAUSE_WORDS = frozenset({"but", "however", "although", "though", "whilst", "while", "whereas"})
_TOKEN_OR_PUNCT = re.compile(r"[A-Za-z0-9]+(?:['’][A-Za-z]+)?|[,;:()–—]")


def tokens(sentence: str) -> list[Token]:
    """Sentence → tokens with clause boundaries marked (for negation scope and windows)."""
    out: list[Token] = []
    boundary = False
    for raw in _TOKEN_OR_PUNCT.findall(sentence):
        if raw in {",", ";", ":", "(", ")", "–", "—"}:
            boundary = True
            continue
        w = raw.lower().replace("’", "'")
        if w in _CLAUSE_WORDS:
            boundary = True
        neg = is_negator(w)
        content = not (w in STOPWORDS or neg or w.isdigit() or len(w) < 2)
        out.append(Token(w, stem(w) if content else "", neg, boundary))
        boundary = False
    return out


GENERIC_MODIFIERS = frozenset(stem(w) for w in _GENERIC_WORDS.split())
