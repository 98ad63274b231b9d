"""End to end on the fake Telegram: following a competition and a player, each alert once for
a chat that follows a team, its competition and a player, /today and the daily digest in the
chat's time zone, and all of it across restarts (``matchbot run``'s own code path)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.clock import FastClock
from tests.support.fakes.telegram_api import FakeTelegram
from tests.support.telegram import SPEED, TOKEN, Bot, clean_telegram_env, event, no_violations

pytestmark = pytest.mark.timeout(90)

LEAGUE = 101  # follows Serie A only
STRIKER = 102  # follows Lautaro Martínez only
EVERYTHING = 103  # follows Inter, Serie A and Lautaro Martínez
EARLY = 104  # a chat whose time zone is far from UTC, with the daily digest
GROUP = -1009
ADMIN, MEMBER = 7, 8


@pytest.fixture(autouse=True)
def _env(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    clean_telegram_env(monkeypatch)
    yield


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, time_scale=1 / SPEED) as server:
        yield server


def soon(hours: float) -> str:
    return (datetime.now(UTC) + timedelta(hours=hours)).strftime("%Y-%m-%dT%H:%M:00Z")


def match(mid: str, home: str, away: str, kickoff: str, competition: str = "Serie A") -> str:
    return event(
        type="match", match=mid, competition=competition, home=home, away=away, kickoff=kickoff
    )


async def until_known(bot: Bot, player: str) -> None:
    """Wait until the feed follower has read the earlier match (the player is in the store)."""
    for _ in range(200):
        store = bot.store()
        try:
            if any(p["name"] == player for p in store.players()):
                return
        finally:
            store.close()
        await asyncio.sleep(0.05)
    raise AssertionError(f"{player} never became known")


async def until_stored(bot: Bot, match_id: str) -> None:
    for _ in range(200):
        store = bot.store()
        try:
            if store.match(match_id) is not None:
                return
        finally:
            store.close()
        await asyncio.sleep(0.05)
    raise AssertionError(f"{match_id} never stored")


def daytime_zone() -> ZoneInfo:
    """A time zone far from UTC where it is now between 01:00 and 21:00, so a match kicking
    off within the hour is today there (whenever the test runs)."""
    for name in ("Asia/Tokyo", "America/New_York", "Pacific/Auckland", "Asia/Kolkata"):
        zone = ZoneInfo(name)
        if 1 <= datetime.now(zone).hour <= 21:
            return zone
    raise AssertionError("no day-time zone")  # pragma: no cover


async def test_competitions_players_and_each_alert_once_across_restarts(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    bot = Bot(fake, tmp_path, delivery_clock=FastClock(SPEED))
    fake.set_chat(GROUP, "supergroup", title="Calcio")
    fake.set_member_status(GROUP, ADMIN, "administrator")
    # an earlier match makes Lautaro Martínez known to the bot
    bot.append(
        match("old", "Inter", "Lecce", "2026-01-10T19:45:00Z"),
        event(type="goal", match="old", id="g", minute=3, team="Inter", player="Lautaro Martínez"),
    )
    async with bot.running():
        await fake.wait_for_call("setMyCommands")
        await until_known(bot, "Lautaro Martínez")
        menu = [c["command"] for c in fake.get_commands() or []]
        assert {"subscribe", "unsubscribe", "subscriptions", "today"} <= set(menu)
        assert (await bot.ask(LEAGUE, "/subscribe serie a"))["text"] == (
            "✅ This chat now follows Serie A. Alerts: key events."
        )
        asked = await bot.ask(STRIKER, "/subscribe player Lautaro Martinez")
        assert (
            asked["text"]
            == "✅ This chat now follows Lautaro Martínez (Inter). Alerts: key events."
        )
        for what in ("inter", "coppa del mondo", "serie a", "player lautaro"):
            assert (await bot.ask(EVERYTHING, f"/subscribe {what}"))["text"].startswith("✅")
        # in a group only admins change what it follows, competitions and players alike
        refused = await bot.ask(GROUP, "/subscribe serie a", user_id=MEMBER)
        assert refused["text"] == "Only the chat's admins can change what this chat follows."
        listed = await bot.ask(EVERYTHING, "/subscriptions")
        assert listed["text"] == (
            "This chat follows:\n\nTeams\nInter\n\nCompetitions\nSerie A\nWorld Cup"
            "\n\nPlayers\nLautaro Martínez (Inter)"
        )

    # restart: the subscriptions are in the store (a second apart: the per-chat pace of the
    # delivery loop starts afresh with the process)
    await asyncio.sleep(0.1)
    async with bot.running():
        bot.append(
            match("nr", "Napoli", "Roma", "2026-02-01T17:00:00Z"),
            event(type="period", match="nr", id="k", minute=0, period="first_half"),
            match("ai", "Atalanta", "Inter", "2026-02-01T19:45:00Z"),
            event(type="period", match="ai", id="k", minute=0, period="first_half"),
            event(
                type="goal",
                match="ai",
                id="g1",
                minute=65,
                team="Inter",
                player="Lautaro Martínez",
                assist="Francesco Pio Esposito",
            ),
            event(
                type="card",
                match="ai",
                id="c1",
                minute=70,
                team="Inter",
                player="Lautaro Martínez",
                card="yellow",
            ),
        )
        league = await bot.wait_texts(LEAGUE, 4)
        assert league[1] == "🟢 Kick-off: Napoli v Roma\n\nSerie A · 1 Feb 2026"
        assert league[2:] == [
            "🟢 Kick-off: Atalanta v Inter\n\nSerie A · 1 Feb 2026",
            "⚽ GOAL! Atalanta 0-1 Inter\n\n"
            "65' Lautaro Martínez scores for Inter (assist: Francesco Pio Esposito)\n"
            "Inter lead 1-0",
        ]  # key events: not the yellow card
        striker = await bot.wait_texts(STRIKER, 3)
        assert striker[1:] == [
            "⚽ GOAL! Atalanta 0-1 Inter\n\n"
            "65' Lautaro Martínez scores for Inter (assist: Francesco Pio Esposito)\n"
            "Inter lead 1-0\n\n"
            "⭐ Atalanta 0-1 Inter · 65' · Serie A",
            "🟨 Yellow card — Inter\n\n70' Lautaro Martínez"
            "\n\n⭐ Atalanta 0-1 Inter · 70' · Serie A",
        ]
        everything = await bot.wait_texts(EVERYTHING, 5 + 4)
        alerts = everything[5:]
        assert [a.split("\n")[0] for a in alerts] == [
            "🟢 Kick-off: Napoli v Roma",
            "🟢 Kick-off: Atalanta v Inter",
            "⚽ GOAL! Atalanta 0-1 Inter",
            "🟨 Yellow card — Inter",
        ]  # each once, though three subscriptions match the goal and two the card
    store = bot.store()
    rows = [
        r["key"] for r in store.outbox_rows("telegram", str(EVERYTHING)) if r["kind"] != "reply"
    ]
    store.close()
    assert len(rows) == len(set(rows)) == 4
    assert len(bot.texts(EVERYTHING)) == 9
    no_violations(fake)


async def test_today_and_the_daily_digest_in_the_chats_time_zone(
    fake: FakeTelegram, tmp_path: Path
) -> None:
    zone = daytime_zone()
    bot = Bot(fake, tmp_path, delivery_clock=FastClock(SPEED))
    kickoff = datetime.now(UTC).replace(second=0, microsecond=0) + timedelta(minutes=50)
    local = kickoff.astimezone(zone)
    bot.append(match("nr", "Napoli", "Roma", kickoff.strftime("%Y-%m-%dT%H:%M:00Z")))
    today_head = f"📅 Today, {local:%a %-d %b} ({zone.key})"
    async with bot.running():
        await until_stored(bot, "nr")
        await bot.ask(EARLY, "/subscribe serie a")
        await bot.ask(EARLY, f"/settings timezone {zone.key}")
        answer = await bot.ask(EARLY, "/today")
        assert answer["text"] == f"{today_head}\n\nSerie A\n{local:%H:%M}  Napoli v Roma"
        # the digest at the current local minute: set now, it starts tomorrow...
        now_local = datetime.now(zone)
        saved = await bot.ask(EARLY, f"/settings digest {now_local:%H:%M}")
        assert f"Daily digest: at {now_local:%H:%M}" in saved["text"]
    before = len(bot.texts(EARLY))
    # the per-chat pace starts afresh with each process (0.1 s: 10 s on the fake's clock)
    await asyncio.sleep(0.1)
    # ...but a bot that was down at digest time sends today's at start-up, once
    async with bot.running():
        texts = await bot.wait_texts(EARLY, before + 1)
        assert texts[-1] == (
            f"☀️ Today, {local:%a %-d %b} ({zone.key})\n\nSerie A\n{local:%H:%M}  Napoli v Roma"
        )
    await asyncio.sleep(0.1)
    async with bot.running():  # and never twice the same day
        await bot.ask(EARLY, "/help")
    assert sum(t.startswith("☀️") for t in bot.texts(EARLY)) == 1
    no_violations(fake)
