"""The YAML data format: round trips, and precise errors for every kind of bad input."""

from __future__ import annotations

from pathlib import Path

from bot.importer import parse_thread
from bot.yamlio import dump_entries, entries_from_yaml, load_data, load_dir
from tests.conftest import ROOT

GOOD = """\
id: retinol-purging
question: Is retinol purging normal?
phrasings: [retinol breakout, purging from retinoids]
tags: [retinol]
answers:
  - title: Yes, for a few weeks
    text: Purging can last four to six weeks.
    provider: {name: Jane Roe, credentials: MD, specialty: Dermatologist, location: Boston}
"""


def test_seed_round_trip_is_lossless(seed_text: str) -> None:
    entry = parse_thread(seed_text).entry
    loaded = entries_from_yaml(dump_entries([entry]), "x.yaml")
    assert loaded.problems == [] and loaded.entries == [entry]


def test_shipped_data_is_valid_and_holds_the_seed() -> None:
    loaded = load_data(ROOT / "data")
    assert loaded.problems == []
    assert [e.id for e in loaded.entries] == ["why-does-botox-make-my-skin-appear-smoother"]
    assert len(loaded.entries[0].answers) == 10


def test_good_file() -> None:
    loaded = entries_from_yaml(GOOD, "r.yaml")
    assert loaded.ok
    assert loaded.entries[0].answers[0].provider.name == "Jane Roe"  # type: ignore[union-attr]


def problems(text: str) -> list[str]:
    return [str(p) for p in entries_from_yaml(text, "bad.yaml").problems]


def test_syntax_error_names_the_line() -> None:
    (msg,) = problems("id: a\nquestion: [unclosed\nanswers: []\n")
    assert msg.startswith("bad.yaml:") and "invalid YAML" in msg


def test_yaml_bomb_is_refused() -> None:
    bomb = 'a: &a ["x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n'
    (msg,) = problems(bomb)
    assert "aliases" in msg and "bad.yaml:2" in msg


def test_oversized_and_deep_input_refused() -> None:
    assert "larger than" in problems("x: " + "a" * (1024 * 1024 + 10))[0]
    assert "nested deeper" in problems("[" * 50 + "]" * 50)[0]


def test_field_problems_are_specific() -> None:
    text = GOOD.replace("question: Is retinol purging normal?", "question: ''").replace(
        "answers:", "anwsers:"
    )
    msgs = problems(text)
    assert any("line" not in m and "'question'" in m and "missing or empty" in m for m in msgs) or any(
        "bad.yaml:2" in m and "'question'" in m for m in msgs
    )
    assert any("'anwsers'" in m and "did you mean 'answers'" in m and "bad.yaml:5" in m for m in msgs)
    assert all("entry 'retinol-purging'" in m for m in msgs)


def test_over_long_field_uses_discord_limit() -> None:
    msgs = problems(GOOD.replace("Is retinol purging normal?", "q" * 300))
    assert any("'question'" in m and "limit is 256" in m for m in msgs)


def test_invented_supporter_in_curated_summary_is_refused() -> None:
    text = GOOD + "summary:\n  points:\n    - {text: Purging passes., supporters: [Dr. Nobody]}\n"
    (msg,) = problems(text)
    assert "'Dr. Nobody' did not answer" in msg and "Jane Roe" in msg


def test_duplicate_ids_across_files(tmp_path: Path) -> None:
    (tmp_path / "a.yaml").write_text(GOOD)
    (tmp_path / "b.yaml").write_text(GOOD)
    loaded = load_dir(tmp_path)
    assert len(loaded.entries) == 1
    (msg,) = map(str, loaded.problems)
    assert "duplicate id" in msg and "a.yaml" in msg and "b.yaml" in msg


def test_unreadable_and_non_utf8_files(tmp_path: Path) -> None:
    (tmp_path / "latin.yaml").write_bytes("question: caf\xe9".encode("latin-1"))
    (msg,) = map(str, load_dir(tmp_path).problems)
    assert "latin.yaml" in msg and "not UTF-8" in msg
