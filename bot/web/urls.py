"""Which entries are public on the web, and their permalinks.

Pure and import-light (no aiohttp, no Jinja2): the Discord side uses it to link answers to
their pages, the web app to decide what it may serve.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from bot.config import WebConfig
from bot.models import Entry
from bot.settings import GuildSettings


def guild_is_public(web: WebConfig, settings: GuildSettings | None) -> bool:
    """A server's own entries are public only when the operator allows server pages and that
    server's moderators turned `web_public` on; never by default."""
    return web.guild_pages and settings is not None and settings.web_public is True


def entry_path(entry_id: str, guild_id: int | None = None) -> str:
    """The stable permalink path: /faq/<id> for global entries, /g/<guild>/faq/<id> for a server's."""
    return f"/g/{guild_id}/faq/{entry_id}" if guild_id else f"/faq/{entry_id}"


def scope_path(guild_id: int | None) -> str:
    """The index of a scope: / or /g/<guild>/."""
    return f"/g/{guild_id}/" if guild_id else "/"


def entry_url(web: WebConfig, entry: Entry, guild_settings: GuildSettings | None = None) -> str | None:
    """The absolute address of an entry's page, or None when there is none to link to: no
    base_url configured, or a server entry its server has not made public. base_url alone
    decides: the pages may be served by another process (`faqbot web`) than the bot's."""
    if not web.base_url:
        return None
    if entry.guild_id and not guild_is_public(web, guild_settings):
        return None
    return web.base_url + entry_path(entry.id, entry.guild_id)


def safe_href(url: str | None) -> str | None:
    """`url` if it may be a link target (http/https with a host); None otherwise, so stored
    `javascript:`, `data:` or relative addresses are shown as text, never followed."""
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    if any(ord(c) < 0x21 for c in url.strip()):  # control characters or spaces inside
        return None
    return url.strip()
