"""Shared entries for the matching tests: the real seed thread plus realistic neighbours."""

from __future__ import annotations

from bot.importer import parse_thread
from bot.models import Answer, Entry
from tests.conftest import ROOT

SEED = ROOT / "data" / "seed" / "botox-smoother-skin.txt"


SEED_ID = "why-does-botox-make-my-skin-appear-smoother"


def seed_entry() -> Entry:
    """The real seed thread as the importer reads it: a question with no phrasings and no
    tags, the asker's body and 10 expert answers (titles + texts). Nothing added."""
    entry = parse_thread(SEED.read_text(encoding="utf-8"), source_name=SEED.name).entry
    assert entry.id == SEED_ID and not entry.phrasings and not entry.tags
    return entry


def skincare_entries() -> list[Entry]:
    def e(id_: str, q: str, answer: str, phrasings: tuple[str, ...], tags: tuple[str, ...]) -> Entry:
        return Entry(
            id=id_,
            question=q,
            answers=(Answer(title=q, text=answer),),
            phrasings=phrasings,
            tags=tags,
        )

    return [
        seed_entry(),
        e(
            "filler-longevity",
            "How long do hyaluronic acid fillers last?",
            "Most hyaluronic acid fillers such as Juvederm and Restylane last 6 to 18 months "
            "depending on the area treated; lips wear off sooner than cheeks.",
            ("How long does lip filler last", "When will my cheek filler dissolve"),
            ("filler", "juvederm", "restylane"),
        ),
        e(
            "chemical-peel-downtime",
            "How much peeling and downtime should I expect after a chemical peel?",
            "A light glycolic peel causes mild flaking for a few days, while a medium TCA peel "
            "can mean a week of peeling skin. Avoid sun and use sunscreen.",
            ("Chemical peel recovery time", "Is it normal for my face to peel after a peel"),
            ("peel", "downtime"),
        ),
        e(
            "retinol-irritation",
            "Why is retinol making my face red and flaky?",
            "Retinoids speed up cell turnover, which causes redness, dryness and flaking for the "
            "first weeks. Start every third night and moisturise.",
            ("Retinol purge and irritation", "Tretinoin dry skin first month"),
            ("retinol", "irritation"),
        ),
        e(
            "laser-hair-removal-sessions",
            "How many laser hair removal sessions do I need?",
            "Most people need 6 to 8 sessions spaced 4 to 6 weeks apart because hair grows in "
            "cycles; dark hair on light skin responds best.",
            ("Number of laser hair removal treatments", "Why does hair grow back after laser"),
            ("laser", "hair removal"),
        ),
        e(
            "botox-bruising",
            "Is bruising normal after Botox injections?",
            "Small bruises at injection sites are common and fade within a week. Avoid aspirin "
            "and alcohol before treatment.",
            ("Bruise after tox", "Botox injection site bruise"),
            ("botox", "bruising"),
        ),
    ]


# Members' words for the seed entry, and questions it must not answer: used with and without
# the embedder.
SEED_QUERIES = [
    "botox pores",
    "botx porse",
    "dysport smooth forehead",
    "does tox shrink pores",
    "why is my forehead smoother after tox",
    "does botox make your skin smoother",
    "my pores look smaller since my last botox",
    "can neurotoxin injections reduce oily skin",
    "Botox's effect on pore size",
    "neurotoxin smoother skin",
    "BOTOX   smoother SKIN??",
    "is it in my head that botox makes my skin look better",
]

UNRELATED = [
    "how do I reset my router",
    "what's the capital of France",
    "best pizza in town",
    "what time is it in Tokyo",
    "how do I bake sourdough bread",
]
