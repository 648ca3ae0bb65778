"""Reading and writing the files users hand us, defensively.

Anything under `data/`, a config file or a file given on the command line may be a symlink to
`/dev/zero`, a FIFO nobody writes to, a directory named `foo.yaml` or a binary file. Reading
opens without blocking, refuses anything that is not a regular file, and never reads more than
the limit (plus one byte to notice). Writes go through a locked temp file and a rename, and a
temp file left behind by a killed process is removed at the next start.
"""

from __future__ import annotations

import codecs
import logging
import os
import re
import stat
import tempfile
import time
from pathlib import Path

from bot.validate import Problem

try:  # POSIX only; elsewhere stray temp files are left alone (never deleted while in use)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger("faqbot.files")

TEMP_SUFFIX = ".faqbot-tmp"
STALE_AFTER = 2.0  # seconds: an unlocked temp file older than this was left by a dead process
# Ours: ".<name>.<random>.faqbot-tmp"; and the form before that suffix existed: ".<name>.yaml.<8>".
_TEMP_NAME = re.compile(r"^\..+\.faqbot-tmp$|^\..+\.ya?ml\.[a-z0-9_]{8}$")

_KINDS = (
    (stat.S_ISDIR, "a directory"),
    (stat.S_ISFIFO, "a FIFO (named pipe)"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def _problem(path: Path | str, message: str) -> Problem:
    return Problem(str(path), None, None, None, message)


def _open_regular(path: Path, limit: int) -> tuple[int | None, Problem | None]:
    """A descriptor of a regular file of at most `limit` bytes (by its size), or the problem.
    Opened non-blocking, so a FIFO without a writer cannot hang us before fstat says what it is."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0) | os.O_CLOEXEC)
    except OSError as exc:
        return None, _problem(path, f"cannot be read: {exc.strerror}")
    try:
        info = os.fstat(fd)
    except OSError as exc:
        os.close(fd)
        return None, _problem(path, f"cannot be read: {exc.strerror}")
    problem = None
    if not stat.S_ISREG(info.st_mode):
        kind = next((name for test, name in _KINDS if test(info.st_mode)), "not a regular file")
        problem = _problem(path, f"is {kind}, not a regular file; faqbot reads only regular files")
    elif info.st_size > limit:
        problem = _problem(path, f"is {info.st_size} bytes; the limit is {limit} — split it")
    if problem:
        os.close(fd)
        return None, problem
    return fd, None


def regular_file_problem(path: Path, limit: int) -> Problem | None:
    """None when `path` is a readable regular file of at most `limit` bytes; else why not.
    For readers that open the file themselves (e.g. a CSV reader)."""
    fd, problem = _open_regular(path, limit)
    if fd is not None:
        os.close(fd)
    return problem


def read_bytes(path: Path, limit: int) -> tuple[bytes | None, Problem | None]:
    """At most `limit` bytes of a regular file, or the problem. Never blocks on a FIFO or a
    device and never reads more than limit + 1 bytes, whatever the file claims to be."""
    fd, problem = _open_regular(path, limit)
    if fd is None:
        return None, problem
    try:
        chunks: list[bytes] = []
        size = 0
        while size <= limit:  # st_size can lie (procfs, a file growing meanwhile): count ourselves
            chunk = os.read(fd, min(1 << 20, limit + 1 - size))
            if not chunk:
                break
            chunks.append(chunk)
            size += len(chunk)
        if size > limit:
            return None, _problem(path, f"is more than {limit} bytes; the limit is {limit} — split it")
        return b"".join(chunks), None
    except OSError as exc:
        return None, _problem(path, f"cannot be read: {exc.strerror}")
    finally:
        os.close(fd)


def decode_text(data: bytes, name: str) -> tuple[str | None, Problem | None]:
    """UTF-8 text (a leading BOM dropped), or a problem saying why the bytes are not text."""
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return None, _problem(name, "is UTF-16 text; save it as UTF-8")
    data = data.removeprefix(codecs.BOM_UTF8)
    nul = data.find(b"\x00")
    if nul >= 0:
        return None, _problem(
            name, f"is not text: it contains a NUL byte (at byte {nul}); give a UTF-8 text file"
        )
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError as exc:
        return None, _problem(name, f"is not UTF-8 text ({exc.reason} at byte {exc.start}); save it as UTF-8")


def read_text_file(path: Path, limit: int) -> tuple[str | None, Problem | None]:
    """A regular UTF-8 text file of at most `limit` bytes, or the problem (file named)."""
    data, problem = read_bytes(path, limit)
    if problem:
        return None, problem
    assert data is not None
    return decode_text(data, str(path))


def write_atomic(path: Path, text: str) -> None:
    """Write via a temp file in the same folder and rename: readers see old or new, never half.

    The temp file is locked while it exists, so `remove_stray_temp_files` can tell one in use
    from one a killed process left behind."""
    path.parent.mkdir(parents=True, exist_ok=True)
    data = text.encode("utf-8")
    for attempt in (1, 2):
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=TEMP_SUFFIX, dir=path.parent)
        try:
            if fcntl is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view) :]
            os.fsync(fd)
            try:
                os.replace(tmp, path)
                return
            except FileNotFoundError:
                # Removed by hand (or by a cleaner with a clock far off) meanwhile: write again.
                if attempt == 2 or not path.parent.is_dir():
                    raise
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        finally:
            os.close(fd)


def remove_stray_temp_files(folder: Path, *, min_age: float = STALE_AFTER) -> list[Path]:
    """Delete temp files of `write_atomic` that no process holds (left by a killed import);
    returns (and logs) what was removed. Files in use, and anything else, are left alone.

    Unlocked is not enough: a writer locks its temp file just after creating it. So a file
    must also be `min_age` seconds old (a live writer has locked it by then)."""
    removed: list[Path] = []
    if fcntl is None or not folder.is_dir():
        return removed
    for path in sorted(folder.rglob(".*")):
        if not _TEMP_NAME.match(path.name):
            continue
        try:
            fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | os.O_NOFOLLOW | os.O_CLOEXEC)
        except OSError:
            continue  # a symlink, gone meanwhile, or unreadable: not ours to judge
        try:
            info = os.fstat(fd)
            if not stat.S_ISREG(info.st_mode) or time.time() - info.st_mtime < min_age:
                continue
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                continue  # a write in progress holds it
            path.unlink()
            removed.append(path)
        except OSError as exc:
            log.warning("could not remove the stray temp file %s: %s", path, exc.strerror)
        finally:
            os.close(fd)
    if removed:
        log.warning(
            "removed %d temp file(s) an interrupted write left in %s: %s",
            len(removed),
            folder,
            ", ".join(p.name for p in removed),
        )
    return removed
