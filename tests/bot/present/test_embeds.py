"""Discord-sized rendering: limits always hold, nothing is cut silently."""

from __future__ import annotations

from bot.importer import parse_thread
from bot.models import (
    Answer,
    Candidate,
    Disagreement,
    Entry,
    MatchResult,
    Point,
    Provider,
    Reply,
    Side,
    Summary,
)
from bot.present.embeds import (
    DESCRIPTION_MAX,
    EMBED_TOTAL_MAX,
    FIELD_VALUE_MAX,
    answer_embed,
    answer_pages,
    embed_length,
)
from bot.summary import summarize


def reply_for(entry: Entry, summary: Summary) -> Reply:
    return Reply(MatchResult("q", "answer", 0.9, Candidate(entry.id, entry.question, 0.9)), entry, summary)


def check_limits(embed: dict) -> None:  # type: ignore[type-arg]
    assert len(embed["title"]) <= 256
    assert len(embed.get("description", "")) <= DESCRIPTION_MAX
    assert all(len(f["value"]) <= FIELD_VALUE_MAX and len(f["name"]) <= 256 for f in embed.get("fields", []))
    assert embed_length(embed) <= EMBED_TOTAL_MAX


def test_seed_embed_shows_points_supporters_and_disclaimer(seed_text: str) -> None:
    entry = parse_thread(seed_text).entry
    embed = answer_embed(reply_for(entry, summarize(entry)), "Not medical advice.")
    check_limits(embed)
    assert embed["title"] == entry.question
    assert "Aldo Guerra" in embed["description"] and "experts" in embed["description"]
    assert embed["footer"]["text"] == "Not medical advice."


def test_every_answer_is_paged_in_full(seed_text: str) -> None:
    entry = parse_thread(seed_text).entry
    pages = answer_pages(entry)
    assert len(pages) == len(entry.answers)
    assert pages[3]["author"]["name"] == "Aldo Guerra, MD · Plastic Surgeon, Scottsdale"
    assert pages[1]["author"]["name"] == "Unattributed answer"
    assert pages[0]["author"]["name"] == "unnamed facial plastic surgeon in Panama City"
    for page in pages:
        check_limits(page)


def test_long_answer_spans_pages_without_losing_text() -> None:
    text = " ".join(f"Sentence number {i} about sunscreen and skin." for i in range(400))  # ~18k chars
    entry = Entry("long", "Long?", (Answer("Long one", text, Provider(name="Jane Roe")),))
    pages = answer_pages(entry)
    assert len(pages) > 3
    joined = " ".join(p["description"].replace("\n*(continued on the next page)*", "") for p in pages)
    assert joined.split() == text.split()
    assert pages[-1]["footer"]["text"].endswith(f"part {len(pages)} of {len(pages)}")
    for page in pages:
        check_limits(page)


def test_oversized_summary_says_what_was_left_out() -> None:
    experts = tuple(f"Expert {i}" for i in range(40))
    points = tuple(
        Point("A long point about retinoids and skin barrier repair. " * 5, experts) for _ in range(30)
    )
    dis = Disagreement("pores", (Side("x " * 700, experts[:20]), Side("y " * 700, experts[20:])))
    entry = Entry("big", "Big?", tuple(Answer("t", "x", Provider(name=n)) for n in experts))
    embed = answer_embed(reply_for(entry, Summary(points, (dis,), 40)), "d" * 3000)
    check_limits(embed)
    assert "more points" in embed["description"]
    assert "◦ x" in embed["fields"][0]["value"] and "◦ y" in embed["fields"][0]["value"]


def test_markdown_renders_lists_bold_code_but_not_links_or_headings() -> None:
    text = (
        "**bold** [link](http://x) `code_x`\n# Big\n- one\n* two\n1. three\n"
        "```\na_b *c*\n```\n2 * 3 = 6 __u__"
    )
    entry = Entry("m", "Q?", (Answer("t", text, None),))
    page = answer_pages(entry)[0]["description"]
    assert page.startswith("**bold** \\[link\\](http://x) `code_x`")  # bold and code render
    assert "\n\\# Big\n- one\n- two\n1. three\n" in page  # lists render, headings do not
    assert "```\na_b *c*\n```" in page  # code blocks verbatim
    assert "2 \\* 3 = 6 \\_\\_u\\_\\_" in page  # stray asterisks and underline stay literal


def test_plural_reads_right() -> None:
    from bot.grammar import plural

    assert [plural(1, "expert"), plural(2, "expert"), plural(0, "entry"), plural(1, "entry")] == [
        "1 expert", "2 experts", "0 entries", "1 entry",
    ]  # fmt: skip
    assert [plural(1, "change"), plural(3, "change"), plural(2, "query"), plural(2, "day")] == [
        "1 change", "3 changes", "2 queries", "2 days",
    ]  # fmt: skip


def test_one_expert_entry_reads_in_the_singular() -> None:
    answer = Answer("t", "Sunscreen every day prevents burns.", Provider(name="Jo Poe"))
    entry = Entry("one", "One?", (answer,))
    embed = answer_embed(reply_for(entry, summarize(entry)), "")
    assert "1 experts" not in embed["description"] and "say\n" not in embed["description"]
    assert "What 1 expert says" in embed["description"] or "1 expert answer " in embed["description"]


def test_compact_names_cap_with_credentials() -> None:
    from bot.present.embeds import who_text

    names = {"Sharon Scherl": "Sharon Scherl, MD", "Aldo Guerra": "Aldo Guerra, MD"}
    supporters = ("unattributed", "Sharon Scherl", "unattributed", "Aldo Guerra", "A", "B", "C")
    assert who_text(supporters, names, 3) == "Sharon Scherl, MD · Aldo Guerra, MD · A +4"
    assert who_text(("unattributed", "Sharon Scherl", "unattributed"), names, 3) == (
        "Sharon Scherl, MD · 2 unattributed"
    )
