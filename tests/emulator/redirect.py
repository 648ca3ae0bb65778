"""Point discord.py at the loopback Discord emulator (test-only: nothing in ``bot/`` or ``cogs/``
knows about it).

In-process tests use :func:`apply_api_base` (through ``loopback.discord_loopback``). A bot in a
subprocess is started through this module, which applies the environment and then runs the
real entry point unchanged::

    python -m tests.emulator.redirect bot.cli run --config config.yaml
    python -m tests.emulator.redirect -c "import discord; ..."

It changes two discord.py class attributes:

* ``discord.http.Route.BASE`` — every REST call, including interaction callbacks and webhook
  follow-ups (``discord.webhook.async_`` builds its routes from the same ``Route``);
* ``discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY`` — the first gateway connection (later
  ones use READY's ``resume_gateway_url``, which the server controls).

Environment (read by :func:`apply_api_base_from_env`; ``DiscordEmulator.subprocess_env()`` sets it):

``FAQBOT_DISCORD_API_BASE``
    e.g. ``http://127.0.0.1:PORT/api/v10``. Unset or empty: nothing changes (real Discord).
``FAQBOT_DISCORD_GATEWAY_URL``
    optional, e.g. ``ws://127.0.0.1:PORT/gateway``. Default: the API base's scheme/host/port
    with ``ws``/``wss`` and path ``/gateway`` (the emulator's layout).
``FAQBOT_DISCORD_ALLOW_REMOTE``
    ``1`` to allow a host that is not loopback. Without it, any host other than ``localhost``,
    ``127.0.0.0/8`` or ``::1`` is refused with :class:`ValueError`, so a stray variable cannot
    send the bot token to an arbitrary server.
"""

from __future__ import annotations

import ipaddress
import os
import runpy
import sys
from collections.abc import Callable, Mapping, Sequence
from urllib.parse import urlsplit, urlunsplit

ENV_API_BASE = "FAQBOT_DISCORD_API_BASE"
ENV_GATEWAY_URL = "FAQBOT_DISCORD_GATEWAY_URL"
ENV_ALLOW_REMOTE = "FAQBOT_DISCORD_ALLOW_REMOTE"

__all__ = [
    "ENV_ALLOW_REMOTE",
    "ENV_API_BASE",
    "ENV_GATEWAY_URL",
    "apply_api_base",
    "apply_api_base_from_env",
    "is_loopback_host",
]


def is_loopback_host(host: str | None) -> bool:
    if not host:
        return False
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _default_gateway(api_base: str) -> str:
    parts = urlsplit(api_base)
    scheme = "wss" if parts.scheme == "https" else "ws"
    return urlunsplit((scheme, parts.netloc, "/gateway", "", ""))


def _check(url: str, schemes: tuple[str, ...], allow_remote: bool) -> None:
    parts = urlsplit(url)
    if parts.scheme not in schemes or not parts.hostname:
        raise ValueError(f"not a {'/'.join(schemes)} URL: {url!r}")
    if not allow_remote and not is_loopback_host(parts.hostname):
        raise ValueError(
            f"refusing non-loopback Discord API host {parts.hostname!r}; set {ENV_ALLOW_REMOTE}=1 to allow it"
        )


def apply_api_base(
    api_base: str, gateway_url: str | None = None, *, allow_remote: bool = False
) -> Callable[[], None]:
    """Redirect discord.py's REST base and default gateway; return a function that restores them.

    ``api_base`` has no trailing slash (``http://127.0.0.1:8080/api/v10``).
    """
    import yarl
    from discord.gateway import DiscordWebSocket
    from discord.http import Route

    api_base = api_base.rstrip("/")
    gateway_url = gateway_url or _default_gateway(api_base)
    _check(api_base, ("http", "https"), allow_remote)
    _check(gateway_url, ("ws", "wss"), allow_remote)

    old_base, old_gateway = Route.BASE, DiscordWebSocket.DEFAULT_GATEWAY
    Route.BASE = api_base
    DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway_url)

    def restore() -> None:
        Route.BASE = old_base
        DiscordWebSocket.DEFAULT_GATEWAY = old_gateway

    return restore


def apply_api_base_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """Apply ``FAQBOT_DISCORD_API_BASE`` (see module doc). Return whether anything changed."""
    env = os.environ if environ is None else environ
    api_base = env.get(ENV_API_BASE, "").strip()
    if not api_base:
        return False
    apply_api_base(
        api_base,
        env.get(ENV_GATEWAY_URL, "").strip() or None,
        allow_remote=env.get(ENV_ALLOW_REMOTE, "") == "1",
    )
    return True


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m tests.emulator.redirect MODULE [ARGS…]`` or ``… -c CODE``: redirect, then run."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        sys.exit("usage: python -m tests.emulator.redirect MODULE [ARGS...] | -c CODE")
    if not apply_api_base_from_env():
        sys.exit(f"{ENV_API_BASE} is not set: nothing to redirect to")
    if args[0] == "-c":
        sys.argv = ["-c", *args[2:]]
        exec(compile(args[1], "<string>", "exec"), {"__name__": "__main__"})
        return
    sys.argv = [args[0], *args[1:]]
    runpy.run_module(args[0], run_name="__main__", alter_sys=True)


if __name__ == "__main__":
    main()
