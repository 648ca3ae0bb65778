"""Hostile input (issue 8): property-based fuzzing with hypothesis, bounded (< 60 s in all).

* the query path (`FaqService.ask`, `autocomplete`): any Unicode, FTS5 syntax, control
  characters, 10k-character input → never raises, decisions in the contract;
* the thread importer (`parse_thread`): an Entry or `ImportError_`, nothing else;
* the YAML importer (`entries_from_yaml`): never raises, problems listed; bombs (aliases, deep
  nesting, huge scalars) refused inside a memory bound (tracemalloc peak);
* embeds from any entry content stay within Discord's limits; markdown in content is inert;
* modal fields (`bot/curation.py`): an Entry that validates, or `CurationError`; uploads over
  the size limit refused before parsing.

Figures (examples tried): docs/reliability.md.
"""

from __future__ import annotations

import asyncio
import math
import os
import re
import tracemalloc
from collections.abc import Iterator
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bot.config import load_config
from bot.importer import ImportError_, parse_thread
from bot.models import LIMITS, Answer, Entry, MatchResult, Provider, Reply
from bot.present.embeds import (
    AUTHOR_MAX,
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_NAME_MAX,
    FIELD_VALUE_MAX,
    FIELDS_MAX,
    FOOTER_MAX,
    TITLE_MAX,
    answer_embed,
    answer_pages,
    embed_length,
    escape_markdown,
    keyword_reply_text,
)
from bot.present.terminal import reply_json, reply_text
from bot.serialize import entry_to_dict
from bot.service import FaqService
from bot.summary import summarize
from bot.validate import ID_RE, Validator, validate_entry_dict
from bot.yamlio import MAX_YAML_BYTES, entries_from_yaml
from tests.conftest import ROOT

GUILD = 777
FUZZ = settings(
    max_examples=80,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                           HealthCheck.function_scoped_fixture],
    database=None,
)  # fmt: skip
SCALE = float(os.environ.get("FAQBOT_FUZZ_SCALE", "1"))  # e.g. 10 for a long local run
MEMORY_BOUND = 64 * 2**20  # bytes of Python allocations one hostile input may cost (CI sizes)


def ex(n: int) -> int:
    return max(10, int(n * SCALE))


# -- strategies ------------------------------------------------------------------------------

FTS_TOKENS = [
    '"', "'", "*", "^", "(", ")", "{", "}", ":", "-", "+", "NEAR(", "NEAR/3", "AND", "OR", "NOT",
    "question:", "answers:", "tags:", "phrasings:", "col:", '"botox', "pores*", "^botox", "MATCH", "--",
    ";", "DROP TABLE entries;", "\\", "%", "_", "\x00", "\u202e", "\u200b", "\ufeff", "\r\n", "\t",
    "@everyone", "@here", "<@123>", "<@&456>", "<#789>", "**", "||", "`", "```", "[x](https://e.com)",
    "botox", "pores", "filler", "smooth", "skin", "Ünïcödé", "日本語", "🙂", "\U0001f9d1\u200d\U0001f52c",
]  # fmt: skip
fts_text = st.lists(st.sampled_from(FTS_TOKENS), max_size=30).flatmap(
    lambda toks: st.lists(st.sampled_from(["", " ", "  ", "\n"]), min_size=len(toks), max_size=len(toks)).map(
        lambda seps: "".join(t + s for t, s in zip(toks, seps, strict=True))
    )
)
control_text = st.text(st.characters(max_codepoint=0x9F), max_size=200)
long_text = st.builds(
    lambda s, n: (s * n)[:10_000], st.text(min_size=1, max_size=30), st.integers(300, 10_000)
)
any_query = st.one_of(st.text(max_size=400), fts_text, control_text, long_text)

line = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\n\r"), max_size=80)
PROVIDER_LINES = [
    "Aldo Guerra, MD", "Dr. Jane Roe", "Scottsdale Plastic Surgeon", "https://x.example/p",
    "Jane Roe, MD, PhD (hon)", "Panama City Facial Plastic Surgeon", "Best, Dr. Green",
]  # fmt: skip
thread_line = st.one_of(line, st.sampled_from(PROVIDER_LINES), st.just(""))
thread_text = st.one_of(
    st.text(max_size=2000),
    st.lists(thread_line, max_size=60).map("\n".join),
    st.lists(st.lists(thread_line, min_size=1, max_size=4).map("\n".join), max_size=20).map("\n\n".join),
)

short = st.text(max_size=60)
field_text = st.one_of(short, fts_text, st.text(min_size=0, max_size=4500))
maybe = st.one_of(st.none(), short)
provider = st.one_of(st.none(), st.builds(Provider, maybe, maybe, maybe, maybe))
answer = st.builds(Answer, st.text(max_size=300), st.text(min_size=1, max_size=4000), provider)
entry_strategy = st.builds(
    Entry,
    id=st.from_regex(r"[a-z0-9][a-z0-9-]{0,20}", fullmatch=True),
    question=st.text(min_size=1, max_size=256),
    answers=st.lists(answer, min_size=1, max_size=8).map(tuple),
    body=st.text(max_size=300),
    phrasings=st.lists(st.text(max_size=200), max_size=5).map(tuple),
)

# -- the query path --------------------------------------------------------------------------


@pytest.fixture(scope="module")
def runner() -> Iterator[asyncio.Runner]:
    with asyncio.Runner() as r:
        yield r


@pytest.fixture(scope="module")
def service(runner: asyncio.Runner, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FaqService]:
    import shutil

    root = ROOT
    tmp = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(root / "data", tmp / "data")
    config = load_config(None, {"data_dir": str(tmp / "data"), "database": {"url": f"sqlite:///{tmp}/f.db"}})
    svc = runner.run(FaqService.open(config))
    hostile = [
        Entry("md-inject", "**Bold** `code` [link](https://evil.example) @everyone <@1> ||spoiler||?",
              (Answer("# Heading", "> quote\n# big\n-# small\n*a* _b_ ~~c~~ <@&2> @here",
                      Provider("@everyone")),),
              phrasings=("markdown injection test",), guild_id=GUILD),
        Entry("fts-entry", 'NEAR( "quoted" * ^col: AND OR NOT', (Answer("t", "fts text answer"),),
              guild_id=GUILD),
        Entry("long-entry", "Long answers " + "word " * 40, (Answer("long", "Sentence here. " * 266),) * 3,
              guild_id=GUILD),
    ]  # fmt: skip
    runner.run(svc.import_entries(GUILD, hostile, actor="fuzz"))
    yield svc
    runner.run(svc.close())


def _check_reply(svc: FaqService, reply: Reply, guild: int | None) -> None:
    r = reply.result
    assert r.decision in ("answer", "suggest", "none")
    assert math.isfinite(r.confidence) and 0.0 <= r.confidence <= 1.0
    visible = {e.id for e in svc.visible_entries(guild)}
    if r.decision == "answer":
        assert r.best is not None and reply.entry is not None and reply.entry.id == r.best.entry_id
        assert r.best.entry_id in visible
        embed = answer_embed(reply, svc.config.replies.disclaimer)
        _check_embed(embed)
        keyword_reply_text(reply)
    for c in r.suggestions:
        assert c.entry_id in visible and math.isfinite(c.confidence)
    reply_json(reply)
    reply_text(reply)


@settings(FUZZ, max_examples=ex(80))
@given(query=any_query, guild=st.sampled_from([None, GUILD]))
def test_ask_never_raises_and_keeps_the_contract(
    runner: asyncio.Runner, service: FaqService, query: str, guild: int | None
) -> None:
    reply = runner.run(service.ask(query, guild))
    _check_reply(service, reply, guild)


@settings(FUZZ, max_examples=ex(80))
@given(text=any_query, guild=st.sampled_from([None, GUILD]))
def test_autocomplete_never_raises(service: FaqService, text: str, guild: int | None) -> None:
    out = service.autocomplete(text[:300], guild, limit=25)
    visible = {e.id for e in service.visible_entries(guild)}
    assert len(out) <= 25
    assert all(c.entry_id in visible and math.isfinite(c.confidence) for c in out)


