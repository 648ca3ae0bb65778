"""Store-derived answer bars (bot/matching/bars.py) and their use by the service and CLI."""

from __future__ import annotations

import asyncio
import json
import random
import string
from pathlib import Path

import pytest

from bot.cli import main
from bot.config import ThresholdsConfig
from bot.matching import Matcher, Synonyms, bars
from bot.models import Answer, Entry
from bot.settings import SettingsChange
from tests.bot.matching.fixtures import seed_entry, skincare_entries


def _intent_store(n: int = 40) -> list[Entry]:
    """Phrasings-only entries, each about its own pair of made-up topic words."""
    rng = random.Random(5)
    out = []
    for i in range(n):  # random 8-letter words: never one typo away from another entry's
        a, b = ("".join(rng.choice(string.ascii_lowercase) for _ in range(8)) for _ in range(2))
        ph = (f"{a} {b}", f"about {a} and {b}", f"{b} for {a}", f"{a} with {b} please", f"my {a} {b}")
        out.append(Entry(id=f"intent-{i}", question=f"how does {a} work with {b}", phrasings=ph))
    return out


def _build(es: list[Entry]) -> Matcher:
    return Matcher(es, synonyms=Synonyms())


def test_the_shipped_bank_is_attributed_and_sized() -> None:
    text = Path(bars.__file__).with_name("oos_bank.txt").read_text(encoding="utf-8")
    assert "CC BY 3.0" in text and "oos_train" in text and "Never oos_test" in text
    assert len(bars.oos_bank()) == 200 and len(set(bars.oos_bank())) > 190


def test_plan_holds_out_units_the_fold_store_no_longer_has() -> None:
    entries = _intent_store()
    folds = bars.plan(entries)
    assert len(folds) == bars.FOLDS
    assert folds == bars.plan(entries)  # deterministic
    for fold in folds:
        by_id = {e.id: e for e in fold.entries}
        held = [p for p in fold.probes if p.kind == "held-out"]
        absent = [p for p in fold.probes if p.kind == "absent"]
        assert held and absent and any(p.kind == "bank" for p in fold.probes)
        assert len(absent) == int(bars.ABSENT_SHARE * len(entries))
        for p in held:
            assert p.expected is not None
            assert p.text not in (by_id[p.expected].question, *by_id[p.expected].phrasings)
    # Across folds an entry holds out different units.
    held_texts = {p.text for f in folds for p in f.probes if p.expected == "intent-0"}
    assert len(held_texts) >= 2


def test_without_keeps_a_question_and_clears_a_held_out_title() -> None:
    e = seed_entry()
    title = e.answers[2].title
    assert title in bars.units(e)
    out = bars.without(e, title)
    assert out.question == e.question and title not in [a.title for a in out.answers]
    assert len(out.answers) == len(e.answers)  # the answer's text stays evidence
    p = Entry(id="x", question="Q one here", phrasings=("P two here", "P three here"))
    assert bars.without(p, "Q one here").question == "P two here"


def test_bars_adapt_to_the_store() -> None:
    """Distinct phrasings-only intents separate easily: the bar drops well below the fixed
    0.5, the store's probes are answered, the generic questions are not."""
    b = bars.calibrate(_intent_store(), _build)
    assert b.source == "store" and b.in_scope_probes > 100 and b.out_of_scope_probes > 200
    assert 0.01 <= b.answer < 0.5
    assert b.suggest < b.answer < b.keyword <= 1.0
    assert b.accuracy > 0.9 and b.oos_recall > 0.9
    json.dumps(b.to_dict())
    assert bars.Bars.from_dict(b.to_dict()).answer == b.answer


def _outcomes(right: list[float], absent: list[float], bank: list[float]) -> list[bars.Outcome]:
    out = [bars.Outcome(bars.Probe(f"q{i}", "e", "held-out"), "e", c) for i, c in enumerate(right)]
    out += [bars.Outcome(bars.Probe(f"a{i}", None, "absent"), "e", c) for i, c in enumerate(absent)]
    return out + [bars.Outcome(bars.Probe(f"b{i}", None, "bank"), "e", c) for i, c in enumerate(bank)]


