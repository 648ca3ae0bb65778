"""The FAQ's public web pages: an aiohttp application over `FaqService` (issue 18).

Read-only by construction: GET and HEAD only (405 for anything else), request bodies refused,
a per-address rate limit, a strict Content-Security-Policy (no script at all; style from one
static file), every page rendered by Jinja2 with autoescape. Guild entries are served only
for servers that made them public (`guild_is_public`); anything else is the same 404 page as
an unknown id, so the pages never reveal that a private entry exists.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import time
from collections.abc import Awaitable, Callable
from importlib import resources
from typing import Any
from urllib.parse import quote

import jinja2
from aiohttp import web

from bot.config import Config
from bot.models import Entry, Reply
from bot.present.terminal import reply_json
from bot.ratelimit import RateLimiter
from bot.service import FaqService
from bot.store import NotFound, ReadOnly, StoredEntry
from bot.web import pages
from bot.web.urls import entry_path, guild_is_public, scope_path

log = logging.getLogger("faqbot.web")

QUERY_MAX = 300  # as /ask's option
LISTING_SECONDS = 5.0  # index and tag pages are reused this long (the store is polled as often)
LISTINGS_MAX = 1000
INDEX_PER_TAG = 10  # questions per tag on the index page; the tag's page lists them all
TAG_PAGE_MAX = 1000  # a tag's page beyond this says "search for the rest"
MAX_REQUEST_BYTES = 8 * 1024  # no endpoint takes a body
ID_PATTERN = r"[a-z0-9][a-z0-9-]{0,63}"
GUILD_PATTERN = r"[0-9]{1,20}"
CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=()",
}

SERVICE: web.AppKey[FaqService] = web.AppKey("service", FaqService)
CONFIG: web.AppKey[Config] = web.AppKey("config", Config)
ENV: web.AppKey[jinja2.Environment] = web.AppKey("env", jinja2.Environment)
LIMITER: web.AppKey[RateLimiter] = web.AppKey("limiter", RateLimiter)
STATIC: web.AppKey[dict[str, tuple[bytes, str, str]]] = web.AppKey("static", dict)
LISTINGS: web.AppKey[dict[tuple[int | None, str | None], tuple[float, str | None]]] = web.AppKey(
    "listings", dict
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("bot.web", "templates"),
        autoescape=True,  # every template, whatever its name: all stored text is untrusted
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,  # templates ship with the package: no stat() per page
    )
    env.filters["tag_path"] = lambda tag: "tag/" + quote(tag, safe="")
    return env


def _static_files() -> dict[str, tuple[bytes, str, str]]:
    """name → (body, content type, ETag), read once at start."""
    out = {}
    folder = resources.files("bot.web") / "static"
    for item in folder.iterdir():
        if item.name.endswith(".css"):
            body = item.read_bytes()
            out[item.name] = (body, "text/css", '"' + hashlib.sha256(body).hexdigest()[:16] + '"')
    return out


# -- middleware -------------------------------------------------------------------------------


def _client(request: web.Request) -> str:
    if request.app[CONFIG].web.behind_proxy:
        hops = [h.strip() for h in request.headers.get("X-Forwarded-For", "").split(",") if h.strip()]
        if hops:
            return hops[-1]  # the address our own proxy saw; earlier hops are the client's claim
    return request.remote or "?"


@web.middleware
async def edge(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Method, size and rate checks before any work; error pages instead of tracebacks;
    security headers on every response."""
    try:
        if request.method not in ("GET", "HEAD"):
            raise web.HTTPMethodNotAllowed(request.method, ["GET", "HEAD"])
        if (request.content_length or 0) > 0 or "Transfer-Encoding" in request.headers:
            raise web.HTTPRequestEntityTooLarge(max_size=0, actual_size=request.content_length or 0)
        wait = request.app[LIMITER].hit(_client(request), time.monotonic())
        if wait:
            raise web.HTTPTooManyRequests(headers={"Retry-After": str(max(1, round(wait)))})
        response = await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400:  # a redirect: still with the headers
            exc.headers.update(SECURITY_HEADERS)
            raise
        response = _error_page(request, exc.status, dict(exc.headers))
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("web request %s %s failed", request.method, request.path)
        response = _error_page(request, 500, {})
    response.headers.update(SECURITY_HEADERS)
    return response


ERRORS = {
    400: ("Bad request", "That request could not be understood."),
    404: ("Not found", "There is no page here. The entry may have been removed, or the address mistyped."),
    405: ("Method not allowed", "These pages can only be read."),
    413: ("Request too large", "These pages take no request body."),
    429: ("Too many requests", "You are asking quickly. Wait a moment, then try again."),
    500: ("Something went wrong", "Sorry, something went wrong on our side."),
}