@settings(FUZZ, max_examples=ex(60))
@given(text=st.text(max_size=100))
def test_store_search_treats_input_as_words(runner: asyncio.Runner, service: FaqService, text: str) -> None:
    ids = runner.run(service.store.search(GUILD, text))
    assert isinstance(ids, list)


def test_query_path_specials(runner: asyncio.Runner, service: FaqService) -> None:
    """Fixed worst cases, besides the generated ones."""
    for query in ["", " ", "\x00" * 300, '"' * 10_000, "NEAR(" * 2000, "*" * 10_000, "\U0001f600" * 5000,
                  "a" * 10_000, "\u0301" * 10_000, "\ud7ff\ue000\uffff" * 100, "<@123>" * 1000]:  # fmt: skip
        for guild in (None, GUILD):
            _check_reply(service, runner.run(service.ask(query, guild)), guild)
            service.autocomplete(query[:300], guild)


# -- embeds and markdown ---------------------------------------------------------------------


def _check_embed(embed: dict[str, Any]) -> None:
    assert len(embed.get("title", "")) <= TITLE_MAX
    assert len(embed.get("description", "")) <= DESCRIPTION_MAX
    assert len(embed.get("fields", [])) <= FIELDS_MAX
    for f in embed.get("fields", []):
        assert 0 < len(f["name"]) <= FIELD_NAME_MAX and 0 < len(f["value"]) <= FIELD_VALUE_MAX, f
    assert len(embed.get("footer", {}).get("text", "")) <= FOOTER_MAX
    assert len(embed.get("author", {}).get("name", "")) <= AUTHOR_MAX
    assert embed_length(embed) <= EMBED_TOTAL_MAX


@settings(FUZZ, max_examples=ex(60))
@given(entry=entry_strategy, disclaimer=st.text(max_size=2048))
def test_embeds_from_any_entry_fit_discord(entry: Entry, disclaimer: str) -> None:
    summary = summarize(entry)
    reply = Reply(MatchResult(entry.question, "answer", 1.0), entry, summary)
    _check_embed(answer_embed(reply, disclaimer))
    for page in answer_pages(entry):
        _check_embed(page)


MARKDOWN = re.compile(r"[\\*_`~|>\[\]]")


@settings(FUZZ, max_examples=ex(300))
@given(text=st.text(max_size=300))
@example(text="# Heading\n  ## two\n-# subtext\n### three")
@example(text="**bold** __u__ ~~s~~ ||spoiler|| `code` > quote [link](https://e.com) \\")
def test_escaped_text_has_no_live_markdown(text: str) -> None:
    out = escape_markdown(text)
    # every markdown character is escaped: removing the escapes gives the text back
    assert re.sub(r"\\(.)", r"\1", out, flags=re.S) == text
    i = 0
    while i < len(out):
        if out[i] == "\\":
            i += 2
            continue
        assert not MARKDOWN.match(out[i]), (text, out)
        i += 1
    for raw in out.split("\n"):  # no line may start a heading or subtext
        assert not re.match(r"\s*(#{1,3}|-#)\s", raw), (text, out)


# -- the thread importer ---------------------------------------------------------------------


@settings(FUZZ, max_examples=ex(300))
@given(text=thread_text)
def test_parse_thread_returns_an_entry_or_import_error(text: str) -> None:
    try:
        report = parse_thread(text, source_name="fuzz.txt")
    except ImportError_:
        return
    entry = report.entry
    assert isinstance(entry, Entry) and entry.answers and all(a.text for a in entry.answers)
    assert ID_RE.match(entry.id) and len(entry.id) <= LIMITS["id"]
    assert all(isinstance(w, str) for w in report.warnings)


def test_parse_thread_oversized_refused_within_memory_bound() -> None:
    text = "Q?\n\n" + "x" * (3 * 2**20)
    tracemalloc.start()
    try:
        with pytest.raises(ImportError_, match="larger than"):
            parse_thread(text)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < MEMORY_BOUND


