"""The emulator's world (users, guilds, channels, messages, commands) and its request log."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from . import payloads as p
from .payloads import JSON

T = TypeVar("T")

# Default wait for every test-side ``await``: bounded, well under the 10 s ceiling.
DEFAULT_TIMEOUT = 5.0


@dataclass
class RecordedFile:
    field: str
    filename: str
    content_type: str | None
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode("utf-8", "replace")


@dataclass
class RecordedRequest:
    """One REST call the bot made. ``path`` is relative to ``/api/v10`` (e.g. ``/users/@me``)."""

    index: int
    method: str
    path: str
    query: dict[str, str]
    json: Any
    files: list[RecordedFile]
    headers: dict[str, str]
    status: int = 0
    response: Any = None
    known: bool = True
    # Ways the body breaks Discord's OpenAPI spec (``openapi.Violation``); empty when it conforms.
    violations: list[Any] = field(default_factory=list)
    at: float = field(default_factory=time.monotonic)
    claimed: bool = False

    def matches(self, method: str, path_prefix: str) -> bool:
        return self.method == method and self.path.startswith(path_prefix)

    def __repr__(self) -> str:
        body = json.dumps(self.json)[:120] if self.json is not None else ""
        return f"<{self.method} {self.path} -> {self.status} {body}>"


@dataclass
class GatewayFrame:
    """One gateway frame; ``direction`` is ``"recv"`` (bot → emulator) or ``"send"``."""

    direction: str
    op: int
    t: str | None
    s: int | None
    d: Any
    path: str = "/gateway"
    at: float = field(default_factory=time.monotonic)
    claimed: bool = False


@dataclass
class Callback:
    """The interaction callback the bot posted (``POST /interactions/{id}/{token}/callback``)."""

    type: int
    data: JSON
    files: list[RecordedFile]
    request: RecordedRequest

    @property
    def content(self) -> str | None:
        return self.data.get("content")

    @property
    def embeds(self) -> list[JSON]:
        return list(self.data.get("embeds") or [])

    @property
    def components(self) -> list[JSON]:
        return list(self.data.get("components") or [])

    @property
    def choices(self) -> list[JSON]:
        return list(self.data.get("choices") or [])

    @property
    def flags(self) -> int:
        return int(self.data.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & p.EPHEMERAL)


class Waitable:
    """A condition the emulator notifies whenever anything is recorded.

    ``settle`` is how long a successful wait lingers before returning, so the bot has processed
    the emulator's HTTP answer too (e.g. stored a view under the message id the callback
    returned) before the test acts on it — as a human's next click would come much later.
    """

    def __init__(self, settle: float = 0.05) -> None:
        self._cond = asyncio.Condition()
        self.settle = settle

    async def notify(self) -> None:
        async with self._cond:
            self._cond.notify_all()

    async def wait_for(self, check: Callable[[], T | None], timeout: float, what: str) -> T:
        async def _loop() -> T:
            async with self._cond:
                while True:
                    found = check()
                    if found is not None:
                        return found
                    await self._cond.wait()

        try:
            async with asyncio.timeout(timeout):
                found = await _loop()
        except TimeoutError:
            raise TimeoutError(f"emulator: timed out after {timeout:.1f}s waiting for {what}") from None
        if self.settle:
            await asyncio.sleep(self.settle)
        return found


class InteractionHandle:
    """What a test holds after ``emu.send_interaction``: the bot's answers to that interaction."""

    def __init__(self, payload: JSON, waitable: Waitable) -> None:
        self.payload = payload
        self.id = int(payload["id"])
        self.token: str = payload["token"]
        self.callbacks: list[Callback] = []
        self.followup_messages: list[JSON] = []
        self.edit_requests: list[RecordedRequest] = []
        self.original: JSON | None = None
        self.original_deleted = False
        self.created_at = time.monotonic()
        self._waitable = waitable

    async def response(self, timeout: float = DEFAULT_TIMEOUT) -> Callback:
        """The first callback the bot posted for this interaction."""
        return await self._waitable.wait_for(
            lambda: self.callbacks[0] if self.callbacks else None,
            timeout,
            f"a callback to interaction {self.id} ({self.describe()})",
        )

    async def followups(self, count: int = 1, timeout: float = DEFAULT_TIMEOUT) -> list[JSON]:
        """At least ``count`` follow-up messages (``POST /webhooks/{app}/{token}``), as stored."""
        return await self._waitable.wait_for(
            lambda: list(self.followup_messages) if len(self.followup_messages) >= count else None,
            timeout,
            f"{count} follow-up(s) to interaction {self.id} ({self.describe()})",
        )

    async def answer(self, timeout: float = DEFAULT_TIMEOUT) -> JSON:
        """The message that answers: the response's own, or — when the bot deferred first
        (type 5: slow on a loaded machine, e.g. calibrating at start) — its first follow-up."""
        cb = await self.response(timeout)
        if cb.type == 5:
            return (await self.followups(1, timeout))[0]
        return cb.data

    async def outcome(self, timeout: float = DEFAULT_TIMEOUT) -> Callback:
        """What the member finally sees, as a Callback of the first response's type: its own data
        (types 4, 7, 9…), or — when the bot acknowledged first and answered later — the
        follow-up that replaced "thinking…" (type 5), or the clicked message after the edit
        of the original response (type 6; a follow-up when the bot said an error), as stored.
        `.request` stays the first response's (its `at` is when the bot acknowledged)."""
        cb = await self.response(timeout)
        if cb.type == 5:
            return Callback(cb.type, (await self.followups(1, timeout))[0], cb.files, cb.request)
        if cb.type == 6:  # the clicked message edited, or (an error) a follow-up
            said = await self._waitable.wait_for(
                lambda: (
                    (self.followup_messages or [None])[0] or (self.original if self.edit_requests else None)
                ),
                timeout,
                f"an edit or a follow-up of interaction {self.id} ({self.describe()})",
            )
            return Callback(cb.type, said, cb.files, cb.request)
        return cb

    def response_delay(self) -> float:
        """Seconds from the interaction's dispatch to the bot's first response (Discord: ≤ 3)."""
        assert self.callbacks, "no response yet"
        return self.callbacks[0].request.at - self.created_at

    async def edits(self, count: int = 1, timeout: float = DEFAULT_TIMEOUT) -> list[RecordedRequest]:
        """At least ``count`` PATCHes of this interaction's messages (original or follow-ups)."""
        return await self._waitable.wait_for(
            lambda: list(self.edit_requests) if len(self.edit_requests) >= count else None,
            timeout,
            f"{count} edit(s) of interaction {self.id}'s messages",
        )

    async def original_message(self, timeout: float = DEFAULT_TIMEOUT) -> JSON:
        """The message the response created (after any edits)."""
        return await self._waitable.wait_for(
            lambda: self.original, timeout, f"the original response of interaction {self.id}"
        )

    def describe(self) -> str:
        data = self.payload.get("data") or {}
        name = data.get("name") or data.get("custom_id") or ""
        return f"type {self.payload['type']} {name!r}"


