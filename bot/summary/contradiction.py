"""Claims about change ("does not change pore size", "pores shrink") and the contradictions
between experts' claims.

A *claim* is a predicate word with its polarity and the content words around it (its topic):

* change predicates carry a direction: decrease (-1: "smaller", "shrink", "less", "reduce"),
  increase (+1: "larger", "grow", "more") or any change (0: "change", "affect", "alter");
* any other predicate in the scope of a negation ("does not cause acne") is a plain claim
  whose opposite is the same predicate without the negation ("can cause acne").

Two claims from different answers contradict when their topics share a word that is not
one of the question's own words (every answer talks about the question's subject) and

* one is negated and the other affirmed, with compatible predicates ("does not change pore
  size" vs "smaller pores"; "does not cause acne" vs "causes acne"), or
* both are affirmed with opposite directions ("pores get larger" vs "pores shrink"); said
  word for word around the change, even when the changing word is the question's own.

"not as open" is read as a decrease, "not only"/"not just" are not negations, "no longer" is
no change.

For support (`opposite_change`) what changes does not matter: an expert who says "smaller"
where the point says "larger" never supports it, even when the changing word is the question's
own ("the crumb", "latency"), which contradictions ignore.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.summary.sentences import Token, stem, tokens

_DECREASE_WORDS = frozenset({
    "smaller", "smallest", "tinier", "fewer", "less", "lower", "narrower", "shallower",
    "thinner", "shrink", "shrinks", "shrinking", "shrank", "shrunk", "shrunken",
})  # fmt: skip
_DECREASE_STEMS = frozenset({"decreas", "shrink", "minim", "minimis", "minimiz", "diminish"})
_INCREASE_WORDS = frozenset({
    "larger", "largest", "bigger", "biggest", "more", "greater", "higher", "wider",
    "deeper", "thicker", "grow", "grows", "growing", "grew", "grown",
})  # fmt: skip
_INCREASE_STEMS = frozenset({"increas", "enlarg", "widen", "expand", "worsen"})
# Comparatives of time and speed: as disputes they would also fire on comparisons between two
# things ("Counter is faster than a dict loop"), so only support checks read them.
_WIDE_DECREASE = frozenset({"shorter", "slower", "shorten", "shortens", "shortened", "shortening"})
_WIDE_INCREASE = frozenset({"longer", "faster", "lengthen", "lengthens", "lengthened", "extend", "extends",
                            "extended", "extending"})  # fmt: skip
_CHANGE_STEMS = frozenset({"chang", "affect", "alter", "impact", "modifi", "influenc"})
# Words never taken as the predicate of a negated claim (auxiliaries, fillers).
_SKIP_AS_PREDICATE = frozenset({"realli", "actual", "necessarili", "specif", "direct"})
_NOT_A_NEGATION_AFTER = frozenset({"only", "just", "merely", "simply", "to"})
_WINDOW = 3  # content words either side of a predicate that make its topic
_NUMBER_WORDS = frozenset({"one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                           "twice", "once", "half", "a", "few"})  # fmt: skip


@dataclass(frozen=True)
class Claim:
    answer: int  # index of the answer in the entry
    sentence: int  # index of the sentence (global, in the summariser's sentence list)
    predicate: str  # stem, or "~change" for the change family
    direction: int | None  # -1 / 0 / +1 for change predicates, None otherwise
    negated: bool
    topic: frozenset[str]
    word: str = ""  # stem of the predicate word as written ("shrink", "small", "chang")
    core: frozenset[str] = frozenset()  # the content words right next to the predicate


def _direction(tok: Token, wide: bool = False) -> int | None:
    if wide and tok.word in _WIDE_DECREASE:
        return -1
    if wide and tok.word in _WIDE_INCREASE:
        return 1
    if tok.word in _DECREASE_WORDS or tok.stem in _DECREASE_STEMS:
        return -1
    if tok.word in _INCREASE_WORDS or tok.stem in _INCREASE_STEMS:
        return 1
    if tok.stem in _CHANGE_STEMS:
        return 0
    return None


def direction_of(tok: Token) -> int | None:
    """A word's change direction, time and speed comparatives included (None: no change word)."""
    return _direction(tok, wide=True)


