"""The byline preview a moderator confirms before an add / answer form is saved (issue 15)."""

from __future__ import annotations

from bot.bylines import Byline
from bot.models import Provider
from bot.present.embeds import escape_markdown


def byline_preview(byline: Byline) -> dict[str, object]:
    """The embed the moderator checks before saving: the byline as members see it, each field,
    and any reading that was a fallback."""
    p = byline.provider or Provider()
    fields = [
        {"name": name, "value": escape_markdown(value) if value else "—", "inline": True}
        for name, value in (
            ("Name", p.name),
            ("Credentials", p.credentials),
            ("Specialty", p.specialty),
            ("Location", p.location),
        )
    ]
    if p.profile_url:
        fields.append({"name": "Profile link", "value": p.profile_url, "inline": False})
    description = (
        f"**{escape_markdown(byline.text())}**\nThis is how members will see the expert under the answer."
    )
    if byline.doubts:
        description += (
            "\n⚠️ Please check: I "
            + escape_markdown("; ".join(byline.doubts))
            + ". **Edit** if that is wrong."
        )
    return {"title": "Check the expert's byline", "description": description, "fields": fields}
