"""Delivery from the outbox: order, pacing, platform errors, and restarts."""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path

import pytest

from bot.clock import FastClock
from bot.delivery import Delivery
from bot.messages.model import Message, line
from bot.ports import (
    ChatMoved,
    ChatUnreachable,
    Pacing,
    PermanentFailure,
    RetryAfter,
    TemporaryFailure,
)
from storage.store import NewOutboxRow, Store
from storage.thread import StoreThread
from tests.support.fakes.recording import RecordingPlatform


def rows(*specs: tuple[str, str], edit_key: str | None = None) -> list[NewOutboxRow]:
    return [
        NewOutboxRow(
            key=key,
            platform="test",
            chat_id=chat,
            kind="alert",
            payload=Message(kind="goal", headline=line(key)).to_json(),
            edit_key=edit_key,
        )
        for key, chat in specs
    ]


@pytest.fixture
async def db(tmp_path: Path) -> StoreThread:
    thread = StoreThread(tmp_path / "bot.db")
    await thread.open()
    yield thread  # type: ignore[misc]
    await thread.close()


async def queue(db: StoreThread, new: list[NewOutboxRow]) -> None:
    await db.call(lambda s: s.enqueue(new, now=0.0))


async def statuses(db: StoreThread) -> dict[str, str]:
    return {r["key"]: r["status"] for r in await db.call(lambda s: s.outbox_rows())}


async def test_each_chat_gets_its_messages_in_order(db: StoreThread) -> None:
    platform = RecordingPlatform()
    await queue(db, rows(*[(f"a{i}", "A") for i in range(5)], *[(f"b{i}", "B") for i in range(5)]))
    await Delivery(db, platform).drain(10)
    assert [t for c, t, _ in platform.sent if c == "A"] == [f"a{i}" for i in range(5)]
    assert [t for c, t, _ in platform.sent if c == "B"] == [f"b{i}" for i in range(5)]
    assert set((await statuses(db)).values()) == {"sent"}


async def test_per_chat_spacing_is_kept(db: StoreThread) -> None:
    clock = FastClock()
    platform = RecordingPlatform(Pacing(per_chat_interval=1.0, max_in_flight=4), clock=clock)
    await queue(db, rows(("1", "A"), ("2", "A"), ("3", "A"), ("x", "B")))
    await Delivery(db, platform, clock).drain(100)
    times = [t for c, _, t in platform.sent if c == "A"]
    assert all(b - a >= 1.0 for a, b in itertools.pairwise(times))
    assert platform.sent[1][0] == "B"  # B did not wait behind A's spacing


async def test_retry_after_holds_only_that_chat(db: StoreThread) -> None:
    clock = FastClock()
    platform = RecordingPlatform(clock=clock)
    platform.failures["A"] = [RetryAfter(30)]
    await queue(db, rows(("a1", "A"), ("a2", "A"), ("b1", "B")))
    started = clock.monotonic()
    await Delivery(db, platform, clock).drain(100)
    order = [t for _, t, _ in platform.sent]
    assert order[0] == "b1" and order[1:] == ["a1", "a2"]
    assert platform.sent[1][2] - started >= 30
    rows_ = await db.call(lambda s: s.outbox_rows())
    assert [r["attempts"] for r in rows_] == [1, 1, 1]  # waiting is not a failed attempt


async def test_unreachable_chat_is_deactivated_and_its_queue_dropped(db: StoreThread) -> None:
    platform = RecordingPlatform()
    platform.failures["A"] = [ChatUnreachable("Forbidden: bot was blocked by the user")]
    await db.call(lambda s: s.ensure_chat("test", "A"))
    await queue(db, rows(("a1", "A"), ("a2", "A"), ("b1", "B")))
    await Delivery(db, platform).drain(10)
    assert [t for _, t, _ in platform.sent] == ["b1"]
    assert await statuses(db) == {"a1": "dropped", "a2": "dropped", "b1": "sent"}
    chat = await db.call(lambda s: s.chat("test", "A"))
    assert chat is not None and chat["active"] == 0


