"""The loopback Discord emulator drives the real discord.py client end to end."""

from __future__ import annotations

import asyncio
import io
import os
import sys
from collections.abc import AsyncIterator

import discord
import pytest
import pytest_asyncio
from discord import app_commands
from discord.ext import commands

from tests.conftest import ROOT
from tests.emulator import DiscordEmulator, run_bot
from tests.emulator.fixtures import emulator, emulator_no_patch  # noqa: F401

TOPICS = ["botox", "fillers", "peels", "retinol"]


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    comment: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(label="Comment", custom_id="comment")

    def __init__(self) -> None:
        super().__init__(custom_id="feedback", timeout=30)

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"thanks: {self.comment.value}", ephemeral=True)


class PingView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=30)

    @discord.ui.button(label="Again", custom_id="ping:again")
    async def again(self, interaction: discord.Interaction, _: discord.ui.Button[PingView]) -> None:
        await interaction.response.edit_message(content="pong again", view=self)

    @discord.ui.button(label="Private", custom_id="ping:private")
    async def private(self, interaction: discord.Interaction, _: discord.ui.Button[PingView]) -> None:
        await interaction.response.send_message(f"just for {interaction.user.name}", ephemeral=True)


class PingCog(commands.Cog):
    faq = app_commands.Group(name="faq", description="Moderate the FAQ")

    def __init__(self, bot: commands.Bot) -> None:
        self.bot = bot
        self.menu = app_commands.ContextMenu(name="Save as FAQ", callback=self.save_as_faq)
        self.user_menu = app_commands.ContextMenu(name="Who is", callback=self.whois)

    async def cog_load(self) -> None:
        self.bot.tree.add_command(self.menu)
        self.bot.tree.add_command(self.user_menu)

    @app_commands.command(name="ping", description="Ping the bot")
    async def ping(self, interaction: discord.Interaction, topic: str) -> None:
        assert interaction.guild is not None and isinstance(interaction.user, discord.Member)
        await interaction.response.send_message(
            f"pong {topic} in #{getattr(interaction.channel, 'name', '?')}", view=PingView()
        )

    @ping.autocomplete("topic")
    async def topic_autocomplete(
        self, interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        return [app_commands.Choice(name=t, value=t) for t in TOPICS if current in t]

    @app_commands.command(name="slow", description="Deferred answer")
    async def slow(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(thinking=True)
        await interaction.followup.send("done slowly")
        await interaction.followup.send("and one more")

    @app_commands.command(name="feedback", description="Open a modal")
    async def feedback(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_modal(FeedbackModal())

    @app_commands.command(name="export", description="Send a file")
    async def export(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message("here", file=discord.File(io.BytesIO(b"q: a\n"), "faq.yaml"))

    @faq.command(name="add", description="Add an entry")
    @app_commands.default_permissions(manage_guild=True)
    async def faq_add(self, interaction: discord.Interaction, question: str, weight: int = 1) -> None:
        perms = interaction.permissions
        await interaction.response.send_message(
            f"added {question!r} w={weight} manage_guild={perms.manage_guild}", ephemeral=True
        )

    async def whois(self, interaction: discord.Interaction, member: discord.Member) -> None:
        manage = member.guild_permissions.manage_guild
        await interaction.response.send_message(f"{member.name} manage={manage}")

    async def save_as_faq(self, interaction: discord.Interaction, message: discord.Message) -> None:
        await interaction.response.send_message(f"saved: {message.content}", ephemeral=True)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or not message.content.startswith("?faq "):
            return
        await message.channel.send(
            f"you asked: {message.content[5:]}", allowed_mentions=discord.AllowedMentions.none()
        )


class PingBot(commands.Bot):
    def __init__(self) -> None:
        intents = discord.Intents.default()
        intents.message_content = True
        super().__init__(command_prefix="!", intents=intents)

    async def setup_hook(self) -> None:
        await self.add_cog(PingCog(self))


@pytest_asyncio.fixture
async def bot(emulator: DiscordEmulator) -> AsyncIterator[PingBot]:  # noqa: F811
    async with run_bot(PingBot(), emulator) as running:
        yield running


async def test_ready_and_guild(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    assert bot.user is not None and bot.user.id == emulator.application_id
    guild = bot.get_guild(emulator.guild)
    assert guild is not None and guild.name == "Emulated Guild"
    assert {c.name for c in guild.text_channels} == {"general", "random"}
    assert bot.application_id == emulator.application_id
    assert [r.path for r in emulator.requests[:2]] == ["/users/@me", "/oauth2/applications/@me"]
    identify = await emulator.wait_for_op(2)
    assert identify.d["intents"] == bot.intents.value
    assert any(f.t == "READY" for f in emulator.frames)


async def test_sync_registers_commands(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    synced = await bot.tree.sync()
    put = emulator.requests_to("PUT", f"/applications/{emulator.application_id}/commands")
    assert len(put) == 1
    names = {c["name"] for c in emulator.commands()}
    assert names == {"ping", "slow", "feedback", "export", "faq", "Save as FAQ", "Who is"}
    assert {c.name for c in synced} == names and all(c.id for c in synced)
    # Guild sync goes to the guild route and the helpers then target the guild copy.
    bot.tree.copy_global_to(guild=discord.Object(emulator.guild))
    await bot.tree.sync(guild=discord.Object(emulator.guild))
    assert {c["name"] for c in emulator.commands(emulator.guild)} == names
    payload = emulator.slash_command("ping", {"topic": "botox"})
    assert payload["data"]["guild_id"] == str(emulator.guild)
    cb = await (await emulator.send_interaction(payload)).response()
    assert cb.content == "pong botox in #general"


async def test_slash_command_and_buttons(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    handle = await emulator.send_interaction(emulator.slash_command("ping", {"topic": "botox"}))
    cb = await handle.response()
    assert cb.type == 4 and cb.content == "pong botox in #general" and not cb.ephemeral
    assert [b["custom_id"] for b in cb.components[0]["components"]] == ["ping:again", "ping:private"]
    message = await handle.original_message()
    assert message["interaction_metadata"]["id"] == str(handle.id)

    click = await emulator.send_interaction(emulator.component_click(message, "ping:again"))
    update = await click.response()
    assert update.type == 7 and update.content == "pong again"
    assert emulator.message(message["id"])["content"] == "pong again"

    private = await emulator.send_interaction(
        emulator.component_click(message, "ping:private", user=emulator.moderator)
    )
    reply = await private.response()
    assert reply.type == 4 and reply.content == "just for mod" and reply.ephemeral


async def test_autocomplete(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    await bot.tree.sync()
    handle = await emulator.send_interaction(emulator.autocomplete("ping", "topic", "ll"))
    cb = await handle.response()
    assert cb.type == 8
    assert [c["value"] for c in cb.choices] == ["fillers"]
    assert handle.payload["data"]["options"] == [{"name": "topic", "type": 3, "value": "ll", "focused": True}]


async def test_subcommand_with_permissions(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    await bot.tree.sync()
    payload = emulator.subcommand(
        "faq", "add", {"question": "Is it safe?", "weight": 3}, user=emulator.moderator
    )
    opts = payload["data"]["options"][0]
    assert opts["type"] == 1 and opts["options"][1] == {"name": "weight", "type": 4, "value": 3}
    cb = await (await emulator.send_interaction(payload)).response()
    assert cb.content == "added 'Is it safe?' w=3 manage_guild=True" and cb.ephemeral
    cb = await (
        await emulator.send_interaction(
            emulator.subcommand("faq", "add", {"question": "q"}, member_permissions=0)
        )
    ).response()
    assert cb.content == "added 'q' w=1 manage_guild=False"


async def test_modal(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    cb = await (await emulator.send_interaction(emulator.slash_command("feedback"))).response()
    assert cb.type == 9 and cb.data["custom_id"] == "feedback"
    submit = await emulator.send_interaction(emulator.modal_submit("feedback", {"comment": "great answers"}))
    reply = await submit.response()
    assert reply.type == 4 and reply.content == "thanks: great answers" and reply.ephemeral


async def test_message_context_menu(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    target = await emulator.send_message(content="How long does botox last?")
    handle = await emulator.send_interaction(
        emulator.message_context_menu("Save as FAQ", target, user=emulator.moderator)
    )
    cb = await handle.response()
    assert cb.content == "saved: How long does botox last?"


async def test_user_context_menu(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    handle = await emulator.send_interaction(emulator.user_context_menu("Who is", emulator.moderator))
    assert (await handle.response()).content == "mod manage=True"


async def test_reconnect_request_resumes(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    await emulator.request_reconnect()
    await emulator.wait_for_op(6)
    await emulator.wait_for_frame(lambda f: f.t == "RESUMED")
    await emulator.send_message(content="?faq after reconnect")
    assert (await emulator.wait_for_message())["content"] == "you asked: after reconnect"


async def test_on_message_reply_via_rest(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    await emulator.send_message(emulator.channel, emulator.user, "?faq botox pores")
    reply = await emulator.wait_for_message(emulator.channel)
    assert reply["content"] == "you asked: botox pores"
    rec = emulator.requests_to("POST", f"/channels/{emulator.channel}/messages")[0]
    assert rec.json["allowed_mentions"] == {"parse": []}
    # Other bots are ignored; the bot's own echoed MESSAGE_CREATE did not loop.
    await emulator.send_message(emulator.channel, emulator.other_bot, "?faq spam")
    await emulator.send_message(emulator.channel, emulator.user, "?faq second")
    assert (await emulator.wait_for_message(emulator.channel))["content"] == "you asked: second"
    assert len(emulator.requests_to("POST", "/channels/")) == 2


async def test_deferred_and_followups(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    handle = await emulator.send_interaction(emulator.slash_command("slow"))
    cb = await handle.response()
    assert cb.type == 5
    first, second = await handle.followups(count=2)
    # The first follow-up replaces the "thinking" message; the second is a new message.
    assert first["id"] == (await handle.original_message())["id"]
    assert first["content"] == "done slowly" and second["content"] == "and one more"
    assert second["id"] != first["id"]


async def test_file_upload_is_multipart(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    cb = await (await emulator.send_interaction(emulator.slash_command("export"))).response()
    assert cb.content == "here"
    assert [(f.filename, f.data) for f in cb.files] == [("faq.yaml", b"q: a\n")]
    original = cb.request.response["resource"]["message"]
    assert original["attachments"][0]["filename"] == "faq.yaml"


async def test_gateway_resume(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    session = emulator.gateway.session
    assert session is not None
    await emulator.disconnect_gateway()
    # An event sent while disconnected is replayed after RESUME.
    await emulator.send_message(emulator.channel, emulator.user, "?faq while away")
    resume = await emulator.wait_for_op(6)
    assert resume.d["session_id"] == session.id and resume.path == "/resume-gateway"
    await emulator.wait_for_frame(lambda f: f.t == "RESUMED")
    assert (await emulator.wait_for_message())["content"] == "you asked: while away"
    cb = await (
        await emulator.send_interaction(emulator.slash_command("ping", {"topic": "peels"}))
    ).response()
    assert cb.content == "pong peels in #general"
    assert len([f for f in emulator.frames if f.op == 2 and f.direction == "recv"]) == 1


async def test_invalid_session_reidentifies(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    async def no_wait(shard_id: int | None, *, initial: bool = False) -> None:
        return None  # discord.py waits 5 s before a non-initial IDENTIFY

    bot.before_identify_hook = no_wait  # type: ignore[method-assign]
    await emulator.wait_for_op(2)
    await emulator.invalidate_session(resumable=False)
    await emulator.wait_for_op(2, timeout=10)
    cb = await (await emulator.send_interaction(emulator.slash_command("ping", {"topic": "x"}))).response()
    assert cb.content is not None and cb.content.startswith("pong x")


async def test_unknown_route_is_404_and_logged(emulator_no_patch: DiscordEmulator) -> None:  # noqa: F811
    import aiohttp

    async with (
        aiohttp.ClientSession() as s,
        s.get(emulator_no_patch.api_base + "/guilds/1/bans", headers={"Authorization": "Bot t"}) as r,
    ):
        assert r.status == 404
        assert await r.json() == {"message": "404: Not Found", "code": 0}
    assert [u.path for u in emulator_no_patch.unknown_requests] == ["/guilds/1/bans"]


def test_shipped_code_has_no_emulator_hook() -> None:
    """The redirect is test-only: nothing users install reads its variables or imports tests."""
    root = ROOT
    for package in ("bot", "cogs"):
        for source in (root / package).rglob("*.py"):
            text = source.read_text(encoding="utf-8")
            assert "FAQBOT_DISCORD_API_BASE" not in text and "Route.BASE" not in text, source
            assert "from tests" not in text and "import tests" not in text, source


def test_loopback_hook_refuses_remote_hosts() -> None:
    from discord.http import Route

    from tests.emulator.redirect import apply_api_base_from_env

    before = Route.BASE
    with pytest.raises(ValueError, match="non-loopback"):
        apply_api_base_from_env({"FAQBOT_DISCORD_API_BASE": "https://example.com/api/v10"})
    assert before == Route.BASE
    assert not apply_api_base_from_env({})


async def test_dm_interaction(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    payload = emulator.slash_command("export", guild=None)
    assert "guild_id" not in payload and payload["user"]["username"] == "alice"
    assert payload["channel"]["type"] == 1 and payload["context"] == 1
    cb = await (await emulator.send_interaction(payload)).response()
    assert cb.content == "here"


async def test_members_intent_chunks(emulator: DiscordEmulator) -> None:  # noqa: F811
    client = discord.Client(intents=discord.Intents.all())
    async with run_bot(client, emulator):
        guild = client.get_guild(emulator.guild)
        assert guild is not None and guild.chunked
        assert {m.name for m in guild.members} >= {"alice", "mod", "owner", "faqbot-test"}
        mod = guild.get_member(int(emulator.moderator["id"]))
        assert mod is not None and mod.guild_permissions.manage_guild


SUBPROCESS_BOT = """
import os, discord
from discord import app_commands
client = discord.Client(intents=discord.Intents.default(), guild_ready_timeout=0.1)
tree = app_commands.CommandTree(client)

@tree.command(name="ping", description="ping")
async def ping(interaction: discord.Interaction) -> None:
    await interaction.response.send_message("pong from a subprocess")

@client.event
async def on_ready() -> None:
    await tree.sync()

client.run(os.environ["DISCORD_TOKEN"], log_handler=None)
"""


async def test_bot_as_subprocess(emulator_no_patch: DiscordEmulator) -> None:  # noqa: F811
    emu = emulator_no_patch
    root = ROOT
    env = {**os.environ, **emu.subprocess_env(token="subprocess-token"), "PYTHONPATH": str(root)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "tests.emulator.redirect",
        "-c",
        SUBPROCESS_BOT,
        env=env,
        cwd=root,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        sync = await emu.wait_for_request(lambda r: r.method == "PUT", timeout=10)
        assert sync.headers["Authorization"] == "Bot subprocess-token"
        handle = await emu.send_interaction(emu.slash_command("ping"))
        assert (await handle.response()).content == "pong from a subprocess"
    finally:
        if proc.returncode is None:
            proc.terminate()
        try:
            _, err = await asyncio.wait_for(proc.communicate(), 10)
        except TimeoutError:
            proc.kill()
            await proc.wait()
            err = b""
    assert b"Traceback" not in err, err.decode()


def test_network_guard_blocks_before_touching_anything(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from tests.emulator import loopback_only_network
    from tests.emulator.loopback import NonLoopbackConnection

    calls: list[object] = []

    def fake_getaddrinfo(*args: object, **kwargs: object) -> list[object]:
        calls.append(args)
        return []

    def fake_connect(self: socket.socket, address: object) -> None:
        calls.append(address)

    # Fakes stand in for the real functions, so even a broken guard cannot reach the network.
    monkeypatch.setattr(socket, "getaddrinfo", fake_getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", fake_connect)
    with loopback_only_network():
        with pytest.raises(NonLoopbackConnection):
            socket.getaddrinfo("discord.com", 443)
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        with sock, pytest.raises(NonLoopbackConnection):
            sock.connect(("192.0.2.1", 443))
        socket.getaddrinfo("127.0.0.1", 80)
    assert calls == [("127.0.0.1", 80)]


async def test_interaction_deadline(bot: PingBot, emulator: DiscordEmulator) -> None:  # noqa: F811
    emulator.interaction_deadline = 0.0
    handle = await emulator.send_interaction(emulator.slash_command("ping", {"topic": "late"}))
    req = await emulator.wait_for_request(lambda r: r.path.endswith("/callback"))
    assert req.status == 404 and req.response == {"message": "Unknown interaction", "code": 10062}
    assert handle.callbacks == []
