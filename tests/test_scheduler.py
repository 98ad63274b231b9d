"""The scheduler with real APScheduler: recaps, reminders, spoiler delay, polling, restarts."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from adapters.assemble import build_bot
from bot.app import MatchBot
from bot.feed_format import parse_line
from storage.store import Store
from storage.thread import StoreThread
from tests.support.core import SEED, chat, outbox_text, until
from tests.support.fakes.provider_api import (
    AMPLE_QUOTA,
    FakeProvider,
    af_players,
    af_statistics,
)
from tests.support.fakes.recording import RecordingPlatform
from tests.test_provider_depth import ATALANTA, INTER

T = TypeVar("T")

SEED_LINES = SEED.read_text("utf-8").splitlines()
UNTIL_FULL_TIME = SEED_LINES[:16]
QUOTES = SEED_LINES[16:]


async def started_bot(path: Path, platform: RecordingPlatform, **kwargs: Any) -> MatchBot:
    bot = build_bot(path, [platform], **kwargs)
    await bot.start()
    return bot


async def feed(bot: MatchBot, lines: list[str]) -> None:
    for text in lines:
        await bot.ingest(parse_line(text))


def recaps(platform: RecordingPlatform, chat_id: str) -> list[str]:
    return [t for t in platform.texts(chat_id) if t.startswith("🏁 Atalanta 0-1 Inter\n")]


async def test_recap_fires_once_per_chat_after_the_delay_with_the_quotes(tmp_path: Path) -> None:
    platform = RecordingPlatform()
    bot = await started_bot(tmp_path / "db", platform, recap_delay=0.6)
    await bot.command(chat("a"), "subscribe", "inter")
    await bot.command(chat("b"), "subscribe", "atalanta")
    await feed(bot, UNTIL_FULL_TIME)
    await feed(bot, QUOTES)  # the quotes arrive during the delay
    await asyncio.sleep(0.3)
    assert recaps(platform, "a") == []
    await until(lambda: len(recaps(platform, "a")) == 1 and len(recaps(platform, "b")) == 1)
    assert "Raffaele Palladino (Atalanta coach)" in recaps(platform, "a")[0]
    await asyncio.sleep(0.5)
    assert len(recaps(platform, "a")) == 1
    await bot.stop()


async def test_recap_delay_zero_and_a_late_quote_followed_up_once(tmp_path: Path) -> None:
    platform = RecordingPlatform()
    bot = await started_bot(tmp_path / "db", platform, recap_delay=0.0)
    await bot.command(chat("a"), "subscribe", "inter")
    await feed(bot, UNTIL_FULL_TIME)
    await until(lambda: len(recaps(platform, "a")) == 1)
    assert "What they said" not in recaps(platform, "a")[0]
    await feed(bot, QUOTES[:1])
    await feed(bot, QUOTES[:1])  # the same quote again
    await until(
        lambda: any(t.startswith("💬 After Atalanta 0-1 Inter") for t in platform.texts("a"))
    )
    await asyncio.sleep(0.3)
    followups = [t for t in platform.texts("a") if t.startswith("💬 After")]
    assert followups == [
        "💬 After Atalanta 0-1 Inter\n\nCristian Chivu (Inter coach): “We faced"
        " a great Atalanta side in Bergamo, and we knew it would be demanding.”"
    ]
    await bot.stop()


async def test_a_restart_sends_an_overdue_recap_once_and_then_never_again(tmp_path: Path) -> None:
    """The bot goes down before the recap is due; it is started again, configured for the
    recap at once (``MATCHBOT_RECAP_DELAY=0``): the recap's time passed while it was down."""
    path = tmp_path / "db"
    first = RecordingPlatform()
    bot = await started_bot(path, first, recap_delay=60.0)
    await bot.command(chat("a"), "subscribe", "inter")
    await bot.command(chat("b"), "subscribe", "atalanta")
    await feed(bot, [*UNTIL_FULL_TIME, *QUOTES])
    await until(lambda: any("Full-time" in t for t in first.texts("b")))
    await bot.stop()  # down before the recap was due
    assert recaps(first, "a") == []

    second = RecordingPlatform()
    bot = await started_bot(path, second, recap_delay=0.0)
    await until(lambda: len(recaps(second, "a")) == 1 and len(recaps(second, "b")) == 1)
    await asyncio.sleep(0.3)
    await bot.stop()
    assert len(recaps(second, "a")) == 1

    third = RecordingPlatform()
    bot = await started_bot(path, third, recap_delay=0.0)
    await asyncio.sleep(0.5)  # a recap due again would go at once
    await bot.stop()
    assert third.sent == []


