"""Expert bylines typed the ways moderators type them (issue 15): parsed right, never guessed."""

from __future__ import annotations

import pytest

from bot.curation import provider_from_fields
from bot.importer import parse_provider_lines
from bot.models import Provider


@pytest.mark.parametrize(
    ("expert", "where", "expected"),
    [
        ("Scherl, Sharon, MD", "Dermatologist in Englewood, NJ",
         Provider("Sharon Scherl", "MD", "Dermatologist", "Englewood, NJ")),
        ("Matthew Brace, MD", "Facial Plastic Surgeon, Ontario",
         Provider("Matthew Brace", "MD", "Facial Plastic Surgeon", "Ontario")),
        ("Jane Roe, MD", "Boston Dermatologist", Provider("Jane Roe", "MD", "Dermatologist", "Boston")),
        ("Aldo Guerra, MD", "Panama City Facial Plastic Surgeon",
         Provider("Aldo Guerra", "MD", "Facial Plastic Surgeon", "Panama City")),
        ("Omeed Memar, MD, PhD", "", Provider("Omeed Memar", "MD, PhD")),
    ],
)  # fmt: skip
def test_form_fields_parse(expert: str, where: str, expected: Provider) -> None:
    assert provider_from_fields(expert, where) == expected


def test_byline_preview_reads_naturally() -> None:
    provider = provider_from_fields("Matthew Brace, MD", "Facial Plastic Surgeon, Ontario")
    assert provider is not None
    assert provider.byline(" — ") == "Matthew Brace, MD — Facial Plastic Surgeon, Ontario"


def test_thread_provider_lines_in_directory_order() -> None:
    provider, unknown = parse_provider_lines(["Scherl, Sharon, MD", "Dermatologist in Englewood, NJ"])
    assert unknown == [] and provider == Provider("Sharon Scherl", "MD", "Dermatologist", "Englewood, NJ")
    # Not a specialty: left unrecognised (reported), never guessed into a field.
    assert parse_provider_lines(["Lives in Englewood, NJ"]) == (None, ["Lives in Englewood, NJ"])


def test_a_reading_no_pattern_recognised_is_named_for_the_moderator_to_check() -> None:
    from bot.bylines import read_byline

    sure = read_byline("Scherl, Sharon, MD", "Dermatologist in Englewood, NJ")
    assert sure.doubts == () and sure.text() == "Sharon Scherl, MD — Dermatologist, Englewood, NJ"
    guessed = read_byline("Jane Roe, RDN", "Englewood, NJ")
    assert guessed.provider == Provider("Jane Roe", "RDN", "Englewood", "NJ")  # kept as typed, in order
    assert guessed.doubts == (
        "read “Jane Roe” as the name and “RDN” as credentials",
        "read “Englewood” as the specialty and “NJ” as the location",
    )
    assert read_byline("", "").provider is None and read_byline("", "").text() == "Unattributed answer"
    with_link = read_byline("Matthew Brace, MD", "Facial Plastic Surgeon, Ontario", "https://example.org/b")
    assert with_link.provider is not None and with_link.provider.profile_url == "https://example.org/b"