class World:
    """Everything the emulated Discord knows. Payload dicts are stored as they go on the wire."""

    def __init__(self, *, token: str | None = None) -> None:
        self.ids = p.SnowflakeGenerator()
        self.token = token
        self.application_id = self.ids.next()
        self.bot_user = p.user(self.application_id, "faqbot-test", bot=True)
        self.application = p.application(self.application_id, "faqbot-test", self.bot_user)
        self.users: dict[int, JSON] = {self.application_id: self.bot_user}
        self.guilds: dict[int, GuildState] = {}
        self.channels: dict[int, JSON] = {}
        self.messages: dict[int, JSON] = {}
        self.attachments: dict[int, RecordedFile] = {}
        # Application commands: key None holds the global ones.
        self.commands: dict[int | None, list[JSON]] = {None: []}
        self.interactions: dict[str, InteractionHandle] = {}  # by token
        self.interactions_by_id: dict[int, InteractionHandle] = {}
        self.modals: dict[str, JSON] = {}  # modal custom_id -> the modal payload the bot sent
        # Users whose DMs are closed to the bot: a message to their DM channel gets 403 / 50007.
        self.closed_dms: set[int] = set()

    # --- world building -----------------------------------------------------------------
    def add_user(self, username: str, *, bot: bool = False) -> JSON:
        data = p.user(self.ids.next(), username, bot=bot)
        self.users[int(data["id"])] = data
        return data

    def add_guild(self, name: str, *, owner: JSON | None = None) -> GuildState:
        gid = self.ids.next()
        owner_id = int(owner["id"]) if owner else self.application_id
        state = GuildState(self, gid, name, owner_id)
        self.guilds[gid] = state
        state.add_member(self.bot_user)
        return state

    def user_by_id(self, user_id: int) -> JSON | None:
        return self.users.get(user_id)

    def guild_of_channel(self, channel_id: int) -> GuildState | None:
        ch = self.channels.get(channel_id)
        if ch is None or "guild_id" not in ch:
            return None
        return self.guilds.get(int(ch["guild_id"]))

    def dm_channel(self, recipient: JSON) -> JSON:
        for ch in self.channels.values():
            if ch["type"] == p.DM and ch["recipients"][0]["id"] == recipient["id"]:
                return ch
        ch = p.dm_channel(self.ids.next(), recipient)
        self.channels[int(ch["id"])] = ch
        return ch

    # --- commands -----------------------------------------------------------------------
    def put_commands(self, guild_id: int | None, commands: list[JSON]) -> list[JSON]:
        old = {(c["name"], c.get("type", 1)): c for c in self.commands.get(guild_id, [])}
        stored = [self._store_command(guild_id, c, old.get((c["name"], c.get("type", 1)))) for c in commands]
        self.commands[guild_id] = stored
        return stored

    def upsert_command(self, guild_id: int | None, command: JSON) -> JSON:
        current = self.commands.setdefault(guild_id, [])
        key = (command["name"], command.get("type", 1))
        prev = next((c for c in current if (c["name"], c.get("type", 1)) == key), None)
        stored = self._store_command(guild_id, command, prev)
        if prev is not None:
            current[current.index(prev)] = stored
        else:
            current.append(stored)
        return stored

    def _store_command(self, guild_id: int | None, command: JSON, prev: JSON | None) -> JSON:
        stored: JSON = {
            "type": 1,
            "description": "",
            "options": [],
            "default_member_permissions": None,
            "dm_permission": True,
            "nsfw": False,
            "integration_types": [0],
            "contexts": None,
            **command,
            "id": prev["id"] if prev else str(self.ids.next()),
            "application_id": str(self.application_id),
            "version": str(self.ids.next()),
        }
        if guild_id is not None:
            stored["guild_id"] = str(guild_id)
        return stored

    def find_command(self, name: str, type: int, guild_id: int | None) -> JSON | None:
        scopes = ([guild_id] if guild_id is not None else []) + [None]
        for scope in scopes:
            for cmd in self.commands.get(scope, []):
                if cmd["name"] == name and cmd.get("type", 1) == type:
                    return cmd
        return None

    # --- messages -----------------------------------------------------------------------
    def store_message(self, message: JSON) -> JSON:
        self.messages[int(message["id"])] = message
        ch = self.channels.get(int(message["channel_id"]))
        if ch is not None:
            ch["last_message_id"] = message["id"]
        return message