def _error_page(
    request: web.Request, status: int, headers: dict[str, str], message: str = ""
) -> web.Response:
    title, text = ERRORS.get(status, ("Error", "That did not work."))
    keep = {k: v for k, v in headers.items() if k in ("Allow", "Retry-After")}
    try:
        body = _render(request, "error.html", title=title, text=message or text, status=status, home="/")
    except Exception:  # the error page itself must never fail
        log.exception("rendering the error page failed")
        body = f"<!doctype html><title>{status}</title><p>{status}</p>"
    return web.Response(status=status, text=body, content_type="text/html", charset="utf-8", headers=keep)


# -- helpers ----------------------------------------------------------------------------------


def _render(request: web.Request, template: str, **context: Any) -> str:
    config = request.app[CONFIG]
    return request.app[ENV].get_template(template).render(site_name=config.web.site_name, **context)


def _page(request: web.Request, template: str, **context: Any) -> web.Response:
    return _html(_render(request, template, **context))


def _html(text: str) -> web.Response:
    return web.Response(
        text=text,
        content_type="text/html",
        charset="utf-8",
        headers={"Cache-Control": "public, max-age=60"},
    )


def _guild(request: web.Request) -> int | None:
    """The scope in the path: None for global; a guild id only if that server is public."""
    raw = request.match_info.get("guild_id")
    if raw is None:
        return None
    gid = int(raw)
    service = request.app[SERVICE]
    if not service.has_guild(gid) or not guild_is_public(
        request.app[CONFIG].web, service.loaded_settings(gid)
    ):
        raise web.HTTPNotFound()
    return gid


def _stored(service: FaqService, guild_id: int | None, entry_id: str) -> StoredEntry | None:
    if guild_id is None:
        stored = service.find(None, entry_id)
    else:
        try:
            stored = service.own_entry(guild_id, entry_id)
        except (NotFound, ReadOnly):
            return None
    return None if stored is None or stored.deleted else stored


def _query(request: web.Request) -> str:
    q = request.query.get("q", "")
    if len(q) > QUERY_MAX:
        raise _BadQuery(f"Your question is {len(q)} characters long; please keep it under {QUERY_MAX}.")
    return " ".join(q.split())


class _BadQuery(Exception):
    pass


def _entry_path(entry: Entry) -> str:
    return entry_path(entry.id, entry.guild_id)


# -- handlers ---------------------------------------------------------------------------------


def _listing(request: web.Request, gid: int | None, tag: str | None) -> str | None:
    """The index (tag None) or a tag's page, rendered at most every LISTING_SECONDS: at 10,000
    entries one takes ~100 ms, too much to redo for every visitor. None: no such tag."""
    cache = request.app[LISTINGS]
    now = time.monotonic()
    hit = cache.get((gid, tag))
    if hit is not None and now - hit[0] < LISTING_SECONDS:
        return hit[1]
    entries = request.app[SERVICE].own_entries(gid)
    html: str | None
    if tag is None:
        groups = pages.group_by_tag(entries, gid, per_tag=INDEX_PER_TAG)
        html = _render(
            request, "index.html", groups=groups, count=len(entries), scope=scope_path(gid), query=""
        )
    else:
        groups = pages.group_by_tag(entries, gid, per_tag=TAG_PAGE_MAX, only=tag)
        html = (
            _render(request, "tag.html", group=groups[0], scope=scope_path(gid), query="") if groups else None
        )
    if len(cache) >= LISTINGS_MAX:  # keys are public scopes and their real tags; bounded anyway
        cache.clear()
    cache[(gid, tag)] = (now, html)
    return html


async def index(request: web.Request) -> web.StreamResponse:
    gid = _guild(request)
    return _html(_listing(request, gid, None) or "")


async def tag_page(request: web.Request) -> web.StreamResponse:
    gid = _guild(request)
    tag = request.match_info["tag"]
    html = _listing(request, gid, pages.UNTAGGED if tag == pages.ALL else tag)
    if html is None:
        raise web.HTTPNotFound()
    return _html(html)


async def entry(request: web.Request) -> web.StreamResponse:
    gid = _guild(request)
    service = request.app[SERVICE]
    stored = _stored(service, gid, request.match_info["entry_id"])
    if stored is None:
        raise web.HTTPNotFound()
    e = stored.entry
    summary = service.summary_of(stored)
    base = request.app[CONFIG].web.base_url
    return _page(
        request,
        "entry.html",
        entry=e,
        body=pages.paragraphs(e.body),
        summary=None if summary.is_empty() else pages.summary_view(summary, e),
        answers=pages.answer_views(e),
        source=pages.source_link(e),
        updated=(e.updated_at or e.created_at or "")[:10],
        updated_iso=e.updated_at or e.created_at or "",
        disclaimer=await service.disclaimer(gid),  # the one rule Discord and the CLI show
        scope=scope_path(gid),
        canonical=(base + _entry_path(e)) if base else None,
        query="",
    )


async def _ask(request: web.Request, gid: int | None, query: str) -> Reply:
    # record=False: an anonymous public endpoint must not write to the store (and the
    # servers' /faq stats stay about their members' questions).
    return await request.app[SERVICE].ask(query, gid, record=False)


