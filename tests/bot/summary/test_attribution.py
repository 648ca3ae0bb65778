"""Who said a disagreement side's quote (issue 13): one quoted expert, the others who hold it.

A side quotes ONE expert's sentence; other experts who hold the position are listed as
"also", each checked against their own answer — never shown as having said the quote.
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest
import yaml

from bot.importer import parse_thread
from bot.models import Answer, Candidate, Disagreement, Entry, MatchResult, Provider, Reply, Side, Summary
from bot.present.embeds import answer_embed, disagreement_fields
from bot.present.terminal import reply_json, reply_text
from bot.serialize import summary_to_dict as stored_dict
from bot.summary import format_summary, summarize, summary_from_dict, summary_to_dict
from bot.web.app import _environment
from bot.web.pages import summary_view

ROOT = Path(__file__).resolve().parents[3]
EVAL = ROOT / "benchmarks" / "summary_eval"
SEED = ROOT / "data" / "seed" / "botox-smoother-skin.txt"


def _bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "summary_quality", ROOT / "benchmarks" / "summary_quality.py"
    )
    assert spec and spec.loader
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up
    spec.loader.exec_module(mod)
    return mod


def thread(name: str) -> Entry:
    d = yaml.safe_load(next(EVAL.glob(f"*/{name}.yaml")).read_text(encoding="utf-8"))
    return Entry(
        id=d["id"],
        question=d["question"],
        answers=tuple(
            Answer(f"a{i}", a["text"], None if a["expert"] == "unattributed" else Provider(name=a["expert"]))
            for i, a in enumerate(d["answers"])
        ),
    )


def own_words(entry: Entry, name: str, quote: str) -> bool:
    """The quote (less a trailing "…") is in one of the expert's own answers, word for word."""
    norm = lambda t: " ".join(re.findall(r"[a-z0-9]+", t.lower()))  # noqa: E731
    q = norm(quote.rstrip("…"))
    return any(q in norm(a.text) for a in entry.answers if a.provider and a.provider.name == name)


def side_with(s: Summary, name: str) -> Side:
    return next(x for d in s.disagreements for x in d.sides if name in x.supporters)


@pytest.fixture(scope="module")
def rebase() -> tuple[Entry, Summary]:
    e = thread("rebase-or-merge")
    return e, summarize(e)


def test_rebase_sides_quote_one_expert_and_list_the_others_as_also(rebase: tuple[Entry, Summary]) -> None:
    e, s = rebase
    [d] = s.disagreements
    merge = side_with(s, "Omar Haddad")
    assert merge.quoted_from == "Tom Becker"
    assert "do not recommend rebasing" in merge.text
    assert own_words(e, "Tom Becker", merge.text) and not own_words(e, "Omar Haddad", merge.text)
    assert set(merge.supporters) == {"Tom Becker", "Omar Haddad"}  # Omar holds it ("Just merge.")
    assert merge.also() == ("Omar Haddad",)
    assert merge.credit() == "Tom Becker; also Omar Haddad"
    rebase_side = side_with(s, "Priya Natarajan")
    assert rebase_side.quoted_from == "Lena Fischer" and own_words(e, "Lena Fischer", rebase_side.text)
    assert rebase_side.credit() == "Lena Fischer; also Priya Natarajan"
    for side in d.sides:  # every quote is its quoted expert's own sentence
        assert side.quoted_from in side.supporters
        assert own_words(e, side.quoted_from or "", side.text)


def test_seed_pore_sides_credit_the_quoted_expert(tmp_path: Path) -> None:
    e = parse_thread(SEED.read_text(encoding="utf-8")).entry
    [d] = [x for x in summarize(e).disagreements if x.topic == "pore size"]
    unchanged = side_with(summarize(e), "Hardik Soni")
    assert unchanged.text == "Botox does not change your pore size."
    assert unchanged.quoted_from == "Hardik Soni"
    # Dr. Green says the same ("It does not change your pore size"); the two unattributed
    # answers say "not directly affected" / "doesn't specifically shrink": holders, not authors.
    assert unchanged.also() == ("unattributed", "Dr. Green", "unattributed")
    smaller = next(x for x in d.sides if x is not unchanged)
    assert smaller.quoted_from == "unnamed facial plastic surgeon in Panama City"
    assert smaller.text.startswith("Thick, oily skin will show smaller pores")
    assert set(smaller.also()) == {"Aldo Guerra", "Sharon Scherl", "Matthew Brace", "Omeed Memar",
                                   "Dr. Richard Swift"}  # fmt: skip


def test_painkiller_sides_medicine() -> None:
    e = thread("ankle-sprain")
    s = summarize(e)
    [d] = [x for x in s.disagreements if "ibuprofen" in x.topic]
    para = side_with(s, "Dr. Lena Fischer")
    assert para.quoted_from in para.supporters
    assert own_words(e, para.quoted_from or "", para.text)
    for name in para.also():
        assert not own_words(e, name, para.text)  # a holder, never shown as the author
    assert format_summary(s).count("; also ") == sum(1 for x in d.sides if x.also())


