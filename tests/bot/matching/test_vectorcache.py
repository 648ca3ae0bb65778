"""The embedder's disk cache (`bot/matching/vectorcache.py`, issue 17): vectors read back
exactly, mapped rather than read into memory, files of earlier versions and compressed ones
still read, damaged ones ignored, and concurrent writers never leave a file a reader can't use."""

from __future__ import annotations

import hashlib
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from bot.matching import vectorcache
from bot.matching.vectorcache import VectorFile
from tests.conftest import ROOT

DIM = 8


def key(i: int) -> bytes:
    return hashlib.blake2b(str(i).encode(), digest_size=16).digest()


def vec(i: int) -> np.ndarray:
    return np.random.default_rng(i).standard_normal(DIM).astype(np.float32)


def lookup(vf: VectorFile, ids: list[int]) -> tuple[np.ndarray, list[bool]]:
    out = np.zeros((len(ids), DIM), np.float32)
    found = vf.fill([key(i) for i in ids], out, list(range(len(ids))))
    return out, found


def test_written_vectors_read_back_exactly_and_unknown_keys_are_not_found(tmp_path: Path) -> None:
    path = tmp_path / "embeddings-x.npz"
    first = VectorFile(path, DIM)
    assert len(first) == 0
    for i in range(50):
        first.new[key(i)] = vec(i)
    out, found = lookup(first, [3, 77])  # found before it is written, too
    assert found == [True, False] and (out[0] == vec(3)).all()
    first.write()
    assert not first.new and len(first) == 50
    for i in range(50, 60):  # a second write keeps the file's vectors
        first.new[key(i)] = vec(i)
    first.write()

    again = VectorFile(path, DIM)
    ids = [59, 0, 12, 1000, 12, 31, 50]
    out, found = lookup(again, ids)
    assert found == [True, True, True, False, True, True, True]
    for row, i in enumerate(ids):
        if i != 1000:
            assert (out[row] == vec(i)).all()
    assert (out[3] == 0).all()  # left as it was


def test_the_vectors_are_mapped_and_read_in_blocks(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(vectorcache, "BLOCK_BYTES", 3 * 4 * DIM)  # three rows a block
    path = tmp_path / "e.npz"
    vf = VectorFile(path, DIM)
    for i in range(40):
        vf.new[key(i)] = vec(i)
    vf.write()
    assert vf._map is not None  # not a copy in memory
    ids = list(range(39, -1, -2))
    out, found = lookup(VectorFile(path, DIM), ids)
    assert all(found)
    assert all((out[r] == vec(i)).all() for r, i in enumerate(ids))


@pytest.mark.parametrize("writer", [np.savez, np.savez_compressed])
def test_a_cache_written_by_numpy_is_read(tmp_path: Path, writer: object) -> None:
    """The format earlier versions wrote (np.savez), and a compressed one (read into memory)."""
    path = tmp_path / "e.npz"
    keys = np.frombuffer(b"".join(key(i) for i in range(20)), np.uint8).reshape(-1, 16)
    writer(path, keys=keys, vecs=np.stack([vec(i) for i in range(20)]))  # type: ignore[operator]
    vf = VectorFile(path, DIM)
    out, found = lookup(vf, [19, 4, 25])
    assert found == [True, True, False]
    assert (out[0] == vec(19)).all() and (out[1] == vec(4)).all()
    vf.new[key(25)] = vec(25)
    vf.write()
    out, found = lookup(VectorFile(path, DIM), [25, 0])
    assert found == [True, True] and (out[0] == vec(25)).all()


@pytest.mark.parametrize(
    "damage",
    ["junk", "truncated", "wrong dimension", "no vectors member"],
)
def test_a_damaged_cache_is_ignored(tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "e.npz"
    vf = VectorFile(path, DIM)
    for i in range(30):
        vf.new[key(i)] = vec(i)
    vf.write()
    data = path.read_bytes()
    if damage == "junk":
        path.write_bytes(b"junk")
    elif damage == "truncated":
        path.write_bytes(data[: len(data) - 300])
    elif damage == "wrong dimension":
        np.savez(path, keys=np.zeros((3, 16), np.uint8), vecs=np.zeros((3, DIM + 1), np.float32))
    else:
        np.savez(path, keys=np.zeros((3, 16), np.uint8))
    again = VectorFile(path, DIM)
    assert len(again) == 0
    assert "ignoring the embedding cache" in caplog.text
    again.new[key(1)] = vec(1)  # and it is replaced by a good one
    again.write()
    assert lookup(VectorFile(path, DIM), [1])[1] == [True]


def test_a_reader_keeps_its_vectors_while_another_process_replaces_the_file(tmp_path: Path) -> None:
    path = tmp_path / "e.npz"
    reader = VectorFile(path, DIM)
    for i in range(30):
        reader.new[key(i)] = vec(i)
    reader.write()
    other = VectorFile(path, DIM)
    for i in range(30, 40):
        other.new[key(i)] = vec(i)
    other.write()  # replaces the file the reader has mapped
    out, found = lookup(reader, list(range(30)))
    assert all(found) and all((out[i] == vec(i)).all() for i in range(30))
    assert lookup(VectorFile(path, DIM), list(range(40)))[1] == [True] * 40


WRITER = """
import sys, hashlib
import numpy as np
from pathlib import Path
from bot.matching.vectorcache import VectorFile
path, base, rounds = Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
for r in range(rounds):
    vf = VectorFile(path, 8)
    for i in range(base + 10 * r, base + 10 * r + 10):
        vf.new[hashlib.blake2b(str(i).encode(), digest_size=16).digest()] = (
            np.random.default_rng(i).standard_normal(8).astype(np.float32))
    vf.write()
"""


def test_concurrent_writers_leave_a_file_every_reader_can_use(tmp_path: Path) -> None:
    """Two processes writing their vectors 15 times each while this one reads: every read
    finds a whole file whose every vector is right (a write may lose the other writer's
    latest vectors — they are only re-embedded later — never corrupt the file)."""
    path = tmp_path / "e.npz"
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, str(path), str(base), "15"], cwd=ROOT)
        for base in (0, 100_000)
    ]
    reads = 0
    try:
        while any(p.poll() is None for p in procs) or reads < 5:
            vf = VectorFile(path, DIM)
            ids = [*range(150), *range(100_000, 100_150)]
            out, found = lookup(vf, ids)
            assert len(vf) == sum(found)  # every vector the file holds has one of these keys
            for row in np.flatnonzero(found).tolist():
                assert (out[row] == vec(ids[row])).all()
            reads += 1
    finally:
        for p in procs:
            assert p.wait(timeout=120) == 0
    out, found = lookup(VectorFile(path, DIM), [140, 100_140])  # each one's last write
    assert any(found)
    assert not list(tmp_path.glob("*.tmp"))
