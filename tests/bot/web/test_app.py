"""The web pages over HTTP (aiohttp's test client and the real server): headers, errors,
limits, scopes, escaping, and the JSON endpoint against `faqbot ask --json`."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import signal
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
import pytest_asyncio
from aiohttp import web
from aiohttp.test_utils import TestClient, TestServer

from bot.cli import main
from bot.config import ConfigError, WebConfig, load_config
from bot.models import Entry
from bot.present.embeds import answer_embed
from bot.ratelimit import RateLimiter
from bot.service import FaqService
from bot.settings import GuildSettings, SettingsChange
from bot.web.app import CSP, LISTING_SECONDS, make_app
from bot.web.urls import entry_url, safe_href
from tests.bot.test_importer import SEED_ANSWERS
from tests.conftest import ROOT, SEED_ID
from tests.pgtools import fresh_database
from tests.webtools import (
    HOSTILE_ID,
    LONG_TEXT,
    PRIVATE_GID,
    PRIVATE_ID,
    PRIVATE_QUESTION,
    PUBLIC_GID,
    config_from,
    free_port,
    populate,
    served,
    write_config,
)

SEED_QUESTION = "Why does Botox make my skin appear smoother?"


@pytest_asyncio.fixture
async def service(data_dir: Path, tmp_path: Path) -> AsyncIterator[FaqService]:
    svc = await FaqService.open(config_from(write_config(tmp_path, data_dir)))
    await populate(svc)
    yield svc
    await svc.close()


async def client_for(
    service: FaqService, limiter: RateLimiter | None = None, **web_changes: object
) -> TestClient:
    config = service.config
    if web_changes:
        config = config.model_copy(update={"web": config.web.model_copy(update=web_changes)})
    app = make_app(service, config, limiter=limiter)

    async def boom(request: web.Request) -> web.Response:
        raise RuntimeError("secret internal detail")

    app.router.add_get("/boom", boom)  # a failing handler, to see what a visitor gets
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


@pytest_asyncio.fixture
async def client(service: FaqService) -> AsyncIterator[TestClient]:
    c = await client_for(service)
    yield c
    await c.close()


# -- pages --------------------------------------------------------------------------------------


async def test_index_lists_global_entries_by_tag_with_security_headers(client: TestClient) -> None:
    r = await client.get("/")
    html = await r.text()
    assert r.status == 200 and r.content_type == "text/html"
    assert r.headers["Content-Security-Policy"] == CSP
    assert "script-src" not in CSP and "default-src 'none'" in CSP and "style-src 'self'" in CSP
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert f'href="/faq/{SEED_ID}"' in html
    assert '<form class="search" role="search" method="get" action="/search">' in html
    assert '<label for="q">' in html
    assert PRIVATE_QUESTION not in html and HOSTILE_ID not in html  # guild entries: not on the global index
    assert "<script" not in html and "style=" not in html  # nothing inline for the CSP to block


async def test_entry_page_has_every_answer_byline_source_date_and_disclaimer(client: TestClient) -> None:
    r = await client.get(f"/faq/{SEED_ID}")
    html = await r.text()
    assert r.status == 200
    assert f"<h1>{SEED_QUESTION}</h1>" in html
    names = re.findall(r'<span class="name">([^<]*)</span>', html)
    assert names == [label for _title, label in SEED_ANSWERS]
    assert '<span class="credentials">MD, PhD</span>' in html  # Omeed Memar
    assert '<span class="specialty">Dermatologic Surgeon</span>' in html
    assert '<span class="location">Chicago</span>' in html
    assert "Where experts differ: pore size" in html
    assert re.search(r"<time datetime=\"\d{4}-\d\d-\d\dT", html)
    assert "Source:" in html
    assert "not medical advice" in html
    assert '<link rel="canonical" href="https://faq.example.org/faq/' + SEED_ID + '">' in html


async def test_unknown_and_malformed_ids_get_the_404_page(client: TestClient) -> None:
    for path in (
        "/faq/no-such-entry",
        "/faq/UPPER",
        "/faq/..%2f..%2fetc%2fpasswd",
        "/nothing/here",
        "/static/missing.css",
        "/static/../app.py",
        f"/g/{PUBLIC_GID}/faq/{SEED_ID}",
    ):
        r = await client.get(path)
        html = await r.text()
        assert r.status == 404, path
        assert "<h1>Not found</h1>" in html and "Traceback" not in html
        assert r.headers["Content-Security-Policy"] == CSP


async def test_a_failing_handler_shows_a_generic_500_page(client: TestClient) -> None:
    r = await client.get("/boom")
    html = await r.text()
    assert r.status == 500
    assert "Something went wrong" in html
    assert "secret internal detail" not in html and "Traceback" not in html and "RuntimeError" not in html


async def test_no_write_endpoints(client: TestClient) -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        for path in ("/", f"/faq/{SEED_ID}", "/api/ask", "/no/such/path"):
            r = await client.request(method, path)
            assert r.status == 405, (method, path)
            assert r.headers["Allow"] == "GET,HEAD"
    r = await client.head(f"/faq/{SEED_ID}")
    assert r.status == 200


async def test_request_bodies_are_refused(client: TestClient) -> None:
    r = await client.request("GET", "/", data=b"x" * 100)
    assert r.status == 413
    r = await client.get("/", headers={"X-Big": "y" * 10_000})
    assert r.status in (400, 431)  # the request head limit (aiohttp answers before routing)


async def test_rate_limit_per_address(service: FaqService) -> None:
    c = await client_for(service, RateLimiter(5, 60), behind_proxy=True)
    try:
        statuses = [(await c.get("/", headers={"X-Forwarded-For": "203.0.113.7"})).status for _ in range(7)]
        assert statuses == [200] * 5 + [429, 429]
        r = await c.get("/", headers={"X-Forwarded-For": "203.0.113.7"})
        assert 1 <= int(r.headers["Retry-After"]) <= 60
        assert "Too many requests" in await r.text()
        # Another address has its own budget; a spoofed first hop does not buy a new one.
        assert (await c.get("/", headers={"X-Forwarded-For": "198.51.100.1"})).status == 200
        spoof = await c.get("/", headers={"X-Forwarded-For": "10.9.9.9, 203.0.113.7"})
        assert spoof.status == 429
    finally:
        await c.close()


def test_rate_limiter_memory_stays_bounded() -> None:
    limiter = RateLimiter(5, 60, max_keys=1000)
    for i in range(10_000):
        limiter.hit(f"198.51.{i // 256}.{i % 256}", now=float(i) / 1000)
    assert len(limiter._hits) <= 1000


# -- search ---------------------------------------------------------------------------------------


async def test_search_answers_suggests_or_says_no_answer(client: TestClient) -> None:
    r = await client.get("/search", params={"q": "botox pores"})
    html = await r.text()
    assert r.status == 200 and f'href="/faq/{SEED_ID}"' in html and "Read all 10 answers" in html
    r = await client.get("/search", params={"q": "capital of France"})
    html = await r.text()
    assert "No answer for that question yet" in html
    r = await client.get("/search", params={"q": "smoother"})  # one word: suggest or answer
    assert r.status == 200 and SEED_QUESTION in await r.text()
    r = await client.get("/search", params={"q": "x" * 301})
    assert r.status == 400 and "keep it under 300" in await r.text()
    r = await client.get("/search", params={"q": "   "}, allow_redirects=False)
    assert r.status == 302 and r.headers["Location"] == "/"


async def test_global_search_never_finds_a_server_entry(client: TestClient) -> None:
    for q in (PRIVATE_QUESTION, "private server secret aftercare routine"):
        html = await (await client.get("/search", params={"q": q})).text()
        assert PRIVATE_ID not in html and "Secret" not in html
        data = await (await client.get("/api/ask", params={"q": q})).json()
        assert data["decision"] == "none" or data["entry"]["id"] != PRIVATE_ID
        assert all(s["id"] != PRIVATE_ID for s in data["suggestions"])


# -- scopes -----------------------------------------------------------------------------------


async def test_private_server_is_404_everywhere(client: TestClient, service: FaqService) -> None:
    for path in (
        f"/g/{PRIVATE_GID}/",
        f"/g/{PRIVATE_GID}/faq/{PRIVATE_ID}",
        f"/g/{PRIVATE_GID}/search?q=secret",
        f"/g/{PRIVATE_GID}/api/ask?q=secret",
        f"/faq/{PRIVATE_ID}",
        f"/g/{PUBLIC_GID}/faq/{PRIVATE_ID}",
    ):
        r = await client.get(path)
        assert r.status == 404, path
        assert "Only for our members" not in await r.text()
    # Unknown servers are 404 too, and looking them up creates nothing in memory.
    assert (await client.get("/g/999/faq/x")).status == 404
    assert not service.has_guild(999)


async def test_public_server_pages_follow_the_moderators_setting(
    client: TestClient, service: FaqService
) -> None:
    r = await client.get(f"/g/{PUBLIC_GID}/")
    assert r.status == 200 and f'href="/g/{PUBLIC_GID}/faq/{HOSTILE_ID}"' in await r.text()
    assert (await client.get(f"/g/{PUBLIC_GID}/faq/{HOSTILE_ID}")).status == 200
    await service.update_settings(PUBLIC_GID, SettingsChange(web_public=False), actor="test")
    assert (await client.get(f"/g/{PUBLIC_GID}/faq/{HOSTILE_ID}")).status == 404
    await service.update_settings(PUBLIC_GID, SettingsChange(web_public=True), actor="test")
    assert (await client.get(f"/g/{PUBLIC_GID}/faq/{HOSTILE_ID}")).status == 200


async def test_operator_can_forbid_all_server_pages(service: FaqService) -> None:
    c = await client_for(service, guild_pages=False)
    try:
        assert (await c.get(f"/g/{PUBLIC_GID}/faq/{HOSTILE_ID}")).status == 404
        assert (await c.get(f"/faq/{SEED_ID}")).status == 200
    finally:
        await c.close()


async def test_hostile_entry_is_escaped_and_its_links_inert(client: TestClient) -> None:
    r = await client.get(f"/g/{PUBLIC_GID}/faq/{HOSTILE_ID}")
    html = await r.text()
    assert r.status == 200
    assert "<script" not in html.lower() and "<img" not in html and "<svg" not in html
    assert "&lt;script&gt;" in html
    assert "javascript:" not in re.findall(r'href="([^"]*)"', html).__str__()
    assert '<a class="profile" href="https://example.org/good-doctor"' in html
    assert "profile address withheld" in html  # the javascript: profile, shown as text only
    assert "&lt;i&gt;evil source&lt;/i&gt;" in html  # the source title, as text, not a link
    assert LONG_TEXT.rstrip(" END.")[-40:] in html and LONG_TEXT.endswith(" END.") and " END." in html


async def test_guild_pages_use_the_servers_disclaimer(client: TestClient, service: FaqService) -> None:
    await service.update_settings(
        PUBLIC_GID, SettingsChange(disclaimer="Our own <b>footer</b>."), actor="test"
    )
    html = await (await client.get(f"/g/{PUBLIC_GID}/faq/{HOSTILE_ID}")).text()
    assert "Our own &lt;b&gt;footer&lt;/b&gt;." in html
    # the search page shows the disclaimer the service's Reply carries: the one Discord shows
    reply = await service.ask("botox pores", PUBLIC_GID, record=False)
    assert reply.disclaimer == "Our own <b>footer</b>."
    found = await (await client.get(f"/g/{PUBLIC_GID}/search", params={"q": "botox pores"})).text()
    assert "Our own &lt;b&gt;footer&lt;/b&gt;." in found
    assert "Our own" not in await (await client.get("/search", params={"q": "botox pores"})).text()


async def test_concurrent_reads_during_writes_never_fail(client: TestClient, service: FaqService) -> None:
    async def writer() -> None:
        for i in range(5):
            entry = Entry(id=f"churn-{i}", question=f"Churn question number {i}?", guild_id=PUBLIC_GID)
            await service.save_entry(entry, actor="test", action="add", create=True)

    async def reader(i: int) -> int:
        path = [f"/faq/{SEED_ID}", f"/g/{PUBLIC_GID}/", "/search?q=botox+pores"][i % 3]
        return (await client.get(path)).status

    results = await asyncio.gather(writer(), *(reader(i) for i in range(30)))
    assert results[1:] == [200] * 30
    assert (await client.get(f"/g/{PUBLIC_GID}/faq/churn-4")).status == 200


# -- JSON endpoint = faqbot ask --json ------------------------------------------------------


def test_json_endpoint_is_what_faqbot_ask_json_prints(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_config(tmp_path, data_dir)
    queries = ["botox pores", "botx porse", "capital of France", "smoother", "is document title pwned safe"]

    async def fetch() -> dict[tuple[str, int | None], str]:
        out = {}
        async with served(config_from(path)) as (_service, address):
            import aiohttp

            async with aiohttp.ClientSession() as session:
                for q in queries:
                    for gid in (None, PUBLIC_GID):
                        prefix = f"/g/{gid}" if gid else ""
                        async with session.get(f"{address}{prefix}/api/ask", params={"q": q}) as r:
                            assert r.status == 200 and r.content_type == "application/json"
                            out[(q, gid)] = await r.text()
        return out

    served_json = asyncio.run(fetch())
    for (q, gid), text in served_json.items():
        args = ["ask", q, "--json", "--config", str(path)] + (["--guild", str(gid)] if gid else [])
        assert main(args) == 0
        printed, _ = capsys.readouterr()
        assert text == printed, (q, gid)
    assert json.loads(served_json[("botox pores", None)])["entry"]["id"] == SEED_ID
    guild = json.loads(served_json[("is document title pwned safe", PUBLIC_GID)])
    assert guild["decision"] != "none" and HOSTILE_ID in json.dumps(guild)


# -- config, links --------------------------------------------------------------------------


def test_web_config_is_off_by_default_and_validated(tmp_path: Path) -> None:
    assert load_config(None).web.enabled is False
    bad = tmp_path / "c.yaml"
    bad.write_text("web:\n  enabled: true\n  base_url: javascript:alert(1)\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"c.yaml:3: option 'web.base_url'"):
        load_config(bad)
    bad.write_text("web:\n  port: 70000\n", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"web\.port"):
        load_config(bad)
    example = load_config(ROOT / "config.example.yaml")
    assert example.web.enabled is False and example.web.guild_pages is True


def test_entry_urls_and_safe_links() -> None:
    web_conf = WebConfig(base_url="https://faq.example.org/")
    assert web_conf.base_url == "https://faq.example.org"
    glob = Entry(id="a-b", question="Q?")
    own = Entry(id="c", question="Q?", guild_id=5)
    assert entry_url(web_conf, glob) == "https://faq.example.org/faq/a-b"
    assert entry_url(web_conf, own, GuildSettings()) is None  # never public by default
    assert entry_url(web_conf, own, GuildSettings(web_public=True)) == "https://faq.example.org/g/5/faq/c"
    assert (
        entry_url(web_conf.model_copy(update={"guild_pages": False}), own, GuildSettings(web_public=True))
        is None
    )
    assert entry_url(WebConfig(), glob) is None
    for bad in (
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "data:text/html,x",
        "/relative",
        "http://",
        "https://a b.org",
        "vbscript:x",
    ):
        assert safe_href(bad) is None, bad
    assert safe_href("https://example.org/x?y=1") == "https://example.org/x?y=1"


async def test_discord_answer_links_to_the_page(service: FaqService) -> None:
    reply = await service.ask("botox pores", record=False)
    url = entry_url(service.config.web, reply.entry)  # type: ignore[arg-type]
    assert reply.web_url == url  # the reply carries its page: the renderer needs no second trip
    embed = answer_embed(reply, "disclaimer")
    assert embed["url"] == f"https://faq.example.org/faq/{SEED_ID}"
    assert {"name": "On the web", "value": f"[Read all answers on the web]({embed['url']})"} in embed[
        "fields"
    ]
    assert "url" not in answer_embed(replace(reply, web_url=None), "disclaimer")  # no page, no link


# -- faqbot web ------------------------------------------------------------------------------


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def test_faqbot_web_serves_alone_and_picks_up_other_writers(
    backend: str, data_dir: Path, tmp_path: Path
) -> None:
    """`faqbot web` in its own process; another process (this test) writes to the same store
    and turns a server's pages on; the web process serves them after its refresh poll."""
    if backend == "postgres":
        async with fresh_database() as url:
            await _web_alone(write_config(tmp_path, data_dir, database_url=url, port=free_port()))
    else:
        await _web_alone(write_config(tmp_path, data_dir, port=free_port()))


