"""Discord-shaped JSON payload builders (API v10), pure functions with no I/O.

Shapes follow the Discord developer documentation closely enough that discord.py 2.7 parses
them without special-casing; every id is a string snowflake, as on the wire.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import threading
import time
from typing import Any

JSON = dict[str, Any]

DISCORD_EPOCH_MS = 1_420_070_400_000

# Permission bits used by the defaults (https://discord.com/developers/docs/topics/permissions).
VIEW_CHANNEL = 1 << 10
SEND_MESSAGES = 1 << 11
EMBED_LINKS = 1 << 14
ATTACH_FILES = 1 << 15
READ_MESSAGE_HISTORY = 1 << 16
ADD_REACTIONS = 1 << 6
USE_EXTERNAL_EMOJIS = 1 << 18
USE_APPLICATION_COMMANDS = 1 << 31
SEND_MESSAGES_IN_THREADS = 1 << 38
MANAGE_MESSAGES = 1 << 13
MANAGE_GUILD = 1 << 5
ADMINISTRATOR = 1 << 3
ALL_PERMISSIONS = (1 << 53) - 1

EVERYONE_PERMISSIONS = (
    VIEW_CHANNEL
    | SEND_MESSAGES
    | EMBED_LINKS
    | ATTACH_FILES
    | READ_MESSAGE_HISTORY
    | ADD_REACTIONS
    | USE_EXTERNAL_EMOJIS
    | USE_APPLICATION_COMMANDS
    | SEND_MESSAGES_IN_THREADS
)
MODERATOR_PERMISSIONS = EVERYONE_PERMISSIONS | MANAGE_MESSAGES | MANAGE_GUILD

# Channel types.
GUILD_TEXT = 0
DM = 1
MESSAGE_CONTENT_INTENT = 1 << 15  # gateway intent: message text in events and REST reads
GUILD_FORUM = 15

# Interaction types.
PING = 1
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
APPLICATION_COMMAND_AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

# Application command types and option types.
CHAT_INPUT = 1
USER_COMMAND = 2
MESSAGE_COMMAND = 3
SUB_COMMAND = 1
SUB_COMMAND_GROUP = 2
STRING = 3
INTEGER = 4
BOOLEAN = 5
USER = 6
CHANNEL = 7
ROLE = 8
NUMBER = 10

# Message flags.
EPHEMERAL = 1 << 6
LOADING = 1 << 7


class SnowflakeGenerator:
    """Time-ordered snowflakes: ms since the Discord epoch << 22 | worker | process | increment."""

    def __init__(self, worker: int = 1) -> None:
        self._worker = worker & 0x1F
        self._process = os.getpid() & 0x1F
        self._counter = itertools.count()
        self._lock = threading.Lock()
        self._last = 0

    def next(self) -> int:
        with self._lock:
            ms = max(int(time.time() * 1000) - DISCORD_EPOCH_MS, self._last)
            inc = next(self._counter) & 0xFFF
            if inc == 0xFFF:
                ms += 1
            self._last = ms
            return (ms << 22) | (self._worker << 17) | (self._process << 12) | inc


def snowflake_time(snowflake: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(((snowflake >> 22) + DISCORD_EPOCH_MS) / 1000, dt.UTC)


def iso_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat()


def user(user_id: int, username: str, *, bot: bool = False, global_name: str | None = None) -> JSON:
    data: JSON = {
        "id": str(user_id),
        "username": username,
        "discriminator": "0",
        "global_name": global_name if global_name is not None else (None if bot else username),
        "avatar": None,
        "public_flags": 0,
        "flags": 0,
        "banner": None,
        "accent_color": None,
        "avatar_decoration_data": None,
        "primary_guild": None,
    }
    if bot:
        data["bot"] = True
    return data


def role(role_id: int, name: str, permissions: int, *, position: int = 0) -> JSON:
    return {
        "id": str(role_id),
        "name": name,
        "color": 0,
        "colors": {"primary_color": 0, "secondary_color": None, "tertiary_color": None},
        "hoist": False,
        "icon": None,
        "unicode_emoji": None,
        "position": position,
        "permissions": str(permissions),
        "managed": False,
        "mentionable": False,
        "flags": 0,
    }


def member(user_data: JSON, *, roles: list[int] | None = None, nick: str | None = None) -> JSON:
    return {
        "user": user_data,
        "nick": nick,
        "avatar": None,
        "banner": None,
        "roles": [str(r) for r in roles or []],
        "joined_at": iso_now(),
        "premium_since": None,
        "deaf": False,
        "mute": False,
        "flags": 0,
        "pending": False,
        "communication_disabled_until": None,
    }


def guild_channel(
    channel_id: int,
    guild_id: int,
    name: str,
    *,
    type: int = GUILD_TEXT,
    position: int = 0,
    parent_id: int | None = None,
    topic: str | None = None,
) -> JSON:
    return {
        "id": str(channel_id),
        "type": type,
        "guild_id": str(guild_id),
        "name": name,
        "position": position,
        "permission_overwrites": [],
        "parent_id": str(parent_id) if parent_id else None,
        "nsfw": False,
        "topic": topic,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "flags": 0,
    }


def dm_channel(channel_id: int, recipient: JSON) -> JSON:
    return {
        "id": str(channel_id),
        "type": DM,
        "last_message_id": None,
        "flags": 0,
        "recipients": [recipient],
    }


def guild(
    guild_id: int,
    name: str,
    *,
    owner_id: int,
    roles: list[JSON],
    channels: list[JSON],
    members: list[JSON],
    locale: str = "en-US",
) -> JSON:
    """A GUILD_CREATE payload (the REST guild object is the same minus the gateway extras)."""
    return {
        "id": str(guild_id),
        "name": name,
        "icon": None,
        "splash": None,
        "discovery_splash": None,
        "banner": None,
        "description": None,
        "owner_id": str(owner_id),
        "region": None,
        "afk_channel_id": None,
        "afk_timeout": 300,
        "verification_level": 0,
        "default_message_notifications": 0,
        "explicit_content_filter": 0,
        "mfa_level": 0,
        "nsfw_level": 0,
        "premium_tier": 0,
        "premium_subscription_count": 0,
        "premium_progress_bar_enabled": False,
        "preferred_locale": locale,
        "features": [],
        "system_channel_id": None,
        "system_channel_flags": 0,
        "rules_channel_id": None,
        "public_updates_channel_id": None,
        "safety_alerts_channel_id": None,
        "vanity_url_code": None,
        "max_members": 500_000,
        "max_video_channel_users": 25,
        "application_id": None,
        "roles": roles,
        "emojis": [],
        "stickers": [],
        "joined_at": iso_now(),
        "large": False,
        "unavailable": False,
        "member_count": len(members),
        "members": members,
        "channels": channels,
        "threads": [],
        "presences": [],
        "voice_states": [],
        "stage_instances": [],
        "guild_scheduled_events": [],
        "soundboard_sounds": [],
        "lazy": True,
    }


def application(app_id: int, name: str, owner: JSON, *, flags: int = 0) -> JSON:
    return {
        "id": str(app_id),
        "name": name,
        "icon": None,
        "description": "",
        "type": None,
        "bot_public": True,
        "bot_require_code_grant": False,
        "owner": owner,
        "team": None,
        "summary": "",
        "verify_key": "0" * 64,
        "flags": flags,
        "hook": True,
        "is_monetized": False,
        "integration_types_config": {"0": {}, "1": {}},
        "approximate_guild_count": 1,
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "role_connections_verification_url": None,
        "tags": [],
        "rpc_origins": [],
        "terms_of_service_url": None,
        "privacy_policy_url": None,
        "custom_install_url": None,
        "install_params": None,
        "bot": owner,
    }


def attachment(
    attachment_id: int,
    filename: str,
    size: int,
    url: str,
    *,
    content_type: str | None = None,
    description: str | None = None,
) -> JSON:
    data: JSON = {
        "id": str(attachment_id),
        "filename": filename,
        "size": size,
        "url": url,
        "proxy_url": url,
        "content_type": content_type,
    }
    if description is not None:
        data["description"] = description
    return data


def message(
    message_id: int,
    channel_id: int,
    author: JSON,
    *,
    content: str = "",
    guild_id: int | None = None,
    member_data: JSON | None = None,
    type: int = 0,
    flags: int = 0,
    embeds: list[JSON] | None = None,
    components: list[JSON] | None = None,
    attachments: list[JSON] | None = None,
    webhook_id: int | None = None,
    application_id: int | None = None,
    interaction_metadata: JSON | None = None,
    message_reference: JSON | None = None,
    tts: bool = False,
) -> JSON:
    data: JSON = {
        "id": str(message_id),
        "channel_id": str(channel_id),
        "author": author,
        "content": content,
        "timestamp": iso_now(),
        "edited_timestamp": None,
        "tts": tts,
        "mention_everyone": False,
        "mentions": [],
        "mention_roles": [],
        "mention_channels": [],
        "attachments": attachments or [],
        "embeds": [dict(e, type=e.get("type", "rich")) for e in embeds or []],
        "reactions": [],
        "pinned": False,
        "type": type,
        "flags": flags,
        "components": components or [],
    }
    if guild_id is not None:
        data["guild_id"] = str(guild_id)
        if member_data is not None:
            data["member"] = {k: v for k, v in member_data.items() if k != "user"}
    if webhook_id is not None:
        data["webhook_id"] = str(webhook_id)
    if application_id is not None:
        data["application_id"] = str(application_id)
    if interaction_metadata is not None:
        data["interaction_metadata"] = interaction_metadata
    if message_reference is not None:
        data["message_reference"] = message_reference
    return data


def find_component(components: list[JSON], custom_id: str) -> JSON | None:
    """Depth-first search of a message's (or modal's) component tree for ``custom_id``."""
    for comp in components:
        if comp.get("custom_id") == custom_id:
            return comp
        children = list(comp.get("components", []))
        if isinstance(comp.get("component"), dict):
            children.append(comp["component"])
        if isinstance(comp.get("accessory"), dict):
            children.append(comp["accessory"])
        found = find_component(children, custom_id)
        if found is not None:
            return found
    return None


def infer_option_type(value: object) -> int:
    if isinstance(value, bool):
        return BOOLEAN
    if isinstance(value, int):
        return INTEGER
    if isinstance(value, float):
        return NUMBER
    return STRING


# --- threads and forums (issue 16) ----------------------------------------------------------
PUBLIC_THREAD = 11
THREAD_TYPES = frozenset({10, 11, 12})  # announcement, public, private threads


def forum_tag(tag_id: int, name: str) -> JSON:
    return {"id": str(tag_id), "name": name, "moderated": False, "emoji_id": None, "emoji_name": None}


def thread_channel(
    thread_id: int,
    guild_id: int,
    parent_id: int,
    name: str,
    *,
    owner_id: int,
    applied_tags: list[int] | None = None,
) -> JSON:
    """A public thread (a forum post is one too), as in THREAD_CREATE and GET /channels/{id}."""
    return {
        "id": str(thread_id),
        "type": PUBLIC_THREAD,
        "guild_id": str(guild_id),
        "parent_id": str(parent_id),
        "owner_id": str(owner_id),
        "name": name,
        "last_message_id": None,
        "rate_limit_per_user": 0,
        "message_count": 0,
        "member_count": 1,
        "total_message_sent": 0,
        "flags": 0,
        "applied_tags": [str(t) for t in applied_tags or []],
        "thread_metadata": {
            "archived": False,
            "auto_archive_duration": 4320,
            "archive_timestamp": iso_now(),
            "locked": False,
            "create_timestamp": iso_now(),
        },
    }
