"""Built lexical indexes on disk, keyed by everything they are built from.

Building a scope's index analyses every text of every entry in Python (at 10k entries most
of a start's CPU time). The arrays of a built index (`Matcher.arrays()`) are saved beside the
calibration cache as one `.npz`, named by a key over the entries' content hashes in order,
the synonyms and the matching code itself; a process opening the same entries loads them
instead of building (same arrays, so the same scores). A damaged or missing file only costs
the build. Small scopes (a guild's own entries) are built, not cached.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import logging
import os
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import BinaryIO

import numpy as np

from bot.matching.synonyms import Synonyms

log = logging.getLogger(__name__)

MIN_ENTRIES = 1000  # smaller scopes build in well under a second
KEEP = 4  # index files kept per folder (most recently used; ~8 MB each at 10k entries)
_CODE = ("lexical.py", "matcher.py", "normalize.py", "synonyms.py", "typos.py")
_STEMMERS = ("snowballstemmer", "PyStemmer")


def _code_digest() -> bytes:
    h = hashlib.sha256()
    here = Path(__file__).resolve().parent
    for name in _CODE:
        h.update((here / name).read_bytes())
    for dist in _STEMMERS:
        try:
            h.update(importlib.metadata.version(dist).encode())
        except importlib.metadata.PackageNotFoundError:
            h.update(b"-")
    return h.digest()


_CODE_DIGEST: bytes | None = None


def cache_key(content_hashes: Iterable[str], synonyms: Synonyms) -> str:
    global _CODE_DIGEST
    if _CODE_DIGEST is None:
        _CODE_DIGEST = _code_digest()
    h = hashlib.sha256(_CODE_DIGEST)
    h.update(json.dumps(sorted((k, list(v)) for k, v in synonyms.groups.items())).encode())
    for digest in content_hashes:  # in entry order: the arrays are by entry position
        h.update(digest.encode())
    return h.hexdigest()


def _path(folder: Path, key: str) -> Path:
    return folder / f"index-{key[:32]}.npz"


def load(folder: Path, key: str) -> dict[str, np.ndarray] | None:
    path = _path(folder, key)
    try:
        with np.load(path, allow_pickle=False) as z:
            arrays = {k: z[k] for k in z.files}
    except FileNotFoundError:
        return None
    except Exception as exc:  # a damaged file only costs the build
        log.warning("ignoring the index cache %s: %s", path, exc)
        return None
    with contextlib.suppress(OSError):
        os.utime(path)  # recently used: kept when older files are pruned
    return arrays


def atomic_write(path: Path, write: Callable[[BinaryIO], None]) -> None:
    """`write` into a temporary file that then replaces `path`: concurrent readers see the old
    file or the new one (OSError on failure)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name, suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_npz(path: Path, arrays: dict[str, np.ndarray]) -> None:
    """Atomically (`atomic_write`)."""
    atomic_write(path, lambda fh: np.savez(fh, **arrays))  # type: ignore[arg-type]


def save(folder: Path, key: str, arrays: dict[str, np.ndarray]) -> None:
    """Written atomically (`write_npz`); prunes the least recently used files."""
    try:
        write_npz(_path(folder, key), arrays)
        old = sorted(folder.glob("index-*.npz"), key=lambda p: p.stat().st_mtime, reverse=True)[KEEP:]
        for p in old:
            p.unlink(missing_ok=True)
    except OSError as exc:
        log.warning("index not cached in %s: %s", folder, exc)
