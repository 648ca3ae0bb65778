"""The emulator checks every REST body the bot sends against Discord's OpenAPI spec."""

from __future__ import annotations

import asyncio
import io
import os
import re
import sys
import time
from pathlib import Path
from typing import Any

import discord
from discord import app_commands

from tests.conftest import ROOT
from tests.emulator import DiscordEmulator, discord_loopback, run_bot
from tests.emulator.fixtures import emulator, emulator_no_patch  # noqa: F401
from tests.emulator.openapi import SPEC_EXCEPTIONS, SpecValidator, Violation, discord_spec

CALLBACK = "/interactions/{interaction_id}/{interaction_token}/callback"


class UnknownTypeButton(discord.ui.Button[Any]):
    """A component Discord has no type for, sent the way discord.py sends any item."""

    def to_component_dict(self) -> Any:
        return {**super().to_component_dict(), "type": 99}


def bad_client() -> tuple[discord.Client, app_commands.CommandTree[discord.Client]]:
    client = discord.Client(intents=discord.Intents.none())
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)

    @tree.command(name="bad", description="answers with bodies Discord would refuse")
    async def bad(interaction: discord.Interaction) -> None:
        view = discord.ui.View()
        view.add_item(discord.ui.Button(label="ok", custom_id="ok"))
        view.add_item(UnknownTypeButton(label="odd", custom_id="odd"))
        await interaction.response.send_message(
            embed=discord.Embed(title="t" * 300, description="fine"),
            view=view,
            file=discord.File(io.BytesIO(b"x"), "x.txt"),
        )  # multipart: payload_json is checked
        await interaction.followup.send("a" * 2001)

    return client, tree


async def test_bad_bodies_from_the_real_client_are_reported(emulator_no_patch: DiscordEmulator) -> None:  # noqa: F811
    emu = emulator_no_patch
    client, tree = bad_client()
    with discord_loopback(emu):
        async with run_bot(client, emu):
            await tree.sync()
            # A registration Discord would refuse: a description over 100 characters.
            app_id = emu.application_id
            await client.http.bulk_upsert_global_commands(app_id, [{"name": "x", "description": "d" * 101}])
            handle = await emu.send_interaction(emu.slash_command("bad"))
            cb = await handle.response()
            await handle.followups(1)
    assert cb.files and cb.request.files  # the callback really went as multipart
    found = {(v.method, v.route, v.json_path): v.message for v in emu.spec_violations}
    assert found.keys() == {
        ("POST", CALLBACK, "$.data.embeds[0].title"),
        ("POST", CALLBACK, "$.data.components[0].components[1]"),
        ("POST", "/webhooks/{webhook_id}/{webhook_token}", "$.content"),
        ("PUT", "/applications/{application_id}/commands", "$[0].description"),
    }, found
    assert found["POST", CALLBACK, "$.data.embeds[0].title"].endswith("has 300 characters (maxLength 256)")
    assert "type 99" in found["POST", CALLBACK, "$.data.components[0].components[1]"]
    # The violation is also on the request it came from, and names the real path.
    (req,) = [r for r in emu.requests if r.violations and r.path.endswith("/callback")]
    assert all(v.path == req.path for v in req.violations)


