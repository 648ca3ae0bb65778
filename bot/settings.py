"""Per-guild settings that moderators change with /faq settings, validated before saving.

Stored as a JSON object per guild; absent keys fall back to the config file's values.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.config import ThresholdsConfig


class GuildSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    keyword_channels: list[int] = Field(default_factory=list, max_length=100)
    thresholds: ThresholdsConfig | None = None
    disclaimer: str | None = Field(None, max_length=2048)
    moderator_role_id: int | None = None
    keyword_channel_cooldown: float | None = Field(None, ge=0, le=86400)  # seconds
    keyword_user_cooldown: float | None = Field(None, ge=0, le=86400)
    synonyms: dict[str, list[str]] | None = None  # the guild's own words, added to data/synonyms.yaml
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