def fixture_line(match: str, kickoff: datetime) -> str:
    return json.dumps(
        {
            "type": "match",
            "match": match,
            "competition": "Serie A",
            "home": "Inter",
            "away": "Milan",
            "kickoff": kickoff.isoformat(),
            "venue": "San Siro",
        }
    )


async def test_reminders_use_each_chats_timezone(tmp_path: Path) -> None:
    platform = RecordingPlatform()
    bot = await started_bot(tmp_path / "db", platform, reminder_lead=60 * 30)
    await bot.command(chat("rome"), "subscribe", "inter")
    await bot.command(chat("rome"), "settings", "timezone Europe/Rome")
    await bot.command(chat("utc"), "subscribe", "milan")
    kickoff = (datetime.now(UTC) + timedelta(minutes=20)).replace(second=0, microsecond=0)
    await bot.ingest(parse_line(fixture_line("derby", kickoff)))
    await until(lambda: any(t.startswith("⏰") for t in platform.texts("utc")))
    await until(lambda: any(t.startswith("⏰") for t in platform.texts("rome")))
    rome = next(t for t in platform.texts("rome") if t.startswith("⏰"))
    utc = next(t for t in platform.texts("utc") if t.startswith("⏰"))
    in_rome = kickoff.astimezone(ZoneInfo("Europe/Rome"))
    assert rome.startswith("⏰ Kick-off in ") and ": Inter v Milan" in rome
    assert f"{in_rome:%H:%M} {in_rome.tzname()}" in rome
    assert f"{kickoff:%H:%M} UTC" in utc
    await bot.stop()


async def test_no_reminder_once_the_match_has_kicked_off(tmp_path: Path) -> None:
    platform = RecordingPlatform()
    bot = await started_bot(tmp_path / "db", platform, reminder_lead=60 * 30)
    await bot.command(chat("a"), "subscribe", "inter")
    past = datetime.now(UTC) - timedelta(minutes=5)
    await bot.ingest(parse_line(fixture_line("started", past)))
    soon = datetime.now(UTC) + timedelta(minutes=10)
    await bot.ingest(parse_line(fixture_line("live", soon)))
    await bot.ingest(
        parse_line(
            json.dumps(
                {"type": "period", "match": "live", "id": "p1", "minute": 0, "period": "first_half"}
            )
        )
    )
    await asyncio.sleep(0.8)
    await bot.stop()
    assert not any(t.startswith("⏰") for t in platform.texts("a"))


async def test_spoiler_delay_holds_back_only_that_chats_alerts(tmp_path: Path) -> None:
    platform = RecordingPlatform()
    bot = await started_bot(tmp_path / "db", platform, recap_delay=None)
    await bot.command(chat("live"), "subscribe", "inter")
    await bot.command(chat("delayed"), "subscribe", "inter", reply_key="r1")
    await bot.command(chat("delayed"), "settings", "spoiler 2", reply_key="r2")
    await until(lambda: len(platform.texts("delayed")) == 2)  # the two replies, at once
    await feed(bot, SEED_LINES[:13])  # up to the goal
    await until(lambda: any("GOAL" in t for t in platform.texts("live")))
    assert not any("GOAL" in t for t in platform.texts("delayed"))
    await until(lambda: any("GOAL" in t for t in platform.texts("delayed")), timeout=5)
    goal_live = next(at for c, t, at in platform.sent if c == "live" and "GOAL" in t)
    goal_late = next(at for c, t, at in platform.sent if c == "delayed" and "GOAL" in t)
    assert goal_late - goal_live >= 1.5
    await bot.command(chat("delayed"), "score", "inter", reply_key="r3")  # never held back
    await until(lambda: platform.texts("delayed")[-1].startswith("🔴 LIVE"), timeout=1)
    await bot.stop()


