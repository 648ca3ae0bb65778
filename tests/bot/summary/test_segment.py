"""Sentence splitting, pleasantries and claims: the pieces the summariser is built from."""

from __future__ import annotations

import numpy as np
import pytest

from bot.models import Answer, Entry, Provider
from bot.summary import summarize
from bot.summary.contradiction import sentence_claims
from bot.summary.pleasantries import is_pleasantry, substantive
from bot.summary.sentences import split_sentences, stem


def test_split_keeps_titles_and_nbsp() -> None:
    text = "Thank you.\u00a0 Botox relaxes muscles, says Dr. Green. It works!\n\nBest, Dr. Green"
    assert split_sentences(text) == [
        "Thank you.",
        "Botox relaxes muscles, says Dr. Green.",
        "It works!",
        "Best, Dr. Green",
    ]


def test_split_abbreviations_and_initials() -> None:
    assert split_sentences("Use e.g. retinol nightly. Prof. J. Smith agrees.") == [
        "Use e.g. retinol nightly.",
        "Prof. J. Smith agrees.",
    ]


@pytest.mark.parametrize(
    "s",
    [
        "Thank you for your question.",
        "Thank you for your excellent question.",
        "Hello Robin and thank you for your question.",
        "Hope this helps and best wishes!",
        "Enjoy your Botox!",
        "Best, Dr. Green",
        "Best, Dr. ALDO",
        "Best of Luck!",
        "Best wishes, Dr. Richard Swift",
        "Great observation.",
        "Your observations are correct!",
        "Dear Robin, Your observation is correct.",
        "Good luck!",
        "Kind regards",
        "Thanks!",
    ],
)
def test_pleasantries_dropped(s: str) -> None:
    assert substantive(s) == ""


@pytest.mark.parametrize(
    ("s", "kept"),
    [
        ("Hello, Botox works by paralysing the muscle.", "Botox works by paralysing the muscle."),
        ("You are right, Botox relaxes the muscles.", "Botox relaxes the muscles."),
        ("Best results come after two sessions.", "Best results come after two sessions."),
        ("Thank you notes aside, filler lasts a year.", "Thank you notes aside, filler lasts a year."),
    ],
)
def test_claims_kept(s: str, kept: str) -> None:
    assert substantive(s) == kept
    assert not is_pleasantry(kept)


def test_stem_normalises() -> None:
    assert stem("smoother") == stem("smoothing") == stem("smooths") == "smooth"
    assert stem("paralysing") == stem("relaxes") == stem("relaxation")
    assert stem("reduces") == stem("decreasing") == stem("less")


def test_claims_negation_scope() -> None:
    def neg(text: str) -> list[tuple[str, int | None, bool]]:
        return [(c.word, c.direction, c.negated) for c in sentence_claims(text, answer=0, sentence=0)
                if c.negated or c.direction is not None]  # fmt: skip

    assert neg("Botox does not change your pore size.") == [("chang", 0, True)]
    assert neg("The pore size will not be directly affected.") == [("affect", 0, True)]
    assert neg("Your pores will not be as open.") == [("open", -1, False)]
    assert neg("Botox not only relaxes the muscles.") == []
    assert neg("The pores also seem to shrink.") == [("shrink", -1, False)]


class FakeEmbedder:
    """Deterministic bag-of-letters vectors: enough to exercise the blending path."""

    def __init__(self) -> None:
        self.calls = 0

    def embed(self, texts: list[str]) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), 26), dtype=np.float32)
        for i, t in enumerate(texts):
            for ch in t.lower():
                if "a" <= ch <= "z":
                    out[i, ord(ch) - 97] += 1
        return out / np.maximum(np.linalg.norm(out, axis=1, keepdims=True), 1e-9)


class BrokenEmbedder:
    def embed(self, texts: list[str]) -> np.ndarray:
        raise RuntimeError("model missing")