# -- the YAML importer -----------------------------------------------------------------------

yaml_scalar = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=60)
)
yaml_value = st.recursive(
    yaml_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=10), inner, max_size=4)
    ),
    max_leaves=20,
)  # fmt: skip
KEYS = [
    *[
        "id",
        "question",
        "answers",
        "title",
        "text",
        "provider",
        "name",
        "summary",
        "points",
        "entries",
        "guild_id",
        "phrasings",
    ],
    *["tags", "source", "url", "created_at", "supporters", "disagreements"],
]
entry_like = st.recursive(
    yaml_scalar,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(KEYS), inner, max_size=6)
    ),
    max_leaves=25,
)
YAML_SNIPPETS = [
    "!!python/object:os.system ls", "!!binary aGVsbG8=", "2020-01-01", "!!timestamp 2001-12-14",
    "&a [1]", "*a", "? complex key", "!!set {a, b}", "!!omap [a: 1]", "{", "[", "'", '"\\x00"',
    "%YAML 1.1", "---", "...", "!custom x", "<<: {a: 1}", "id: &x y", "0o777", ".nan", "~",
]  # fmt: skip
yaml_text = st.one_of(
    st.text(max_size=500),
    yaml_value.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
    entry_like.map(lambda v: yaml.safe_dump(v, allow_unicode=True)),
    st.lists(
        st.one_of(st.sampled_from(YAML_SNIPPETS), st.sampled_from(KEYS).map(lambda k: f"{k}: ")), max_size=12
    ).map("\n".join),
)


@settings(FUZZ, max_examples=ex(300))
@given(text=yaml_text)
def test_entries_from_yaml_never_raises(text: str) -> None:
    result = entries_from_yaml(text, "fuzz.yaml")
    assert isinstance(result.problems, list)
    assert all(p.file == "fuzz.yaml" and p.message for p in result.problems)
    for entry in result.entries:  # whatever loads is valid and can be shown
        v = Validator("x")
        assert validate_entry_dict(entry_to_dict(entry), v), v.problems


def _bombs() -> list[tuple[str, str, bool]]:
    """(name, text, must be refused). Full-size figures: docs/reliability.md."""
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        laughs.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    return [
        ("billion laughs", "\n".join(laughs) + "\n", True),
        ("merge-key alias", "a: &a {x: 1}\nb: {<<: *a}\n", True),
        ("python tag", "!!python/object/apply:os.system ['echo pwned']", True),
        ("deep flow nesting", "[" * 1_500 + "]" * 1_500, True),
        ("deep mapping nesting", "{a: " * 5_000 + "1" + "}" * 5_000, True),
        ("deep block nesting", "".join(" " * i + "- \n" for i in range(400)), True),
        ("over the size limit", "question: " + "x" * (MAX_YAML_BYTES + 10), True),
        ("long scalar", "id: a\nquestion: " + "x" * 200_000, True),
        ("many unknown keys", "\n".join(f"k{i}: {i}" for i in range(3_000)), True),
        ("many entries", "entries:\n" + "- {id: a, question: q, answers: [{text: t}]}\n" * 1_000, False),
    ]


@pytest.mark.parametrize(("name", "text", "refused"), _bombs(), ids=[b[0] for b in _bombs()])
def test_yaml_bombs_refused_within_memory_bound(name: str, text: str, refused: bool) -> None:
    tracemalloc.start()
    try:
        result = entries_from_yaml(text, "bomb.yaml")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    if refused:
        assert result.problems and not result.entries, name
    assert peak < MEMORY_BOUND, f"{name}: peak {peak / 2**20:.1f} MiB"
    print(f"\n{name}: {len(text.encode()) / 1024:.0f} KiB, peak {peak / 2**20:.1f} MiB")


# -- modal fields and uploads (bot/curation.py) ----------------------------------------------

curation = pytest.importorskip("bot.curation")


