"""/settings for a chat that follows as many teams as it may (the cap, 50): the keyboard stays
within Telegram's limits (the fake refuses more than 100 buttons, or 8 in a row) by showing
the subscriptions 10 a page, with "more…" and "« back" buttons that turn the page in place;
anyone may turn the pages, twenty presses are one, and it reads the same in Italian."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from telegram import Bot as PTBBot
from telegram import InlineKeyboardButton, InlineKeyboardMarkup
from telegram.error import BadRequest
from telegram.request import HTTPXRequest

from bot.commands.following import MAX_FOLLOWS
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import SPEED, TOKEN, Bot, clean_telegram_env, no_violations

GROUP = -1001234
ADMIN = 7
MEMBER = 8


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> None:
    clean_telegram_env(monkeypatch)


def follow_the_most(bot: Bot, chat: int) -> list[str]:
    """The chat follows as many teams as it may; their names, in the order /settings lists."""
    store = bot.store()
    try:
        store.ensure_chat("telegram", str(chat), "fans", "group")
        teams = [r["id"] for r in store.db.query("SELECT id FROM teams ORDER BY id")]
        assert len(teams) >= MAX_FOLLOWS
        for team in teams[:MAX_FOLLOWS]:
            store.subscribe("telegram", str(chat), team)
        return [str(r["target"]) for r in store.follows("telegram", str(chat))]
    finally:
        store.close()


def buttons(message: dict[str, Any]) -> list[dict[str, Any]]:
    markup = message.get("reply_markup") or {}
    return [b for row in markup.get("inline_keyboard", []) for b in row]


def follow_buttons(message: dict[str, Any]) -> list[str]:
    return [b["callback_data"] for b in buttons(message) if "follow:" in b["callback_data"]]


async def edited(fake: FakeTelegram, count: int) -> dict[str, Any]:
    """The message after the ``count``-th edit, once it came."""
    async with asyncio.timeout(20):
        while len(fake.calls_to("editMessageText")) < count:
            await asyncio.sleep(0.02)
    return fake.messages(GROUP)[0]


async def test_fifty_subscriptions_page_ten_at_a_time_with_more_and_back(
    bot: Bot, fake: FakeTelegram
) -> None:
    fake.set_member_status(GROUP, ADMIN, "administrator")
    async with bot.running():
        follows = follow_the_most(bot, GROUP)
        view = await bot.ask(GROUP, "/settings", user_id=MEMBER)
        assert len(buttons(view)) <= 100
        assert "Alerts per subscription (1–10 of 50)" in view["text"]
        assert [b.split(":")[3] for b in follow_buttons(view)] == follows[:10]
        labels = {b["text"]: b["callback_data"] for b in buttons(view)}
        assert labels["more…"] == "settings:page:2" and "« back" not in labels

        # a member may turn the page (looking changes nothing); it is edited in place
        fake.user_presses(GROUP, view["message_id"], "settings:page:2", user_id=MEMBER)
        page = await edited(fake, 1)
        assert "(11–20 of 50)" in page["text"]
        assert [b.split(":")[3] for b in follow_buttons(page)] == follows[10:20]
        assert {"« back", "more…"} <= {b["text"] for b in buttons(page)}

        # twenty impatient presses of "more…": one turn, every press answered
        before = len(fake.callback_answers)
        for _ in range(20):
            fake.user_presses(GROUP, view["message_id"], "settings:page:3", user_id=MEMBER)
        async with asyncio.timeout(20):
            while len(fake.callback_answers) < before + 20:
                await asyncio.sleep(0.02)
        await asyncio.sleep(3 / SPEED + 0.3)
        assert len(fake.calls_to("editMessageText")) == 2
        page = fake.messages(GROUP)[0]
        assert "(21–30 of 50)" in page["text"]

        # the last page has no "more…"; a subscription's button keeps its page
        fake.user_presses(GROUP, view["message_id"], "settings:page:5", user_id=MEMBER)
        page = await edited(fake, 3)
        assert "(41–50 of 50)" in page["text"] and "more…" not in str(buttons(page))
        level_button = follow_buttons(page)[0]
        fake.user_presses(GROUP, view["message_id"], level_button, user_id=ADMIN)
        page = await edited(fake, 4)
        assert "Settings saved" in page["text"] and "(41–50 of 50)" in page["text"]
        # a forged page is no page the bot offers: nothing is edited
        for forged in ("settings:page:0", "settings:page:10", "settings:page:-1"):
            fake.user_presses(GROUP, view["message_id"], forged, user_id=MEMBER)
        await asyncio.sleep(3 / SPEED + 0.3)
        assert len(fake.calls_to("editMessageText")) == 4
    assert len(fake.messages(GROUP)) == 1  # one message, turned in place
    no_violations(fake)


async def test_the_pages_read_in_italian(bot: Bot, fake: FakeTelegram) -> None:
    fake.set_member_status(GROUP, ADMIN, "administrator")
    async with bot.running():
        follow_the_most(bot, GROUP)
        await bot.ask(GROUP, "/settings language it", user_id=ADMIN)
        view = await bot.ask(GROUP, "/settings", user_id=MEMBER)
        assert "Avvisi per ciò che la chat segue (1–10 di 50)" in view["text"]
        assert "/impostazioni pagina 2" in view["text"]  # as an Italian chat types it
        fake.user_presses(GROUP, view["message_id"], "settings:page:2", user_id=MEMBER)
        async with asyncio.timeout(20):
            while "(11–20 di 50)" not in fake.messages(GROUP)[-1]["text"]:
                await asyncio.sleep(0.02)
        labels = {b["text"] for b in buttons(fake.messages(GROUP)[-1])}
        assert {"« indietro", "altri…"} <= labels
        typed = await bot.ask(GROUP, "/settings page 4", user_id=MEMBER)
        assert "(31–40 di 50)" in typed["text"]


async def test_the_fake_refuses_a_keyboard_telegram_would_refuse(fake: FakeTelegram) -> None:
    ptb = PTBBot(TOKEN, base_url=fake.base_url, request=HTTPXRequest())
    data = "settings:level:all"
    too_many = [[InlineKeyboardButton(str(i), callback_data=data) for i in range(4)]] * 26
    too_wide = [[InlineKeyboardButton(str(i), callback_data=data) for i in range(9)]]
    async with ptb:
        for rows in (too_many, too_wide):
            with pytest.raises(BadRequest):
                await ptb.send_message(GROUP, "x", reply_markup=InlineKeyboardMarkup(rows))
        fits = [[InlineKeyboardButton(str(i), callback_data=data) for i in range(4)]] * 25
        await ptb.send_message(GROUP, "x", reply_markup=InlineKeyboardMarkup(fits))