async def test_settings_persist_across_a_restart(tmp_path: Path) -> None:
    path = tmp_path / "db"
    bot = await started_bot(path, RecordingPlatform())
    await bot.command(chat("a"), "settings", "level all")
    await bot.command(chat("a"), "settings", "timezone Asia/Tokyo")
    await bot.stop()
    bot = await started_bot(path, RecordingPlatform())
    reply = await bot.command(chat("a"), "settings", "")
    await bot.stop()
    text = "".join(s.text for section in reply.sections for row in section.lines for s in row)
    assert "Alerts: everything" in text and "Time zone: Asia/Tokyo" in text


class ScriptedSource:
    """A data provider that answers each poll with the next slice of a feed."""

    name = "fake"

    def __init__(self, polls: list[list[dict[str, Any]]], kickoff: datetime) -> None:
        self.polls = polls
        self.kickoff = kickoff
        self.asked: list[list[str]] = []
        self.fixture_requests: list[list[str]] = []
        self.rounds = 0  # rounds of the poll job, whether or not a match was due

    def poll_interval(self, live_matches: int) -> float:
        self.rounds += 1  # asked after every round, for the wait until the next one
        return 0.1

    async def poll(self, match_ids: list[str]) -> list[dict[str, Any]]:
        self.asked.append(match_ids)
        if not self.polls:
            return []
        return self.polls.pop(0)

    async def fixtures(self, team_names: list[str]) -> list[dict[str, Any]]:
        self.fixture_requests.append(team_names)
        return [
            {
                "type": "match",
                "match": "fake:1",
                "competition": "Serie A",
                "home": "Atalanta",
                "away": "Inter",
                "kickoff": self.kickoff.isoformat(),
            }
        ]


async def test_polling_runs_until_full_time_plus_one_last_poll(tmp_path: Path) -> None:
    kickoff = datetime.now(UTC) + timedelta(minutes=10)  # inside the 15-minute lead
    seed = [json.loads(line) | {"match": "fake:1"} for line in UNTIL_FULL_TIME[1:]]
    polls = [seed[:1], seed[1:12], [], seed[12:]]  # kick-off, … , full time
    source = ScriptedSource(polls, kickoff)
    platform = RecordingPlatform()
    bot = build_bot(tmp_path / "db", [platform], recap_delay=0.0, sources=[source])
    await bot.open()
    await bot.command(chat("a"), "subscribe", "inter")
    await bot.start()
    await until(lambda: len(recaps(platform, "a")) == 1)
    await asyncio.sleep(0.5)
    await bot.stop()
    assert source.fixture_requests[0] == ["Inter"]
    assert len(source.asked) == 5  # four polls until full time, then one last
    assert all(ids == ["fake:1"] for ids in source.asked)
    assert any("GOAL! Atalanta 0-1 Inter" in t for t in platform.texts("a"))


async def test_nobody_following_means_no_polling(tmp_path: Path) -> None:
    kickoff = datetime.now(UTC) + timedelta(minutes=5)
    source = ScriptedSource([], kickoff)
    bot = build_bot(tmp_path / "db", [RecordingPlatform()], sources=[source])
    await bot.start()
    await bot.ingest(parse_line(fixture_line("fake:2", kickoff)))
    rounds = source.rounds
    await until(lambda: source.rounds >= rounds + 2)  # the poll job ran, twice, after the match
    assert source.asked == []
    # the same match is polled as soon as a chat follows one of its teams
    await bot.command(chat("a"), "subscribe", "milan")
    await until(lambda: any("fake:2" in ids for ids in source.asked))
    await bot.stop()


