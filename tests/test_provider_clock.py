"""The live minute comes from the provider's clock (API-Football ``fixture.status.elapsed`` and
``extra``), and statuses are said in words; end to end on the fake API-Football."""

from __future__ import annotations

import asyncio
from pathlib import Path

from adapters.assemble import build_bot
from adapters.providers import ApiFootball
from adapters.providers.api_football import ApiFootballSource
from bot.app import MatchBot
from bot.messages.model import message_text
from tests.support.af_match import FID, INTER, card, goal, poll, soon
from tests.support.core import chat, until
from tests.support.fakes.provider_api import AMPLE_QUOTA, FakeProvider
from tests.support.fakes.recording import RecordingPlatform
from tests.test_goal_completed import KEY, TEAMS_INTER

IDS = {"ids": str(FID)}
LAUTARO = (217, "Lautaro Martínez")


async def score(bot: MatchBot, chat_id: str = "a") -> str:
    return message_text(await bot.command(chat(chat_id), "score", "inter"))


async def test_score_says_the_providers_minute_and_its_statuses_in_words(tmp_path: Path) -> None:
    k = soon()
    first = [goal(9, INTER, LAUTARO), card(51, INTER, (30558, "A. Bastoni"))]
    async with FakeProvider.api_football(key=KEY, **AMPLE_QUOTA) as fake:
        fake.script("/teams", {"search": "Inter"}, TEAMS_INTER)
        fake.script("/fixtures", {"team": 505, "next": 5}, poll(k, "NS", None, None, []))
        fake.script("/fixtures", IDS, poll(k, "2H", 67, (1, 0), first))
        src = ApiFootballSource(ApiFootball(KEY, base_url=fake.base_url), min_interval=0.05)
        bot = build_bot(
            tmp_path / "bot.db",
            [RecordingPlatform()],
            recap_delay=0.0,
            reminder_lead=None,
            sources=[src],
        )
        await bot.open()
        await bot.command(chat("a"), "subscribe", "inter")
        await bot.command(chat("it"), "subscribe", "inter")
        await bot.command(chat("it"), "settings", "language it")
        await bot.start()
        try:
            # the last event is at 51': the provider's clock says 67'
            await until(lambda: score(bot), timeout=10)
            await until(lambda: _says(bot, "🔴 LIVE 67'  Inter 1-0 Atalanta"), timeout=10)
            fake.script("/fixtures", IDS, poll(k, "2H", 90, (1, 0), first, extra=4))
            await until(lambda: _says(bot, "🔴 LIVE 90+4'  Inter 1-0 Atalanta"), timeout=10)
            fake.script("/fixtures", IDS, poll(k, "SUSP", 71, (1, 0), first))
            await until(lambda: _says(bot, "🔴 LIVE suspended at 71'  Inter 1-0 Atalanta"))
            assert (await score(bot, "it")) == "🔴 IN DIRETTA sospesa (71')  Inter 1-0 Atalanta"
            fake.script("/fixtures", IDS, poll(k, "INT", 71, (1, 0), first))
            await until(lambda: _says(bot, "🔴 LIVE interrupted at 71'  Inter 1-0 Atalanta"))
            fake.script("/fixtures", IDS, poll(k, "ABD", 71, (1, 0), first))
            await until(lambda: _says(bot, "Abandoned at 71'  Inter 1-0 Atalanta", start=True))
            said_it = await score(bot, "it")
            assert said_it.startswith("Sospesa definitivamente (71')  Inter 1-0 Atalanta")
            await asyncio.sleep(0.1)
        finally:
            await bot.stop()
            await src.aclose()


async def _says(bot: MatchBot, text: str, start: bool = False) -> bool:
    said = await score(bot)
    return said.startswith(text) if start else said == text


async def test_a_postponed_match_and_the_breaks_are_said_in_words(tmp_path: Path) -> None:
    k = soon()
    async with FakeProvider.api_football(key=KEY, **AMPLE_QUOTA) as fake:
        fake.script("/teams", {"search": "Inter"}, TEAMS_INTER)
        fake.script("/fixtures", {"team": 505, "next": 5}, poll(k, "NS", None, None, []))
        fake.script("/fixtures", IDS, poll(k, "HT", 45, (0, 0), [], extra=2))
        src = ApiFootballSource(ApiFootball(KEY, base_url=fake.base_url), min_interval=0.05)
        bot = build_bot(
            tmp_path / "bot.db",
            [RecordingPlatform()],
            recap_delay=0.0,
            reminder_lead=None,
            sources=[src],
        )
        await bot.open()
        await bot.command(chat("a"), "subscribe", "inter")
        await bot.start()
        try:
            await until(lambda: _says(bot, "🔴 LIVE half-time  Inter 0-0 Atalanta"))
            fake.script("/fixtures", IDS, poll(k, "BT", 90, (1, 1), [], extratime=None))
            await until(lambda: _says(bot, "🔴 LIVE break before extra time", start=True))
            fake.script("/fixtures", IDS, poll(k, "P", 120, (1, 1), []))
            await until(lambda: _says(bot, "🔴 LIVE penalty shoot-out", start=True))
        finally:
            await bot.stop()
            await src.aclose()
