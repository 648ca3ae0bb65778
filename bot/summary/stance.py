"""Which option an expert recommends: "X or Y" questions and "should I X?" questions.

A clause **recommends** a term (a stem) when, in one of its comma segments,

* the term is the first word after fillers ("just", "always", "yes", "honestly", "I'd"…):
  an imperative or a bare answer ("Just merge.", "Merge `main` into your branch instead",
  "Roth, especially if…", "Wax it") — but not a gerund or a subject ("Merging takes…",
  "Oil is fine");
* or the term follows a choice verb within three words ("go with Y", "I'd pick the Y",
  "use small, soft Y", "stick with Y", "switch to Y").

It **advises against** a term when a negation governs a choice verb or "need to" before it
("I do not recommend rebasing", "don't bother with wax", "you don't need to preheat",
"skip X", "avoid X"). On "X or Y" questions against X is for Y. Two experts whose clauses
pick different options disagree on the question's subject even when they share no other
word; a clause naming both options, or hedged, picks none.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.summary.segment import plain_text
from bot.summary.sentences import STOPWORDS, stem

_FILLERS = frozenset({
    "just", "simply", "always", "definitely", "honestly", "yes", "yeah", "so", "then", "instead",
    "really", "personally", "i'd", "id", "i", "would", "generally", "usually", "still", "ok", "okay",
    "well", "short", "answer", "the", "a", "an", "please", "absolutely", "seriously",
})  # fmt: skip
_CHOICE_VERBS = frozenset({
    "use", "go", "pick", "choose", "prefer", "recommend", "stick", "switch", "opt", "try", "get",
    "buy", "take", "do", "want", "bother", "need",
})  # fmt: skip
# Words that make the first word a subject, not an imperative: "Oil is fine", "Merge takes…".
_VERB_AFTER = frozenset({
    "is", "are", "was", "were", "takes", "keeps", "makes", "helps", "works", "has", "will", "can",
    "gives", "lasts", "costs", "does", "means", "needs", "tends", "seems", "should", "must", "may",
    "might", "could", "would", "shall", "isn't", "aren't", "doesn't", "won't", "and", "or",
})  # fmt: skip
_CONDITIONAL = frozenset({"if", "unless", "when", "while", "with", "during"})
_NEG = re.compile(r"^(?:not|no|never|don't|dont|do\s*n't|doesn't|won't|wouldn't|shouldn't|can't|cannot)$")
_DENIED_VERBS = frozenset({"need", "recommend", "bother"})
_AGAINST_VERBS = frozenset({"skip", "avoid", "ditch", "forget"})
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_YES_NO = re.compile(
    r"\b(?:should|do|must|can|would)\s+(?:i|we|you)\s+(?:really\s+)?(?:need\s+to\s+|have\s+to\s+|bother\s+(?:to\s+)?)?"
    r"(?P<verb>[a-z]+)(?:\s+(?:my|the|a|an|some|any|your|our))?\s+(?P<obj>[a-z]+)?",
    re.I,
)
_GENERIC_VERBS = frozenset({"use", "get", "try", "buy", "take", "have", "do", "put", "give", "add", "go"})


def _words(text: str) -> list[str]:
    # "Soap's fine": the contracted "is" is a word of its own (a possessive "'s" names no verdict)
    return _WORD.findall(_CONTRACTED_IS.sub(r"\1 is", plain_text(text).lower().replace("’", "'")))


_CONTRACTED_IS = re.compile(
    r"\b([a-z0-9]+)'s\b(?=\s+(?:\w+ly\s+|just\s+|still\s+)?(?:fine|ok|okay|best|great|sound|overkill|pointless|a\b|the\b|not\b))"
)
# "Never, ever use X": an emphatic negation set off by a comma still governs the verb after it
_EMPHATIC_NEG = re.compile(r"\b(never|no)\s*,\s*(?=ever\b)", re.I)


# A condition set off by commas ("If you do upgrade, skip…") states no choice of its own.
_CONDITION_SEGMENT = re.compile(r"(?:^|(?<=[,;:]))\s*(?:if|unless|when|whenever|once|whether)\b[^,;:]*", re.I)


@lru_cache(maxsize=65536)  # asked about every option / term of every clause, often the same pair
def stance(text: str, term: str) -> int:
    """+1 if the clause recommends `term` (a stem), -1 if it advises against it, else 0."""
    text = _EMPHATIC_NEG.sub(r"\1 ", _CONDITION_SEGMENT.sub(" ", plain_text(text)))
    ws = _words(text)
    stems = [stem(w) for w in ws]
    if term not in stems:
        return 0
    result = 0
    # A choice verb shortly before the term, across commas ("use small, soft treats").
    for i, s in enumerate(stems):
        free = not any(_NEG.match(w) or w in _AGAINST_VERBS for w in ws[:i])
        if s == term and free and any(w in _CHOICE_VERBS for w in ws[max(0, i - 4) : i]):
            result = 1
    flat = re.sub(r"\(\s*\)", "", plain_text(text).lower().replace("’", "'"))  # "size()" is one word
    for seg in re.split(r"[,;:()]|\s[–—-]\s", flat):
        sw = _WORD.findall(seg)
        ss = [stem(w) for w in sw]
        if term not in ss:
            continue
        k = 0
        while k < len(sw) and sw[k] in _FILLERS:
            k += 1
        negated_before = any(_NEG.match(w) for w in sw[: ss.index(term)])
        for i, s in enumerate(ss):
            if s != term:
                continue
            if i and sw[i - 1] in _NARRATOR and sw[i].endswith("ed"):
                continue  # "I started lifting at 14 and hurt my back": what happened, not advice
            window = sw[max(0, i - 4) : i]
            verb_near = any(stem(w) in _CHOICE_VERBS or w in _CHOICE_VERBS for w in window)
            # "don't take ibuprofen if you have an ulcer" is advice for a case, not a choice
            conditional = any(w in _CONDITIONAL for w in sw[i + 1 :])
            denies = negated_before and (verb_near or any(w in _DENIED_VERBS for w in sw[:i]))
            if (denies or any(w in _AGAINST_VERBS for w in window[-2:])) and not conditional:
                return -1
            after = [w for w in sw[i + 1 :] if not w.isdigit()][:2]
            # "Merging takes…", "Ibuprofen should…", "Oil works…", "size() == 0 is": a subject
            subject = sw[i].endswith("ing") or any(
                w in _VERB_AFTER or (w.endswith("s") and not w.endswith("ss")) for w in after
            )
            first = i == k and not subject
            if (first or verb_near) and not negated_before:
                result = 1
    return result or judged(ws, stems, term)


_NARRATOR = frozenset({"i", "we"})


# A verdict on the term itself: "ETTR is sound", "Waxing is the way to go", "Brine is obsolete".
GOOD = frozenset({"sound", "fine", "best", "better", "great", "ideal", "safer", "essential", "superior",
                  "preferable", "way", "go-to", "right", "correct", "worth", "ok", "okay", "safe",
                  "brilliant"})  # fmt: skip
BAD = frozenset({
    "obsolete", "outdated", "overrated", "pointless", "useless", "unnecessary", "overkill", "myth", "waste",
    "worse", "wrong", "dangerous", "harmful", "dead", "riskier", "inferior", "rubbish", "worst",
})  # fmt: skip
_LATER = frozenset({"if", "unless", "after", "before", "once", "until", "except"})
_COPULA = frozenset({"is", "are", "was", "stays", "remains", "'s"})
_SOFT = frozenset({"still", "really", "just", "the", "a", "an", "largely", "totally", "completely", "quite",
                   "pretty", "simply", "now", "mostly", "basically"})  # fmt: skip


def judged(ws: list[str], stems: list[str], term: str) -> int:
    """+1 / -1 when the clause calls `term` good or bad right after naming it ("X is sound",
    "X is mostly obsolete", "X isn't worth it"); 0 when a condition or a time follows ("X is
    fine if…", "X is fine after the first two days")."""
    for i, s in enumerate(stems):
        if s != term or i + 1 >= len(ws) or ws[i + 1] not in _COPULA | {"isn't", "aren't"}:
            continue
        negated = ws[i + 1].endswith("n't")
        k = i + 2
        while k < len(ws) and (ws[k] in _SOFT or ws[k] == "not"):
            negated ^= ws[k] == "not"
            k += 1
        if k >= len(ws) or any(w in _CONDITIONAL | _LATER for w in ws[k + 1 :]):
            continue  # "X is fine after the first two days": praise for a case, no choice
        sign = 1 if ws[k] in GOOD else -1 if ws[k] in BAD else 0
        if sign:
            return -sign if negated else sign
    return 0


def pick(text: str, options: tuple[str, str]) -> str | None:
    """The option a clause recommends on an "X or Y" question (None: neither or both)."""
    x, y = options
    sx, sy = stance(text, x), stance(text, y)
    for_x = sx > 0 or sy < 0
    for_y = sy > 0 or sx < 0
    if for_x == for_y:
        return None
    return x if for_x else y


# "Is it worth upgrading…?", "Is it worth it to repaste…?": the act is the -ing verb (or the one after "to").
_WORTH_Q = re.compile(r"\bis\s+it\s+worth\s+(?:it\s+to\s+(?P<to>[a-z]+)|(?P<ing>[a-z]+ing)\b)", re.I)
# A bare answer to a yes/no question, at the start of a clause (after fillers): "Yes, if…",
# "No." , "Nope", "Not worth it", "Not really"; "(not) worth it" anywhere.
_ANSWER = re.compile(
    r"^(?:(?:honestly|short\s+answer|in\s+short|frankly|personally|well|so)\W+)*"
    r"(?P<word>yes|yeah|yep|absolutely|definitely|no|nope|not\s+really)\s*(?:[,.!;:—–]|-\s|$)",
    re.I,
)
_WORTH = re.compile(r"\b(?P<neg>not|n't|never|hardly)?\s*(?:really\s+)?worth\s+it\b", re.I)


def answer(text: str) -> int:
    """+1 / -1 when a clause answers a yes/no question outright ("Yes, if your NAS…",
    "Honestly, not worth it for most homes"), else 0."""
    flat = plain_text(text).strip().lower().replace("’", "'")
    m = _ANSWER.match(flat)
    if m:
        return -1 if m.group("word") in {"no", "nope", "not really"} else 1
    w = _WORTH.search(flat)
    if w:
        return -1 if w.group("neg") else 1
    o = _OPENING_VERDICT.match(flat)
    if o:
        sign = 1 if o.group("good") else -1
        return -sign if o.group("neg") or o.group("cop").endswith("n't") else sign
    b = _BARE_VERDICT.match(flat)
    if b and not _TAIL_CONDITION.search(flat[b.end() :]):
        return 1 if b.group("yes") else -1
    return 0


# An answer that takes the question's act as said ("Skip it.", "Don't bother.", "Always do it."):
# the act is the question's, so no word of it needs repeating; a condition after it takes no side.
_BARE_VERDICT = re.compile(
    r"^(?:(?:honestly|frankly|personally|just|so|well|really)\W+)*"
    r"(?:(?P<no>skip\s+it|don't\s+bother|do\s+not\s+bother|no\s+need|not\s+needed|not\s+necessary|unnecessary|"
    r"pointless|overkill|don't\s+do\s+it|leave\s+it)|(?P<yes>always\s+do\s+it|do\s+it|definitely\s+do\s+it|"
    r"worth\s+doing|go\s+for\s+it))\b",
    re.I,
)
# "It's not safe…", "That's illegal in most states", "It is perfectly legal…": a verdict that opens an answer
_OPENING_VERDICT = re.compile(
    r"^\W*(?:(?:honestly|frankly|in\s+short|short\s+answer|generally|legally)\W+)*"
    r"(?:it|that|this|they)\s*(?P<cop>'s|\s+is|'re|\s+are|\s+isn't|\s+aren't)\s+(?P<neg>not\s+)?(?:\w+ly\s+)?"
    r"(?:(?P<good>safe|fine|ok|okay|legal|allowed|necessary|needed|required|a\s+good\s+idea)"
    r"|(?P<bad>dangerous|unsafe|illegal|harmful|a\s+bad\s+idea|pointless|unnecessary|a\s+myth))\b",
    re.I,
)
_TAIL_CONDITION = re.compile(r"\b(?:if|unless|when|until|except)\b", re.I)


def verdict(text: str, target: str) -> int:
    """A clause's side on a yes/no question about `target`: its stance, else its outright answer."""
    return stance(text, target) or answer(text)


# "How often should I water…?" asks how, not whether: a wh-word opening the same question.
_WH_BEFORE = re.compile(
    r"(?:^|[,;?!]\s*(?:and\s+)?)\s*(?:how|what|when|where|which|why|who)\b[^,;?!]*$", re.I
)


# The target of a yes / no question whose act no expert repeats ("Can my employer read my
# email?"): no word has this stem, so only an outright answer ("No.", "Yes, as long as…",
# "It's illegal in most states") takes a side on it.
YES_NO = "?yes"
_AUX_START = re.compile(r"^\W*(?:can|could|does|do|did|is|are|will|would|should|must|may)\b", re.I)


def _plain_yes_no(plain: str) -> bool:
    """One yes / no question and nothing else ("…, and how long…?" is two questions)."""
    parts = [
        p
        for p in re.split(
            r"[?;]|,?\s+and\s+(?=(?:how|what|when|where|which|why|who|is|are|do|does|can|should|will|would|could)\b)",
            plain,
            flags=re.I,
        )
        if p.strip()
    ]
    return len(parts) == 1 and bool(_AUX_START.search(parts[0])) and not _WH_BEFORE.search(parts[0])


def yes_no_target(question_text: str) -> str | None:
    """The act a "should I X?" question asks about, as a stem ("use treats" → treat;
    "is it worth upgrading…" → upgrad). The earliest such question in the text counts. Any other
    one-part yes / no question ("Can my employer read my email?") → `YES_NO`."""
    plain = plain_text(question_text)
    w = _WORTH_Q.search(plain)
    m = next((y for y in _YES_NO.finditer(plain) if not _WH_BEFORE.search(plain[: y.start()])), None)
    if w and (m is None or w.start() < m.start()):
        return stem((w.group("to") or w.group("ing")).lower())
    if not m:
        return YES_NO if _plain_yes_no(plain) else None
    verb, obj = m.group("verb").lower(), (m.group("obj") or "").lower()
    if verb in _GENERIC_VERBS:
        return stem(obj) if obj and obj not in STOPWORDS else None
    return None if verb in STOPWORDS else stem(verb)


# The two options of a question: "X or Y", "the X or the Y", "X better than Y", "X vs Y".
OPTIONS = re.compile(
    r"(\S+)\s+(or|vs\.?|versus|(?:better|worse|safer|faster|cheaper)\s+than|instead\s+of)\s+"
    r"(?:(?:the|a|an|my|your|some)\s+)?(\S+)",
    re.I,
)


def choice_topic(question_text: str) -> str | None:
    """The dispute's topic in the question's words: "rebase or merge", "whether to use treats"."""
    q = plain_text(question_text)
    m = OPTIONS.search(q)
    if m:
        return f"{m.group(1)} or {m.group(3)}".strip("?.,!")
    w = _WORTH_Q.search(q)
    y = next((m for m in _YES_NO.finditer(q) if not _WH_BEFORE.search(q[: m.start()])), None)
    if w and (y is None or w.start() < y.start()):  # the question the target was taken from
        act = q[w.start("to" if w.group("to") else "ing") :]
        act = re.split(r"\s+(?:for|and|when|before|after|if|or|to|in|on|with|from)\b|[,;?!]", act)[0]
        return "whether " + " ".join(act.split()[:5]) + " is worth it"
    if y:
        rest = re.match(r"[^,;?!]*", q[y.start("verb") :])
        stop = r"\s+(?:for|and|when|before|after|if|or|to|in|on|with)\b"
        phrase = re.split(stop, rest.group(0) if rest else "")[0]
        return "whether to " + " ".join(phrase.split()[:5]).strip("?.,!")
    return None


def takes_side(text: str, options: tuple[str, str] | None, target: str | None) -> bool:
    """Whether a sentence picks an option of the question ("Just merge.") or answers its yes/no."""
    return bool((options and pick(text, options)) or (target and verdict(text, target)))


__all__ = [
    "BAD",
    "GOOD",
    "OPTIONS",
    "answer",
    "choice_topic",
    "judged",
    "pick",
    "stance",
    "takes_side",
    "verdict",
    "yes_no_target",
]
