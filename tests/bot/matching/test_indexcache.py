"""The on-disk index cache (issue 17): a matcher loaded from a cached index scores exactly as
the one built from the entries; the key changes with any entry, the order or the synonyms; a
damaged file only costs the build; a service opening the same store twice builds once."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from bot.config import Config
from bot.matching import Matcher, Synonyms, indexcache, load_synonyms
from bot.models import Answer, Entry
from bot.serialize import content_hash
from bot.service import FaqService
from bot.store import GLOBAL
from tests.bot.matching.fixtures import skincare_entries

WORDS = [
    "botox",
    "filler",
    "peel",
    "laser",
    "scar",
    "acne",
    "pore",
    "wrinkle",
    "lip",
    "cheek",
    "heal",
    "swell",
    "bruise",
    "cost",
    "last",
    "hurt",
    "safe",
]


def entries(n: int, seed: int = 3) -> list[Entry]:
    rng = random.Random(seed)
    out = list(skincare_entries())
    for i in range(n):
        q = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 7))) + "?"
        phr = tuple(" ".join(rng.choice(WORDS) for _ in range(4)) for _ in range(rng.randint(0, 3)))
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(5, 40)))
        out.append(Entry(id=f"e{i}", question=q, phrasings=phr, answers=(Answer(f"Dr {i}", text),)))
    return out


def queries(es: list[Entry], rng: random.Random) -> list[str]:
    qs = [" ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 5))) for _ in range(150)]
    qs += [rng.choice([e.question, *e.phrasings]).upper() for e in rng.sample(es, 60)]  # exact hits
    qs += ["botxo fillr", "lazer scarz", "", "?!", "how long does lip filler last"]  # typos, noise
    return qs


def results(m: Matcher, qs: list[str]) -> list[object]:
    return [
        (
            [(c.entry_id, c.confidence) for c in m.rank(q)],
            [(c.entry_id, c.confidence) for c in m.autocomplete(q[:5])],
        )
        for q in qs
    ]


@pytest.mark.parametrize("synonyms", [None, {"botox": ["tox", "neurotoxin"], "filler": ["dermal filler"]}])
def test_a_matcher_from_the_cache_scores_exactly_as_a_built_one(
    tmp_path: Path, synonyms: dict | None
) -> None:
    es = entries(400)
    syn = Synonyms.from_mapping(synonyms) if synonyms else load_synonyms(None)
    built = Matcher(es, synonyms=syn)
    key = indexcache.cache_key((content_hash(e) for e in es), syn)
    indexcache.save(tmp_path, key, built.arrays())
    cached = indexcache.load(tmp_path, key)
    assert cached is not None
    loaded = Matcher(es, synonyms=syn, cached=cached)
    qs = queries(es, random.Random(11))
    assert results(loaded, qs) == results(built, qs)
    assert sum(1 for q in qs if (r := built.rank(q)) and r[0].confidence == 1.0) >= 60  # exact hits covered


def test_the_key_follows_the_entries_their_order_and_the_synonyms() -> None:
    es = entries(20)
    hashes = [content_hash(e) for e in es]
    base = indexcache.cache_key(hashes, Synonyms())
    assert indexcache.cache_key(list(hashes), Synonyms()) == base
    assert indexcache.cache_key(hashes[::-1], Synonyms()) != base
    edited = [*es[:-1], es[-1].with_changes(question=es[-1].question + " again")]
    assert indexcache.cache_key([content_hash(e) for e in edited], Synonyms()) != base
    assert indexcache.cache_key(hashes, Synonyms.from_mapping({"botox": ["tox"]})) != base


def test_a_damaged_cache_file_is_ignored(tmp_path: Path) -> None:
    es = entries(50)
    key = indexcache.cache_key((content_hash(e) for e in es), Synonyms())
    indexcache.save(tmp_path, key, Matcher(es).arrays())
    (path,) = tmp_path.glob("index-*.npz")
    path.write_bytes(path.read_bytes()[:100])
    assert indexcache.load(tmp_path, key) is None
    assert indexcache.load(tmp_path, "0" * 64) is None  # never written


async def test_a_service_reopening_the_same_store_loads_the_index(
    tmp_path: Path, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(indexcache, "MIN_ENTRIES", 1)  # the seed store is small
    config = Config.model_validate(
        {
            "data_dir": str(data_dir),
            "database": {"url": f"sqlite:///{tmp_path / 'faq.db'}"},
            "matching": {"semantic": "off"},
        }
    )
    first = await FaqService.open(config)
    try:
        files = list(tmp_path.glob("index-*.npz"))
        assert len(files) == 1 and not first._scopes[GLOBAL].matcher.from_cache  # type: ignore[union-attr]
        expected = await first.ask("does botox make skin smoother", record=False)
    finally:
        await first.close()
    stamp = files[0].stat().st_mtime_ns
    again = await FaqService.open(config)
    try:
        assert list(tmp_path.glob("index-*.npz")) == files and files[0].stat().st_mtime_ns >= stamp
        assert again._scopes[GLOBAL].matcher.from_cache  # type: ignore[union-attr]
        assert (await again.ask("does botox make skin smoother", record=False)) == expected
        assert again.rank("botox pores", None) == first.rank("botox pores", None)
    finally:
        await again.close()