async def test_moved_chat_is_resent_at_its_new_id(db: StoreThread) -> None:
    platform = RecordingPlatform()
    platform.failures["-5"] = [ChatMoved("-1005")]
    await db.call(lambda s: s.ensure_chat("test", "-5"))
    await queue(db, rows(("event:m:g:test:-5", "-5")))
    await Delivery(db, platform).drain(10)
    assert [(c, t) for c, t, _ in platform.sent] == [("-1005", "event:m:g:test:-5")]


async def test_temporary_failures_retry_with_backoff_then_succeed(
    db: StoreThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.delivery.backoff", lambda attempts: 0.05)
    platform = RecordingPlatform()
    platform.failures["A"] = [TemporaryFailure("502"), TemporaryFailure("timed out")]
    await queue(db, rows(("a1", "A")))
    await Delivery(db, platform).drain(10)
    assert [t for _, t, _ in platform.sent] == ["a1"]
    (only,) = await db.call(lambda s: s.outbox_rows())
    assert (only["status"], only["attempts"]) == ("sent", 3)


async def test_temporary_failures_give_up_after_the_limit(
    db: StoreThread, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.delivery.backoff", lambda attempts: 0.01)
    platform = RecordingPlatform()
    platform.failures["A"] = [TemporaryFailure("502")] * 20
    await queue(db, rows(("a1", "A"), ("a2", "A")))
    await Delivery(db, platform).drain(10)
    assert await statuses(db) == {"a1": "failed", "a2": "failed"}


async def test_a_refused_message_fails_without_blocking_the_chat(db: StoreThread) -> None:
    platform = RecordingPlatform()
    platform.failures["A"] = [PermanentFailure("Bad Request: can't parse entities")]
    await queue(db, rows(("a1", "A"), ("a2", "A")))
    await Delivery(db, platform).drain(10)
    assert await statuses(db) == {"a1": "failed", "a2": "sent"}


async def test_corrections_edit_the_original_or_are_sent_when_they_cannot(
    db: StoreThread,
) -> None:
    for can_edit, expect_edit in ((True, True), (False, False)):
        platform = RecordingPlatform(can_edit=can_edit)
        key = f"goal-{can_edit}"
        await queue(db, rows((key, "A")))
        delivery = Delivery(db, platform)
        await delivery.drain(10)
        await queue(db, rows((f"fix-{can_edit}", "A"), edit_key=key))
        await delivery.drain(10)
        assert bool(platform.edited) is expect_edit
        assert len(platform.sent) == (1 if expect_edit else 2)


async def test_rows_unsent_at_a_crash_go_out_after_restart_once(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    first = StoreThread(path)
    await first.open()
    await queue(first, rows(("a1", "A"), ("a2", "A")))
    platform = RecordingPlatform()
    platform.failures["A"] = [TemporaryFailure("network down")]
    delivery = Delivery(first, platform)
    task = asyncio.create_task(delivery.run())
    await asyncio.sleep(0.3)
    task.cancel()  # the process dies
    await asyncio.gather(task, return_exceptions=True)
    await first.close()
    assert platform.sent == []

    second = StoreThread(path)
    store: Store = await second.open()
    store.db.execute("UPDATE outbox SET next_attempt_at = 0")
    again = RecordingPlatform()
    await Delivery(second, again).drain(10)
    await Delivery(second, again).drain(10)
    assert [t for _, t, _ in again.sent] == ["a1", "a2"]
    await second.close()


async def test_the_run_loop_wakes_for_new_rows(db: StoreThread) -> None:
    platform = RecordingPlatform()
    delivery = Delivery(db, platform)
    task = asyncio.create_task(delivery.run())
    await asyncio.sleep(0.1)
    await queue(db, rows(("late", "A")))
    delivery.wake()
    for _ in range(50):
        if platform.sent:
            break
        await asyncio.sleep(0.02)
    await delivery.stop()
    task.cancel()
    assert [t for _, t, _ in platform.sent] == ["late"]


async def test_overall_rate_is_capped(db: StoreThread) -> None:
    clock = FastClock()
    platform = RecordingPlatform(Pacing(per_second=20, max_in_flight=50), clock=clock)
    await queue(db, rows(*[(f"m{i}", f"c{i}") for i in range(100)]))
    await Delivery(db, platform, clock).drain(100)
    times = sorted(t for _, _, t in platform.sent)
    assert len(times) == 100
    # no one-second window holds more than 20 messages
    assert max(sum(1 for t in times if s <= t < s + 1.0) for s in times) <= 20


def one_row(key: str, chat: str, kind: str = "alert", fanout_pos: int = 0) -> NewOutboxRow:
    return NewOutboxRow(
        key=key,
        platform="test",
        chat_id=chat,
        kind=kind,
        payload=Message(kind="goal" if kind == "alert" else "reply", headline=line(key)).to_json(),
        fanout_pos=fanout_pos,
    )


async def test_a_new_alert_goes_at_the_next_turn_during_a_big_fan_out(db: StoreThread) -> None:
    """No send waits for a turn with its row already chosen: an alert of another match,
    queued while a fan-out is paced out, goes at the very next turn, and a reply before it."""
    clock = FastClock()
    platform = RecordingPlatform(Pacing(per_second=10, max_in_flight=32), clock=clock)
    await queue(db, [one_row(f"goal:{i}", f"c{i}", fanout_pos=i) for i in range(300)])
    delivery = Delivery(db, platform, clock)
    runner = asyncio.create_task(delivery.run())
    try:
        while len(platform.sent) < 25:
            await asyncio.sleep(0.001)
        await queue(db, [one_row("other-match:goal", "z"), one_row("reply:y", "y", "reply")])
        # counted once the rows are committed (the fan-out goes on while they are written)
        before = len(platform.sent)
        delivery.wake()
        while not {"other-match:goal", "reply:y"} <= {t for _, t, _ in platform.sent}:
            await asyncio.sleep(0.001)
    finally:
        await delivery.stop()
        runner.cancel()
    texts = [t for _, t, _ in platform.sent]
    # the two went at the next two turns (one more fan-out send may have been on its way),
    # the live alert before the answer
    assert texts.index("other-match:goal") <= before + 1
    assert texts.index("other-match:goal") < texts.index("reply:y") <= before + 2


async def test_live_alerts_come_first_among_the_ready_heads(db: StoreThread) -> None:
    await queue(db, [one_row("reply", "B", "reply"), one_row("alert", "A")])
    heads = await db.call(lambda s: s.due_heads("test", 1e12, limit=10))
    assert [h.key for h in heads] == ["alert", "reply"]


async def test_a_chats_alert_goes_before_its_own_answers(db: StoreThread) -> None:
    """Answers queued first, then a goal (late in its fan-out): the goal is the chat's next."""
    await queue(db, [one_row(f"reply{i}", "A", "reply") for i in range(3)])
    await queue(db, [one_row("goal", "A", fanout_pos=500)])
    platform = RecordingPlatform()
    await Delivery(db, platform).drain(10)
    assert platform.texts("A") == ["goal", "reply0", "reply1", "reply2"]


async def test_draining_while_the_loop_runs_sends_each_row_once(db: StoreThread) -> None:
    """A replay or a test drains the outbox of a running bot: the loop alone sends, so a row
    fetched by both before its "sent" mark is never sent twice."""
    platform = RecordingPlatform(Pacing(max_in_flight=8))
    delivery = Delivery(db, platform)
    runner = asyncio.create_task(delivery.run())
    try:
        for batch in range(10):
            await queue(
                db, [one_row(f"m{batch}:{chat}", f"c{chat}", fanout_pos=chat) for chat in range(30)]
            )
            delivery.wake()
            await asyncio.gather(delivery.drain(10), delivery.drain(10))
    finally:
        await delivery.stop()
        runner.cancel()
    texts = [t for _, t, _ in platform.sent]
    assert len(texts) == len(set(texts)) == 300
