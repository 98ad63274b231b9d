"""The operator's endpoint end to end: ``matchbot run``'s own code path against the fake Bot API,
``/metrics`` read with prometheus-client's own parser, ``/healthz`` through an outage staged by
a proxy in front of the fake (tests/support/outage_proxy.py)."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import sqlite3
from collections.abc import AsyncIterator
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

import adapters.ops.server as server_module
from bot.clock import FastClock
from bot.teams import seed_known_teams
from storage.store import Store
from tests.support.core import until
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.outage_proxy import OutageProxy
from tests.support.telegram import TOKEN, Bot, clean_telegram_env, event

pytestmark = pytest.mark.timeout(90)

CHATS = 40
FIRST_CHAT = 5_000_000
MATCH = "ops-m1"


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_telegram_env(monkeypatch)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def follow_inter(db: Path, chats: range) -> None:
    store = Store.open(db)
    try:
        seed_known_teams(store)
        with store.atomic():
            for chat in chats:
                store.ensure_chat("telegram", str(chat), None, "private")
                store.subscribe("telegram", str(chat), "inter")
    finally:
        store.close()


def match_lines(*goals: str) -> list[str]:
    lines = [
        event(
            type="match",
            match=MATCH,
            competition="Serie A",
            home="Atalanta",
            away="Inter",
            kickoff="2026-01-20T20:00:00Z",
        )
    ]
    for i, goal in enumerate(goals):
        lines.append(
            event(type="goal", match=MATCH, id=goal, minute=10 + i, team="Inter", player="Lautaro")
        )
    return lines


async def get(port: int, path: str) -> tuple[int, str]:
    async with (
        aiohttp.ClientSession() as session,
        session.get(f"http://127.0.0.1:{port}{path}") as answer,
    ):
        return answer.status, await answer.text()


async def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of ``/metrics``, parsed by prometheus-client's parser."""
    status, text = await get(port, "/metrics")
    assert status == 200
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def sent_alerts(samples: dict[tuple[str, tuple[tuple[str, str], ...]], float]) -> float:
    return sum(
        value
        for (name, labels), value in samples.items()
        if name == "matchbot_messages_sent_total"
        and dict(labels)["outcome"] == "sent"
        and dict(labels)["platform"] == "telegram"
        and dict(labels)["kind"] != "reply"
    )


def value(
    samples: dict[tuple[str, tuple[tuple[str, str], ...]], float], name: str, **labels: str
) -> float:
    return samples[(name, tuple(sorted(labels.items())))]


@contextlib.asynccontextmanager
async def telegram(time_scale: float) -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, hold_after_429=True, time_scale=time_scale) as fake:
        yield fake


async def test_metrics_count_a_fan_out_through_the_fake_telegram(tmp_path: Path) -> None:
    chats = range(FIRST_CHAT, FIRST_CHAT + CHATS)
    follow_inter(tmp_path / "matchbot.db", chats)
    port = free_port()
    async with telegram(1 / 100) as fake:
        bot = Bot(fake, tmp_path, delivery_clock=FastClock(100), metrics_port=port)
        async with bot.running():
            before = await scrape(port)
            assert sent_alerts(before) == 0
            assert value(before, "matchbot_subscriptions") == CHATS
            assert value(before, "matchbot_start_time_seconds") > 0
            assert any(name == "matchbot_build_info" for name, _ in before)
            bot.append(*match_lines("g1"))
            seen = 0.0
            while len(fake.messages()) < CHATS:  # scraped and parsed while it fans out
                now = sent_alerts(await scrape(port))
                assert now >= seen
                seen = now
                await asyncio.sleep(0.01)

            async def all_marked_sent() -> bool:
                samples = await scrape(port)
                return value(samples, "matchbot_outbox_pending", platform="telegram") == 0

            await until(all_marked_sent, timeout=20)
            after = await scrape(port)
            assert sent_alerts(after) - sent_alerts(before) == CHATS == len(fake.messages())
            assert value(after, "matchbot_send_seconds_count", platform="telegram") >= CHATS
            assert (
                value(after, "matchbot_ingest_to_first_send_seconds_count", platform="telegram")
                == 1
            )
            assert value(after, "matchbot_outbox_pending", platform="telegram") == 0
            assert value(after, "matchbot_healthy") == 1
            assert await get(port, "/healthz") == (200, "ok\n")
            assert await get(port, "/readyz") == (200, "ready\n")


