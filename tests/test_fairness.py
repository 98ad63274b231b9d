"""Nobody holds anybody back: Telegram's group limit used in full (20 a minute, each request
counted once), one chat's wait its own, alerts before replies, a flood's replies coalesced.

Every test runs the real ``matchbot run`` code path against the fake Bot API, both on a clock
:data:`SPEED` times faster; times are measured on the fake's own (scaled) clock."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.clock import FastClock
from bot.messages.model import Message, line
from bot.store_contract import NewOutboxRow
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import TOKEN, Bot, clean_telegram_env, no_violations

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
    return Message(kind="alert", headline=line(text)).to_json()


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
