"""Bad provider input, end to end on the fake API-Football: a goal whose player id changes
while its name is null, an event whose minute is null, a score that goes down with no VAR
decision, a status the bot does not know. Each is logged once with the fixture id, the poller
keeps going (a later goal is still announced), nothing says "None", "null" or "nan"."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from adapters.assemble import build_bot
from adapters.providers import ApiFootball
from adapters.providers.api_football import ApiFootballSource
from bot.messages.model import message_text
from tests.support.af_match import ATALANTA, FID, INTER, card, goal, poll, soon
from tests.support.core import chat, until
from tests.support.fakes.provider_api import AMPLE_QUOTA, FakeProvider
from tests.support.fakes.recording import RecordingPlatform
from tests.test_goal_completed import KEY, TEAMS_INTER

IDS = {"ids": str(FID)}


async def test_bad_provider_input_is_logged_once_and_polling_goes_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.WARNING)
    k = soon()
    nameless = goal(20, INTER, (None, None))
    id_only = goal(20, INTER, (9999, None))  # an id, still no name
    other_id = goal(20, INTER, (8888, None))  # another id, still no name
    booking = card(30, ATALANTA, (77, "M. de Roon"))
    booking["time"]["elapsed"] = None  # a minute of null
    lautaro = goal(60, INTER, (217, "Lautaro Martínez"))
    polls = [
        poll(k, "1H", 21, (1, 0), [nameless]),
        poll(k, "1H", 22, (1, 0), [id_only]),
        poll(k, "1H", 23, (1, 0), [other_id]),
        poll(k, "1H", 31, (1, 0), [other_id, booking]),
        poll(k, "1H", 32, (0, 0), [other_id, booking]),  # down, no VAR: the goal still listed
        poll(k, "XYZ", 33, (1, 0), [other_id, booking]),  # a status nobody knows
        poll(k, "2H", 60, (2, 0), [other_id, booking, lautaro]),
    ]
    platform = RecordingPlatform()
    async with FakeProvider.api_football(key=KEY, **AMPLE_QUOTA) as fake:
        fake.script("/teams", {"search": "Inter"}, TEAMS_INTER)
        fake.script("/fixtures", {"team": 505, "next": 5}, poll(k, "NS", None, None, []))
        fake.script("/fixtures", IDS, *polls)
        src = ApiFootballSource(ApiFootball(KEY, base_url=fake.base_url), min_interval=0.05)
        bot = build_bot(
            tmp_path / "bot.db", [platform], recap_delay=0.0, reminder_lead=None, sources=[src]
        )
        await bot.open()
        await bot.command(chat("a"), "subscribe", "inter")
        await bot.command(chat("a"), "settings", "level all")
        await bot.start()
        try:
            await until(lambda: any("Inter 2-0" in t for t in platform.texts("a")), timeout=15)
            # a few more polls of the last answer: nothing logged again
            n = len([r for r in fake.requests if r.query == IDS])
            await until(lambda: len([r for r in fake.requests if r.query == IDS]) > n + 3)
            score = message_text(await bot.command(chat("a"), "score", "inter"))
        finally:
            await bot.stop()
            await src.aclose()
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    for said in (
        "an event without a minute (Card Yellow Card)",
        "changed while its name is null",
        "the score went down from 1-0 to 0-0 with no VAR decision",
        "a status the bot does not know ('XYZ')",
    ):
        found = [w for w in warnings if said in w]
        assert len(found) == 1, (said, warnings)
        assert "af:1035001" in found[0]
    assert score == "🔴 LIVE 60'  Inter 2-0 Atalanta"
    texts = platform.texts("a")
    assert [t.split("\n")[0] for t in texts if t.startswith("⚽")] == [
        "⚽ GOAL! Inter 1-0 Atalanta",
        "⚽ GOAL! Inter 2-0 Atalanta",
    ]
    for text in texts:
        for word in ("None", "null", "nan", "Unknown"):
            assert word not in text, text