@settings(FUZZ, max_examples=ex(200))
@given(
    question=field_text, phrasings=field_text, text=field_text, expert=short, where=short, title=short,
    taken=st.sets(st.from_regex(r"[a-z0-9][a-z0-9-]{0,10}", fullmatch=True), max_size=5),
)  # fmt: skip
def test_modal_fields_build_a_valid_entry_or_say_why(
    question: str, phrasings: str, text: str, expert: str, where: str, title: str, taken: set[str]
) -> None:
    try:
        answer = curation.make_answer(text, expert, where, title)
        entry = curation.new_entry(guild_id=GUILD, question=question, phrasings=phrasings, answer=answer,
                                   taken_ids=taken)  # fmt: skip
    except curation.CurationError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
        return
    v = Validator(None)
    assert validate_entry_dict(entry_to_dict(entry), v), v.problems
    assert entry.id not in taken and ID_RE.match(entry.id) and len(entry.id) <= LIMITS["id"]
    assert entry.guild_id == GUILD
    reply = Reply(MatchResult(entry.question, "answer", 1.0), entry, summarize(entry))
    _check_embed(answer_embed(reply, "d"))


@settings(FUZZ, max_examples=ex(150))
@given(question=field_text, phrasings=field_text, body=field_text, tags=field_text, phrase=field_text)
def test_modal_edit_fields_build_a_valid_entry_or_say_why(
    question: str, phrasings: str, body: str, tags: str, phrase: str
) -> None:
    base = Entry("base", "A question?", (Answer("t", "text"),), guild_id=GUILD)
    for build in (
        lambda: curation.edited_entry(base, question=question, phrasings=phrasings, body=body, tags=tags),
        lambda: curation.with_phrasing(base, phrase),
        lambda: curation.with_answer(base, curation.make_answer(body, question, phrase)),
    ):
        try:
            entry = build()
        except curation.CurationError as exc:
            assert exc.problems
            continue
        v = Validator(None)
        assert validate_entry_dict(entry_to_dict(entry), v), v.problems


@settings(FUZZ, max_examples=ex(150))
@given(
    name=st.sampled_from(["x.yaml", "x.txt", "x", "../../etc/passwd", "a.yml", ""]),
    data=st.one_of(st.binary(max_size=2000), thread_text.map(str.encode), yaml_text.map(str.encode)),
)  # fmt: skip
def test_uploads_plan_or_refuse(name: str, data: bytes) -> None:
    try:
        plan = curation.plan_import(name, data, guild_id=GUILD, own_ids={"a"}, global_ids={"g"})
    except curation.CurationError as exc:
        assert exc.problems
        return
    assert plan.entries and all(e.guild_id == GUILD for e in plan.entries)
    assert "/" not in plan.filename


def test_oversized_upload_refused_before_parsing() -> None:
    data = b"entries:\n" + b"- {id: a, question: q, answers: [{text: t}]}\n" * 40_000  # ~1.8 MB
    assert len(data) > curation.MAX_UPLOAD_BYTES
    tracemalloc.start()
    try:
        with pytest.raises(curation.CurationError, match="limit"):
            curation.plan_import("big.yaml", data, guild_id=GUILD, own_ids=())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 2**20  # refused on its size, not parsed


def test_yaml_with_a_control_character_is_a_problem_not_a_crash() -> None:
    """Regression (found by the fuzzer): PyYAML's reader raised from the loader's constructor."""
    result = entries_from_yaml("id: a\nquestion: bad\x08char\nanswers: [{text: t}]\n", "ctl.yaml")
    assert not result.entries
    (problem,) = result.problems
    assert problem.line == 2 and "U+0008" in problem.message and "remove it" in problem.message


@pytest.mark.parametrize("text", ["!!timestamp", "created_at: !!timestamp ''", "a: !!set [1, 2]",
                                  "q: !!float abc", "q: !!int 0x", "q: !!binary '%%'"])  # fmt: skip
def test_yaml_bad_tagged_values_are_problems_not_crashes(text: str) -> None:
    """Regression (found by the fuzzer): '!!timestamp' with no value raised AttributeError."""
    result = entries_from_yaml(text, "tag.yaml")
    assert result.problems and not result.entries
