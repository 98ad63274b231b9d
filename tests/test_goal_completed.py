"""A goal first published without a scorer is sent at once and completed in place.

Against the fake API-Football (its real JSON shapes): the first poll has the goal with
``player: null``, a later one names the scorer (and the assist, the minute, the kind...). The
chats get one alert, edited in place; everything the bot says afterwards uses the latest facts.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from adapters.assemble import build_bot
from adapters.compose import build_adapters
from adapters.discord import DiscordAdapter
from adapters.discord.render import escape_discord as esc
from adapters.providers import ApiFootball
from adapters.providers.api_football import ApiFootballSource
from bot.app import MatchBot
from bot.clock import FastClock
from bot.messages.model import message_text
from bot.ports import CommandContext
from bot.settings import Settings
from tests.support.af_match import ATALANTA, FID, INTER, goal, poll, soon
from tests.support.core import chat, until
from tests.support.fakes.discord_api import FakeChannel, FakeDiscord, FakeGuild
from tests.support.fakes.provider_api import AMPLE_QUOTA, FakeProvider
from tests.support.fakes.recording import RecordingPlatform
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import SPEED, TOKEN, clean_telegram_env

pytestmark = pytest.mark.timeout(90)

GUILD = 800_000_000_000_000_001
ALERTS = 800_000_000_000_000_011
ADMIN = 123_456_789_012_345_678
MANAGE_CHANNELS = 1 << 4


def discord_guilds() -> list[FakeGuild]:
    return [
        FakeGuild(
            id=GUILD,
            name="Calcio",
            channels=[FakeChannel(id=ALERTS, name="match-alerts", position=0)],
        )
    ]


IDS = {"ids": str(FID)}
KEY = "af-test-key"
TEAMS_INTER = {
    "get": "teams",
    "parameters": {"search": "Inter"},
    "errors": [],
    "results": 1,
    "paging": {"current": 1, "total": 1},
    "response": [{"team": {"id": 505, "name": "Inter", "code": "INT", "country": "Italy"}}],
}
NAMELESS = (None, None)
LAUTARO = (217, "Lautaro Martínez")
BARELLA = (2516, "N. Barella")
BASTONI = (30558, "A. Bastoni")


def source(fake: FakeProvider) -> ApiFootballSource:
    return ApiFootballSource(ApiFootball(KEY, base_url=fake.base_url), min_interval=0.05)


async def run_polls(
    tmp_path: Path, polls: list[dict[str, Any]], platform: RecordingPlatform, *, done: Any
) -> MatchBot:
    kickoff = polls[0]["response"][0]["fixture"]["date"]
    async with FakeProvider.api_football(key=KEY, **AMPLE_QUOTA) as fake:
        fake.script("/teams", {"search": "Inter"}, TEAMS_INTER)
        fake.script("/fixtures", {"team": 505, "next": 5}, poll(kickoff, "NS", None, None, []))
        fake.script("/fixtures", IDS, *polls)
        src = source(fake)
        bot = build_bot(
            tmp_path / "bot.db", [platform], recap_delay=0.0, reminder_lead=None, sources=[src]
        )
        await bot.open()
        await bot.command(chat("a"), "subscribe", "inter")
        await bot.start()
        try:
            await until(lambda: done(bot), timeout=15)
            await asyncio.sleep(0.3)  # a few more polls of the last state change nothing
        finally:
            await bot.stop()
            await src.aclose()
    return bot


def alerts(platform: RecordingPlatform) -> list[str]:
    return [t for t in platform.texts("a") if not t.startswith("✅")]


async def test_a_goal_named_later_is_one_alert_edited_in_place(tmp_path: Path) -> None:
    k = soon()
    polls = [
        poll(k, "1H", 34, (1, 0), [goal(34, INTER, NAMELESS)]),
        poll(k, "1H", 35, (1, 0), [goal(34, INTER, NAMELESS)]),
        poll(k, "1H", 36, (1, 0), [goal(34, INTER, LAUTARO, assist=BARELLA)]),
        poll(k, "FT", 90, (1, 0), [goal(34, INTER, LAUTARO, assist=BARELLA)]),
    ]
    platform = RecordingPlatform()
    await run_polls(
        tmp_path, polls, platform, done=lambda _: "🏁 Inter 1-0" in str(alerts(platform))
    )
    sent = alerts(platform)
    goals = [t for t in sent if t.startswith("⚽")]
    assert goals == [
        "⚽ GOAL! Inter 1-0 Atalanta\n\n34' Goal for Inter — scorer not yet confirmed\n"
        "Inter lead 1-0"
    ]
    assert [text for _, _, text in platform.edited] == [
        "⚽ GOAL! Inter 1-0 Atalanta\n\n34' Lautaro Martínez scores for Inter"
        " (assist: N. Barella)\nInter lead 1-0"
    ]
    recap = sent[-1]
    assert "34' Lautaro Martínez — Inter (assist: N. Barella)" in recap
    for text in [*sent, *(t for _, _, t in platform.edited)]:
        for word in ("Unknown", "None", "null", "nan"):
            assert word not in text


# --- end to end: the fake API-Football, the fake Telegram and the fake Discord ------------------

TG_CHAT = 4242


@contextlib.asynccontextmanager
async def live_bot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[tuple[MatchBot, FakeTelegram, FakeDiscord, FakeProvider, str]]:
    """The bot with its real Telegram and Discord adapters and the API-Football source, each
    against its fake on 127.0.0.1; Telegram's chat and Discord's channel follow Inter."""
    clean_telegram_env(monkeypatch)
    monkeypatch.setattr(DiscordAdapter, "guild_ready_timeout", 0.1)
    async with (
        FakeTelegram(token=TOKEN, time_scale=1 / SPEED) as tg,
        FakeDiscord(guilds=discord_guilds(), time_scale=1 / SPEED) as dc,
        FakeProvider.api_football(key=KEY, **AMPLE_QUOTA) as af,
    ):
        kickoff = soon()
        af.script("/teams", {"search": "Inter"}, TEAMS_INTER)
        af.script("/fixtures", {"team": 505, "next": 5}, poll(kickoff, "NS", None, None, []))
        af.script("/fixtures", IDS, poll(kickoff, "NS", None, None, []))
        settings = Settings(
            _env_file=None,  # type: ignore[call-arg]
            TELEGRAM_BOT_TOKEN=TOKEN,
            TELEGRAM_BASE_URL=tg.base_url,
            DISCORD_BOT_TOKEN=dc.token,
            MATCHBOT_DB=str(tmp_path / "bot.db"),
            MATCHBOT_RECAP_DELAY=0,
        )
        stop = asyncio.Event()
        src = source(af)
        bot = build_bot(
            settings.db,
            build_adapters(settings, stop),
            recap_delay=0.0,
            reminder_lead=None,
            sources=[src],
            delivery_clock=FastClock(SPEED),
        )
        await bot.start()
        try:
            await dc.wait_for(lambda: len(dc.synced_commands.get(None, [])) > 5, 10)
            tg.user_sends(TG_CHAT, "/subscribe inter")
            await tg.wait_for_messages(1, TG_CHAT, timeout=10)
            iid = await dc.send_interaction_command(
                GUILD, ALERTS, ADMIN, "subscribe", {"name": "Inter"}, permissions=MANAGE_CHANNELS
            )
            await dc.wait_interaction_response(iid, timeout=5)
            yield bot, tg, dc, af, kickoff
        finally:
            await bot.stop()
            await src.aclose()


def tg_alerts(tg: FakeTelegram) -> list[dict[str, Any]]:
    return [m for m in tg.messages(TG_CHAT) if not m["text"].startswith("✅")]


def dc_text(msg: Any) -> str:
    e = msg.embeds[0]
    return f"{e['title']}\n\n{e.get('description', '')}".strip()


async def wait(check: Any, within: float = 15.0) -> None:
    await until(check, timeout=within)


async def test_named_later_edited_on_telegram_and_discord_refused_edit_and_own_goal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    async with live_bot(tmp_path, monkeypatch) as (bot, tg, dc, af, k):
        g1_nameless = goal(34, INTER, NAMELESS)
        g1 = goal(34, INTER, LAUTARO, assist=BARELLA)
        # 1. a goal without its scorer: one alert at once on both platforms
        af.script("/fixtures", IDS, poll(k, "1H", 34, (1, 0), [g1_nameless]))
        await wait(lambda: len(tg_alerts(tg)) == 2 and len(dc.messages(ALERTS)) == 2)
        first = (
            "⚽ GOAL! Inter 1-0 Atalanta\n\n34' Goal for Inter — scorer not yet confirmed\n"
            "Inter lead 1-0"
        )
        assert tg_alerts(tg)[1]["text"] == first
        assert dc_text(dc.messages(ALERTS)[1]) == esc(first.split("\n")[0]) + (
            "\n\n34' Goal for Inter — *scorer not yet confirmed*\nInter lead 1-0"
        )
        # ... then the name arrives: the same messages are edited, nothing new is sent
        af.script("/fixtures", IDS, poll(k, "1H", 36, (1, 0), [g1]))
        tg_goal, dc_goal = tg_alerts(tg)[1], dc.messages(ALERTS)[1]
        await wait(lambda: tg_goal["edits"] == 1 and len(dc.edits) == 1)
        named = "⚽ GOAL! Inter 1-0 Atalanta\n\n34' Lautaro Martínez scores for Inter" + (
            " (assist: N. Barella)\nInter lead 1-0"
        )
        edit = tg.calls_to("editMessageText")[-1]
        assert edit["message_id"] == tg_goal["message_id"]
        assert tg_goal["text"] == named
        assert dc.edits[0].message_id == dc_goal.id
        assert dc_text(dc.get_message(dc_goal.id)) == esc(named.split("\n")[0]) + (
            f"\n\n34' **{esc('Lautaro Martínez')}** scores for Inter (assist: {esc('N. Barella')})"
            "\nInter lead 1-0"
        )
        assert len(tg_alerts(tg)) == 2 and len(dc.messages(ALERTS)) == 2

        # 2. a second goal, its message deleted by the chat before the name comes: the
        # edit is refused, exactly one short correction is sent instead
        g2_nameless = goal(60, INTER, NAMELESS)
        g2 = goal(60, INTER, BARELLA)
        af.script("/fixtures", IDS, poll(k, "2H", 60, (2, 0), [g1, g2_nameless]))
        await wait(lambda: len(tg_goals(tg)) == 2 and len(dc_goals(dc)) == 2)
        tg_goals(tg)[1]["deleted"] = True  # deleted in the chat
        dc_goals(dc)[1].deleted = True
        af.script("/fixtures", IDS, poll(k, "2H", 62, (2, 0), [g1, g2]))
        correction = "✏️ Correction — Inter 2-0 Atalanta\n\n60' goal for Inter: N. Barella"
        await wait(lambda: len(tg_goals(tg)) == 3 and len(dc_goals(dc)) == 2)
        await asyncio.sleep(0.3)  # and nothing more
        assert [m["text"] for m in tg_goals(tg)][2:] == [correction]
        assert dc_text(dc_goals(dc)[-1]) == esc(correction.split("\n")[0]) + (
            f"\n\n60' goal for Inter: {esc('N. Barella')}"
        )
        assert len(tg_goals(tg)) == 3 and len(dc_goals(dc)) == 2

        # 3. a goal re-classified as an own goal moves to the other side everywhere
        bastoni = goal(70, INTER, BASTONI)
        af.script("/fixtures", IDS, poll(k, "2H", 70, (3, 0), [g1, g2, bastoni]))
        await wait(lambda: len(tg_goals(tg)) == 4 and len(dc_goals(dc)) == 3)
        og = goal(70, ATALANTA, BASTONI, detail="Own Goal")
        af.script("/fixtures", IDS, poll(k, "2H", 72, (2, 1), [g1, g2, og]))
        tg_og, dc_og = tg_goals(tg)[-1], dc_goals(dc)[-1]
        await wait(lambda: tg_og["edits"] == 1 and len(dc.edits) == 2)
        og_text = (
            "⚽ GOAL! Inter 2-1 Atalanta\n\n70' A. Bastoni (og) — own goal, counts for Atalanta"
            "\nAtalanta pull one back: 1-2"
        )
        assert tg_og["text"] == og_text
        assert dc.edits[1].message_id == dc_og.id
        assert embed_title(dc.get_message(dc_og.id)) == esc("⚽ GOAL! Inter 2-1 Atalanta")
        score = await bot.command(tg_context(), "score", "")
        assert "Inter 2-1 Atalanta" in message_text(score)
        scorers = message_text(await bot.command(tg_context(), "scorers", "inter"))
        assert "A. Bastoni (og) 70'" in scorers and "N. Barella 60'" in scorers

        ft = [g1, g2, og]
        af.script("/fixtures", IDS, poll(k, "FT", 90, (2, 1), ft))
        await wait(lambda: any(m["text"].startswith("🏁 Inter 2-1") for m in tg.messages(TG_CHAT)))
        recap = tg.messages(TG_CHAT)[-1]["text"]
        goals = recap.split("⚽ Goals\n")[1].split("\n\n")[0].splitlines()
        assert goals == [
            "34' Lautaro Martínez — Inter (assist: N. Barella)",
            "60' N. Barella — Inter",
            "70' A. Bastoni (og) — Atalanta",
        ]
        # no second goal alert anywhere, and no placeholder words
        assert len([m for m in tg_goals(tg) if m["text"].startswith("⚽ GOAL")]) == 3
        for text in [m["text"] for m in tg.messages(TG_CHAT)]:
            for word in ("Unknown", "None", "null", "nan"):
                assert word not in text, text
        assert tg.violations == []
        assert dc.unhandled == []


def tg_goals(tg: FakeTelegram) -> list[dict[str, Any]]:
    """Goal alerts and corrections (deleted ones too), in order."""
    return [m for m in tg.messages(TG_CHAT) if m["text"].startswith(("⚽", "✏️"))]


def dc_goals(dc: FakeDiscord) -> list[Any]:
    return [m for m in dc.messages(ALERTS) if embed_title(m).startswith(("⚽", "✏️"))]


def embed_title(msg: Any) -> str:
    return str(msg.embeds[0]["title"]) if msg and msg.embeds else ""


def tg_context() -> CommandContext:
    return CommandContext(platform="telegram", chat_id=str(TG_CHAT), user_id="1")