class GuildState:
    def __init__(self, world: World, guild_id: int, name: str, owner_id: int) -> None:
        self.world = world
        self.id = guild_id
        self.name = name
        self.owner_id = owner_id
        # The @everyone role shares the guild's id.
        self.roles: list[JSON] = [p.role(guild_id, "@everyone", p.EVERYONE_PERMISSIONS)]
        self.channels: list[JSON] = []
        self.members: dict[int, JSON] = {}
        self.locale = "en-US"

    def add_role(self, name: str, permissions: int) -> JSON:
        data = p.role(self.world.ids.next(), name, permissions, position=len(self.roles))
        self.roles.append(data)
        return data

    def add_channel(self, name: str, *, type: int = p.GUILD_TEXT, topic: str | None = None) -> JSON:
        data = p.guild_channel(
            self.world.ids.next(), self.id, name, type=type, position=len(self.channels), topic=topic
        )
        self.channels.append(data)
        self.world.channels[int(data["id"])] = data
        return data

    def add_forum(self, name: str, tags: list[str] = ()) -> JSON:  # type: ignore[assignment]
        """A forum channel with these tags (issue 16)."""
        data = self.add_channel(name, type=p.GUILD_FORUM)
        data["available_tags"] = [p.forum_tag(self.world.ids.next(), t) for t in tags]
        data["default_reaction_emoji"] = None
        data["default_sort_order"] = None
        data["default_forum_layout"] = 0
        return data

    def add_member(self, user: JSON, *, roles: list[JSON] | None = None, nick: str | None = None) -> JSON:
        data = p.member(user, roles=[int(r["id"]) for r in roles or []], nick=nick)
        self.members[int(user["id"])] = data
        self.world.users.setdefault(int(user["id"]), user)
        return data

    def permissions_of(self, user_id: int) -> int:
        """Guild-level permissions (no channel overwrites), as Discord computes them."""
        if user_id == self.owner_id:
            return p.ALL_PERMISSIONS
        member = self.members.get(user_id)
        role_ids = {int(r) for r in member["roles"]} if member else set()
        perms = 0
        for r in self.roles:
            if int(r["id"]) == self.id or int(r["id"]) in role_ids:
                perms |= int(r["permissions"])
        return p.ALL_PERMISSIONS if perms & p.ADMINISTRATOR else perms

    def payload(self) -> JSON:
        return p.guild(
            self.id,
            self.name,
            owner_id=self.owner_id,
            roles=self.roles,
            channels=self.channels,
            members=list(self.members.values()),
            locale=self.locale,
        )

    def rest_payload(self) -> JSON:
        data = self.payload()
        for key in (
            "members",
            "channels",
            "threads",
            "presences",
            "voice_states",
            "joined_at",
            "large",
            "unavailable",
            "member_count",
            "lazy",
            "stage_instances",
            "guild_scheduled_events",
            "soundboard_sounds",
        ):
            data.pop(key, None)
        return data
