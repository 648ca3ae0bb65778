"""The gateway websocket: HELLO, IDENTIFY → READY + GUILD_CREATE, heartbeats, RESUME, chunking.

One session at a time (one shard). Dispatches are numbered and buffered per session, so events
sent while the bot is disconnected are replayed on RESUME, as Discord does.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import zlib
from typing import TYPE_CHECKING, Any

from aiohttp import WSMsgType, web

from .payloads import JSON
from .state import GatewayFrame

if TYPE_CHECKING:
    from .server import DiscordEmulator

log = logging.getLogger("tests.emulator.gateway")

DISPATCH, HEARTBEAT, IDENTIFY, PRESENCE, VOICE_STATE = 0, 1, 2, 3, 4
RESUME, RECONNECT, REQUEST_MEMBERS, INVALID_SESSION, HELLO, HEARTBEAT_ACK = 6, 7, 8, 9, 10, 11

# Close codes after which discord.py (like Discord) will not resume.
NON_RESUMABLE_CLIENT_CLOSES = (1000, 1001)


class Connection:
    """One websocket: serialises writes (the zlib stream is stateful) and logs every frame."""

    def __init__(self, ws: web.WebSocketResponse, path: str, compress: bool, emu: DiscordEmulator) -> None:
        self.ws = ws
        self.path = path
        self.emu = emu
        self._zlib = zlib.compressobj() if compress else None
        self._lock = asyncio.Lock()
        self.closed_by_server = False

    async def send(self, frame: JSON) -> None:
        raw = json.dumps(frame, separators=(",", ":"))
        async with self._lock:
            if self.ws.closed:
                return
            if self._zlib is not None:
                data = self._zlib.compress(raw.encode()) + self._zlib.flush(zlib.Z_SYNC_FLUSH)
                await self.ws.send_bytes(data)
            else:
                await self.ws.send_str(raw)
        await self.emu._record_frame(
            GatewayFrame("send", frame["op"], frame.get("t"), frame.get("s"), frame.get("d"), self.path)
        )


class Session:
    def __init__(self, session_id: str, intents: int) -> None:
        self.id = session_id
        self.intents = intents
        self.seq = 0
        self.buffer: list[JSON] = []
        self.connection: Connection | None = None
        self.lock = asyncio.Lock()
        self.invalid = False

    async def dispatch(self, event: str, data: Any) -> None:
        async with self.lock:
            self.seq += 1
            frame = {"op": DISPATCH, "t": event, "s": self.seq, "d": data}
            self.buffer.append(frame)
            del self.buffer[:-1000]
            conn = self.connection
            if conn is not None:
                await conn.send(frame)


class Gateway:
    """Serves ``/gateway`` and ``/resume-gateway``; owned by :class:`DiscordEmulator`."""

    def __init__(self, emu: DiscordEmulator, *, heartbeat_interval_ms: int = 41_250) -> None:
        self.emu = emu
        self.heartbeat_interval_ms = heartbeat_interval_ms
        self.sessions: dict[str, Session] = {}
        self.session: Session | None = None  # the current (latest identified) session
        self.connections: list[Connection] = []
        self.identified = asyncio.Event()

    async def handle(self, request: web.Request) -> web.StreamResponse:
        ws = web.WebSocketResponse(autoping=True, heartbeat=None, max_msg_size=0)
        await ws.prepare(request)
        encoding = request.query.get("encoding", "json")
        compress = request.query.get("compress")
        if encoding != "json" or compress not in (None, "zlib-stream"):
            log.warning("unsupported gateway parameters %s", dict(request.query))
            await ws.close(
                code=4002 if encoding != "json" else 4000,
                message=b"emulator supports encoding=json, compress=zlib-stream",
            )
            return ws
        conn = Connection(ws, request.path, compress == "zlib-stream", self.emu)
        self.connections.append(conn)
        try:
            await conn.send(
                {
                    "op": HELLO,
                    "d": {"heartbeat_interval": self.heartbeat_interval_ms, "_trace": ["emulator"]},
                    "s": None,
                    "t": None,
                }
            )
            async for msg in ws:
                if msg.type in (WSMsgType.TEXT, WSMsgType.BINARY):
                    raw = msg.data if isinstance(msg.data, str) else msg.data.decode()
                    await self._on_frame(conn, json.loads(raw))
                elif msg.type == WSMsgType.ERROR:
                    break
        finally:
            self.connections.remove(conn)
            for session in self.sessions.values():
                if session.connection is conn:
                    session.connection = None
                    if ws.close_code in NON_RESUMABLE_CLIENT_CLOSES and not conn.closed_by_server:
                        session.invalid = True
        return ws

    async def _on_frame(self, conn: Connection, frame: JSON) -> None:
        op = frame.get("op")
        d: Any = frame.get("d")
        await self.emu._record_frame(GatewayFrame("recv", int(op or 0), None, None, d, conn.path))
        if op == HEARTBEAT:
            await conn.send({"op": HEARTBEAT_ACK, "d": None, "s": None, "t": None})
        elif op == IDENTIFY:
            await self._identify(conn, d)
        elif op == RESUME:
            await self._resume(conn, d)
        elif op == REQUEST_MEMBERS:
            await self._request_members(conn, d)
        elif op in (PRESENCE, VOICE_STATE):
            pass
        else:
            log.warning("unknown gateway op %s", op)

    async def _identify(self, conn: Connection, d: JSON) -> None:
        world = self.emu.world
        if world.token is not None and d.get("token") != world.token:
            await conn.ws.close(code=4004, message=b"Authentication failed.")
            return
        session = Session(secrets.token_hex(16), int(d.get("intents") or 0))
        self.sessions[session.id] = session
        self.session = session
        session.connection = conn
        ready = {
            "v": 10,
            "user": world.bot_user,
            "user_settings": {},
            "guilds": [{"id": str(gid), "unavailable": True} for gid in world.guilds],
            "session_id": session.id,
            "session_type": "normal",
            "resume_gateway_url": f"{self.emu.ws_base}/resume-gateway",
            "shard": d.get("shard", [0, 1]),
            "application": {"id": str(world.application_id), "flags": world.application["flags"]},
            "private_channels": [],
            "presences": [],
            "relationships": [],
            "guild_join_requests": [],
            "geo_ordered_rtc_regions": ["emulator"],
            "auth_session_id_hash": secrets.token_hex(16),
            "_trace": ["emulator"],
        }
        await session.dispatch("READY", ready)
        for guild in world.guilds.values():
            await session.dispatch("GUILD_CREATE", guild.payload())
        self.identified.set()
        await self.emu._waitable.notify()

    async def _resume(self, conn: Connection, d: JSON) -> None:
        session = self.sessions.get(str(d.get("session_id")))
        token = self.emu.world.token
        bad_token = token is not None and d.get("token") != token
        if session is None or session.invalid or bad_token:
            await conn.send({"op": INVALID_SESSION, "d": False, "s": None, "t": None})
            return
        seq = int(d.get("seq") or 0)
        async with session.lock:
            session.connection = conn
            for frame in session.buffer:
                if frame["s"] > seq:
                    await conn.send(frame)
        await session.dispatch("RESUMED", {"_trace": ["emulator"]})

    async def _request_members(self, conn: Connection, d: JSON) -> None:
        session = self.session
        guild_ids: Any = d.get("guild_id")
        ids: list[Any] = guild_ids if isinstance(guild_ids, list) else [guild_ids]
        for gid in ids:
            guild = self.emu.world.guilds.get(int(gid))
            if guild is None or session is None:
                continue
            members = list(guild.members.values())
            if d.get("user_ids"):
                wanted = {int(u) for u in d["user_ids"]}
                members = [m for m in members if int(m["user"]["id"]) in wanted]
            elif d.get("query"):
                q = str(d["query"]).lower()
                members = [m for m in members if m["user"]["username"].lower().startswith(q)]
            chunk: JSON = {
                "guild_id": str(gid),
                "members": members,
                "chunk_index": 0,
                "chunk_count": 1,
                "not_found": [],
            }
            if d.get("nonce") is not None:
                chunk["nonce"] = d["nonce"]
            await session.dispatch("GUILD_MEMBERS_CHUNK", chunk)

    async def dispatch(self, event: str, data: Any) -> None:
        if self.session is None:
            raise RuntimeError("emulator: the bot has not identified on the gateway yet")
        await self.session.dispatch(event, data)

    async def disconnect(self, code: int = 4000, message: str = "emulator disconnect") -> None:
        """Drop the current socket(s) with a resumable close code; the bot should RESUME."""
        for conn in list(self.connections):
            conn.closed_by_server = True
            if self.session is not None and self.session.connection is conn:
                self.session.connection = None
            with contextlib.suppress(Exception):
                await conn.ws.close(code=code, message=message.encode())

    async def request_reconnect(self) -> None:
        """Send op 7 RECONNECT, as Discord does before it rotates a gateway node."""
        for conn in list(self.connections):
            await conn.send({"op": RECONNECT, "d": None, "s": None, "t": None})

    async def invalidate(self, resumable: bool = False) -> None:
        for conn in list(self.connections):
            await conn.send({"op": INVALID_SESSION, "d": resumable, "s": None, "t": None})
        if not resumable and self.session is not None:
            self.session.invalid = True

    async def close(self) -> None:
        for conn in list(self.connections):
            with contextlib.suppress(Exception):
                await conn.ws.close(code=1001, message=b"emulator shutting down")