async def _web_alone(path: Path) -> None:
    config = config_from(path)
    base = f"http://127.0.0.1:{config.web.port}"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("FAQBOT_DATABASE_URL", None)
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot.cli", "web", "--config", str(path),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT, env=env, cwd=path.parent,
    )  # fmt: skip

    def fetch(p: str) -> int:
        try:
            with urllib.request.urlopen(base + p, timeout=5) as r:
                return int(r.status)
        except urllib.error.HTTPError as exc:
            return exc.code

    async def get(p: str) -> int:
        return await asyncio.get_running_loop().run_in_executor(None, fetch, p)

    try:
        deadline = time.monotonic() + 60
        while True:
            with contextlib.suppress(OSError):
                if await get("/") == 200:
                    break
            assert proc.returncode is None, "faqbot web exited"
            assert time.monotonic() < deadline, "faqbot web did not start"
            await asyncio.sleep(0.2)
        assert await get(f"/faq/{SEED_ID}") == 200
        assert await get(f"/g/{PUBLIC_GID}/faq/{HOSTILE_ID}") == 404
        writer = await FaqService.open(config, sync=False)  # the bot, say, on another host
        try:
            await populate(writer)
        finally:
            await writer.close()
        deadline = time.monotonic() + 20
        while await get(f"/g/{PUBLIC_GID}/faq/{HOSTILE_ID}") != 200:
            assert time.monotonic() < deadline, "the web process never picked up the write"
            await asyncio.sleep(0.5)
        assert await get(f"/g/{PRIVATE_GID}/faq/{PRIVATE_ID}") == 404
    finally:
        if proc.returncode is None:
            proc.send_signal(signal.SIGTERM)
        try:
            out, _ = await asyncio.wait_for(proc.communicate(), 20)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            raise
    log = out.decode()
    assert proc.returncode == 0, log
    assert "web pages on http://127.0.0.1:" in log and "store changed elsewhere; reloaded" in log
    assert "Traceback" not in log


