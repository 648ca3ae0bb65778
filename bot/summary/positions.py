"""Each expert's position on a facet of the question, and the disagreements between positions.

The pairwise detectors (`disputes.py`) need two sentences that share words. An expert who
answers "how long?" with "7 to 10 days" and one who says "expect 6–8 weeks" share none, yet
they disagree on what the question asks. So, per facet the question asks:

* **a figure** ("how long", "how often", "how much", "what temperature", "what ratio", "what
  … time", "at what level / percentage"): each expert's figures in that dimension (units and
  rates normalised by `claims.quantities`: "10 days a month" is how often, "1,200 mg a day"
  a daily amount, "1:2" a ratio). A figure is not the expert's position when it sits in a
  condition ("if you reach for it more than 2 days a week"), is denied, hedged, rejected
  ("ignore the 25–30 second rule", "3 % is far too late"), reported ("people who say it takes
  six weeks"), compared against ("shorter than the 12 months"), an offset ("2–4 psi
  higher"), a case the question did not ask ("Without a harness, …"), the question's verb
  said of something else ("hard drives last 3 to 5 years" on SSDs), another act ("Check the
  level monthly"), or the question's own. On "at what level should I X?" a condition on X is
  the answer ("treat when you find 3 %"). A bound ("fewer than 10 days a month", "within 24
  hours") counts only for an expert who gives no plain figure. An expert whose own figures
  cannot all hold together is left out (when in doubt, leave them out).
* **a yes/no on the question's object** ("Should I set CPU limits…?"): "don't set CPU limits",
  "no CPU limits", "CPU limits: no" against "keep CPU limits", "CPU limits yes". An expert who
  says both, or only with a hedge or a condition, takes no side.
* **the option picked**: of three or more the question names ("Python, Go or Rust?"), or, on
  a "what / which … should" question, the named thing after a choice verb ("I use Apivar"),
  before "is my go-to", or a short opening answer ("The London System."). Two different
  picks, or "use whatever you know", is no side.
* **the change a yes / no question asks about** ("Does a dehumidifier reduce mould?"): it
  happens, the other way, or not at all ("doesn't reduce mould").

"I agree with X" / "+1 to X" opening an answer (one expert by name, not "agree with X that…")
puts the agreer on X's side of a stance or pick, never of a figure (`agreements`).

Experts whose positions are compatible (ranges that overlap or touch; the same answer) form
one side; a side whose figures are more than 30 times away from every other side's talks
about something else ("7–21 days off roast" beside "25–30 s shots") and is dropped. Two or
more sides left make a disagreement; each side quotes one expert's own sentence and lists
every expert of that side (each holds it in their own answer).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from bot.models import Disagreement, Side
from bot.summary.claims import Clause, Quantity, quantities, question_parts, widened
from bot.summary.contradiction import direction_of, sentence_claims
from bot.summary.segment import plain_text
from bot.summary.sentences import STOPWORDS, Token, stem, tokens
from bot.summary.stance import BAD, GOOD, stance
from bot.summary.units import Unit, labels, shorten

# What a question part asks for → the dimensions (`Quantity.unit`) that answer it.
_MEASURES = ("mass", "volume", "percent", "usd", "eur", "gbp", "data", "length", "watt", "volt")
_ASKS: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"\bhow\s+long\b", re.I), ("time", "length")),
    (re.compile(r"\bhow\s+(?:far|deep|tall|wide|big|high)\b", re.I), ("length",)),
    (re.compile(r"\bhow\s+(?:often|frequently)\b|\bhow\s+many\s+times\b", re.I), ("period",)),
    (re.compile(r"\bhow\s+much\b", re.I), _MEASURES + tuple(f"{m}/day" for m in _MEASURES)),
    (re.compile(r"\b(?:what|which)\s+(?:[\w-]+\s+){0,3}temperature\b|\bhow\s+(?:hot|warm|cold)\b", re.I),
     ("degc",)),
    (re.compile(r"\b(?:what|which)\s+(?:[\w-]+\s+){0,3}ratio\b", re.I), ("ratio",)),
    (re.compile(r"\b(?:what|which)\s+(?:[\w-]+\s+){0,3}time\b", re.I), ("time",)),
    (re.compile(r"\bat\s+what\s+(?:\w+\s+){0,2}(?:count|level|percentage|threshold|rate|point)\b", re.I),
     ("degc", *_MEASURES)),
)  # fmt: skip
# "How many lands should I run?": the counted noun is the dimension ("37 lands"), not "how many times"
_HOW_MANY = re.compile(r"\bhow\s+many\s+(?!times\b)([a-z][a-z-]{2,})\b", re.I)
# "once it clears", not "once a week" / "once every 2 weeks"
_CONDITION = re.compile(
    r"\b(?:if|when|whenever|unless|until|once(?=\s+(?:it|the|you|they|your|its|we|i|he|she|this|that)\b))\b[^,;]*$",
    re.I,
)
_REPORTED = re.compile(
    r"\b(?:who|that|people|they|some|many|others)\s+(?:\w+\s+)?(?:say|says|said|claim|claims|insist|think|tell)\b"
    r"[^,;]*$",
    re.I,
)
_QUOTED_AFTER = re.compile(
    r"^[^,;]{0,25}\b(?:often|commonly|usually|always)\s+(?:quoted|cited|given|said)\b", re.I
)
_REJECT_OPENER = re.compile(r"^\W*(?:ignore|forget|disregard|never\s+mind|don't\s+trust)\b", re.I)
# "3 % is far too late", "25 % is cutting it way too close": the figure judged wrong
_TOO = re.compile(r"^[^,;.]*?\btoo\s+(?!many\s+to\b)[a-z]{3,}\b(?!\s+to\s+\w)", re.I)
# "self-employment tax is roughly 15 %": a figure said of a named thing (its subject)
_COPULA_BEFORE = re.compile(
    r"(?:^|[,;:(]\s*|\b(?:and|but|so)\s+)(?P<subj>[a-z][\w'-]*(?:\s+[a-z][\w'-]*){0,4}?)\s+(?:is|are|was|were|runs|comes\s+to)\s+"
    r"(?:(?:about|around|roughly|approximately|usually|typically|generally|normally|only|just|still)\s+)?[$€£~]?$",
    re.I,
)
# "shorter than the 12 months (others quote)": a figure compared against, not stated
_COMPARED = re.compile(r"\bthan\s+(?:the|a|an|that|those|their)\s+$", re.I)
_OFFSET_AFTER = re.compile(
    r"^\s*(?:more|less|fewer|higher|lower|longer|shorter|bigger|smaller|larger|wider|heavier|lighter|"
    r"older|younger|faster|slower|warmer|cooler|hotter|colder)\b",
    re.I,
)
_BOUND_BEFORE = re.compile(
    r"\b(?:before|after|under|over|within|until|by|past|beyond|up\s+to|at\s+least|at\s+most|more\s+than|"
    r"\w+er\s+than|no\s+more\s+than|below|above|max(?:imum)?|min(?:imum)?)\s*(?:about\s+|around\s+)?$",
    re.I,
)
_COMPARISON = re.compile(r"\b(?:compared\s+(?:to|with)|versus|vs\.?|than|or)\b", re.I)
_CASE = re.compile(
    r"^\W*(?:without|with|on|under|over|for|in|during|at|after|before|above|below)\b([^,;]{1,40}),", re.I
)
# Words that frame a question rather than name its subject ("how long do SSDs *last*")
_FRAME = frozenset(stem(w) for w in (
    "long", "often", "much", "many", "far", "take", "last", "need", "should", "use", "run", "get", "make",
    "keep", "go", "best", "good", "recommend", "usual", "typical", "normal", "aim", "safe", "okay", "fine",
    "right", "ideal",
))  # fmt: skip
_PER_OTHER = re.compile(r"\s*(?:per|each|every|a|an)\s+[a-z]", re.I)
_STANDARD_UNITS = frozenset({"time", "period", "length", "degc", "ratio", *_MEASURES})
_SLACK = 0.05  # "36" and "37–38" lands, "2 weeks" and "15–20 days": next to each other, one side
_APART = 30.0  # sides this many times apart talk about different things
_DIM_WORDS = {"time": "time", "ratio": "ratio", "degc": "temperature", "percent": "percentage"}
_NAMES = {
    "time": "how long",
    "length": "how long",
    "period": "how often",
    "degc": "what temperature",
    "ratio": "what ratio",
    "percent": "what level",
}


@dataclass(frozen=True)
class Figure:
    unit: Unit
    quantity: Quantity
    bound: bool


def asked_dimensions(question_text: str) -> list[tuple[str, tuple[str, ...]]]:
    """(question part, dimensions it asks for) for each part that asks for a figure."""
    out = []
    for part in question_parts(plain_text(question_text)):
        dims: list[str] = []
        for rx, ds in _ASKS:
            if rx.search(part):
                dims.extend(d for d in ds if d not in dims)
        many = _HOW_MANY.search(part)
        if many and stem(many.group(1).lower()) not in dims:
            dims.append(stem(many.group(1).lower()))  # "how many lands": a count of lands
        if dims:
            out.append((part, tuple(dims)))
    return out


def stated_figures(
    clause: Clause, question: frozenset[str], threshold: bool = False
) -> list[tuple[Quantity, bool]]:
    """The figures a clause states as its own (see the module doc), each with whether it is a bound.
    With `threshold` a condition whose main verb is the question's ("treat when you find 3 %")
    states the figure to act at."""
    text = plain_text(clause.text)
    if (
        clause.hedged
        or _REJECT_OPENER.search(text)
        or _other_subject(text, question)
        or _other_act(text, question)
    ):
        return []
    case = _CASE.match(text)
    if case and not {stem(w) for w in re.findall(r"[a-z]+", case.group(1).lower())} & question:
        return []  # "Without a harness, keep climbs under 3 m": a case the question did not ask about
    out = []
    for start, end, q in quantities(text):
        before, after = text[:start], text[end:]
        if q.feature() in question or q.feature() in clause.negated:
            continue
        cond = _CONDITION.search(before)
        if cond and threshold:
            main = {stem(w) for w in re.findall(r"[a-z]+", before[: cond.start()].lower())}
            cond = None if main & question else cond
        if cond or _REPORTED.search(before) or _QUOTED_AFTER.search(after):
            continue
        if _COMPARED.search(before) or _OFFSET_AFTER.search(after) or _TOO.search(after[:40]):
            continue
        if _figure_of_other(before, question):
            continue
        if q.unit not in _STANDARD_UNITS and _PER_OTHER.match(after):
            continue  # "4–8 pearls per trade": a rate on another thing, not how many to get
        out.append((q, bool(_BOUND_BEFORE.search(before[-30:]))))
    return out


def _figure_of_other(before: str, question: frozenset[str]) -> bool:
    """Whether the figure is said of a named thing the question does not ask about: "self-employment
    tax is roughly 15 %" on "how much should I set aside for taxes?" (the subject has a word that
    is neither the question's nor a frame word; "the ideal temperature is 60 °C" is the answer)."""
    m = _COPULA_BEFORE.search(before)
    if not m:
        return False
    ws = re.findall(r"[a-z][a-z'-]*", m.group("subj").lower())
    if any(w in _PRONOUNS for w in ws):
        return False
    named = {
        stem(p)
        for w in ws
        if w not in STOPWORDS
        for p in w.split("-")
        if p and p not in STOPWORDS and not p.endswith("ly")
    }
    named -= _FRAME
    return bool(named - question)