def _direction_at(toks: list[Token], i: int, wide: bool = False) -> int | None:
    """`_direction` in context: "no longer" / "any longer" mean "not any more", no change."""
    if toks[i].word == "longer" and i >= 1 and toks[i - 1].word in {"no", "any"}:
        return None
    return _direction(toks[i], wide)


def _is_figure(tok: Token) -> bool:
    return tok.word.isdigit() or tok.word in _NUMBER_WORDS - {"a", "few"}


def _on_figure(toks: list[Token], i: int) -> bool:
    """Whether the comparative at `i` compares figures ("more than 2 days", "2–4 psi higher",
    "1 psi more"): that bounds or offsets a number, it is no change of anything; whether the
    figures conflict is for the figure rules (`claims.conflict`), which know units and bounds."""
    if i >= 1 and _is_figure(toks[i - 1]):
        return True
    comparative = toks[i].word in _DECREASE_WORDS | _INCREASE_WORDS | _WIDE_DECREASE | _WIDE_INCREASE
    if (
        comparative  # "2–4 psi higher"; not "50 % humidity reduces mould" (a verb)
        and i >= 2
        and _is_figure(toks[i - 2])
        and not toks[i - 1].boundary_before
        and not toks[i].boundary_before
    ):
        return True
    nxt = [t for t in toks[i + 1 : i + 4] if t.word not in {"about", "around", "roughly"}]
    return len(nxt) >= 2 and nxt[0].word == "than" and _is_figure(nxt[1])


def _topic(toks: list[Token], lo: int, hi: int) -> frozenset[str]:
    """Content stems within _WINDOW content words before `lo` and after `hi`, same clause."""
    out: list[str] = []
    n = 0
    i = lo - 1
    while i >= 0 and n < _WINDOW:
        if toks[i + 1].boundary_before:
            break
        if toks[i].stem and _direction(toks[i]) is None:
            out.append(toks[i].stem)
            n += 1
        i -= 1
    n = 0
    i = hi + 1
    while i < len(toks) and n < _WINDOW:
        if toks[i].boundary_before:
            break
        if toks[i].stem:
            if _direction(toks[i]) is not None:
                break
            out.append(toks[i].stem)
            n += 1
        i += 1
    return frozenset(out)


def _core(toks: list[Token], lo: int, hi: int) -> frozenset[str]:
    """The nearest content word on each side of the predicate (same clause)."""
    out: list[str] = []
    i = lo - 1
    while i >= 0 and not toks[i + 1].boundary_before:
        if toks[i].stem:
            out.append(toks[i].stem)
            break
        i -= 1
    i = hi + 1
    while i < len(toks) and not toks[i].boundary_before:
        if toks[i].stem:
            out.append(toks[i].stem)
            break
        i += 1
    return frozenset(out)


