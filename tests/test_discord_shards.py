"""Discord past 2,500 servers: the bot connects with as many gateway shards as Discord
recommends (``GET /gateway/bot``) or as ``MATCHBOT_DISCORD_SHARDS`` says, each shard gets its
servers' events, and delivery reaches channels of servers on every shard. Against the fake
Discord, which closes an unsharded connection serving too many servers (4011) as Discord does."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path

import discord
import pytest

from adapters.compose import run_bot
from adapters.discord import DiscordAdapter
from bot.settings import Settings, ShardPlan
from tests.support.fakes.discord_api import FakeChannel, FakeDiscord, FakeGuild

pytestmark = pytest.mark.timeout(60)

GUILD_A = 800_000_000_000_000_001  # shard 1 of 2: (id >> 22) % 2
CHANNEL_A = 800_000_000_000_000_010
GUILD_B = 810_000_000_000_000_001  # shard 0 of 2
CHANNEL_B = 810_000_000_000_000_010
ADMIN = 123_456_789_012_345_678
MANAGE_CHANNELS = 1 << 4


def two_servers() -> list[FakeGuild]:
    return [
        FakeGuild(id=GUILD_A, name="A", channels=[FakeChannel(id=CHANNEL_A, name="alerts")]),
        FakeGuild(id=GUILD_B, name="B", channels=[FakeChannel(id=CHANNEL_B, name="alerts")]),
    ]


@pytest.fixture(autouse=True)
def _quick_ready(monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("TELEGRAM_BOT_TOKEN", "DISCORD_GUILD_ID", "MATCHBOT_FEEDS", "MATCHBOT_DB"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.1)
    monkeypatch.setattr(DiscordAdapter, "identify_interval", 0.05)  # Discord: 5 s


def test_the_two_servers_are_on_different_shards() -> None:
    assert ((GUILD_A >> 22) % 2, (GUILD_B >> 22) % 2) == (1, 0)


async def test_an_unsharded_client_is_refused_when_sharding_is_required() -> None:
    async with FakeDiscord(guilds=two_servers(), shards=2, max_guilds_per_shard=1) as dc:
        client = discord.Client(intents=discord.Intents.none())
        await client.login(dc.token)
        with pytest.raises(discord.ConnectionClosed) as info:
            await asyncio.wait_for(client.connect(reconnect=False), 10)
        await client.close()
    assert info.value.code == 4011


@pytest.fixture
async def sharded(tmp_path: Path) -> AsyncIterator[tuple[FakeDiscord, Path, asyncio.Event]]:
    feed = tmp_path / "feed.jsonl"
    feed.write_text("", encoding="utf-8")
    async with FakeDiscord(guilds=two_servers(), shards=2, max_guilds_per_shard=1) as dc:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            DISCORD_BOT_TOKEN=dc.token,
            MATCHBOT_DB=str(tmp_path / "bot.db"),
            MATCHBOT_FEEDS=str(feed),
        )
        stop = asyncio.Event()
        task = asyncio.create_task(run_bot(settings, stop))
        await dc.wait_for(lambda: bool(dc.synced_commands.get(None)), 15)
        try:
            yield dc, feed, stop
        finally:
            stop.set()
            await asyncio.wait_for(task, 15)


async def test_the_bot_runs_the_shards_discord_recommends_and_delivers_on_each(
    sharded: tuple[FakeDiscord, Path, asyncio.Event],
) -> None:
    dc, feed, _ = sharded
    assert sorted(p["shard"] for p in dc.identify_payloads) == [[0, 2], [1, 2]]
    for guild, channel in ((GUILD_A, CHANNEL_A), (GUILD_B, CHANNEL_B)):
        iid = await dc.send_interaction_command(
            guild, channel, ADMIN, "subscribe", {"name": "Inter"}, permissions=MANAGE_CHANNELS
        )
        answer = await dc.wait_interaction_response(iid, timeout=5)
        assert answer.embeds[0]["title"].startswith("✅")
    # each command reached one shard only: answered once
    assert len(dc.interaction_responses) == 2
    lines = [
        {
            "type": "match",
            "match": "m1",
            "competition": "Serie A",
            "home": "Atalanta",
            "away": "Inter",
            "kickoff": "2026-01-20T20:00:00Z",
        },
        {"type": "period", "match": "m1", "id": "ko", "minute": 0, "period": "first_half"},
    ]
    with feed.open("a", encoding="utf-8") as out:
        out.writelines(json.dumps(item) + "\n" for item in lines)
    await dc.wait_for(lambda: bool(dc.messages(CHANNEL_A) and dc.messages(CHANNEL_B)), 20)
    for channel in (CHANNEL_A, CHANNEL_B):
        [alert] = dc.messages(channel)
        assert "Kick-off" in alert.embeds[0]["title"]


async def test_a_configured_shard_count_is_used_as_is(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATCHBOT_DISCORD_SHARDS", "3")
    async with FakeDiscord(guilds=two_servers(), shards=1) as dc:
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            DISCORD_BOT_TOKEN=dc.token,
            MATCHBOT_DB=str(tmp_path / "bot.db"),
        )
        assert settings.discord_shards == ShardPlan(3)
        adapter = DiscordAdapter.from_settings(settings)

        class Core:
            async def chat_gone(self, platform: str, chat_id: str) -> None:
                return None

        await adapter.start(Core())  # type: ignore[arg-type]
        try:
            assert sorted(p["shard"] for p in dc.identify_payloads) == [[0, 3], [1, 3], [2, 3]]
            assert adapter.client is not None and len(adapter.client.guilds) == 2
        finally:
            await adapter.stop()


class _Core:
    async def chat_gone(self, platform: str, chat_id: str) -> None:
        return None


def four_servers() -> list[FakeGuild]:
    """One server on each of 4 shards: ``(id >> 22) % 4`` is 1, 0, 3, 2."""
    ids = [800_000_000_000_000_001, 810_000_000_000_000_001]
    ids += [820_000_000_000_000_001, 830_000_000_000_000_001]
    return [
        FakeGuild(id=gid, name=f"S{n}", channels=[FakeChannel(id=gid + 9, name="alerts")])
        for n, gid in enumerate(ids)
    ]


@pytest.mark.parametrize(
    ("text", "plan"),
    [
        ("8", ShardPlan(8)),
        ("0-3/8", ShardPlan(8, (0, 1, 2, 3))),
        ("5/8", ShardPlan(8, (5,))),
        ("0-1,6-7/8", ShardPlan(8, (0, 1, 6, 7))),
        (" 4-7 / 8 ", ShardPlan(8, (4, 5, 6, 7))),
        ("", None),
    ],
)
def test_shard_ranges_are_read_from_the_setting(
    text: str, plan: ShardPlan | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATCHBOT_DISCORD_SHARDS", text)
    assert Settings(_env_file=None).discord_shards == plan  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("4-9/8", "shard 9 is not among the 8 shards"),
        ("3-1/8", "goes backwards"),
        ("0/0", "at least 1"),
        ("half", "not a shard count"),
    ],
)
def test_a_bad_shard_range_is_refused_with_its_reason(
    text: str, reason: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("MATCHBOT_DISCORD_SHARDS", text)
    with pytest.raises(ValueError, match=reason):
        Settings(_env_file=None)  # type: ignore[call-arg]


async def test_two_processes_split_the_shards_by_range(monkeypatch: pytest.MonkeyPatch) -> None:
    """``0-1/4`` and ``2-3/4``: each adapter identifies only its own shards, and between them
    every server is served once."""
    async with FakeDiscord(guilds=four_servers(), shards=1, max_guilds_per_shard=1) as dc:
        adapters = []
        for text in ("0-1/4", "2-3/4"):
            monkeypatch.setenv("MATCHBOT_DISCORD_SHARDS", text)
            settings = Settings(_env_file=None, DISCORD_BOT_TOKEN=dc.token)  # type: ignore[call-arg]
            adapters.append(DiscordAdapter.from_settings(settings))
        try:
            first, second = adapters
            await first.start(_Core())  # type: ignore[arg-type]
            assert sorted(p["shard"] for p in dc.identify_payloads) == [[0, 4], [1, 4]]
            await second.start(_Core())  # type: ignore[arg-type]
            assert sorted(p["shard"] for p in dc.identify_payloads) == [
                [0, 4],
                [1, 4],
                [2, 4],
                [3, 4],
            ]
            served = []
            for adapter in adapters:
                assert adapter.client is not None
                served.append(sorted((g.id >> 22) % 4 for g in adapter.client.guilds))
            assert served == [[0, 1], [2, 3]]
        finally:
            for adapter in adapters:
                await adapter.stop()
