"""The digest of `data/` an open compares with the store's, to skip re-reading unchanged files.

Parsing and validating every YAML file is the slowest part of opening a large store (at 10k
entries most of the CPU time of a start). When the files are byte for byte those the store
was last synced from, and the code that reads them is the same, the sync would find nothing
to do: the store keeps the digest of what it last synced (`meta.data_digest`, written in the
sync's own transaction) and `FaqService.open` skips reading and syncing when it matches.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from bot.files import read_bytes, regular_file_problem, remove_stray_temp_files
from bot.yamlio import MAX_YAML_BYTES

# The modules that turn data/ into stored entries: another version of them may read the same
# bytes differently, so their source is part of the digest.
_READERS = ("yamlio.py", "serialize.py", "validate.py", "models.py", "text.py", "store/common.py")


def data_digest(data_dir: str | Path) -> int | None:
    """A 63-bit digest of data/faq's YAML files (names and bytes) and of the code that reads
    them; None when a file cannot be read as a regular file (the full load reports it)."""
    root = Path(data_dir)
    faq = root / "faq"
    if not root.is_dir():
        return None
    h = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for name in _READERS:
        h.update((package / name).read_bytes())
    synonyms = root / "synonyms.yaml"  # load_data's check: never block on a FIFO there
    if (synonyms.exists() or synonyms.is_symlink()) and regular_file_problem(synonyms, MAX_YAML_BYTES):
        return None
    if faq.is_dir():
        remove_stray_temp_files(faq)  # as load_data does
        for path in sorted([*faq.rglob("*.yaml"), *faq.rglob("*.yml")]):
            data, problem = read_bytes(path, MAX_YAML_BYTES)
            if problem or data is None:
                return None
            rel = str(path.relative_to(faq)).encode("utf-8", "surrogateescape")
            h.update(len(rel).to_bytes(8, "big") + rel + len(data).to_bytes(8, "big") + data)
    return int.from_bytes(h.digest()[:8], "big") >> 1  # fits PostgreSQL's BIGINT meta value
