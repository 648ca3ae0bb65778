"""Pleasantries, greetings and sign-offs: dropped whole or trimmed off a sentence.

"Thank you for your question.", "Hope this helps!", "Best, Dr. Green", "Enjoy your Botox!",
"Your observations are correct!" carry no claim; "Hello, Botox works by…" keeps its claim
once "Hello, " is trimmed.
"""

from __future__ import annotations

import re

from bot.summary.segment import capitalise

_I = re.IGNORECASE

# A sentence matching one of these (from its start) is a pleasantry as a whole.
_WHOLE = [
    re.compile(p, _I)
    for p in (
        r"^(?:hello|hi|hey|dear|greetings)\b[^.!?]{0,60}\bthanks?\b",  # "Hello Robin and thank you…"
        r"^(?:and\s+)?(?:many\s+)?thanks?(?:\s+you)?(?:\s+(?:so|very)\s+much)?"
        r"(?:\s+(?:for|again)\b|[\s.!,]*$)",
        r"^(?:i\s+)?hope\s+(?:this|that|it|my\s+answer)\s+(?:helps?|answers?|was|is)\b",
        r"^(?:all\s+the\s+best|best\s+wishes|best\s+regards|kind(?:est)?\s+regards|warm(?:est)?"
        r"\s+regards|regards|sincerely|cheers|best\s+of\s+luck|good\s+luck|take\s+care|"
        r"yours(?:\s+(?:truly|sincerely))?|respectfully|wishing\s+you)\b",
        r"^best\s*[,!.\-–—]",  # "Best, Dr. Green" (not "Best results come…")
        r"^best\s*$",
        r"^enjoy\s+(?:your|the)\b",
        # a disclaimer is no claim: "Not tax advice; your situation may differ.", "This is not legal advice."
        r"^(?:(?:this|that|it)\s+(?:is|isn't)\s+)?(?:not|no)\s+(?:tax|legal|medical|financial|"
        r"investment|professional)\s+advice\b",
        r"^(?:a\s+)?(?:great|good|excellent|interesting|wonderful|fantastic)\s+"
        r"(?:question|observation|point)s?\b[\s.!]*$",
        r"^(?:your|this|that)\s+(?:observations?|question|assessment|instinct)s?\s+"
        r"(?:is|are|was|were)\s+(?:correct|right|spot\s+on|accurate|valid|a\s+good\s+one)\b",
        r"^(?:you\s+are|you're)\s+(?:right|correct|absolutely\s+right)\b[\s.!]*$",
        # a dash-led attribution line: "— Marco, electrician 20 yrs (not your electrician…)"
        r"^(?:[—–―]|--)\s*[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*(?:[,(]|$)",
        r"^(?:dr\.?|doctor)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}[\s.!]*$",  # a bare signature
        r"^(?:please\s+)?(?:feel\s+free\s+to|don't\s+hesitate\s+to|do\s+not\s+hesitate\s+to)\b",
        r"^(?:good|great)\s+(?:to\s+hear|luck)\b",
    )
]
# Also whole pleasantries when short: a thank-you anywhere in a brief sentence.
_SHORT_THANKS = re.compile(r"\bthanks?\s+(?:you\s+)?for\s+(?:your|the|asking)\b", _I)

# Trimmed from the start of a sentence, keeping the claim that follows.
_PREFIXES = [
    re.compile(p, _I)
    for p in (
        r"^(?:hello|hi|hey|dear)(?:\s+(?:there|[A-Z][a-z]+))?\s*[,!:.]\s*",
        r"^(?:great\s+question|good\s+question|great\s+observation)\s*[,!]\s*",
        r"^(?:you\s+are|you're)\s+(?:right|correct)\s*[,!:]\s*",
        r"^(?:your\s+observations?\s+(?:is|are)\s+correct)\s*[,!:]\s*",
        r"^(?:i\s+am|i'm)\s+not\s+(?:a|your)\s+(?:lawyer|doctor|accountant|vet|financial\s+advi[sc]or)\s*,\s*(?:but\s+)?",
    )
]
# An agreeing opener: trimmed, except where it answers a yes/no question ("Yes, if your NAS…").
_YES = re.compile(r"^(?:yes|absolutely|indeed)\s*[,!]\s*", _I)
# A sign-off glued to the end of a sentence: "… less pores. Best, Dr. ALDO" already splits,
# but "… less pores Best, Dr. ALDO" or "… — Dr. Green" do not.
_SUFFIX = re.compile(
    r"\s*(?:[-–—]\s*)?(?:best(?:\s+wishes)?|regards|sincerely|cheers)?\s*,?\s*"
    r"(?:dr\.?|doctor)\s+[A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}\s*$"
)


def is_pleasantry(sentence: str) -> bool:
    s = sentence.strip().strip("\"'“”‘’")
    if any(p.search(s) for p in _WHOLE):
        return True
    return len(s) <= 90 and bool(_SHORT_THANKS.search(s))


def trim(sentence: str, keep_yes: bool = False) -> str:
    """The sentence without a leading greeting or trailing signature ("" if nothing is left)."""
    s = sentence.strip()
    changed = True
    prefixes = _PREFIXES if keep_yes else [*_PREFIXES, _YES]
    while changed:
        changed = False
        for p in prefixes:
            new = p.sub("", s, count=1)
            if new != s:
                s, changed = new, True
    if re.search(r"[.!?]\s", s) is None:  # only trim a signature off a single sentence
        s = _SUFFIX.sub("", s).rstrip(" ,")
    if s != sentence.strip():
        s = capitalise(s)  # "Hello, botox works…" → "Botox works…"; code keeps its case
    return s.strip()


def substantive(sentence: str, keep_yes: bool = False) -> str:
    """The sentence with greetings trimmed, or "" when it is only a pleasantry; `keep_yes`
    keeps an opening "Yes," (the answer to a yes/no question)."""
    if is_pleasantry(sentence):
        return ""
    s = trim(sentence, keep_yes)
    if not s or is_pleasantry(s):
        return ""
    return s
