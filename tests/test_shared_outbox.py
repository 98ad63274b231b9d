"""Two bots on one PostgreSQL database in one test: what a process standing by queues (a reply
to a command that reached its Discord shard or its webhook) is sent by the leader soon, not
at the leader's next idle look of several seconds: with other processes on the database the
leader looks at an empty outbox every :data:`bot.delivery.SHARED_IDLE_CHECK` seconds."""

from __future__ import annotations

import pytest

from adapters.assemble import build_bot
from bot.delivery import SHARED_IDLE_CHECK
from bot.messages.model import Message, bold, line
from bot.ports import Pacing
from bot.store_contract import CoreStore, NewOutboxRow
from tests.support.core import until
from tests.support.fakes.recording import RecordingPlatform
from tests.support.postgres import empty


async def test_a_reply_queued_by_a_process_standing_by_is_sent_by_the_leader(
    postgres_url: str,
) -> None:
    empty(postgres_url)
    platform = RecordingPlatform()
    leader = build_bot(postgres_url, [platform], recap_delay=None, reminder_lead=None)
    standing_by = build_bot(postgres_url, [RecordingPlatform()], recap_delay=None)
    await leader.start()
    await standing_by.start(lead=False)
    try:
        assert leader.deliveries["test"].idle_check == SHARED_IDLE_CHECK
        reply = Message(kind="reply", headline=line(bold("✅ This chat now follows Inter.")))
        row = NewOutboxRow(
            key="reply:test:u1",
            platform="test",
            chat_id="42",
            kind="reply",
            payload=reply.to_json(),
        )
        await standing_by.db.call(lambda s: s.enqueue([row], now=0.0))
        await until(lambda: bool(platform.texts("42")), timeout=2.0)
        assert platform.texts("42") == ["✅ This chat now follows Inter."]
        assert not standing_by.deliveries["test"]._running  # only the leader sends
    finally:
        await standing_by.stop()
        await leader.stop()


async def test_a_new_leader_counts_the_last_minutes_sends_against_the_limits(
    postgres_url: str,
) -> None:
    """The leader before this one sent to a group 20 times in the last minute and to a private
    chat a moment ago (the sends are in the database): the new leader's pacer holds the group
    until its minute is over and the chat for the rest of its second."""
    import time

    empty(postgres_url)
    platform = RecordingPlatform(Pacing(per_chat_interval=1.0, group_per_minute=20))
    seeder = build_bot(postgres_url, [], recap_delay=None)
    await seeder.start(lead=False)
    now = time.time()
    rows = [
        NewOutboxRow(
            key=f"old{n}:test:-7", platform="test", chat_id="-7", kind="alert", payload="{}"
        )
        for n in range(20)
    ] + [NewOutboxRow(key="old:test:8", platform="test", chat_id="8", kind="alert", payload="{}")]

    def sent_before(s: CoreStore) -> None:
        s.enqueue(rows, now=now)
        ids = {r["key"]: r["id"] for r in s.outbox_rows_for("old")}
        s.mark_many_sent("test", [(ids[r.key], r.key, r.chat_id, ["1"]) for r in rows])

    await seeder.db.call(sent_before)
    await seeder.stop()
    leader = build_bot(postgres_url, [platform], recap_delay=None, reminder_lead=None)
    await leader.start()
    try:
        pacer = leader.deliveries["test"].pacer
        await until(lambda: "8" in pacer._answered, timeout=5)
        mono = pacer.clock.monotonic()
        assert pacer.ready_at("-7") > mono + 50  # the group's minute is still running
        assert mono < pacer.ready_at("8") <= mono + 1.0
        assert pacer.ready_at("9") <= mono  # a chat no one sent to waits for nothing
    finally:
        await leader.stop()


async def test_a_process_standing_by_is_healthy_while_the_leader_has_a_backlog(
    postgres_url: str,
) -> None:
    """A long fan-out keeps messages waiting for longer than the stall time: that is the
    leader's to judge; the process standing by, which sends nothing, stays healthy."""
    from bot.health import Backlog, Health

    empty(postgres_url)
    now = [1_000_000.0]
    health = Health(stall_seconds=60.0, clock=lambda: now[0])
    standing_by = build_bot(postgres_url, [RecordingPlatform()], recap_delay=None, health=health)
    await standing_by.start(lead=False)
    try:
        now[0] += 600  # ten minutes on: the backlog waits since the start
        long_ago = 1_000_000.0
        verdict = health.verdict([Backlog("test", 5000, long_ago, long_ago)])
        assert verdict.healthy and "standing by" in verdict.reason
        assert health.ready
        await standing_by.lead()
        assert not health.verdict([Backlog("test", 5000, long_ago, long_ago)]).healthy
    finally:
        await standing_by.stop()


async def test_a_recap_a_reporter_made_due_on_a_process_standing_by_is_sent_by_the_leader(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A reporter covers a match through a process standing by (a webhook deployment answers
    updates on every process): its full time schedules nothing there (only the leader runs
    the timed jobs), and the leader finds the recap due in the database within seconds."""
    from bot.ports import CommandContext
    from bot.scheduler import jobs

    monkeypatch.setattr(jobs, "SHARED_LOOK_EVERY", 0.1)  # the leader looks that often
    empty(postgres_url)
    reporter = CommandContext(platform="test", chat_id="press", user_id="42")
    fan = CommandContext(platform="test", chat_id="fans", user_id="7")
    platform = RecordingPlatform()
    leader = build_bot(postgres_url, [platform], recap_delay=0.0, reminder_lead=None)
    standing_by = build_bot(
        postgres_url,
        [RecordingPlatform()],
        recap_delay=0.0,
        reminder_lead=None,
        reporters=frozenset({"test:42"}),
    )
    await leader.start()
    await standing_by.start(lead=False)
    try:
        await standing_by.command(fan, "subscribe", "inter")
        for args in (
            "match Atalanta v Inter in Serie A",
            "period Inter kickoff",
            "goal Inter Lautaro Martínez 65",
            "period Inter ft 90+5",
        ):
            await standing_by.command(reporter, "report", args)

        def recaps() -> list[str]:
            return [t for t in platform.texts("fans") if t.startswith("🏁 Atalanta 0-1 Inter\n")]

        await until(lambda: bool(recaps()), timeout=10)
        assert any(t.startswith("⚽ GOAL! Atalanta 0-1 Inter") for t in platform.texts("fans"))
        assert not standing_by.deliveries["test"]._running  # only the leader sends
    finally:
        await standing_by.stop()
        await leader.stop()
    assert len(recaps()) == 1
