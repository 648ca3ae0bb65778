"""Configuration: a YAML file validated by pydantic, secrets from the environment.

Every option is documented in config.example.yaml. No file at all is fine: the defaults run
the offline CLI on ./data with ./faqbot.db.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from bot.files import read_text_file
from bot.validate import SNOWFLAKE_MAX
from bot.yamlio import parse_yaml

# A Discord id (guild, role): positive and within the store's 64-bit columns.
Snowflake = Annotated[int, Field(gt=0, le=SNOWFLAKE_MAX)]

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

    @field_validator("semantic", mode="before")
    @classmethod
    def _yaml_bool(cls, value: Any) -> Any:
        # YAML 1.1 reads an unquoted `off` / `on` (and no/yes/false/true) as a boolean.
        return {False: "off", True: "on"}.get(value, value) if isinstance(value, bool) else value

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

    @field_validator("url")
    @classmethod
    def _supported(cls, value: str) -> str:
        return check_database_url(value)

    def sqlite_path(self) -> str | None:
        """The SQLite file (":memory:" for an in-memory store), or None for PostgreSQL."""
        return sqlite_path(self.url)


_SCHEME = re.compile(r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]+):")  # 2+ letters: not a drive letter
_POSTGRES = ("postgresql", "postgres", "postgresql+asyncpg", "postgres+asyncpg")
URL_HELP = "use sqlite:///path/to/faqbot.db or postgresql://user@host/db"


def check_database_url(url: str) -> str:
    """The URL in the form the stores open (sqlite:///PATH or postgresql://…), or ValueError.

    A bare path is a SQLite file; postgres:// and postgresql+asyncpg:// are PostgreSQL. Any other
    scheme is refused: "mysql://x" must not silently become a SQLite file named "mysql:/x"."""
    url = url.strip()
    if not url:
        raise ValueError(f"is empty; {URL_HELP}")
    m = _SCHEME.match(url)
    if m is None:
        return "sqlite:///" + url
    scheme = m["scheme"].lower()
    if scheme == "sqlite":
        if not url.startswith("sqlite://"):
            raise ValueError(f"{url!r} is not a SQLite URL; {URL_HELP}")
        if not sqlite_path(url):
            raise ValueError(f"{url!r} names no database file; {URL_HELP}")
        return url
    if scheme in _POSTGRES:
        rest = url[m.end() :]
        if not rest.startswith("//"):
            raise ValueError(f"{url!r} is not a PostgreSQL URL; {URL_HELP}")
        return "postgresql:" + rest  # asyncpg takes postgresql:// (the +asyncpg form is SQLAlchemy's)
    raise ValueError(f"the scheme {scheme!r} is not supported (only SQLite and PostgreSQL); {URL_HELP}")


def sqlite_path(url: str) -> str | None:
    if not url.startswith("sqlite:"):
        return None
    return url.removeprefix("sqlite:///").removeprefix("sqlite://")


class DiscordConfig(_Strict):
    token: str | None = None  # prefer the DISCORD_TOKEN environment variable
    dev_guild_id: Snowflake | None = None  # sync commands to this guild only: instant updates
    sync_commands: bool = True
    shard_count: int | None = Field(None, ge=1)
    shard_ids: list[int] | None = None
    moderator_role_id: Snowflake | None = None  # default moderator role; guilds can set their own
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
        path = self.database.sqlite_path()
        if path and path != ":memory:":
            return str(Path(path).resolve().parent)
        return "."

    def token(self) -> str | None:
        return os.environ.get("DISCORD_TOKEN") or self.discord.token


class ConfigError(ValueError):
    """Every problem in a config file, one per line, ready to print."""


def _format_errors(name: str, exc: ValidationError, lines: dict[str, int], origins: dict[str, str]) -> str:
    out = []
    for err in exc.errors():
        path = ".".join(str(p) for p in err["loc"])
        line = lines.get(path) or lines.get(path.rsplit(".", 1)[0])
        origin = next((o for k, o in origins.items() if path == k or path.startswith(k + ".")), None)
        where = origin or (f"{name}:{line}" if line else name)
        msg = err["msg"]
        if err["type"] == "extra_forbidden":
            msg = "unknown option; see config.example.yaml for the options"
        elif err["type"] == "value_error":
            msg = str(err.get("ctx", {}).get("error", msg))
        out.append(f"{where}: option {path!r}: {msg}")
    return "\n".join(out)


# Options holding a path; a relative one in a config file is relative to that file.
_PATH_OPTIONS = (("data_dir",), ("matching", "model_dir"), ("matching", "cache_dir"))


def _relative_to(data: dict[str, Any], base: Path) -> dict[str, Any]:
    """Every relative path option of a config file (and a relative SQLite file) made absolute
    against `base`, the file's folder, as config.example.yaml promises."""
    out = {k: (dict(v) if isinstance(v, dict) else v) for k, v in data.items()}
    for *parents, key in _PATH_OPTIONS:
        section: Any = out
        for p in parents:
            section = section.get(p) if isinstance(section.get(p), dict) else {}
        value = section.get(key)
        if isinstance(value, str) and value:
            section[key] = str(base / Path(value).expanduser())
    database = out.get("database")
    if isinstance(database, dict) and isinstance(database.get("url"), str):
        try:
            url = check_database_url(database["url"])
        except ValueError:
            return out  # validation reports it, naming the option
        path = sqlite_path(url)
        if path and path != ":memory:" and not Path(path).expanduser().is_absolute():
            database["url"] = f"sqlite:///{base / Path(path).expanduser()}"
    return out


def _check_database_path(config: Config, where: str) -> None:
    """A SQLite file that is a directory: say so now (SQLite's own words are vaguer)."""
    path = config.database.sqlite_path()
    if not path or path == ":memory:":
        return
    if Path(path).is_dir():
        raise ConfigError(
            f"{where}: option 'database.url': {path} is a directory; "
            f"name a file, e.g. {Path(path) / 'faqbot.db'}"
        )
    for parent in Path(path).parents:
        if parent.exists() and not parent.is_dir():
            raise ConfigError(
                f"{where}: option 'database.url': {parent} is a file, so {path} cannot be created; "
                "name a file in a folder"
            )


def load_config(
    path: str | Path | None,
    overrides: dict[str, Any] | None = None,
    *,
    override_names: dict[str, str] | None = None,
) -> Config:
    """Read and validate; `FAQBOT_DATABASE_URL` overrides database.url (a secret), then
    `overrides` (top-level options; `override_names` says how to name each in messages, e.g.
    "--db"). Relative paths in the file are relative to the file; elsewhere to the working
    directory."""
    data: dict[str, Any] = {}
    lines: dict[str, int] = {}
    origins: dict[str, str] = {}  # option → where its value came from, when not the file
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
        data = _relative_to(dict(loaded or {}), Path(path).resolve().parent)
    if url := os.environ.get("FAQBOT_DATABASE_URL"):  # relative to the working directory
        data["database"] = {**(data.get("database") or {}), "url": url}
        origins["database.url"] = "FAQBOT_DATABASE_URL"
    for key, value in (overrides or {}).items():
        data[key] = value
        origins[key] = (override_names or {}).get(key, "command line")
    try:
        config = Config.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(_format_errors(name, exc, lines, origins)) from None
    _check_database_path(config, origins.get("database.url") or origins.get("database") or name)
    return config