async def test_index_stays_small_and_tag_pages_list_the_rest(service: FaqService) -> None:
    tagged = [
        Entry(id=f"t-{i:02d}", question=f"Tagged question {i:02d}?", tags=("a/b <tag>",), guild_id=PUBLIC_GID)
        for i in range(25)
    ]
    await service.import_entries(PUBLIC_GID, tagged, actor="test")
    c = await client_for(service)
    try:
        html = await (await c.get(f"/g/{PUBLIC_GID}/")).text()
        assert html.count("Tagged question") == 10  # the first ten of the tag
        assert 'a/b &lt;tag&gt; <span class="count">(25)</span>' in html
        link = f"/g/{PUBLIC_GID}/tag/a%2Fb%20%3Ctag%3E"
        assert f'href="{link}"' in html
        r = await c.get(link)
        page = await r.text()
        assert r.status == 200 and page.count("Tagged question") == 25
        assert page.index("Tagged question 00") < page.index("Tagged question 24")
        assert (await c.get(f"/g/{PUBLIC_GID}/tag/no-such-tag")).status == 404
        assert (await c.get(f"/g/{PRIVATE_GID}/tag/a")).status == 404
        # The global scope's only entry is untagged: one "All questions" group with its own page.
        assert (await c.get("/tag/All%20questions")).status == 200
    finally:
        await c.close()


async def test_index_is_reused_for_a_few_seconds_then_follows_the_store(
    client: TestClient, service: FaqService
) -> None:
    first = await (await client.get(f"/g/{PUBLIC_GID}/")).text()
    new = Entry(id="fresh-one", question="A freshly added question?", guild_id=PUBLIC_GID)
    await service.save_entry(new, actor="test", action="add", create=True)
    assert await (await client.get(f"/g/{PUBLIC_GID}/")).text() == first  # the rendered page, reused
    assert (await client.get(f"/g/{PUBLIC_GID}/faq/fresh-one")).status == 200  # entry pages: at once
    await asyncio.sleep(LISTING_SECONDS + 0.2)
    assert "A freshly added question?" in await (await client.get(f"/g/{PUBLIC_GID}/")).text()


def test_faqbot_web_reports_bad_options_and_a_taken_port_in_one_line(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["--data", str(data_dir), "--db", str(tmp_path / "w.db")]
    assert main(["web", "--port", "99999", *common]) == 1
    err = capsys.readouterr().err
    assert err.startswith("faqbot web: --port: ") and "65535" in err and err.count("\n") == 1
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["web", "--port", str(port), *common]) == 1
    err = capsys.readouterr().err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err
