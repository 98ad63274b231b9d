"""The Discord adapter on its own: limits, error mapping, edits and command sync, against the
fake Discord with the real discord.py client."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import discord
import pytest

from adapters.discord import DiscordAdapter, commands
from adapters.discord.adapter import counts_globally, translate_error
from adapters.discord.embeds import embed_batches, embed_size
from adapters.discord.render import discord_embeds
from bot.clock import FastClock
from bot.messages.model import Message, Section, bold, line
from bot.pacer import Pacer
from bot.ports import (
    CannotEdit,
    ChatUnreachable,
    CommandContext,
    PermanentFailure,
    RetryAfter,
    StartupError,
    TemporaryFailure,
)
from bot.settings import Settings
from tests.support.fakes.discord_api import (
    FakeChannel,
    FakeDiscord,
    FakeGuild,
    validate_message_payload,
)

pytestmark = pytest.mark.timeout(60)


class StubCore:
    """The smallest CoreAPI: answers every command with its name."""

    def __init__(self) -> None:
        self.gone: list[tuple[str, str]] = []

    async def command(
        self, ctx: CommandContext, name: str, args: str, reply_key: str | None = None
    ) -> Message:
        return Message(kind="reply", headline=line(f"{name} {args}".strip()))

    async def press(
        self, ctx: CommandContext, action: str, reply_key: str | None = None
    ) -> Message:
        return Message(kind="reply", headline=line(action))

    async def chat_gone(self, platform: str, chat_id: str) -> None:
        self.gone.append((platform, chat_id))

    async def team_names(self, typed: str, limit: int = 25) -> list[str]:
        return ["Inter"][:limit]

    async def follow_names(self, typed: str, limit: int = 25) -> list[tuple[str, str]]:
        return [("Inter", "team Inter")][:limit]


def huge_message(count: int = 40, rows: int = 30) -> Message:
    """A recap far over every Discord limit: ``count`` sections of ``rows`` long lines."""
    long = "Lautaro Martínez @everyone *bold* " * 8
    sections = tuple(
        Section(
            title=f"Section {i} " + "x" * 300, lines=tuple(line(bold(long)) for _ in range(rows))
        )
        for i in range(count)
    )
    return Message(
        kind="recap",
        headline=line(bold("🏁 " + "Atalanta 0-1 Inter " * 30)),
        sections=(Section(lines=(line("y" * 5000),)), *sections),
    )


@pytest.fixture
async def dc() -> AsyncIterator[FakeDiscord]:
    async with FakeDiscord() as fake:
        yield fake


@pytest.fixture
async def adapter(
    dc: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[DiscordAdapter]:
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.05)
    bot = DiscordAdapter(dc.token)
    await bot.start(StubCore())
    try:
        yield bot
    finally:
        await bot.stop()


def test_batches_respect_every_message_limit() -> None:
    embeds = discord_embeds(huge_message())
    batches = embed_batches(embeds)
    assert sum(len(b) for b in batches) == len(embeds)
    for batch in batches:
        assert len(batch) <= 10
        assert sum(embed_size(e) for e in batch) <= 6000
        assert validate_message_payload({"embeds": batch}) is None


def test_from_settings() -> None:
    settings = Settings(_env_file=None, DISCORD_BOT_TOKEN="t", DISCORD_GUILD_ID="42")  # type: ignore[call-arg]
    adapter = DiscordAdapter.from_settings(settings)
    assert (adapter.token, adapter.guild_id, adapter.platform) == ("t", 42, "discord")
    assert adapter.pacing.per_second == 50  # Discord's global limit: 50 requests in any second
    assert adapter.pacing.per_chat_interval >= 1.0  # Discord: 5 messages per 5 s per channel


async def test_a_huge_message_is_split_never_refused(
    dc: FakeDiscord, adapter: DiscordAdapter
) -> None:
    ids = await adapter.send(str(dc.channel_id), huge_message(8, 6))
    sent = dc.messages(dc.channel_id)
    assert len(ids) == len(sent) >= 2
    assert [str(m.id) for m in sent] == ids
    assert all(r.status == 200 for r in dc.requests if r.path.endswith("/messages"))
    assert all(m.allowed_mentions == {"parse": []} for m in sent)


async def test_errors_become_delivery_errors(dc: FakeDiscord, adapter: DiscordAdapter) -> None:
    chat = str(dc.channel_id)
    hello = Message(kind="goal", headline=line(bold("⚽ GOAL!")))
    dc.fail_next(dc.channel_id, "rate_limited")  # discord.py waits and retries by itself
    assert len(await adapter.send(chat, hello)) == 1
    dc.fail_next(dc.channel_id, "server_error", status=503)  # raised at once by discord.py
    with pytest.raises(TemporaryFailure):
        await adapter.send(chat, hello)
    dc.fail_next(dc.channel_id, "not_found")
    with pytest.raises(ChatUnreachable):
        await adapter.send(chat, hello)
    dc.fail_next(dc.channel_id, "forbidden")
    with pytest.raises(ChatUnreachable):
        await adapter.send(chat, hello)
    with pytest.raises(ChatUnreachable):  # a channel that never existed
        await adapter.send("123", hello)


async def test_edit_in_place_and_deleted_message(dc: FakeDiscord, adapter: DiscordAdapter) -> None:
    chat = str(dc.channel_id)
    ids = await adapter.send(chat, Message(kind="goal", headline=line("⚽ GOAL! 1-0")))
    await adapter.edit(chat, ids, Message(kind="correction", headline=line("No goal: 0-0")))
    assert [e.message_id for e in dc.edits] == [int(ids[0])]
    assert dc.messages(dc.channel_id)[0].embeds[0]["title"] == "No goal: 0-0"
    assert dc.edits[0].json["allowed_mentions"] == {"parse": []}
    dc.get_message(int(ids[0])).deleted = True  # type: ignore[union-attr]
    with pytest.raises(CannotEdit):
        await adapter.edit(chat, ids, Message(kind="correction", headline=line("again")))


async def test_guild_sync_only_in_that_guild(
    dc: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.05)
    bot = DiscordAdapter(dc.token, guild_id=dc.guild_id)
    await bot.start(StubCore())
    await bot.stop()
    assert None not in dc.synced_commands
    assert len(dc.synced_commands[dc.guild_id]) == 14  # with /lineups and /stats

    stranger = DiscordAdapter(dc.token, guild_id=1234)
    with pytest.raises(StartupError, match="DISCORD_GUILD_ID=1234"):
        await stranger.start(StubCore())


async def test_wrong_token_fails_start(dc: FakeDiscord) -> None:
    with pytest.raises(StartupError, match="Discord rejected DISCORD_BOT_TOKEN") as info:
        await DiscordAdapter("wrong-token-value").start(StubCore())
    assert "wrong-token-value" not in str(info.value)


class _Response:
    def __init__(self, status: int, headers: dict[str, str]) -> None:
        self.status = status
        self.reason = "x"
        self.headers = headers


def _http(cls: type[discord.HTTPException], status: int, **headers: str) -> Any:
    return cls(_Response(status, headers), {"message": "m", "code": 0})  # type: ignore[arg-type]


def test_translate_error() -> None:
    limited = translate_error(discord.RateLimited(12.5))
    assert isinstance(limited, RetryAfter) and limited.seconds == 12.5
    banned = translate_error(_http(discord.HTTPException, 429, **{"Retry-After": "7"}))
    assert isinstance(banned, RetryAfter) and banned.seconds == 7
    assert isinstance(translate_error(_http(discord.HTTPException, 400)), PermanentFailure)
    assert isinstance(translate_error(_http(discord.DiscordServerError, 502)), TemporaryFailure)
    assert isinstance(translate_error(aiohttp.ClientConnectionError()), TemporaryFailure)
    assert isinstance(translate_error(TimeoutError()), TemporaryFailure)
    error = ValueError("bug")
    assert translate_error(error) is error


class SlowCore(StubCore):
    """A core that answers after a while, or fails."""

    async def command(
        self, ctx: CommandContext, name: str, args: str, reply_key: str | None = None
    ) -> Message:
        if name == "score":
            raise RuntimeError("boom")
        await asyncio.sleep(0.3)
        return Message(kind="error", headline=line(f"{ctx.chat_kind} {ctx.can_manage}"))


async def test_slow_command_is_deferred_and_failures_answered(
    dc: FakeDiscord, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.05)
    monkeypatch.setattr(commands, "DEFER_AFTER", 0.05)
    bot = DiscordAdapter(dc.token)
    await bot.start(SlowCore())
    try:
        iid = await dc.send_interaction_command(
            dc.guild_id, dc.channel_id, 1, "help", permissions=1 << 3
        )
        deferred = await dc.wait_interaction_response(iid)
        assert deferred.type == 5  # "thinking…", within Discord's 3 s
        await dc.wait_for(lambda: len(dc.edits) == 1)
        assert dc.edits[0].via == "webhook"
        assert dc.edits[0].json["embeds"][0]["title"] == "group True"  # administrator
        assert dc.edits[0].json["allowed_mentions"] == {"parse": []}

        iid = await dc.send_interaction_command(dc.guild_id, dc.channel_id, 1, "score")
        failed = await dc.wait_interaction_response(iid)
        assert failed.ephemeral and failed.content is not None and "Sorry" in failed.content
    finally:
        await bot.stop()


async def test_a_burst_of_sends_stays_within_the_global_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """30 channels at once against a fake allowing 10 requests in any second: every message
    arrives and Discord never had to refuse one (the pacer counts login and command sync
    too). The pacer runs on a clock 10 times faster, against windows scaled the same way."""
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.05)
    channels = [FakeChannel(id=900_000_000_000_000_100 + i, name=f"c{i}") for i in range(30)]
    guild = FakeGuild(id=900_000_000_000_000_001, name="burst", channels=channels)
    async with FakeDiscord(guilds=[guild], global_rate_limit=10, time_scale=0.1) as fake:
        bot = DiscordAdapter(fake.token, requests_per_second=10)
        # the delivery loop's, as in a run
        bot.bind_pacer(Pacer(bot.pacing, bot.is_group, FastClock(10)))
        await bot.start(StubCore())
        try:
            message = Message(kind="goal", headline=line(bold("GOAL")))
            await asyncio.gather(*(bot.send(str(c.id), message) for c in channels))
        finally:
            await bot.stop()
        assert len(fake.messages()) == 30
        assert fake.global_violations() == []


def test_interaction_answers_and_the_gateway_do_not_count_globally() -> None:
    base = "https://discord.com/api/v10"
    assert counts_globally(f"{base}/channels/1/messages")
    assert counts_globally(f"{base}/applications/1/commands")
    assert not counts_globally(f"{base}/interactions/1/tok/callback")
    assert not counts_globally(f"{base}/webhooks/1/tok/messages/@original")
    assert not counts_globally("wss://gateway.discord.gg/?v=10&encoding=json")
