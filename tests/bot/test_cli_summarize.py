"""`faqbot summarize --all [--json]` and long answers through the CLI (issue 13)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from tests.bot.test_cli import run
from tests.conftest import SEED_ID

LONG_ID = "how-often-to-water-tomatoes"


def _long_entry(data_dir: Path) -> str:
    """A YAML entry with a Markdown answer longer than Discord's 4000-character modal."""
    para = (
        "Container tomatoes need water every day in hot weather. Water at the base and avoid "
        "wetting the leaves. "
    )
    long = "**Short answer:** daily.\n\n```bash\n./water --daily\n```\n\n" + para * 40
    assert len(long) > 4000
    entry = {
        "id": LONG_ID,
        "question": "How often should I water container tomatoes?",
        "answers": [
            {"title": "Daily", "text": long, "provider": {"name": "Greta Holm"}},
            {"title": "Base", "text": "Avoid wetting the leaves; water at the base.", "provider": None},
        ],
    }
    (data_dir / "faq" / f"{LONG_ID}.yaml").write_text(yaml.safe_dump(entry, sort_keys=False))
    return long


def test_summarize_all_json(capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path) -> None:
    long = _long_entry(data_dir)
    db = ["--data", str(data_dir), "--db", str(tmp_path / "faq.db")]
    export = tmp_path / "export"
    assert run(capsys, "export", str(export), *db)[0] == 0
    assert run(capsys, "import", "--guild", "77", str(export / "faq" / f"{SEED_ID}.yaml"), *db)[0] == 0

    code, out, _ = run(capsys, "summarize", "--all", "--json", *db)
    assert code == 0
    doc = json.loads(out)
    assert doc["count"] == 3
    got = {(e["id"], e["guild_id"]) for e in doc["entries"]}
    assert got == {(SEED_ID, None), (LONG_ID, None), (SEED_ID, 77)}
    for e in doc["entries"]:
        for p in e["summary"]["points"]:  # the `summarize ID --json` contract, per entry
            assert p["text"] and p["count"] == len(p["supporters"])
        for d in e["summary"]["disagreements"]:
            assert d["topic"] and all(s["text"] and s["supporters"] for s in d["sides"])
            assert all(s["quoted_from"] in s["supporters"] for s in d["sides"])  # whose words the quote is
    seeds = [e["summary"] for e in doc["entries"] if e["id"] == SEED_ID]
    assert seeds[0] == seeds[1]  # the server's copy summarises the same
    assert any(d["topic"] == "pore size" for d in seeds[0]["disagreements"])

    # one entry alone gives the same summary as in --all
    code, out, _ = run(capsys, "summarize", LONG_ID, "--json", *db)
    assert code == 0
    alone = json.loads(out)
    assert alone == next(e["summary"] for e in doc["entries"] if e["id"] == LONG_ID)
    texts = [p["text"] for p in alone["points"]]
    assert not any("```" in t or "./water" in t or t.startswith("**") for t in texts)
    # the long answer is stored whole, not cut
    code, out, _ = run(capsys, "ask", "water container tomatoes", "--json", *db)
    assert code == 0
    answers = json.loads(out)["answers"]
    assert long.strip() in [a["text"].strip() for a in answers]


def test_summarize_all_text_and_usage_errors(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    _long_entry(data_dir)
    db = ["--data", str(data_dir), "--db", str(tmp_path / "faq.db")]
    code, out, _ = run(capsys, "summarize", "--all", *db)
    assert code == 0
    assert f"== {SEED_ID} (global)" in out and f"== {LONG_ID} (global)" in out
    assert "2 entries summarised" in out
    for args, message in (
        (["summarize", "--all", SEED_ID], "not both"),
        (["summarize"], "--all"),
        (["summarize", "--all", "--write"], "--write"),
    ):
        code, out, err = run(capsys, *args, *db)
        assert code == 1, args
        assert message in out + err
        assert "Traceback" not in out + err
