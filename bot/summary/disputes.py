"""Disagreements: experts whose claims on one subject cannot both be right.

Two detectors feed one list, one disagreement per subject:

1. **change claims** (`contradiction.py`): "does not change pore size" ↔ "pores shrink",
   "pores get larger" ↔ "pores get smaller" — a change word, its polarity and direction, on a
   shared topic word that is not one of the question's;
2. **clause conflicts** (`claims.conflict`): opposite polarity on the same subject ("you don't
   need to water every day" ↔ "they need water every day", "Counter is not faster than a dict
   loop" ↔ "it is faster than a manual dict loop"), or figures of one unit that cannot both
   hold ("only 3 to 6 months" ↔ "6 to 12 months").

Sentences joined by conflicts form a subject; its sides are the positions (for figures, one
side per range; otherwise the two polarities). An expert found on two sides of one subject is
left out of both (when in doubt, leave the expert out). A subject that shares a sentence with
an earlier one is the same dispute and is not reported twice.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from bot.models import Disagreement, Side
from bot.summary.claims import (
    Clause,
    Quantity,
    alternatives,
    conflict,
    quantities,
    question_parts,
    ranges_conflict,
    restates_question,
    same_range,
    supports,
    weight,
)
from bot.summary.contradiction import Claim, contradicts, sentence_claims
from bot.summary.positions import (
    advice_disputes,
    agreements,
    change_disputes_on_question,
    figure_disputes,
    object_disputes,
    option_disputes,
    stated_figures,
    with_agreements,
)
from bot.summary.segment import plain_text
from bot.summary.sentences import GENERIC_MODIFIERS, stem, words
from bot.summary.stance import choice_topic, pick, verdict, yes_no_target
from bot.summary.units import REASON, Unit, clarity, labels, shorten

MAX_DISAGREEMENTS = 3
MAX_TOPIC = 90


@dataclass(frozen=True)
class Found:
    disagreement: Disagreement
    units: frozenset[int]  # every sentence on a side
    support: int  # experts involved
    first: int  # first sentence (for ordering)
    # whether "I agree with X" puts the agreer on X's side: yes for a stance, not for a figure
    # (agreeing with an expert's advice is not giving their number)
    inherits: bool = True


def topic_phrase(units: Sequence[Unit], topic: Counter[str]) -> str:
    """The expert wording of a topic: the most used run of topic words ("pore size")."""
    runs: Counter[str] = Counter()
    for u in units:
        ws = words(plain_text(u.text))
        i = 0
        while i < len(ws):
            if stem(ws[i]) in topic:
                j = i
                while j < len(ws) and stem(ws[j]) in topic:
                    j += 1
                runs[" ".join(stem(w) for w in ws[i:j])] += 1
                i = j
            else:
                i += 1
    if not runs:
        return " ".join(t for t, _ in topic.most_common(2))
    multi = [(c, r) for r, c in runs.items() if " " in r and c >= 2]
    if multi:
        best = max(multi, key=lambda x: (x[0], len(x[1]), x[1]))[1]
    else:
        best = max(runs.items(), key=lambda x: (x[1], x[0]))[0]
    surface: dict[str, Counter[str]] = {}
    for u in units:
        for w in words(plain_text(u.text)):
            surface.setdefault(stem(w), Counter())[w] += 1
    out = []
    for s in best.split():
        forms = surface.get(s)
        out.append(min(forms.items(), key=lambda x: (len(x[0]), -x[1], x[0]))[0] if forms else s)
    return " ".join(out)


# Whether a sentence holds its side's position: (holder, the side's quoted sentence, the other
# sides' quoted sentences) → bool. The quoted sentence's author holds it by definition.
Holds = Callable[[Unit, Unit, Sequence[Unit]], bool]


def _quote(us: Sequence[Unit], topic: set[str]) -> Unit:
    """The sentence a side is quoted in: an expert who also says why reads fairest."""

    def key(u: Unit) -> tuple[float, int, int]:
        why = 0.15 * bool(REASON.search(u.text))
        return clarity(u) - 0.1 * len(u.stems & topic) - why, len(u.text), u.index

    return min(us, key=key)


def _finish(topic: str, side_units: list[list[Unit]], topic_stems: set[str], holds: Holds) -> Found | None:
    """Sides → a Disagreement, experts on two sides left out; None if fewer than two sides remain.

    Each side quotes ONE expert's sentence (`Side.quoted_from`); another expert is listed as
    holding the side only when one of their own sentences passes `holds` against the quote and
    the other sides' quotes (when in doubt, left out)."""
    where: dict[tuple[str, int], set[int]] = {}
    for k, us in enumerate(side_units):
        for u in us:
            where.setdefault(u.expert, set()).add(k)
    torn = {e for e, ks in where.items() if len(ks) > 1}
    kept = [[u for u in us if u.expert not in torn] for us in side_units]
    kept = [us for us in kept if us]
    if len(kept) < 2:
        return None
    quotes = [_quote(us, topic_stems) for us in kept]
    verified: list[list[Unit]] = []
    for k, us in enumerate(kept):
        others = quotes[:k] + quotes[k + 1 :]
        verified.append([u for u in us if u.expert == quotes[k].expert or holds(u, quotes[k], others)])
    order = sorted(range(len(kept)), key=lambda k: (-len(labels(verified[k])), min(u.index for u in kept[k])))
    all_units = [u for us in kept for u in us]
    sides = tuple(Side(shorten(quotes[k].text), labels(verified[k]), quotes[k].label) for k in order)
    d = Disagreement(topic[:MAX_TOPIC], sides)
    return Found(
        d, frozenset(u.index for u in all_units), len(labels(all_units)), min(u.index for u in all_units)
    )


