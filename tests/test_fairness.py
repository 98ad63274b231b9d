"""Nobody holds anybody back: Telegram's group limit used in full (20 a minute, each request
counted once), one chat's wait its own, alerts before replies, a flood's replies coalesced.

Every test runs the real ``matchbot run`` code path against the fake Bot API, both on a clock
:data:`SPEED` times faster; times are measured on the fake's own (scaled) clock."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FastClock
from bot.delivery import Delivery
from bot.fairness import GROUP_COMMANDS
from bot.messages.model import Message, line
from bot.ports import Pacing
from bot.store_contract import NewOutboxRow
from storage.store import Store
from storage.thread import StoreThread
from tests.support.core import until
from tests.support.fakes.recording import RecordingPlatform
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import (
    TOKEN,
    Bot,
    clean_telegram_env,
    derby_feed,
    event,
    no_violations,
)

#: Slower than the other end-to-end tests: a minute of the group limit is 3 real seconds, so
#: a loaded machine's scheduling delays stay small next to the intervals measured.
SPEED = 20.0
GROUP = -100500


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_telegram_env(monkeypatch)


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, hold_after_429=True, time_scale=1 / SPEED) as server:
        yield server


@pytest.fixture
def bot(fake: FakeTelegram, tmp_path: Path) -> Bot:
    return Bot(fake, tmp_path, delivery_clock=FastClock(SPEED))


def note(text: str) -> str:
    return Message(kind="goal", headline=line(text)).to_json()


def queue_alerts(bot: Bot, chat_id: int, count: int, prefix: str = "a") -> None:
    """``count`` alerts queued for ``chat_id`` before the bot starts."""
    store = bot.store()
    rows = [
        NewOutboxRow(
            key=f"test:{prefix}:{chat_id}:{i}",
            platform="telegram",
            chat_id=str(chat_id),
            kind="event",
            payload=note(f"{prefix} {i}"),
        )
        for i in range(count)
    ]
    store.enqueue(rows, now=time.time())
    store.db.close()


def scaled(fake: FakeTelegram, chat_id: int) -> list[float]:
    """When each message to ``chat_id`` reached the fake, in the fake's seconds."""
    return [m["received_at"] / fake.time_scale for m in fake.messages(chat_id)]


async def test_a_group_gets_twenty_messages_a_minute_and_the_21st_waits(
    fake: FakeTelegram, bot: Bot
) -> None:
    queue_alerts(bot, GROUP, 24)
    async with bot.running():
        await fake.wait_for_messages(21, GROUP, timeout=30)
    at = scaled(fake, GROUP)
    first_minute = [t for t in at if t < at[0] + 60.0]
    assert len(first_minute) == 20, [round(t - at[0], 1) for t in at]
    assert at[20] >= at[0] + 60.0
    no_violations(fake)


async def test_a_group_at_its_minute_budget_holds_back_no_other_chat(
    fake: FakeTelegram, bot: Bot
) -> None:
    queue_alerts(bot, GROUP, 40)
    async with bot.running():
        await fake.wait_for_messages(20, GROUP, timeout=30)
        for chat in (11, 12, 13):
            fake.user_sends(chat, "/help")
        asked = time.monotonic() / fake.time_scale
        for chat in (11, 12, 13):
            await fake.wait_for_messages(1, chat, timeout=30)
        answered = max(scaled(fake, chat)[0] for chat in (11, 12, 13))
        in_group = len(fake.messages(GROUP))
    assert in_group <= 21  # the group is still waiting for its minute
    assert answered - asked < 5.0
    no_violations(fake)


async def test_a_chat_told_to_retry_after_holds_back_no_other_chat(
    fake: FakeTelegram, bot: Bot
) -> None:
    fake.fail_next(GROUP, "retry_after", retry_after=40)
    queue_alerts(bot, GROUP, 3)
    async with bot.running():
        await fake.wait_for_call("sendMessage", 1)
        for chat in (21, 22, 23):
            fake.user_sends(chat, "/help")
        asked = time.monotonic() / fake.time_scale
        for chat in (21, 22, 23):
            await fake.wait_for_messages(1, chat, timeout=30)
        answered = max(scaled(fake, chat)[0] for chat in (21, 22, 23))
        assert fake.messages(GROUP) == []  # still waiting its 40 s
        await fake.wait_for_messages(3, GROUP, timeout=30)
    assert answered - asked < 5.0
    assert scaled(fake, GROUP)[0] - asked >= 35.0
    no_violations(fake)


