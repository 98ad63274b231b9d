"""Stopping delivery: no send starts once stop() began; rows not sent stay pending."""

from __future__ import annotations

import asyncio
import threading
from pathlib import Path

from bot.clock import FastClock
from bot.delivery import Delivery
from bot.messages.model import Message, line
from bot.ports import Pacing
from storage.store import NewOutboxRow, Store
from storage.thread import StoreThread
from tests.support.fakes.recording import RecordingPlatform


def row(key: str, chat: str) -> NewOutboxRow:
    payload = Message(kind="goal", headline=line(key)).to_json()
    return NewOutboxRow(key=key, platform="test", chat_id=chat, kind="alert", payload=payload)


async def statuses(db: StoreThread) -> dict[str, str]:
    return {r["key"]: r["status"] for r in await db.call(lambda s: s.outbox_rows())}


async def test_stop_during_a_slow_database_call_starts_no_send(tmp_path: Path) -> None:
    db = StoreThread(tmp_path / "bot.db")
    await db.open()
    try:
        await db.call(lambda s: s.enqueue([row("a", "1"), row("b", "2")], now=0.0))
        platform = RecordingPlatform()
        delivery = Delivery(db, platform)
        release, busy = threading.Event(), threading.Event()

        def slow(store: Store) -> None:  # the database thread is busy (a long write)
            busy.set()
            release.wait(30)

        blocker = asyncio.ensure_future(db.call(slow))
        await asyncio.get_running_loop().run_in_executor(None, busy.wait, 10)
        runner = asyncio.create_task(delivery.run())
        await asyncio.sleep(0.05)  # the loop now waits for the due rows behind the write
        stopping = asyncio.create_task(delivery.stop())
        await asyncio.sleep(0)
        release.set()
        await blocker
        await stopping
        await asyncio.wait_for(runner, 10)
        await asyncio.sleep(0.2)  # a send started anyway would show now
        assert platform.sent == []
        assert await statuses(db) == {"a": "pending", "b": "pending"}
    finally:
        await db.close()


async def test_a_send_waiting_for_its_turn_when_stop_begins_does_not_start(
    tmp_path: Path,
) -> None:
    db = StoreThread(tmp_path / "bot.db")
    await db.open()
    try:
        await db.call(lambda s: s.enqueue([row("a", "1"), row("b", "2")], now=0.0))
        # one send per two seconds, on a clock four times faster: the second send's turn
        # comes half a real second after the first (stop() begins well before it)
        clock = FastClock(4)
        platform = RecordingPlatform(Pacing(per_second=0.5), clock=clock)
        delivery = Delivery(db, platform, clock)
        runner = asyncio.create_task(delivery.run())
        for _ in range(200):
            if platform.sent:
                break
            await asyncio.sleep(0.01)
        assert [c for c, _, _ in platform.sent] == ["1"]
        await asyncio.sleep(0.1)  # the second send now waits for the rate limiter
        await delivery.stop()
        await asyncio.wait_for(runner, 10)
        assert [c for c, _, _ in platform.sent] == ["1"]
        assert await statuses(db) == {"a": "sent", "b": "pending"}
    finally:
        await db.close()
