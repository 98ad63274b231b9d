"""The real discord.py client against tests/support/fakes/discord_api.FakeDiscord
(all on 127.0.0.1)."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Callable, Coroutine
from typing import Any

import discord
import pytest
from discord import app_commands

from tests.support.fakes.discord_api import (
    EPHEMERAL_FLAG,
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    validate_message_payload,
)

TEAMS = ["Arsenal", "Aston Villa", "Barcelona", "Bayern Munich", "Real Madrid"]
USER_ID = 123_456_789_012_345_678


class Bot:
    """A discord.Client + CommandTree wired like the matchbot adapter would be."""

    def __init__(self, dc: FakeDiscord, intents: discord.Intents | None = None) -> None:
        self.dc = dc
        self.client = discord.Client(
            intents=intents or discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
            # discord.py waits guild_ready_timeout (default 2 s) after the last GUILD_CREATE
            # before on_ready; shortened so the suite stays fast.
            guild_ready_timeout=0.1,
        )
        self.tree = app_commands.CommandTree(self.client)
        self.ready = asyncio.Event()
        self.resumed = asyncio.Event()
        self.invocations: list[str] = []
        self.errors: list[BaseException] = []
        self.task: asyncio.Task[None] | None = None

        @self.client.event
        async def on_ready() -> None:
            self.ready.set()

        @self.client.event
        async def on_resumed() -> None:
            self.resumed.set()

        @self.tree.command(name="ping", description="Ping a team")
        @app_commands.describe(team="Team name")
        async def ping(interaction: discord.Interaction, team: str) -> None:
            self.invocations.append(team)
            await interaction.response.send_message(
                f"pong {team}", ephemeral=team.startswith("secret")
            )

        @ping.autocomplete("team")
        async def team_autocomplete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            return [
                app_commands.Choice(name=t, value=t) for t in TEAMS if current.lower() in t.lower()
            ]

        @self.tree.command(name="slow", description="Defer, then answer")
        async def slow(interaction: discord.Interaction) -> None:
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.edit_original_response(content="done")
            await interaction.followup.send("extra", ephemeral=True)

        @self.tree.error
        async def on_app_command_error(
            interaction: discord.Interaction, error: app_commands.AppCommandError
        ) -> None:
            self.errors.append(error)

    async def start(self) -> None:
        await self.client.login(self.dc.token)
        self.task = asyncio.create_task(self.client.connect())
        await asyncio.wait_for(self.ready.wait(), 5)

    async def stop(self) -> None:
        await self.client.close()
        if self.task is not None:
            await asyncio.wait_for(self.task, 5)


@pytest.fixture
async def dc() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake


@pytest.fixture
async def bot(dc: FakeDiscord) -> AsyncIterator[Bot]:
    b = Bot(dc)
    await b.start()
    try:
        yield b
    finally:
        await b.stop()


async def test_login_connect_and_ready(dc: FakeDiscord, bot: Bot) -> None:
    client = bot.client
    assert client.user is not None
    assert client.user.id == dc.bot_id
    assert client.application_id == dc.application_id
    assert dc.intents == discord.Intents.default().value
    # this environment has no zstd, so discord.py asks for zlib-stream and decodes our frames
    assert dc.gateway_queries[0] == {"v": "10", "encoding": "json", "compress": "zlib-stream"}
    guild = client.get_guild(dc.guild_id)
    assert guild is not None
    assert guild.name == "Test Guild"
    channel = guild.get_channel(dc.channel_id)
    assert isinstance(channel, discord.TextChannel)
    assert client.get_channel(dc.channel_id) is channel
    assert channel.permissions_for(guild.me).send_messages
    assert [(r.method, r.path) for r in dc.requests[:2]] == [
        ("GET", "/users/@me"),
        ("GET", "/oauth2/applications/@me"),
    ]
    assert dc.unhandled == []
    assert dc.heartbeats >= 1  # discord.py heartbeats right after HELLO


async def test_wrong_token_is_login_failure(dc: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.default())
    with pytest.raises(discord.LoginFailure):
        await client.login("not-the-token")
    await client.close()


async def test_privileged_intents_rejected_unless_enabled(dc: FakeDiscord) -> None:
    client = discord.Client(intents=discord.Intents.all())
    await client.login(dc.token)
    with pytest.raises(discord.PrivilegedIntentsRequired):
        await asyncio.wait_for(client.connect(), 5)
    await client.close()


async def test_sync_records_global_and_guild_commands(dc: FakeDiscord, bot: Bot) -> None:
    synced = await bot.tree.sync()
    assert {c.name for c in synced} == {"ping", "slow"}
    stored = {c["name"]: c for c in dc.synced_commands[None]}
    assert stored["ping"]["options"][0]["name"] == "team"
    assert stored["ping"]["options"][0]["autocomplete"] is True
    assert {c.id for c in synced} == {int(c["id"]) for c in dc.synced_commands[None]}

    guild = discord.Object(id=dc.guild_id)
    bot.tree.copy_global_to(guild=guild)
    await bot.tree.sync(guild=guild)
    assert {c["name"] for c in dc.synced_commands[dc.guild_id]} == {"ping", "slow"}
    assert dc.command_syncs == 2
    assert [r.method for r in dc.requests if "/commands" in r.path] == ["PUT", "PUT"]


GOOD_COMMAND: dict[str, Any] = {
    "name": "score",
    "description": "A team's score",
    "description_localizations": {"it": "Il punteggio di una squadra"},
    "name_localizations": {"it": "punteggio"},
    "options": [
        {"type": 3, "name": "team", "description": "A team", "required": True},
        {
            "type": 3,
            "name": "level",
            "description": "Which alerts",
            "choices": [{"name": "Goals only", "value": "goals"}],
        },
        {"type": 4, "name": "page", "description": "Page", "min_value": 1, "max_value": 9},
    ],
}


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name_localizations": {"italian": "punteggio"}}, "name_localizations"),
        ({"name_localizations": {"it": "Punteggio"}}, "name_localizations"),
        ({"description": "x" * 101}, "description"),
        ({"options": [{"type": 3, "name": "Team", "description": "A team"}]}, "options"),
        ({"options": [{"type": 3, "name": "team", "description": ""}]}, "options"),
        ({"options": [{"type": 99, "name": "team", "description": "A team"}]}, "options"),
        (
            {
                "options": [
                    {"type": 3, "name": "a", "description": "A"},
                    {"type": 3, "name": "b", "description": "B", "required": True},
                ]
            },
            "options",
        ),
        (
            {
                "options": [
                    {
                        "type": 3,
                        "name": "a",
                        "description": "A",
                        "choices": [{"name": f"c{i}", "value": f"{i}"} for i in range(26)],
                    }
                ]
            },
            "options",
        ),
        (
            {
                "options": [
                    {
                        "type": 3,
                        "name": "a",
                        "description": "A",
                        "autocomplete": True,
                        "choices": [{"name": "c", "value": "c"}],
                    }
                ]
            },
            "options",
        ),
        (
            {"options": [{"type": 3, "name": "a", "description": "A", "min_value": 1}]},
            "options",
        ),
        (
            {
                "options": [
                    {
                        "type": 4,
                        "name": "a",
                        "description": "A",
                        "choices": [{"name": "one", "value": "1"}],
                    }
                ]
            },
            "options",
        ),
    ],
)
async def test_commands_are_validated_like_discord(
    dc: FakeDiscord, bot: Bot, change: dict[str, Any], field: str
) -> None:
    """The fake refuses what Discord refuses in registered commands: bad names (upper case, a
    locale Discord has not), descriptions, option types, a required option after an optional
    one, more than 25 choices, choices with autocomplete, bounds on a string, a choice of the
    wrong type. A valid command goes through."""
    await bot.tree.sync()
    app_id = bot.client.application_id
    assert app_id is not None
    await bot.client.http.bulk_upsert_global_commands(app_id, [GOOD_COMMAND])
    assert [c["name"] for c in dc.synced_commands[None]] == ["score"]
    with pytest.raises(discord.HTTPException) as refused:
        await bot.client.http.bulk_upsert_global_commands(app_id, [{**GOOD_COMMAND, **change}])
    assert refused.value.status == 400
    assert field in json.dumps(refused.value.text) or field in str(refused.value)
    assert [c["name"] for c in dc.synced_commands[None]] == ["score"]  # nothing replaced


async def test_slash_command_is_invoked_and_answered(dc: FakeDiscord, bot: Bot) -> None:
    await bot.tree.sync()
    iid = await dc.send_interaction_command(
        dc.guild_id, dc.channel_id, USER_ID, "ping", {"team": "Arsenal"}
    )
    response = await dc.wait_interaction_response(iid)
    assert bot.invocations == ["Arsenal"]
    assert response.type == 4
    assert response.content == "pong Arsenal"
    assert not response.ephemeral
    assert response.data is not None
    assert response.data["allowed_mentions"] == {"parse": []}
    # the reply is a channel message, but not one the bot "sent" with channel.send
    assert dc.messages(dc.channel_id) == []
    assert [m.content for m in dc.messages(dc.channel_id, include_interactions=True)] == [
        "pong Arsenal"
    ]

    iid2 = await dc.send_interaction_command(
        dc.guild_id, dc.channel_id, USER_ID, "ping", {"team": "secret-team"}, permissions="0"
    )
    ephemeral = await dc.wait_interaction_response(iid2)
    assert ephemeral.flags & EPHEMERAL_FLAG
    assert ephemeral.ephemeral
    assert bot.errors == []


async def test_guild_command_interaction(dc: FakeDiscord, bot: Bot) -> None:
    guild = discord.Object(id=dc.guild_id)
    bot.tree.copy_global_to(guild=guild)
    await bot.tree.sync(guild=guild)
    iid = await dc.send_interaction_command(
        dc.guild_id, dc.channel_id, USER_ID, "ping", {"team": "Barcelona"}
    )
    assert (await dc.wait_interaction_response(iid)).content == "pong Barcelona"


async def test_unsynced_command_is_refused_by_the_fake(dc: FakeDiscord, bot: Bot) -> None:
    with pytest.raises(LookupError):
        await dc.send_interaction_command(dc.guild_id, dc.channel_id, USER_ID, "ping", {})


async def test_autocomplete_returns_choices(dc: FakeDiscord, bot: Bot) -> None:
    await bot.tree.sync()
    iid = await dc.send_autocomplete(
        dc.guild_id, dc.channel_id, USER_ID, "ping", {"team": "ar"}, focused="team"
    )
    response = await dc.wait_interaction_response(iid)
    assert response.type == 8
    assert [c["value"] for c in response.choices] == ["Arsenal", "Barcelona"]
    assert bot.invocations == []


async def test_deferred_response_edit_original_and_followup(dc: FakeDiscord, bot: Bot) -> None:
    await bot.tree.sync()
    iid = await dc.send_interaction_command(dc.guild_id, dc.channel_id, USER_ID, "slow")
    response = await dc.wait_interaction_response(iid)
    assert response.type == 5
    assert response.ephemeral
    await dc.wait_for(lambda: len(dc.followups) == 1)
    assert dc.followups[0].content == "extra"
    assert dc.followups[0].ephemeral
    original = [m for m in dc.messages(include_interactions=True) if m.source == "interaction"]
    assert [(m.content, m.edit_count, m.ephemeral) for m in original] == [("done", 1, True)]
    assert dc.edits[-1].via == "webhook"


async def test_late_interaction_response_is_unknown_interaction(dc: FakeDiscord, bot: Bot) -> None:
    await bot.tree.sync()
    dc.interaction_response_timeout = 0.0
    iid = await dc.send_interaction_command(
        dc.guild_id, dc.channel_id, USER_ID, "ping", {"team": "Arsenal"}
    )
    await dc.wait_for(lambda: bool(bot.errors))
    error = bot.errors[0]
    assert isinstance(error, app_commands.CommandInvokeError)
    assert isinstance(error.original, discord.NotFound)
    assert error.original.code == 10062
    assert all(r.interaction_id != iid for r in dc.interaction_responses)


async def test_send_embed_edit_and_allowed_mentions(dc: FakeDiscord, bot: Bot) -> None:
    channel = bot.client.get_channel(dc.channel_id)
    assert isinstance(channel, discord.TextChannel)
    embed = discord.Embed(title="GOAL!", description="Arsenal 1-0 Chelsea")
    embed.add_field(name="Scorer", value="Saka 12'")
    message = await channel.send("@everyone kick-off", embed=embed)
    assert message.id == dc.messages(dc.channel_id)[0].id
    assert message.embeds[0].title == "GOAL!"

    sent = dc.messages(dc.channel_id)[0]
    assert sent.content == "@everyone kick-off"
    assert sent.embeds[0]["title"] == "GOAL!"
    assert sent.embeds[0]["fields"] == [{"name": "Scorer", "value": "Saka 12'", "inline": True}]
    assert sent.allowed_mentions == {"parse": []}

    edited = await message.edit(content="Full time", embed=None)
    assert edited.content == "Full time"
    assert edited.edited_at is not None
    assert sent.content == "Full time"
    assert sent.embeds == []
    assert sent.edit_count == 1
    assert dc.edits[0].message_id == message.id
    assert dc.edits[0].json["content"] == "Full time"

    # a message created elsewhere can be edited through a PartialMessage too
    await channel.get_partial_message(message.id).edit(content="FT: 1-0")
    assert sent.content == "FT: 1-0"


async def test_forbidden_and_not_found(dc: FakeDiscord, bot: Bot) -> None:
    channel = bot.client.get_channel(dc.channel_id)
    assert isinstance(channel, discord.TextChannel)
    dc.fail_next(dc.channel_id, "forbidden")
    with pytest.raises(discord.Forbidden) as forbidden:
        await channel.send("x")
    assert forbidden.value.code == 50001
    dc.fail_next(dc.channel_id, "not_found")
    with pytest.raises(discord.NotFound) as not_found:
        await channel.send("x")
    assert not_found.value.code == 10003
    await channel.send("ok now")  # injections are one-shot

    dc.forbid(dc.channel_id)
    for _ in range(2):
        with pytest.raises(discord.Forbidden):
            await channel.send("x")
    dc.unforbid(dc.channel_id)

    with pytest.raises(discord.NotFound):
        await bot.client.http.send_message(1234, params=_params("nowhere"))
    assert [m.content for m in dc.messages()] == ["ok now"]
    assert dc.invalid_requests == 3  # 401, 403 and 429 count (as on Discord), 404 does not


def _params(content: str) -> discord.http.MultipartParameters:
    return discord.http.handle_message_parameters(content=content)


async def test_rate_limited_429_is_retried_transparently(dc: FakeDiscord, bot: Bot) -> None:
    channel = bot.client.get_channel(dc.channel_id)
    assert isinstance(channel, discord.TextChannel)
    dc.fail_next(dc.channel_id, "rate_limited")
    started = time.monotonic()
    await channel.send("after the 429")
    assert time.monotonic() - started >= 0.45  # discord.py slept retry_after
    posts = [r for r in dc.requests if r.method == "POST" and r.path.endswith("/messages")]
    assert [r.status for r in posts] == [429, 200]
    assert [m.content for m in dc.messages(dc.channel_id)] == ["after the 429"]
    assert dc.violations == []  # injected, not a real violation


async def test_server_error_is_retried(dc: FakeDiscord, bot: Bot) -> None:
    channel = bot.client.get_channel(dc.channel_id)
    assert isinstance(channel, discord.TextChannel)
    dc.fail_next(dc.channel_id, "server_error", status=502)  # Cloudflare HTML body
    await channel.send("after the 502")  # discord.py sleeps 1 s, then retries
    assert [m.content for m in dc.messages()] == ["after the 502"]
    dc.fail_next(dc.channel_id, "server_error", status=503)
    with pytest.raises(discord.DiscordServerError):  # 503 is not retried
        await channel.send("x")


async def test_discord_limits_are_enforced(dc: FakeDiscord, bot: Bot) -> None:
    dc.channel_rate_limit = 50  # rejected sends still use the bucket; keep the test fast
    channel = bot.client.get_channel(dc.channel_id)
    assert isinstance(channel, discord.TextChannel)
    with pytest.raises(discord.HTTPException) as too_long:
        await channel.send("x" * 2001)
    assert too_long.value.status == 400
    assert too_long.value.code == 50035
    assert "In content: Must be 2000 or fewer in length." in str(too_long.value)

    with pytest.raises(discord.HTTPException) as bad_title:
        await channel.send(embed=discord.Embed(title="t" * 257))
    assert "In embeds.0.title" in str(bad_title.value)

    many_fields = discord.Embed(title="x")
    for i in range(26):
        many_fields.add_field(name=f"f{i}", value="v")
    with pytest.raises(discord.HTTPException) as fields:
        await channel.send(embed=many_fields)
    assert "embeds.0.fields" in str(fields.value)

    big = [discord.Embed(description="d" * 4000), discord.Embed(description="d" * 2001)]
    with pytest.raises(discord.HTTPException) as total:
        await channel.send(embeds=big)
    assert "6000" in str(total.value)

    message = await channel.send("fine")
    with pytest.raises(discord.HTTPException):
        await message.edit(content="y" * 2001)
    assert dc.messages()[0].content == "fine"
    assert dc.edits == []


def test_validator_limits() -> None:
    ok = {"content": "x" * 2000, "embeds": [{"title": "t" * 256, "description": "d" * 4096}]}
    assert validate_message_payload(ok) is None
    errors = validate_message_payload(
        {
            "embeds": [
                {
                    "footer": {"text": "f" * 2049},
                    "author": {"name": "a" * 257},
                    "fields": [
                        {"name": "n" * 257, "value": "v" * 1025},
                        {"name": "", "value": "v"},
                    ],
                }
            ]
        }
    )
    assert errors is not None
    embed = errors["embeds"]["0"]
    assert set(embed) == {"footer", "author", "fields"}
    assert set(embed["fields"]["0"]) == {"name", "value"}
    assert embed["fields"]["1"]["name"]["_errors"][0]["code"] == "BASE_TYPE_REQUIRED"
    eleven = validate_message_payload({"embeds": [{"title": "x"}] * 11})
    assert eleven is not None
    assert eleven["embeds"]["_errors"][0]["message"] == "Must be 10 or fewer in length."


async def test_channel_bucket_is_paced_by_discord_py() -> None:
    async with FakeDiscord(channel_rate_limit=2, channel_rate_window=0.3) as dc:
        bot = Bot(dc)
        await bot.start()
        try:
            channel = bot.client.get_channel(dc.channel_id)
            assert isinstance(channel, discord.TextChannel)
            started = time.monotonic()
            await asyncio.gather(*(channel.send(f"alert {i}") for i in range(6)))
            elapsed = time.monotonic() - started
            assert sorted(m.content for m in dc.messages()) == [f"alert {i}" for i in range(6)]
            assert dc.violations == []
            assert elapsed >= 0.6  # 3 windows of 2
            assert all(r.status == 200 for r in dc.requests if r.method == "POST")

            # quirk: the send that empties the bucket only returns once the bucket has reset
            await asyncio.sleep(0.35)
            started = time.monotonic()
            await channel.send("first")
            first = time.monotonic() - started
            await channel.send("second")
            second = time.monotonic() - started - first
            assert first < 0.2
            assert second >= 0.25
        finally:
            await bot.stop()


async def test_exceeding_the_channel_bucket_is_a_violation(dc: FakeDiscord, bot: Bot) -> None:
    # Bypass discord.py's bucket handling with raw aiohttp to prove the fake enforces it.
    import aiohttp

    url = f"{dc.api_base}/channels/{dc.channel_id}/messages"
    headers = {"Authorization": f"Bot {dc.token}"}
    async with aiohttp.ClientSession() as session:
        statuses = []
        for i in range(6):
            async with session.post(url, json={"content": str(i)}, headers=headers) as resp:
                statuses.append(resp.status)
                if resp.status == 429:
                    body = await resp.json(content_type=None)
                    assert resp.headers["Content-Type"] == "application/json"
                    assert resp.headers["Via"]
                    assert body["global"] is False
                    assert body["retry_after"] > 0
                else:
                    assert resp.headers["X-RateLimit-Limit"] == "5"
                    assert resp.headers["X-RateLimit-Remaining"] == str(4 - i)
    assert statuses == [200] * 5 + [429]
    assert len(dc.channel_violations(dc.channel_id)) == 1


async def test_global_rate_limit_429_is_counted_and_retried() -> None:
    async with FakeDiscord(global_rate_limit=6) as dc:
        bot = Bot(dc)
        await bot.start()  # login used 2 of the 6 requests in this second
        try:
            # discord.py has no client-side global limiter: it only reacts to the 429
            for _ in range(6):
                await bot.client.fetch_channel(dc.channel_id)
            violations = dc.global_violations()
            assert violations
            assert all(v.scope == "global" for v in violations)
            gets = [r for r in dc.requests if r.path == f"/channels/{dc.channel_id}"]
            assert [r.status for r in gets].count(200) == 6
        finally:
            await bot.stop()


async def test_guild_and_channel_delete(dc: FakeDiscord, bot: Bot) -> None:
    second = FakeGuild(
        id=700_000_000_000_000_001,
        name="Second",
        channels=[FakeChannel(id=700_000_000_000_000_010, name="scores")],
    )
    joined = asyncio.Event()
    bot.client.event(_setter("on_guild_join", joined))
    await dc.guild_create(second)
    await asyncio.wait_for(joined.wait(), 5)
    channel = bot.client.get_channel(700_000_000_000_000_010)
    assert isinstance(channel, discord.TextChannel)

    removed = asyncio.Event()
    bot.client.event(_setter("on_guild_remove", removed))
    await dc.guild_delete(second.id)
    await asyncio.wait_for(removed.wait(), 5)
    assert bot.client.get_guild(second.id) is None
    with pytest.raises(discord.Forbidden):
        await channel.send("still there?")

    first = bot.client.get_channel(dc.channel_id)
    assert isinstance(first, discord.TextChannel)
    deleted = asyncio.Event()
    bot.client.event(_setter("on_guild_channel_delete", deleted))
    await dc.channel_delete(dc.channel_id)
    await asyncio.wait_for(deleted.wait(), 5)
    assert bot.client.get_channel(first.id) is None
    with pytest.raises(discord.NotFound):
        await first.send("gone")


def _setter(name: str, event: asyncio.Event) -> Callable[..., Coroutine[Any, Any, None]]:
    async def handler(*args: object) -> None:
        event.set()

    handler.__name__ = name
    return handler


async def test_gateway_close_resumes_session(dc: FakeDiscord, bot: Bot) -> None:
    await dc.close_gateway(4000)
    await asyncio.wait_for(bot.resumed.wait(), 10)
    assert dc.resumes == 1
    bot.resumed.clear()
    await dc.send_reconnect()  # op 7
    await asyncio.wait_for(bot.resumed.wait(), 10)
    assert dc.resumes == 2
    assert len(dc.identify_payloads) == 1
    await bot.tree.sync()
    iid = await dc.send_interaction_command(
        dc.guild_id, dc.channel_id, USER_ID, "ping", {"team": "Real Madrid"}
    )
    assert (await dc.wait_interaction_response(iid)).content == "pong Real Madrid"


async def test_wait_for_count(dc: FakeDiscord, bot: Bot) -> None:
    channel = bot.client.get_channel(dc.channel_id)
    assert isinstance(channel, discord.TextChannel)
    asyncio.get_running_loop().call_later(0.05, lambda: asyncio.ensure_future(channel.send("a")))
    await dc.wait_for(1, timeout=5, channel_id=dc.channel_id)
    with pytest.raises(TimeoutError):
        await dc.wait_for(2, timeout=0.1)


async def test_channel_overwrites_are_applied() -> None:
    bot_id = 900_000_000_000_000_001
    no_embeds = {"id": str(bot_id), "type": 1, "allow": "0", "deny": str(1 << 14)}
    read_only = {"id": str(bot_id), "type": 1, "allow": "0", "deny": str(1 << 11)}
    guild = FakeGuild(
        id=600_000_000_000_000_001,
        name="Perms",
        channels=[
            FakeChannel(
                id=600_000_000_000_000_010, name="no-embeds", permission_overwrites=[no_embeds]
            ),
            FakeChannel(
                id=600_000_000_000_000_011, name="read-only", permission_overwrites=[read_only]
            ),
        ],
    )
    async with FakeDiscord(bot_id=bot_id, guilds=[guild]) as dc:
        bot = Bot(dc)
        await bot.start()
        try:
            no_embed_channel = bot.client.get_channel(600_000_000_000_000_010)
            read_only_channel = bot.client.get_channel(600_000_000_000_000_011)
            assert isinstance(no_embed_channel, discord.TextChannel)
            assert isinstance(read_only_channel, discord.TextChannel)
            me = no_embed_channel.guild.me
            assert not no_embed_channel.permissions_for(me).embed_links  # cache agrees
            await no_embed_channel.send("text", embed=discord.Embed(title="dropped"))
            assert dc.messages()[0].embeds == []  # Discord silently drops them
            with pytest.raises(discord.Forbidden) as exc:
                await read_only_channel.send("nope")
            assert exc.value.code == 50013
        finally:
            await bot.stop()


async def test_dm_interaction(dc: FakeDiscord, bot: Bot) -> None:
    await bot.tree.sync()
    iid = await dc.send_interaction_command(None, 555, USER_ID, "ping", {"team": "Arsenal"})
    response = await dc.wait_interaction_response(iid)
    assert response.content == "pong Arsenal"
