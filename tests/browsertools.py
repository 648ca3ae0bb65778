"""Headless Chromium (Debian's `chromium` + `chromium-driver`, installed by .ci/chromium) driven
by Selenium, and the real web server on 127.0.0.1 in a thread of its own.

Selenium is pointed at /usr/bin/chromedriver explicitly, so selenium-manager never downloads
anything; the browser is told not to reach any network service of its own.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.config import Config
from tests.webtools import served

CHROMIUM = os.environ.get("FAQBOT_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("FAQBOT_CHROMEDRIVER", "/usr/bin/chromedriver")
DESKTOP = (1280, 900)
PHONE = (390, 844)  # a common phone's CSS pixels


def require_chromium() -> None:
    """Skip without a browser; under CI=true fail instead: the browser tests must run there."""
    missing = [p for p in (CHROMIUM, CHROMEDRIVER) if not os.access(p, os.X_OK)]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package (pip install -e .[dev])")
    if not missing:
        return
    reason = (
        f"no headless browser: {', '.join(missing)} missing (.ci/chromium installs chromium, chromium-driver)"
    )
    if os.environ.get("CI") == "true":
        pytest.fail("CI must run the browser tests: " + reason)
    pytest.skip(reason)


@contextmanager
def chromium(*, javascript: bool = True, size: tuple[int, int] = DESKTOP) -> Iterator[Any]:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="faqbot-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--hide-scrollbars",
        f"--user-data-dir={profile}",
        f"--window-size={size[0]},{size[1]}",
    ):
        options.add_argument(flag)
    if size[0] < 500:  # headless windows are at least 500 px wide: emulate the phone's screen
        options.add_experimental_option(
            "mobileEmulation", {"deviceMetrics": {"width": size[0], "height": size[1], "pixelRatio": 2.0}}
        )
    if not javascript:
        options.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=options)
    try:
        driver.set_page_load_timeout(30)
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


@contextmanager
def server_thread(config: Config) -> Iterator[str]:
    """The real server over a populated store, in a thread with its own event loop (the
    Selenium calls block). Yields the base address."""
    ready: dict[str, Any] = {}
    started = threading.Event()
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    async def run() -> None:
        try:
            async with served(config) as (_service, address):
                ready["address"] = address
                started.set()
                await stop.wait()
        except BaseException as exc:
            ready["error"] = exc
            started.set()
            raise

    thread = threading.Thread(target=lambda: loop.run_until_complete(run()), daemon=True)
    thread.start()
    started.wait(120)
    if "address" not in ready:
        raise RuntimeError(f"the web server did not start: {ready.get('error')!r}")
    try:
        yield str(ready["address"])
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(30)


def data_copy(root: Path, tmp: Path) -> Path:
    target = tmp / "data"
    shutil.copytree(root / "data", target)
    return target
