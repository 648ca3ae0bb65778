"""Per-guild settings that moderators change with /faq settings, validated before saving.

Stored as a JSON object per guild; absent keys fall back to the config file's values.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.config import ThresholdsConfig


class RoleCredit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    field: Literal["credentials", "specialty"]
    text: str = Field(min_length=1, max_length=200)


class GuildSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keyword_channels: list[int] = Field(default_factory=list, max_length=100)
    thresholds: ThresholdsConfig | None = None
    disclaimer: str | None = Field(None, max_length=2048)
    moderator_role_id: int | None = None
    keyword_channel_cooldown: float | None = Field(None, ge=0, le=86400)  # seconds
    keyword_user_cooldown: float | None = Field(None, ge=0, le=86400)
    synonyms: dict[str, list[str]] | None = None  # the guild's own words, added to data/synonyms.yaml
    # Help forums (issue 16): forum or text channels whose new posts/threads get a suggestion.
    suggest_channels: list[int] | None = Field(None, max_length=100)
    suggest_solved_tag: str | None = Field(None, min_length=1, max_length=20)  # forum tag put on "Solved"
    suggest_close_solved: bool | None = None  # archive the post on "Solved"
    # Save to FAQ: role id → what membership vouches for ({"field": credentials|specialty, "text": ...}).
    role_credits: dict[str, RoleCredit] | None = Field(None, max_length=50)
    # Ask the experts: where questions go, who answers, whom to ping, whether answers skip approval.
    experts_channel_id: int | None = None
    expert_role_ids: list[int] | None = Field(None, max_length=25)
    experts_ping_role_id: int | None = None
    experts_trusted: bool | None = None
    web_public: bool | None = None  # serve this server's own entries on the web pages (never by default)


class SettingsError(ValueError):
    pass


def validate_settings(data: dict[str, Any]) -> dict[str, Any]:
    """The cleaned settings dict (None values dropped), or SettingsError saying which key."""
    try:
        model = GuildSettings.model_validate(data)
    except ValidationError as exc:
        problems = [f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors()]
        raise SettingsError("; ".join(problems)) from None
    return model.model_dump(exclude_none=True, exclude_defaults=False)
