"""Shared set-up for the web page tests: a store with the seed entry, a public server with a
hostile entry, and a private server whose entry must never be served."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import yaml

from bot.config import Config, load_config
from bot.models import Answer, Entry, Provider, Source
from bot.service import FaqService
from bot.settings import SettingsChange
from bot.web.app import start

PUBLIC_GID = 111111111111111111
PRIVATE_GID = 222222222222222222
HOSTILE_ID = "hostile-entry"
PRIVATE_ID = "private-entry"
PRIVATE_QUESTION = "What is the private server's secret aftercare routine?"
SCRIPT = "<script>document.title='pwned'</script>"
LONG_TEXT = ("Long answer paragraph " * 200)[:3990] + " END."  # 4000 characters, under the limit


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def write_config(tmp_path: Path, data_dir: Path, database_url: str | None = None, **web: Any) -> Path:
    """A config file (so `faqbot ask --config` reads the very same settings)."""
    path = tmp_path / "config.yaml"
    conf = {
        "data_dir": str(data_dir),
        "database": {"url": database_url or f"sqlite:///{tmp_path / 'faq.db'}"},
        "matching": {"semantic": "off"},
        "web": {
            "enabled": True,
            "host": "127.0.0.1",
            "port": 0,
            "base_url": "https://faq.example.org",
            **web,
        },
    }
    path.write_text(yaml.safe_dump(conf), encoding="utf-8")
    return path


def hostile_entry() -> Entry:
    """Stored through the service, so the YAML validator (which refuses javascript: links)
    is not what keeps the page safe."""
    return Entry(
        id=HOSTILE_ID,
        question=f"Is {SCRIPT} safe? <img src=x onerror=alert(1)>",
        body='"><svg onload=alert(1)>',
        tags=("<b>tag</b>",),
        source=Source(title="<i>evil source</i>", url="javascript:alert('source')"),
        answers=(
            Answer(
                title="<script>alert('title')</script>",
                text=f'Try {SCRIPT} and <a href="javascript:alert(1)">this link</a>.',
                provider=Provider(
                    name="Eve <b>Hacker</b>",
                    credentials='MD"><script>alert(2)</script>',
                    specialty="Injector",
                    location="Nowhere",
                    profile_url="javascript:alert('profile')",
                ),
            ),
            Answer(title="A very long answer", text=LONG_TEXT, provider=Provider(name="Long Writer")),
            Answer(
                title="A fine answer",
                text="Plain and safe.",
                provider=Provider(name="Good Doctor", profile_url="https://example.org/good-doctor"),
            ),
        ),
    )


def private_entry() -> Entry:
    return Entry(
        id=PRIVATE_ID,
        question=PRIVATE_QUESTION,
        answers=(Answer(title="Secret", text="Only for our members.", provider=Provider(name="Insider")),),
    )


async def populate(service: FaqService) -> None:
    await service.save_entry(
        hostile_entry().with_changes(guild_id=PUBLIC_GID), actor="test", action="add", create=True
    )
    await service.update_settings(PUBLIC_GID, SettingsChange(web_public=True), actor="test")
    await service.save_entry(
        private_entry().with_changes(guild_id=PRIVATE_GID), actor="test", action="add", create=True
    )


@asynccontextmanager
async def served(config: Config) -> AsyncIterator[tuple[FaqService, str]]:
    """The real server on 127.0.0.1 (a free port) over a populated service."""
    service = await FaqService.open(config)
    try:
        await populate(service)
        runner, address = await start(service, config)
        try:
            yield service, address
        finally:
            await runner.cleanup()
    finally:
        await service.close()


def config_from(path: Path) -> Config:
    return load_config(path)