_PRONOUNS = frozenset({
    "it", "they", "mine", "yours", "ours", "this", "that", "these", "those", "i", "we", "you", "he", "she",
    "theirs", "its", "my", "your", "our", "their",
})  # fmt: skip


def _other_subject(text: str, question: frozenset[str]) -> bool:
    """Whether the clause says the question's verb of something else: "Hard drives typically last
    3 to 5 years" on "How long do SSDs last?" (its subject names no word of the question)."""
    ws = re.findall(r"[a-z0-9]+", text.lower())
    verbs = question & _FRAME
    at = next((i for i, w in enumerate(ws) if stem(w) in verbs), None)
    if not at:
        return False
    before = ws[:at]
    if any(w in _PRONOUNS for w in before):
        return False
    named = {stem(w) for w in before if w not in STOPWORDS and not w.isdigit() and not w.endswith("ly")}
    return bool(named) and not named & question


_LEAD = frozenset({"and", "then", "also", "just", "so", "but", "still", "always", "never", "only"})
_OBJECT_START = frozenset(
    {"the", "a", "an", "it", "them", "your", "my", "this", "that", "their", "its", "our", "his", "her"}
)
# Verbs that only frame a figure ("give it 4 days", "allow 2 weeks", "expect 6–8 weeks")
_FRAMING = frozenset(stem(w) for w in (
    "give", "allow", "expect", "wait", "plan", "budget", "leave", "let", "aim", "count", "figure", "reckon",
    "say", "make", "call",
))  # fmt: skip


