"""data/synonyms.yaml read strictly (bot/matching/synonyms.py): a key given twice is an error
naming file, key and both lines, for `faqbot check` and for any command that opens the data."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.cli import main
from bot.matching import load_synonyms

TWICE = "botox:\n  - tox\nfiller: [juvederm]\nbotox:\n  - dysport\n"


def test_a_key_given_twice_names_file_key_and_lines(tmp_path: Path) -> None:
    path = tmp_path / "synonyms.yaml"
    path.write_text(TWICE, encoding="utf-8")
    with pytest.raises(ValueError) as caught:
        load_synonyms(path)
    assert str(caught.value) == (
        f"{path}:4, field 'botox': duplicate key 'botox' (also on line 1); "
        "YAML would keep only the last — keep one, or merge them"
    )
    path.write_text("botox: [tox]\nfiller: {a: 1}\n", encoding="utf-8")
    with pytest.raises(ValueError, match=f"^{path}:2: 'filler' must map to a list of strings$"):
        load_synonyms(path)
    path.write_text("botox: &x [tox]\nfiller: *x\n", encoding="utf-8")
    with pytest.raises(ValueError, match="aliases"):
        load_synonyms(path)
    path.write_text("botox: [tox, dysport]\nfiller: juvederm\n", encoding="utf-8")
    assert load_synonyms(path).apply(["dysport", "juvederm"]) == ["botox", "filler"]


def test_faqbot_check_and_ask_report_it_in_one_line(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    paths = ["--data", str(data_dir), "--db", str(tmp_path / "faq.db")]
    shipped = (data_dir / "synonyms.yaml").read_text(encoding="utf-8")
    (data_dir / "synonyms.yaml").write_text(shipped + "\nbotox:\n  - tox\n", encoding="utf-8")
    line = shipped.count("\n") + 2
    assert main(["check", *paths]) == 1
    out = capsys.readouterr().out
    assert f"synonyms.yaml:{line}, field 'botox': duplicate key 'botox'" in out
    assert out.count("synonyms.yaml") == 1  # the file named once, not twice
    assert main(["ask", "botox pores", *paths]) == 1
    err = capsys.readouterr().err
    assert "duplicate key 'botox'" in err and "Traceback" not in err
