"""bot.curation: the pure logic behind /faq, on the shipped seed and on constructed input."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import ThresholdsConfig
from bot.curation import (
    MAX_UPLOAD_BYTES,
    CurationError,
    Listed,
    check_entry,
    edited_entry,
    make_answer,
    matches_filter,
    near_duplicates,
    new_entry,
    plan_import,
    provider_from_fields,
    query_key,
    settings_changes,
    split_lines,
    suggest_aliases,
    unique_id,
    with_answer,
    with_phrasing,
)
from bot.matching import Matcher, Thresholds, load_synonyms
from bot.models import MAX_ANSWERS, Answer, Candidate, Entry, Provider
from bot.present.curation import (
    SettingsDefaults,
    describe_changes,
    entry_embed,
    history_embed,
    import_preview_embed,
    list_page,
    settings_embed,
    stats_embed,
)
from bot.present.embeds import EMBED_TOTAL_MAX, FIELD_VALUE_MAX, embed_length
from bot.settings import GuildSettings, SettingsChange
from bot.store.base import AuditRecord, QueryStat, Stats
from bot.summary import summarize
from bot.yamlio import dump_entries, load_data
from tests.conftest import ROOT, SEED_ID

GUILD = 111


@pytest.fixture
def seed_entry() -> Entry:
    entries = load_data(ROOT / "data").entries
    return next(e for e in entries if e.id == SEED_ID)


def _entry(
    question: str = "How long does lip filler last?", phrasings: str = "", taken: tuple[str, ...] = ()
) -> Entry:
    answer = make_answer("Usually six to twelve months.", "Jane Roe, MD", "Boston Dermatologist")
    return new_entry(guild_id=GUILD, question=question, phrasings=phrasings, answer=answer, taken_ids=taken)


# -- modal fields → entries ---------------------------------------------------------------------


def test_provider_fields_in_the_seed_formats() -> None:
    assert provider_from_fields("Jane Roe, MD", "Boston Dermatologist") == Provider(
        "Jane Roe", "MD", "Dermatologist", "Boston"
    )
    assert provider_from_fields("Dr. Green", "") == Provider(name="Dr. Green")
    assert provider_from_fields("Jane Roe", "") == Provider(name="Jane Roe")  # no credentials
    assert provider_from_fields("Jane Roe, RDN", "") == Provider("Jane Roe", "RDN")  # unknown credential
    assert provider_from_fields("", "Panama City Facial Plastic Surgeon") == Provider(
        specialty="Facial Plastic Surgeon", location="Panama City"
    )
    assert provider_from_fields("", "Dermatologist, Boston") == Provider(
        specialty="Dermatologist", location="Boston"
    )
    assert provider_from_fields("", "Nutritionist") == Provider(specialty="Nutritionist")
    assert provider_from_fields("  ", "\u200b") is None


def test_seed_providers_round_trip_through_the_modal_fields(seed_entry: Entry) -> None:
    """What /faq edit prefills (full_name, where) parses back to the same expert."""
    providers = [a.provider for a in seed_entry.answers if a.provider is not None]
    assert len(providers) >= 5
    for p in providers:
        back = provider_from_fields(p.full_name() or "", p.where() or "", p.profile_url)
        if p.name:
            assert back == p
        else:  # unnamed experts keep their specialty and location
            assert back is not None and (back.specialty, back.location) == (p.specialty, p.location)


def test_new_entry_slug_phrasings_and_provider() -> None:
    typed = "lip filler duration\n\n  Lip filler DURATION \nHow long does lip filler last?\nfiller lips"
    e = _entry(phrasings=typed)
    assert e.id == "how-long-does-lip-filler-last" and e.guild_id == GUILD
    assert e.phrasings == ("lip filler duration", "filler lips")  # blanks, repeats and the question dropped
    assert e.answers[0].provider == Provider("Jane Roe", "MD", "Dermatologist", "Boston")
    taken = {"how-long-does-lip-filler-last", "how-long-does-lip-filler-last-2"}
    assert _entry(taken=tuple(taken)).id == "how-long-does-lip-filler-last-3"


def test_unique_id_stays_within_64_characters() -> None:
    question = "Why " + "very " * 30 + "long question?"
    first = unique_id(question, ())
    second = unique_id(question, {first})
    assert len(first) <= 64 and len(second) <= 64 and second.endswith("-2") and second != first
    assert unique_id("???", ()) == "entry"


def test_new_entry_reports_every_problem_specifically() -> None:
    with pytest.raises(CurationError) as err:
        new_entry(
            guild_id=GUILD,
            question="Q" * 300,
            phrasings="x" * 201,
            answer=make_answer("   ", "N" * 201),
            taken_ids=(),
        )
    text = str(err.value)
    assert "Question: is 300 characters; the limit is 256" in text
    assert "Alternate phrasing 1: is 201 characters; the limit is 200" in text
    assert "Answer 1 answer text: is missing or empty" in text
    assert "Answer 1 expert name: is 201 characters" in text
    with pytest.raises(CurationError, match="Question: is missing or empty"):
        new_entry(guild_id=GUILD, question=" \u200b ", phrasings="", answer=make_answer("ok"), taken_ids=())


def test_too_many_phrasings_are_refused() -> None:
    lines = "\n".join(f"p{i}" for i in range(501))
    with pytest.raises(CurationError, match="Alternate phrasings: has 501 items; at most 500"):
        _entry(phrasings=lines)


def test_edit_keeps_answers_and_metadata() -> None:
    e = _entry().with_changes(created_at="2024-01-01T00:00:00Z", created_by="mod (1)")
    edited = edited_entry(
        e,
        question="How long do lip fillers last?",
        phrasings="lip filler\r\nlips",
        body="Asked by\r\nmany.",
        tags="fillers, lips, fillers",
    )
    assert edited.question == "How long do lip fillers last?" and edited.id == e.id
    assert edited.phrasings == ("lip filler", "lips") and edited.tags == ("fillers", "lips")
    assert edited.body == "Asked by\nmany." and edited.answers == e.answers and edited.created_by == "mod (1)"


def test_answers_and_phrasings_are_bounded() -> None:
    e = _entry()
    two = with_answer(e, make_answer("Closer to a year with newer products.", "John Doe, DO"))
    assert [a.provider.name for a in two.answers if a.provider] == ["Jane Roe", "John Doe"]
    replaced = with_answer(two, make_answer("Six months.", "Jane Roe, MD", title="Duration"), 0)
    assert replaced.answers[0].title == "Duration" and replaced.answers[1] == two.answers[1]
    with pytest.raises(CurationError, match="pick a number from 1 to 2"):
        with_answer(two, make_answer("x"), 5)
    full = e.with_changes(answers=(e.answers[0],) * MAX_ANSWERS)
    with pytest.raises(CurationError, match="already has 50 answers"):
        with_answer(full, make_answer("one more"))
    assert with_phrasing(e, "  lip   longevity ").phrasings == ("lip longevity",)
    with pytest.raises(CurationError, match="already a phrasing"):
        with_phrasing(e, "HOW LONG DOES LIP FILLER LAST?")
    with pytest.raises(CurationError, match="Phrase: is empty"):
        with_phrasing(e, "\u200b")


def test_split_lines_drops_blanks_and_repeats() -> None:
    assert split_lines("a\n\n A \nb\r\nc\u200b") == ("a", "b", "c")


def test_near_duplicates_on_the_seed(seed_entry: Entry) -> None:
    matcher = Matcher([seed_entry], synonyms=load_synonyms(ROOT / "data" / "synonyms.yaml"))
    bar = Thresholds().answer
    same = near_duplicates(matcher.rank("Why does botox make skin look smoother?", 3), bar=bar)
    assert [c.entry_id for c in same] == [SEED_ID]
    assert near_duplicates(matcher.rank("How long does lip filler last?", 3), bar=bar) == []
    assert near_duplicates(matcher.rank(seed_entry.question, 3), bar=bar, exclude=SEED_ID) == []


# -- import ---------------------------------------------------------------------------------------


def test_export_import_is_lossless_on_the_seed(seed_entry: Entry) -> None:
    mine = seed_entry.with_changes(
        guild_id=GUILD,
        created_at="2024-05-01T10:00:00Z",
        created_by="mod (7)",
        updated_at="2024-05-02T10:00:00Z",
        updated_by="mod (7)",
    )
    other = _entry(phrasings="lip filler duration").with_changes(
        body="Line one\n\nLine two: with 'quotes', #hash, @everyone and <@&42>", tags=("fillers",)
    )
    text = dump_entries([mine, other])
    plan = plan_import("faq-export.yaml", text.encode(), guild_id=GUILD, own_ids=set())
    assert plan.kind == "YAML" and plan.entries == (mine, other)
    assert plan.created == (mine.id, other.id) and plan.updated == () and plan.warnings == ()
    single = plan_import("one.yaml", dump_entries([other]).encode(), guild_id=GUILD, own_ids={other.id})
    assert single.entries == (other,) and single.updated == (other.id,)


def test_import_into_another_server_rehomes_entries(seed_entry: Entry) -> None:
    text = dump_entries([_entry()]).encode()
    plan = plan_import("x.yml", text, guild_id=222, own_ids=set())
    assert plan.entries[0].guild_id == 222
    assert any("another server (111)" in w for w in plan.warnings)


def test_import_seed_thread_text(seed_text: str) -> None:
    plan = plan_import("botox.txt", seed_text.encode(), guild_id=GUILD, own_ids=set(), global_ids={SEED_ID})
    assert plan.kind == "thread text" and len(plan.entries) == 1
    entry = plan.entries[0]
    assert len(entry.answers) == 10 and entry.guild_id == GUILD
    assert entry.id == SEED_ID + "-2"  # never shadows the global entry of the same thread
    # ...and the preview says so, like a near-duplicate add, instead of creating -2 silently.
    (warning,) = [w for w in plan.warnings if "already in the FAQ" in w]
    assert f"global entry {SEED_ID!r}" in warning and f"{SEED_ID + '-2'!r}" in warning
    assert "Cancel" in warning
    # Without an extension the content decides.
    assert plan_import("paste", seed_text.encode(), guild_id=GUILD, own_ids=set()).kind == "thread text"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("bad.yaml", b"id: x\nquestion: [unclosed\n", "bad.yaml:3: invalid YAML"),
        ("bad.yaml", b"id: x\nquestion: Q?\n", "field 'answers': needs at least one answer"),
        (
            "bad.yaml",
            b"entries:\n- {id: Bad Id, question: Q, answers: [{text: a}]}\n",
            "field 'entries.0.id'",
        ),
        (
            "dupe.yaml",
            b"entries:\n- {id: a, question: Q, answers: [{text: x}]}\n"
            b"- {id: a, question: R, answers: [{text: y}]}\n",
            "entry 'a' appears more than once",
        ),
        ("bomb.yaml", b"a: &x [1]\nb: *x\n", "anchors and aliases"),
        ("t.txt", b"Just a question?\n", "no answers"),
        ("t.txt", b"\xff\xfe\x00binary", "not UTF-8"),
        ("t.txt", b"   \n", "is empty"),
        ("big.yaml", b"x" * (MAX_UPLOAD_BYTES + 1), "the limit is 1024 KiB"),
    ],
)
def test_malformed_uploads_are_refused_specifically(name: str, data: bytes, message: str) -> None:
    with pytest.raises(CurationError) as err:
        plan_import(name, data, guild_id=GUILD, own_ids=set())
    assert message in str(err.value)


def test_import_preview_lists_new_and_replaced() -> None:
    a, b = _entry(), _entry("Is lip filler painful?")
    plan = plan_import("f.yaml", dump_entries([a, b]).encode(), guild_id=GUILD, own_ids={a.id})
    embed = import_preview_embed(plan)
    assert "2 entries from YAML: 1 new, 1 replacing" in embed["description"]
    assert [f["name"] for f in embed["fields"]] == ["New (1)", "Replaced (1)"]
    assert f"`{b.id}`" in embed["fields"][0]["value"]


# -- list, show, stats, history, settings ----------------------------------------------------------------


def test_list_pages_clamp_and_filter(seed_entry: Entry) -> None:
    items = [Listed(_entry(f"Question number {i}?"), "server") for i in range(23)]
    items.append(Listed(seed_entry, "global"))
    embed, pages = list_page(items, 0, title="FAQ entries")
    assert pages == 3 and embed["footer"]["text"] == "Page 1 of 3 · 24 entries"
    last, _ = list_page(items, 99, title="FAQ entries")
    assert last["footer"]["text"].startswith("Page 3 of 3") and "global" in last["description"]
    assert list_page([], 0, title="t")[0]["description"] == "No entries match."
    assert matches_filter(seed_entry, "ALDO guerra") and matches_filter(seed_entry, "SMOOTHER")
    assert not matches_filter(seed_entry, "lip filler")


def test_entry_embed_fits_discord_on_the_seed(seed_entry: Entry) -> None:
    embed = entry_embed(
        seed_entry, scope="global", state="hidden", summary=summarize(seed_entry), feedback=(3, 1)
    )
    assert embed_length(embed) <= EMBED_TOTAL_MAX
    assert all(len(f["value"]) <= FIELD_VALUE_MAX for f in embed["fields"])
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Scope"] == "global (hidden)" and fields["Feedback"] == "👍 3 · 👎 1"
    assert "Aldo Guerra, MD · Plastic Surgeon, Scottsdale" in fields["Answers (10)"]
    assert "Automatic summary" in fields


def test_stats_and_one_click_alias_suggestions() -> None:
    lip = _entry()
    stats = Stats(
        top_queries=(QueryStat("botox pores", 7, 0, SEED_ID), QueryStat("do lips get puffy", 3, 3, None)),
        unanswered=(QueryStat("do lips get puffy", 3, 3, None), QueryStat("kysse", 2, 2, None)),
        feedback={lip.id: (4, 1), SEED_ID: (1, 0)},
    )

    def rank(query: str) -> list[Candidate]:
        if "lips" in query:
            return [Candidate(SEED_ID, "global", 0.4), Candidate(lip.id, lip.question, 0.2)]
        return []

    suggestions = suggest_aliases(stats.unanswered, rank, {lip.id})
    assert [(s.query, s.count, s.entry_id) for s in suggestions] == [("do lips get puffy", 3, lip.id)]
    assert suggestions[0].key == query_key("do lips get puffy") and len(suggestions[0].key) == 10
    embed = stats_embed(stats, {lip.id: lip.question}, suggestions)
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Top queries"] == "7× botox pores\n3× do lips get puffy"
    assert fields["Unanswered queries"] == "3× do lips get puffy\n2× kysse"
    assert fields["Feedback per entry"].splitlines()[0] == f"👍 4 · 👎 1 — {lip.question}"
    assert "“do lips get puffy” → How long does lip filler last?" in embed["fields"][-1]["value"]
    empty = stats_embed(Stats(), {})
    assert [f["value"] for f in empty["fields"]] == ["—", "—", "—"]


def test_history_says_who_when_and_what() -> None:
    records = [
        AuditRecord(GUILD, "x", "mod (1)", "add", "2024-05-01T10:00:00Z", {"question": [None, "Q?"]}),
        AuditRecord(
            GUILD,
            "x",
            "mod (1)",
            "edit",
            "2024-05-02T10:00:00Z",
            {"question": ["Q?", "Q2?"], "answers": [[{}], [{}, {}]]},
        ),
    ]
    embed = history_embed(records, "Q2? (x)")
    assert embed["description"] == "2 changes"
    assert embed["fields"][0]["name"] == "edit · mod"  # newest first
    value = embed["fields"][0]["value"].split("\n")
    assert value[0] == "<@1> · <t:1714644000:f>"  # a mention (pings nobody in an embed), a Discord time
    assert value[1:] == ["answer 2 added (unattributed)", "question: “Q?” → “Q2?”"]
    assert describe_changes({"body": ["", "text"]}) == "body: ∅ → “text”"
    assert history_embed([], "x")["description"] == "No recorded changes."


def test_history_diff_names_the_phrasing_answer_and_expert_that_changed() -> None:
    from bot.present.history import change_lines

    jane = {"name": "Jane Roe", "credentials": None}
    old = [{"title": "", "text": "Filler lasts six months in most lips.", "provider": jane}]
    jane_md = {**jane, "credentials": "MD"}
    new = [{"title": "", "text": "Filler lasts twelve months in most lips.", "provider": jane_md}]
    lines = change_lines({"phrasings": [["a", "b"], ["a", "b", "kysse"]], "answers": [old, new]})
    assert lines == [
        "answer 1 text: …six… → …twelve…",
        "answer 1 expert: Jane Roe → Jane Roe, MD",
        "phrasings: + “kysse”",
    ]
    assert change_lines({"phrasings": [["a", "gone"], ["a"]]}) == ["phrasings: − “gone”"]
    assert change_lines({"answers": [old + old, old]})[0].startswith("answer 2 removed (Jane Roe): “Filler")


def test_settings_changes_validate_and_reset() -> None:
    base = Thresholds()
    current = GuildSettings(keyword_channels=[5], thresholds=ThresholdsConfig(answer=0.6))
    assert settings_changes(current, base=base, add_channel=6) == SettingsChange(keyword_channels=[5, 6])
    assert settings_changes(current, base=base, remove_channel=5) == SettingsChange(keyword_channels=[])
    assert settings_changes(current, base=base, remove_channel=5) != SettingsChange()
    with pytest.raises(CurationError, match="does not have keyword replies"):
        settings_changes(current, base=base, remove_channel=9)
    assert settings_changes(current, base=base, thresholds={"suggest": 0.3}) == SettingsChange(
        thresholds=ThresholdsConfig(answer=0.6, suggest=0.3)
    )
    with pytest.raises(CurationError, match="suggest must not exceed answer"):
        settings_changes(current, base=base, thresholds={"suggest": 0.7})
    reset = settings_changes(current, base=base, reset="cooldowns")
    assert reset == SettingsChange.resetting(["keyword_channel_cooldown", "keyword_user_cooldown"])
    assert reset.names == ["keyword_channel_cooldown", "keyword_user_cooldown"]
    with pytest.raises(CurationError, match="blank"):
        settings_changes(current, base=base, disclaimer=" \u200b")
    embed = settings_embed(
        GuildSettings(keyword_channels=[5], disclaimer="Ask your doctor."),
        SettingsDefaults(
            Thresholds(), "Not advice.", None, keyword_channel_cooldown=30, keyword_user_cooldown=120
        ),
    )
    fields = {f["name"]: f["value"] for f in embed["fields"]}
    assert fields["Keyword-reply channels"] == "<#5>"
    assert fields["Disclaimer"] == "Ask your doctor. *(this server)*"
    assert fields["Thresholds"].split("\n")[:2] == [
        "answer 0.50 · suggest 0.25 · keyword 0.80 *(default)*",
        "-# answer 0.50: at or above this confidence the bot answers",
    ]
    assert "member 120 s *(default)*" in fields["Keyword cooldowns"]


def test_check_entry_accepts_the_seed(seed_entry: Entry, tmp_path: Path) -> None:
    check_entry(seed_entry.with_changes(guild_id=GUILD))
    with pytest.raises(CurationError, match="Answers: needs at least one answer"):
        check_entry(seed_entry.with_changes(answers=()))
    assert Answer("", "x") == make_answer(" x ")