def _other_act(text: str, question: frozenset[str]) -> bool:
    """Whether the clause times another act than the question's: an imperative ("Check the level
    monthly", "Keep it out of the sun for 4 weeks") whose verb and words are not the question's."""
    ws = re.findall(r"[a-z0-9']+", text.lower())
    while ws and ws[0] in _LEAD:
        ws = ws[1:]
    if len(ws) < 2 or ws[1] not in _OBJECT_START or ws[0] in STOPWORDS or ws[0][0].isdigit():
        return False
    verb = stem(ws[0])
    if verb in _FRAMING or verb in question:
        return False
    return not {stem(w) for w in ws[1:]} & question


def compatible(a: Quantity, b: Quantity) -> bool:
    """Two figures that can both hold: their ranges overlap or touch (2 % slack; a loose figure,
    "about 3 months", ± 20 %)."""
    (al, ah), (bl, bh) = widened(a), widened(b)
    # 5 % of a count or a duration; a temperature by degrees (38 °C and 40 °C are apart)
    slack = 0.5 if a.unit == "degc" else _SLACK * max(abs(ah), abs(bh), 1e-9)
    return al <= bh + slack and bl <= ah + slack


def _apart(a: Sequence[Quantity], b: Sequence[Quantity]) -> bool:
    """Whether two sides' figures are so far apart they measure different things."""

    def gap(x: Quantity, y: Quantity) -> float:
        lo, hi = (x, y) if x.high <= y.low else (y, x)
        return hi.low / lo.high if lo.high > 0 else float("inf")

    return all(gap(x, y) > _APART for x in a for y in b)


def figure_positions(units: Sequence[Unit], dims: Sequence[str], question: frozenset[str],
                     threshold: bool = False) -> dict[str, dict[tuple[str, int], list[Figure]]]:  # fmt: skip
    """dimension → expert → the figures that are their position; experts whose own figures
    cannot all hold are left out. `threshold`: the question asks at what figure to act, so
    "treat when you find 3 %" states the expert's figure."""
    out: dict[str, dict[tuple[str, int], list[Figure]]] = {}
    for dim in dims:
        per: dict[tuple[str, int], list[Figure]] = {}
        for u in units:
            for c in u.clauses:
                for q, bound in stated_figures(c, question, threshold):
                    if q.unit == dim:
                        per.setdefault(u.expert, []).append(Figure(u, q, bound))
        kept: dict[tuple[str, int], list[Figure]] = {}
        for expert, figs in per.items():
            plain = [f for f in figs if not f.bound]
            figs = plain or figs
            if all(compatible(x.quantity, y.quantity) for x in figs for y in figs):
                kept[expert] = figs
        if kept:
            out[dim] = kept
    return out


def _sides(positions: dict[tuple[str, int], list[Figure]]) -> list[list[tuple[str, int]]]:
    """Experts grouped by compatible positions (each side anchored on its first expert)."""
    experts = sorted(positions, key=lambda e: positions[e][0].unit.index)
    sides: list[list[tuple[str, int]]] = []
    for e in experts:
        mine = [f.quantity for f in positions[e]]
        homes = [
            s for s in sides if all(compatible(x, f.quantity) for x in mine for m in s for f in positions[m])
        ]
        touching = [
            s for s in sides if any(compatible(x, f.quantity) for x in mine for m in s for f in positions[m])
        ]
        if len(homes) == 1 and len(touching) == 1:
            homes[0].append(e)
        elif not touching:
            sides.append([e])
        # else: compatible with two sides, or with part of one: no side (when in doubt)
    while True:
        figs = [[f.quantity for m in s for f in positions[m]] for s in sides]
        far = [
            i for i in range(len(sides)) if all(_apart(figs[i], figs[j]) for j in range(len(sides)) if j != i)
        ]
        if not far or len(sides) <= 1:
            break
        sides = [s for i, s in enumerate(sides) if i not in far]
    return sides


def figure_disputes(units: Sequence[Unit], question: frozenset[str],
                    question_text: str) -> list[tuple[Disagreement, frozenset[int]]]:  # fmt: skip
    """Disagreements on the figures the question asks for, with the sentences they rest on."""
    out: list[tuple[Disagreement, frozenset[int]]] = []
    asked = asked_dimensions(question_text)
    for part, dims in asked:
        if _COMPARISON.search(part):
            continue  # "how long does an SSD last compared to a hard drive": figures per thing
        found = []
        threshold = bool(re.search(r"\bat\s+what\b", part, re.I))
        for dim, positions in figure_positions(units, dims, question, threshold).items():
            positions = _same_act(positions, part)
            sides = _sides(positions)
            if len(sides) < 2:
                continue
            found.append((dim, sides, positions))
        for dim, sides, positions in found:
            side_objs = []
            for s in sides:
                quote = positions[s[0]][0].unit
                held = [positions[e][0].unit for e in s]
                side_objs.append(Side(shorten(quote.text), labels(held), quote.label))
            topic = _topic(part)
            if len(found) > 1:  # "What ratio and shot time…?": each facet by its own words
                named = _DIM_WORDS.get(dim)
                m = (
                    re.search(rf"\b(?:(?!what\b|which\b|and\b)[a-z]+\s+)?{named}\b", part, re.I)
                    if named
                    else None
                )
                topic = (
                    f"the {m.group(0).lower()}" if m else f"{topic} ({_NAMES.get(dim, dim.split('/')[0])})"
                )
            used = frozenset(f.unit.index for s in sides for e in s for f in positions[e])
            out.append((Disagreement(topic[:90], tuple(side_objs)), used))
    return out


def _act_words(f: Figure) -> set[str]:
    """The content words before a figure in its sentence: what it times or measures ("Trim every
    6 weeks" → {trim}; "Oil the hooves every day" → {oil, hoov})."""
    text = plain_text(f.unit.text)
    for start, _, q in quantities(text):
        if (q.unit, q.low, q.high) == (f.quantity.unit, f.quantity.low, f.quantity.high):
            return {t.stem for t in tokens(text[:start]) if t.stem and t.word not in STOPWORDS} - _FRAME
    return set()


