"""The faqbot CLI end to end, on a private copy of the shipped data."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.cli import main
from tests.bot.test_importer import SEED_ANSWERS
from tests.conftest import ROOT, SEED, SEED_ID


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def paths(data_dir: Path, tmp_path: Path) -> list[str]:
    return ["--data", str(data_dir), "--db", str(tmp_path / "faq.db")]


def test_ask_json_contract_on_the_seed(capsys: pytest.CaptureFixture[str], paths: list[str]) -> None:
    code, out, _ = run(capsys, "ask", "botox pores", "--json", *paths)
    assert code == 0
    reply = json.loads(out)
    assert set(reply) >= {"query", "decision", "confidence", "entry", "suggestions", "summary", "answers"}
    assert reply["query"] == "botox pores"
    assert reply["decision"] == "answer" and 0 <= reply["confidence"] <= 1
    assert reply["entry"] == {"id": SEED_ID, "question": "Why does Botox make my skin appear smoother?"}
    labels = [a["provider"]["label"] if a["provider"] else "unattributed" for a in reply["answers"]]
    assert [(a["title"], label) for a, label in zip(reply["answers"], labels, strict=True)] == SEED_ANSWERS
    aldo = reply["answers"][3]["provider"]
    assert {k: aldo[k] for k in ("name", "credentials", "specialty", "location")} == {
        "name": "Aldo Guerra",
        "credentials": "MD",
        "specialty": "Plastic Surgeon",
        "location": "Scottsdale",
    }
    for point in reply["summary"]["points"]:
        assert set(point) >= {"text", "supporters", "count"} and point["count"] == len(point["supporters"])
    for d in reply["summary"]["disagreements"]:
        assert d["topic"] and len(d["sides"]) >= 2


def test_ask_text_and_unrelated_query(capsys: pytest.CaptureFixture[str], paths: list[str]) -> None:
    code, out, _ = run(capsys, "ask", "botox pores", *paths)
    assert code == 0 and "Why does Botox make my skin appear smoother?" in out and "Aldo Guerra" in out
    code, out, _ = run(capsys, "ask", "how do I reset my router", "--json", *paths)
    reply = json.loads(out)
    assert reply["decision"] == "none" and reply["entry"] is None and reply["answers"] == []


def test_batch_json_lines(capsys: pytest.CaptureFixture[str], paths: list[str], tmp_path: Path) -> None:
    batch = tmp_path / "q.txt"
    batch.write_text("botox pores\n\nwhat is the capital of France\n")
    code, out, _ = run(capsys, "ask", "--batch", str(batch), "--json", *paths)
    lines = [json.loads(x) for x in out.splitlines()]
    assert code == 0 and [x["query"] for x in lines] == ["botox pores", "what is the capital of France"]
    assert [x["decision"] for x in lines] == ["answer", "none"]


def test_check_reports_every_problem_and_exits_1(
    capsys: pytest.CaptureFixture[str], paths: list[str], data_dir: Path
) -> None:
    assert run(capsys, "check", *paths)[0] == 0
    (data_dir / "faq" / "broken.yaml").write_text("id: Bad Id\nquestion: ''\nanswers: []\n")
    code, out, _ = run(capsys, "check", *paths)
    assert code == 1
    assert "broken.yaml:1" in out and "'id'" in out and "'question'" in out and "'answers'" in out


def test_bad_data_changes_nothing_in_the_store(
    capsys: pytest.CaptureFixture[str], paths: list[str], data_dir: Path
) -> None:
    assert run(capsys, "ask", "botox pores", "--json", *paths)[0] == 0  # store synced once
    seed_file = data_dir / "faq" / f"{SEED_ID}.yaml"
    seed_file.write_text(seed_file.read_text().replace("question: Why", "question: [Why"))
    code, _, err = run(capsys, "ask", "botox pores", *paths)
    assert code == 1 and "nothing was synced" in err and "Traceback" not in err
    seed_file.unlink()  # with the file gone and valid data, the entry would be removed…
    (data_dir / "faq" / "bad.yaml").write_text("{{{")
    assert run(capsys, "ask", "botox pores", *paths)[0] == 1  # …but bad data blocks the sync


def test_import_is_idempotent_and_atomic(
    capsys: pytest.CaptureFixture[str], paths: list[str], data_dir: Path, tmp_path: Path
) -> None:
    code, out, _ = run(capsys, "import", str(SEED), *paths)
    assert code == 0 and f"{SEED_ID}: unchanged" in out
    assert sorted(p.name for p in (data_dir / "faq").iterdir()) == [f"{SEED_ID}.yaml"]
    empty = tmp_path / "empty.txt"
    empty.write_text("Only a question?\n")
    other = tmp_path / "other.txt"
    other.write_text("Is sunscreen needed indoors?\n\nYes\n\nUV A passes through windows. Wear it.\n")
    code, out, _ = run(capsys, "import", str(other), str(empty), *paths)
    assert code == 1 and "empty.txt" in out and "no answers" in out and "nothing was written" in out
    assert not (data_dir / "faq" / "is-sunscreen-needed-indoors.yaml").exists()
    code, out, _ = run(capsys, "import", str(other), *paths)
    assert code == 0 and "created" in out
    assert run(capsys, "check", *paths)[0] == 0


def test_export_import_round_trip_is_lossless(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    db1 = ["--data", str(data_dir), "--db", str(tmp_path / "one.db")]
    export = tmp_path / "export"
    assert run(capsys, "export", str(export), *db1)[0] == 0
    exported = (export / "faq" / f"{SEED_ID}.yaml").read_text()
    original = yaml.safe_load((data_dir / "faq" / f"{SEED_ID}.yaml").read_text())
    again = yaml.safe_load(exported)
    for key in ("created_at", "updated_at"):
        again.pop(key)
    assert again == original
    # A server's export restores into a fresh store as the same entries.
    files = [str(p) for p in (export / "faq").glob("*.yaml")]
    assert run(capsys, "import", "--guild", "77", *files, *db1)[0] == 0
    assert run(capsys, "export", str(tmp_path / "g1"), "--guild", "77", *db1)[0] == 0
    db2 = ["--data", str(data_dir), "--db", str(tmp_path / "two.db")]
    files = [str(p) for p in (tmp_path / "g1").glob("*.yaml")]
    assert run(capsys, "import", "--guild", "77", *files, *db2)[0] == 0
    assert run(capsys, "export", str(tmp_path / "g2"), "--guild", "77", *db2)[0] == 0
    assert (tmp_path / "g1" / f"{SEED_ID}.yaml").read_text() == (
        tmp_path / "g2" / f"{SEED_ID}.yaml"
    ).read_text()


def test_summarize_prints_and_writes_curated(
    capsys: pytest.CaptureFixture[str], paths: list[str], data_dir: Path
) -> None:
    code, out, _ = run(capsys, "summarize", SEED_ID, *paths)
    assert code == 0 and "experts" in out
    code, out, _ = run(capsys, "summarize", SEED_ID, "--write", *paths)
    assert code == 0 and "curated" in out
    saved = yaml.safe_load((data_dir / "faq" / f"{SEED_ID}.yaml").read_text())
    assert saved["summary"]["points"]
    assert run(capsys, "check", *paths)[0] == 0  # supporters are all real experts
    code, out, _ = run(capsys, "ask", "botox pores", "--json", *paths)
    assert json.loads(out)["summary"]["curated"] is True
    assert run(capsys, "summarize", "no-such-entry", *paths)[0] == 1


def test_usage_errors_are_specific(capsys: pytest.CaptureFixture[str], paths: list[str]) -> None:
    code, _, err = run(capsys, "ask", *paths)
    assert code == 1 and "give a QUERY or --batch FILE" in err
    code, _, err = run(capsys, "ask", "x", "--config", "/nonexistent/config.yaml")
    assert code == 1 and "config.yaml" in err and "cannot be read" in err


def test_bad_config_lists_options(
    capsys: pytest.CaptureFixture[str], paths: list[str], tmp_path: Path
) -> None:
    cfg = tmp_path / "config.yaml"
    cfg.write_text("replies:\n  max_points: 99\nmatchng: {}\n")
    code, _, err = run(capsys, "ask", "x", "--config", str(cfg), *paths)
    assert code == 1
    assert "config.yaml:2: option 'replies.max_points'" in err and "'matchng': unknown option" in err


def test_console_script_from_a_fresh_process(tmp_path: Path) -> None:
    """What a new user runs: the installed `faqbot` entry point, from the repository root."""
    root = ROOT
    exe = Path(sys.executable).parent / "faqbot"
    if not exe.exists():
        pytest.skip("faqbot console script not installed in this environment")
    env = {**os.environ, "FAQBOT_DATABASE_URL": f"sqlite:///{tmp_path / 'f.db'}"}
    proc = subprocess.run(
        [str(exe), "ask", "botox pores", "--json"],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["entry"]["id"] == SEED_ID