def test_every_labelled_thread_quotes_a_labelled_holder_in_their_own_words() -> None:
    bench = _bench()
    report = bench.run(EVAL, verbose=False)
    for split in ("dev", "heldout", "fresh"):
        r = report[split]
        assert r["sides"] > 0
        assert r["misattributed_quotes"] == 0, r["misattributed"]
        assert r["false_holders"] == 0, r["false_holder_list"]
        assert r["side_quotes_right"] == r["sides"]


def test_old_style_sides_count_as_misattributed_in_the_benchmark(rebase: tuple[Entry, Summary]) -> None:
    """The benchmark catches the defect: a side without its author shows every holder as saying it."""
    bench = _bench()
    _, s = rebase
    t = next(x for x in bench.load_threads(EVAL) if x.id == "rebase-or-merge")
    old = Summary(disagreements=tuple(
        Disagreement(d.topic, tuple(Side(x.text, x.supporters) for x in d.sides)) for d in s.disagreements
    ), experts=s.experts)  # fmt: skip
    sc = bench.Scores()
    bench.score_thread(t, old, sc)
    assert any("Omar Haddad shown as saying" in m for m in sc.misattributed)
    sc = bench.Scores()
    bench.score_thread(t, s, sc)
    assert not sc.misattributed and sc.quotes_right == len(s.disagreements[0].sides)


def _reply(e: Entry, s: Summary) -> Reply:
    return Reply(MatchResult("q", "answer", 0.9, Candidate(e.id, e.question, 0.9)), e, s)


def test_every_renderer_shows_quote_and_also(rebase: tuple[Entry, Summary]) -> None:
    e, s = rebase
    text = reply_text(_reply(e, s), show_answers=False)
    assert "— 2 of 4: Tom Becker; also Omar Haddad" in text
    assert "Tom Becker; also Omar Haddad" in format_summary(s)
    # --json: the existing keys unchanged, `quoted_from` added
    sides = reply_json(_reply(e, s))["summary"]["disagreements"][0]["sides"]
    merge = next(x for x in sides if "Omar Haddad" in x["supporters"])
    assert merge["supporters"] == ["Tom Becker", "Omar Haddad"] and merge["quoted_from"] == "Tom Becker"
    assert set(merge) == {"text", "supporters", "quoted_from"}
    json.dumps(sides)
    # Discord
    field = disagreement_fields(s)[0]["value"]
    assert "Tom Becker; also Omar Haddad" in field
    embed = answer_embed(_reply(e, s), "disclaimer", full=True)
    assert any("Tom Becker; also Omar Haddad" in f["value"] for f in embed.get("fields", []))
    # web page
    html = _environment().get_template("_summary.html").render(summary=summary_view(s, e))
    assert "Tom Becker; also Omar Haddad" in html


def test_quoted_from_round_trips_and_curated_sides_need_not_say() -> None:
    s = Summary(disagreements=(Disagreement("pore size", (
        Side("Botox does not change your pore size.", ("Hardik Soni", "Dr. Green"), "Hardik Soni"),
        Side("The pores shrink.", ("Omeed Memar",)),
    )),), experts=3)  # fmt: skip
    assert summary_from_dict(summary_to_dict(s)) == s
    stored = stored_dict(s)["disagreements"][0]["sides"]
    assert stored[0]["quoted_from"] == "Hardik Soni" and "quoted_from" not in stored[1]
    assert s.disagreements[0].sides[1].credit() == "Omeed Memar"  # no author: the holders as before
    with pytest.raises(ValueError, match=r"disagreements\.0\.sides\.0\.quoted_from: 'Ann' is not one of"):
        summary_from_dict({"disagreements": [{"topic": "t", "sides": [
            {"text": "x y", "supporters": ["Bo"], "quoted_from": "Ann"}]}]})  # fmt: skip


def test_a_holder_is_checked_against_the_quote_not_just_the_colouring() -> None:
    """Cy opposes Dee on feeding, so colouring puts Cy on Bo's side of the watering dispute;
    Cy says nothing about watering, so Cy is not listed under Bo's "Don't water…"."""
    e = Entry(id="t", question="How do I keep my garden green?", answers=(
        Answer("a", "Water the lawn every day in summer.", Provider(name="Ann")),
        Answer("b", "Don't water the lawn every day in summer.", Provider(name="Bo")),
        Answer("c", "Water the lawn every day in summer and feed the lawn with nitrogen weekly.",
               Provider(name="Dee")),
        Answer("d", "Don't feed the lawn with nitrogen weekly.", Provider(name="Cy")),
    ))  # fmt: skip
    s = summarize(e)
    [d] = s.disagreements
    bo = side_with(s, "Bo")
    assert bo.quoted_from == "Bo" and "Cy" not in bo.supporters
    assert set(side_with(s, "Ann").supporters) == {"Ann", "Dee"}
    for side in d.sides:
        assert own_words(e, side.quoted_from or "", side.text)


def test_agreeing_with_someone_is_no_claim_and_credits_nobody() -> None:
    e = Entry(
        id="t",
        question="What do you recommend?",
        answers=(
            Answer("a", "I agree with Dr. Okafor about taking it early.", Provider(name="Jo")),
            Answer(
                "b", "I agree with Dr. Weiss, at least for landscapes on a tripod.", Provider(name="Marcus")
            ),
        ),
    )
    assert all(not p.text.startswith("I agree") for p in summarize(e).points)