def _same_act(
    positions: dict[tuple[str, int], list[Figure]], part: str
) -> dict[tuple[str, int], list[Figure]]:
    """When two or more experts' figures time one act (their words before the figure share one),
    an expert whose figure shares no word with them nor with the question's part times another
    act ("Brush them every day" beside "Trim every 6 weeks" / "a trim every 4 weeks")."""
    acts = {e: set().union(*(_act_words(f) for f in figs)) for e, figs in positions.items()}
    asked = {t.stem for t in tokens(part) if t.stem and t.word not in STOPWORDS} - _FRAME
    shared = {e for e in acts if any(acts[e] & acts[o] for o in acts if o != e)}
    if len(shared) < 2:
        return positions
    return {e: figs for e, figs in positions.items() if e in shared or acts[e] & asked}


def _topic(part: str) -> str:
    t = part.strip().rstrip("?").strip()
    first = t.split()[0] if t else ""
    if first[:1].isupper() and first[1:].islower():
        t = t[0].lower() + t[1:]
    return t


# ── yes / no on the question's object ────────────────────────────────────────────────────

_OBJECT_Q = re.compile(
    r"\b(?:should|do|must|would)\s+(?:i|we|you)\s+(?:really\s+)?(?:need\s+to\s+|have\s+to\s+|bother\s+(?:to\s+)?)?"
    r"(?P<verb>[a-z]+)\s+(?:(?:a|an|the|my|our|your|any|some)\s+)?(?P<obj>[a-z0-9][\w-]*(?:\s+[a-z0-9][\w-]*)?)"
    r"(?=\s+(?:on|in|for|to|with|at|from|into|or|and|when|if|before|after)\b|\s*[,?;.]|\s*$)",
    re.I,
)
_NOT_OBJECT = frozenset({"it", "them", "this", "that", "these", "those", "one", "be", "do", "to"})
_NO_BEFORE = re.compile(
    r"(?:\b(?:no|not|never|without|skip|avoid|ditch|drop|remove)|n't(?:\s+\w+){0,1})\s+(?:\w+\s+)?$", re.I
)
_YES_BEFORE = re.compile(
    r"\b(?:keep|set|use|add|always|enable|have|want|need|recommend|put|apply|do)\s+(?:\w+\s+)?$", re.I
)
_NOT_WITHOUT = re.compile(
    r"(?:\b(?:not|never)|n't)\s+(?:forget|skip|skimp\s+on|neglect|ignore|miss|go\s+without)\s+(?:\w+\s+)?$",
    re.I,
)
_NO_AFTER = re.compile(
    r"^\s*(?::\s*)?(?:no\b|nope\b|(?:are|is)\s+(?:\w+ly\s+)?(?:unnecessary|overkill|pointless|a\s+myth|not\s+needed|"
    r"not\s+worth\s+it|a\s+waste))",
    re.I,
)
_YES_AFTER = re.compile(
    r"^\s*(?::\s*)?(?:yes\b|(?:(?:in|on|for|during|at|after)\s+(?:[\w-]+\s+){1,3}?)?(?:are|is)\s+(?:\w+ly\s+)?"
    r"(?:essential|a\s+must|necessary|required|worth\s+it|fine|ok|okay|safe)\b"
    r"(?![^.;]*\b(?:if|unless|when|until|after|before|once)\b))",
    re.I,
)


_WH = re.compile(r"\b(?:how|what|when|where|which|why|who)\b[^,;?!]*$", re.I)


def _object_question(question_text: str) -> re.Match[str] | None:
    """The first "should I <verb> <thing>" that is a yes / no question ("how do I bake…" is not)."""
    plain = plain_text(question_text)
    return next((m for m in _OBJECT_Q.finditer(plain) if not _WH.search(plain[: m.start()])), None)


def question_object(question_text: str) -> tuple[str, ...] | None:
    """The thing a "should I <verb> <thing>" question asks about, as stems ("CPU limits" →
    ("cpu", "limit")); None for other questions."""
    m = _object_question(question_text)
    if not m:
        return None
    ws = [w for w in m.group("obj").lower().split() if w not in _NOT_OBJECT]
    if not ws or len(ws) != len(m.group("obj").split()):
        return None
    return tuple(stem(w) for w in ws)


def _object_at(spans: list[tuple[int, int, str]], i: int, obj: tuple[str, ...]) -> int | None:
    """The index of the object's last word when the object starts at span `i`: all its words in
    order ("CPU limits"), its first and last with up to one word between ("quarterly estimated
    payments"), or its first word alone ending a phrase ("skip the quarterlies in year one")."""
    ws = [stem(w.lower()) for _, _, w in spans[i : i + len(obj) + 1]]
    if tuple(ws[: len(obj)]) == obj:
        return i + len(obj) - 1
    if len(obj) < 2 or not ws or ws[0] != obj[0]:
        return None
    if len(obj) == 2 and len(ws) > 2 and ws[2] == obj[1]:
        return i + 2
    # the modifier made a noun ("the quarterlies"): a plural of the object's first word, ending a phrase
    word = spans[i][2].lower()
    nxt = spans[i + 1][2].lower() if i + 1 < len(spans) else ""
    return i if word.endswith("s") and (not nxt or nxt in STOPWORDS) else None


def object_stance(text: str, obj: tuple[str, ...], verb: str = "") -> int:
    """+1 / -1 when a clause says yes / no to `obj` outright, 0 otherwise (see the module doc).
    `verb`: the question's own verb ("make" in "do I need to make quarterly payments"): "do make
    the quarterly payments" says yes."""
    plain = plain_text(text).replace("’", "'")
    spans = [(m.start(), m.end(), m.group(0)) for m in re.finditer(r"[A-Za-z0-9][\w'-]*", plain)]
    found = 0
    own_verb = re.compile(rf"\b{re.escape(verb)}\s+(?:(?:the|a|an|your|my|those|these|them)\s+)?$", re.I)
    for i in range(len(spans)):
        last = _object_at(spans, i, obj)
        if last is None:
            continue
        before, after = plain[: spans[i][0]], plain[spans[last][1] :]
        seg_before = re.split(r"[,;:.!?()]", before)[-1]
        seg_after = re.split(r"[,;:.!?()]", after)[0]
        if _CONDITION.search(seg_before) or re.search(r"\b(?:if|unless)\b", seg_after, re.I):
            return 0  # "skip them if nothing changes": advice for a case
        sign = 0
        if _NOT_WITHOUT.search(seg_before):
            sign = 1  # "don't forget CPU limits", "never skip the CPU limits"
        elif _NO_BEFORE.search(seg_before) or _NO_AFTER.match(after):
            sign = -1
        elif (
            _YES_BEFORE.search(seg_before)
            or _YES_AFTER.match(after)
            or (verb and own_verb.search(seg_before))
        ):
            sign = 1
        if sign and found and sign != found:
            return 0
        found = sign or found
    return found


