"""Grouping sentences that make the same claim.

Lexical similarity is a weighted cosine over sets of normalised stems (stop words and
negators removed); words of the question weigh less because every answer repeats them. With
an embedder the cosine of the sentence embeddings is blended in. Grouping is average-linkage
agglomerative clustering with a threshold and cannot-link pairs (sentences that contradict
each other are never grouped). Deterministic: ties break on sentence order.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

QUESTION_WEIGHT = 0.35
LEXICAL_THRESHOLD = 0.28
BLENDED_THRESHOLD = 0.3


def weighted_cosine(a: frozenset[str], b: frozenset[str], weight: Mapping[str, float]) -> float:
    if not a or not b:
        return 0.0
    shared = sum(weight.get(t, 1.0) ** 2 for t in a & b)
    na = sum(weight.get(t, 1.0) ** 2 for t in a)
    nb = sum(weight.get(t, 1.0) ** 2 for t in b)
    return shared / math.sqrt(na * nb) if na and nb else 0.0


def similarity_matrix(
    features: Sequence[frozenset[str]],
    weight: Mapping[str, float],
    embeddings: Sequence[Sequence[float]] | None = None,
) -> list[list[float]]:
    """Pairwise similarity. Embeddings can only add to the lexical score, never lower it.

    Sentences of one thread all talk about one subject, so their embedding cosines sit high
    (the seed's median is ~0.45); cosines are rescaled against the thread's own median before
    they are blended half and half with the lexical score. Embeddings do not see negation,
    which is why contradictions are found lexically and kept apart with cannot-link pairs.
    """
    n = len(features)
    sim = [[0.0] * n for _ in range(n)]
    cos: list[list[float]] | None = None
    if embeddings is not None and n > 1:
        cos = [[sum(x * y for x, y in zip(a, b, strict=True)) for b in embeddings] for a in embeddings]
        pairs = sorted(cos[i][j] for i in range(n) for j in range(i + 1, n))
        median = min(pairs[len(pairs) // 2], 0.9)
    for i in range(n):
        sim[i][i] = 1.0
        for j in range(i + 1, n):
            s = weighted_cosine(features[i], features[j], weight)
            if cos is not None:
                scaled = max(0.0, min(1.0, (cos[i][j] - median) / (1.0 - median)))
                s = max(s, 0.5 * s + 0.5 * scaled)
            sim[i][j] = sim[j][i] = s
    return sim


def agglomerate(
    sim: list[list[float]],
    threshold: float,
    cannot_link: set[tuple[int, int]] | None = None,
) -> list[list[int]]:
    """Average-linkage clusters (lists of indices, each sorted; clusters in order of first).

    Lance-Williams updates keep each merge O(n²); a merge is refused when any pair across
    the two clusters is in `cannot_link`.
    """
    n = len(sim)
    members: dict[int, list[int]] = {i: [i] for i in range(n)}
    link = {i: dict(enumerate(row)) for i, row in enumerate(sim)}
    blocked: dict[int, set[int]] = {i: set() for i in range(n)}
    for x, y in cannot_link or ():
        blocked[x].add(y)
        blocked[y].add(x)
    while True:
        best: tuple[float, int, int] | None = None
        alive = sorted(members)
        for ai, a in enumerate(alive):
            row = link[a]
            for b in alive[ai + 1 :]:
                s = row[b]
                if s >= threshold and b not in blocked[a] and (best is None or s > best[0] + 1e-12):
                    best = (s, a, b)
        if best is None:
            break
        _, a, b = best
        na, nb = len(members[a]), len(members[b])
        for k in members:
            if k in (a, b):
                continue
            s = (na * link[a][k] + nb * link[b][k]) / (na + nb)
            link[a][k] = link[k][a] = s
        members[a] = sorted(members[a] + members.pop(b))
        blocked[a] |= blocked.pop(b)
        blocked[a].discard(a)
        for k in blocked:
            if b in blocked[k]:
                blocked[k].discard(b)
                blocked[k].add(a)
        del link[b]
    return sorted(members.values(), key=lambda c: c[0])
