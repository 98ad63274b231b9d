"""Two bots on one PostgreSQL database in one test: what a process standing by queues (a reply
to a command that reached its Discord shard or its webhook) is sent by the leader soon, not
at the leader's next idle look of several seconds: with other processes on the database the
leader looks at an empty outbox every :data:`bot.delivery.SHARED_IDLE_CHECK` seconds."""

from __future__ import annotations

from bot.app import MatchBot
from bot.delivery import SHARED_IDLE_CHECK
from bot.messages.model import Message, bold, line
from bot.store_contract import NewOutboxRow
from tests.support.core import until
from tests.support.fakes.recording import RecordingPlatform
from tests.support.postgres import empty


async def test_a_reply_queued_by_a_process_standing_by_is_sent_by_the_leader(
    postgres_url: str,
) -> None:
    empty(postgres_url)
    platform = RecordingPlatform()
    leader = MatchBot(postgres_url, [platform], recap_delay=None, reminder_lead=None)
    standing_by = MatchBot(postgres_url, [RecordingPlatform()], recap_delay=None)
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