# --- the delivery loop alone (an in-memory platform): waiting chats never fill its view ------


@pytest.fixture
async def db(tmp_path: Path) -> AsyncIterator[StoreThread]:
    thread = StoreThread(tmp_path / "bot.db")
    await thread.open()
    yield thread
    await thread.close()


def row(key: str, chat: str, kind: str = "event", at: float = 0.0) -> NewOutboxRow:
    return NewOutboxRow(
        key=key,
        platform="test",
        chat_id=chat,
        kind=kind,
        payload=Message(kind="goal", headline=line(key)).to_json(),
        next_attempt_at=at,
    )


async def run_until_sent(
    delivery: Delivery, platform: RecordingPlatform, key: str, limit: float
) -> float:
    """Run the loop until ``key`` was sent; when it was, on the delivery's clock."""
    runner = asyncio.create_task(delivery.run())
    start = delivery.clock.monotonic()
    try:
        while key not in {t for _, t, _ in platform.sent}:
            assert delivery.clock.monotonic() - start < limit, f"{key} not sent in {limit}s"
            await asyncio.sleep(0.005)
    finally:
        await delivery.stop()
        runner.cancel()
    return next(at for _, t, at in platform.sent if t == key) - start


async def test_many_groups_at_their_budget_do_not_hide_a_private_chat(db: StoreThread) -> None:
    """More groups waiting for their minute than the loop looks at in one go: the private
    chat behind them in the queue still gets its message at once."""
    clock = FastClock(10)  # a slow send on a busy machine stays small next to the minute
    pacing = Pacing(per_second=30, group_per_minute=1, max_in_flight=32)
    platform = RecordingPlatform(pacing, clock=clock)
    groups = [f"-{i}" for i in range(80)]  # the loop looks at 64 chats' heads at a time
    await db.call(lambda s: s.enqueue([row(f"{g}:1", g) for g in groups], now=0.0))
    await db.call(lambda s: s.enqueue([row(f"{g}:2", g) for g in groups], now=0.0))
    await db.call(lambda s: s.enqueue([row("private", "7")], now=0.0))
    delivery = Delivery(db, platform, clock)
    # right after the groups' first messages, not when their minute is over
    assert await run_until_sent(delivery, platform, "private", 90) < 30
    assert [t for _, t, _ in platform.sent][80] == "private"


async def test_a_waiting_group_does_not_delay_a_message_coming_due(db: StoreThread) -> None:
    """A group waits for its minute; another chat's message due in 3 s goes in 3 s."""
    # The loop looks at the outbox every half second while a chat waits: the message goes
    # between 3 and 3.5 s. On this clock the 1.5 s left are 300 ms of real time, more than
    # a loaded machine delays a step (at 100 times they were 15 ms, and such a machine's
    # scheduling made the message look seconds late).
    clock = FastClock(5)
    pacing = Pacing(per_second=30, group_per_minute=1, max_in_flight=32)
    platform = RecordingPlatform(pacing, clock=clock)
    await db.call(lambda s: s.enqueue([row("g1", "-1"), row("g2", "-1")], now=0.0))
    due = clock.time() + 3.0
    await db.call(lambda s: s.enqueue([row("later", "8", at=due)], now=0.0))
    delivery = Delivery(db, platform, clock)
    assert await run_until_sent(delivery, platform, "later", 60) < 5


# --- a flood of commands in a group while a goal is due ---------------------------------------

FLOOD_SPEED = 5.0  # a command's way in is real time: 5 s on this clock is one real second
ADMIN, MEMBER, OTHER = 7, 8, 31


@pytest.fixture
async def slow_fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, hold_after_429=True, time_scale=1 / FLOOD_SPEED) as server:
        yield server


def goal(minute: int, player: str) -> str:
    return event(
        type="goal",
        match="inter-milan",
        id=f"g{minute}",
        minute=minute,
        team="Inter",
        player=player,
    )


