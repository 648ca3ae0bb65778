"""Text → comparable tokens: Unicode/accents/case folding, punctuation, possessives, stems.

Pure functions shared by entries and queries so both sides are normalised identically.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

import snowballstemmer

# Apostrophe look-alikes people type on phones and that imported text carries.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"})
# Possessive "botox's" → "botox", plural possessive "patients'" → "patients"; contractions
# ("don't") lose the apostrophe so they stay one token.
_POSSESSIVE = re.compile(r"(?<=\w)'s\b|(?<=s)'(?!\w)")
_INNER_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
_WORD = re.compile(r"[^\W_]+")

# Function words that carry no topic. Kept small on purpose: negations and question words
# that change meaning ("not", "without", "when") are not dropped.
_STOP_TEXT = """
a an the and or but if then so of at by for with about to from in on into onto over under
up down out off is am are was were be been being do does did doing done have has had having
i me my mine myself we us our ours you your yours he him his she her hers it its they them
their theirs this that these those there here what which who whom whose how why where
can could would should will shall may might must just also very really too
any some much many more most such as than get got getting im ive id dont doesnt didnt
please tell know want wanting like would let lets thing things one s t
"""
STOP_WORDS: frozenset[str] = frozenset(_STOP_TEXT.split())

_stemmer = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Case-fold and strip accents: "Détox RÉSUMÉ" → "detox resume"."""
    if text.isascii():
        return text.translate(_APOSTROPHES).casefold()
    text = unicodedata.normalize("NFKC", text).translate(_APOSTROPHES).casefold()
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    """Folded word tokens with possessives and inner apostrophes removed."""
    text = fold(text)
    if "'" in text:
        text = _INNER_APOSTROPHE.sub("", _POSSESSIVE.sub("", text))
    return _WORD.findall(text)


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    return str(_stemmer.stemWord(word))


def is_content(word: str) -> bool:
    return word not in STOP_WORDS
