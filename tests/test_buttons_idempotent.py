"""Buttons are idempotent: the same button pressed 20 times in a second acts once, costs at
most one or two edits, every press is answered once, and no unchanged edit is sent."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import SPEED, Bot, clean_telegram_env, no_violations

ALICE = 42
GROUP = -1001234
ADMIN = 7


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_telegram_env(monkeypatch)


async def settled(fake: FakeTelegram, presses: int) -> None:
    """Every press answered, then a little longer for edits that would follow."""
    while len(fake.callback_answers) < presses:
        await asyncio.sleep(0.02)
    await asyncio.sleep(3 / SPEED + 0.3)


async def test_twenty_presses_of_a_suggestion_act_once(bot: Bot, fake: FakeTelegram) -> None:
    async with bot.running():
        offer = await bot.ask(ALICE, "/subscribe intr")
        assert offer["reply_markup"] is not None
        for _ in range(20):
            fake.user_presses(ALICE, offer["message_id"], "subscribe:inter")
        await settled(fake, 20)
        subscribed = [r["name"] for r in bot.store().followed_teams("telegram", str(ALICE))]
    answered = Counter(a["callback_query_id"] for a in fake.callback_answers)
    assert len(answered) == 20 and set(answered.values()) == {1}
    assert subscribed == ["Inter"]
    edits = fake.calls_to("editMessageText")
    assert 1 <= len(edits) <= 2
    assert len({(e["text"], str(e.get("reply_markup"))) for e in edits}) == len(edits)
    # nothing else was said: the offer, now edited, and no "already follows" pile
    assert len(fake.messages(ALICE)) == 1
    no_violations(fake)


async def test_twenty_presses_of_a_settings_button_change_it_once(
    bot: Bot, fake: FakeTelegram
) -> None:
    fake.set_member_status(GROUP, ADMIN, "administrator")
    async with bot.running():
        view = await bot.ask(GROUP, "/settings", user_id=ADMIN)
        for _ in range(20):
            fake.user_presses(GROUP, view["message_id"], "settings:level:all", user_id=ADMIN)
        await settled(fake, 20)
    edits = fake.calls_to("editMessageText")
    assert 1 <= len(edits) <= 2
    assert len(fake.messages(GROUP)) == 1
    assert "Alerts: everything" in fake.messages(GROUP)[0]["text"]
    assert len(fake.callback_answers) == 20
    no_violations(fake)
