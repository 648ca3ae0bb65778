"""Typo candidates, SymSpell-style, in two flat numpy arrays.

Every vocabulary word is filed under itself and its one-letter deletions; a query word looks
up its own deletions (and theirs, for long words), and the words found are then scored by a
real edit distance. The index was a dict of lists (~31 MB for a 30,000-word vocabulary); here
each (key, word) pair is a 64-bit key hash and a 32-bit word number, sorted by hash (~4 MB).
A hash collision can only add a candidate, which the edit distance then refuses, so the
candidates found are the same as with the dict. Python's str hash is per process, and so is
this index.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

MIN_LEN = 3  # shorter words are never snapped to


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


class DeletionIndex:
    def __init__(self, vocabulary: Sequence[str]) -> None:
        self.words = list(vocabulary)
        hashes: list[int] = []
        ids: list[int] = []
        for i, word in enumerate(self.words):
            if len(word) >= MIN_LEN:
                keys = {word} | deletions(word)
                hashes.extend(map(hash, keys))
                ids.extend([i] * len(keys))
        h = np.asarray(hashes, dtype=np.int64)
        order = np.argsort(h, kind="stable")
        self._hashes = h[order]
        self._ids = np.asarray(ids, dtype=np.int32)[order]

    def candidates(self, keys: Iterable[str]) -> set[str]:
        """The vocabulary words filed under any of `keys`."""
        q = np.array(list(map(hash, keys)), dtype=np.int64)
        if not len(q) or not len(self._hashes):
            return set()
        lo = np.searchsorted(self._hashes, q, side="left")
        n = np.searchsorted(self._hashes, q, side="right") - lo
        hit = n > 0
        if not hit.any():
            return set()
        lo, n = lo[hit], n[hit]
        # every position in [lo, lo + n) of every hit key, in one vectorised step
        pos = lo if n.max() == 1 else np.repeat(lo - np.cumsum(n) + n, n) + np.arange(int(n.sum()))
        return {self.words[i] for i in self._ids[pos].tolist()}

    @property
    def nbytes(self) -> int:
        return int(self._hashes.nbytes + self._ids.nbytes)
