"""Entry ⇄ plain dict (the shape of the YAML files and of the store's JSON column).

Lossless both ways: `entry_from_dict(entry_to_dict(e)) == e`. Validation of untrusted dicts
lives in `bot.validate`; these functions assume a dict that has passed it.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from typing import Any

from bot.models import Answer, Entry, Provider, Source, Summary
from bot.summary.serialize import summary_from_dict as parse_summary_dict
from bot.summary.serialize import summary_to_dict as summary_dict

PROVIDER_FIELDS = ("name", "credentials", "specialty", "location", "profile_url")


def provider_to_dict(p: Provider | None) -> dict[str, str] | None:
    if p is None:
        return None
    return {k: v for k in PROVIDER_FIELDS if (v := getattr(p, k))}


def summary_to_dict(s: Summary) -> dict[str, Any]:
    """The YAML/stored shape of a summary: whether it is curated is known from where it is."""
    d = summary_dict(s)
    del d["curated"]
    for x in d["disagreements"]:  # a curated side need not say whose words it quotes
        for side in x["sides"]:
            if side["quoted_from"] is None:
                del side["quoted_from"]
    if not d["experts"]:
        del d["experts"]
    return d


def summary_from_dict(d: dict[str, Any], *, curated: bool) -> Summary:
    return replace(parse_summary_dict(d), curated=curated)


def entry_to_dict(e: Entry, *, with_meta: bool = True) -> dict[str, Any]:
    """The YAML/JSON shape. Empty optional fields are left out to keep files reviewable."""
    out: dict[str, Any] = {"id": e.id, "question": e.question}
    if e.body:
        out["body"] = e.body
    if e.phrasings:
        out["phrasings"] = list(e.phrasings)
    if e.tags:
        out["tags"] = list(e.tags)
    if e.source and (e.source.title or e.source.url):
        out["source"] = {k: v for k in ("title", "url") if (v := getattr(e.source, k))}
    if e.summary is not None:
        out["summary"] = summary_to_dict(e.summary)
    out["answers"] = [
        {"title": a.title, "text": a.text, "provider": provider_to_dict(a.provider)} for a in e.answers
    ]
    if with_meta:
        if e.guild_id is not None:
            out["guild_id"] = e.guild_id
        for key in ("created_at", "created_by", "updated_at", "updated_by"):
            if (value := getattr(e, key)) is not None:
                out[key] = value
    return out


def entry_from_dict(d: dict[str, Any]) -> Entry:
    source = d.get("source")
    return Entry(
        id=d["id"],
        question=d["question"],
        body=d.get("body") or "",
        phrasings=tuple(d.get("phrasings") or ()),
        tags=tuple(d.get("tags") or ()),
        source=Source(source.get("title"), source.get("url")) if source else None,
        summary=summary_from_dict(d["summary"], curated=True) if d.get("summary") else None,
        answers=tuple(
            Answer(
                title=a.get("title") or "",
                text=a["text"],
                provider=Provider(**{k: a["provider"].get(k) for k in PROVIDER_FIELDS})
                if a.get("provider")
                else None,
            )
            for a in d["answers"]
        ),
        guild_id=d.get("guild_id"),
        created_at=d.get("created_at"),
        updated_at=d.get("updated_at"),
        created_by=d.get("created_by"),
        updated_by=d.get("updated_by"),
    )


def content_hash(e: Entry) -> str:
    """Hash of what the entry says (not when or by whom): unchanged content → same hash."""
    blob = json.dumps(entry_to_dict(e, with_meta=False), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(blob.encode()).hexdigest()