async def test_a_match_that_never_finished_is_not_polled_forever(tmp_path: Path) -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=7)  # postponed, or lost by the provider
    source = ScriptedSource([], long_ago)
    source.fixtures = lambda names: asyncio.sleep(0, [])  # type: ignore[assignment,method-assign]
    bot = build_bot(tmp_path / "db", [RecordingPlatform()], sources=[source])
    await bot.open()
    await bot.command(chat("a"), "subscribe", "inter")
    await bot.ingest(parse_line(fixture_line("fake:9", long_ago)))
    await bot.ingest(parse_line(fixture_line("fake:8", datetime.now(UTC))))  # on now: polled
    await bot.start()
    await until(lambda: len(source.asked) >= 3)
    await bot.stop()
    assert all(ids == ["fake:8"] for ids in source.asked), source.asked


class SlowDisk(StoreThread):
    """A database whose every call waits a little first once :attr:`slow`, as on a loaded
    machine: longer than the scheduler takes to start a job that is due at once."""

    slow = False

    async def call(self, fn: Callable[[Store], T]) -> T:
        if self.slow:
            await asyncio.sleep(0.02)
        return await super().call(fn)


async def test_a_recap_due_at_the_final_whistle_has_the_rest_of_that_poll(
    tmp_path: Path,
) -> None:
    """No recap delay, and the poll that brings full time also brings the full-time statistics
    and the ratings, ingested after the final whistle: the recap waits for them, however slow
    the database (it is not sent without the player of the match)."""
    from tests.test_provider_depth import with_depth
    from tests.test_provider_polling import IDS, KEY, TEAMS_INTER, af_life, af_source, soon

    kickoff = soon()
    ns = af_life("af_life_01_ns.json", kickoff)
    ft = with_depth(  # a goalless draw: full time, its statistics, the ratings
        af_life("af_life_01_ns.json", kickoff, short="FT", long="Match Finished", elapsed=90),
        statistics=[
            af_statistics(INTER, possession=55, shots=14, xg=1.84),
            af_statistics(ATALANTA, possession=45, shots=9, xg=0.77),
        ],
        players=[
            af_players(INTER, [(217, "Lautaro Martínez", "8.4")]),
            af_players(ATALANTA, [(101, "Atalanta 1", "6.9")]),
        ],
    )
    async with FakeProvider.api_football(key=KEY, **AMPLE_QUOTA) as fake:
        fake.script("/teams", {"search": "Inter"}, TEAMS_INTER)
        fake.script("/fixtures", IDS, ns, ft)
        upcoming = af_life("af_fixtures_team_505.json", kickoff)
        upcoming["response"] = [ns["response"][0]]
        fake.script("/fixtures", {"team": 505, "next": 5}, upcoming)
        source = af_source(fake)
        disk = SlowDisk(tmp_path / "bot.db")
        bot = MatchBot(  # no platform: what is queued is read from the outbox
            disk,
            [],
            recap_delay=0.0,
            reminder_lead=None,
            sources=[source],
        )
        await bot.open()
        await bot.command(chat("a"), "subscribe", "inter")
        await bot.start()
        disk.slow = True

        async def recaps() -> list[str]:
            rows = await disk.call(lambda s: s.outbox_rows("test"))
            texts = [outbox_text(dict(row)) for row in rows]
            return [t for t in texts if t.startswith("🏁 Inter")]

        async def recap_queued() -> bool:
            return bool(await recaps())

        try:
            await until(recap_queued, 30)
            (recap,) = await recaps()
        finally:
            await bot.stop()
            await source.aclose()
    assert "⭐ Player of the match: Lautaro Martínez (Inter), rated 8.4" in recap
    assert "Expected goals (xG): 1.84 – 0.77" in recap
