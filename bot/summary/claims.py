"""What a clause claims, and when one expert's clause states (or opposes) another's.

A sentence is cut into clauses at `;`, `:`, dashes and clause words ("but", "however",
", so", ", because", ", which", "although", "whereas"). A clause is read as:

* its **features**: content-word stems, plus one feature per quantity ("#time:180-365");
* which features sit inside a **negation scope**: from "not", "n't", "never", "no", "cannot",
  "avoid", "without"… to the end of the phrase (punctuation or a clause word). "not only",
  "not just", "no matter" are not negations;
* **hedged** (uncertainty, not opinion: "I think X" still states X): might, may, could,
  maybe, perhaps, possibly, probably, likely, I guess/suspect, not sure, it depends,
  sometimes, in some cases;
* **exclusive**: "only", "just"/"merely" before a number, "at most", "no more than";
* **comparatives**: "shorter than", "more than"… (the word before "than");
* **quantities**: numbers and ranges with their unit ("6 to 12 months", "6–9 months",
  "between six and twelve months", "every day", "twice a week", "10°C", "2 inches", "60
  Vigor"). Durations are converted to days; "every/per/a" makes it a period, not a duration.
  An unknown unit is the counted noun next to the number ("60 Vigor" → vigor), else "".

**Support** (`supports`): clause `s` states clause `r` when it covers most of `r`'s features
(≥ 60 % of their weight, question words weighing less, and at least two of its own words that
are not the question's, or all of them when it has fewer) and is **compatible**: every shared
feature has the same polarity, both or neither are hedged, exclusive, comparative (same
comparative words), and the quantities agree. Quantity rule: every quantity of `r` needs one
of `s` in the same unit whose range is the same (each end within 10 %); a quantity of `s` in
that unit with a different range, or no quantity at all in `s`, is not support. So "6–9
months" does not support "6 to 12 months" (it lies inside, but it is another claim), "3 to 6"
certainly not; "12 months" does support "a year" only when written with a number ("1 year").

**Conflict** (`conflict`): the same subject (shared features weighing ≥ 2, a quantity counting
fully; or both clauses restating the question's own words) and

* opposite polarity on a shared feature that is not a question word (or, for a restated
  question, on any of its words): "you don't need to water every day" ↔ "need water every
  day", "is not faster than" ↔ "is faster than";
* or quantities of one unit that cannot both hold: no equal range, and two ranges overlapping
  by less than half of the shorter one ("3 to 6 months" ↔ "6 to 12 months"; "6–9" ↔ "6–12"
  overlap fully: neither support nor conflict), or two single values more than 10 % apart.
  For quantities the shared words may weigh less (≥ 1, question words included).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from bot.summary.segment import plain_text
from bot.summary.sentences import GENERIC_MODIFIERS, STOPWORDS, content_stems, stem
from bot.summary.stance import OPTIONS, pick, verdict

QUESTION_WEIGHT = 0.35

_CLAUSE_SPLIT = re.compile(
    r"\s*(?:;|:(?!\d)|\s[–—-]\s|—|,?\s+\b(?:but|however|whereas|although|though|whilst|yet)\b"
    r"|,\s+(?:so|because|since|which|while|as)\b|\bso that\b)\s*",
    re.I,
)
_WORD = re.compile(r"#[a-z]+:[\d.]+(?:-[\d.]+)?|[a-z0-9]+(?:['’][a-z]+)?|[,()]")
_NEGATORS = frozenset({
    "not", "no", "never", "neither", "nor", "cannot", "cant", "without", "none", "nothing",
    "avoid", "avoids", "avoiding", "skip", "unnecessary", "nobody", "nowhere", "hardly",
})  # fmt: skip
_NOT_NEGATION_NEXT = frozenset({"only", "just", "merely", "simply", "matter", "doubt", "exactly"})
_SCOPE_END = frozenset({
    "but", "however", "so", "because", "which", "while", "whereas", "although", "though",
    "since", "unless", "if", "when", "until", "yet", "then",
})  # fmt: skip
# Uncertainty, not opinion: "I think X" still states X, "X might help" does not.
_HEDGES = re.compile(
    r"\b(?:might|may|could|maybe|perhaps|possibly|probably|i\s+(?:guess|suspect)|not\s+sure|"
    r"it\s+depends|depends\s+on|sometimes|in\s+some\s+cases|arguably|likely|unlikely)\b",
    re.I,
)
_NOT_NEEDED = re.compile(
    r"(?:\bnot|n't|\bnever|\bno\s+longer)\s+(?:really\s+|strictly\s+|always\s+)?(?:necessary|needed|required|"
    r"recommended|worth\w*|helpful|useful|a\s+good\s+idea)\b|\b(?:unnecessary|pointless|useless|a\s+myth|overkill)\b",
    re.I,
)
_RECOMMEND = re.compile(
    r"\b(?:recommend\w*|prefer\w*|choose|pick|go\s+with|should|best|better|safer|choice|opt\s+for)\b", re.I
)
# Verbs a denial may hinge on while the claim is about their object ("don't need 60 Vigor").
_MODAL_HEADS = frozenset({"need", "have", "take", "buy", "get", "want", "requir", "bother"})
_PASSIVE_DENIAL = re.compile(r"\b(?:be|is|are|been|being)\s+(?:avoided|skipped|discouraged)\b", re.I)
_CONDITION = frozenset({"if", "when", "unless"})
_TIMED = re.compile(r"\b(?:before|until|unless|after|except|till)\b", re.I)
_COMPARATIVE = re.compile(r"\b([a-z]+)\s+than\b", re.I)
_HEDGE_WORD = re.compile(r"[^a-z]+")

_NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "eighteen": 18,
    "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "ninety": 90,
    "hundred": 100, "half": 0.5, "once": 1, "twice": 2,
}  # fmt: skip
_NUM = r"(?:\d+(?:[.,]\d+)?|(?:" + "|".join(sorted(_NUMBER_WORDS, key=len, reverse=True)) + r")\b)"
_EXCLUSIVE = re.compile(
    rf"\b(?:only|just|merely|at\s+most|no\s+more\s+than|as\s+few\s+as|up\s+to)\s+(?:about\s+|around\s+)?(?={_NUM}\b|a\s+few\b)",
    re.I,
)
_BOUND = re.compile(
    r"\b(?:before|after|under|over|within|until|till|by|past|beyond|up\s+to|at\s+least|at\s+most|"
    r"more\s+than|less\s+than|fewer\s+than|longer\s+than|shorter\s+than|no\s+more\s+than|below|above)\s*$",
    re.I,
)
_TIME_DAYS = {
    "second": 1 / 86400, "sec": 1 / 86400, "minute": 1 / 1440, "min": 1 / 1440, "hour": 1 / 24,
    "hr": 1 / 24, "day": 1, "night": 1, "week": 7, "wk": 7, "month": 30.44, "mo": 30.44,
    "year": 365.25, "yr": 365.25, "decade": 3652.5, "s": 1 / 86400, "h": 1 / 24,
}  # fmt: skip
_UNITS = {  # surface → (dimension, factor)
    "%": ("percent", 1), "percent": ("percent", 1), "°c": ("degc", 1), "c": ("degc", 1),
    "°f": ("degf", 1), "f": ("degf", 1), "degree": ("deg", 1), "mm": ("length", 0.1), "cm": ("length", 1),
    "inch": ("length", 2.54), "in": ("length", 2.54), "foot": ("length", 30.48),
    "feet": ("length", 30.48), "ft": ("length", 30.48), "m": ("length", 100),
    "meter": ("length", 100), "metre": ("length", 100), "ml": ("volume", 1), "l": ("volume", 1000),
    "liter": ("volume", 1000), "litre": ("volume", 1000), "gallon": ("volume", 3785),
    "gal": ("volume", 3785), "mg": ("mass", 0.001), "g": ("mass", 1), "kg": ("mass", 1000),
    "lb": ("mass", 453.6), "pound": ("mass", 453.6), "kb": ("data", 1 / 1024), "mb": ("data", 1),
    "gb": ("data", 1024), "tb": ("data", 1048576), "ms": ("ms", 1), "ghz": ("ghz", 1),
    "mhz": ("ghz", 0.001), "w": ("watt", 1), "watt": ("watt", 1), "v": ("volt", 1), "volt": ("volt", 1),
    "fps": ("fps", 1), "hz": ("hz", 1), "rpm": ("rpm", 1), "dollar": ("usd", 1), "$": ("usd", 1),
    "€": ("eur", 1), "£": ("gbp", 1), "mph": ("mph", 1), "kph": ("kph", 1), "km": ("length", 1e5),
    "mile": ("length", 160934), "time": ("times", 1), "x": ("times", 1),
}  # fmt: skip
_UNIT_WORD = r"(?:°\s?[cf]\b|%|[a-z]+)"
_QTY = re.compile(
    rf"(?P<cur>[$€£])?(?<![\w.#-])(?:between\s+)?(?P<a>{_NUM})(?:(?:\s*|-)(?P<u1>{_UNIT_WORD}))??"
    rf"(?:\s*(?:-|–|—|to|and|or)\s*(?P<b>{_NUM}))?(?![\w.]\d)(?:(?:\s*|-)(?P<u2>{_UNIT_WORD}))?",
    re.I,
)
# "1:2" (coffee to water), "1:2.5 to 1:3": the second figure per one of the first
_RATIO = re.compile(
    r"(?<![\w.:])(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?)(?:\s*(?:to|-|–)\s*(\d+(?:\.\d+)?)\s*:\s*(\d+(?:\.\d+)?))?"
    r"(?!\d|:\d|\s*[ap]\.?m\b)",
    re.I,
)
# The second end of a range that repeats the unit: "28 days to 35 days"
_UNIT_AGAIN = re.compile(rf"\s*(?:-|–|—|to)\s*({_NUM})(?:\s*|-)({_UNIT_WORD})", re.I)
# A rate after a figure: "a day", "per week", "/day"
_RATE = re.compile(r"\s*(?:a|an|per|each|/)\s*(day|night|week|month|year|hour)\b", re.I)
_DIMENSIONS = frozenset({"time", "period", "ratio"} | {d for d, _ in _UNITS.values()})
# Physical measures: two figures in one of these can conflict beside a shared count or price.
_MEASURES = frozenset({"length", "degc", "mass", "volume", "data", "time"})
_PERIOD_WORDS = {
    "daily": 1, "nightly": 1, "weekly": 7, "fortnightly": 14, "monthly": 30.44, "yearly": 365.25,
    "annually": 365.25, "hourly": 1 / 24,
}  # fmt: skip
_EVERY = re.compile(
    r"\b(?:every|each)\s+(?:other\s+)?(day|night|week|month|year|hour|morning|evening)\b", re.I
)
_PER = re.compile(r"\b(?:once|twice|\d+\s+times)\s+(?:a|per|every)\s+(day|week|month|year)\b", re.I)
_VERSIONISH = re.compile(r"\bv?\d+(?:\.\d+){2,}\b|\b[A-Za-z]+[-_]\d+\b|\b\d+(?:st|nd|rd|th)\b|\b\d+'s\b")


@dataclass(frozen=True)
class Quantity:
    low: float
    high: float
    unit: str  # "time" (days), "period" (days), a dimension, or the counted noun's stem
    approx: bool = False  # "about 3 months", "roughly 15 %", "~$80k": a round figure, not a bound

    def feature(self) -> str:
        lo, hi = f"{self.low:g}", f"{self.high:g}"
        return f"#{re.sub('[^a-z]', '', self.unit) or 'n'}:{lo}" + (f"-{hi}" if hi != lo else "")


@dataclass(frozen=True)
class Clause:
    text: str
    features: frozenset[str]  # content stems and quantity features
    negated: frozenset[str]  # the features inside a negation scope
    hedged: bool
    exclusive: bool
    comparatives: frozenset[str]
    quantities: tuple[Quantity, ...]
    bounds: frozenset[str] = frozenset()  # quantity features after "before", "within", "more than"…
    hedges: frozenset[str] = frozenset()  # the hedge words ("might", "i guess")
    timed: bool = False  # a denial about timing or condition ("don't buy before the festival")
    heads: frozenset[str] = frozenset()  # what each negation denies (its first content word)
    recommends: bool = False  # "I recommend", "prefer", "the safer choice", "go with"…
    conditions: frozenset[str] = frozenset()  # words of an "if/when/unless" condition


def _num(s: str) -> float:
    s = s.lower()
    if s in _NUMBER_WORDS:
        return float(_NUMBER_WORDS[s])
    return (
        float(s.replace(",", ""))
        if s.count(",") == 1 and len(s.split(",")[1]) == 3
        else float(s.replace(",", "."))
    )


def _unit(word: str | None) -> tuple[str, float] | None:
    if not word:
        return None
    w = word.lower().replace(" ", "")
    for cand in (w, w[:-1] if w.endswith("s") else w, w[:-2] if w.endswith("es") else w):
        if cand in _TIME_DAYS:
            return ("time", _TIME_DAYS[cand])
        if cand in _UNITS:
            return _UNITS[cand]
    return None


def quantities(text: str) -> list[tuple[int, int, Quantity]]:
    """(start, end, quantity) in `text` (plain text, any case)."""
    out: list[tuple[int, int, Quantity]] = []
    taken: list[tuple[int, int]] = []
    for m in _EVERY.finditer(text):
        days = _TIME_DAYS.get(m.group(1).lower(), 1)
        if "other" in m.group(0).lower():
            days *= 2
        out.append((m.start(), m.end(), Quantity(days, days, "period")))
        taken.append((m.start(), m.end()))
    for m in _PER.finditer(text):
        times = m.group(0).split()[0].lower()
        n = 1.0 if times == "once" else 2.0 if times == "twice" else float(times)
        days = _TIME_DAYS[m.group(1).lower()] / n
        out.append((m.start(), m.end(), Quantity(days, days, "period")))
        taken.append((m.start(), m.end()))
    for m in re.finditer(r"\b(" + "|".join(_PERIOD_WORDS) + r")\b", text, re.I):
        if not any(a <= m.start() < b for a, b in taken):
            d = _PERIOD_WORDS[m.group(1).lower()]
            out.append((m.start(), m.end(), Quantity(d, d, "period")))
    masked = _VERSIONISH.sub(lambda m: "x" * len(m.group(0)), text)
    for m in _RATIO.finditer(masked):  # "1:2", "1:2.5 to 1:3": one figure, masked for the rest
        values = [
            float(m.group(k)) / float(m.group(k - 1)) for k in (2, 4) if m.group(k) and float(m.group(k - 1))
        ]
        if values:
            out.append((m.start(), m.end(), Quantity(min(values), max(values), "ratio")))
            masked = masked[: m.start()] + "x" * (m.end() - m.start()) + masked[m.end() :]
    for m in _QTY.finditer(masked):
        if any(a <= m.start() < b for a, b in taken):
            continue
        a_s, b_s = m.group("a"), m.group("b")
        if a_s.lower() in {"once", "twice", "half"} and not b_s:
            continue
        u1, u2 = (_unit(m.group(g)) if _unit_here(masked, m, g) else None for g in ("u1", "u2"))
        if m.group("cur"):
            u2 = u1 = _UNITS[m.group("cur")]
        try:
            lo = _num(a_s)
            hi = _num(b_s) if b_s else lo
        except ValueError:
            continue
        if b_s and m.group(0).lower().find(" and ") >= 0 and "between" not in m.group(0).lower():
            hi = lo  # "6 and 12" without "between" is a list, not a range
            u2 = None
        unit_name: str
        if u1 or u2:
            dim, f1 = u1 or u2  # type: ignore[misc]
            f2 = (u2 or u1)[1]  # type: ignore[index]
            lo, hi = lo * f1, hi * f2
            unit_name = dim
            if dim == "degf":  # one scale for temperatures: 205 °F is 96 °C
                lo, hi, unit_name = (lo - 32) * 5 / 9, (hi - 32) * 5 / 9, "degc"
        else:
            named = m.group("u2") or m.group("u1")
            unit_name = _counted_noun(masked, m.start(), m.end(), named)
            if not unit_name and not b_s and not re.search(r"\d", a_s):
                continue  # a bare number word ("one of the…") is not a quantity
        before = masked[max(0, m.start() - 12) : m.start()].lower()
        end = m.end()
        more = _UNIT_AGAIN.match(masked, end) if (u1 or u2) and not b_s else None
        again = _unit(more.group(2)) if more else None
        if more and again and again[0] == (u2 or u1)[0]:  # type: ignore[index]  # "4 days to 2 weeks"
            hi = _num(more.group(1)) * again[1]
            if again[0] == "degf":
                hi = (hi - 32) * 5 / 9
            end = more.end()
            taken.append((more.start(), end))
        rate = _RATE.match(masked, end) if unit_name else None
        if unit_name == "time" and re.search(r"\b(?:every|each|per)\s*$", before):
            unit_name = "period"
        elif rate:  # "10 days a month" is how often; "1,200 mg a day" a daily amount
            per = _TIME_DAYS[rate.group(1).lower()]
            end = rate.end()
            if unit_name == "time" and (u1 or u2) == ("time", 1) and lo > 0:
                lo, hi, unit_name = per / hi, per / lo, "period"
            else:
                lo, hi, unit_name = lo / per, hi / per, f"{unit_name}/day"
        approx = bool(_APPROX.search(masked[max(0, m.start() - 16) : m.start()]))
        out.append((m.start(), end, Quantity(min(lo, hi), max(lo, hi), unit_name, approx)))
    return sorted(out, key=lambda x: x[0])


# "about 3 months", "roughly 15 %", "~80k", "3-ish": a figure said loosely
_APPROX = re.compile(
    r"(?:\b(?:about|around|roughly|approximately|approx\.?|circa|some|maybe|nearly|almost|close\s+to)\s*|~\s*)[$€£]?$",
    re.I,
)
APPROX_SLACK = 0.2  # how far a loose figure may be from another one and still agree with it


def widened(q: Quantity) -> tuple[float, float]:
    """The span a figure covers: a loose single one ("about 3 months") ± 20 %, a loose temperature
    ± 3 °C ("about 190 °F" is no 96 °C). A range ("about 12 to 18 inches") already says how loose."""
    if not q.approx or q.low != q.high:
        return q.low, q.high
    if q.unit == "degc":
        return q.low - 3.0, q.high + 3.0
    return q.low * (1 - APPROX_SLACK), q.high * (1 + APPROX_SLACK)


def _unit_here(text: str, m: re.Match[str], group: str) -> bool:
    """Whether the word after a number is its unit: a one-letter "s" / "h" only after a space
    ("35–45 s", not "the 90s"); "in" only at the end of a phrase ("2 in", not "1:2 in 27 s")."""
    word = (m.group(group) or "").lower()
    if word in {"s", "h"}:
        return text[m.start(group) - 1 : m.start(group)].isspace()
    if word == "in":
        return not re.match(r"\s+[a-z0-9$€£]", text[m.end(group) :], re.I)
    return True


def _counted_noun(text: str, start: int, end: int, named: str | None) -> str:
    """The noun a bare number counts: the next content word, else the previous one."""
    after = [named.lower()] if named else re.findall(r"[a-z]+", text[end : end + 30].lower())[:1]
    if after and after[0] not in STOPWORDS and len(after[0]) > 2:
        return stem(after[0])
    before = re.findall(r"[a-z]+", text[max(0, start - 30) : start].lower())[-2:]
    for w in reversed(before):
        if w not in STOPWORDS and w.strip("x") and len(w) > 2:
            return stem(w)
    return ""


def split_clauses(sentence: str) -> list[str]:
    parts = [p.strip(" ,.;:!?") for p in _CLAUSE_SPLIT.split(plain_text(sentence))]
    return [p for p in parts if p]


@lru_cache(maxsize=8192)
def analyse(clause: str, hedged_sentence: bool = False) -> Clause:
    """One clause → its features, negation scope, hedge, exclusive, comparatives, quantities."""
    qs = quantities(clause)
    # Replace each quantity by its feature token so it takes part in negation scope.
    text = clause
    bounds = set()
    for start, end, q in reversed(qs):
        text = text[:start] + f" {q.feature()} " + text[end:]
        if _BOUND.search(clause[max(0, start - 20) : start]):
            bounds.add(q.feature())
    raw = _WORD.findall(text.lower().replace("’", "'"))
    nouns = {re.sub("[^a-z]", "", q.unit): q.unit for _, _, q in qs
             if q.unit and q.unit not in _DIMENSIONS and "/" not in q.unit}  # fmt: skip
    # A duration also names its unit: "10 seconds" talks about seconds like "no number of seconds".
    spans = [re.findall(r"[a-z]+", clause[a:b].lower()) for a, b, q in qs if q.unit == "time"]
    unit_words = [stem(ws[-1]) for ws in spans if ws and _unit(ws[-1]) is not None]
    features: list[str] = []
    negated: set[str] = set()
    heads: set[str] = set()  # the first content word after each negator: what is denied
    scope = False
    want_head = False
    existential = relative = False
    conditional = False  # after "if", "when", "unless": a condition, not a claim
    conditions: set[str] = set()
    for i, w in enumerate(raw):
        if w in {",", "(", ")"}:
            scope = False
            continue
        if w in _SCOPE_END:
            scope = False
            conditional = conditional or w in _CONDITION
            continue
        nxt = raw[i + 1] if i + 1 < len(raw) else ""
        if w in _NEGATORS or w.endswith("n't"):
            if nxt not in _NOT_NEGATION_NEXT:
                scope = want_head = True
                # "there is no fixed number of seconds that is safe" denies what its "that" says
                before = " ".join(raw[max(0, i - 2) : i])
                existential = before.endswith(("there is", "there are", "there's"))
                relative = False
                want_head = not existential  # "no fixed number…" does not deny "fixed"
            continue
        if w in {"that", "who"} and scope and existential:
            relative = True
            continue
        if w.startswith("#"):
            features.append(w)
            if want_head:
                heads.add(w)
                want_head = False
            noun = w[1:].split(":")[0]
            counted = noun in nouns  # "60 Vigor": the noun stays a word of the clause
            if counted:
                features.append(nouns[noun])
            if scope:
                negated.add(w)
                if counted:
                    negated.add(nouns[noun])
            continue
        if w in STOPWORDS or w.isdigit() or len(w) < 2 or "'" in w:
            continue
        s = stem(w)
        features.append(s)
        if conditional:
            conditions.add(s)
        if want_head or (scope and relative):
            heads.add(s)
            want_head = False
        if scope:
            negated.add(s)
    features.extend(w for w in unit_words if w not in features)
    comps = frozenset(stem(m.group(1).lower()) for m in _COMPARATIVE.finditer(clause)
                      if m.group(1).lower() not in {"rather", "other"})  # fmt: skip
    if _NOT_NEEDED.search(clause) or _PASSIVE_DENIAL.search(clause):
        negated = set(features)  # "sealing cuts is not necessary": the whole claim is denied
        heads = set(features)
    hedges = frozenset(_HEDGE_WORD.sub(" ", m.group(0).lower()).strip() for m in _HEDGES.finditer(clause))
    return Clause(
        text=clause,
        features=frozenset(features),
        negated=frozenset(negated),
        hedged=hedged_sentence or bool(hedges),
        exclusive=bool(_EXCLUSIVE.search(clause)),
        comparatives=comps,
        quantities=tuple(q for _, _, q in qs),
        bounds=frozenset(bounds),
        timed=bool(negated) and bool(_TIMED.search(clause)),
        heads=frozenset(heads),
        conditions=frozenset(conditions),
        recommends=bool(_RECOMMEND.search(clause)),
        hedges=hedges | ({"lead"} if hedged_sentence else set()),
    )


def sentence_clauses(sentence: str) -> list[Clause]:
    parts = split_clauses(sentence)
    if not parts:
        return []
    # A hedge that opens the sentence ("I think…", "I'd argue…") covers all its clauses.
    lead = bool(
        re.match(r"(?i)(?:maybe|perhaps|possibly|probably|i\s+guess|i\s+suspect|not\s+sure)\b", parts[0])
    )
    return [analyse(p, lead) for p in parts]


# Light verbs and -ly adverbs carry an expert's wording more than their claim: "Botox works
# by temporarily paralysing the muscle" claims the paralysing.
_LIGHT = frozenset({
    "work", "give", "lead", "show", "seem", "becom", "get", "keep", "take", "go", "come", "look",
    "tend", "mean", "tri", "thing", "way", "lot", "bit", "kind", "sort", "put", "make",
    # time units: a figure's unit word says little on its own ("10 years of writes" ≠ "3 to 5 years")
    "second", "minut", "hour", "day", "week", "month", "year",
})  # fmt: skip


def weight(feature: str, question: frozenset[str]) -> float:
    if feature in question or feature in _LIGHT or (feature.endswith("li") and len(feature) > 4):
        return QUESTION_WEIGHT
    return 1.0


def same_range(a: Quantity, b: Quantity) -> bool:
    def close(x: float, y: float) -> bool:
        if a.unit == "degc":  # 10 % of 96 °C is a different loaf: temperatures within 2.5 °C
            return abs(x - y) <= 2.5
        return abs(x - y) <= 0.1 * max(abs(x), abs(y), 1e-9)

    return a.unit == b.unit and close(a.low, b.low) and close(a.high, b.high)


def ranges_conflict(a: Quantity, b: Quantity) -> bool:
    """Two quantities of one unit that cannot both hold (see the module doc)."""
    if a.unit != b.unit or same_range(a, b):
        return False
    if a.approx or b.approx:  # "about 3 months" agrees with "8–12 weeks": only apart when far apart
        (al, ah), (bl, bh) = widened(a), widened(b)
        return ah < bl or bh < al
    if a.low == a.high or b.low == b.high:  # a single figure within 10 % of a range's end is at it
        point, rng = (a, b) if a.low == a.high else (b, a)
        if rng.low * 0.9 <= point.low <= rng.high * 1.1 and rng.low != rng.high:
            return False
    span_a, span_b = a.high - a.low, b.high - b.low
    overlap = min(a.high, b.high) - max(a.low, b.low)
    if span_a <= 0 and span_b <= 0:
        return True  # two different single values
    if span_a <= 0 or span_b <= 0:
        point, rng = (a, b) if span_a <= 0 else (b, a)
        return not (rng.low <= point.low <= rng.high)
    return overlap < 0.5 * min(span_a, span_b)


def quantities_compatible(r: Clause, s: Clause) -> bool:
    for q in r.quantities:
        same_unit = [x for x in s.quantities if x.unit == q.unit]
        if not same_unit or not all(same_range(q, x) for x in same_unit):
            return False
    return True


def covers(r: Clause, s: Clause, question: frozenset[str]) -> bool:
    """Whether `s` says enough of what `r` says to count as stating it (words only).

    `r`'s own words (not the question's, not light verbs or -ly adverbs) must be in `s`: at
    least two of them (all, when fewer), and at most one in three missing (one of 3–4 words,
    two of 5–7). "Botox works by temporarily paralysing the underlying muscle" is stated by
    "a temporary relaxation of the facial muscles"; "I recommend paracetamol for the first 48
    hours" is not stated by "for the first 48 hours, ibuprofen is a reasonable choice". The
    shared words must also be a fair part of `s` (a long sentence does not state everything
    it happens to contain).
    """
    if not r.features or not s.features:
        return False
    own = [f for f in r.features if weight(f, question) == 1.0]
    shared = r.features & s.features
    missing = [f for f in own if f not in shared]
    if not own or len(own) - len(missing) < min(2, len(own)) or len(missing) > (len(own) + 1) // 3:
        return False
    ws = sum(weight(f, question) for f in s.features)
    return sum(weight(f, question) for f in shared) >= 0.2 * ws


def compatible(r: Clause, s: Clause) -> bool:
    shared = r.features & s.features
    if (r.negated & shared) != (s.negated & shared):
        return False
    if r.hedges != s.hedges or r.exclusive != s.exclusive:
        return False
    numeric = bool(r.quantities or s.quantities or r.comparatives)
    if numeric and r.comparatives != s.comparatives:
        return False  # "much shorter than the 12 months" is not "lasts 12 months"
    return quantities_compatible(r, s)


def supports(r: Clause, s: Clause, question: frozenset[str], options: tuple[str, str] | None = None) -> bool:
    if len(r.features & s.features) < 2:
        return False
    if options and any((x in r.features) != (x in s.features) for x in options):
        return False  # one recommends the other option of an "X or Y" question
    return covers(r, s, question) and compatible(r, s)


def restates_question(c: Clause, question: frozenset[str]) -> bool:
    words = {f for f in question if f[:1] not in {"#", "&"}}
    return len(words) >= 2 and words <= c.features


def alternatives(question_text: str) -> tuple[str, str] | None:
    """The two options of an "X or Y" question as stems ("ibuprofen or paracetamol", "the Roth
    or the traditional", "is waxing better than oiling", "X vs Y")."""
    m = OPTIONS.search(plain_text(question_text).lower())
    if not m:
        return None
    left = re.findall(r"[a-z][a-z0-9]*", m.group(1))
    right = re.findall(r"[a-z][a-z0-9]*", m.group(3))
    if not left or not right or left[-1] in STOPWORDS or right[-1] in STOPWORDS:
        return None
    a, b = stem(left[-1]), stem(right[-1])
    return (a, b) if a != b else None


_DETERMINERS = frozenset({
    "a", "an", "the", "my", "your", "his", "her", "its", "our", "their", "this", "that",
})  # fmt: skip
_COPULAS = frozenset({"is", "are", "was", "were", "be", "isn't", "aren't", "wasn't", "weren't", "it's"})


def _words(c: Clause) -> list[str]:
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", c.text.lower().replace("’", "'"))


def _denied_class(f: str, c: Clause) -> bool:
    """Whether `c` denies that something IS an `f` ("the long run is not a race")."""
    ws = _words(c)
    for i, w in enumerate(ws):
        if stem(w) == f and f in c.negated:
            before = ws[max(0, i - 4) : i]
            article = i == 0 or ws[i - 1] in _DETERMINERS | {"not", "never"}
            if article and any(b in _COPULAS for b in before):
                return True
    return False


def _modifies_other(f: str, c: Clause, other: Clause) -> bool:
    """Whether the word `f` of `c` only modifies another noun that `other` does not name: after
    a determiner and before a content word ("your *race* fuelling", "the *water* bill")."""
    ws = _words(c)
    for i in range(1, len(ws) - 1):
        if stem(ws[i]) != f or ws[i - 1] not in _DETERMINERS:
            continue
        nxt = ws[i + 1]
        if nxt not in STOPWORDS and not nxt.isdigit() and len(nxt) > 2 and stem(nxt) not in other.features:
            return True
    return False


def _other_use(f: str, a: Clause, b: Clause) -> bool:
    """A denied class word the other clause only uses to modify another noun: "the long run is
    not a race" ↔ "practise your race fuelling" share a word, not a subject. ("Skip the
    backpack" ↔ "get the backpack upgrade" deny an act, not a class: still one subject.)"""
    return any(
        _denied_class(f, x) and _modifies_other(f, y, x) for x, y in ((a, b), (b, a))
    ) or _other_objects(f, a, b)


_TO_VERBS = frozenset({
    "need", "needs", "have", "has", "had", "want", "wants", "ought", "going", "got", "used", "like", "try",
    "tries", "start", "starts", "begin", "able", "how", "what", "where", "when", "whether", "easy", "hard",
    "best", "better",
})  # fmt: skip


def _purpose(f: str, c: Clause) -> bool:
    """Whether `f` is said only inside a purpose ("… at least 1 m³ *to hold heat*"): what the
    advice is for, not a claim about it ("you need to water" is the claim itself)."""
    ws = re.findall(r"[a-z0-9'³²]+", c.text.lower())
    at = [i for i, w in enumerate(ws) if stem(w) == f]
    if not at:
        return False
    for i in at:
        to = next((j for j in range(i - 1, max(-1, i - 4), -1) if ws[j] == "to"), None)
        if to is None or to == 0 or ws[to - 1] in _TO_VERBS:
            return False
    return True


_CONSEQUENCE = re.compile(
    r"\bor\s+(?:else\s+)?(?:it|they|you|he|she|we|the\s+\w+)\s+(?:won't|will\s+not|can't|cannot|wouldn't|doesn't|don't)\b",
    re.I,
)
_LIST_NEGATOR = re.compile(r"\b(?:not|no|never|without|avoid|skip)\b|n't\b", re.I)


def _listed(f: str, c: Clause) -> bool:
    """A word in a list after a negation ("don't take it with tea, coffee, milk or …"): the list's
    items after a comma are denied too, though a comma ends the negation scope elsewhere."""
    if f in c.negated:
        return False
    for m in re.finditer(r"[a-z0-9']+", c.text.lower()):
        if stem(m.group(0)) != f:
            continue
        before, after = c.text[: m.start()], c.text[m.end() :]
        if (
            re.search(r",\s*$", before)
            and re.match(r"\s*(?:,|or\b|and\b)", after)
            and _LIST_NEGATOR.search(before.split(";")[-1])
        ):
            return True
    return False


_OBJ_SKIP = frozenset(
    {"a", "an", "the", "my", "your", "our", "their", "his", "her", "its", "some", "any", "this", "that"}
)


def _other_objects(f: str, a: Clause, b: Clause) -> bool:
    """One verb on two different objects: "never cook tomatoes in it" ↔ "cook bacon in it" deny
    and do different acts (each object is a content word the other clause does not use)."""

    def objs(c: Clause) -> set[str]:
        ws = re.findall(r"[a-z0-9']+", c.text.lower())
        out = set()
        for i, w in enumerate(ws[:-1]):
            rest = [x for x in ws[i + 1 : i + 4] if x not in _OBJ_SKIP]
            if stem(w) == f and rest and rest[0] not in STOPWORDS and rest[0].isalpha():
                out.add(stem(rest[0]))
        return out

    oa, ob = objs(a), objs(b)
    return bool(oa and ob and not oa & ob and not oa & b.features and not ob & a.features)


_PHRASE_OPENERS = frozenset({
    "a", "an", "the", "in", "on", "at", "for", "of", "to", "with", "per", "each", "every",
})  # fmt: skip
_QUALIFIER = re.compile(
    r"\b(?:under|over|with|without|during|on|off)\s+(?:(?:a|an|the|my|your)\s+)*([a-z]+)", re.I
)


def _qualifiers(c: Clause) -> set[str]:
    """The head words of a clause's condition phrases ("under supervision", "over the counter")."""
    return {stem(m.group(1).lower()) for m in _QUALIFIER.finditer(c.text)} - {""}


def _apart(a: Clause, b: Clause) -> bool:
    """Whether two clauses' figures are about different things or conditions, whatever they share:
    one noun named with different modifiers ("the *front* tyre" ↔ "the *rear* tyre"), or
    conditions of their own ("*over the counter*" ↔ "*under supervision*")."""
    # "carry-on bag": a hyphenated modifier is one word
    wa, wb = (re.findall(r"[a-z0-9]+(?:-[a-z]+)*", c.text.lower()) for c in (a, b))

    def before(ws: list[str]) -> dict[str, str]:
        # "(the|in|…) front tyre": a modifier opening a noun phrase ("in my experience Cat5e" is none)
        return {stem(ws[i]): ws[i - 1] for i in range(1, len(ws))
                if ws[i - 1] not in STOPWORDS and ws[i - 1].replace("-", "").isalpha() and len(ws[i - 1]) > 2
                and (i == 1 or ws[i - 2] in _PHRASE_OPENERS)}  # fmt: skip

    ma, mb = before(wa), before(wb)
    for h in (a.features & b.features) - {f for f in a.features if f.startswith("#")}:
        x, y = ma.get(h), mb.get(h)
        if x and y and stem(x) != stem(y) and stem(x) not in b.features and stem(y) not in a.features:
            return True
    qa, qb = _qualifiers(a), _qualifiers(b)
    return bool(qa and qb and not (qa & qb) and not (qa & b.features) and not (qb & a.features))


def _kinds_apart(a: Clause, b: Clause, shared: frozenset[str]) -> bool:
    """Whether a noun both name, ending a phrase in each, is named as two kinds of it: a different
    word right before it ("daily limit" ↔ "CPU limits", "hot water" ↔ "cold water"), neither word
    in the other clause."""
    wa, wb = (re.findall(r"[a-z0-9]+(?:-[a-z]+)*", c.text.lower()) for c in (a, b))

    def kind(ws: list[str], f: str) -> str | None:
        at = next((i for i, w in enumerate(ws) if stem(w) == f), None)
        if not at:
            return None
        w = ws[at - 1]
        if at + 1 < len(ws) and ws[at + 1] not in STOPWORDS and ws[at + 1].isalpha():
            return None  # "manual dict loop": the word modifies another noun, no kind of its own
        return w if w not in STOPWORDS and w.replace("-", "").isalpha() and len(w) > 2 else None

    for f in shared:
        if f.startswith("#"):
            continue
        x, y = kind(wa, f), kind(wb, f)
        if x and y and stem(x) != stem(y) and stem(x) not in b.features and stem(y) not in a.features:
            return True
    return False


def conflict(a: Clause, b: Clause, question: frozenset[str],
             options: tuple[str, str] | None = None, target: str | None = None) -> str | None:  # fmt: skip
    """ "polarity", "choice" or "quantity" when the two clauses cannot both be right, else None."""
    if options and not (a.hedged or b.hedged):
        pa, pb = pick(a.text, options), pick(b.text, options)
        if pa and pb and pa != pb:
            return "choice"  # "Just merge." ↔ "rebase onto main before you open the PR"
    if target and not (a.hedged or b.hedged) and verdict(a.text, target) * verdict(b.text, target) < 0:
        return "choice"  # "use treats" ↔ "I don't recommend treats" on "should I use treats?"
    shared = a.features & b.features
    if not shared:
        return None
    if a.hedged != b.hedged:
        return None  # "might need water daily" is no firm side against "you don't need to"
    wsh = sum(weight(f, question) for f in shared)
    # "not before 6 months" does not deny "at 6 months": bounds are not flipped values
    flipped = (
        ((a.negated & shared) ^ (b.negated & shared)) - a.bounds - b.bounds - a.conditions - b.conditions
    )
    if (a.negated & a.bounds) or (b.negated & b.bounds) or a.timed or b.timed:
        flipped = frozenset()  # "not … before 6 months" denies the timing, not the act
    # The denied word must be part of what both say: "talismans don't replace levelling" does
    # not deny "level Vigor first"; "you don't need to water daily" does deny "need water daily".
    for c in (a, b):
        if c.negated & flipped and not ((c.heads & shared) or (c.heads & _MODAL_HEADS)):
            flipped = frozenset()
    # A word both use is one subject only if both use it as one ("not a race" ↔ "race fuelling").
    flipped = frozenset(
        f for f in flipped if not _other_use(f, a, b) and not _listed(f, a) and not _listed(f, b)
    )
    for c in (a, b):  # "make it 1 m wide or it won't heat up": what happens otherwise, no denial
        if _CONSEQUENCE.search(c.text):
            flipped -= c.negated
        flipped = frozenset(f for f in flipped if f in c.negated or not _purpose(f, c))
    if flipped and _kinds_apart(a, b, shared):
        flipped = frozenset()  # "set the daily limit" ↔ "don't set CPU limits": two kinds of limit
    if flipped:
        strong = [f for f in flipped if weight(f, question) == 1.0 and f not in GENERIC_MODIFIERS]
        if strong and wsh >= 1.3:
            return "polarity"  # "don't prune in autumn" ↔ "I prune in autumn"
        if restates_question(a, question) and restates_question(b, question):
            return "polarity"
    if options and not (a.negated or b.negated) and a.recommends and b.recommends:
        x, y = options
        fa, fb = a.features, b.features
        picks = ((x in fa and y not in fa and y in fb and x not in fb)
                 or (y in fa and x not in fa and x in fb and y not in fb))  # fmt: skip
        if picks and any(weight(f, question) == 1.0 for f in shared):
            return "choice"  # "paracetamol for the first 48 hours" ↔ "the first 48 hours, ibuprofen"
    if a.quantities and b.quantities:
        words = {f for f in shared if not f.startswith("#")}
        own = {f for f in words - question if weight(f, question) == 1.0}  # not "years" alone
        asked = words & question
        shares_figure = any(x.low == y.low and x.high == y.high for x in a.quantities for y in b.quantities)
        qwords = {f for f in question if f[:1] not in {"#", "?", "&"}}
        # A shared figure and two shared words name one subject ("2.5 GbE over Cat5e").
        same_subject = (len(own) >= 2 or (len(asked) >= 2 and len(asked) >= 0.5 * len(qwords))
                        or (shares_figure and len(words) >= 2))  # fmt: skip
        units = {q.unit for q in a.quantities} & {q.unit for q in b.quantities}
        for u in sorted(units):
            # "How long should sessions be?": two durations on one of its words answer it differently
            plain_pair = not (a.negated or b.negated or a.bounds or b.bounds)  # no "without power", "within"
            # A measure on what one part of a compound question asks ("…, and when is the loaf
            # done?": "the loaf is done at 96 °C" ↔ "a loaf is cooked through at 190 °F").
            part = (
                u in _MEASURES
                and plain_pair
                and any(len(p & words) >= 0.5 * len(p) for p in _question_parts(question))
            )
            if not (same_subject or part or (f"?{u}" in question and asked and plain_pair)):
                continue
            if shares_figure and u not in _MEASURES:
                continue  # a shared count ("2.5 GbE") names the subject; only measures differ
            # A figure the question gives ("my 4-month-old puppy") is context, not a claim.
            qa = [q for q in a.quantities if q.unit == u and q.feature() not in question]
            qb = [q for q in b.quantities if q.unit == u and q.feature() not in question]
            if qa and qb:
                if any(same_range(x, y) for x in qa for y in qb):
                    continue
                if ranges_conflict(qa[0], qb[0]) and not _apart(a, b):  # the first figure is the claim
                    return "quantity"
    return None


_ASKED = (
    (re.compile(r"\bhow\s+long\b", re.I), "?time"),
    (re.compile(r"\bhow\s+often\b", re.I), "?period"),
    (re.compile(r"\b(?:what|which)\s+temperature\b|\bhow\s+hot\b", re.I), "?degc"),
)


_PARTS = re.compile(
    r"[?;]|,?\s+and\s+(?=(?:how|what|when|where|which|why|who|is|are|do|does|can|should|will|would|could)\b)"
    r"|,\s+(?=(?:how|what|when|where|which|why|who)\s+(?:\w+\s+)?(?:is|are|do|does|did|should|can|will|would|often|long|much|many)\b)",
    re.I,
)


def question_parts(question_text: str) -> list[str]:
    """The questions a compound question asks ("Do I need to preheat…, and when is the loaf done?")."""
    return [p.strip() for p in _PARTS.split(question_text) if p.strip()]


def _question_parts(question: frozenset[str]) -> list[frozenset[str]]:
    """The content stems of each part of a compound question (kept in its features as "&a,b")."""
    return [frozenset(f[1:].split(",")) for f in question if f.startswith("&")]


def question_features(question_text: str) -> frozenset[str]:
    """The question's content stems, the figures it gives, and the dimension it asks for
    ("how long" → "?time", "how often" → "?period", "what temperature" → "?degc"); for a
    compound question also each part's stems, as one "&stem,stem" feature."""
    plain = plain_text(question_text)
    # "my 4-month-old puppy" is also "4 months", as an answer would write it
    figures = {q.feature() for text in (plain, plain.replace("-", " ")) for _, _, q in quantities(text)}
    asked = {tag for rx, tag in _ASKED if rx.search(plain)}
    parts = question_parts(plain)
    if len(parts) > 1:
        asked |= {"&" + ",".join(sorted(set(content_stems(p)))) for p in parts if content_stems(p)}
    return frozenset(content_stems(plain)) | figures | asked


__all__ = [
    "Clause",
    "Quantity",
    "alternatives",
    "analyse",
    "compatible",
    "conflict",
    "covers",
    "quantities",
    "question_features",
    "ranges_conflict",
    "restates_question",
    "same_range",
    "sentence_clauses",
    "split_clauses",
    "supports",
    "widened",
]