def object_disputes(units: Sequence[Unit], question_text: str) -> list[tuple[Disagreement, frozenset[int]]]:
    """A yes / no disagreement on the question's object, one side per answer."""
    obj = question_object(question_text)
    if not obj:
        return []
    qm = _object_question(question_text)
    verb = qm.group("verb").lower() if qm else ""
    said: dict[tuple[str, int], dict[int, list[Unit]]] = {}
    for u in units:
        for c in u.clauses:
            if c.hedged:
                continue
            s = object_stance(c.text, obj, verb)
            if s:
                said.setdefault(u.expert, {}).setdefault(s, []).append(u)
    sides: dict[int, list[Unit]] = {}
    for by_sign in said.values():
        if len(by_sign) == 1:  # one answer, never both
            ((sign, us),) = by_sign.items()
            sides.setdefault(sign, []).append(us[0])
    if len(sides) < 2:
        return []
    m = _object_question(question_text)
    topic = f"whether to {m.group('verb').lower()} {m.group('obj')}" if m else " ".join(obj)
    ordered = sorted(sides.values(), key=lambda us: (-len(us), us[0].index))
    out = tuple(Side(shorten(us[0].text), labels(us), us[0].label) for us in ordered)
    used = frozenset(u.index for us in sides.values() for u in us)
    return [(Disagreement(topic[:90], out), used)]


__all__ = [
    "agreements",
    "asked_dimensions",
    "change_disputes_on_question",
    "change_position",
    "compatible",
    "figure_disputes",
    "figure_positions",
    "named_pick",
    "object_disputes",
    "object_stance",
    "option_disputes",
    "question_change",
    "question_object",
    "question_options",
    "stated_figures",
    "with_agreements",
]


# ── the option each expert picks ─────────────────────────────────────────────────────────

# "Python, Go or Rust?": three or more options the question names
_LIST_OPTIONS = re.compile(
    r"(?:(?:the|a|an)\s+)?([\w.+#-]+)\s*,\s*(?:(?:the|a|an)\s+)?([\w.+#-]+)\s*,?\s+or\s+(?:(?:the|a|an)\s+)?([\w.+#-]+)",
    re.I,
)
# "What opening should I learn…?", "what should I treat with…?": the answers name the options
# (a thing named between "what" and the verb, or "what should I <verb> with…"; never "what should I do")
_OPEN_Q = re.compile(
    r"\b(?:what|which)\s+(?:(?!(?:should|would|do|does|i|we|you|is|are)\b)[\w-]+\s+){1,2}(?:should|would|do|does|to)\b"
    r"|\bwhat\s+(?:should|would|do)\s+(?:i|we|you)\s+(?!do\b)\w+\s+(?:with|on|for|in|to)\b",
    re.I,
)
_PICK_VERB = re.compile(
    r"\b(?i:use|using|pick|choose|prefer|recommend|play|try|learn|buy|go\s+with|switch\s+to|stick\s+with|opt\s+for|"
    r"start\s+with)\s+"
    r"(?:(?i:the|a|an|with|some)\s+)?(?:[a-z0-9.+#-]+\s+){0,2}?\(?(?P<name>[A-Z][\w'’.+-]*(?:\s+[A-Z][\w'’.+-]*)*)"
)
_GO_TO = re.compile(
    r"^(?:\W*)(?P<name>(?:[A-Z][\w'’.+-]*|[a-z][\w-]*)(?:\s+[\w'’.+-]+){0,3}?)\s+(?:is|are)\s+"
    r"(?:my|our|the)\s+(?:go-to|way\s+to\s+go|first\s+choice|pick)\b"
)
_NAME = re.compile(r"[A-Z][\w'’.+-]*")
_NEGATED_PICK = re.compile(r"(?:\b(?:not|never|no)\b|n't)\s+(?:\w+\s+){0,2}$", re.I)
_BARE_WORDS = 6
_ANY = re.compile(
    r"\b(?:use|pick|choose|go\s+with|learn)\s+whatever\b|\beither\s+(?:one\s+)?(?:is\s+fine|works|will\s+do)\b"
    r"|\b(?:it\s+)?(?:doesn't|does\s+not)\s+(?:really\s+)?matter\s+(?:much\s+)?(?:which|what)\b",
    re.I,
)


def question_options(question_text: str) -> tuple[str, ...] | None:
    """Three or more options the question names ("Python, Go or Rust"), as stems."""
    m = _LIST_OPTIONS.search(plain_text(question_text))
    if not m:
        return None
    opts = tuple(stem(g.lower()) for g in m.groups())
    return opts if len(set(opts)) == len(opts) and not set(opts) & STOPWORDS else None


def _names(text: str, exclude: set[str]) -> frozenset[str]:
    return frozenset(
        s for w in _NAME.findall(text) if (s := stem(w.lower().rstrip(".'’"))) not in exclude and w != "I"
    )


def named_pick(text: str, first: bool, exclude: set[str]) -> frozenset[str]:
    """The named thing a clause recommends (stems): after a choice verb ("I use Apivar", "Play
    1.d4 with the Queen's Gambit", "I'd go with Formic Pro"), before "is my go-to", or a whole
    short opening answer ("The London System."); empty when negated or conditional."""
    plain = plain_text(text).strip()
    m = _PICK_VERB.search(plain)
    if m and not _NEGATED_PICK.search(plain[: m.start()]) and not _CONDITION.search(plain[: m.start()]):
        return _names(m.group("name"), exclude)
    g = _GO_TO.search(plain)
    if g:
        return _names(g.group("name"), exclude) or frozenset(
            stem(w) for w in re.findall(r"[a-z]+", g.group("name").lower()) if w not in STOPWORDS
        )
    words = plain.split()
    if first and len(words) <= _BARE_WORDS and not _CONDITION.search(plain):
        # every sentence opens with a capital: its first word is a name only in a one- or two-word
        # answer ("Django.", "Formic Pro."), never in "Never inflate to the max." or "Cold check, done."
        kept = [
            w
            for i, w in enumerate(words)
            if i or (len(words) <= 2 and re.sub(r"\W", "", w.lower()) not in STOPWORDS)
        ]
        return _names(" ".join(kept), exclude)
    return frozenset()