def pending_to(store: Store, chat_id: int) -> list[str]:
    """The keys of the rows still to be sent to ``chat_id`` on Telegram."""
    return [
        r["key"]
        for r in store.outbox_rows("telegram")
        if r["chat_id"] == str(chat_id) and r["status"] == "pending"
    ]


async def test_a_flood_of_commands_delays_neither_the_goal_nor_another_chat(
    slow_fake: FakeTelegram, tmp_path: Path
) -> None:
    fake = slow_fake
    bot = Bot(fake, tmp_path, delivery_clock=FastClock(FLOOD_SPEED))
    fake.set_member_status(GROUP, ADMIN, "administrator")
    async with bot.running():
        await bot.subscribe(GROUP, user_id=ADMIN)
        bot.append(*derby_feed())
        await fake.wait_for_messages(2, GROUP, timeout=30)  # subscribed, kick-off
        for i in range(40):
            fake.user_sends(GROUP, "/score inter" if i % 2 else "/next inter", user_id=MEMBER)
        bot.append(goal(12, "Marcus Thuram"))
        flood_at = time.monotonic() / fake.time_scale
        fake.user_sends(OTHER, "/score inter")
        await fake.wait_for_messages(1, OTHER, timeout=30)
        other_at = scaled(fake, OTHER)[0]
        while not any("GOAL" in t for t in bot.texts(GROUP)):
            await fake.wait_for_messages(len(fake.messages(GROUP)) + 1, GROUP, timeout=30)
        goal_at = next(
            m["received_at"] / fake.time_scale for m in fake.messages(GROUP) if "GOAL" in m["text"]
        )
        # The bot takes updates one at a time: OTHER's answer came after every command of
        # the flood was handled (answered, coalesced or refused). What it queued for the
        # group goes out before the count below.
        store = bot.store()
        try:
            await until(lambda: not pending_to(store, GROUP), timeout=30)
        finally:
            store.close()
    assert goal_at - flood_at < 30.0
    assert other_at - flood_at < 5.0
    answers = bot.texts(GROUP)[2:]
    notes = [t for t in answers if t.startswith("🐢")]
    assert len(notes) == 1
    # a small burst of answers, the goal, the note: not forty answers
    assert len(answers) <= 3 + 1 + 1 + 1, answers
    no_violations(fake)


async def test_a_member_over_the_group_limit_is_not_answered_but_others_are(
    fake: FakeTelegram, bot: Bot
) -> None:
    async with bot.running():
        for _ in range(GROUP_COMMANDS):
            await bot.ask(GROUP, "/help", user_id=MEMBER)
        for _ in range(4):  # over the limit: not run, one note for all
            fake.user_sends(GROUP, "/subscribe inter", user_id=MEMBER)
        await fake.wait_for_messages(GROUP_COMMANDS + 1, GROUP)
        answer = await bot.ask(GROUP, "/help", user_id=ADMIN)  # another member: answered
        await asyncio.sleep(5 / SPEED)
    texts = bot.texts(GROUP)
    assert [t.startswith("🐢") for t in texts] == [False] * GROUP_COMMANDS + [True, False]
    assert answer["text"] == texts[0]
    no_violations(fake)


async def test_an_admin_setting_the_group_up_is_answered_every_time(
    fake: FakeTelegram, bot: Bot
) -> None:
    """The per-member limit is for members: an admin typing more settings than the limit in a
    minute (odd values among them, item 7) gets each answer, and nothing changes."""
    fake.set_member_status(GROUP, ADMIN, "administrator")
    odd = ["²", "٣", "1e9", "10^26", "-1", "１５", "0x10", "3.5", "999999999999"]
    async with bot.running():
        answers = [
            (await bot.ask(GROUP, f"/settings spoiler {value}", user_id=ADMIN))["text"]
            for value in odd + ["60"] * (GROUP_COMMANDS - len(odd) + 2)
        ]
        store = bot.store()
        try:
            settings = store.chat_settings("telegram", str(GROUP))
        finally:
            store.close()
    assert len(answers) > GROUP_COMMANDS
    assert not [a for a in answers if a.startswith("🐢")]
    assert all("0 to 300 seconds" in a for a in answers[: len(odd)])
    assert "Settings saved" in answers[-1] and settings.get("spoiler_delay") == 60
    no_violations(fake)
