"""Telegram's limits across a change of leader: the leader before this one died a moment
ago, in the middle of sending. It used the whole second's budget (30 messages) just before,
and a group's whole minute (20 messages); some of those it had marked sent, others it had
only claimed (answered, or under way, when it died). The new leader (``matchbot run`` on
the shared PostgreSQL database, taking the lock the moment it is free) sends its backlog
without the fake Bot API refusing anything: its first sends wait for the second to pass, and
the group for its minute."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator

import aiohttp
import psycopg
import pytest

from adapters import leadership
from adapters.compose import run_bot
from bot.messages.model import Message, bold, line
from bot.settings import Settings
from bot.store_contract import NewOutboxRow
from storage.leader import LeaderLock
from storage.pg_store import PostgresStore
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.postgres import empty
from tests.support.telegram import TOKEN, clean_telegram_env

pytestmark = pytest.mark.timeout(90)

GROUP = -500
PRIVATE = range(1, 41)
#: private chats the dead leader sent to in its last second
BURST = range(1001, 1031)


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_telegram_env(monkeypatch)
    # a process standing by tries the lock this often: it leads at once once the lock is free
    monkeypatch.setattr(leadership, "TRY_EVERY", 0.02)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    # Telegram's overall and group limits, in real time (the chats' one a second is not what
    # this test is about: its own sends to the group come closer)
    async with FakeTelegram(token=TOKEN, per_chat_interval=None, hold_after_429=True) as server:
        yield server


def alert(key: str, chat: int) -> NewOutboxRow:
    message = Message(kind="goal", headline=line(bold(f"GOAL {key}")))
    return NewOutboxRow(
        key=f"{key}:telegram:{chat}",
        platform="telegram",
        chat_id=str(chat),
        kind="alert",
        payload=message.to_json(),
    )


def the_dead_leaders_outbox(url: str) -> None:
    """What is queued when the dead leader's last minute begins: the group's 20 alerts of
    that minute, its last second's 30 alerts to private chats, and what comes next: an alert
    for the group and for 40 private chats."""
    empty(url)
    store = PostgresStore.open(url)
    try:
        now = time.time()
        store.enqueue([alert(f"old{n}", GROUP) for n in range(20)], now=now - 30)
        store.enqueue([alert("last", chat) for chat in BURST], now=now - 1)
        store.enqueue([alert("next", chat) for chat in [GROUP, *PRIVATE]], now=now)
    finally:
        store.close()


def as_the_dead_leader_left_it(url: str) -> None:
    """Each row it sent was claimed first; it marked most of them sent, but not the group's
    20th alert nor 20 of its last second's 30 (answered, or under way, when it died): those
    are still claimed by it, their lease ending in half a second."""
    store = PostgresStore.open(url)
    try:
        rows = {r["key"]: r for r in store.outbox_rows("telegram")}
        group = [f"old{n}:telegram:{GROUP}" for n in range(20)]
        last = [f"last:telegram:{chat}" for chat in BURST]
        store.mark_many_sent(
            "telegram",
            [(rows[k]["id"], k, rows[k]["chat_id"], ["1"]) for k in [*group[:19], *last[:10]]],
        )
        for key in [group[19], *last[10:]]:
            store.db.execute(
                "UPDATE outbox SET claimed_by = 'dead-leader', lease_until = ? WHERE key = ?",
                [time.time() + 0.5, key],
            )
    finally:
        store.close()


async def send(session: aiohttp.ClientSession, fake: FakeTelegram, chat: int) -> None:
    async with session.post(
        f"{fake.base_url}{TOKEN}/sendMessage", json={"chat_id": chat, "text": "before"}
    ) as answer:
        assert answer.status == 200, await answer.text()


def leader_sessions(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT COUNT(*) FROM pg_stat_activity"
            " WHERE application_name = 'matchbot-leader' AND datname = current_database()"
        ).fetchone()  # this test's database: the server is the whole run's
    return int(row[0]) if row else 0


async def test_a_new_leader_keeps_the_limits_its_dead_predecessor_was_using(
    fake: FakeTelegram, postgres_url: str
) -> None:
    the_dead_leaders_outbox(postgres_url)
    dead_leader = LeaderLock(postgres_url)
    assert dead_leader.try_acquire()
    settings = Settings(
        telegram_bot_token=TOKEN,
        telegram_base_url=fake.base_url,
        discord_bot_token=None,
        database_url=postgres_url,
        recap_delay_minutes=0,
    )
    stop = asyncio.Event()
    bot = asyncio.create_task(run_bot(settings, stop))
    try:
        async with aiohttp.ClientSession() as session:
            # while the new process starts: the group's minute, as the dead leader used it
            for _ in range(20):
                await send(session, fake, GROUP)
                await asyncio.sleep(0.06)
            started = asyncio.get_running_loop().time()
            async with asyncio.timeout(30):  # the new process stands by, trying the lock
                while leader_sessions(postgres_url) < 2:
                    assert not bot.done()
                    await asyncio.sleep(0.02)
            # the group's sends out of the overall second that comes next
            await asyncio.sleep(max(0.0, 1.1 - (asyncio.get_running_loop().time() - started)))
            # its last second: the whole overall budget
            await asyncio.gather(*(send(session, fake, chat) for chat in BURST))
        as_the_dead_leader_left_it(postgres_url)
        dead_leader.close()  # it dies: the process standing by leads at once
        async with asyncio.timeout(30):
            while any(not fake.messages(chat) for chat in PRIVATE):
                assert not bot.done()
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.6)  # the dead leader's claim on the group's row has ended
    finally:
        stop.set()
        await asyncio.wait_for(bot, 30)
    assert fake.violations == []
    assert all(len(fake.messages(chat)) == 1 for chat in PRIVATE)
    assert len(fake.messages(GROUP)) == 20  # the group's minute is not over yet
    # what the dead leader never marked sent goes again (the bound on repeats after a crash)
    assert {len(fake.messages(chat)) for chat in BURST} <= {1, 2}