async def test_healthz_turns_503_while_telegram_does_not_answer_and_recovers(
    tmp_path: Path,
) -> None:
    chats = range(FIRST_CHAT, FIRST_CHAT + 5)
    follow_inter(tmp_path / "matchbot.db", chats)
    port = free_port()
    async with telegram(1 / 10) as fake, OutageProxy(f"http://127.0.0.1:{fake.port}") as proxy:
        bot = Bot(
            fake,
            tmp_path,
            delivery_clock=FastClock(10),
            metrics_port=port,
            health_stall_seconds=1.0,
            telegram_base_url=f"{proxy.url}/bot",
        )
        async with bot.running():
            bot.append(*match_lines("g1"))
            await fake.wait_for_messages(5)
            assert await get(port, "/healthz") == (200, "ok\n")

            proxy.mode = "drop"  # Telegram stops answering while alerts are due
            bot.append(*match_lines("g1", "g2")[2:])

            answers: list[tuple[int, str]] = []

            async def unhealthy() -> bool:
                answers.append(await get(port, "/healthz"))
                return answers[-1][0] == 503

            await until(unhealthy, timeout=30)
            reason = answers[-1][1]
            assert reason.startswith("telegram: ") and "nothing delivered for" in reason
            assert reason.count("\n") == 1  # one line
            assert value(await scrape(port), "matchbot_healthy") == 0

            proxy.mode = "pass"  # it answers again: the retries go through

            async def healthy() -> bool:
                return await get(port, "/healthz") == (200, "ok\n")

            await until(healthy, timeout=30)
            await fake.wait_for_messages(10, timeout=30)
            assert len(fake.messages()) == 10


async def test_healthz_turns_503_when_the_store_cannot_be_written_and_recovers(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(server_module, "PROBE_EVERY", 0.05)
    port = free_port()
    async with telegram(1 / 100) as fake:
        bot = Bot(fake, tmp_path, delivery_clock=FastClock(100), metrics_port=port)
        async with bot.running():

            async def healthy() -> bool:
                return await get(port, "/healthz") == (200, "ok\n")

            await until(healthy, timeout=20)  # started, leading and sending
            # another hand takes the table the probe writes: its writes fail from now on
            other = sqlite3.connect(bot.db)
            other.execute("ALTER TABLE health_probe RENAME TO health_probe_gone")
            other.commit()
            answers: list[tuple[int, str]] = []

            async def unhealthy() -> bool:
                answers.append(await get(port, "/healthz"))
                return answers[-1][0] == 503

            await until(unhealthy, timeout=20)
            assert answers[-1][1].startswith("the store cannot be written: ")
            other.execute("ALTER TABLE health_probe_gone RENAME TO health_probe")
            other.commit()
            other.close()
            await until(healthy, timeout=20)


async def test_metrics_and_health_read_a_postgresql_store(
    tmp_path: Path, postgres_url: str
) -> None:
    port = free_port()
    async with telegram(1 / 100) as fake:
        bot = Bot(
            fake,
            tmp_path,
            delivery_clock=FastClock(100),
            metrics_port=port,
            database_url=postgres_url,
        )
        async with bot.running():
            await bot.subscribe(77)
            bot.append(*match_lines("g1"))
            await fake.wait_for_messages(2, 77)

            async def all_marked_sent() -> bool:
                samples = await scrape(port)
                return value(samples, "matchbot_outbox_pending", platform="telegram") == 0

            await until(all_marked_sent, timeout=20)
            samples = await scrape(port)
            assert sent_alerts(samples) == 1
            assert value(samples, "matchbot_subscriptions") == 1
            assert value(samples, "matchbot_outbox_pending", platform="telegram") == 0
            assert await get(port, "/healthz") == (200, "ok\n")


async def test_systemd_hears_ready_watchdog_pings_and_stopping(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "notify.sock"
    receiver = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    receiver.bind(str(path))
    receiver.setblocking(False)
    monkeypatch.setenv("NOTIFY_SOCKET", str(path))
    monkeypatch.setenv("WATCHDOG_USEC", "100000")  # WatchdogSec=0.1: a ping every 0.05 s
    heard: list[str] = []

    def drain() -> None:
        while True:
            try:
                heard.append(receiver.recv(256).decode())
            except BlockingIOError:
                return

    try:
        async with telegram(1 / 100) as fake:
            bot = Bot(fake, tmp_path, delivery_clock=FastClock(100))
            async with bot.running():

                def pinged() -> bool:
                    drain()
                    return heard.count("WATCHDOG=1") >= 3

                await until(pinged, timeout=20)
        drain()
    finally:
        receiver.close()
    assert heard[0] == "READY=1"
    assert heard[-1] == "STOPPING=1"
