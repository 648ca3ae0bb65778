"""The embedder's vectors on disk: one `.npz` of 16-byte text keys and their float32 vectors.

Read as a map, not into memory: the keys (16 bytes a vector) are sorted in memory, the vectors
stay in the file, mapped read-only, and a lookup copies the rows it needs block by block,
handing each block's pages back (`madvise(MADV_DONTNEED)`: the kernel keeps them in its page
cache, the process does not count them). Holding the whole file as arrays (~80 MB at 10k
entries) was the largest part of a semantic open's peak, next to the matrix copied out of it.
Writes stream the old rows and the new ones into a new file that replaces the old one
atomically (readers see the old file or the new one; a mapping of the old one stays valid).
A file that is not a plain stored `.npz` (compressed, another layout) is read into memory.
"""

from __future__ import annotations

import contextlib
import logging
import mmap
import os
import struct
import zipfile
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

import numpy as np

from bot.matching.indexcache import atomic_write

log = logging.getLogger(__name__)

KEY_BYTES = 16
BLOCK_BYTES = 8 << 20  # rows copied (and their pages handed back) per step
_LOCAL_HEADER = struct.Struct("<4s2B4HL2L2H")  # a zip member's local header (zipfile's layout)


class VectorFile:
    """Vectors by key from one file (or none yet), plus vectors added since it was read."""

    def __init__(self, path: Path, dim: int) -> None:
        self.path = path
        self.dim = dim
        self._keys = np.zeros(0, f"S{KEY_BYTES}")  # sorted
        self._rows = np.zeros(0, np.int64)  # the file row of each sorted key
        self._vecs = np.zeros((0, dim), np.float32)  # file order; mapped when possible
        self._map: mmap.mmap | None = None
        self._offset = 0  # where `_vecs` starts in the map
        self.new: dict[bytes, np.ndarray] = {}  # not written yet
        self._read()

    def __len__(self) -> int:
        return len(self._keys) + len(self.new)

    def _read(self) -> None:
        self._keys, self._rows = np.zeros(0, f"S{KEY_BYTES}"), np.zeros(0, np.int64)
        self._vecs, self._map, self._offset = np.zeros((0, self.dim), np.float32), None, 0
        if not self.path.is_file():
            return
        try:
            keys, vecs, mapped, offset = _open(self.path)
            if vecs.ndim != 2 or vecs.shape[1] != self.dim or keys.shape != (len(vecs), KEY_BYTES):
                raise ValueError(f"shape {vecs.shape} does not fit dimension {self.dim}")
        except Exception as exc:  # a damaged cache only costs time
            log.warning("ignoring the embedding cache %s: %s", self.path, exc)
            return
        flat = np.ascontiguousarray(keys, np.uint8).view(f"S{KEY_BYTES}").ravel()
        order = np.argsort(flat, kind="stable")
        self._keys, self._rows = flat[order], order.astype(np.int64)
        self._vecs, self._map, self._offset = vecs, mapped, offset

    def fill(self, keys: Sequence[bytes], out: np.ndarray, at: Sequence[int]) -> list[bool]:
        """Copy the vector of `keys[j]` into `out[at[j]]` where known; which were."""
        found = [False] * len(keys)
        file_rows: list[int] = []
        targets: list[int] = []
        if len(self._keys):
            wanted = np.array(keys, dtype=f"S{KEY_BYTES}")
            pos = np.minimum(np.searchsorted(self._keys, wanted), len(self._keys) - 1)
            hit = self._keys[pos] == wanted
            for j in np.flatnonzero(hit).tolist():
                found[j] = True
                file_rows.append(int(self._rows[pos[j]]))
                targets.append(at[j])
        for j, k in enumerate(keys):
            v = None if found[j] else self.new.get(k)
            if v is not None:
                out[at[j]] = v
                found[j] = True
        if file_rows:
            self._copy_rows(np.asarray(file_rows, np.int64), np.asarray(targets, np.int64), out)
        return found

    def _copy_rows(self, rows: np.ndarray, targets: np.ndarray, out: np.ndarray) -> None:
        order = np.argsort(rows, kind="stable")  # file order: each block touches few pages
        rows, targets = rows[order], targets[order]
        step = max(1, BLOCK_BYTES // (4 * self.dim))
        for a in range(0, len(rows), step):
            r = rows[a : a + step]
            out[targets[a : a + step]] = self._vecs[r]
            self._hand_back(int(r[0]), int(r[-1]) + 1)

    def _hand_back(self, first: int, end: int) -> None:
        """The pages of rows [first, end) leave this process's resident set (still cached)."""
        if self._map is None or not hasattr(mmap, "MADV_DONTNEED"):
            return
        row = 4 * self.dim
        lo = (self._offset + first * row) // mmap.PAGESIZE * mmap.PAGESIZE
        hi = min(self._offset + end * row, len(self._map))
        with contextlib.suppress(OSError, ValueError):  # advice only
            self._map.madvise(mmap.MADV_DONTNEED, lo, hi - lo)

    def write(self) -> None:
        """Write the file's vectors and the new ones into a new file (OSError on failure)."""
        if not self.new:
            return
        new_keys = np.frombuffer(b"".join(self.new), np.uint8).reshape(-1, KEY_BYTES)
        file_keys = np.empty((len(self._rows), KEY_BYTES), np.uint8)
        file_keys[self._rows] = self._keys.view(np.uint8).reshape(-1, KEY_BYTES)
        keys = np.concatenate([file_keys, new_keys])
        new_vecs = np.stack(list(self.new.values())).astype(np.float32)
        n = len(self._vecs) + len(new_vecs)

        def write(fh: BinaryIO) -> None:
            with zipfile.ZipFile(fh, "w", zipfile.ZIP_STORED, allowZip64=True) as zf:
                with zf.open("keys.npy", "w") as f:
                    np.lib.format.write_array(f, keys, allow_pickle=False)
                with zf.open("vecs.npy", "w", force_zip64=True) as f:
                    header = {"descr": "<f4", "fortran_order": False, "shape": (n, self.dim)}
                    np.lib.format.write_array_header_2_0(f, header)
                    step = max(1, BLOCK_BYTES // (4 * self.dim))
                    for a in range(0, len(self._vecs), step):
                        f.write(np.ascontiguousarray(self._vecs[a : a + step], "<f4").tobytes())
                        self._hand_back(a, a + step)
                    f.write(np.ascontiguousarray(new_vecs, "<f4").tobytes())

        atomic_write(self.path, write)
        self.new = {}
        self._read()


def _open(path: Path) -> tuple[np.ndarray, np.ndarray, mmap.mmap | None, int]:
    """(keys, vecs, the map vecs lie in or None, vecs' offset in it). One open file for all
    of it: another process may replace the path meanwhile."""
    with path.open("rb") as fh, zipfile.ZipFile(fh) as zf:
        info = zf.getinfo("vecs.npy")
        with zf.open("keys.npy") as member:
            keys = np.load(member, allow_pickle=False)
        if info.compress_type != zipfile.ZIP_STORED:
            with zf.open(info) as member:
                return keys, np.load(member, allow_pickle=False), None, 0
        with zf.open(info) as member:
            version = np.lib.format.read_magic(member)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(member)
            else:
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(member)
            header_len = member.tell()
        if fortran or dtype != np.dtype("<f4") or len(shape) != 2:
            raise ValueError(f"vectors stored as {dtype} {shape}")
        fh.seek(info.header_offset)
        local = _LOCAL_HEADER.unpack(fh.read(_LOCAL_HEADER.size))
        offset = info.header_offset + _LOCAL_HEADER.size + local[10] + local[11] + header_len
        nbytes = shape[0] * shape[1] * 4
        if local[0] != b"PK\x03\x04" or offset + nbytes > os.fstat(fh.fileno()).st_size:
            raise ValueError("the vectors run past the end of the file")
        if nbytes == 0:
            return keys, np.zeros(shape, np.float32), None, 0
        mapped = mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    vecs = np.frombuffer(mapped, np.float32, shape[0] * shape[1], offset).reshape(shape)
    return keys, vecs, mapped, offset