def test_near_probes_weigh_by_how_close_the_stores_topics_are() -> None:
    """Left-out entries that the rest answers confidently (one narrow domain): near probes
    dominate and the bar rises above them; left-out entries unlike the rest (many topics):
    the generic bank dominates and the bar stays low, answering more."""
    right = [0.3, 0.5, 0.6, 0.7, 0.8, 0.85, 0.9, 0.95] * 10
    bank = [0.01, 0.02, 0.05] * 20
    narrow = _outcomes(right, [0.4, 0.5, 0.55, 0.6, 0.65] * 4, bank)
    broad = _outcomes(right, [0.01, 0.02, 0.03, 0.04, 0.45] * 4, bank)
    assert bars.near_weight(narrow) == bars.NEAR_WEIGHT_MAX
    assert bars.near_weight(broad) == pytest.approx(bars.NEAR_SCALE * 0.03 / 0.75)
    assert bars.near_weight(_outcomes(right, [], bank)) == 0.0
    assert bars.near_weight(_outcomes([], [0.5], bank)) == bars.NEAR_WEIGHT_FALLBACK
    high, low = bars.choose(narrow), bars.choose(broad)
    assert high.near_weight == bars.NEAR_WEIGHT_MAX and low.near_weight < 0.5
    assert high.answer > 0.6 > low.answer
    assert low.answer_rate > high.answer_rate


def test_a_large_store_calibrates_with_one_bounded_fold() -> None:
    """Above LARGE_STORE entries one fold (one build), at most MAX_IN_PROBES held out and
    MAX_ABSENT_PROBES left out: the store keeps its crowd of neighbouring entries."""
    rng = random.Random(3)
    big = [
        Entry(id=f"e{i}", question=f"q{i} {rng.random()}", phrasings=(f"p{i} one", f"p{i} two"))
        for i in range(bars.LARGE_STORE + 1)
    ]
    (fold,) = bars.plan(big)
    kinds = [p.kind for p in fold.probes]
    assert kinds.count("held-out") == bars.MAX_IN_PROBES
    assert kinds.count("absent") == bars.MAX_ABSENT_PROBES
    assert len(fold.entries) == len(big) - bars.MAX_ABSENT_PROBES


def test_a_store_without_probes_keeps_the_default() -> None:
    one = [Entry(id="solo", question="what is a topic")]
    b = bars.calibrate(one, _build)
    assert b.source == "default" and b.answer == 0.5


def test_the_seed_store_calibrates_from_its_answer_titles() -> None:
    b = bars.calibrate(skincare_entries(), lambda es: Matcher(es, synonyms=Synonyms()))
    assert b.source == "store" and b.in_scope_probes >= 10 and 0.01 <= b.answer <= 0.99