async def test_the_real_clients_ordinary_traffic_conforms(emulator: DiscordEmulator) -> None:  # noqa: F811
    """Commands, replies, files, follow-ups, edits, a channel reply: no violation (the
    ``emulator`` fixture's teardown would fail this test otherwise)."""
    client = discord.Client(intents=discord.Intents.none())
    tree: app_commands.CommandTree[discord.Client] = app_commands.CommandTree(client)

    @tree.command(name="ok", description="a well-formed answer")
    @app_commands.default_permissions(manage_guild=True)
    async def ok(interaction: discord.Interaction, query: str) -> None:
        embed = discord.Embed(title="t" * 256, description="d", url="https://example.com/x")
        embed.set_footer(text="f").add_field(name="n", value="v")
        await interaction.response.send_message(
            embed=embed,
            file=discord.File(io.BytesIO(b"x"), "x.txt"),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        await interaction.followup.send("more", ephemeral=True)
        await interaction.edit_original_response(content="edited")
        channel = interaction.channel
        assert isinstance(channel, discord.TextChannel)
        sent = await channel.send("plain")
        await sent.reply("a reply")  # message_reference with integer ids (a listed exception)

    async with run_bot(client, emulator):
        await tree.sync()
        handle = await emulator.send_interaction(emulator.slash_command("ok", {"query": "q"}))
        await handle.response()
        await handle.followups(1)
        await handle.edits(1)
        await emulator.wait_for_request(lambda r: r.json and "message_reference" in r.json, timeout=5)
    assert len([r for r in emulator.requests if r.json is not None]) >= 6
    assert emulator.spec_violations == []


TEARDOWN_TEST = """
import discord
from tests.emulator import run_bot
from tests.emulator.fixtures import emulator, emulator_no_patch

async def test_sends_a_bad_embed(emulator):
    client = discord.Client(intents=discord.Intents.none())
    async with run_bot(client, emulator):
        channel = client.get_partial_messageable(emulator.channel)
        await channel.send(embed=discord.Embed(title="t" * 300))
"""


async def test_the_fixture_fails_a_test_that_sends_a_bad_body(tmp_path: Path) -> None:
    (tmp_path / "test_inner.py").write_text(TEARDOWN_TEST)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:cacheprovider",
        "-W",
        "ignore::DeprecationWarning",
        "-o",
        "asyncio_mode=auto",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
        "--rootdir",
        str(tmp_path),
        str(tmp_path / "test_inner.py"),
        cwd=tmp_path,
        env=env,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    out = (await asyncio.wait_for(proc.communicate(), 120))[0].decode()
    assert proc.returncode == 1, out
    assert re.search(r"1 passed, (1 warning, )?1 error", out), out
    assert re.search(
        r"POST /channels/\{channel_id\}/messages at \$\.embeds\[0\]\.title: .*maxLength 256", out
    ), out


def test_every_emulated_route_with_a_body_is_in_the_spec() -> None:
    """The emulator's routes and the spec's templates line up, so no body goes unchecked."""
    from tests.emulator.rest import API_PREFIX, Rest

    spec = discord_spec()
    checked = 0
    for route in Rest(DiscordEmulator()).routes():
        path = route.path
        if route.method not in ("POST", "PUT", "PATCH") or not path.startswith(API_PREFIX):
            continue
        concrete = re.sub(r"\{[a-z]+\}", "1", path[len(API_PREFIX) :]).replace(
            "/1/1/messages/1", "/1/1/messages/2"
        )
        template = spec.route(concrete)
        assert template is not None, path
        assert spec.operation(route.method, template) is not None, (route.method, template)
        checked += 1
    assert checked >= 10


def test_spec_exceptions_are_narrow() -> None:
    spec = discord_spec()
    upload = {"content": "c", "attachments": [{"id": 0, "filename": "a.txt"}]}
    assert spec.validate("POST", "/webhooks/1/tok", upload) == []
    assert spec.validate("POST", "/interactions/1/tok/callback", {"type": 4, "data": upload}) == []
    # A negative index, or the same integer where the spec has no exception, is still reported.
    bad = {"content": "c", "attachments": [{"id": -1}]}
    assert [v.json_path for v in spec.validate("POST", "/webhooks/1/tok", bad)] == ["$.attachments[0].id"]
    assert [v.json_path for v in spec.validate("POST", "/users/@me/channels", {"recipient_id": 5})] == [
        "$.recipient_id"
    ]
    ref = {"content": "c", "message_reference": {"message_id": 1, "channel_id": 2, "guild_id": 3}}
    assert spec.validate("POST", "/channels/1/messages", ref) == []
    ref["message_reference"]["message_id"] = "x1"  # type: ignore[index]
    assert [v.json_path for v in spec.validate("POST", "/channels/1/messages", ref)] == [
        "$.message_reference.message_id"
    ]
    assert all(exc.reason for exc in SPEC_EXCEPTIONS)


def test_routes_bodies_and_formats() -> None:
    spec = discord_spec()
    assert spec.route("/users/@me/channels") == "/users/@me/channels"
    assert (
        spec.route("/webhooks/1/t/messages/@original")
        == "/webhooks/{webhook_id}/{webhook_token}/messages/@original"
    )
    assert spec.route("/no/such/route") is None
    assert spec.validate("PUT", "/applications/1/commands", None) == [
        Violation(
            "PUT",
            "/applications/{application_id}/commands",
            "/applications/1/commands",
            "$",
            "a request body is required",
        )
    ]
    assert [v.message for v in spec.validate("POST", "/channels/1/typing", {"x": 1})] == [
        "this route takes no request body"
    ]
    embed = {"embeds": [{"title": "t", "url": "not a url", "timestamp": "yesterday"}]}
    assert {v.json_path for v in spec.validate("POST", "/channels/1/messages", embed)} == {
        "$.embeds[0].url",
        "$.embeds[0].timestamp",
    }


def test_validation_is_fast_and_compiled_once() -> None:
    spec = discord_spec()
    assert spec is discord_spec()  # one instance per process: validators are shared by every test
    body = {
        "type": 4,
        "data": {
            "embeds": [
                {
                    "title": "q" * 200,
                    "description": "d" * 3000,
                    "color": 5,
                    "fields": [{"name": "n", "value": "v" * 500}] * 5,
                    "footer": {"text": "f"},
                }
            ],
            "components": [
                {
                    "type": 1,
                    "components": [
                        {"type": 2, "style": 1, "label": "All answers", "custom_id": "faq:all:x" * 5}
                    ]
                    * 5,
                }
            ],
            "allowed_mentions": {"parse": []},
            "flags": 64,
        },
    }
    path = "/interactions/1/tok/callback"
    assert spec.validate("POST", path, body) == []
    validator = spec.body_validator("POST", CALLBACK)
    assert spec.body_validator("POST", CALLBACK) is validator
    start = time.perf_counter()
    for _ in range(200):
        spec.validate("POST", path, body)
    per_request = (time.perf_counter() - start) / 200
    # ~0.1 ms on an idle machine; a generous bound so a loaded CI does not flake.
    assert per_request < 0.01, per_request


def test_a_fresh_validator_matches_the_shared_one() -> None:
    fresh = SpecValidator(discord_spec().spec)
    body = {"embeds": [{"title": "t" * 257}]}
    assert fresh.validate("POST", "/channels/1/messages", body) == discord_spec().validate(
        "POST", "/channels/1/messages", body
    )
