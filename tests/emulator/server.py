"""``DiscordEmulator``: the aiohttp app on 127.0.0.1, its world, and the test-side API."""

from __future__ import annotations

import base64
import copy
import logging
import re
import secrets
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from aiohttp import web

from . import payloads as p
from .gateway import Gateway
from .openapi import Violation
from .payloads import JSON
from .rest import Rest
from .state import (
    DEFAULT_TIMEOUT,
    GatewayFrame,
    GuildState,
    InteractionHandle,
    RecordedFile,
    RecordedRequest,
    Waitable,
    World,
)

log = logging.getLogger("tests.emulator")

HOST = "127.0.0.1"
_MENTION = re.compile(r"<@!?(\d+)>")
_DEFAULT = object()  # "use the emulator's default" for guild/channel/user parameters


class DiscordEmulator:
    """A loopback Discord: REST under ``/api/v10``, gateway at ``/gateway``.

    The default world (``default_world=True``): guild :attr:`guild` ("Emulated Guild") owned by
    :attr:`owner`, text channels :attr:`channel` (#general) and :attr:`other_channel`
    (#random), a regular member :attr:`user` ("alice"), a moderator :attr:`moderator` ("mod",
    role "Moderator" with Manage Guild + Manage Messages) and another bot :attr:`other_bot`.

    ``token=None`` accepts any ``Bot ...`` token; a string makes every other token a 401 / 4004.
    ``echo_bot_messages``: send MESSAGE_CREATE for the bot's own non-ephemeral messages, as
    Discord does. ``settle``: seconds every successful wait lingers so the bot has processed the
    emulator's HTTP answer before the test acts on it.
    """

    def __init__(
        self,
        *,
        token: str | None = None,
        heartbeat_interval_ms: int = 41_250,
        default_world: bool = True,
        echo_bot_messages: bool = True,
        interaction_deadline: float | None = None,
        settle: float = 0.05,
        port: int = 0,
        validate_bodies: bool = True,
    ) -> None:
        self.world = World(token=token)
        self.echo_bot_messages = echo_bot_messages
        # Discord rejects an initial response later than 3 s with 10062 Unknown interaction;
        # set interaction_deadline=3.0 to enforce that (off by default: loaded CI is slow).
        self.interaction_deadline = interaction_deadline
        self.requests: list[RecordedRequest] = []
        # Check each REST body against Discord's OpenAPI spec (tests/emulator/openapi.py).
        self.validate_bodies = validate_bodies
        self.frames: list[GatewayFrame] = []
        self._waitable = Waitable(settle)
        self.gateway = Gateway(self, heartbeat_interval_ms=heartbeat_interval_ms)
        self.rest = Rest(self)
        self._runner: web.AppRunner | None = None
        self.port = port  # 0: a random free port, known after start()
        if default_world:
            self._build_default_world()

    # --- lifecycle ----------------------------------------------------------------------
    async def start(self) -> DiscordEmulator:
        app = web.Application(middlewares=[self.rest.middleware], client_max_size=64 * 2**20)
        app.router.add_get("/gateway", self.gateway.handle)
        app.router.add_get("/resume-gateway", self.gateway.handle)
        app.add_routes(self.rest.routes())
        self._runner = web.AppRunner(app, handle_signals=False, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, HOST, self.port)
        await site.start()
        self.port = int(self._runner.addresses[0][1])
        log.info("Discord emulator listening on %s", self.http_base)
        return self

    async def stop(self) -> None:
        await self.gateway.close()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> DiscordEmulator:
        return await self.start()

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    @property
    def http_base(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def api_base(self) -> str:
        return f"{self.http_base}/api/v10"

    @property
    def ws_base(self) -> str:
        return f"ws://{HOST}:{self.port}"

    @property
    def gateway_url(self) -> str:
        return f"{self.ws_base}/gateway"

    def subprocess_env(self, token: str | None = None) -> dict[str, str]:
        """Environment for a bot subprocess run as ``python -m tests.emulator.redirect …``."""
        env = {"FAQBOT_DISCORD_API_BASE": self.api_base, "FAQBOT_DISCORD_GATEWAY_URL": self.gateway_url}
        if token is not None or self.world.token is not None:
            env["DISCORD_TOKEN"] = token or self.world.token or ""
        return env

    # --- world --------------------------------------------------------------------------
    def _build_default_world(self) -> None:
        w = self.world
        self.owner = w.add_user("owner")
        self.user = w.add_user("alice")
        self.moderator = w.add_user("mod")
        self.other_bot = w.add_user("otherbot", bot=True)
        g = w.add_guild("Emulated Guild", owner=self.owner)
        self.guild_state = g
        self.guild = g.id
        mod_role = g.add_role("Moderator", p.MODERATOR_PERMISSIONS)
        self.channel_payload = g.add_channel("general", topic="ask here")
        self.channel = int(self.channel_payload["id"])
        self.other_channel = int(g.add_channel("random")["id"])
        g.add_member(self.owner)
        g.add_member(self.user)
        g.add_member(self.moderator, roles=[mod_role])
        g.add_member(self.other_bot)

    @property
    def bot_user(self) -> JSON:
        return self.world.bot_user

    @property
    def application_id(self) -> int:
        return self.world.application_id

    def add_guild(self, name: str, *, owner: JSON | None = None) -> GuildState:
        """Add a guild (only sent to a bot that identifies afterwards)."""
        return self.world.add_guild(name, owner=owner)

    def add_user(self, username: str, *, bot: bool = False, guild: int | None = None) -> JSON:
        data = self.world.add_user(username, bot=bot)
        gid = self._default_guild() if guild is None else guild
        if gid is not None:
            self.world.guilds[gid].add_member(data)
        return data

    def message(self, message_id: int | str) -> JSON:
        return self.world.messages[int(message_id)]

    def commands(self, guild: int | None = None) -> list[JSON]:
        """Application commands the bot registered (global when ``guild`` is None)."""
        return list(self.world.commands.get(guild, []))

    # --- recording (called by rest/gateway) --------------------------------------------
    def _new_request(
        self,
        method: str,
        path: str,
        query: dict[str, str],
        body: Any,
        files: list[RecordedFile],
        headers: dict[str, str],
    ) -> RecordedRequest:
        rec = RecordedRequest(len(self.requests), method, path, query, body, files, headers)
        self.requests.append(rec)
        return rec

    async def _record_request_done(self, rec: RecordedRequest) -> None:
        await self._waitable.notify()

    async def _record_frame(self, frame: GatewayFrame) -> None:
        self.frames.append(frame)
        await self._waitable.notify()

    async def _dispatch_if_connected(self, event: str, data: Any) -> None:
        if self.gateway.session is not None:
            await self.gateway.dispatch(event, data)

    # --- inspection and waiting ---------------------------------------------------------
    @property
    def unknown_requests(self) -> list[RecordedRequest]:
        """Calls the emulator answered with a generic 404 because it has no route for them."""
        return [r for r in self.requests if not r.known]

    @property
    def spec_violations(self) -> list[Violation]:
        """Every way a request body the bot sent breaks Discord's OpenAPI spec, in order."""
        return [v for r in self.requests for v in r.violations]

    def requests_to(self, method: str, path_prefix: str = "") -> list[RecordedRequest]:
        return [r for r in self.requests if r.matches(method, path_prefix)]

    async def wait_for_request(
        self,
        predicate: Callable[[RecordedRequest], bool],
        timeout: float = DEFAULT_TIMEOUT,
        *,
        claim: bool = True,
    ) -> RecordedRequest:
        """First completed request (past or future) matching ``predicate`` not already claimed.

        Each request satisfies at most one claiming wait, so waiting twice for "a POST to
        channel X" returns the first reply, then the second. ``claim=False`` only peeks.
        """

        def check() -> RecordedRequest | None:
            for r in self.requests:
                if r.status and not r.claimed and predicate(r):
                    r.claimed = claim
                    return r
            return None

        return await self._waitable.wait_for(check, timeout, "a matching REST request")

    async def wait_for_message(self, channel_id: int | None = None, timeout: float = DEFAULT_TIMEOUT) -> JSON:
        """The next message the bot created with ``POST /channels/{id}/messages``."""
        prefix = f"/channels/{channel_id}/messages" if channel_id else "/channels/"

        def pred(r: RecordedRequest) -> bool:
            return (
                r.method == "POST"
                and r.path.startswith(prefix)
                and r.path.endswith("/messages")
                and r.status == 200
            )

        rec = await self.wait_for_request(pred, timeout)
        response: JSON = rec.response
        return response

    async def wait_for_frame(
        self,
        predicate: Callable[[GatewayFrame], bool],
        timeout: float = DEFAULT_TIMEOUT,
        *,
        claim: bool = True,
    ) -> GatewayFrame:
        """Like :meth:`wait_for_request` for gateway frames (``direction`` "recv" or "send")."""

        def check() -> GatewayFrame | None:
            for f in self.frames:
                if not f.claimed and predicate(f):
                    f.claimed = claim
                    return f
            return None

        return await self._waitable.wait_for(check, timeout, "a matching gateway frame")

    async def wait_for_op(self, op: int, timeout: float = DEFAULT_TIMEOUT) -> GatewayFrame:
        """The next frame with opcode ``op`` the bot sent (e.g. 2 IDENTIFY, 6 RESUME)."""
        return await self.wait_for_frame(lambda f: f.direction == "recv" and f.op == op, timeout)

    async def wait_until_identified(self, timeout: float = DEFAULT_TIMEOUT) -> None:
        await self._waitable.wait_for(
            lambda: True if self.gateway.identified.is_set() else None, timeout, "the bot to IDENTIFY"
        )

    # --- gateway control ----------------------------------------------------------------
    async def disconnect_gateway(self, code: int = 4000) -> None:
        """Close the bot's socket with a resumable code; the bot reconnects and RESUMEs."""
        await self.gateway.disconnect(code)

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT; the bot closes and RESUMEs."""
        await self.gateway.request_reconnect()

    async def invalidate_session(self, resumable: bool = False) -> None:
        """Send op 9 INVALID_SESSION; with ``resumable=False`` the bot re-IDENTIFYs."""
        await self.gateway.invalidate(resumable)

    async def dispatch(self, event: str, data: Any) -> None:
        """Send any raw DISPATCH event to the bot."""
        await self.gateway.dispatch(event, data)

    # --- events from users --------------------------------------------------------------
    async def send_message(
        self,
        channel_id: int | None = None,
        author: JSON | None = None,
        content: str = "",
        *,
        embeds: list[JSON] | None = None,
        reply_to: JSON | None = None,
        attachments: list[JSON] | None = None,
    ) -> JSON:
        """Dispatch MESSAGE_CREATE as if ``author`` (default :attr:`user`) posted ``content``."""
        channel_id = channel_id or self.channel
        author = author or self.user
        guild = self.world.guild_of_channel(channel_id)
        member = guild.members.get(int(author["id"])) if guild else None
        msg = p.message(
            self.world.ids.next(),
            channel_id,
            author,
            content=content,
            guild_id=guild.id if guild else None,
            member_data=member,
            embeds=embeds,
            attachments=attachments,
            type=19 if reply_to else 0,
            message_reference=(
                {"type": 0, "message_id": reply_to["id"], "channel_id": str(channel_id)} if reply_to else None
            ),
        )
        if reply_to:
            msg["referenced_message"] = reply_to
        mentions = []
        for uid in _MENTION.findall(content):
            u = self.world.users.get(int(uid))
            if u is None:
                continue
            mentioned = dict(u)
            if guild and int(uid) in guild.members:
                mentioned["member"] = {k: v for k, v in guild.members[int(uid)].items() if k != "user"}
            mentions.append(mentioned)
        msg["mentions"] = mentions
        self.world.store_message(msg)
        await self.gateway.dispatch("MESSAGE_CREATE", msg)
        return msg

    async def create_thread(
        self,
        parent_id: int,
        title: str,
        content: str = "",
        *,
        author: JSON | None = None,
        tags: list[str] | None = None,
    ) -> tuple[JSON, JSON | None]:
        """A member opens a forum post (``parent_id`` a forum: the starter message lives in the
        thread with the thread's id) or starts a thread from a new message in a text channel (the
        message lives in the parent, with the thread's id). Dispatches THREAD_CREATE
        (``newly_created``) and the starter's MESSAGE_CREATE. Returns (thread, starter)."""
        author = author or self.user
        parent = self.world.channels[parent_id]
        guild = self.world.guilds[int(parent["guild_id"])]
        forum = parent["type"] == p.GUILD_FORUM
        starter: JSON | None = None
        if not forum and content:
            starter = await self.send_message(parent_id, author, content)
        thread_id = int(starter["id"]) if starter else self.world.ids.next()
        by_name = {t["name"]: int(t["id"]) for t in parent.get("available_tags") or []}
        thread = p.thread_channel(
            thread_id,
            guild.id,
            parent_id,
            title,
            owner_id=int(author["id"]),
            applied_tags=[by_name[t] for t in tags or []],
        )
        self.world.channels[thread_id] = thread
        if forum:  # on Discord the post and its first message are created together
            member = guild.members.get(int(author["id"]))
            starter = p.message(
                thread_id, thread_id, author, content=content, guild_id=guild.id, member_data=member
            )
            self.world.store_message(starter)
        await self.gateway.dispatch("THREAD_CREATE", {**thread, "newly_created": True})
        if forum and starter is not None:
            await self.gateway.dispatch("MESSAGE_CREATE", starter)
        return thread, starter

    async def send_interaction(self, payload: JSON) -> InteractionHandle:
        """Dispatch INTERACTION_CREATE; the handle collects the bot's callback and follow-ups."""
        handle = InteractionHandle(payload, self._waitable)
        self.world.interactions[handle.token] = handle
        self.world.interactions_by_id[handle.id] = handle
        await self.gateway.dispatch("INTERACTION_CREATE", payload)
        return handle

    # --- interaction payload builders ---------------------------------------------------
    def _default_guild(self) -> int | None:
        return getattr(self, "guild", None)

    def interaction(
        self,
        type: int,
        data: JSON | None,
        *,
        guild: Any = _DEFAULT,
        channel: Any = _DEFAULT,
        user: JSON | None = None,
        member_permissions: int | Any | None = None,
        app_permissions: int | Any | None = None,
        message: JSON | None = None,
        locale: str = "en-US",
    ) -> JSON:
        """A full interaction payload. ``guild=None`` makes it a DM interaction (bot DM)."""
        w = self.world
        user = user or self.user
        iid = w.ids.next()
        secret = secrets.token_urlsafe(96)
        token = base64.urlsafe_b64encode(f"interaction:{iid}:".encode()).decode().rstrip("=")
        token += secret
        gid: int | None = self._default_guild() if guild is _DEFAULT else guild
        payload: JSON = {
            "id": str(iid),
            "application_id": str(w.application_id),
            "type": type,
            "token": token,
            "version": 1,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": 10 * 2**20,
        }
        if data is not None:
            payload["data"] = data
        if gid is not None:
            gs = w.guilds[gid]
            if int(user["id"]) not in gs.members:
                gs.add_member(user)
            if channel is _DEFAULT:
                ch_id = self.channel if gid == self._default_guild() else int(gs.channels[0]["id"])
            else:
                ch_id = int(channel)
            perms = (
                gs.permissions_of(int(user["id"]))
                if member_permissions is None
                else int(getattr(member_permissions, "value", member_permissions))
            )
            app_perms = (
                gs.permissions_of(w.application_id)
                if app_permissions is None
                else int(getattr(app_permissions, "value", app_permissions))
            )
            member = dict(gs.members[int(user["id"])], permissions=str(perms))
            payload.update(
                {
                    "guild_id": str(gid),
                    "guild": {"id": str(gid), "locale": gs.locale, "features": []},
                    "guild_locale": gs.locale,
                    "member": member,
                    "app_permissions": str(app_perms),
                    "authorizing_integration_owners": {"0": str(gid)},
                    "context": 0,
                }
            )
        else:
            ch_id = int(channel) if channel is not _DEFAULT else int(w.dm_channel(user)["id"])
            app_perms = (
                p.EVERYONE_PERMISSIONS
                if app_permissions is None
                else int(getattr(app_permissions, "value", app_permissions))
            )
            payload.update(
                {
                    "user": user,
                    "app_permissions": str(app_perms),
                    "authorizing_integration_owners": {"1": user["id"]},
                    "context": 1,
                }
            )
        payload["channel_id"] = str(ch_id)
        payload["channel"] = copy.deepcopy(w.channels[ch_id])
        if message is not None:
            payload["message"] = message
        return payload

    def _command_data(self, name: str, type: int, guild: int | None) -> tuple[JSON, JSON | None]:
        cmd = self.world.find_command(name, type, guild)
        data: JSON = {"id": cmd["id"] if cmd else str(self.world.ids.next()), "name": name, "type": type}
        if cmd is not None and "guild_id" in cmd:
            data["guild_id"] = cmd["guild_id"]
        return data, cmd

    def _options(
        self,
        path: Sequence[str],
        values: Mapping[str, Any] | Sequence[JSON] | None,
        spec: list[JSON] | None,
        resolved: JSON,
        guild: int | None,
        focused: str | None = None,
    ) -> list[JSON]:
        """Nest subcommand groups/subcommands along ``path``, then the leaf option values."""
        spec = spec or []
        if path:
            sub = next((o for o in spec if o["name"] == path[0]), None)
            sub_type = sub["type"] if sub else (p.SUB_COMMAND if len(path) == 1 else p.SUB_COMMAND_GROUP)
            inner = self._options(
                path[1:], values, sub.get("options") if sub else None, resolved, guild, focused
            )
            return [{"name": path[0], "type": sub_type, "options": inner}]
        if values is None:
            return []
        if not isinstance(values, Mapping):
            return [dict(o) for o in values]  # already Discord-shaped
        out: list[JSON] = []
        for key, value in values.items():
            opt_spec = next((o for o in spec if o["name"] == key), None)
            opt_type = opt_spec["type"] if opt_spec else self._guess_type(value)
            out.append(
                {"name": key, "type": opt_type, "value": self._option_value(opt_type, value, resolved, guild)}
            )
            if key == focused:
                out[-1]["focused"] = True
        return out

    @staticmethod
    def _guess_type(value: Any) -> int:
        if isinstance(value, Mapping):
            if "username" in value:
                return p.USER
            if "permissions" in value and "position" in value and "type" not in value:
                return p.ROLE
            if "type" in value:
                return p.CHANNEL
        return p.infer_option_type(value)

    def _option_value(self, opt_type: int, value: Any, resolved: JSON, guild: int | None) -> Any:
        if opt_type not in (p.USER, p.CHANNEL, p.ROLE, 9) or not isinstance(value, Mapping):
            if opt_type in (p.USER, p.CHANNEL, p.ROLE, 9):
                return str(value)
            return value
        vid = str(value["id"])
        if opt_type == p.CHANNEL:
            resolved.setdefault("channels", {})[vid] = {
                k: value[k]
                for k in (
                    "id",
                    "name",
                    "type",
                    "permissions",
                    "parent_id",
                    "guild_id",
                    "flags",
                    "position",
                    "nsfw",
                    "topic",
                    "last_message_id",
                    "rate_limit_per_user",
                )
                if k in value
            } | {"permissions": str(p.EVERYONE_PERMISSIONS)}
        elif opt_type == p.ROLE:
            resolved.setdefault("roles", {})[vid] = dict(value)
        else:
            resolved.setdefault("users", {})[vid] = dict(value)
            gs = self.world.guilds.get(guild) if guild else None
            if gs is not None and int(vid) in gs.members:
                member = {k: v for k, v in gs.members[int(vid)].items() if k != "user"}
                member["permissions"] = str(gs.permissions_of(int(vid)))
                resolved.setdefault("members", {})[vid] = member
        return vid

    def slash_command(
        self,
        name: str,
        options: Mapping[str, Any] | Sequence[JSON] | None = None,
        *,
        guild: Any = _DEFAULT,
        channel: Any = _DEFAULT,
        user: JSON | None = None,
        member_permissions: int | Any | None = None,
        locale: str = "en-US",
        _type: int = p.APPLICATION_COMMAND,
        _focused: str | None = None,
    ) -> JSON:
        """A chat-input command. ``name`` may be a path: ``"faq add"``, ``"faq entry edit"``.

        ``options`` maps option names to values; their types come from what the bot
        registered with ``tree.sync()`` (else inferred: str/int/bool/float; user, channel or
        role payload dicts become resolved USER/CHANNEL/ROLE options).
        """
        root, *path = name.split()
        gid: int | None = self._default_guild() if guild is _DEFAULT else guild
        data, cmd = self._command_data(root, p.CHAT_INPUT, gid)
        resolved: JSON = {}
        data["options"] = self._options(
            path, options, cmd.get("options") if cmd else None, resolved, gid, _focused
        )
        if resolved:
            data["resolved"] = resolved
        return self.interaction(
            _type,
            data,
            guild=guild,
            channel=channel,
            user=user,
            member_permissions=member_permissions,
            locale=locale,
        )

    def subcommand(self, group: str, name: str, options: Mapping[str, Any] | None = None, **kw: Any) -> JSON:
        """``/group name`` (also ``subcommand("faq entry", "edit", ...)`` for nested groups)."""
        return self.slash_command(f"{group} {name}", options, **kw)

    def autocomplete(
        self,
        name: str,
        focused_option: str,
        value: str,
        options: Mapping[str, Any] | None = None,
        **kw: Any,
    ) -> JSON:
        """APPLICATION_COMMAND_AUTOCOMPLETE while typing ``value`` into ``focused_option``."""
        values = dict(options or {})
        values[focused_option] = value
        return self.slash_command(
            name, values, _type=p.APPLICATION_COMMAND_AUTOCOMPLETE, _focused=focused_option, **kw
        )

    def component_click(
        self,
        message: JSON | int | str,
        custom_id: str,
        *,
        values: list[str] | None = None,
        user: JSON | None = None,
        member_permissions: int | Any | None = None,
        locale: str = "en-US",
    ) -> JSON:
        """A click on a button (or a select choice, with ``values``) of a message the bot sent.

        ``message`` is a message payload or id the emulator knows (e.g. ``handle.original`` or
        ``(await handle.response())`` → ``await handle.original_message()``).
        """
        msg = message if isinstance(message, Mapping) else self.world.messages[int(message)]
        msg = self.world.messages.get(int(msg["id"]), dict(msg))
        comp = p.find_component(msg.get("components") or [], custom_id)
        if comp is None:
            raise KeyError(f"message {msg['id']} has no component with custom_id {custom_id!r}")
        data: JSON = {"custom_id": custom_id, "component_type": comp["type"]}
        if comp.get("id") is not None:
            data["id"] = comp["id"]
        if comp["type"] != 2:
            data["values"] = list(values or [])
        guild = int(msg["guild_id"]) if msg.get("guild_id") else None
        return self.interaction(
            p.MESSAGE_COMPONENT,
            data,
            guild=guild,
            channel=int(msg["channel_id"]),
            user=user,
            member_permissions=member_permissions,
            message=copy.deepcopy(msg),
            locale=locale,
        )

    def modal_submit(
        self,
        custom_id: str,
        values: Mapping[str, Any],
        *,
        message: JSON | None = None,
        **kw: Any,
    ) -> JSON:
        """Submission of modal ``custom_id`` with ``{text_input_custom_id: value}``.

        Mirrors the layout the bot sent in its type-9 callback (action rows or labels) when the
        emulator saw it; otherwise one action row per field.
        """
        modal = self.world.modals.get(custom_id)

        def field(comp: JSON) -> JSON | None:
            cid = str(comp.get("custom_id"))
            if comp.get("type") == 4:
                return {"type": 4, "custom_id": cid, "value": values.get(cid, "")}
            if comp.get("type") in (3, 5, 6, 7, 8):
                return {
                    "type": comp["type"],
                    "custom_id": cid,
                    "values": list(
                        values.get(cid, []) if not isinstance(values.get(cid), str) else [values[cid]]
                    ),
                }
            return None

        components: list[JSON] = []
        if modal is not None:
            for top in modal.get("components", []):
                if top.get("type") == 1:
                    inner = [f for f in map(field, top.get("components", [])) if f]
                    components.append({"type": 1, "components": inner})
                elif top.get("type") == 18 and (f := field(top["component"])) is not None:
                    components.append({"type": 18, "component": f})
        else:
            components = [
                {"type": 1, "components": [{"type": 4, "custom_id": k, "value": v}]}
                for k, v in values.items()
            ]
        data = {"custom_id": custom_id, "components": components}
        if message is not None:
            kw.setdefault("channel", int(message["channel_id"]))
        return self.interaction(p.MODAL_SUBMIT, data, message=message, **kw)

    def message_context_menu(self, name: str, target_message: JSON, **kw: Any) -> JSON:
        """A message command ("Apps → name") on ``target_message``."""
        gid = int(target_message["guild_id"]) if target_message.get("guild_id") else None
        data, _ = self._command_data(name, p.MESSAGE_COMMAND, gid)
        data["target_id"] = target_message["id"]
        data["resolved"] = {"messages": {target_message["id"]: target_message}}
        kw.setdefault("channel", int(target_message["channel_id"]))
        kw.setdefault("guild", gid)
        return self.interaction(p.APPLICATION_COMMAND, data, **kw)

    def user_context_menu(self, name: str, target_user: JSON, **kw: Any) -> JSON:
        """A user command on ``target_user`` (resolved user and, in a guild, member)."""
        gid: int | None = kw.get("guild", self._default_guild())
        data, _ = self._command_data(name, p.USER_COMMAND, gid)
        resolved: JSON = {}
        data["target_id"] = self._option_value(p.USER, target_user, resolved, gid)
        data["resolved"] = resolved
        return self.interaction(p.APPLICATION_COMMAND, data, **kw)