def option_disputes(units: Sequence[Unit], question: frozenset[str],
                    question_text: str) -> list[tuple[Disagreement, frozenset[int]]]:  # fmt: skip
    """Experts who pick different options: of three or more the question names (each expert's
    one recommended option), or, on a "what / which … should" question, the things the answers
    name after a choice verb. An expert who picks two different things takes no side."""
    opts = question_options(question_text)
    parts = question_parts(plain_text(question_text))
    part = next((p for p in parts if _OPEN_Q.search(p) and not asked_dimensions(p)), None)
    if not opts and part is None:
        return []
    exclude = set(question) | {stem(w.lower()) for u in units for w in re.findall(r"[\w']+", u.label)}
    picks: dict[tuple[str, int], list[tuple[frozenset[str], Unit]]] = {}
    first_seen: set[int] = set()
    for u in units:
        first = u.answer not in first_seen
        first_seen.add(u.answer)
        for c in u.clauses:
            if c.hedged:
                continue
            if opts:
                chosen = frozenset(o for o in opts if stance(c.text, o) > 0)
            else:
                chosen = named_pick(c.text, first and c is u.clauses[0], exclude)
            if chosen:
                picks.setdefault(u.expert, []).append((chosen, u))
    indifferent = {u.expert for u in units if _ANY.search(plain_text(u.text))}
    sides: list[tuple[frozenset[str], list[Unit]]] = []
    for expert, found in picks.items():
        if expert in indifferent:
            continue  # "Use whatever you know; I use Postgres": a habit, not a pick
        names = found[0][0]
        if opts and len(names) != 1:
            continue
        if any(not (names & other) for other, _ in found[1:]):
            continue  # two different picks: no side
        home = next((s for s in sides if s[0] & names), None)
        if home is None:
            sides.append((names, [found[0][1]]))
        else:
            home[1].append(found[0][1])
    if len(sides) < 2:
        return []
    sides.sort(key=lambda s: (-len(s[1]), s[1][0].index))
    sides = sides[:3]
    out = tuple(Side(shorten(us[0].text), labels(us), us[0].label) for _, us in sides)
    topic = _topic(part) if part and not opts else _topic(question_parts(plain_text(question_text))[0])
    return [(Disagreement(topic[:90], out), frozenset(u.index for _, us in sides for u in us))]


# ── the change a yes / no question asks about ────────────────────────────────────────────

_DETERMINERS = frozenset({"a", "an", "the", "my", "your", "our", "their", "this", "that"})
_YES_NO_START = re.compile(r"^\W*(?:does|do|did|will|would|can|could|is|are|should)\b", re.I)


def _attributive(toks: list[Token], i: int) -> bool:
    """ "a bigger heatsink": a change word before its noun describes the cause, it asks no change."""
    return i >= 1 and toks[i - 1].word in _DETERMINERS and i + 1 < len(toks) and bool(toks[i + 1].stem)


def question_change(question_text: str) -> tuple[int, frozenset[str]] | None:
    """(direction, what changes) of the change a yes / no question asks about: "Does creatine
    raise blood pressure?" → (+1, {blood, pressur}); "Does salt affect yeast activity?" → (0,
    {yeast, activ}). What changes: the words after the change word, else the ones before it
    but the first (the cause: "will a bigger SSD make my games load faster" → {game, load})."""
    for part in question_parts(plain_text(question_text)):
        if not _YES_NO_START.search(part):
            continue
        toks = tokens(part)

        at = [
            i
            for i, t in enumerate(toks)
            if t.stem and direction_of(t) is not None and not _attributive(toks, i)
        ]
        if not at:
            continue
        i = at[-1]
        after = [t.stem for t in toks[i + 1 :] if t.stem and t.word not in STOPWORDS]
        before = [t.stem for t in toks[:i] if t.stem and t.word not in STOPWORDS and direction_of(t) is None]
        effect = after or before[1:]
        claims = [
            c for c in sentence_claims(part, answer=0, sentence=0, wide=True) if c.direction is not None
        ]
        if effect and claims and not claims[-1].negated:
            return claims[-1].direction or 0, frozenset(effect)
    return None


def change_position(text: str, effect: frozenset[str]) -> set[str]:
    """What a clause says of the asked change: "+1" / "-1" (it happens, that way), "0" (no
    change at all), "not+1" / "not-1" (not that way); only changes of the `effect` words."""
    out = set()
    for c in sentence_claims(plain_text(text), answer=0, sentence=0, wide=True):
        if c.direction is None or not (c.topic | c.core | {c.word}) & effect:
            continue
        if c.negated:
            out.add("0" if c.direction == 0 else f"not{c.direction:+d}")
        elif c.direction:
            out.add(f"{c.direction:+d}")
    return out


_OPPOSED = {("+1", "-1"), ("0", "+1"), ("0", "-1"), ("not+1", "+1"), ("not-1", "-1")}


def change_disputes_on_question(
    units: Sequence[Unit], question_text: str
) -> list[tuple[Disagreement, frozenset[int]]]:
    """Experts who say the asked change happens, happens the other way, or not at all — with
    no shared words but the question's ("it raises it a little" ↔ "creatine lowers resting
    blood pressure"). An expert who says two of these takes no side."""
    asked = question_change(question_text)
    if not asked:
        return []
    subject = asked[1]
    said: dict[tuple[str, int], dict[str, Unit]] = {}
    for u in units:
        for c in u.clauses:
            if c.hedged or _CONDITION.search(plain_text(c.text)):
                continue
            for pos in change_position(c.text, subject):
                said.setdefault(u.expert, {}).setdefault(pos, u)
    groups: dict[str, list[Unit]] = {}
    for by_pos in said.values():
        if len(by_pos) == 1:
            ((pos, u),) = by_pos.items()
            groups.setdefault(pos, []).append(u)
    opposed = [k for k in groups if any((k, o) in _OPPOSED or (o, k) in _OPPOSED for o in groups)]
    if len(opposed) < 2:
        return []
    ordered = sorted(opposed, key=lambda k: (-len(groups[k]), groups[k][0].index))[:3]
    sides = tuple(Side(shorten(groups[k][0].text), labels(groups[k]), groups[k][0].label) for k in ordered)
    topic = _topic(next(p for p in question_parts(plain_text(question_text)) if _YES_NO_START.search(p)))
    return [(Disagreement(topic[:90], sides), frozenset(u.index for k in ordered for u in groups[k]))]