def change_disputes(units: Sequence[Unit], question: frozenset[str]) -> list[Found]:
    """Contradicting change claims ("does not change pore size" ↔ "smaller pores")."""
    claims: list[Claim] = []
    for u in units:
        claims.extend(c for c in sentence_claims(plain_text(u.text), answer=u.answer, sentence=u.index)
                      if c.predicate == "~change")  # fmt: skip
    parent = list(range(len(claims)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges: list[tuple[int, int, frozenset[str]]] = []
    for ci, c in enumerate(claims):
        for oi in range(ci + 1, len(claims)):
            shared = contradicts(c, claims[oi], question)
            if shared - GENERIC_MODIFIERS:  # "drop off hard" / "than hard drives": no subject
                edges.append((ci, oi, shared))
                ra, rb = find(ci), find(oi)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    comps: dict[int, tuple[set[int], Counter[str]]] = {}
    for a, b, shared in edges:
        members, topic = comps.setdefault(find(a), (set(), Counter()))
        members.update((a, b))
        topic.update(shared)
    by_unit = {u.index: u for u in units}
    said: dict[int, list[Claim]] = {}
    for c in claims:
        said.setdefault(c.sentence, []).append(c)

    def against(x: int, y: int) -> bool:
        pairs = ((a, b) for a in said.get(x, ()) for b in said.get(y, ()))
        return any(contradicts(a, b, question) - GENERIC_MODIFIERS for a, b in pairs)

    def holds(u: Unit, quote: Unit, others: Sequence[Unit]) -> bool:
        # contradicts another side's quote on the subject, and not this side's
        return not against(u.index, quote.index) and any(against(u.index, o.index) for o in others)

    out: list[Found] = []
    for members, topic in comps.values():
        dirs = {claims[i].direction for i in members if not claims[i].negated}
        nonzero = sorted(d for d in dirs if d)
        sides: dict[str, set[int]] = {}
        for i in members:
            c = claims[i]
            key = (
                "no"
                if c.negated
                else str(nonzero[0])
                if c.direction == 0 and len(nonzero) == 1
                else str(c.direction)
            )
            sides.setdefault(key, set()).add(c.sentence)
        side_units = {k: [by_unit[s] for s in sorted(v)] for k, v in sides.items()}
        all_units = [u for us in side_units.values() for u in us]
        found = _finish(topic_phrase(all_units, topic), list(side_units.values()), set(topic), holds)
        if found:
            out.append(found)
    return out


def as_topic(question: str, about: set[str] | None = None) -> str:
    """ "How long do lip fillers last?" → "how long do lip fillers last" (it follows "disagree on").
    Of a compound question ("Is it worth …, and can I keep my Cat5e cables?") the part that
    names most of `about` (stems)."""
    parts = question_parts(question)
    if about and len(parts) > 1:
        question = max(parts, key=lambda p: len(about & {stem(w) for w in words(p)}))
    t = question.strip().rstrip("?").strip()
    first = t.split()[0] if t else ""
    if first[:1].isupper() and first[1:].islower():
        t = t[0].lower() + t[1:]
    return t


def _span(text: str, shared: set[str], words_only: set[str], question_text: str) -> str:
    """The words of `text` from its first to its last shared word or figure ("" if none)."""
    spans = [(m.start(), m.end()) for m in re.finditer(r"[A-Za-z0-9]+(?:['’][a-z]+)?", text)
             if stem(m.group(0).lower()) in words_only]  # fmt: skip
    spans += [(a, b) for a, b, q in quantities(text) if q.feature() in shared]
    if not spans:
        return ""
    lo, hi = min(a for a, _ in spans), max(b for _, b in spans)
    phrase = text[lo:hi].strip(" ,;:")
    first = phrase.split()[0] if phrase else ""
    if lo == 0 and first[:1].isupper() and first[1:].islower() and first not in question_text.split()[1:]:
        phrase = phrase[0].lower() + phrase[1:]  # capitalised only as the sentence's first word
    return phrase


def _topic_from(units: Sequence[Unit], shared: set[str], question: frozenset[str], question_text: str,
                kind: str, affirmed: Sequence[Clause]) -> str:  # fmt: skip
    """The dispute's topic in an affirming expert's words (the shortest such phrase)."""
    words_only = {f for f in shared if not f.startswith("#")}
    if kind == "quantity" and all(weight(f, question) < 1.0 for f in words_only):  # question or unit words
        return as_topic(question_text, words_only)
    phrases = [
        p for c in affirmed if 0 < len((p := _span(c.text, shared, words_only, question_text)).split()) <= 9
    ]
    if phrases:
        return ("whether " if kind == "polarity" else "") + min(phrases, key=lambda p: (len(p), p))
    return topic_phrase(units, Counter(words_only)) or as_topic(question_text)


def _contested_figure(
    c: Clause, claims: Sequence[Clause], question: frozenset[str] = frozenset()
) -> Quantity:
    """The figure `c` disputes: its first in a unit whose figures differ across the claims
    ("100 ft" rather than the "2.5 GbE" every side names), never one the question gives ("my
    4-month-old puppy")."""

    def common(q: Quantity) -> bool:  # every claim names this figure: it is the subject
        return all(any(same_range(q, x) for x in o.quantities) for o in claims)

    own = [q for q in c.quantities if q.feature() not in question] or list(c.quantities)
    for q in own:
        if common(q):
            continue
        if any(not same_range(q, x) for o in claims for x in o.quantities if x.unit == q.unit):
            return q
    return own[0]


def _without_torn(sides: list[list[int]], key: dict[int, Quantity], claim_of: dict[int, Clause],
                  units: Sequence[Unit], mine: dict[tuple[str, int], list[Clause]],
                  question: frozenset[str]) -> list[list[int]]:  # fmt: skip
    """Sides of a figure dispute without the experts who also state, on the same subject, a figure
    an opposing side holds ("6.5 minutes soft, 12 minutes hard" is on both sides of "10 to 12
    minutes" ↔ "6 to 7 minutes"). The same subject: the claim itself, or a clause sharing a word
    with the claims, light words and units aside ("a touch-up at 6 months" is not about how long
    fillers last). Bounds, conditions and figures compared against do not count."""

    def words(c: Clause) -> set[str]:
        return {f for f in c.features if not f.startswith("#") and weight(f, frozenset()) == 1.0}

    torn: set[tuple[str, int]] = set()
    for si, side in enumerate(sides):
        for i in side:
            others = [
                j for sj, s in enumerate(sides) if sj != si for j in s if ranges_conflict(key[i], key[j])
            ]
            subject = words(claim_of[i]) | {w for j in others for w in words(claim_of[j])}
            e = units[i].expert
            near = [c for c in mine[e] if c == claim_of[i] or words(c) & subject]
            figs = [q for c in near for q, bound in stated_figures(c, question) if not bound]
            if any(q.unit == key[j].unit and not ranges_conflict(q, key[j]) for q in figs for j in others):
                torn.add(e)
    return [[i for i in s if units[i].expert not in torn] for s in sides]


def _choice_of(text: str, options: tuple[str, str] | None, target: str | None) -> str | int | None:
    """The option a clause picks on an "X or Y" question, or its answer (+1/-1) to a yes/no one."""
    if options:
        return pick(text, options)
    if target:
        return verdict(text, target) or None
    return None


def clause_disputes(units: Sequence[Unit], question: frozenset[str], question_text: str) -> list[Found]:
    """Conflicting clauses (polarity, choice, figures) grouped into subjects and sides."""
    options = alternatives(question_text)
    target = None if options else yes_no_target(question_text)
    n = len(units)
    parent = list(range(n))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges: list[tuple[int, int, str, Clause, Clause]] = []
    for i in range(n):
        a = units[i]
        for j in range(i + 1, n):
            b = units[j]
            if a.expert == b.expert or not (
                a.stems & b.stems or any(c.quantities for c in b.clauses) or options or target
            ):
                continue
            for ca in a.clauses:
                hit = next(
                    ((kind, cb) for cb in b.clauses if (kind := conflict(ca, cb, question, options, target))),
                    None,
                )
                if hit:
                    edges.append((i, j, hit[0], ca, hit[1]))
                    ri, rj = find(i), find(j)
                    if ri != rj:
                        parent[max(ri, rj)] = min(ri, rj)
                    break
    comps: dict[int, list[tuple[int, int, str, Clause, Clause]]] = {}
    for e in edges:
        comps.setdefault(find(e[0]), []).append(e)
    out: list[Found] = []
    groups: list[list[tuple[int, int, str, Clause, Clause]]] = []
    folded: dict[int, set[int]] = {}  # group → sentences of a later kind folded into it
    for es in comps.values():
        # The question's own choice, opposite polarity and incompatible figures are separate
        # subjects of one component, unless a later kind only opposes experts an earlier one
        # already opposes ("don't water every day" ↔ "every day", then "every 2 to 3 days" ↔
        # "every day": one dispute).
        opposed: set[frozenset[tuple[str, int]]] = set()
        for k in ("choice", "polarity", "quantity"):
            g = [e for e in es if e[2] == k]
            pairs = {frozenset((units[e[0]].expert, units[e[1]].expert)) for e in g}
            if g and not pairs <= opposed:
                groups.append(g)
            elif g:  # the same dispute: its sentences are contested too, never quoted as points
                folded.setdefault(len(groups) - 1, set()).update(i for e in g for i in e[:2])
            opposed |= pairs
    apart = {frozenset((e[0], e[1])) for e in edges if e[2] == "quantity"}  # figures that cannot both hold
    mine = {u.expert: [c for v in units if v.expert == u.expert for c in v.clauses] for u in units}
    for gi, es in enumerate(groups):
        kind = "quantity" if all(e[2] == "quantity" for e in es) else "polarity"
        choice = kind == "polarity" and all(e[2] == "choice" for e in es)
        shared: set[str] = set()
        for _, _, _, ca, cb in es:
            shared |= ca.features & cb.features
        # Each sentence's claim in this dispute: the clause it conflicts with.
        claim_of: dict[int, Clause] = {}
        for i, j, _, ca, cb in es:
            claim_of.setdefault(i, ca)
            claim_of.setdefault(j, cb)
        sides: list[list[int]] = []
        if kind == "quantity":
            key = {ui: _contested_figure(c, list(claim_of.values()), question) for ui, c in claim_of.items()}
            for ui, _c in sorted(claim_of.items()):
                q = key[ui]
                home = next((s for s in sides if same_range(key[s[0]], q)), None)
                if home is None:
                    sides.append([ui])
                else:
                    home.append(ui)
            sides = [s for s in _without_torn(sides, key, claim_of, units, mine, question) if s]
        else:
            colour: dict[int, int] = {}
            adj: dict[int, set[int]] = {}
            for i, j, *_ in es:
                adj.setdefault(i, set()).add(j)
                adj.setdefault(j, set()).add(i)
            bad: set[int] = set()
            for start in sorted(adj):
                if start in colour:
                    continue
                colour[start] = 0
                stack = [start]
                while stack:
                    x = stack.pop()
                    for y in adj[x]:
                        if y not in colour:
                            colour[y] = 1 - colour[x]
                            stack.append(y)
                        elif colour[y] == colour[x]:
                            bad |= {x, y}
            # Two sentences whose figures conflict are never one side ("100 m" / "100 ft").
            bad |= {x for pair in apart for x in pair if len({colour.get(y) for y in pair} - {None}) == 1
                    and all(y in colour for y in pair)}  # fmt: skip
            for side_colour in (0, 1):
                sides.append([u for u, col in sorted(colour.items()) if col == side_colour and u not in bad])
            sides = [s for s in sides if s]
        # Others who state a side's claim (same polarity, same figures) join that side.
        stated = dict(claim_of)  # and the clause in which each joiner states it
        in_dispute = {u for s in sides for u in s}
        for s in sides:
            rep = claim_of[s[0]]
            for u in units:
                if u.index in in_dispute or u.fragment:
                    continue
                joined = next((c for c in u.clauses if supports(rep, c, question, options)), None)
                if joined is not None:
                    s.append(u.index)
                    in_dispute.add(u.index)
                    stated[u.index] = joined
        if choice:  # an expert who also picks the other side elsewhere in their answer takes none
            torn = {
                e
                for e, cs in mine.items()
                if len({_choice_of(c.text, options, target) for c in cs} - {None}) > 1
            }
            sides = [[i for i in s if units[i].expert not in torn] for s in sides]
        side_units = [[units[i] for i in sorted(s)] for s in sides]
        affirmed = [
            claim_of[i] for side in sides for i in side if i in claim_of and not claim_of[i].negated & shared
        ]
        all_units = [u for us in side_units for u in us]
        topic = _topic_from(all_units, shared, question, question_text, "quantity" if choice else kind,
                            [] if choice else affirmed)  # fmt: skip
        if choice:  # "ibuprofen or paracetamol", "whether to use treats", as the question puts it
            topic = choice_topic(question_text) or as_topic(question_text)

        def holds(
            u: Unit,
            quote: Unit,
            others: Sequence[Unit],
            stated: dict[int, Clause] = stated,
            choice: bool = choice,
        ) -> bool:
            """`u`'s expert holds the quoted claim: their sentence states it, or opposes another
            side's quote while nothing in their whole answer opposes this one."""
            claim = stated.get(quote.index)
            if claim is None:
                return False
            side = _choice_of(claim.text, options, target) if choice else None
            if side is not None:  # the same option, or the same answer to the yes/no question
                picks = {_choice_of(c.text, options, target) for c in mine[u.expert]} - {None}
                return picks == {side} and any(_choice_of(c.text, options, target) == side for c in u.clauses)
            if any(conflict(claim, c, question, options, target) for c in mine[u.expert]):
                return False
            if any(supports(claim, c, question, options) for c in u.clauses):
                return True
            rivals = [c for o in others if (c := stated.get(o.index)) is not None]
            for c in u.clauses:
                for r in rivals:
                    kind = conflict(c, r, question, options, target)
                    if kind in {"choice", "quantity"}:
                        return True
                    # opposing the rival on what the quote is about, not on another word of it
                    subject = c.features & claim.features & r.features
                    if kind and (
                        sum(weight(f, question) for f in subject) >= 1.3
                        or (restates_question(c, question) and restates_question(claim, question))
                    ):
                        return True
            return False

        found = _finish(topic, side_units, {f for f in shared if not f.startswith("#")}, holds)
        if found:
            out.append(replace(found, units=found.units | folded.get(gi, set())))
    return out


def find_disagreements(
    units: Sequence[Unit], question: frozenset[str], question_text: str, limit: int = MAX_DISAGREEMENTS
) -> tuple[list[Disagreement], frozenset[int]]:
    """The entry's disagreements (most experts first) and every sentence they quote or count."""
    found = change_disputes(units, question)
    # Positions on the question's own facets (figures asked for, yes / no on its object): they
    # need no shared words, so they come after the sentence-pair detectors on the same sentences.
    facets = [
        Found(d, used, sum(len(s.supporters) for s in d.sides), min(used), inherits=False)
        for d, used in figure_disputes(units, question, question_text)
    ] + [
        Found(d, used, sum(len(s.supporters) for s in d.sides), min(used))
        for d, used in object_disputes(units, question_text)
        + option_disputes(units, question, question_text)
        + change_disputes_on_question(units, question_text)
        + advice_disputes(units, question)
    ]
    kept: list[Found] = []
    for f in found + clause_disputes(units, question, question_text):
        if any(f.units & k.units for k in kept):
            continue  # the same subject, already reported
        kept.append(f)
    pairs = list(kept)
    for f in facets:  # two facets may rest on one sentence ("1:2 in 25–30 s": ratio and time)
        if not any(f.units & k.units for k in pairs):
            kept.append(f)
    agree = agreements(units)
    kept = [
        replace(f, disagreement=with_agreements(f.disagreement, agree)) if f.inherits else f for f in kept
    ]
    kept.sort(key=lambda f: (-f.support, f.first))
    kept = kept[:limit]
    contested = frozenset(i for f in kept for i in f.units)
    return [f.disagreement for f in kept], contested


__all__ = ["MAX_DISAGREEMENTS", "change_disputes", "clause_disputes", "find_disagreements", "topic_phrase"]
