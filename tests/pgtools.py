"""PostgreSQL for tests: a fresh database per test on the server in FAQBOT_TEST_PG_URL.

`.ci/run` starts that server (see .ci/postgres). Without it the PostgreSQL cases skip, except
under CI, where a missing server is a failure: the second backend must not silently go untested.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from urllib.parse import urlsplit, urlunsplit

import pytest


def pg_url() -> str:
    """The server's URL, or skip (fail under CI) when there is none."""
    url = os.environ.get("FAQBOT_TEST_PG_URL")
    if not url:
        if os.environ.get("CI") == "true":
            pytest.fail("CI must provide PostgreSQL: .ci/postgres did not export FAQBOT_TEST_PG_URL")
        pytest.skip("no PostgreSQL server: set FAQBOT_TEST_PG_URL (source .ci/postgres starts one)")
    try:
        import asyncpg  # noqa: F401
    except ImportError:
        pytest.skip("asyncpg is not installed (pip install -e .[postgres])")
    return url


def with_database(url: str, name: str) -> str:
    return urlunsplit(urlsplit(url)._replace(path=f"/{name}"))


@asynccontextmanager
async def fresh_database() -> AsyncIterator[str]:
    """A new, empty database for one test; dropped afterwards. Yields its URL."""
    import asyncpg

    base = pg_url()
    name = f"faqbot_t_{uuid.uuid4().hex[:16]}"
    admin = await asyncpg.connect(base, timeout=10)
    try:
        await admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield with_database(base, name)
        finally:
            await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await admin.close()