async def search(request: web.Request) -> web.StreamResponse:
    gid = _guild(request)
    try:
        query = _query(request)
    except _BadQuery as exc:
        return _error_page(request, 400, {}, str(exc))
    if not query:
        raise web.HTTPFound(scope_path(gid))
    reply = await _ask(request, gid, query)
    e = reply.entry if reply.result.decision == "answer" else None
    summary = reply.summary if e is not None and reply.summary and not reply.summary.is_empty() else None
    suggestions = [
        (c.question, entry_path(c.entry_id, _owner(request, gid, c.entry_id)), c.confidence)
        for c in reply.result.suggestions
    ]
    return _page(
        request,
        "search.html",
        query=query,
        decision=reply.result.decision,
        confidence=reply.result.confidence,
        entry=e,
        entry_href=_entry_path(e) if e else None,
        summary=pages.summary_view(summary, e) if summary and e else None,
        suggestions=suggestions,
        scope=scope_path(gid),
        disclaimer=reply.disclaimer,
    )


def _owner(request: web.Request, gid: int | None, entry_id: str) -> int | None:
    """A suggestion's scope: the guild's own entry shadows a global one of the same id."""
    if gid is None:
        return None
    stored = request.app[SERVICE].find(gid, entry_id)
    return stored.entry.guild_id if stored else None


async def api_ask(request: web.Request) -> web.StreamResponse:
    """Exactly what `faqbot ask --json` prints for the same query (bot.present.terminal.reply_json)."""
    gid = _guild(request)
    try:
        query = _query(request)
    except _BadQuery as exc:
        return web.json_response({"error": str(exc)}, status=400)
    if not query:
        return web.json_response({"error": "give a question as ?q=..."}, status=400)
    reply = await _ask(request, gid, query)
    text = json.dumps(reply_json(reply), ensure_ascii=False, indent=2) + "\n"
    return web.Response(
        text=text,
        content_type="application/json",
        charset="utf-8",
        headers={"Access-Control-Allow-Origin": "*", "Cache-Control": "public, max-age=60"},
    )


async def static(request: web.Request) -> web.StreamResponse:
    found = request.app[STATIC].get(request.match_info["name"])
    if found is None:
        raise web.HTTPNotFound()
    body, content_type, etag = found
    headers = {"ETag": etag, "Cache-Control": "public, max-age=3600"}
    if request.headers.get("If-None-Match") == etag:
        return web.Response(status=304, headers=headers)
    return web.Response(body=body, content_type=content_type, charset="utf-8", headers=headers)


async def robots(request: web.Request) -> web.StreamResponse:
    return web.Response(text="User-agent: *\nDisallow: /search\nDisallow: /api/\nDisallow: /g/*/search\n")


# -- the application --------------------------------------------------------------------------


def make_app(service: FaqService, config: Config, *, limiter: RateLimiter | None = None) -> web.Application:
    app = web.Application(
        middlewares=[edge],
        client_max_size=MAX_REQUEST_BYTES,
        # Small request heads: every page is addressed by a short path and query.
        handler_args={"max_line_size": 4096, "max_field_size": 4096},
    )
    app[SERVICE] = service
    app[CONFIG] = config
    app[ENV] = _environment()
    rl = config.web.rate_limit
    app[LIMITER] = limiter or RateLimiter(rl.count, rl.per_seconds, max_keys=20_000)
    app[STATIC] = _static_files()
    app[LISTINGS] = {}
    g = rf"/g/{{guild_id:{GUILD_PATTERN}}}"
    routes = [
        ("/", index),
        (f"/faq/{{entry_id:{ID_PATTERN}}}", entry),
        ("/search", search),
        ("/api/ask", api_ask),
        ("/tag/{tag:.+}", tag_page),
        (f"{g}/tag/{{tag:.+}}", tag_page),
        (f"{g}/", index),
        (f"{g}/faq/{{entry_id:{ID_PATTERN}}}", entry),
        (f"{g}/search", search),
        (f"{g}/api/ask", api_ask),
        (r"/static/{name:[a-z0-9-]+\.css}", static),
        ("/robots.txt", robots),
    ]
    for path, handler in routes:
        app.router.add_get(path, handler)
    return app


async def start(
    service: FaqService, config: Config, *, limiter: RateLimiter | None = None
) -> tuple[web.AppRunner, str]:
    """Serve the pages on config.web.host:port; returns the runner (cleanup() stops it) and
    the address it listens on."""
    runner = web.AppRunner(make_app(service, config, limiter=limiter), access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, config.web.host, config.web.port)
    await site.start()
    server = site._server  # the bound port (port 0 picks a free one)
    sockets = getattr(server, "sockets", None) or []
    host, port = sockets[0].getsockname()[:2] if sockets else (config.web.host, config.web.port)
    address = f"http://{host}:{port}"
    log.info(
        "web pages on %s%s",
        address,
        f" (public address {config.web.base_url})" if config.web.base_url else "",
    )
    return runner, address