def test_cache_key_follows_content() -> None:
    from bot.serialize import content_hash

    es = skincare_entries()
    k = bars.cache_key(es, "lexical", content_hash)
    assert k == bars.cache_key(list(reversed(es)), "lexical", content_hash)
    assert k != bars.cache_key(es, "semantic+lexical", content_hash)
    changed = [es[0].with_changes(phrasings=("new words",)), *es[1:]]
    assert k != bars.cache_key(changed, "lexical", content_hash)


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_calibrate_json_and_text(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    paths = ["--data", str(data_dir), "--db", str(tmp_path / "faq.db")]
    code, out, err = run(capsys, "calibrate", "--json", *paths)
    assert code == 0, err
    d = json.loads(out)
    assert d["scope"] == "global"
    cal = d["calibrated"]
    assert set(cal) >= {
        "answer",
        "suggest",
        "keyword",
        "answer_rate",
        "precision",
        "accuracy",
        "oos_recall",
        "in_scope_probes",
        "out_of_scope_probes",
        "source",
        "near_weight",
    }
    assert d["effective"]["answer"] == pytest.approx(cal["answer"], abs=1e-3)
    assert (tmp_path / "faqbot-calibration.json").exists()  # cached beside the database
    cfg = tmp_path / "config.yaml"
    cfg.write_text("matching:\n  thresholds:\n    answer: 0.9\n", encoding="utf-8")
    code, out, err = run(capsys, "calibrate", "--config", str(cfg), *paths)
    assert code == 0, err
    assert "in effect (config.yaml and server overrides win): answer 0.900" in out
    assert "answer rate" in out and "precision" in out


def test_service_recalibrates_a_guild_after_a_write(data_dir: Path, tmp_path: Path, monkeypatch) -> None:
    from bot.config import load_config
    from bot.service import FaqService

    monkeypatch.setattr("bot.service.CALIBRATION_DELAY", 0.05)

    async def go() -> None:
        config = load_config(None, {"data_dir": str(data_dir)})
        db = config.database.model_copy(update={"url": f"sqlite:///{tmp_path / 'g.db'}"})
        config = config.model_copy(update={"database": db})
        service = await FaqService.open(config)
        try:
            assert service.calibrated_bars(None) is not None
            assert service.calibrated_bars(7) is service.calibrated_bars(None)  # no own entries yet
            for e in _intent_store(12):
                await service.save_entry(e.with_changes(guild_id=7), actor="t", action="add", create=True)
            for _ in range(200):
                await asyncio.sleep(0.05)
                own = service._bars.get(7)
                if own is not None and own.in_scope_probes > 12:
                    break
            own = service.calibrated_bars(7)
            assert own is not None and own is not service.calibrated_bars(None)
            assert service.thresholds(7).answer == own.answer
            await service.update_settings(
                7, SettingsChange(thresholds=ThresholdsConfig(answer=0.95, suggest=0.3)), actor="t"
            )
            assert service.thresholds(7).answer == 0.95  # a guild's override wins
        finally:
            await service.close()

    asyncio.run(go())


def test_cli_calibrates_only_the_scope_it_answers_in(
    capsys: pytest.CaptureFixture[str], data_dir: Path, tmp_path: Path
) -> None:
    """On a store with many servers `faqbot ask --guild G` calibrates G's scope only, `ask`
    the global one, and a command that answers nothing calibrates nothing. (It used to
    calibrate every server's scope first: 602 s on a 10k-entry store with 21 scopes.)"""
    from bot.yamlio import dump_entries

    paths = ["--data", str(data_dir), "--db", str(tmp_path / "faq.db")]
    cache = tmp_path / "faqbot-calibration.json"
    store = _intent_store(24)
    for k, guild in enumerate((101, 102, 103, 104)):
        own = [
            e.with_changes(id=f"{e.id}-g{guild}", answers=(Answer("", f"All about: {e.question}."),))
            for e in store[6 * k : 6 * k + 6]
        ]
        f = tmp_path / f"g{guild}.yaml"
        f.write_text(dump_entries(own), encoding="utf-8")
        code, _, err = run(capsys, "import", "--guild", str(guild), str(f), *paths)
        assert code == 0, err
    assert not cache.exists()  # importing needs no bars
    question = store[6].phrasings[0]  # guild 102's entry
    code, out, err = run(capsys, "ask", "--json", "--guild", "102", question, *paths)
    assert code == 0, err
    assert json.loads(out)["entry"]["id"] == "intent-6-g102"
    assert len(json.loads(cache.read_text())) == 1  # guild 102's scope, not all five
    assert run(capsys, "ask", "botox pores", *paths)[0] == 0
    assert len(json.loads(cache.read_text())) == 2  # + the global scope
    assert run(capsys, "ask", "--guild", "103", question, *paths)[0] == 0
    assert len(json.loads(cache.read_text())) == 3
    assert run(capsys, "ask", "--guild", "103", "something else", *paths)[0] == 0
    assert len(json.loads(cache.read_text())) == 3  # cached: not calibrated again
    assert run(capsys, "export", str(tmp_path / "out"), "--guild", "104", *paths)[0] == 0
    assert len(json.loads(cache.read_text())) == 3