# ── "I agree with X" ─────────────────────────────────────────────────────────────────────

_AGREE = re.compile(
    r"^\W*(?:i\s+)?(?:totally\s+|fully\s+|completely\s+|strongly\s+)?agree\s+with\s+(?P<name>[^,:;.!?()]+?)\s*(?:[,:;.!]|$)"
    r"|^\W*(?:\+1|seconding|second)\s+(?:to\s+)?(?P<plus>[^,:;.!?()]+?)\s*(?:[,:;.!]|$)",
    re.I,
)
_TITLES = frozenset({"dr", "mr", "mrs", "ms", "prof", "doctor", "nurse", "coach"})


def _name_words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9_]+", text.lower()) if w not in _TITLES}


def agreements(units: Sequence[Unit]) -> dict[str, str]:
    """Experts who open their answer agreeing with another expert as a whole ("I agree with Dr.
    Weiss, at least for landscapes.", "I agree with Marta: go fishless") → whom, by label.
    Agreeing on one claim ("agree with X that…", "about…", "on…") names no whole position, and
    a name that fits no expert, or several, is nobody."""
    out: dict[str, str] = {}
    first: dict[int, Unit] = {}
    for u in units:
        first.setdefault(u.answer, u)
    named = {u.label for u in units if u.expert[1] == -1}
    for u in first.values():
        m = _AGREE.match(plain_text(u.text))
        if not m or u.expert[1] != -1:
            continue
        name = m.group("name") or m.group("plus") or ""
        words = _name_words(name)
        if not words or re.search(r"\b(?:that|about|on|with|to|the|using)\b", name, re.I):
            continue
        fits = [x for x in named if x != u.label and words <= _name_words(x)]
        if len(fits) == 1:
            out[u.label] = fits[0]
    return out


def with_agreements(d: Disagreement, agree: dict[str, str]) -> Disagreement:
    """`d` with each expert who agrees with a side's holder (and holds no side) added to it."""
    held = {x for s in d.sides for x in s.supporters}
    sides = []
    for s in d.sides:
        extra = tuple(a for a, whom in agree.items() if whom in s.supporters and a not in held)
        sides.append(Side(s.text, s.supporters + extra, s.quoted_from) if extra else s)
    return Disagreement(d.topic, tuple(sides))


# ── for or against one named thing ───────────────────────────────────────────────────────

_ACT_MARK = re.compile(
    r"\b(?:use|using|pick|choose|prefer|recommend|try|get|buy|take|do|want|bother|need|skip|avoid|ditch|"
    r"forget|go|stick|switch|opt)\b",
    re.I,
)
_GERUND = re.compile(r"^[a-z]{3,}ing$")


_NEGATION = re.compile(r"\b(?:not|never|no)\b|n't\b", re.I)
# "pkg/errors", "errors.Is", `--force-with-lease`: a word inside a name or code is not a thing of its own
_NAME_TOKEN = re.compile(r"`[^`]*`|[\w-]+(?:[./][\w-]+)+|--?[\w-]+")


# "github.com/pkg/errors" and "pkg/errors" name one thing: a path is named by its last two parts
_PATH_NAME = re.compile(r"`?\b[\w.-]*(?:/[\w.-]+)+`?")


def _path_word(m: re.Match[str]) -> str:
    return re.sub(r"\W", "", "".join(m.group(0).strip("`").split("/")[-2:])).lower()


# A verdict on a thing named as the subject: "Lukewarm baths help", "alternating the two is totally
# fine", "the vitamin D thing is mostly a myth"; "keep X and Y out of …" is advice against them.
_SUBJECT_VERDICT = re.compile(
    r"^\W*(?:(?:honestly|frankly|btw|also|and|but|so|imo|personally|tbh)\W+)*(?P<subj>(?:[\w'-]+\s+){0,7}?[\w'-]+)\s+"
    r"(?:(?P<cop>is|are|was)\s+(?P<neg>not\s+)?(?:(?:\w+ly|just|really|still|a|an|the|pretty|quite)\s+)*"
    r"(?P<adj>[\w-]+)|(?P<verb>helps|help|works|work)\b)",
    re.I,
)
_KEEP_OUT = re.compile(r"\bkeep\s+(?P<x>(?:[\w'-]+\s+){1,4}?)(?:out\s+of|away\s+from)\b", re.I)


_META = frozenset({"rule", "advice", "idea", "claim", "tip", "notion", "recommendation", "guideline", "myth"})


def _modifier(text: str, term: str) -> bool:
    """Whether `term` only modifies the noun after it ("hoof boots", "toggle bolts") everywhere in the
    clause: advice on the boots is no advice on every other "hoof" thing."""
    ws = re.findall(r"[a-z0-9'-]+|[^\sa-z0-9]", text.lower())
    at = [i for i, w in enumerate(ws) if stem(w) == term and not w.endswith("'s")]
    return bool(at) and all(
        i + 1 < len(ws)
        and ws[i + 1][0].isalpha()
        and ws[i + 1] not in STOPWORDS
        and ws[i + 1] not in _VERBS_AFTER
        and not ws[i + 1].endswith("ly")
        for i in at
    )


_VERBS_AFTER = frozenset(
    {"works", "helps", "makes", "gives", "keeps", "takes", "needs", "stays", "beats", "wins"}
)


