"""The thread importer on the real seed and on malformed threads."""

from __future__ import annotations

import pytest

from bot.importer import ImportError_, parse_provider_lines, parse_thread, signature_provider
from bot.models import Provider, supporter_label

# (title, provider label) for each seed answer, checked by hand against the thread.
SEED_ANSWERS = [
    ("Botox makes my skin look better?", "unnamed facial plastic surgeon in Panama City"),
    ("Why Does Botox Make My Skin Appear Smoother?", "unattributed"),
    ("Botox and Smoother Skin", "Dr. Green"),
    ("Why is my skin smoother?", "Aldo Guerra"),
    ("Why does Botox make my skin appear smoother?", "Hardik Soni"),
    ('The "smoothing" effect of Botox', "Sharon Scherl"),
    ("Botox smoother skin", "unattributed"),
    ("Smother skin and smaller pores after Botox", "Matthew Brace"),
    ("Smoother skin after Botox", "Omeed Memar"),
    ("Forehead Skin Appears Smoother After Botox", "Dr. Richard Swift"),
]


def test_seed_question_and_answers_in_order(seed_text: str) -> None:
    report = parse_thread(seed_text)
    entry = report.entry
    assert entry.id == "why-does-botox-make-my-skin-appear-smoother"
    assert entry.question == "Why does Botox make my skin appear smoother?"
    assert entry.body.startswith("I have noticed that when I get injections of botox")
    assert [(a.title, supporter_label(a.provider)) for a in entry.answers] == SEED_ANSWERS
    assert report.warnings == []


def test_seed_provider_details(seed_text: str) -> None:
    answers = parse_thread(seed_text).entry.answers
    assert answers[0].provider == Provider(specialty="Facial Plastic Surgeon", location="Panama City")
    assert answers[3].provider == Provider("Aldo Guerra", "MD", "Plastic Surgeon", "Scottsdale")
    assert answers[4].provider == Provider("Hardik Soni", "MD (not currently practicing)")
    assert answers[8].provider == Provider("Omeed Memar", "MD, PhD", "Dermatologic Surgeon", "Chicago")
    # Each provider block stays with the answer above it, never shifts to a neighbour.
    assert answers[7].text.startswith("Great observation.")
    assert answers[8].text.startswith("The reason your skin looks smoother")
    assert answers[6].provider is None and answers[6].text.startswith("Hello, Botox works")


def test_seed_whitespace_is_normalised(seed_text: str) -> None:
    entry = parse_thread(seed_text).entry
    for a in entry.answers:
        assert "\xa0" not in a.text and "  " not in a.text and a.text == a.text.strip()
    assert "oil production and overall" in entry.answers[0].text


def test_signature_only_when_it_closes_the_body() -> None:
    assert signature_provider("It helps. Best, Dr. Green") == Provider(name="Dr. Green")
    assert signature_provider("Hope this helps and best wishes!") is None
    assert signature_provider("Botox does not change pore size. Best of Luck!") is None
    assert signature_provider("Best, Dr. Green said this works. Then more text follows here.") is None
    # The asker's name in a greeting is never taken as the author.
    assert signature_provider("Hello Robin and thank you for your question.") is None


def test_unrecognised_provider_line_is_reported_not_guessed() -> None:
    provider, unknown = parse_provider_lines(["Jane Roe, MD", "lives somewhere nice"])
    assert provider == Provider(name="Jane Roe", credentials="MD")
    assert unknown == ["lives somewhere nice"]


def test_provider_lines_after_last_answer() -> None:
    text = "Q?\n\nFirst\n\nSome answer text here. It is long enough.\n\nJane Roe, MD\nBoston Dermatologist\n"
    entry = parse_thread(text).entry
    assert entry.answers[0].provider == Provider("Jane Roe", "MD", "Dermatologist", "Boston")


@pytest.mark.parametrize(
    "text, message",
    [
        ("", "empty"),
        ("   \n\n \xa0 \n", "empty"),
        ("Just a question?\n", "no answers"),
        ("Question?\n\nThe asker's long explanation. It goes on.\n", "no answers"),
        ("x" * 300 + "\n\nbody", "question title"),
    ],
)
def test_malformed_threads_raise_specific_errors(text: str, message: str) -> None:
    with pytest.raises(ImportError_, match=message):
        parse_thread(text, source_name="bad.txt")


def test_crlf_and_zero_width_characters() -> None:
    text = "Q\u200b?\r\n\r\nA title\r\n\r\nThe answer\u00a0text. More.\r\n\r\nJane Roe, MD\r\n"
    entry = parse_thread(text).entry
    assert entry.question == "Q?"
    assert entry.answers[0].text == "The answer text. More."
    assert entry.answers[0].provider == Provider("Jane Roe", "MD")
