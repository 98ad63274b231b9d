"""One push per goal: a minor event in the goal's minute or the next (a booking, a change, a
save, a miss, a note) is sent without a sound (Telegram's ``disable_notification``)."""

from __future__ import annotations

import re

import pytest

from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import Bot, derby_feed, event, no_violations

pytestmark = pytest.mark.timeout(60)

ALICE = 42


async def test_a_note_right_after_a_goal_does_not_buzz(bot: Bot, fake: FakeTelegram) -> None:
    match = "inter-milan"
    async with bot.running():
        await bot.subscribe(ALICE)
        await bot.ask(ALICE, "/settings level all")
        bot.append(*derby_feed(match))
        sub = event(type="substitution", match=match, id="s1", minute=60, team="Inter",
                    player_in="Francesco Pio Esposito")  # fmt: skip
        goal = event(type="goal", match=match, id="g1", minute=65, team="Inter",
                     player="Lautaro Martínez")  # fmt: skip
        note = event(type="note", match=match, id="n1", minute=65, team="Inter",
                     text="his fourth league goal in a row")  # fmt: skip
        card = event(type="card", match=match, id="c1", minute=66, team="Milan",
                     player="Rafael Leão", card="yellow")  # fmt: skip
        later = event(type="card", match=match, id="c2", minute=80, team="Milan",
                      player="Fikayo Tomori", card="yellow")  # fmt: skip
        bot.append(sub, goal, note, card, later)
        sent = await fake.wait_for_messages(2 + 6, ALICE, timeout=20)
    quiet = {
        re.sub(r"<[^>]+>", "", c["text"]): c.get("disable_notification") in (True, "true")
        for c in fake.calls_to("sendMessage")
        if c.get("text")
    }

    def is_quiet(words: str) -> bool:
        return next(q for text, q in quiet.items() if words in text)

    assert is_quiet("his fourth league goal in a row")  # the note, 65'
    assert is_quiet("66' Rafael Leão")  # a booking the minute after
    assert not is_quiet("⚽ GOAL! Inter 1-0 Milan")  # the goal buzzes
    assert not is_quiet("60' Francesco Pio Esposito")  # before it
    assert not is_quiet("80' Fikayo Tomori")  # long after
    assert len(sent) >= 8
    no_violations(fake)
