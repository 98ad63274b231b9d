"""The harness of the Telegram end-to-end tests: ``matchbot run``'s own code path
(:func:`adapters.compose.run_bot`) against the fake Bot API server
(tests/support/fakes/telegram_api/).

Test modules define their own small fixtures around these (pytest fixtures imported from
another module would shadow their parameters)::

    @pytest.fixture(autouse=True)
    def _env(monkeypatch): clean_telegram_env(monkeypatch)

    @pytest.fixture
    async def fake():
        async with FakeTelegram(token=TOKEN) as server:
            yield server
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest

from adapters.compose import run_bot
from bot.clock import Clock
from bot.settings import Settings
from storage.store import Store
from tests.support.databases import started_once
from tests.support.fakes.telegram_api import FakeTelegram

TOKEN = "123456:TEST-e2e-token"
#: End-to-end tests pace delivery on a :class:`bot.clock.FastClock` this many times faster than
#: real time, against a fake whose limits are scaled the same way (``time_scale=1 / SPEED``):
#: every limit still holds, no test spends real seconds on it.
SPEED = 100.0
#: Seconds between two looks at the feed file (``matchbot run`` looks every second): a line a
#: test appends is read at once instead of up to a second later.
FEED_INTERVAL = 0.05
SUBSCRIBED = "✅ This chat now follows Inter. Alerts: key events."

#: Environment variables a developer's shell or .env could set that would change what
#: ``Settings()`` reads in a test.
TELEGRAM_ENV = (
    "DISCORD_BOT_TOKEN",
    "TELEGRAM_WEBHOOK_URL",
    "TELEGRAM_WEBHOOK_LISTEN",
    "TELEGRAM_PAID_BROADCAST",
    "TELEGRAM_GROUP_ADMIN_ONLY",
    "MATCHBOT_REPORTERS",
)


def clean_telegram_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No stray tokens or modes from the environment; RetryAfter.retry_after a timedelta."""
    monkeypatch.setenv("PTB_TIMEDELTA", "true")
    for name in TELEGRAM_ENV:
        monkeypatch.delenv(name, raising=False)


class Bot:
    """A ``matchbot run`` against the fake server, with a feed file the test appends to.

    ``Settings`` is built the way ``matchbot run`` builds it, so variables the test sets in the
    environment (``MATCHBOT_REPORTERS``, ``TELEGRAM_WEBHOOK_URL`` …) take effect; ``overrides``
    are passed as keyword arguments on top.
    """

    def __init__(
        self,
        fake: FakeTelegram,
        tmp_path: Path,
        *,
        delivery_clock: Clock | None = None,
        **overrides: Any,
    ) -> None:
        """``delivery_clock``: a :class:`bot.clock.FastClock` to pace delivery by, with the
        fake's limits scaled the same way (``FakeTelegram(time_scale=1 / speed)``)."""
        self.fake = fake
        self.delivery_clock = delivery_clock
        self.db = started_once(tmp_path / "matchbot.db")  # as the bot left it at a first start
        self.feed = tmp_path / "feed.jsonl"
        self.feed.touch()
        self.overrides = overrides

    def settings(self) -> Settings:
        values: dict[str, Any] = {
            "db": self.db,
            "feeds": str(self.feed),
            "recap_delay_minutes": 0,
            "telegram_bot_token": TOKEN,
            "telegram_base_url": self.fake.base_url,
            "discord_bot_token": None,
            **self.overrides,
        }
        return Settings(**values)

    @asynccontextmanager
    async def running(self) -> AsyncIterator[None]:
        stop = asyncio.Event()
        task = asyncio.create_task(
            run_bot(
                self.settings(),
                stop,
                delivery_clock=self.delivery_clock,
                feed_interval=FEED_INTERVAL,
            )
        )
        try:
            await self.fake.wait_for_call(
                "setMyCommands", len(self.fake.calls_to("setMyCommands")) + 1
            )
            yield
        finally:
            stop.set()
            await asyncio.wait_for(task, 20)

    def append(self, *lines: str) -> None:
        with self.feed.open("a", encoding="utf-8") as handle:
            handle.writelines(f"{line}\n" for line in lines)

    def store(self) -> Store:
        return Store.open(self.db)

    def texts(self, chat_id: int) -> list[str]:
        return [m["text"] for m in self.fake.messages(chat_id)]

    async def wait_texts(self, chat_id: int, n: int, within: float = 20) -> list[str]:
        await self.fake.wait_for_messages(n, chat_id, timeout=within)
        return self.texts(chat_id)

    async def wait_edited(
        self, chat_id: int, message_id: int, within: float = 20
    ) -> dict[str, Any]:
        """Wait until the bot edited that message; returns it as it now reads."""
        deadline = asyncio.get_running_loop().time() + within
        while asyncio.get_running_loop().time() < deadline:
            for m in self.fake.messages(chat_id):
                if m["message_id"] == message_id and m["edits"]:
                    return m
            await asyncio.sleep(0.05)
        raise AssertionError(f"message {message_id} in {chat_id} was not edited in {within}s")

    async def subscribe(self, chat_id: int, team: str = "Inter", **kw: Any) -> None:
        before = len(self.fake.messages(chat_id))
        self.fake.user_sends(chat_id, f"/subscribe {team}", **kw)
        await self.fake.wait_for_messages(before + 1, chat_id)

    async def ask(self, chat_id: int, text: str, **kw: Any) -> dict[str, Any]:
        """Send ``text`` to the bot from ``chat_id`` and return the bot's next message there."""
        before = len(self.fake.messages(chat_id))
        self.fake.user_sends(chat_id, text, **kw)
        return (await self.fake.wait_for_messages(before + 1, chat_id, timeout=20))[before]


def event(**fields: Any) -> str:
    return json.dumps(fields, ensure_ascii=False)


def derby_feed(match: str = "inter-milan") -> list[str]:
    return [
        event(
            type="match",
            match=match,
            competition="Serie A",
            home="Inter",
            away="Milan",
            kickoff="2026-02-01T19:45:00Z",
        ),
        event(type="period", match=match, id="p1", minute=0, period="first_half"),
    ]


def no_violations(fake: FakeTelegram) -> None:
    assert fake.violations == [], fake.violation_counts()
