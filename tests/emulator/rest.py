"""REST routes under ``/api/v10``: record every call, answer the ones a bot like faqbot makes.

Anything not routed gets Discord's 404 JSON shape and is marked ``known=False`` in the log, so a
test can assert the bot made no call the emulator does not understand.
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from aiohttp import web

from . import payloads as p
from .openapi import discord_spec
from .payloads import JSON
from .state import Callback, InteractionHandle, RecordedFile, RecordedRequest

if TYPE_CHECKING:
    from .server import DiscordEmulator

log = logging.getLogger("tests.emulator.rest")

API_PREFIX = "/api/v10"
REC = web.RequestKey("rec", RecordedRequest)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

# Interaction callback types.
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9


class DiscordError(Exception):
    def __init__(self, status: int, code: int, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _not_found(what: str, code: int) -> DiscordError:
    return DiscordError(404, code, f"Unknown {what}")


class Rest:
    def __init__(self, emu: DiscordEmulator) -> None:
        self.emu = emu
        self.world = emu.world

    # --- plumbing -----------------------------------------------------------------------
    def routes(self) -> list[web.RouteDef]:
        a = API_PREFIX
        app_cmds = a + "/applications/{app}/commands"
        guild_cmds = a + "/applications/{app}/guilds/{guild}/commands"
        wh_msg = a + "/webhooks/{app}/{token}/messages/{message}"
        ch_msg = a + "/channels/{channel}/messages/{message}"
        r = [
            web.get(a + "/users/@me", self.get_me),
            web.get(a + "/users/{user}", self.get_user),
            web.post(a + "/users/@me/channels", self.create_dm),
            web.get(a + "/gateway", self.get_gateway),
            web.get(a + "/gateway/bot", self.get_gateway_bot),
            web.get(a + "/oauth2/applications/@me", self.get_application),
            web.get(a + "/applications/@me", self.get_application),
            web.get(app_cmds, self.list_commands),
            web.put(app_cmds, self.put_commands),
            web.post(app_cmds, self.post_command),
            web.get(app_cmds + "/{command}", self.get_command),
            web.patch(app_cmds + "/{command}", self.patch_command),
            web.delete(app_cmds + "/{command}", self.delete_command),
            web.get(guild_cmds, self.list_commands),
            web.put(guild_cmds, self.put_commands),
            web.post(guild_cmds, self.post_command),
            web.get(guild_cmds + "/{command}", self.get_command),
            web.patch(guild_cmds + "/{command}", self.patch_command),
            web.delete(guild_cmds + "/{command}", self.delete_command),
            web.post(a + "/interactions/{interaction}/{token}/callback", self.callback),
            web.post(a + "/webhooks/{app}/{token}", self.followup),
            web.get(wh_msg, self.get_webhook_message),
            web.patch(wh_msg, self.edit_webhook_message),
            web.delete(wh_msg, self.delete_webhook_message),
            web.get(a + "/channels/{channel}", self.get_channel),
            web.get(a + "/channels/{channel}/messages", self.list_messages),
            web.post(a + "/channels/{channel}/messages", self.create_message),
            web.get(ch_msg, self.get_message),
            web.patch(ch_msg, self.edit_message),
            web.delete(ch_msg, self.delete_message),
            web.patch(a + "/channels/{channel}", self.edit_channel),
            web.post(a + "/channels/{channel}/typing", self.no_content),
            web.put(ch_msg + "/reactions/{emoji}/@me", self.no_content),
            web.delete(ch_msg + "/reactions/{emoji}/@me", self.no_content),
            web.get(a + "/guilds/{guild}", self.get_guild),
            web.get(a + "/guilds/{guild}/channels", self.get_guild_channels),
            web.get(a + "/guilds/{guild}/roles", self.get_guild_roles),
            web.get(a + "/guilds/{guild}/members/{user}", self.get_member),
            web.get("/attachments/{channel}/{attachment}/{filename}", self.get_attachment),
            web.route("*", a + "/{tail:.*}", self.unknown),
        ]
        return r

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        if not request.path.startswith(API_PREFIX + "/"):
            return await handler(request)
        rec = await self._record(request)
        request[REC] = rec
        if self.emu.validate_bodies:
            self._check_spec(rec)
        try:
            self._authorize(request, rec)
            resp = await handler(request)
        except DiscordError as exc:
            resp = self._json(request, {"message": exc.message, "code": exc.code}, exc.status)
        except web.HTTPException as exc:
            resp = self._json(request, {"message": f"{exc.status}: {exc.reason}", "code": 0}, exc.status)
        rec.status = resp.status
        now = time.time()
        resp.headers.update(
            {
                "X-RateLimit-Limit": "50",
                "X-RateLimit-Remaining": "49",
                "X-RateLimit-Reset": f"{now + 1:.3f}",
                "X-RateLimit-Reset-After": "1.000",
                "X-RateLimit-Bucket": self._bucket(request),
                "X-RateLimit-Scope": "user",
            }
        )
        await self.emu._record_request_done(rec)
        return resp

    @staticmethod
    def _bucket(request: web.Request) -> str:
        resource = request.match_info.route.resource
        canonical = resource.canonical if resource is not None else request.path
        return f"emulator:{request.method}:{canonical}"

    async def _record(self, request: web.Request) -> RecordedRequest:
        body: Any = None
        files: list[RecordedFile] = []
        ctype = request.content_type
        if ctype.startswith("multipart/"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files.append(RecordedFile(name, value.filename, value.content_type, value.file.read()))
                elif name == "payload_json":
                    body = json.loads(value if isinstance(value, str) else bytes(value))
        elif request.can_read_body:
            raw = await request.read()
            if raw:
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = raw.decode("utf-8", "replace")
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() in ("authorization", "x-audit-log-reason", "user-agent")
        }
        return self.emu._new_request(
            request.method,
            request.path[len(API_PREFIX) :],
            dict(request.query),
            body,
            files,
            headers,
        )

    @staticmethod
    def _check_spec(rec: RecordedRequest) -> None:
        """Record how the body (JSON, or a multipart ``payload_json``) breaks Discord's spec."""
        rec.violations = discord_spec().validate(rec.method, rec.path, rec.json)
        for violation in rec.violations:
            log.warning("emulator: request breaks Discord's OpenAPI spec: %s", violation)

    def _authorize(self, request: web.Request, rec: RecordedRequest) -> None:
        # Interaction callbacks and webhook calls authenticate by their token in the URL.
        if rec.path.startswith(("/interactions/", "/webhooks/")) or rec.path in ("/gateway",):
            return
        auth = request.headers.get("Authorization", "")
        token = self.world.token
        ok = auth == f"Bot {token}" if token is not None else auth.startswith("Bot ") and len(auth) > 4
        if not ok:
            raise DiscordError(401, 0, "401: Unauthorized")

    def _json(self, request: web.Request, data: Any, status: int = 200) -> web.Response:
        rec: RecordedRequest | None = request.get(REC)
        if rec is not None:
            rec.response = data
        # Exactly "application/json": discord.py compares the header verbatim (no charset).
        return web.Response(
            body=json.dumps(data).encode(), status=status, headers={"Content-Type": "application/json"}
        )

    @staticmethod
    def _body(request: web.Request) -> Any:
        rec: RecordedRequest = request[REC]
        return rec.json if rec.json is not None else {}

    async def no_content(self, request: web.Request) -> web.Response:
        return web.Response(status=204)

    async def unknown(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        rec.known = False
        log.warning("emulator: unhandled Discord API call %s %s", rec.method, rec.path)
        return self._json(request, {"message": "404: Not Found", "code": 0}, 404)

    # --- users, gateway, application ----------------------------------------------------
    async def get_me(self, request: web.Request) -> web.Response:
        return self._json(request, self.world.bot_user)

    async def get_user(self, request: web.Request) -> web.Response:
        data = self.world.users.get(int(request.match_info["user"]))
        if data is None:
            raise _not_found("User", 10013)
        return self._json(request, data)

    async def create_dm(self, request: web.Request) -> web.Response:
        user = self.world.users.get(int(self._body(request).get("recipient_id", 0)))
        if user is None:
            raise _not_found("User", 10013)
        return self._json(request, self.world.dm_channel(user))

    async def get_gateway(self, request: web.Request) -> web.Response:
        return self._json(request, {"url": self.emu.ws_base + "/gateway"})

    async def get_gateway_bot(self, request: web.Request) -> web.Response:
        return self._json(
            request,
            {
                "url": self.emu.ws_base + "/gateway",
                "shards": 1,
                "session_start_limit": {
                    "total": 1000,
                    "remaining": 999,
                    "reset_after": 14_400_000,
                    "max_concurrency": 1,
                },
            },
        )

    async def get_application(self, request: web.Request) -> web.Response:
        return self._json(request, self.world.application)

    # --- application commands -----------------------------------------------------------
    def _scope(self, request: web.Request) -> int | None:
        if int(request.match_info["app"]) != self.world.application_id:
            raise _not_found("Application", 10002)
        guild = request.match_info.get("guild")
        if guild is None:
            return None
        if int(guild) not in self.world.guilds:
            raise DiscordError(403, 50001, "Missing Access")
        return int(guild)

    def _command(self, request: web.Request) -> tuple[int | None, JSON]:
        scope = self._scope(request)
        cid = request.match_info["command"]
        for cmd in self.world.commands.get(scope, []):
            if cmd["id"] == cid:
                return scope, cmd
        raise _not_found("application command", 10063)

    async def list_commands(self, request: web.Request) -> web.Response:
        return self._json(request, self.world.commands.get(self._scope(request), []))

    async def put_commands(self, request: web.Request) -> web.Response:
        body = self._body(request)
        if not isinstance(body, list):
            raise DiscordError(400, 50035, "Invalid Form Body")
        return self._json(request, self.world.put_commands(self._scope(request), body))

    async def post_command(self, request: web.Request) -> web.Response:
        stored = self.world.upsert_command(self._scope(request), self._body(request))
        return self._json(request, stored, 201)

    async def get_command(self, request: web.Request) -> web.Response:
        return self._json(request, self._command(request)[1])

    async def patch_command(self, request: web.Request) -> web.Response:
        scope, cmd = self._command(request)
        return self._json(request, self.world.upsert_command(scope, {**cmd, **self._body(request)}))

    async def delete_command(self, request: web.Request) -> web.Response:
        scope, cmd = self._command(request)
        self.world.commands[scope].remove(cmd)
        return web.Response(status=204)

    # --- messages the bot creates -------------------------------------------------------
    def _attachments(self, channel_id: int, body: JSON, files: list[RecordedFile]) -> list[JSON]:
        described = {str(a.get("id")): a for a in body.get("attachments") or []}
        out: list[JSON] = []
        for index, f in enumerate(files):
            att_id = self.world.ids.next()
            self.world.attachments[att_id] = f
            url = f"{self.emu.http_base}/attachments/{channel_id}/{att_id}/{f.filename}"
            desc = described.get(str(index), {}).get("description")
            out.append(
                p.attachment(
                    att_id, f.filename, len(f.data), url, content_type=f.content_type, description=desc
                )
            )
        return out

    def _bot_message(
        self,
        channel_id: int,
        body: JSON,
        files: list[RecordedFile],
        *,
        handle: InteractionHandle | None = None,
        type: int = 0,
        extra_flags: int = 0,
    ) -> JSON:
        guild = self.world.guild_of_channel(channel_id)
        if handle is not None and guild is None and handle.payload.get("guild_id"):
            guild = self.world.guilds.get(int(handle.payload["guild_id"]))
        member = guild.members.get(self.world.application_id) if guild else None
        meta: JSON | None = None
        if handle is not None:
            invoker = handle.payload.get("member", {}).get("user") or handle.payload.get("user")
            meta = {
                "id": str(handle.id),
                "type": handle.payload["type"],
                "user": invoker,
                "authorizing_integration_owners": handle.payload.get("authorizing_integration_owners", {}),
            }
            if handle.payload["type"] == p.MESSAGE_COMPONENT and "message" in handle.payload:
                meta["interacted_message_id"] = handle.payload["message"]["id"]
        ref = body.get("message_reference")
        msg = p.message(
            self.world.ids.next(),
            channel_id,
            self.world.bot_user,
            content=str(body.get("content") or ""),
            guild_id=guild.id if guild else None,
            member_data=member,
            type=type,
            flags=int(body.get("flags") or 0) | extra_flags,
            embeds=body.get("embeds"),
            components=body.get("components"),
            attachments=self._attachments(channel_id, body, files),
            webhook_id=self.world.application_id if handle is not None else None,
            application_id=self.world.application_id if handle is not None else None,
            interaction_metadata=meta,
            message_reference=({"type": 0, "channel_id": str(channel_id), **ref} if ref else None),
            tts=bool(body.get("tts")),
        )
        if ref and ref.get("message_id"):
            msg["referenced_message"] = self.world.messages.get(int(ref["message_id"]))
        return self.world.store_message(msg)

    async def _echo(self, msg: JSON) -> None:
        """Discord sends MESSAGE_CREATE for the bot's own non-ephemeral messages too."""
        if self.emu.echo_bot_messages and not int(msg.get("flags", 0)) & p.EPHEMERAL:
            await self.emu._dispatch_if_connected("MESSAGE_CREATE", msg)

    def _edit(self, msg: JSON, body: JSON, files: list[RecordedFile]) -> JSON:
        for key in ("content", "embeds", "components", "flags"):
            if key in body and body[key] is not None:
                msg[key] = body[key]
        if "embeds" in body and body["embeds"] is not None:
            msg["embeds"] = [dict(e, type=e.get("type", "rich")) for e in body["embeds"]]
        if "attachments" in body or files:
            keep = {str(a.get("id")) for a in body.get("attachments") or []}
            msg["attachments"] = [a for a in msg.get("attachments", []) if a["id"] in keep]
            msg["attachments"] += self._attachments(int(msg["channel_id"]), body, files)
        msg["flags"] = int(msg.get("flags") or 0) & ~p.LOADING
        msg["edited_timestamp"] = p.iso_now()
        return msg

    # --- interaction callbacks and webhooks --------------------------------------------
    def _handle(self, request: web.Request) -> InteractionHandle:
        token = request.match_info["token"]
        handle = self.world.interactions.get(token)
        if handle is None:
            raise DiscordError(404, 10015, "Unknown Webhook")
        return handle

    async def callback(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        handle = self.world.interactions_by_id.get(int(request.match_info["interaction"]))
        if handle is None or handle.token != request.match_info["token"]:
            raise DiscordError(404, 10062, "Unknown interaction")
        if handle.callbacks:
            raise DiscordError(400, 40060, "Interaction has already been acknowledged.")
        deadline = self.emu.interaction_deadline
        if deadline is not None and time.monotonic() - handle.created_at > deadline:
            log.warning("emulator: interaction %s answered after %.1fs", handle.id, deadline)
            raise DiscordError(404, 10062, "Unknown interaction")
        body = self._body(request)
        cb_type = int(body.get("type", 0))
        data: JSON = body.get("data") or {}
        channel_id = int(handle.payload.get("channel_id") or handle.payload["channel"]["id"])
        msg: JSON | None = None
        source = handle.payload.get("message")
        if cb_type == CHANNEL_MESSAGE:
            msg = self._bot_message(channel_id, data, rec.files, handle=handle, type=self._reply_type(handle))
        elif cb_type == DEFERRED_CHANNEL_MESSAGE:
            msg = self._bot_message(
                channel_id,
                {"flags": data.get("flags", 0)},
                [],
                handle=handle,
                type=self._reply_type(handle),
                extra_flags=p.LOADING,
            )
        elif cb_type in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            if source is None:
                raise DiscordError(400, 50035, "Invalid Form Body (no message to update)")
            target: JSON = self.world.messages.get(int(source["id"])) or source
            msg = self._edit(target, data, rec.files) if cb_type == UPDATE_MESSAGE else target
        elif cb_type == MODAL:
            self.world.modals[str(data.get("custom_id"))] = data
        elif cb_type != AUTOCOMPLETE_RESULT:
            log.warning("emulator: interaction callback type %s is not emulated", cb_type)
        handle.original = msg
        handle.callbacks.append(Callback(cb_type, data, rec.files, rec))
        if msg is not None and cb_type in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE):
            await self._echo(msg)
        if rec.query.get("with_response") not in ("1", "true", "True"):
            return web.Response(status=204)
        inter: JSON = {"id": str(handle.id), "type": handle.payload["type"]}
        resource: JSON = {"type": cb_type}
        if msg is not None:
            inter["response_message_id"] = msg["id"]
            inter["response_message_loading"] = cb_type == DEFERRED_CHANNEL_MESSAGE
            inter["response_message_ephemeral"] = bool(int(msg.get("flags", 0)) & p.EPHEMERAL)
            resource["message"] = msg
        return self._json(request, {"interaction": inter, "resource": resource})

    @staticmethod
    def _reply_type(handle: InteractionHandle) -> int:
        """Message type of a response: 20 chat input, 23 context menu, 19 reply otherwise."""
        if handle.payload["type"] == p.APPLICATION_COMMAND:
            return 20 if handle.payload["data"].get("type", 1) == p.CHAT_INPUT else 23
        return 19

    async def followup(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        handle = self._handle(request)
        body = self._body(request)
        orig = handle.original
        if orig is not None and int(orig.get("flags", 0)) & p.LOADING and not handle.followup_messages:
            # The first follow-up after a deferred response replaces the "thinking" message.
            msg = self._edit(orig, {k: v for k, v in body.items() if k != "flags"}, rec.files)
            msg["edited_timestamp"] = None
        else:
            channel_id = int(handle.payload.get("channel_id") or handle.payload["channel"]["id"])
            msg = self._bot_message(channel_id, body, rec.files, handle=handle)
            await self._echo(msg)
        handle.followup_messages.append(msg)
        if rec.query.get("wait") not in ("true", "1", "True"):
            return web.Response(status=204)
        return self._json(request, msg)

    def _webhook_message(self, request: web.Request) -> tuple[InteractionHandle, JSON]:
        handle = self._handle(request)
        mid = request.match_info["message"]
        if mid == "@original":
            if handle.original is None:
                raise _not_found("Message", 10008)
            return handle, handle.original
        for msg in handle.followup_messages:
            if msg["id"] == mid:
                return handle, msg
        raise _not_found("Message", 10008)

    async def get_webhook_message(self, request: web.Request) -> web.Response:
        return self._json(request, self._webhook_message(request)[1])

    async def edit_webhook_message(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        handle, msg = self._webhook_message(request)
        self._edit(msg, self._body(request), rec.files)
        handle.edit_requests.append(rec)
        return self._json(request, msg)

    async def delete_webhook_message(self, request: web.Request) -> web.Response:
        handle, msg = self._webhook_message(request)
        self.world.messages.pop(int(msg["id"]), None)
        if msg is handle.original:
            handle.original_deleted = True
        return web.Response(status=204)

    # --- channels, guilds ---------------------------------------------------------------
    def _channel(self, request: web.Request) -> JSON:
        ch = self.world.channels.get(int(request.match_info["channel"]))
        if ch is None:
            raise _not_found("Channel", 10003)
        return ch

    def _message(self, request: web.Request) -> JSON:
        ch = self._channel(request)
        msg = self.world.messages.get(int(request.match_info["message"]))
        if msg is None or msg["channel_id"] != ch["id"]:
            raise _not_found("Message", 10008)
        return msg

    async def get_channel(self, request: web.Request) -> web.Response:
        return self._json(request, self._channel(request))

    async def edit_channel(self, request: web.Request) -> web.Response:
        """PATCH a thread (forum post): name, archived, locked, applied_tags; THREAD_UPDATE follows."""
        ch = self._channel(request)
        body = self._body(request)
        if ch["type"] != p.PUBLIC_THREAD:
            raise DiscordError(400, 50024, "Cannot execute action on this channel type")
        if "applied_tags" in body:
            parent = self.world.channels.get(int(ch["parent_id"])) or {}
            known = {t["id"] for t in parent.get("available_tags") or []}
            tags = [str(t) for t in body["applied_tags"] or []]
            if len(tags) > 5 or not set(tags) <= known:
                raise DiscordError(400, 50035, "Invalid Form Body (applied_tags)")
            ch["applied_tags"] = tags
        if "name" in body:
            ch["name"] = str(body["name"])
        for key in ("archived", "locked"):
            if key in body:
                ch["thread_metadata"][key] = bool(body[key])
        await self.emu._dispatch_if_connected("THREAD_UPDATE", ch)
        return self._json(request, ch)

    async def list_messages(self, request: web.Request) -> web.Response:
        ch = self._channel(request)
        limit = int(request.query.get("limit", 50))
        msgs = [m for m in self.world.messages.values() if m["channel_id"] == ch["id"]]
        msgs.sort(key=lambda m: int(m["id"]), reverse=True)
        if "after" in request.query:  # the oldest `limit` after it, newest first (as Discord)
            after = int(request.query["after"])
            msgs = [m for m in msgs if int(m["id"]) > after][-limit:]
        if "before" in request.query:
            msgs = [m for m in msgs if int(m["id"]) < int(request.query["before"])]
        return self._json(request, [self._as_read(m) for m in msgs[:limit]])

    def _check_can_send(self, ch: JSON, *, replying: bool) -> None:
        """The bot's guild-level permissions, as Discord checks them for a new message: View
        Channel, Send Messages (Send Messages in Threads in a thread), and Read Message History
        for a reply. 403 code 50013 otherwise."""
        guild = self.world.guild_of_channel(int(ch["id"]))
        if guild is None:
            return
        perms = guild.permissions_of(self.world.application_id)
        send = p.SEND_MESSAGES_IN_THREADS if ch["type"] in p.THREAD_TYPES else p.SEND_MESSAGES
        needed = p.VIEW_CHANNEL | send | (p.READ_MESSAGE_HISTORY if replying else 0)
        if perms & needed != needed:
            raise DiscordError(403, 50013, "Missing Permissions")

    def _as_read(self, msg: JSON) -> JSON:
        """A stored message as Discord's REST API returns it: no ``member`` (Discord sends the
        author's member data with gateway events only), and without the Message Content intent
        no content, embeds, attachments or components — except the bot's own messages, messages
        that mention it, and DMs."""
        out = {k: v for k, v in msg.items() if k != "member"}
        session = self.emu.gateway.session
        bot_id = self.world.bot_user["id"]
        if (
            session is None
            or session.intents & p.MESSAGE_CONTENT_INTENT
            or out["author"]["id"] == bot_id
            or any(u["id"] == bot_id for u in out.get("mentions", []))
            or "guild_id" not in self.world.channels.get(int(out["channel_id"]), {})
        ):
            return out
        return out | {"content": "", "embeds": [], "attachments": [], "components": []}

    async def create_message(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        ch = self._channel(request)
        body = self._body(request)
        if not (
            body.get("content")
            or body.get("embeds")
            or rec.files
            or body.get("components")
            or body.get("sticker_ids")
            or body.get("poll")
        ):
            raise DiscordError(400, 50006, "Cannot send an empty message")
        if ch["type"] == p.DM and int(ch["recipients"][0]["id"]) in self.world.closed_dms:
            raise DiscordError(403, 50007, "Cannot send messages to this user")
        self._check_can_send(ch, replying=bool(body.get("message_reference")))
        msg = self._bot_message(
            int(ch["id"]), body, rec.files, type=19 if body.get("message_reference") else 0
        )
        await self._echo(msg)
        return self._json(request, msg)

    async def get_message(self, request: web.Request) -> web.Response:
        return self._json(request, self._as_read(self._message(request)))

    async def edit_message(self, request: web.Request) -> web.Response:
        rec: RecordedRequest = request[REC]
        msg = self._message(request)
        if msg["author"]["id"] != self.world.bot_user["id"]:
            raise DiscordError(403, 50005, "Cannot edit a message authored by another user")
        return self._json(request, self._edit(msg, self._body(request), rec.files))

    async def delete_message(self, request: web.Request) -> web.Response:
        msg = self._message(request)
        self.world.messages.pop(int(msg["id"]), None)
        return web.Response(status=204)

    def _guild(self, request: web.Request) -> Any:
        guild = self.world.guilds.get(int(request.match_info["guild"]))
        if guild is None:
            raise _not_found("Guild", 10004)
        return guild

    async def get_guild(self, request: web.Request) -> web.Response:
        return self._json(request, self._guild(request).rest_payload())

    async def get_guild_channels(self, request: web.Request) -> web.Response:
        return self._json(request, self._guild(request).channels)

    async def get_guild_roles(self, request: web.Request) -> web.Response:
        return self._json(request, self._guild(request).roles)

    async def get_member(self, request: web.Request) -> web.Response:
        member = self._guild(request).members.get(int(request.match_info["user"]))
        if member is None:
            raise _not_found("Member", 10007)
        return self._json(request, member)

    async def get_attachment(self, request: web.Request) -> web.Response:
        f = self.world.attachments.get(int(request.match_info["attachment"]))
        if f is None:
            raise web.HTTPNotFound()
        return web.Response(body=f.data, content_type=f.content_type or "application/octet-stream")