def _subject_verdict(text: str) -> dict[str, int]:
    """stem → +1 / -1 for the things a clause judges as its subject or keeps out (see above);
    nothing when the verdict is negated by a condition after it ("fine if …")."""
    out: dict[str, int] = {}
    m = _SUBJECT_VERDICT.match(text)
    if m and not re.search(
        r"\b(?:if|unless|when|until|except)\b", re.split(r"[,;.]|\band\b", text[m.end() :])[0], re.I
    ):
        subj = m.group("subj").lower().split()
        # "the X rule is outdated" judges the rule, which is the reverse of judging X
        if not (set(subj) & {"not", "never", "no", "don't", "i", "we", "you", "it", "that", "this"}) and (
            subj[-1].rstrip("s") not in _META
        ):
            adj = (m.group("adj") or "").lower()
            sign = 1 if m.group("verb") or adj in GOOD else -1 if adj in BAD else 0
            sign = -sign if m.group("neg") else sign
            for w in subj:
                if sign and w not in STOPWORDS:
                    out[stem(w)] = sign
    for k in _KEEP_OUT.finditer(text):
        for w in k.group("x").lower().split():
            if w not in STOPWORDS and w not in {"it", "them"}:
                out.setdefault(stem(w), -1)
    return out


def _negated_near(text: str, term: str) -> bool:
    """Whether a part of the clause (between commas) that names `term` has a negation in it."""
    return any(
        _NEGATION.search(seg) and term in {stem(w) for w in re.findall(r"[a-z0-9]+", seg.lower())}
        for seg in re.split(r"[,;:()]|\s[–—-]\s", plain_text(text))
    )


def _in_name(text: str, term: str) -> bool:
    return any(
        term in {stem(w) for w in re.findall(r"[a-z0-9]+", m.group(0).lower())}
        for m in _NAME_TOKEN.finditer(text)
    )


def _about_term(text: str, term: str) -> bool:
    """Whether a choice verb's object is `term` itself, not another act it modifies: "I don't
    recommend alternating the two drills" is about alternating, not about drills."""
    ws = re.findall(r"[a-z0-9]+", plain_text(text).lower())
    at = next((i for i, w in enumerate(ws) if stem(w) == term), None)
    if at is None:
        return False
    verbs = [i for i in range(at) if _ACT_MARK.fullmatch(ws[i])]
    if not verbs:  # no choice verb: only a verdict on the thing itself ("X is a waste"), never "Treat it…"
        return at + 1 < len(ws) and ws[at + 1] in {"is", "are", "s", "isn", "aren", "was"}
    return not any(_GERUND.match(w) for w in ws[verbs[-1] + 1 : at])


def _kind_of(ws: list[str], term: str) -> str:
    """The word right before the thing that says which kind of it is ("daily" in "the daily
    limit", "cpu" in "CPU limits"); "" when none does."""
    at = next((i for i, w in enumerate(ws) if stem(w) == term), None)
    if not at:
        return ""
    w = ws[at - 1]
    if w in STOPWORDS or w.isdigit() or (w.endswith("ly") and w != "daily") or _ACT_MARK.fullmatch(w):
        return ""
    return stem(w)


def advice_disputes(
    units: Sequence[Unit], question: frozenset[str]
) -> list[tuple[Disagreement, frozenset[int]]]:
    """Experts who recommend a named thing and experts who advise against it ("Custom insoles
    are a waste of money" ↔ "I'd get fitted for custom insoles"; "skip the quarterly check" ↔
    "do the quarterly check"), whatever else they share. A hedged clause, a condition or an
    expert on both sides takes no side; the thing must be the object of the advice."""
    said: dict[str, dict[tuple[str, int], dict[int, Unit]]] = {}
    kinds: dict[tuple[str, tuple[str, int]], str] = {}  # the word naming which kind of the thing
    for u in units:
        for c in u.clauses:
            if c.hedged:
                continue
            text = _PATH_NAME.sub(_path_word, plain_text(c.text))
            subject = _subject_verdict(text)
            ws = re.findall(r"[a-z0-9]+", text.lower())
            first_verb = next((i for i, w in enumerate(ws) if _ACT_MARK.fullmatch(w)), len(ws))
            # only words a choice verb may govern or a verdict may follow can take a side (cheap filter)
            candidates = {
                stem(w)
                for i, w in enumerate(ws)
                if i > first_verb or ws[i + 1 : i + 2] in (["is"], ["are"], ["s"], ["isn"], ["aren"], ["was"])
            }
            for t in {t.stem for t in tokens(text) if t.stem and t.word not in STOPWORDS}:
                if len(t) < 3 or t in _FRAME or t.isdigit():
                    continue
                s = stance(text, t) if t in candidates else 0
                if s > 0 and _negated_near(text, t):
                    continue  # "use X, never plain Y": a mixed clause is no clear side on its words
                if s < 0 and (c.timed or c.bounds):
                    continue  # "not before 6 months" denies the timing, not the thing
                if not (s and _about_term(text, t) and not _modifier(text, t)):
                    s = subject.get(t, 0)
                if s and not _in_name(text, t):
                    said.setdefault(t, {}).setdefault(u.expert, {}).setdefault(s, u)
                    kinds.setdefault((t, u.expert), _kind_of(ws, t))
    found: list[tuple[str, list[Unit], list[Unit]]] = []
    for t, by in said.items():
        pro = [v[1] for v in by.values() if list(v) == [1]]
        con = [v[-1] for v in by.values() if list(v) == [-1]]
        # "set the daily limit" ↔ "don't set CPU limits": two kinds of the thing, no dispute
        pro_kinds = {kinds[(t, u.expert)] for u in pro}
        con_kinds = {kinds[(t, u.expert)] for u in con}
        if "" not in pro_kinds | con_kinds and not pro_kinds & con_kinds:
            continue
        if pro and con:
            found.append((t, pro, con))
    out: list[tuple[Disagreement, frozenset[int]]] = []
    taken: set[int] = set()
    for t, pro, con in sorted(
        found, key=lambda f: (-(len(f[1]) + len(f[2])), min(u.index for u in f[1] + f[2]))
    ):
        used = frozenset(u.index for u in pro + con)
        if used & taken:
            continue  # one subject, named by two words ("hoof", "oil")
        taken |= used
        plain = plain_text(pro[0].text)
        named = [m.group(0).strip("`") for m in _PATH_NAME.finditer(plain) if stem(_path_word(m)) == t]
        word = (
            "/".join(named[0].split("/")[-2:])
            if named
            else next((w for w in re.findall(r"[\w/+.-]+", plain) if stem(w.lower().strip(".")) == t), t)
        )
        sides = (
            Side(shorten(pro[0].text), labels(pro), pro[0].label),
            Side(shorten(con[0].text), labels(con), con[0].label),
        )
        if word[:1].isupper() and word[1:].islower():  # "Wax is…" opens a sentence: "wax"
            word = word.lower()
        out.append((Disagreement(word[:90], sides), used))
    return out
