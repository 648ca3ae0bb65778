"""Input edges (issue 12): the wrong store, special files and odd input, tracebacks instead of
one line. Every case gets one clear line naming file / option / what to do, a non-zero exit,
no traceback, and nothing written. Cases that would hang on a bug run in a subprocess with a
timeout; the rest call `bot.cli.main` in process.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import load_config
from bot.files import read_bytes, read_text_file
from bot.importer import ImportError_, parse_thread
from bot.models import LIMITS
from bot.yamlio import entries_from_yaml, load_data
from tests.conftest import ROOT, SEED_ID

GOOD = "id: {id}\nquestion: What is {id}?\nanswers:\n  - text: It is a test entry.\n"
HUGE = "1" * 40  # a 40-digit "server id"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def one_line(err: str) -> str:
    """stderr holds exactly one line and no traceback; returns it."""
    assert "Traceback" not in err and err.count("\n") == 1, err
    return err


def cli(*args: str, cwd: Path = ROOT, timeout: float = 60, **kw: object) -> subprocess.CompletedProcess[str]:
    """`faqbot ARGS` in a fresh process (bounded: a hang fails the test instead of stalling it)."""
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FAQBOT_DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-m", "bot.cli", *args], cwd=cwd, env=env, capture_output=True, text=True,
        timeout=timeout, **kw,  # type: ignore[arg-type]
    )  # fmt: skip


@pytest.fixture
def paths(data_dir: Path, tmp_path: Path) -> list[str]:
    return ["--data", str(data_dir), "--db", str(tmp_path / "faq.db")]


@pytest.fixture
def export(capsys: pytest.CaptureFixture[str], paths: list[str], tmp_path: Path) -> Path:
    """The seed entry exported as a YAML file, ready for import --guild."""
    assert run(capsys, "export", str(tmp_path / "exp"), *paths)[0] == 0
    return tmp_path / "exp" / "faq" / f"{SEED_ID}.yaml"


# -- the wrong store ---------------------------------------------------------------------------


def test_relative_paths_in_a_config_are_relative_to_the_config_file(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, export: Path
) -> None:
    site = tmp_path / "site"
    shutil.copytree(ROOT / "data", site / "data")
    cfg = site / "config.yaml"
    cfg.write_text(
        "data_dir: data\ndatabase:\n  url: sqlite:///faqbot.db\n"
        "matching:\n  semantic: off\n  cache_dir: cache\n  model_dir: models/minilm\n"
    )
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    monkeypatch.delenv("FAQBOT_DATABASE_URL", raising=False)
    config = load_config(cfg)
    assert config.data_dir == str(site / "data")
    assert config.database.url == f"sqlite:///{site / 'faqbot.db'}"
    assert config.matching.cache_dir == str(site / "cache")
    assert config.matching.model_dir == str(site / "models" / "minilm")
    # The store written with --config is the one every later command with --config reads.
    assert run(capsys, "import", "--guild", "42", str(export), "--config", str(cfg))[0] == 0
    assert (site / "faqbot.db").exists() and not (elsewhere / "faqbot.db").exists()
    code, out, _ = run(capsys, "check", "--config", str(cfg))
    assert code == 0 and "(1 server entries)" in out
    code, out, _ = run(capsys, "export", str(tmp_path / "back"), "--guild", "42", "--config", str(cfg))
    assert code == 0 and out.startswith("wrote 1 entry ")
    # A bare relative path and the two-slash form are relative to the file too; absolute ones stay.
    for url in ("faqbot.db", "sqlite://faqbot.db"):
        cfg.write_text(f"database:\n  url: {url}\n")
        assert load_config(cfg).database.url == f"sqlite:///{site / 'faqbot.db'}"
    cfg.write_text(f"database:\n  url: sqlite:///{tmp_path / 'abs.db'}\n")
    assert load_config(cfg).database.url == f"sqlite:///{tmp_path / 'abs.db'}"
    # Without a config file (and for --db / FAQBOT_DATABASE_URL) paths are relative to the cwd.
    assert load_config(None).database.url == "sqlite:///faqbot.db"


@pytest.mark.parametrize("url", ["mysql://x", "mysql://user:pw@host/db", "http://host/db", "sqlite:faq.db"])
def test_unsupported_database_scheme_is_refused_naming_the_option(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("FAQBOT_DATABASE_URL", raising=False)
    cfg = tmp_path / "config.yaml"
    cfg.write_text(f"data_dir: {ROOT / 'data'}\ndatabase:\n  url: {url}\n")
    code, out, _ = run(capsys, "check", "--config", str(cfg))
    assert code == 1 and "config.yaml:3: option 'database.url'" in out, out
    code, _, err = run(capsys, "run", "--config", str(cfg))  # the bot does not start either
    assert code == 1 and "option 'database.url'" in one_line(err)
    monkeypatch.setenv("FAQBOT_DATABASE_URL", url)
    code, _, err = run(capsys, "ask", "botox", "--data", str(ROOT / "data"))
    assert code == 1 and "FAQBOT_DATABASE_URL: option 'database.url'" in one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"], "a stray SQLite file was made"
    code, _, err = run(capsys, "migrate", "--from", url, "--to", str(tmp_path / "x.db"))
    assert code == 1 and "--from:" in one_line(err)
    monkeypatch.delenv("FAQBOT_DATABASE_URL")
    code, _, err = run(capsys, "ask", "botox", "--data", str(ROOT / "data"), "--db", url)
    assert code == 1 and "--db: option 'database.url'" in one_line(err)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml"]


def test_postgres_url_spellings_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FAQBOT_DATABASE_URL", raising=False)
    for url in ("postgresql://u@h/db", "postgres://u@h/db", "postgresql+asyncpg://u@h/db"):
        assert load_config(None, {"database": {"url": url}}).database.url.startswith(
            ("postgres", "postgresql")
        )
    assert load_config(None, {"database": {"url": "postgresql+asyncpg://u@h/db"}}).database.url == (
        "postgresql://u@h/db"
    )


def test_semantic_off_unquoted_means_off(tmp_path: Path) -> None:
    cfg = tmp_path / "config.yaml"
    for raw, want in (("off", "off"), ("no", "off"), ("on", "on"), ("'off'", "off"), ("auto", "auto")):
        cfg.write_text(f"matching:\n  semantic: {raw}\n")
        assert load_config(cfg).matching.semantic == want, raw


# -- special files ------------------------------------------------------------------------------


@pytest.fixture
def fifo(tmp_path: Path) -> Iterator[Path]:
    if not hasattr(os, "mkfifo"):
        pytest.skip("no FIFOs on this platform")
    path = tmp_path / "fifo.yaml"
    os.mkfifo(path)
    yield path


def test_special_files_in_data_are_refused_without_reading_them(
    data_dir: Path, tmp_path: Path, fifo: Path
) -> None:
    faq = data_dir / "faq"
    (faq / "zero.yaml").symlink_to("/dev/zero")
    shutil.move(fifo, faq / "pipe.yaml")
    (faq / "folder.yaml").mkdir()
    started = time.monotonic()
    proc = cli("check", "--data", str(data_dir), "--db", str(tmp_path / "faq.db"), timeout=60)
    assert time.monotonic() - started < 30
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "zero.yaml: is a character device, not a regular file" in proc.stdout
    assert "pipe.yaml: is a FIFO (named pipe), not a regular file" in proc.stdout
    assert "folder.yaml: is a directory, not a regular file" in proc.stdout


def test_import_of_dev_zero_a_fifo_or_a_directory_is_refused(
    data_dir: Path, tmp_path: Path, fifo: Path
) -> None:
    paths = ["--data", str(data_dir), "--db", str(tmp_path / "faq.db")]
    thread_fifo = tmp_path / "pipe.txt"
    os.mkfifo(thread_fifo)
    zero_yaml = tmp_path / "zero.yaml"
    zero_yaml.symlink_to("/dev/zero")
    folder = tmp_path / "folder.yaml"
    folder.mkdir()
    cases = [
        ([], "/dev/zero", "character device"),  # a thread import
        ([], str(thread_fifo), "FIFO (named pipe)"),
        ([], str(tmp_path), "directory"),
        (["--guild", "5"], str(zero_yaml), "character device"),  # an export into a server
        (["--guild", "5"], str(fifo), "FIFO (named pipe)"),
        (["--guild", "5"], str(folder), "directory"),
    ]
    for extra, target, kind in cases:
        proc = cli("import", *extra, target, *paths, timeout=60)
        assert proc.returncode == 1, (target, proc.stdout, proc.stderr)
        assert f"{target}: is a {kind}, not a regular file" in proc.stdout, (target, proc.stdout)
        assert "Traceback" not in proc.stderr
    assert sorted(p.name for p in (data_dir / "faq").iterdir()) == [f"{SEED_ID}.yaml"]


def test_a_config_that_is_dev_zero_is_refused(tmp_path: Path) -> None:
    link = tmp_path / "config.yaml"
    link.symlink_to("/dev/zero")
    proc = cli("check", "--config", str(link), timeout=60)
    assert proc.returncode == 1 and "is a character device" in proc.stdout, proc.stdout + proc.stderr


def test_reads_are_capped_whatever_the_file_claims(tmp_path: Path) -> None:
    big = tmp_path / "big.yaml"
    big.write_bytes(b"#" * 2048)
    assert read_bytes(big, 2048)[0] == b"#" * 2048
    data, problem = read_bytes(big, 2047)
    assert data is None and problem and "the limit is 2047" in str(problem)
    # A file whose size says 0 but that has content (procfs): counted, not trusted.
    status = Path("/proc/self/status")
    if status.exists():
        data, problem = read_bytes(status, 10)
        assert data is None and problem and "more than 10 bytes" in str(problem)


def _stray_writer(target: Path) -> subprocess.Popen[bytes]:
    """A process inside write_atomic (temp file written, rename not yet done), to be killed."""
    code = (
        "import os, sys, time\n"
        "from pathlib import Path\n"
        "import bot.files as f\n"
        "os.replace = lambda *a: (print('ready', flush=True), time.sleep(600))\n"
        f"f.write_atomic(Path({str(target)!r}), 'id: x\\n')\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE)
    assert proc.stdout is not None and proc.stdout.readline() == b"ready\n"
    return proc


def test_temp_file_of_a_killed_import_is_removed_at_the_next_start(
    data_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    faq = data_dir / "faq"
    killed = _stray_writer(faq / "killed.yaml")
    killed.send_signal(signal.SIGKILL)
    killed.wait(10)
    alive = _stray_writer(faq / "alive.yaml")  # a write in progress right now
    try:
        legacy = faq / ".old.yaml.ab12cd34"  # the temp name before this fix
        legacy.write_text("id: half")
        fresh = faq / ".fresh.yaml.0123abcd.faqbot-tmp"  # just created, not locked yet: spared
        fresh.write_text("id: being written")
        an_hour_ago = time.time() - 3600  # the restart came some time after the kill
        for path in faq.glob(".*"):
            if path != fresh:
                os.utime(path, (an_hour_ago, an_hour_ago))
        mine = faq / ".notes.txt"  # not our pattern: never touched
        mine.write_text("keep")
        strays = sorted(p.name for p in faq.iterdir() if p.name.startswith(".killed.yaml."))
        assert len(strays) == 1
        caplog.set_level("WARNING", "faqbot.files")
        loaded = load_data(data_dir)  # what FaqService.open and faqbot check do first
        assert loaded.ok and [e.id for e in loaded.entries] == [SEED_ID]
        left = sorted(p.name for p in faq.iterdir())
        assert not any(n.startswith((".killed.yaml.", ".old.yaml.")) for n in left), left
        assert ".notes.txt" in left and fresh.name in left and any(n.startswith(".alive.yaml.") for n in left)
        assert strays[0] in caplog.text and ".old.yaml.ab12cd34" in caplog.text
    finally:
        alive.kill()
        alive.wait(10)


# -- odd YAML ---------------------------------------------------------------------------------


def test_duplicate_keys_are_refused_with_file_and_line() -> None:
    text = GOOD.format(id="a") + "question: A second question wins silently?\n"
    loaded = entries_from_yaml(text, "faq/a.yaml")
    assert not loaded.entries
    assert [str(p) for p in loaded.problems] == [
        "faq/a.yaml:5, field 'question': duplicate key 'question' (also on line 2); "
        "YAML would keep only the last — keep one, or merge them"
    ]
    nested = "id: b\nquestion: Q?\nanswers:\n  - text: one\n    text: two\n"
    assert "faq/b.yaml:5, field 'answers.0.text': duplicate key" in str(
        entries_from_yaml(nested, "faq/b.yaml").problems[0]
    )


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ("no", "the boolean false"),
        ("yes", "the boolean true"),
        ("off", "the boolean false"),
        ("123", "the number 123"),
        (HUGE, "a number"),
    ],
)
def test_ids_yaml_reads_as_booleans_or_numbers_say_to_quote_them(raw: str, said: str) -> None:
    loaded = entries_from_yaml(f"id: {raw}\nquestion: Q?\nanswers:\n  - text: t\n", "f.yaml")
    (problem,) = loaded.problems
    assert str(problem).startswith(f"f.yaml:1, field 'id': was read as {said}"), str(problem)
    assert "quote it" in str(problem) and "missing" not in str(problem)


def test_hostile_yaml_shapes(data_dir: Path) -> None:
    faq = data_dir / "faq"
    (faq / "bom.yaml").write_bytes(b"\xef\xbb\xbf" + GOOD.format(id="bom").encode())
    (faq / "crlf.yaml").write_bytes(GOOD.format(id="crlf").replace("\n", "\r\n").encode())
    (faq / "long.yaml").write_text(GOOD.format(id="long").replace("a test entry", "x" * 500_000))
    started = time.monotonic()
    loaded = load_data(data_dir)
    assert time.monotonic() - started < 10
    assert {e.id for e in loaded.entries} == {SEED_ID, "bom", "crlf"}
    assert [str(p) for p in loaded.problems] == [
        f"{faq / 'long.yaml'}:4, entry 'long', field 'answers.0.text': is 500007 characters; "
        f"the limit is {LIMITS['answer_text_stored']} — shorten it"
    ]
    tab = entries_from_yaml("id: t\nquestion: Q?\nanswers:\n\t- text: a\n", "tab.yaml").problems
    assert str(tab[0]).startswith("tab.yaml:4: invalid YAML") and "indented with a tab" in str(tab[0])
    listed = entries_from_yaml("- id: a\n  question: Q?\n", "list.yaml").problems
    assert "the top level is a list" in str(listed[0])
    assert "the file is empty" in str(entries_from_yaml("", "empty.yaml").problems[0])
    huge_guild = GOOD.format(id="g") + f"guild_id: {HUGE}\n"
    assert "field 'guild_id': must be a Discord server id" in str(
        entries_from_yaml(huge_guild, "g.yaml").problems[0]
    )
    utf16 = data_dir / "u16.yaml"
    utf16.write_bytes(GOOD.format(id="u").encode("utf-16"))
    assert "is UTF-16 text; save it as UTF-8" in str(read_text_file(utf16, 10_000)[1])


# -- odd command-line input ----------------------------------------------------------------------


@pytest.mark.parametrize("guild", ["0", "-5", HUGE, "12abc", str(2**63)])
def test_guild_ids_that_are_not_snowflakes_are_refused(
    capsys: pytest.CaptureFixture[str], paths: list[str], export: Path, guild: str
) -> None:
    for args in (["import", "--guild", guild, str(export)], ["export", "out", "--guild", guild],
                 ["ask", "botox", "--guild", guild]):  # fmt: skip
        with pytest.raises(SystemExit) as exc:
            main([*args, *paths])
        err = capsys.readouterr().err
        assert exc.value.code == 2 and "argument --guild" in one_line(err), args
        assert "Discord server id" in err
    assert run(capsys, "check", *paths)[1].endswith(
        "(0 server entries), DISCORD_TOKEN not set (needed only for faqbot run)\n"
    )


def test_binary_and_control_character_threads_are_not_text(
    capsys: pytest.CaptureFixture[str], paths: list[str], tmp_path: Path
) -> None:
    blob = tmp_path / "blob.txt"
    blob.write_bytes(bytes(range(256)) * 8)
    code, out, _ = run(capsys, "import", str(blob), *paths)
    assert code == 1 and "blob.txt: is not text: it contains a NUL byte (at byte 0)" in out
    utf = tmp_path / "latin1.txt"
    utf.write_bytes("Qu\xe9stion?\n\nAnswer\n\nText.\n".encode("latin-1"))
    code, out, _ = run(capsys, "import", str(utf), *paths)
    assert code == 1 and "latin1.txt: is not UTF-8 text" in out
    with pytest.raises(ImportError_, match="is not text"):
        parse_thread("\x01\x02\x03\x7f\x1b", source_name="ctl.txt")


def test_export_into_an_existing_file_is_one_line(
    capsys: pytest.CaptureFixture[str], paths: list[str], tmp_path: Path
) -> None:
    target = tmp_path / "existing.txt"
    target.write_text("keep me")
    code, _, err = run(capsys, "export", str(target), *paths)
    assert code == 1 and "existing.txt exists and is not a directory" in one_line(err)
    code, _, err = run(capsys, "export", str(target), "--guild", "5", *paths)
    assert code == 1 and "existing.txt exists and is not a directory" in one_line(err)
    assert target.read_text() == "keep me"


def test_database_path_that_is_a_directory_is_one_line(data_dir: Path, tmp_path: Path) -> None:
    folder = tmp_path / "db"
    folder.mkdir()
    for command in (
        ["ask", "botox"],
        ["export", str(tmp_path / "out")],
        ["check"],
        ["backup", str(tmp_path / "b")],
    ):
        proc = cli(*command, "--data", str(data_dir), "--db", str(folder))
        assert proc.returncode == 1, (command, proc.stderr)
        text = proc.stderr or proc.stdout
        assert "Traceback" not in proc.stderr and "Event loop is closed" not in proc.stderr, proc.stderr
        assert f"--db: option 'database.url': {folder} is a directory" in text, text
    afile = tmp_path / "afile"
    afile.write_text("")
    proc = cli("ask", "botox", "--data", str(data_dir), "--db", str(afile / "x.db"))
    assert proc.returncode == 1 and f"{afile} is a file, so {afile / 'x.db'} cannot be created" in one_line(
        proc.stderr
    )


def test_empty_query_exits_non_zero(capsys: pytest.CaptureFixture[str], paths: list[str]) -> None:
    for query in ("", "   "):
        code, out, err = run(capsys, "ask", query, *paths)
        assert code == 1 and out == "" and "the query is empty" in one_line(err)


def test_undecodable_bytes_in_queries_still_match(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path, paths: list[str]
) -> None:
    # argv: Python keeps undecodable bytes as lone surrogates; the tokenizer used to raise on them.
    code, out, err = run(capsys, "ask", "botox pores \udcff\udcfe", "--json", *paths)
    assert code == 0 and json.loads(out)["entry"]["id"] == SEED_ID, err
    # stdin: invalid UTF-8 on one line, good lines around it.
    proc = subprocess.run(  # raw bytes on stdin
        [sys.executable, "-m", "bot.cli", "ask", "--batch", "-", "--json", *paths],
        cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, timeout=120,
        input=b"botox pores \xff\xfe\nhow do I reset my router\n\xc3\n",
    )  # fmt: skip
    assert proc.returncode == 0 and b"Traceback" not in proc.stderr, proc.stderr
    replies = [json.loads(line) for line in proc.stdout.decode().splitlines()]
    assert [r["decision"] for r in replies] == ["answer", "none", "none"]
    assert replies[0]["entry"]["id"] == SEED_ID and replies[0]["query"] == "botox pores \ufffd\ufffd"


def _others_can_read(path: Path) -> bool:
    """Whether a user with no rights of its own can reach `path` (every folder above it
    searchable by others) and list it."""
    path = path.resolve()
    return all(p.stat().st_mode & stat.S_IXOTH for p in (path, *path.parents)) and bool(
        path.stat().st_mode & stat.S_IROTH
    )


def test_read_only_database_during_import_is_one_line(data_dir: Path, export: Path) -> None:
    """The store refuses the write (StoreError); the CLI prints it alone, not after a traceback."""
    prefix: list[str] = []
    if os.geteuid() == 0:  # root writes read-only files: run as nobody
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv to drop privileges")
        hidden = [p for p in (ROOT, Path(sys.prefix)) if not _others_can_read(p)]
        if hidden:  # a checkout in `mktemp -d` (mode 700): nobody could not even import the CLI
            pytest.skip(f"running as root in a checkout other users cannot read ({hidden[0]})")
        prefix = ["setpriv", "--reuid", "65534", "--regid", "65534", "--clear-groups"]
    with tempfile.TemporaryDirectory() as tmp:
        site = Path(tmp)
        shutil.copytree(data_dir, site / "data")
        shutil.copy(export, site / "entry.yaml")
        db = site / "faq.db"
        assert cli("check", "--data", str(site / "data"), "--db", str(db)).returncode == 0
        for path in [site, *site.rglob("*")]:
            path.chmod(0o777 if path.is_dir() else 0o444)  # the folder stays writable: WAL works
        (site / "config.yaml").write_text("matching:\n  semantic: off\n")
        args = ["import", "--guild", "5", str(site / "entry.yaml"), "--data", str(site / "data"),
                "--db", str(db), "--config", str(site / "config.yaml")]  # fmt: skip
        env = {**os.environ, "PYTHONPATH": str(ROOT), "HOME": tmp}
        proc = subprocess.run([*prefix, sys.executable, "-m", "bot.cli", *args], cwd=tmp, env=env,
                              capture_output=True, text=True, timeout=120)  # fmt: skip
        err = "\n".join(line for line in proc.stderr.splitlines() if "onnxruntime" not in line) + "\n"
        assert proc.returncode == 1, proc.stdout + proc.stderr
        assert "readonly database" in one_line(err) and "nothing was saved" in err, err


def test_synonyms_fifo_and_eval_of_dev_zero_do_not_hang(data_dir: Path, tmp_path: Path) -> None:
    paths = ["--data", str(data_dir), "--db", str(tmp_path / "faq.db")]
    (data_dir / "synonyms.yaml").unlink()
    os.mkfifo(data_dir / "synonyms.yaml")
    for command in (["check"], ["ask", "botox"]):
        proc = cli(*command, *paths, timeout=60)
        text = proc.stdout + proc.stderr
        assert proc.returncode == 1 and "synonyms.yaml: is a FIFO (named pipe)" in text, text
    (data_dir / "synonyms.yaml").unlink()
    proc = cli("eval", "/dev/zero", *paths, timeout=60)
    assert proc.returncode == 1 and "/dev/zero: is a character device" in one_line(proc.stderr)


def test_batch_lines_with_nul_or_without_end_are_refused(
    capsys: pytest.CaptureFixture[str], paths: list[str], tmp_path: Path
) -> None:
    nul = tmp_path / "nul.txt"
    nul.write_bytes(b"botox pores\nx\x00y\n")
    code, out, err = run(capsys, "ask", "--batch", str(nul), *paths)
    assert code == 1 and out == "" and "nul.txt: line 2 is not text" in one_line(err)
    long = tmp_path / "long.txt"
    long.write_bytes(b"botox pores\n" + b"a" * 20_000 + b"\n")
    code, out, err = run(capsys, "ask", "--batch", str(long), *paths)
    assert code == 1 and out == "" and "long.txt: line 2 is longer than 16384 bytes" in one_line(err)


def test_concurrent_writes_and_start_up_cleaning_lose_nothing(tmp_path: Path) -> None:
    """10 writers (write_atomic, as import/export/summarize --write do) on 5 files while a
    starting bot's temp-file cleaning runs in a loop: every write lands whole, and no temp
    file of a live writer is ever removed (the writers would fail) or left behind."""
    import threading

    from bot.files import remove_stray_temp_files, write_atomic

    folder = tmp_path / "faq"
    folder.mkdir()
    errors: list[BaseException] = []
    done = threading.Event()
    removed: list[Path] = []

    def writer(n: int) -> None:
        try:
            for i in range(20):
                write_atomic(
                    folder / f"e{n % 5}.yaml", f"id: e{n % 5}\nwriter: {n}\nround: {i}\n" + "x" * 5000
                )
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    def cleaner() -> None:
        while not done.is_set():
            removed.extend(remove_stray_temp_files(folder))

    sweeper = threading.Thread(target=cleaner)
    sweeper.start()
    writers = [threading.Thread(target=writer, args=(n,)) for n in range(10)]
    for t in writers:
        t.start()
    for t in writers:
        t.join(60)
    done.set()
    sweeper.join(10)
    assert not errors, errors
    assert sorted(p.name for p in folder.iterdir()) == [f"e{i}.yaml" for i in range(5)]
    for path in folder.iterdir():
        text = path.read_text()
        assert text.startswith(f"id: {path.stem}\n") and text.endswith("x" * 5000)
    assert removed == [], "the cleaner removed a temp file a live writer held"
