"""``python -m tests.emulator``: serve the emulator on 127.0.0.1 until interrupted.

Prints the environment for a bot process (``FAQBOT_DISCORD_API_BASE`` …), then logs every REST
call and gateway op, which is handy to watch ``faqbot run`` log in and sync its commands (start
it as ``python -m tests.emulator.redirect bot.cli run`` with that environment).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging

from .server import DiscordEmulator


async def _serve(token: str | None, port: int) -> None:
    emu = await DiscordEmulator(token=token, port=port).start()
    for key, value in emu.subprocess_env().items():
        print(f"export {key}={value}")
    print(f"# guild {emu.guild}, channel {emu.channel}; Ctrl-C to stop", flush=True)
    seen_requests, seen_frames = 0, 0
    try:
        while True:
            await asyncio.sleep(0.2)
            for r in emu.requests[seen_requests:]:
                print(f"REST {r.method} {r.path} -> {r.status}{'' if r.known else ' (unknown)'}")
                for v in r.violations:
                    print(f"  breaks Discord's OpenAPI spec: {v}")
            for f in emu.frames[seen_frames:]:
                print(f"WS {f.direction} op={f.op} {f.t or ''}")
            seen_requests, seen_frames = len(emu.requests), len(emu.frames)
    finally:
        await emu.stop()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator")
    parser.add_argument("--token", help="only accept this bot token (default: any)")
    parser.add_argument("--port", type=int, default=0, help="port on 127.0.0.1 (default: random)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(_serve(args.token, args.port))


if __name__ == "__main__":
    main()
