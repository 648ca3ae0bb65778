"""Per-guild settings that moderators change with /faq settings, validated before saving.

Stored as a JSON object per guild (`GuildSettings.stored()`: only the keys a guild set, plus
`keyword_channels`); absent keys fall back to the config file's values. Reads are a typed
`GuildSettings`; a write is a `SettingsChange` — only the fields it sets and the ones it
resets — applied to the settings as stored when the write happens, so two moderators changing
different settings at once both keep their change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.config import ThresholdsConfig


class SettingsError(ValueError):
    pass


def _problems(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())


def _reads(data: Mapping[str, Any]) -> bool:
    try:
        GuildSettings.model_validate(data)
    except ValidationError:
        return False
    return True


class RoleCredit(BaseModel):
    """What membership of a role vouches for on a saved answer (Save to FAQ, Ask the experts)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    field: Literal["credentials", "specialty"]
    text: str = Field(min_length=1, max_length=200)


class _Fields(BaseModel):
    """Every setting, unset by default: what GuildSettings holds and a SettingsChange may set."""

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
    # Save to FAQ: role id → what membership vouches for.
    role_credits: dict[str, RoleCredit] | None = Field(None, max_length=50)
    # Ask the experts: where questions go, who answers, whom to ping, whether answers skip approval.
    experts_channel_id: int | None = None
    expert_role_ids: list[int] | None = Field(None, max_length=25)
    experts_ping_role_id: int | None = None
    experts_trusted: bool | None = None
    web_public: bool | None = None  # serve this server's own entries on the web pages (never by default)


SETTING_NAMES = frozenset(_Fields.model_fields)


class GuildSettings(_Fields):
    """A guild's own settings (unset: None / empty; the config file's values apply then)."""

    @classmethod
    def from_stored(cls, stored: Mapping[str, Any]) -> GuildSettings:
        """The stored JSON object read back; SettingsError names a key that does not validate."""
        try:
            return cls.model_validate(stored)
        except ValidationError as exc:
            raise SettingsError(_problems(exc)) from None

    @classmethod
    def readable(cls, stored: Mapping[str, Any]) -> GuildSettings:
        """What still reads of stored settings an older version wrote: each key that validates
        on its own, the others (unknown, or a value no longer allowed) left at their defaults.
        For reading only, never written back."""
        return cls.model_validate({k: v for k, v in stored.items() if _reads({k: v})})

    def stored(self) -> dict[str, Any]:
        """The stored JSON form: the keys set (None values dropped)."""
        return self.model_dump(mode="json", exclude_none=True)

    def credit_for(self, role_id: int) -> RoleCredit | None:
        return (self.role_credits or {}).get(str(role_id))


class SettingsChange(_Fields):
    """One write: the fields given are set (checked like GuildSettings' own), the ones named
    in `reset` return to their defaults; nothing else is touched. Combine with `|` (the right
    side wins). A bad value raises SettingsError naming the field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reset: frozenset[str] = frozenset()

    if not TYPE_CHECKING:  # typed keywords for mypy (the pydantic plugin), SettingsError at run time

        def __init__(self, **data: Any) -> None:
            try:
                super().__init__(**data)
            except ValidationError as exc:
                raise SettingsError(_problems(exc)) from None

    @field_validator("reset")
    @classmethod
    def _known(cls, names: frozenset[str]) -> frozenset[str]:
        unknown = sorted(names - SETTING_NAMES)
        if unknown:
            raise ValueError(f"no such setting: {', '.join(unknown)}")
        return names

    @classmethod
    def resetting(cls, names: Iterable[str]) -> SettingsChange:
        return cls(reset=frozenset(names))

    def values(self) -> dict[str, object]:
        """The fields this change sets, as typed values."""
        return {k: getattr(self, k) for k in sorted(self.model_fields_set - {"reset"})}

    @property
    def names(self) -> list[str]:
        """Every setting this change touches, sorted: what "Saved: …" lists."""
        return sorted({*self.values(), *self.reset})

    def __bool__(self) -> bool:
        return bool(self.names)

    def __eq__(self, other: object) -> bool:  # a field set to its default is still a change
        if not isinstance(other, SettingsChange):
            return NotImplemented
        return self.values() == other.values() and self.reset == other.reset

    __hash__ = None  # type: ignore[assignment]

    def __or__(self, other: SettingsChange) -> SettingsChange:
        values = {k: v for k, v in self.values().items() if k not in other.reset}
        values.update(other.values())
        reset = (self.reset - values.keys()) | other.reset
        return SettingsChange.model_validate({**values, "reset": reset})  # values checked already

    def apply(self, stored: Mapping[str, Any]) -> GuildSettings:
        """The settings `stored` (as stored now) become with this change, checked whole
        (e.g. a list that grew past its limit): SettingsError names the key."""
        data = {k: v for k, v in stored.items() if k not in self.reset}
        data.update(self.model_dump(mode="json", include=set(self.values())))
        return GuildSettings.from_stored({k: v for k, v in data.items() if v is not None})
