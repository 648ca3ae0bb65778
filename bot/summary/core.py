"""An entry's answers → an automatic `Summary` (and the curated one taking precedence).

Pipeline (all deterministic, no network, no LLM):

1. every answer is split into sentences; pleasantries and sign-offs are dropped and
   greetings trimmed ("Hello, Botox works…" → "Botox works…"); a sentence needs two content
   words to count;
2. claims about change or under a negation are compared across answers; contradicting ones
   become a `Disagreement` (one `Side` per position, each with its supporters), and their
   contested words are taken out of the sentences before grouping, so the two positions are
   never merged into one point;
3. the remaining content is grouped (lexical similarity of stems, blended with embeddings
   when an embedder is given); each group is a `Point`: its clearest sentence, in the
   expert's own words, and the experts whose answers have a sentence in the group;
4. points are ordered by support (then by first appearance) and capped.

Supporters are always `supporter_label(answer.provider)`; one label counts once per point.
`Summary.experts` (m in "n of m experts") is the number of distinct supporter labels among
answers with at least one substantive sentence, so n ≤ m always holds.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, replace

from bot.models import Disagreement, Entry, Point, Side, Summary, supporter_label
from bot.summary.cluster import (
    BLENDED_THRESHOLD,
    LEXICAL_THRESHOLD,
    QUESTION_WEIGHT,
    agglomerate,
    similarity_matrix,
    weighted_cosine,
)
from bot.summary.contradiction import Claim, contradicts, sentence_claims
from bot.summary.pleasantries import substantive
from bot.summary.sentences import content_stems, split_sentences, stem, words

MAX_POINT_CHARS = 300
MAX_DISAGREEMENTS = 3
MAX_UNITS = 160  # sentences considered per entry (clustering is quadratic)
MIN_CONTENT = 2  # content words a sentence needs to be a claim
RENDER_BUDGET = 3500  # rendered summary stays well inside an embed description (4096)
_PRONOUN_START = frozenset({
    "it", "this", "that", "these", "those", "they", "them", "he", "she", "its", "their",
    "such", "as", "so", "then", "also", "and", "but",
})  # fmt: skip


@dataclass(frozen=True)
class Unit:
    """One substantive sentence of one answer."""

    index: int
    answer: int
    label: str
    text: str
    stems: frozenset[str]


def shorten(text: str, limit: int = MAX_POINT_CHARS) -> str:
    """`text` if it fits, else cut at a word boundary with "…"."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut:
        cut = cut[: cut.rindex(" ")]
    return cut.rstrip(" ,;:-–—") + "…"