def _thread() -> Entry:
    texts = [
        ("Ann Lee", "Sunscreen blocks ultraviolet rays. Reapply it every two hours outdoors."),
        ("Bo Chen", "It blocks the ultraviolet rays that burn. Sunscreen does not cause cancer."),
        ("Cy Diaz", "Some older studies said sunscreen can cause cancer, newer ones disagree."),
    ]
    return Entry(
        id="t",
        question="Is sunscreen safe?",
        answers=tuple(Answer(f"a{i}", t, Provider(name=n)) for i, (n, t) in enumerate(texts)),
    )


def test_embedder_path_keeps_the_rules() -> None:
    e = _thread()
    fake = FakeEmbedder()
    with_emb = summarize(e, embedder=fake)
    assert fake.calls == 1
    assert summarize(e, embedder=FakeEmbedder()) == with_emb  # deterministic
    # the contradiction is found lexically, whatever the embeddings say
    assert len(with_emb.disagreements) == 1
    names = {x.supporters for x in with_emb.disagreements[0].sides}
    assert names == {("Bo Chen",), ("Cy Diaz",)}
    assert with_emb.disagreements[0].topic == "whether sunscreen can cause cancer"
    top = with_emb.points[0]
    assert "ultraviolet" in top.text.lower()
    assert set(top.supporters) == {"Ann Lee", "Bo Chen"}


def test_broken_embedder_falls_back_to_lexical() -> None:
    e = _thread()
    assert summarize(e, embedder=BrokenEmbedder()) == summarize(e)
    assert summarize(e, embedder=object()) == summarize(e)


def test_disclaimers_are_no_claims() -> None:
    from bot.summary.pleasantries import substantive

    assert substantive("Not tax advice; your situation may differ.") == ""
    assert substantive("This is not medical advice.") == ""
    assert substantive("I'm not a lawyer, but fair use is a defence.") == "Fair use is a defence."
    assert substantive("Not all medical advice is good.") == "Not all medical advice is good."


def test_word_like_abbreviations_end_a_sentence_before_a_capital() -> None:
    # "max", "Dec.", "approx." are words too: before a capitalised word the sentence ends
    assert split_sentences("Don't run the sidewall figure, it's the max. The door sticker is right.") == [
        "Don't run the sidewall figure, it's the max.",
        "The door sticker is right.",
    ]
    assert split_sentences("The lease ended in Dec. Then the landlord kept the deposit.") == [
        "The lease ended in Dec.",
        "Then the landlord kept the deposit.",
    ]
    # before a figure or a lower-case word they stay abbreviations
    assert split_sentences("Clock it to max. 4.8 GHz and run it approx. twice a week.") == [
        "Clock it to max. 4.8 GHz and run it approx. twice a week."
    ]
    assert split_sentences("Filed on Dec. 12 at Acme Inc. in Ohio.") == [
        "Filed on Dec. 12 at Acme Inc. in Ohio."
    ]


def test_unpunctuated_list_items_written_as_sentences_are_sentences() -> None:
    from bot.summary.segment import segments

    segs = segments(
        "A few habits:\n"
        "- Rest the dough for 20 minutes before shaping it\n"
        "- Castle early, usually by move 10\n"
        "- Control the centre\n"
        "- 1 part orchid bark\n"
        "- a warm kitchen speeds up the whole proof a lot\n"
        "- `git gc` packs loose objects into one file"
    )
    assert [(s.text, s.fragment) for s in segs] == [
        ("A few habits:", False),
        ("Rest the dough for 20 minutes before shaping it.", False),  # shown with its full stop
        ("Castle early, usually by move 10.", False),
        ("Control the centre", True),  # too short to stand alone
        ("1 part orchid bark", True),
        ("A warm kitchen speeds up the whole proof a lot", True),  # lower-case: continues the lead-in
        ("`git gc` packs loose objects into one file", True),  # opens with code: kept as written
    ]


@pytest.mark.parametrize(
    "s",
    [
        "— Marco, electrician 20 yrs (not your electrician, check your local code)",
        "-- Jane Doe",
        "– Sam (retired vet)",
        "— Dr. Green",
    ],
)
def test_dash_signatures_are_no_claims(s: str) -> None:
    assert substantive(s) == ""


def test_a_dash_opening_a_claim_is_kept() -> None:
    assert substantive("— Not worth it for most homes.") == "— Not worth it for most homes."
