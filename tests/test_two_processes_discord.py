"""A Discord bot split between two ``matchbot run`` processes on one PostgreSQL database:
``MATCHBOT_DISCORD_SHARDS=0/2`` and ``1/2``. Each process connects its own shard only, and
answers the slash commands of its own servers, the one standing by included; the leader
sends the alerts to the channels of both shards, each once."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path

import pytest

from tests.support import prestarted
from tests.support.fakes.discord_api import FakeChannel, FakeDiscord, FakeGuild
from tests.support.postgres import empty

pytestmark = pytest.mark.timeout(120)

GUILD_A = 800_000_000_000_000_001  # shard 1 of 2: (id >> 22) % 2
CHANNEL_A = 800_000_000_000_000_010
GUILD_B = 810_000_000_000_000_001  # shard 0 of 2
CHANNEL_B = 810_000_000_000_000_010
ADMIN = 123_456_789_012_345_678
MANAGE_CHANNELS = 1 << 4
MATCHBOT = [sys.executable, "-m", "adapters.cli", "run"]


def servers() -> list[FakeGuild]:
    return [
        FakeGuild(id=GUILD_A, name="A", channels=[FakeChannel(id=CHANNEL_A, name="alerts")]),
        FakeGuild(id=GUILD_B, name="B", channels=[FakeChannel(id=CHANNEL_B, name="alerts")]),
    ]


async def start(
    tmp_path: Path, n: int, dc: FakeDiscord, url: str, feed: Path, shards: str
) -> prestarted.Process:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env.pop("MATCHBOT_DB", None)
    env.update(
        DISCORD_BOT_TOKEN=dc.token,
        DISCORD_BASE_URL=dc.api_base,
        MATCHBOT_DATABASE_URL=url,
        MATCHBOT_DISCORD_SHARDS=shards,
        MATCHBOT_FEEDS=str(feed),
        MATCHBOT_LOG_LEVEL="INFO",
    )
    with (tmp_path / f"bot{n}.log").open("ab") as log:
        return await prestarted.start(*MATCHBOT, env=env, cwd=tmp_path, stdout=log, stderr=log)


def read_log(path: Path) -> str:
    return path.read_text("utf-8", "replace") if path.exists() else ""


async def wait_roles(tmp_path: Path, procs: list[prestarted.Process]) -> None:
    """Until one process leads and the other stands by."""
    logs = [tmp_path / f"bot{n}.log" for n in range(len(procs))]
    async with asyncio.timeout(40):
        while True:
            texts = [read_log(log) for log in logs]
            for proc, text in zip(procs, texts, strict=True):
                assert proc.returncode is None, text
            leads = ["matchbot running on discord" in text for text in texts]
            stands_by = ["standing by" in text for text in texts]
            if sorted(leads) == [False, True] and stands_by[leads.index(False)]:
                return
            await asyncio.sleep(0.05)


async def test_two_processes_split_the_shards_and_send_each_alert_once(
    tmp_path: Path, postgres_url: str
) -> None:
    empty(postgres_url)
    feed = tmp_path / "feed.jsonl"
    feed.write_text("", encoding="utf-8")
    procs: list[prestarted.Process] = []
    async with FakeDiscord(guilds=servers(), shards=2, max_guilds_per_shard=1) as dc:
        try:
            # both at once: whichever takes the leader lock first leads, the other stands by
            procs.append(await start(tmp_path, 0, dc, postgres_url, feed, "0/2"))
            procs.append(await start(tmp_path, 1, dc, postgres_url, feed, "1/2"))
            await wait_roles(tmp_path, procs)
            await dc.wait_for(lambda: len(dc.identify_payloads) == 2, 30)
            assert sorted(p["shard"] for p in dc.identify_payloads) == [[0, 2], [1, 2]]
            # each server's command reaches the process running its shard, and is answered
            for guild, channel in ((GUILD_A, CHANNEL_A), (GUILD_B, CHANNEL_B)):
                iid = await dc.send_interaction_command(
                    guild,
                    channel,
                    ADMIN,
                    "subscribe",
                    {"name": "Inter"},
                    permissions=MANAGE_CHANNELS,
                )
                answer = await dc.wait_interaction_response(iid, timeout=15)
                assert answer.embeds[0]["title"].startswith("✅")
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
            await dc.wait_for(lambda: bool(dc.messages(CHANNEL_A) and dc.messages(CHANNEL_B)), 30)
            await asyncio.sleep(1.0)  # a second copy would have come by now
            for channel in (CHANNEL_A, CHANNEL_B):
                [alert] = dc.messages(channel)
                assert "Kick-off" in alert.embeds[0]["title"]
        finally:
            for proc in procs:
                if proc.returncode is None:
                    proc.send_signal(signal.SIGTERM)
            for proc in procs:
                await asyncio.wait_for(proc.wait(), 30)
    assert [p.returncode for p in procs] == [0, 0]
