"""Fixtures of the Telegram end-to-end tests (registered in ``tests/conftest.py``): the fake
Bot API and a ``matchbot run`` against it, both paced on a clock :data:`SPEED` times faster.
A test module that needs something else defines its own ``fake`` or ``bot``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:  # imported by the fixtures (xdist's controller loads this plugin too)
    from tests.support.fakes.telegram_api import FakeTelegram
    from tests.support.telegram import Bot

#: the reporter the ``reporters_env`` fixture names (writes to the bot privately)
REPORTER = 99


@pytest.fixture
def reporters_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No stray settings from the environment; :data:`REPORTER` named in MATCHBOT_REPORTERS."""
    from tests.support.telegram import clean_telegram_env

    clean_telegram_env(monkeypatch)
    monkeypatch.setenv("MATCHBOT_REPORTERS", f"telegram:{REPORTER}, discord:123456789")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    """The fake Bot API with Telegram's limits (1 msg/s a chat, 20/min a group, 30/s overall),
    on a clock :data:`SPEED` times faster (as the bot's delivery): the limits still hold, no
    test spends real seconds on them."""
    from tests.support.fakes.telegram_api import FakeTelegram
    from tests.support.telegram import SPEED, TOKEN

    async with FakeTelegram(token=TOKEN, hold_after_429=True, time_scale=1 / SPEED) as server:
        yield server


@pytest.fixture
def bot(fake: FakeTelegram, tmp_path: Path) -> Bot:
    from bot.clock import FastClock
    from tests.support.telegram import SPEED, Bot

    return Bot(fake, tmp_path, delivery_clock=FastClock(SPEED))