def sentence_claims(text: str, *, answer: int, sentence: int, wide: bool = False) -> list[Claim]:
    """The claims of one sentence; `wide` also reads time and speed comparatives as changes."""
    toks = tokens(text)
    claims: list[Claim] = []
    scoped: set[int] = set()  # token positions inside a negation's scope
    for i, t in enumerate(toks):
        if not t.negator:
            continue
        nxt = toks[i + 1].word if i + 1 < len(toks) else ""
        if nxt in _NOT_A_NEGATION_AFTER:
            continue
        # "not (be) as open" → an affirmed decrease of "open".
        j = i + 1
        if j < len(toks) and toks[j].word in {"be", "been", "being"}:
            j += 1
        if j + 1 < len(toks) and toks[j].word in {"as", "so"} and toks[j + 1].stem:
            scoped.update(range(i, j + 2))
            claims.append(Claim(answer, sentence, "~change", -1, False,
                                _topic(toks, i, j + 1) | {toks[j + 1].stem}, toks[j + 1].stem,
                                _core(toks, i, j + 1) | {toks[j + 1].stem}))  # fmt: skip
            continue
        # The predicate: the first change word, else the first content word, in the scope.
        k = i + 1
        pred: int | None = None
        while k < len(toks) and k <= i + 5 and not toks[k].boundary_before:
            if _direction_at(toks, k, wide) is not None:
                if _on_figure(toks, k):
                    break  # "no more than 3 cups": a bound on a figure, not a change
                pred = k
                break
            if pred is None and toks[k].stem and not toks[k].word.endswith("ly") \
                    and toks[k].stem not in _SKIP_AS_PREDICATE:  # fmt: skip
                pred = k
                # keep looking a little further for a change word ("not directly affected")
            k += 1
        if pred is None:
            continue
        scoped.update(range(i, pred + 1))
        d = _direction_at(toks, pred, wide)
        claims.append(Claim(answer, sentence, "~change" if d is not None else toks[pred].stem,
                            d, True, _topic(toks, i, pred), toks[pred].stem or toks[pred].word,
                            _core(toks, i, pred)))  # fmt: skip
    for i, t in enumerate(toks):
        if i in scoped:
            continue
        d = _direction_at(toks, i, wide)
        if d is not None and _on_figure(toks, i):
            continue
        if d is not None:
            claims.append(Claim(answer, sentence, "~change", d, False, _topic(toks, i, i),
                                t.stem or t.word, _core(toks, i, i)))  # fmt: skip
        elif t.stem:
            # A plain affirmed predicate: only useful against a negated one with this stem.
            claims.append(Claim(answer, sentence, t.stem, None, False, _topic(toks, i, i),
                                t.stem, _core(toks, i, i)))  # fmt: skip
    return claims


def contradicts(a: Claim, b: Claim, ignore: frozenset[str]) -> frozenset[str]:
    """The shared topic words when `a` and `b` contradict each other, else empty."""
    if a.answer == b.answer or a.predicate != b.predicate:
        return frozenset()
    if a.predicate == "~change":
        assert a.direction is not None and b.direction is not None
        if a.negated and b.negated:
            return frozenset()
        if a.negated != b.negated:
            neg, aff = (a, b) if a.negated else (b, a)
            assert neg.direction is not None and aff.direction is not None
            ok = neg.direction == 0 or aff.direction == 0 or neg.direction == aff.direction
            if not ok:
                return frozenset()
            return (a.topic & b.topic) - ignore
        # Both affirmed: opposite directions of the very same thing ("larger pores" vs
        # "smaller pores"), not merely of two things in one sentence.
        if a.direction * b.direction != -1:
            return frozenset()
        if a.topic == b.topic and a.core == b.core:
            # Word for word the same change but opposite ("the holes in the crumb larger" /
            # "smaller"): a dispute even when the changing word is the question's own.
            return a.core
        return (a.core & b.core) - ignore
    if a.negated == b.negated:
        return frozenset()
    shared = a.topic & b.topic
    if shared - ignore:
        return shared - ignore
    # Same predicate on the question's own subject ("does not cause acne" / "causes acne").
    return shared


@lru_cache(maxsize=8192)
def directions(text: str) -> frozenset[tuple[int, bool]]:
    """The change directions `text` states, each with its negation: "makes the crumb larger"
    → {(+1, False)}, "does not shrink" → {(-1, True)}. What changes does not matter here, so a
    question's own word ("latency", "the crumb") cannot hide "increases" vs "reduces"."""
    return frozenset((c.direction, c.negated) for c in sentence_claims(text, answer=0, sentence=0, wide=True)
                     if c.direction is not None)  # fmt: skip


def opposite_change(claim: str, other: str) -> bool:
    """Whether `other` fails to state the changes `claim` states: it says the opposite
    direction ("larger" / "smaller", "increases" / "reduces") or none ("larger" / "changes").
    A change `other` adds ("… and needs less product") is more than the claim, not against it."""
    said = directions(other)
    return any(d not in said or (-d[0], d[1]) in said for d in directions(claim) if d[0])


def topic_stems(question: str) -> frozenset[str]:
    from bot.summary.sentences import content_stems

    return frozenset(content_stems(question))


__all__ = [
    "Claim",
    "contradicts",
    "direction_of",
    "directions",
    "opposite_change",
    "sentence_claims",
    "stem",
    "topic_stems",
]