def extract_units(entry: Entry, max_units: int = MAX_UNITS) -> list[Unit]:
    """The substantive sentences of every answer, in order (capped fairly across answers)."""
    per_answer: list[list[str]] = []
    for answer in entry.answers:
        kept = []
        for raw in split_sentences(answer.text):
            s = substantive(raw)
            if s and len(set(content_stems(s))) >= MIN_CONTENT:
                kept.append(s)
        per_answer.append(kept)
    total = sum(len(k) for k in per_answer)
    if total > max_units:
        # Every answer keeps its first sentences; the cap is shared evenly.
        share = max(2, max_units // max(1, sum(1 for k in per_answer if k)))
        per_answer = [k[:share] for k in per_answer]
    units: list[Unit] = []
    for ai, kept in enumerate(per_answer):
        label = supporter_label(entry.answers[ai].provider)
        for s in kept:
            units.append(Unit(len(units), ai, label, s, frozenset(content_stems(s))))
    return units


def _labels(units: Sequence[Unit]) -> tuple[str, ...]:
    """Supporter labels in answer order, one per expert.

    A named expert counts once however many answers they wrote; answers without a name are
    different people as far as we know, so each counts ("unattributed" may repeat).
    """
    seen: dict[tuple[str, int], str] = {}
    for u in sorted(units, key=lambda u: (u.answer, u.index)):
        named = not u.label.startswith(("unattributed", "unnamed "))
        seen.setdefault((u.label, -1 if named else u.answer), u.label)
    return tuple(seen.values())


_REASON = re.compile(r"\b(because|since|due to|as a result of|by (?:reducing|decreasing|relaxing))\b", re.I)
_DEPENDENT_OPENER = re.compile(
    r"^(as a result|this|that|these|those|it|thereby|therefore|so|thus|hence|also|then)\b", re.IGNORECASE
)


def _clarity(u: Unit) -> float:
    """Lower is clearer: short, self-contained (no leading pronoun), not a question."""
    first = words(u.text)[:1]
    penalty = 0.0
    if first and first[0] in _PRONOUN_START:
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


def question_subject(question: str) -> str | None:
    """The one proper noun the question is about ("Why does Botox make…" → "Botox"), if
    exactly one capitalised word stands after the first word."""
    names = {w.strip(".,;:!?\"'()") for w in question.split()[1:]}
    names = {w for w in names if len(w) > 1 and w[0].isupper() and w[1:].islower()}
    return names.pop() if len(names) == 1 else None


def resolve_it(unit: Unit, units: Sequence[Unit], subject: str | None) -> str:
    """A point quoted out of context must not open with a bare "It": when the expert's
    previous sentence names the question's subject, that is what "It" stands for, and the
    quote says so in brackets ("[Botox] causes the glands…"), the usual mark of an edit."""
    text = unit.text
    if subject is None or not text.startswith("It ") or unit.index == 0:
        return text
    before = units[unit.index - 1]
    if before.answer != unit.answer or subject.lower() not in words(before.text):
        return text
    return f"[{subject}] {text[3:]}"


def _shares(group: Sequence[Unit], features: Sequence[frozenset[str]]) -> dict[str, float]:
    """Stem → share of the group's answers that use it (answers with ≥ 2 in the group)."""
    answers = {u.answer for u in group}
    who: dict[str, set[int]] = {}
    for u in group:
        for t in features[u.index]:
            who.setdefault(t, set()).add(u.answer)
    return {t: len(a) / len(answers) for t, a in who.items() if len(a) >= 2}


def _essence(group: Sequence[Unit], features: Sequence[frozenset[str]], question: frozenset[str]) -> set[str]:
    return {t for t, share in _shares(group, features).items() if share >= 0.5 and t not in question}


def _merge_duplicates(
    groups: list[list[Unit]],
    features: Sequence[frozenset[str]],
    question: frozenset[str],
    cannot: set[tuple[int, int]],
) -> list[list[Unit]]:
    """Merge groups that state the same claim (most of their essential words shared)."""
    merged = True
    while merged:
        merged = False
        for i in range(len(groups)):
            ei = _essence(groups[i], features, question)
            if len(ei) < 2:
                continue
            for j in range(i + 1, len(groups)):
                ej = _essence(groups[j], features, question)
                if len(ei & ej) < 2 or len(ei & ej) < 0.5 * len(ei | ej):
                    continue
                pairs = {(min(a.index, b.index), max(a.index, b.index))
                         for a in groups[i] for b in groups[j]}  # fmt: skip
                if pairs & cannot:
                    continue
                groups[i] = sorted(groups[i] + groups[j], key=lambda u: u.index)
                del groups[j]
                merged = True
                break
            if merged:
                break
    return groups


def _core_stems(
    group: Sequence[Unit], features: Sequence[frozenset[str]], question: frozenset[str]
) -> dict[str, float]:
    """The words most of a group's answers use, weighted by how many do (question words less)."""
    answers = {u.answer for u in group}
    per_answer: dict[str, set[int]] = {}
    for u in group:
        for t in features[u.index]:
            per_answer.setdefault(t, set()).add(u.answer)
    if len(answers) == 1:
        return {t: (QUESTION_WEIGHT if t in question else 1.0) for t in per_answer}
    out = {}
    for t, who in per_answer.items():
        share = len(who) / len(answers)
        if share >= 0.3 and len(who) >= 2:
            out[t] = share * (QUESTION_WEIGHT if t in question else 1.0)
    return out


def _claim_phrase(
    side_units: dict[str, list[Unit]],
    claims: list[Claim],
    members: set[int],
    topic: set[str],
    question: frozenset[str],
) -> str:
    """ "whether retinol can cause acne": the affirmed wording from the topic to the predicate."""
    affirmed = [claims[i] for i in sorted(members) if not claims[i].negated]
    by_index = {u.index: u for us in side_units.values() for u in us}
    for c in affirmed:
        u = by_index.get(c.sentence)
        if u is None:
            continue
        ws = words(u.text)
        stems = [stem(w) for w in ws]
        if c.word not in stems:
            continue
        p = stems.index(c.word)
        lo = p
        for i in range(p - 1, max(-1, p - 4), -1):
            if stems[i] in topic or stems[i] in question:
                lo = i
        hi = p
        for i in range(p + 1, min(len(ws), p + 4)):
            if stems[i] in topic:
                hi = i
        if hi > p or lo < p:
            return "whether " + " ".join(ws[lo : hi + 1])
    return ""


def _topic_phrase(units: Sequence[Unit], topic: Counter[str]) -> str:
    """The expert wording of a topic: the most used run of topic words ("pore size")."""
    runs: Counter[str] = Counter()
    for u in units:
        ws = words(u.text)
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
    # Spell it as the experts did: the most common surface form of each stem, singularised.
    surface: dict[str, Counter[str]] = {}
    for u in units:
        for w in words(u.text):
            surface.setdefault(stem(w), Counter())[w] += 1
    out = []
    for s in best.split():
        forms = surface.get(s)
        w = min(forms.items(), key=lambda x: (len(x[0]), -x[1], x[0]))[0] if forms else s
        out.append(w)
    return " ".join(out)


def _disagreements(
    units: Sequence[Unit], question_stems: frozenset[str]
) -> tuple[list[Disagreement], dict[int, frozenset[str]], set[tuple[int, int]]]:
    """Contradictions → Disagreements, the contested stems per sentence, cannot-link pairs."""
    claims: list[Claim] = []
    for u in units:
        claims.extend(sentence_claims(u.text, answer=u.answer, sentence=u.index))
    # Only negated and change claims can start a contradiction; index the rest by predicate.
    starters = [c for c in claims if c.negated or c.direction is not None]
    by_pred: dict[str, list[int]] = {}
    for i, c in enumerate(claims):
        by_pred.setdefault(c.predicate, []).append(i)
    index = {id(c): i for i, c in enumerate(claims)}
    parent = list(range(len(claims)))

    def find(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    edges: list[tuple[int, int, frozenset[str]]] = []
    for c in starters:
        ci = index[id(c)]
        for oi in by_pred.get(c.predicate, ()):
            if oi <= ci and claims[oi].negated == c.negated and claims[oi].direction is not None:
                continue  # each change pair once
            shared = contradicts(c, claims[oi], question_stems)
            if shared:
                edges.append((ci, oi, shared))
                ra, rb = find(ci), find(oi)
                if ra != rb:
                    parent[max(ra, rb)] = min(ra, rb)
    if not edges:
        return [], {}, set()

    comps: dict[int, dict[str, object]] = {}
    for a, b, shared in edges:
        comp = comps.setdefault(find(a), {"claims": set(), "topic": Counter()})
        comp["claims"].update((a, b))  # type: ignore[attr-defined]
        comp["topic"].update(shared)  # type: ignore[attr-defined]

    by_unit = {u.index: u for u in units}
    out: list[tuple[int, int, Disagreement]] = []
    contested: dict[int, set[str]] = {}
    cannot: set[tuple[int, int]] = set()
    for comp in comps.values():
        members: set[int] = comp["claims"]  # type: ignore[assignment]
        topic: Counter[str] = comp["topic"]  # type: ignore[assignment]
        # Sides: negated vs each affirmed direction; "any change" joins the one direction.
        dirs = {claims[i].direction for i in members if not claims[i].negated}
        nonzero = sorted(d for d in dirs if d)
        sides: dict[str, list[int]] = {}
        for i in members:
            c = claims[i]
            if c.negated:
                key = "no"
            elif c.direction == 0 and len(nonzero) == 1:
                key = str(nonzero[0])
            else:
                key = str(c.direction)
            sides.setdefault(key, []).append(i)
        if len(sides) < 2:
            continue
        built: list[tuple[int, int, Side]] = []
        side_units: dict[str, list[Unit]] = {}
        for key, idxs in sides.items():
            side_units[key] = [by_unit[s] for s in sorted({claims[i].sentence for i in idxs})]
        for us in side_units.values():
            labels = _labels(us)
            # A side is fairest in the words of an expert who also says why.
            rep = min(us, key=lambda u: (_clarity(u) - 0.1 * len(u.stems & set(topic))
                                         - 0.15 * bool(_REASON.search(u.text)),
                                         len(u.text), u.index))  # fmt: skip
            built.append((-len(labels), min(u.index for u in us),
                          Side(shorten(rep.text), labels)))  # fmt: skip
        built.sort(key=lambda x: (x[0], x[1]))
        all_units = [u for us in side_units.values() for u in us]
        predicate = claims[min(members)].predicate
        phrase = ""
        if predicate != "~change":
            phrase = _claim_phrase(side_units, claims, members, set(topic), question_stems)
        d = Disagreement(phrase or _topic_phrase(all_units, topic), tuple(s for _, _, s in built))
        support = len(_labels(all_units))
        out.append((-support, min(u.index for u in all_units), d))
        # What is contested in each sentence: the topic and the disputed predicate words.
        topic_stems = set(topic)
        for i in members:
            contested.setdefault(claims[i].sentence, set()).update(topic_stems)
            if claims[i].word:
                contested[claims[i].sentence].add(claims[i].word)
        keys = list(side_units)
        for i, ka in enumerate(keys):
            for kb in keys[i + 1 :]:
                for ua in side_units[ka]:
                    for ub in side_units[kb]:
                        if ua.index != ub.index:
                            cannot.add((min(ua.index, ub.index), max(ua.index, ub.index)))
    out.sort(key=lambda x: (x[0], x[1]))
    return (
        [d for _, _, d in out[:MAX_DISAGREEMENTS]],
        {k: frozenset(v) for k, v in contested.items()},
        cannot,
    )


def _embed(embedder: object, texts: list[str]) -> list[list[float]] | None:
    fn = getattr(embedder, "embed", None)
    if fn is None or not texts:
        return None
    try:
        vecs = fn(texts)
        rows = [[float(x) for x in row] for row in vecs]
    except Exception:  # an optional model must never break a summary
        return None
    if len(rows) != len(texts):
        return None
    return rows


def rendered_length(s: Summary) -> int:
    """Characters a plain rendering of `s` needs (text, names, "n of m experts" lines)."""
    n = 0
    for p in s.points:
        n += len(p.text) + sum(len(x) + 2 for x in p.supporters) + 30
    for d in s.disagreements:
        n += len(d.topic) + 20
        for side in d.sides:
            n += len(side.text) + sum(len(x) + 2 for x in side.supporters) + 30
    return n


def summarize(entry: Entry, *, max_points: int = 6, embedder: object | None = None) -> Summary:
    """The automatic summary of `entry` (never the curated one; see `effective_summary`)."""
    units = extract_units(entry)
    experts = len(_labels(units))
    if not units:
        return Summary(experts=0, curated=False)
    question_stems = frozenset(content_stems(entry.question))
    subject = question_subject(entry.question)
    disagreements, contested, cannot = _disagreements(units, question_stems)

    # Features for grouping: contested topic words removed; too little left → no point.
    features = [u.stems - contested.get(u.index, frozenset()) for u in units]
    weight = {t: QUESTION_WEIGHT for t in question_stems}
    candidates = [i for i, f in enumerate(features) if len(f - question_stems) >= 1 and len(f) >= 2]
    sub_features = [features[i] for i in candidates]
    embeddings = None
    if embedder is not None:
        embeddings = _embed(embedder, [units[i].text for i in candidates])
    sim = similarity_matrix(sub_features, weight, embeddings)
    pos = {u: k for k, u in enumerate(candidates)}
    cannot_local = {(pos[a], pos[b]) for a, b in cannot if a in pos and b in pos}
    threshold = BLENDED_THRESHOLD if embeddings is not None else LEXICAL_THRESHOLD
    clusters = agglomerate(sim, threshold, cannot_local)

    side_texts = {s.text for d in disagreements for s in d.sides}
    groups: list[list[Unit]] = []
    for cl in clusters:
        members = [units[candidates[k]] for k in cl]
        if len(members) == 1 and len(features[members[0].index] - question_stems) < 2:
            continue  # a lone sentence that only restates the question
        groups.append(members)
    groups = _merge_duplicates(groups, features, question_stems, cannot)
    for g in groups:
        # A contested sentence (part of a disagreement) only lends support to a claim that
        # stands on its own in at least two answers; otherwise the point's text would speak
        # for an expert who said something else.
        clean_answers = {u.answer for u in g if u.index not in contested}
        if len(clean_answers) < 2:
            g[:] = [u for u in g if u.index not in contested or u.answer in clean_answers]
    cores = [_core_stems(g, features, question_stems) for g in groups]
    # Second pass: a sentence also supports another group when it states that group's
    # essence: every distinctive word most of the group's answers use (at most one missing
    # when there are more than three). E.g. "Botox not only relaxes the muscles …, but … the
    # glands … less active" supports both the muscle point and the oil point.
    for g in groups:
        answers = {u.answer for u in g}
        if len(answers) < 2:
            continue
        essence = {t for t, share in _shares(g, features).items() if share >= 0.6 and t not in question_stems}
        if len(essence) < 2:
            continue
        need = len(essence) if len(essence) <= 3 else len(essence) - 1
        have = {u.index for u in g}
        extra = [
            u
            for u in units
            if u.index not in have
            and u.index not in contested
            and u.answer not in answers
            and len(features[u.index] & essence) >= need
        ]
        g.extend(extra)
    ranked: list[tuple[int, int, Point]] = []
    for gi, members in enumerate(groups):
        clean = [m for m in members if m.index not in contested]
        if not clean:
            continue  # everything it says is part of a disagreement
        core = cores[gi]

        def score(u: Unit, core: dict[str, float] = core) -> tuple[float, int, int]:
            total = sum(core.values()) or 1.0
            cover = sum(w for t, w in core.items() if t in features[u.index]) / total
            return (_clarity(u) - cover, len(u.text), u.index)

        rep = min(clean, key=score)
        text = shorten(rep.text)
        if text in side_texts:
            continue
        text = shorten(resolve_it(rep, units, subject))
        labels = _labels(members)
        if len(labels) == 1 and _DEPENDENT_OPENER.match(text):
            continue  # one expert's "As a result, …" / "This is …" means little out of context
        ranked.append((-len(labels), min(u.index for u in members), Point(text, labels)))
    ranked.sort(key=lambda x: (x[0], x[1]))
    points = [p for _, _, p in ranked[: max(0, max_points)]]

    summary = Summary(tuple(points), tuple(disagreements), experts=experts, curated=False)
    while rendered_length(summary) > RENDER_BUDGET and summary.points:
        summary = replace(summary, points=summary.points[:-1])
    while rendered_length(summary) > RENDER_BUDGET and summary.disagreements:
        summary = replace(summary, disagreements=summary.disagreements[:-1])
    return summary


def effective_summary(entry: Entry, automatic: Summary | None) -> Summary:
    """The summary to show: the curated one (`entry.summary`) when present, else `automatic`.

    `automatic` is the summary computed when the entry was stored; when it is missing it is
    computed now (a fallback, the service should pass the stored one).
    """
    if entry.summary is not None and not entry.summary.is_empty():
        curated = entry.summary
        experts = curated.experts
        if not experts:
            experts = automatic.experts if automatic is not None else summarize(entry).experts
        return replace(curated, experts=experts, curated=True)
    if automatic is not None:
        return automatic
    return summarize(entry)


__all__ = [
    "MAX_POINT_CHARS",
    "Unit",
    "effective_summary",
    "extract_units",
    "rendered_length",
    "shorten",
    "summarize",
    "weighted_cosine",
]
