"""A kill -9 in the middle of a paid-broadcast fan-out: a real ``matchbot run`` process against
the fake Bot API (answering after a 50 ms round trip, so many sends are in flight), killed with
SIGKILL, then started again. Nothing may be lost, and the repeats stay within the bound the
README states: at most one message per chat, at most ``PAID_IN_FLIGHT`` in all."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from collections import Counter
from pathlib import Path

import pytest

from adapters.telegram.adapter import PAID_IN_FLIGHT
from bot.teams import seed_known_teams
from storage.store import Store
from tests.support.fakes.telegram_api import FakeTelegram

pytestmark = pytest.mark.timeout(120)

TOKEN = "777:CRASH-test-token"
CHATS = 1500
FIRST_CHAT = 20_000_000
MATCHBOT = [sys.executable, "-m", "adapters.cli", "run"]


def feed_lines() -> list[str]:
    return [
        json.dumps(line)
        for line in (
            {
                "type": "match",
                "match": "crash-m1",
                "competition": "Serie A",
                "home": "Atalanta",
                "away": "Inter",
                "kickoff": "2026-01-20T20:00:00Z",
            },
            {
                "type": "goal",
                "match": "crash-m1",
                "id": "g1",
                "minute": 65,
                "team": "Inter",
                "player": "Lautaro Martínez",
            },
        )
    ]


def prepare(db: Path) -> None:
    store = Store.open(db)
    try:
        seed_known_teams(store)
        with store.atomic():
            for chat in range(FIRST_CHAT, FIRST_CHAT + CHATS):
                store.ensure_chat("telegram", str(chat), None, "private")
                store.subscribe("telegram", str(chat), "inter")
    finally:
        store.close()


async def start_bot(tmp_path: Path, fake: FakeTelegram, feed: Path) -> asyncio.subprocess.Process:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_BASE_URL=fake.base_url,
        TELEGRAM_PAID_BROADCAST="true",
        MATCHBOT_DB=str(tmp_path / "bot.db"),
        MATCHBOT_FEEDS=str(feed),
        MATCHBOT_LOG_LEVEL="WARNING",
        # the rows the killed process had claimed wait this long for the next one (10 s by
        # default): what is sent again, and how often, does not depend on it
        MATCHBOT_OUTBOX_LEASE_SECONDS="1",
    )
    # A fresh interpreter, not one forked by tests/support/prestarted.py: a restart after a
    # crash is a real start. (A forked restart, some 0.1 s, once failed this test 2 times in 6
    # on a busy machine with a per-chat violation; that was the fake's late reading that
    # `wait_quiet` below now waits out: 6 forked restarts in 6 passed with it, idle machine.)
    with (tmp_path / "bot.log").open("ab") as log:  # the child keeps its own copy
        return await asyncio.create_subprocess_exec(
            *MATCHBOT, env=env, cwd=tmp_path, stdout=log, stderr=log
        )


async def wait_chats(fake: FakeTelegram, count: int, within: float) -> None:
    """Until ``count`` different chats got a message."""
    async with asyncio.timeout(within):
        while len({m["chat_id"] for m in fake.messages()}) < count:
            await asyncio.sleep(0.02)


async def test_kill_9_mid_paid_fan_out_loses_nothing_and_repeats_within_the_bound(
    tmp_path: Path,
) -> None:
    prepare(tmp_path / "bot.db")
    feed = tmp_path / "feed.jsonl"
    feed.write_text("\n".join(feed_lines()) + "\n", encoding="utf-8")
    async with FakeTelegram(
        token=TOKEN, latency=0.05, hold_after_429=True, paid_global_per_second=1000
    ) as fake:
        first = await start_bot(tmp_path, fake, feed)
        try:
            await wait_chats(fake, CHATS // 5, within=60)
        finally:
            first.send_signal(signal.SIGKILL)
            await first.wait()
        at_kill = len(fake.messages())
        assert first.returncode == -signal.SIGKILL
        assert at_kill < CHATS, "the fan-out ended before the kill: nothing was tested"
        # Telegram answers each request as it arrives; this fake answers in the test's own
        # process, which on a busy machine may read the killed bot's last requests late, and
        # count them against the per-chat limit only then, after the restarted bot's recall
        # took those chats as sent at its start (the intermittent per-chat violation): the
        # restart comes once the fake has answered all the killed bot sent.
        await fake.wait_quiet()

        second = await start_bot(tmp_path, fake, feed)
        try:
            await wait_chats(fake, CHATS, within=60)
        finally:
            second.send_signal(signal.SIGTERM)  # a clean stop lets sends in flight finish
            assert await asyncio.wait_for(second.wait(), 30) == 0
        per_chat = Counter(m["chat_id"] for m in fake.messages())
        # The restarted bot cannot know how many messages the killed one sent in its last
        # second: Telegram may refuse a few at the overall limit (and they are sent again);
        # nothing else may be refused.
        assert {v.kind for v in fake.violations} <= {"global"}

    lost = [c for c in range(FIRST_CHAT, FIRST_CHAT + CHATS) if per_chat[c] == 0]
    repeats = sum(n - 1 for n in per_chat.values())
    assert lost == []
    assert max(per_chat.values()) <= 2  # at most the one message in flight to each chat
    assert repeats <= PAID_IN_FLIGHT
    store = Store.open(tmp_path / "bot.db")
    try:
        assert store.outbox_counts() == {"sent": CHATS}
    finally:
        store.close()
