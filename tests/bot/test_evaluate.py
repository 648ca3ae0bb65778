"""bot.evaluate: the eval CSV format, the metrics, and the shipped seed eval set."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bot.evaluate import (
    EvalCase,
    EvalFileError,
    evaluate,
    load_eval_csv,
    report_to_dict,
    report_to_text,
)
from bot.matching import Matcher, Thresholds, decide, load_synonyms
from bot.models import Candidate, MatchResult
from tests.bot.matching.fixtures import seed_entry
from tests.conftest import ROOT

SEED_CSV = ROOT / "data" / "eval" / "seed.csv"


def test_load_with_and_without_header(tmp_path: Path) -> None:
    f = tmp_path / "e.csv"
    f.write_text('query,expected_id\nbotox pores,a\n"pizza, hot",\n\n', encoding="utf-8")
    assert load_eval_csv(f) == [EvalCase("botox pores", "a", 2), EvalCase("pizza, hot", None, 3)]
    f.write_text("botox pores,a\nrouter\n", encoding="utf-8")
    assert load_eval_csv(f) == [EvalCase("botox pores", "a", 1), EvalCase("router", None, 2)]


def test_bad_row_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.csv"
    f.write_text("query,expected_id\nok,a\npizza, hot, extra\n", encoding="utf-8")
    with pytest.raises(EvalFileError, match=r"bad\.csv:3"):
        load_eval_csv(f)
    f.write_text(" ,a\n", encoding="utf-8")
    with pytest.raises(EvalFileError, match=r"bad\.csv:1: empty query"):
        load_eval_csv(f)


def test_metrics_and_misses() -> None:
    a = Candidate("a", "A?", 0.9)
    answers = {
        "right": MatchResult("right", "answer", 0.9, best=a),
        "wrong": MatchResult("wrong", "answer", 0.9, best=Candidate("b", "B?", 0.9)),
        "unsure": MatchResult("unsure", "suggest", 0.4, suggestions=(a,)),
        "oos-ok": MatchResult("oos-ok", "none", 0.1),
        "oos-bad": MatchResult("oos-bad", "answer", 0.8, best=a),
    }
    cases = [
        EvalCase("right", "a"),
        EvalCase("wrong", "a"),
        EvalCase("unsure", "a"),
        EvalCase("oos-ok", None),
        EvalCase("oos-bad", None),
    ]
    report = evaluate(cases, answers.__getitem__)
    assert report.accuracy == pytest.approx(1 / 3)
    assert report.oos_recall == pytest.approx(1 / 2)
    assert [m.case.query for m in report.misses] == ["wrong", "unsure", "oos-bad"]
    d = report_to_dict(report)
    json.dumps(d)
    assert d["accuracy"] == pytest.approx(0.3333) and len(d["misses"]) == 3  # type: ignore[arg-type]
    text = report_to_text(report)
    assert "33.3%" in text and "50.0%" in text and "'unsure'" in text


def test_seed_eval_set_passes_on_the_seed_store() -> None:
    m = Matcher([seed_entry()], synonyms=load_synonyms(None))
    cases = load_eval_csv(SEED_CSV)
    assert any(c.expected_id is None for c in cases) and any(c.expected_id for c in cases)
    report = evaluate(cases, lambda q: decide(q, m.rank(q), Thresholds()))
    assert report.misses == (), report_to_text(report)


def test_multiline_quoted_query_keeps_its_words_and_start_line(tmp_path: Path) -> None:
    f = tmp_path / "m.csv"
    f.write_text('query,expected_id\n"botox\nand pores",a\nrouter,\n', encoding="utf-8")
    assert load_eval_csv(f) == [EvalCase("botox and pores", "a", 2), EvalCase("router", None, 4)]
    f.write_text('query,expected_id\nok,a\n"two\nlines", a, extra\n', encoding="utf-8")
    with pytest.raises(EvalFileError, match=r"m\.csv:3: expected 2 columns"):
        load_eval_csv(f)


def test_empty_sides_are_na_and_unknown_ids_are_reported() -> None:
    a = Candidate("a", "A?", 0.9)
    report = evaluate(
        [EvalCase("q", "a"), EvalCase("r", "gone")],
        lambda q: MatchResult(q, "answer", 0.9, best=a),
        lambda q: a,
        known_ids={"a"},
    )
    assert report.oos_recall is None and report.top1 == pytest.approx(0.5)
    assert report.unknown_ids == ("gone",)
    text = report_to_text(report)
    assert "out-of-scope recall: n/a" in text and "0.0 % (0/0)" not in text and "gone" in text
    d = report_to_dict(report)
    assert d["oos_recall"] is None and d["unknown_expected_ids"] == ["gone"]
    q = d["queries"][0]  # type: ignore[index]
    assert q["confidence"] == 0.9 and q["top1_id"] == "a" and q["top1_confidence"] == 0.9 and q["ok"]


def test_cli_eval_gates_exit_non_zero(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    from bot.cli import main

    paths = ["--data", str(data_dir), "--db", str(tmp_path / "faq.db")]
    csv_file = tmp_path / "e.csv"
    csv_file.write_text(
        "query,expected_id\nbotox pores,why-does-botox-make-my-skin-appear-smoother\n"
        "pizza in town,why-does-botox-make-my-skin-appear-smoother\nbest pizza,\n",
        encoding="utf-8",
    )
    assert main(["eval", str(csv_file), "--min-accuracy", "50", "--min-oos-recall", "0.9", *paths]) == 0
    out, _ = capsys.readouterr()
    assert "top-1: 50.0% (1/2)" in out and "accuracy: 50.0% (1/2)" in out
    assert main(["eval", str(csv_file), "--min-accuracy", "0.8", "--json", *paths]) == 1
    out, err = capsys.readouterr()
    d = json.loads(out)
    assert d["failed"] and "accuracy 50.0% is below the required 80.0%" in err
    assert d["queries"][0]["top1_id"] == "why-does-botox-make-my-skin-appear-smoother"


def test_cli_export_queries_round_trips_through_eval(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    import asyncio

    from bot.cli import main
    from bot.config import load_config
    from bot.service import FaqService

    db = tmp_path / "faq.db"

    async def members_ask() -> None:  # what the bot records in a server
        config = load_config(None, {"data_dir": str(data_dir), "database": {"url": f"sqlite:///{db}"}})
        service = await FaqService.open(config)
        try:
            for q in ("botox pores", "best pizza, in town", "botox pores"):
                await service.ask(q, 5)
        finally:
            await service.close()

    asyncio.run(members_ask())
    paths = ["--data", str(data_dir), "--db", str(db), "--guild", "5"]
    out_csv = tmp_path / "real.csv"
    assert main(["export-queries", str(out_csv), *paths]) == 0
    assert "wrote 2 queries" in capsys.readouterr().out
    cases = load_eval_csv(out_csv)
    assert [(c.query, c.expected_id) for c in cases] == [
        ("botox pores", "why-does-botox-make-my-skin-appear-smoother"),
        ("best pizza, in town", None),
    ]
    assert main(["eval", str(out_csv), "--min-accuracy", "1", "--min-oos-recall", "1", *paths]) == 0
    assert main(["export-queries", str(out_csv), *paths]) == 1  # never overwrites
    assert "exists" in capsys.readouterr().err
