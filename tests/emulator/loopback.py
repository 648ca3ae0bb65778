"""Point an in-process discord.py at the emulator, refuse any non-loopback connection, run a bot."""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import os
import signal
import socket
import sys
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

from .redirect import apply_api_base, is_loopback_host
from .server import DiscordEmulator
from .state import DEFAULT_TIMEOUT


class NonLoopbackConnection(ConnectionRefusedError):
    """Raised by the network guard instead of touching an address outside 127.0.0.0/8."""


def _ip_is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host.split("%")[0]).is_loopback
    except ValueError:
        return False


@contextlib.contextmanager
def loopback_only_network() -> Iterator[None]:
    """While active, DNS lookups and connects to anything but loopback raise.

    A safety net for tests: if some code path still builds a discord.com URL it fails loudly
    instead of reaching the network. Unix sockets are unaffected.
    """
    real_getaddrinfo = socket.getaddrinfo
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
        name = host.decode() if isinstance(host, bytes) else host
        if name is not None and not (is_loopback_host(name) or _ip_is_loopback(name)):
            raise NonLoopbackConnection(f"emulator network guard: lookup of {name!r} refused")
        return real_getaddrinfo(host, *args, **kwargs)

    def _check(sock: socket.socket, address: Any) -> None:
        if sock.family in (socket.AF_INET, socket.AF_INET6):
            host = address[0]
            if not _ip_is_loopback(str(host)):
                raise NonLoopbackConnection(f"emulator network guard: connect to {host} refused")

    def connect(self: socket.socket, address: Any) -> None:
        _check(self, address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        _check(self, address)
        return real_connect_ex(self, address)

    socket.getaddrinfo = getaddrinfo
    socket.socket.connect = connect  # type: ignore[assignment]
    socket.socket.connect_ex = connect_ex  # type: ignore[assignment]
    try:
        yield
    finally:
        socket.getaddrinfo = real_getaddrinfo
        socket.socket.connect = real_connect  # type: ignore[method-assign]
        socket.socket.connect_ex = real_connect_ex  # type: ignore[method-assign]


@contextlib.contextmanager
def discord_loopback(emu: DiscordEmulator, *, guard_network: bool = True) -> Iterator[None]:
    """Patch ``Route.BASE`` and ``DiscordWebSocket.DEFAULT_GATEWAY`` to ``emu``; restore after."""
    restore = apply_api_base(emu.api_base, emu.gateway_url)
    try:
        if guard_network:
            with loopback_only_network():
                yield
        else:
            yield
    finally:
        restore()


@contextlib.asynccontextmanager
async def run_bot(
    bot: Any,
    emu: DiscordEmulator,
    *,
    token: str | None = None,
    timeout: float = DEFAULT_TIMEOUT * 2,
    fast_ready: bool = True,
) -> AsyncIterator[Any]:
    """Start ``bot`` (a ``discord.Client``) against ``emu`` and yield it once READY.

    Applies :func:`discord_loopback` if the caller has not. ``fast_ready`` lowers discord.py's
    ``guild_ready_timeout`` (it waits that long after the last GUILD_CREATE before READY;
    default 2 s) to 0.05 s. On exit the bot is closed and its task awaited (bounded), so
    nothing outlives the test.
    """
    from discord.http import Route

    if fast_ready:
        bot._connection.guild_ready_timeout = min(bot._connection.guild_ready_timeout, 0.05)

    ctx = discord_loopback(emu) if emu.api_base != Route.BASE else contextlib.nullcontext()
    with ctx:
        task = asyncio.create_task(bot.start(token or emu.world.token or "emulator-token"))
        ready = asyncio.create_task(bot.wait_until_ready())
        try:
            done, _ = await asyncio.wait({task, ready}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
            if task in done:
                task.result()  # raises the start-up error
                raise RuntimeError("bot.start() returned before READY")
            if ready not in done:
                raise TimeoutError(f"bot not READY after {timeout:.0f}s")
            yield bot
        finally:
            ready.cancel()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(bot.close(), timeout)
            with contextlib.suppress(BaseException):
                await asyncio.wait_for(task, timeout)


class FaqbotProcess:
    """A `faqbot run` subprocess; `log` and `returncode` are set once it has stopped."""

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.log = ""
        self.returncode: int | None = None

    async def stop(self) -> None:
        """SIGTERM, then collect the log (the test asserts a clean stop from it)."""
        self.proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(self.proc.communicate(), 20)
        self.log, self.returncode = out.decode(), self.proc.returncode


@contextlib.asynccontextmanager
async def faqbot_run(emu: DiscordEmulator, config: Path, cwd: Path) -> AsyncIterator[FaqbotProcess]:
    """The real entry point `faqbot run --config CONFIG` pointed at the emulator, yielded once it
    has registered its commands and identified; killed on the way out if the test did not stop it."""
    root = Path(__file__).resolve().parent.parent.parent
    env = {**os.environ, **emu.subprocess_env(token="emulator-token"), "PYTHONPATH": str(root)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.emulator.redirect", "bot.cli", "run", "--config", str(config),
        env=env, cwd=cwd, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
    )  # fmt: skip
    bot = FaqbotProcess(proc)
    try:
        await emu.wait_for_request(lambda r: r.method == "PUT" and r.path.endswith("/commands"), timeout=60)
        await emu.wait_until_identified()
        yield bot
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
