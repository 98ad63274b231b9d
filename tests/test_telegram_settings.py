"""Telegram's ``/settings`` with its buttons: who may press them in a group, and how the choices
are laid out in rows. End to end through ``matchbot run``'s own code path and the fake Bot API
server (tests/support/fakes/telegram_api/), which validates every keyboard the bot sends.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from adapters.telegram.keyboard import button_rows
from bot.messages.model import Button
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import (
    SUBSCRIBED,
    Bot,
    derby_feed,
    event,
    no_violations,
)

pytestmark = [pytest.mark.timeout(60), pytest.mark.usefixtures("reporters_env")]

ALICE = 43  # a private chat following Inter at the default level
GROUP = -1009876543  # a supergroup
ADMIN, MEMBER = 7, 8


def keyboard_of(message: dict[str, Any]) -> list[list[tuple[str, str]]]:
    markup = message["reply_markup"] or {}
    return [[(b["text"], b["callback_data"]) for b in row] for row in markup["inline_keyboard"]]


SETTINGS_KEYBOARD = [
    [
        ("Goals only", "settings:level:goals"),
        ("✓ Key events", "settings:level:key"),
        ("Everything", "settings:level:all"),
    ],
    [
        ("✓ Delay off", "settings:spoiler:0"),
        ("Delay 30 s", "settings:spoiler:30"),
        ("Delay 1 min", "settings:spoiler:60"),
    ],
    [("Delay 2 min", "settings:spoiler:120"), ("Delay 5 min", "settings:spoiler:300")],
    [("✓ English", "settings:language:en"), ("Italiano", "settings:language:it")],
    # the match's depth: each switch turns it the other way
    [("Line-ups: turn off", "settings:lineups:off")],
    [("Stats: turn off", "settings:stats:off")],
    [("Match card: turn on", "settings:pictures:on")],
    # the live scoreboard's other two choices
    [
        ("Live board + alerts", "settings:scoreboard:with"),
        ("Live board only", "settings:scoreboard:instead"),
    ],
    # one button per subscription: its own level, one step further
    [("Inter: chat's level → goals only", "settings:follow:t:inter:goals")],
]


async def test_settings_buttons_in_a_group_are_for_its_admins(bot: Bot, fake: FakeTelegram) -> None:
    fake.set_chat(GROUP, "supergroup", title="Nerazzurri & friends")
    fake.set_member_status(GROUP, ADMIN, "administrator")
    async with bot.running():
        await bot.subscribe(GROUP, "Inter", user_id=ADMIN)
        await bot.subscribe(ALICE)

        view = await bot.ask(GROUP, "/settings@MatchBot", user_id=ADMIN)
        assert view["text"].startswith(
            "⚙️ Settings for this chat\n\nAlerts: key events\nTime zone: UTC\nSpoiler delay: off"
        )
        # level choices in one row, the delays in two: readable on a phone
        assert keyboard_of(view) == SETTINGS_KEYBOARD

        # a member's press is refused with an alert only the member sees, not a chat message
        fake.user_presses(GROUP, view["message_id"], "settings:level:all", user_id=MEMBER)
        await fake.wait_for_call("answerCallbackQuery", 1)
        [refused] = fake.callback_answers
        assert refused["query"]["from"]["id"] == MEMBER
        assert refused["show_alert"] is True
        assert refused["text"].startswith("Only the chat's admins can change")

        # an admin's press changes the chat's level
        fake.user_presses(GROUP, view["message_id"], "settings:level:all", user_id=ADMIN)
        saved = await bot.wait_edited(GROUP, view["message_id"])  # the view updates in place
        assert len(fake.messages(GROUP)) == 2
        assert saved["text"].startswith("✅ Settings saved\n\nAlerts: everything\n")
        assert keyboard_of(saved)[0][2] == ("✓ Everything", "settings:level:all")
        assert len(fake.callback_answers) == 2
        # rights are asked for each command or press that would change the chat
        asked = [(q["chat_id"], q["user_id"]) for q in fake.calls_to("getChatMember")]
        assert asked == [(GROUP, ADMIN), (GROUP, ADMIN), (GROUP, MEMBER), (GROUP, ADMIN)]

        zone = await bot.ask(GROUP, "/settings timezone Europe/Rome", user_id=ADMIN)
        assert zone["text"].startswith("✅ Settings saved\n\nAlerts: everything\n")
        assert "\nTime zone: Europe/Rome\n" in zone["text"]

        # a save is an "everything" alert: the group gets it, Alice (key events) does not
        bot.append(*derby_feed())
        bot.append(
            event(
                type="save",
                match="inter-milan",
                id="s1",
                minute=12,
                team="Milan",
                player="Mike Maignan",
                shooter="Marcus Thuram",
            )
        )
        kickoff = "🟢 Kick-off: Inter v Milan\n\nSerie A · 1 Feb 2026"
        texts = await bot.wait_texts(GROUP, 5)
        assert texts[3] == kickoff
        assert texts[4].startswith("🧤 ") and "Mike Maignan" in texts[4], texts[4]
        assert "Marcus Thuram" in texts[4]
        assert await bot.wait_texts(ALICE, 2) == [SUBSCRIBED, kickoff]

        # fixtures are shown in the chat's time zone: CET in winter, CEST in summer
        bot.append(
            event(
                type="match",
                match="inter-roma-2030",
                competition="Serie A",
                home="Inter",
                away="Roma",
                kickoff="2030-02-01T19:45:00Z",
            ),
            event(
                type="match",
                match="atalanta-lazio-2030",
                competition="Serie A",
                home="Atalanta",
                away="Lazio",
                kickoff="2030-07-06T18:00:00Z",
            ),
        )
        winter = ""
        for _ in range(50):  # the feed is read once a second
            winter = (await bot.ask(GROUP, "/next@MatchBot Inter", user_id=MEMBER))["text"]
            if "Roma" in winter:
                break
        assert winter == "📅 Inter v Roma, Fri 1 Feb 20:45 CET · Serie A"
        summer = await bot.ask(GROUP, "/next@MatchBot Atalanta", user_id=MEMBER)
        assert summer["text"] == "📅 Atalanta v Lazio, Sat 6 Jul 20:00 CEST · Serie A"
        await asyncio.sleep(1.2)
        assert bot.texts(ALICE) == [SUBSCRIBED, kickoff]

    store = bot.store()
    try:
        assert store.chat_settings("telegram", str(GROUP)) == {
            "language": "en",
            "level": "all",
            "spoiler_delay": 0,
            "timezone": "Europe/Rome",
        }
    finally:
        store.close()
    no_violations(fake)


def test_keyboards_group_the_choices_of_one_setting_in_rows() -> None:
    def labels(*actions: str, label: str = "{}") -> list[list[str]]:
        buttons = [Button(label=label.format(a.rpartition(":")[2]), action=a) for a in actions]
        return [[b.label for b in row] for row in button_rows(buttons)]

    assert labels("subscribe:inter") == [["inter"]]
    # long team names get a row each rather than being cut on a phone
    long = ("subscribe:borussia-monchengladbach", "subscribe:wolverhampton-wanderers")
    assert labels(*long) == [["borussia-monchengladbach"], ["wolverhampton-wanderers"]]
    assert labels("subscribe:milan", "subscribe:millwall", "subscribe:mirandes") == [
        ["milan", "millwall", "mirandes"]
    ]
    # seven choices: 3 + 2 + 2, never a lone button at the end when it can be avoided
    seven = [f"x:{i}" for i in range(7)]
    assert [len(row) for row in labels(*seven)] == [3, 2, 2]
    # a new kind of choice starts a new row
    assert labels("a:1", "a:2", "b:1") == [["1", "2"], ["1"]]
