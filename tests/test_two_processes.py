"""Two real ``matchbot run`` processes on one PostgreSQL database and one Telegram token,
against the fake Bot API: together they behave as one bot. Every alert reaches every chat
once, the sum of both keeps Telegram's limits, one process at a time polls ``getUpdates``,
and when the leader is killed (SIGKILL) in the middle of a fan-out the other one takes over
within 15 seconds and sends the rest: nothing lost, repeats within the README's bound."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

import pytest

from bot.teams import seed_known_teams
from storage.pg_store import PostgresStore
from tests.support import prestarted
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.postgres import empty

pytestmark = pytest.mark.timeout(150)

TOKEN = "888:TWO-processes-token"
FIRST_CHAT = 30_000_000
MATCHBOT = [sys.executable, "-m", "adapters.cli", "run"]
#: sends in flight on Telegram (README: the most a crash can repeat)
IN_FLIGHT = 32
#: ``MATCHBOT_OUTBOX_LEASE_SECONDS`` of these processes: the rows a killed leader had claimed
#: wait this long for the new one (10 s by default; a shorter lease changes no outcome here)
LEASE = "2"


def feed_lines(match: str) -> list[str]:
    return [
        json.dumps(
            {
                "type": "match",
                "match": match,
                "competition": "Serie A",
                "home": "Atalanta",
                "away": "Inter",
                "kickoff": "2026-01-20T20:00:00Z",
            }
        )
    ]


def goal(match: str) -> str:
    line = {
        "type": "goal",
        "match": match,
        "id": "g1",
        "minute": 65,
        "team": "Inter",
        "player": "Lautaro Martínez",
    }
    return json.dumps(line)


def prepare(url: str, chats: int) -> None:
    empty(url)
    store = PostgresStore.open(url)
    try:
        seed_known_teams(store)
        with store.atomic():
            for chat in range(FIRST_CHAT, FIRST_CHAT + chats):
                store.ensure_chat("telegram", str(chat), None, "private")
                store.subscribe("telegram", str(chat), "inter")
    finally:
        store.close()


class Bots:
    """The processes of one test, each with its own log."""

    def __init__(self, tmp_path: Path, url: str, fake: FakeTelegram, feed: Path) -> None:
        self.tmp_path = tmp_path
        self.url = url
        self.fake = fake
        self.feed = feed
        self.procs: list[prestarted.Process] = []

    def log(self, n: int) -> str:
        return (self.tmp_path / f"bot{n}.log").read_text("utf-8", "replace")

    async def start(self, **extra: str) -> int:
        n = len(self.procs)
        env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
        env.update(
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=self.fake.base_url,
            MATCHBOT_DATABASE_URL=self.url,
            MATCHBOT_FEEDS=str(self.feed),
            MATCHBOT_LOG_LEVEL="INFO",
            MATCHBOT_OUTBOX_LEASE_SECONDS=LEASE,
            **extra,
        )
        env.pop("MATCHBOT_DB", None)
        with (self.tmp_path / f"bot{n}.log").open("ab") as log:
            proc = await prestarted.start(
                *MATCHBOT, env=env, cwd=self.tmp_path, stdout=log, stderr=log
            )
        self.procs.append(proc)
        return n

    async def start_two(self, *extra: dict[str, str]) -> tuple[int, int]:
        """Start two processes at once (``extra``: each one's own variables); returns the one
        that leads and the one standing by, once each said so."""
        started = [await self.start(**env) for env in extra or ({}, {})]
        roles: dict[str, int] = {}
        async with asyncio.timeout(30):
            while len(roles) < 2:
                for n in started:
                    assert self.procs[n].returncode is None, self.log(n)
                    if "matchbot running on telegram" in self.log(n):
                        roles["leads"] = n
                    elif "standing by" in self.log(n):
                        roles["stands by"] = n
                await asyncio.sleep(0.05)
        return roles["leads"], roles["stands by"]

    async def wait_log(self, n: int, text: str, within: float = 30) -> None:
        async with asyncio.timeout(within):
            while text not in self.log(n):
                assert self.procs[n].returncode is None, self.log(n)
                await asyncio.sleep(0.05)

    async def stop_all(self) -> None:
        for proc in self.procs:
            if proc.returncode is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs:
            await asyncio.wait_for(proc.wait(), 30)


@pytest.fixture
async def bots(
    tmp_path: Path, postgres_url: str
) -> AsyncIterator[Callable[[int], Awaitable[Bots]]]:
    made: list[Bots] = []
    fakes: list[FakeTelegram] = []

    async def make(chats: int) -> Bots:
        prepare(postgres_url, chats)
        feed = tmp_path / "feed.jsonl"
        feed.write_text("\n".join(feed_lines("two-m1")) + "\n", encoding="utf-8")
        fake = FakeTelegram(token=TOKEN, hold_after_429=True)
        await fake.__aenter__()
        fakes.append(fake)
        watch_polls(fake)
        made.append(Bots(tmp_path, postgres_url, fake, feed))
        return made[-1]

    try:
        yield make
    finally:
        for group in made:
            for proc in group.procs:
                if proc.returncode is None:
                    proc.kill()
                    await proc.wait()
        for fake in fakes:
            await fake.__aexit__(None, None, None)


def watch_polls(fake: FakeTelegram) -> None:
    """Count the long polls (``getUpdates`` with a timeout) the fake holds at once: two
    pollers on the token make it two. (A poller that stops confirms its offset with a
    ``timeout=0`` call, which ends its own last long poll: not a second poller.)"""
    original = fake._m_getupdates
    fake.long_polls = 0  # type: ignore[attr-defined]
    fake.most_long_polls = 0  # type: ignore[attr-defined]

    async def counted(params: Any) -> Any:
        if not float(params.get("timeout") or 0):
            return await original(params)
        fake.long_polls += 1  # type: ignore[attr-defined]
        fake.most_long_polls = max(fake.most_long_polls, fake.long_polls)  # type: ignore[attr-defined]
        try:
            return await original(params)
        finally:
            fake.long_polls -= 1  # type: ignore[attr-defined]

    fake._m_getupdates = counted  # type: ignore[method-assign]


def per_chat(fake: FakeTelegram) -> Counter[int]:
    return Counter(int(m["chat_id"]) for m in fake.messages())


async def wait_chats(fake: FakeTelegram, count: int, within: float) -> None:
    async with asyncio.timeout(within):
        while len(per_chat(fake)) < count:
            await asyncio.sleep(0.02)


def add_goal(feed: Path) -> None:
    with feed.open("a", encoding="utf-8") as out:
        out.write(goal("two-m1") + "\n")


async def test_two_processes_send_every_alert_once_within_the_limits(
    bots: Callable[[int], Awaitable[Bots]],
) -> None:
    chats = 120
    group = await bots(chats)
    first, second = await group.start_two()
    add_goal(group.feed)
    await wait_chats(group.fake, chats, within=60)
    await asyncio.sleep(1.0)  # a second copy would have come by now
    await group.stop_all()
    counts = per_chat(group.fake)
    assert set(counts) == set(range(FIRST_CHAT, FIRST_CHAT + chats))
    assert set(counts.values()) == {1}
    assert group.fake.violations == []
    assert group.fake.most_long_polls == 1  # type: ignore[attr-defined]
    assert "Conflict" not in group.log(first) + group.log(second)
    assert [p.returncode for p in group.procs] == [0, 0]


async def test_a_killed_leader_is_replaced_within_15_seconds_and_nothing_is_lost(
    bots: Callable[[int], Awaitable[Bots]], postgres_url: str
) -> None:
    chats = 150  # 5 s of sending at 30 a second: the kill comes after the first 50
    group = await bots(chats)
    first, second = await group.start_two()
    add_goal(group.feed)
    await wait_chats(group.fake, 50, within=60)
    group.procs[first].send_signal(signal.SIGKILL)
    await group.procs[first].wait()
    killed_at = time.monotonic()
    at_kill = len(group.fake.messages())
    assert at_kill < chats, "the fan-out ended before the kill: nothing was tested"
    async with asyncio.timeout(15):
        while len(group.fake.messages()) <= at_kill:
            await asyncio.sleep(0.02)
    took_over = time.monotonic() - killed_at
    await group.wait_log(second, "matchbot running on telegram", within=1)
    await wait_chats(group.fake, chats, within=60)
    await group.stop_all()
    counts = per_chat(group.fake)
    lost = [c for c in range(FIRST_CHAT, FIRST_CHAT + chats) if counts[c] == 0]
    assert lost == []
    assert max(counts.values()) <= 2  # at most the one message in flight to a chat
    assert sum(n - 1 for n in counts.values()) <= IN_FLIGHT
    assert took_over < 15
    # the killed leader's last long poll is left open on the server: the new leader's first
    # one ends it (Telegram answers the dead one 409), and is never itself refused
    assert "Conflict" not in group.log(second)
    # the new leader's first send waits one window after the killed one's last: the sum of
    # both keeps the overall limit across the change, and every other (tests/test_takeover_limits)
    assert group.fake.violations == []
    store = PostgresStore.open(postgres_url)
    try:
        assert store.outbox_counts() == {"sent": chats}
    finally:
        store.close()


async def test_a_leader_whose_session_is_lost_stands_down_and_leads_again(
    bots: Callable[[int], Awaitable[Bots]], postgres_url: str
) -> None:
    """The leader's own session with the database ends (a network cut, a database restart):
    it stops leading at once, starts again standing by, takes the lock again (no one else
    holds it) and goes on: the goal that comes next reaches every chat once."""
    import psycopg

    chats = 20
    group = await bots(chats)
    first = await group.start()
    await group.wait_log(first, "matchbot running on telegram")
    with psycopg.connect(postgres_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE application_name = 'matchbot-leader' AND datname = current_database()"
        )  # this test's database: the server is the whole run's (tests/support/postgres.py)
    await group.wait_log(first, "no longer holds the database's leader lock")
    async with asyncio.timeout(30):
        while group.log(first).count("matchbot running on telegram") < 2:
            assert group.procs[first].returncode is None, group.log(first)
            await asyncio.sleep(0.05)
    add_goal(group.feed)
    await wait_chats(group.fake, chats, within=30)
    await asyncio.sleep(0.5)
    await group.stop_all()
    assert set(per_chat(group.fake).values()) == {1}
    assert group.procs[first].returncode == 0


async def test_a_reporter_answered_by_the_process_standing_by_gets_the_recap_from_the_leader(
    bots: Callable[[int], Awaitable[Bots]],
) -> None:
    """A webhook deployment: Telegram's updates reach whichever process the load balancer
    picks, here the one standing by. A fan follows Inter and a reporter covers a match
    through it, to full time; the leader sends the alerts and, finding the match finished
    without its recap in the database, the recap."""
    import aiohttp

    from adapters.telegram.adapter import webhook_secret
    from tests.test_telegram_webhook import free_port, wait_listening

    fan, reporter = 4242, 99
    group = await bots(0)
    ports = [free_port(), free_port()]

    def webhook(port: int) -> dict[str, str]:
        return {
            "TELEGRAM_WEBHOOK_URL": "https://bot.example.org/tg",
            "TELEGRAM_WEBHOOK_LISTEN": f"127.0.0.1:{port}",
            "MATCHBOT_REPORTERS": f"telegram:{reporter}",
            "MATCHBOT_RECAP_DELAY": "0",
            # the leader finds the recap due within this (5 s by default)
            "MATCHBOT_LEADER_LOOK_SECONDS": "0.5",
        }

    first, second = await group.start_two(webhook(ports[0]), webhook(ports[1]))
    await wait_listening(ports[second])
    headers = {"X-Telegram-Bot-Api-Secret-Token": webhook_secret(TOKEN)}
    async with aiohttp.ClientSession() as http:

        async def post(chat: int, text: str) -> None:
            update = group.fake.user_sends(chat, text)
            url = f"http://127.0.0.1:{ports[second]}/tg"
            async with http.post(url, json=update, headers=headers) as answer:
                assert answer.status == 200

        await post(fan, "/subscribe Inter")
        for report in (
            "match Atalanta v Inter in Serie A",
            "period Inter kickoff",
            "goal Inter Lautaro Martínez 65",
            "period Inter ft 90+5",
        ):
            await post(reporter, f"/report {report}")

    def recaps() -> list[str]:
        return [
            m["text"]
            for m in group.fake.messages(fan)
            if m["text"].startswith("🏁 Atalanta 0-1 Inter\n")
        ]

    async with asyncio.timeout(30):
        while not recaps():
            await asyncio.sleep(0.05)
    await group.stop_all()
    assert len(recaps()) == 1
    assert "full time recorded by another process" in group.log(first)
    assert group.fake.violations == []
