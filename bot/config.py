"""Configuration: a YAML file validated by pydantic, secrets from the environment.

Every option is documented in config.example.yaml. No file at all is fine: the defaults run
the offline CLI on ./data with ./faqbot.db.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.yamlio import parse_yaml, read_text_file

DEFAULT_DISCLAIMER = (
    "General information from the experts quoted, not medical advice for you. "
    "Ask your own doctor before any treatment."
)


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ThresholdsConfig(_Strict):
    answer: float | None = Field(None, ge=0, le=1)
    suggest: float | None = Field(None, ge=0, le=1)
    keyword: float | None = Field(None, ge=0, le=1)


class MatchingConfig(_Strict):
    semantic: Literal["auto", "on", "off"] = "auto"
    model_dir: str | None = None  # a local ONNX model + tokenizer.json instead of the packaged one
    cache_dir: str | None = None  # embedding cache; default: beside the SQLite file (else ./)
    thresholds: ThresholdsConfig = ThresholdsConfig()


class RateLimit(_Strict):
    count: int = Field(5, ge=1, le=1000)
    per_seconds: float = Field(30, gt=0, le=86400)


class RepliesConfig(_Strict):
    disclaimer: str = Field(DEFAULT_DISCLAIMER, max_length=2048)
    max_points: int = Field(6, ge=1, le=15)
    ask_rate_limit: RateLimit = RateLimit()


class KeywordRepliesConfig(_Strict):
    channel_cooldown_seconds: float = Field(60, ge=0, le=86400)
    user_cooldown_seconds: float = Field(120, ge=0, le=86400)


class DatabaseConfig(_Strict):
    url: str = "sqlite:///faqbot.db"


class DiscordConfig(_Strict):
    token: str | None = None  # prefer the DISCORD_TOKEN environment variable
    dev_guild_id: int | None = None  # sync commands to this guild only: instant updates
    sync_commands: bool = True
    shard_count: int | None = Field(None, ge=1)
    shard_ids: list[int] | None = None
    moderator_role_id: int | None = None  # default moderator role; guilds can set their own
    message_content: bool = False  # privileged intent, needed only for keyword replies

    @field_validator("shard_ids")
    @classmethod
    def _shards(cls, value: list[int] | None) -> list[int] | None:
        if value is not None and any(s < 0 for s in value):
            raise ValueError("shard ids are 0 or more")
        return value


class LoggingConfig(_Strict):
    level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    format: Literal["text", "json"] = "text"


class WebConfig(_Strict):
    """The public FAQ pages (issue 18): off unless enabled; global entries are public when on,
    a server's own entries only when its moderators turn on `/faq settings web_public`."""

    enabled: bool = False
    host: str = "127.0.0.1"
    port: int = Field(8080, ge=0, le=65535)  # 0: any free port (tests)
    base_url: str | None = Field(None, max_length=200)  # e.g. https://faq.example.org: Discord links
    site_name: str = Field("FAQ", min_length=1, max_length=100)
    guild_pages: bool = True  # False: no server's entries are served, whatever its moderators set
    behind_proxy: bool = False  # trust the last X-Forwarded-For hop for the per-address rate limit
    rate_limit: RateLimit = RateLimit(count=120, per_seconds=60)  # requests per client address

    @field_validator("base_url")
    @classmethod
    def _base_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
            raise ValueError("an http:// or https:// address without query or fragment")
        return value.rstrip("/")


class Config(_Strict):
    data_dir: str = "data"
    database: DatabaseConfig = DatabaseConfig()
    discord: DiscordConfig = DiscordConfig()
    matching: MatchingConfig = MatchingConfig()
    replies: RepliesConfig = RepliesConfig()
    keyword_replies: KeywordRepliesConfig = KeywordRepliesConfig()
    logging: LoggingConfig = LoggingConfig()
    web: WebConfig = WebConfig()

    def embedding_cache_dir(self) -> str:
        """Where embeddings persist between restarts, so a restart does not re-embed the store."""
        if self.matching.cache_dir:
            return self.matching.cache_dir
        url = self.database.url
        if url.startswith("sqlite") and not url.endswith(":memory:"):
            return str(Path(url.removeprefix("sqlite:///").removeprefix("sqlite://")).resolve().parent)
        return "."

    def token(self) -> str | None:
        return os.environ.get("DISCORD_TOKEN") or self.discord.token


class ConfigError(ValueError):
    """Every problem in a config file, one per line, ready to print."""


def _format_errors(name: str, exc: ValidationError, lines: dict[str, int]) -> str:
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        line = lines.get(path) or lines.get(path.rsplit(".", 1)[0])
        where = f"{name}:{line}" if line else name
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown option; see config.example.yaml for the options"
        out.append(f"{where}: option {path!r}: {msg}")
    return "\n".join(out)


def load_config(path: str | Path | None, overrides: dict[str, Any] | None = None) -> Config:
    """Read and validate; `FAQBOT_DATABASE_URL` overrides database.url (a secret)."""
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    name = str(path) if path else "<defaults>"
    if path is not None:
        text, problem = read_text_file(Path(path), 256 * 1024)
        if problem:
            raise ConfigError(str(problem))
        assert text is not None
        loaded, lines, problems = parse_yaml(text, name)
        if problems:
            raise ConfigError("\n".join(map(str, problems)))
        if loaded is not None and not isinstance(loaded, dict):
            raise ConfigError(f"{name}: the config must be a mapping of options")
        data = dict(loaded or {})
        base = Path(path).resolve().parent  # relative paths in the file are relative to it
        if isinstance(data.get("data_dir"), str):
            data["data_dir"] = str(base / data["data_dir"])
    if url := os.environ.get("FAQBOT_DATABASE_URL"):
        data["database"] = {**(data.get("database") or {}), "url": url}
    for key, value in (overrides or {}).items():
        data[key] = value
    try:
        return Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(name, exc, lines)) from None
