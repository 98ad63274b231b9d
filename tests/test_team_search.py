"""Following any team the providers know, end to end on the fake provider APIs.

A fan subscribes to a name the bundled catalogue does not know; the bot searches the provider,
follows the team (or offers choices that tell similar teams apart), looks its fixtures up at
once, retries a failed look-up within seconds, and polls the match live — an own goal counting
for the side API-Football's ``team`` names.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.assemble import build_bot
from adapters.providers import ApiFootball, FootballData
from adapters.providers.api_football import ApiFootballSource
from adapters.providers.football_data import FootballDataSource
from bot.app import MatchBot
from bot.feed_format import parse_object
from bot.messages.model import message_text
from bot.scheduler import polling
from storage.store import Store
from tests.support.core import chat, until
from tests.support.fakes.provider_api import (
    FakeProvider,
    Reply,
    af_event,
    af_own_goal,
    garbage,
    server_error,
)
from tests.support.fakes.recording import RecordingPlatform

KEY = "af-secret-key-123"
FID = 1489369
IDS = {"ids": str(FID)}
FAST = 0.05
FRANCE = {"id": 2, "name": "France", "logo": "https://media.api-sports.io/football/teams/2.png"}
ITALY = {"id": 768, "name": "Italy", "logo": "https://media.api-sports.io/football/teams/768.png"}


def soon(minutes: float = 5) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


PEN = af_event(7, FRANCE, (153, "Z. Zidane"), "Goal", "Penalty")
HEADER = af_event(19, ITALY, (30775, "M. Materazzi"), "Goal", "Normal Goal", (846, "A. Pirlo"))
# an own goal by Italy's captain: ``team`` is the side it counts for (France), as documented
OWN = af_own_goal(60, FRANCE, (30773, "F. Cannavaro"))


def fixture(
    kickoff: str,
    short: str = "NS",
    elapsed: int | None = None,
    events: list[dict[str, Any]] | None = None,
    goals: tuple[int, int] | None = None,
) -> dict[str, Any]:
    """A World Cup fixture as API-Football v3 answers it (``response`` item)."""
    long = {"NS": "Not Started", "1H": "First Half", "2H": "Second Half", "FT": "Match Finished"}
    return {
        "fixture": {
            "id": FID,
            "referee": "H. Elizondo",
            "timezone": "UTC",
            "date": kickoff,
            "timestamp": int(datetime.fromisoformat(kickoff).timestamp()),
            "periods": {"first": None, "second": None},
            "venue": {"id": 700, "name": "Olympiastadion", "city": "Berlin"},
            "status": {"long": long[short], "short": short, "elapsed": elapsed, "extra": None},
        },
        "league": {
            "id": 1,
            "name": "World Cup",
            "country": "World",
            "logo": "https://media.api-sports.io/football/leagues/1.png",
            "flag": None,
            "season": 2026,
            "round": "Final",
        },
        "teams": {"home": {**FRANCE, "winner": None}, "away": {**ITALY, "winner": None}},
        "goals": {"home": goals[0], "away": goals[1]} if goals else {"home": None, "away": None},
        "score": {
            "halftime": {"home": None, "away": None},
            "fulltime": {"home": None, "away": None},
            "extratime": {"home": None, "away": None},
            "penalty": {"home": None, "away": None},
        },
        "events": events or [],
    }


def answer(get: str, params: dict[str, Any], *items: Any) -> dict[str, Any]:
    return {
        "get": get,
        "parameters": params,
        "errors": [],
        "results": len(items),
        "paging": {"current": 1, "total": 1},
        "response": list(items),
    }


def requests_to(fake: FakeProvider, path: str, **query: Any) -> list[Any]:
    wanted = {k: str(v) for k, v in query.items()}
    return [r for r in fake.requests if r.path == path and (not query or r.query == wanted)]


def headlines(platform: RecordingPlatform, chat_id: str) -> list[str]:
    return [t.split("\n")[0] for t in platform.texts(chat_id)]


def af_bot(fake: FakeProvider, db: Path, platform: RecordingPlatform) -> MatchBot:
    source = ApiFootballSource(
        ApiFootball(KEY, base_url=fake.base_url), min_interval=FAST, match_window=60.0
    )
    return build_bot(db, [platform], recap_delay=0.0, reminder_lead=None, sources=[source])


async def say(bot: MatchBot, chat_id: str, text: str) -> str:
    name, _, args = text.lstrip("/").partition(" ")
    return message_text(await bot.command(chat(chat_id), name, args))


async def test_a_national_team_found_by_search_is_followed_and_polled_live_own_goal_included(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    kickoff = soon()
    lives = [
        fixture(kickoff),
        fixture(kickoff, "1H", 8, [PEN], (1, 0)),
        fixture(kickoff, "1H", 20, [PEN, HEADER], (1, 1)),
        fixture(kickoff, "2H", 61, [PEN, HEADER, OWN], (2, 1)),
        fixture(kickoff, "FT", 90, [PEN, HEADER, OWN], (2, 1)),
    ]
    async with FakeProvider.api_football(key=KEY) as fake:
        fake.script("/fixtures", {"team": 2, "next": 5}, answer("fixtures", {}, lives[0]))
        fake.script("/fixtures", IDS, *(answer("fixtures", IDS, fx) for fx in lives))
        platform = RecordingPlatform()
        bot = af_bot(fake, tmp_path / "bot.db", platform)
        await bot.start()
        await say(bot, "a", "/settings level all")

        assert await say(bot, "a", "/subscribe France") == (
            "✅ This chat now follows France. Alerts: everything."
        )
        # the subscription looks the fixtures up at once (no 6-hour wait) and polls the match
        await until(lambda: bool(requests_to(fake, "/fixtures", team=2, next=5)))
        await until(lambda: any(t.startswith("🏁 France 2-1 Italy") for t in platform.texts("a")))
        assert (await say(bot, "a", "/score France")).startswith("FT  France 2-1 Italy, World Cup")
        scorers = await say(bot, "a", "/scorers France")
        # a second chat finds the adopted team by name: no second search
        assert (await say(bot, "b", "/subscribe france")).startswith("✅")
        await bot.stop()
        await bot.sources[0].aclose()  # type: ignore[attr-defined]

    assert headlines(platform, "a") == [
        "🟢 Kick-off: France v Italy",
        "⚽ GOAL! France 1-0 Italy",
        "⚽ GOAL! France 1-1 Italy",
        "⏸ Half-time: France 1-1 Italy",
        "▶️ Second half under way: France 1-1 Italy",
        "⚽ GOAL! France 2-1 Italy",
        "🏁 Full-time: France 2-1 Italy",
        "🏁 France 2-1 Italy",
    ]
    own_goal_alert = platform.texts("a")[5]
    assert "F. Cannavaro" in own_goal_alert and "own goal" in own_goal_alert.lower()
    assert "Cannavaro 60' (og)" in scorers or "Cannavaro (og) 60'" in scorers, scorers
    recap = platform.texts("a")[-1]
    goals = recap.split("⚽ Goals\n")[1].split("\n\n")[0].splitlines()
    assert [g.split(" — ")[0] for g in goals] == [
        "7' Z. Zidane (pen)",
        "19' M. Materazzi",
        "60' F. Cannavaro (og)",
    ]
    assert len(requests_to(fake, "/teams")) == 1
    store = Store.open(tmp_path / "bot.db")
    try:
        mapped = store.provider_team("af", "France")
        assert mapped is not None and mapped["provider_team_id"] == "2"
        match = store.match(f"af:{FID}")
        assert match is not None and match["season"] == "2026"  # a calendar-year competition
    finally:
        store.close()
    assert KEY not in caplog.text


async def test_similar_clubs_are_offered_as_choices_and_the_chosen_one_is_followed(
    tmp_path: Path,
) -> None:
    async with FakeProvider.api_football(key=KEY) as fake:
        platform = RecordingPlatform()
        bot = af_bot(fake, tmp_path / "bot.db", platform)
        await bot.start()

        offered = await bot.command(chat("a"), "subscribe", "Nacional")
        assert offered.kind == "suggestions"
        assert [b.label for b in offered.buttons] == [
            "Nacional (Uruguay)",
            "Nacional (Portugal)",
            "Atletico Nacional (Colombia)",
        ]
        assert (await say(bot, "a", "/subscriptions")).startswith("This chat follows no team")
        chosen = next(b.action for b in offered.buttons if b.label == "Nacional (Uruguay)")
        pressed = await bot.press(chat("a"), chosen)
        assert message_text(pressed) == ("✅ This chat now follows Nacional. Alerts: key events.")
        await until(lambda: bool(requests_to(fake, "/fixtures", team=2356, next=5)))
        # the other Nacional is another team, told apart by its country
        other = next(b.action for b in offered.buttons if b.label == "Nacional (Portugal)")
        pressed = await bot.press(chat("d"), other)
        assert message_text(pressed) == (
            "✅ This chat now follows Nacional (Portugal). Alerts: key events."
        )
        await until(lambda: bool(requests_to(fake, "/fixtures", team=4716, next=5)))

        # a national team outside the catalogue: one first team spelled as typed, followed
        assert await say(bot, "e", "/subscribe Norway") == (
            "✅ This chat now follows Norway. Alerts: key events."
        )
        await until(lambda: bool(requests_to(fake, "/fixtures", team=1090, next=5)))
        # a club that shares a catalogue club's first word is searched, not taken for it
        assert await say(bot, "b", "/subscribe Inter Miami") == (
            "✅ This chat now follows Inter Miami. Alerts: key events."
        )
        await until(lambda: bool(requests_to(fake, "/fixtures", team=9568, next=5)))
        # a youth side is offered as what it is, never silently mapped to the first team
        youth = await bot.command(chat("c"), "subscribe", "Inter U23")
        assert [b.label for b in youth.buttons] == ["Inter U23 (Italy, youth)"]
        await bot.stop()
        await bot.sources[0].aclose()  # type: ignore[attr-defined]
    assert not requests_to(fake, "/fixtures", team=505, next=5)  # Inter was never involved


async def test_a_failed_discovery_is_retried_at_once_not_in_six_hours(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    assert polling.RETRY_DELAYS[0] <= 60.0  # the first retry of a real run: within a minute
    kickoff = soon(120)
    async with FakeProvider.api_football(key=KEY) as fake:
        fake.script(
            "/fixtures",
            {"team": 2, "next": 5},
            server_error(503),
            Reply(body="<html><body>Bad gateway</body></html>", status=502, raw=True),
            answer("fixtures", {}, fixture(kickoff)),
        )
        platform = RecordingPlatform()
        bot = af_bot(fake, tmp_path / "bot.db", platform)
        bot.polling.retry_delays = (0.1, 0.2)
        await bot.start()
        await say(bot, "a", "/subscribe France")
        await until(lambda: len(requests_to(fake, "/fixtures", team=2, next=5)) == 3)
        await until(lambda: "fixtures of France found after 3 attempts" in caplog.text)
        assert (await say(bot, "a", "/next France")).startswith("📅 France v Italy")
        await bot.stop()
        await bot.sources[0].aclose()  # type: ignore[attr-defined]
    failures = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "fixtures of France failed" in r.getMessage()
    ]
    assert len(failures) == 2
    assert all(m.startswith("API-Football:") for m in failures)
    assert "HTTP 503" in failures[0] and "HTTP 502" in failures[1]


async def test_bad_search_and_discovery_answers_are_logged_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    kickoff = soon(120)
    async with FakeProvider.api_football(key=KEY) as fake:
        fake.script("/teams", {"search": "Egypt"}, garbage())
        # JSON null where objects are expected, an item without a name, then a good one
        fake.script(
            "/teams",
            {"search": "Boca Juniors"},
            answer("teams", {}, None, {"team": {"id": 451}}, {"team": None}, *fake.teams[-2:-1]),
        )
        bad_fixture = fixture(kickoff)
        bad_fixture["teams"] = None
        fake.script(
            "/fixtures",
            {"team": 451, "next": 5},
            answer("fixtures", {}, bad_fixture),
            {"get": "fixtures", "errors": [], "response": None},
            answer("fixtures", {}, fixture(kickoff)),
        )
        fake.script("/leagues", {"id": 1, "season": 2026}, {"response": {"league": None}})
        platform = RecordingPlatform()
        bot = af_bot(fake, tmp_path / "bot.db", platform)
        bot.polling.retry_delays = (0.05,)
        await bot.start()
        unknown = await say(bot, "a", "/subscribe Egypt")
        assert unknown.startswith("I don't know a team called “Egypt”.")
        assert (await say(bot, "a", "/subscribe Boca Juniors")).startswith("✅")
        await until(lambda: len(requests_to(fake, "/fixtures", team=451, next=5)) == 3)
        await until(lambda: "found after 3 attempts" in caplog.text)
        await bot.stop()
        await bot.sources[0].aclose()  # type: ignore[attr-defined]
    store = Store.open(tmp_path / "bot.db")
    try:
        match = store.match(f"af:{FID}")
        # the league's season dates were unreadable: no span invented
        assert match is not None and match["season"] == "2026"
    finally:
        store.close()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("team search for 'Egypt' failed" in w and "not JSON" in w for w in warnings)
    assert any("fixtures of Boca Juniors failed" in w and "teams" in w for w in warnings)
    assert any("season dates of league 1" in w for w in warnings)


async def test_football_data_search_finds_a_national_team_in_its_competitions(
    tmp_path: Path,
) -> None:
    wc_teams = {
        "count": 2,
        "competition": {"id": 2000, "name": "FIFA World Cup", "code": "WC"},
        "season": {"id": 1, "startDate": "2026-06-11", "endDate": "2026-07-19"},
        "teams": [
            {"id": 773, "name": "France", "shortName": "France", "tla": "FRA",
             "area": {"id": 2081, "name": "France", "code": "FRA"}},
            {"id": 784, "name": "Italy", "shortName": "Italy", "tla": "ITA",
             "area": {"id": 2114, "name": "Italy", "code": "ITA"}},
        ],
    }  # fmt: skip
    cl_teams = {
        "count": 1,
        "competition": {"id": 2001, "name": "UEFA Champions League", "code": "CL"},
        "teams": [
            {"id": 524, "name": "Paris Saint-Germain FC", "shortName": "PSG", "tla": "PSG",
             "area": {"id": 2081, "name": "France", "code": "FRA"}},
        ],
    }  # fmt: skip
    async with FakeProvider.football_data(key="t", minute_limit=10_000) as fake:
        fake.competition_teams = {"WC": wc_teams, "CL": cl_teams}
        platform = RecordingPlatform()
        source = FootballDataSource(
            FootballData("t", base_url=fake.base_url, minute_limit=None),
            min_interval=FAST,
            competitions=["CL", "WC"],
        )
        bot = build_bot(tmp_path / "db", [platform], reminder_lead=None, sources=[source])
        await bot.start()
        assert await say(bot, "a", "/subscribe France") == (
            "✅ This chat now follows France. Alerts: key events."
        )
        await until(lambda: bool(requests_to(fake, "/v4/teams/773/matches", status="SCHEDULED")))
        # the competition lists are kept: the next search costs no request
        before = len(fake.requests)
        await bot.command(chat("b"), "subscribe", "Italia azzurri")
        assert len(fake.requests) == before
        await bot.stop()
        await source.aclose()


async def test_the_quota_plan_counts_the_days_later_matches(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    noon = datetime(2026, 6, 20, 12, 0, tzinfo=UTC)
    kickoffs = {"af:1": noon, "af:2": noon + timedelta(hours=7), "af:3": noon + timedelta(days=1)}
    async with FakeProvider.api_football(key=KEY, day_limit=40) as fake:
        # the bot's clock at noon: af:1 kicks off now, af:2 tonight, af:3 tomorrow
        source = ApiFootballSource(
            ApiFootball(KEY, base_url=fake.base_url), min_interval=15.0, clock=noon.timestamp
        )
        bot = build_bot(tmp_path / "db", [], reminder_lead=None, sources=[source])
        await bot.open()
        for mid, kickoff in kickoffs.items():
            await bot.ingest(
                parse_object(
                    {
                        "type": "match",
                        "match": mid,
                        "competition": "World Cup",
                        "home": "France",
                        "away": "Italy",
                        "kickoff": kickoff.isoformat(),
                    }
                )
            )
        await bot.command(chat("a"), "subscribe", "France")
        live = polling.LivePolling(
            bot.db, bot.scheduler, [source], bot.ingest, clock=noon.timestamp
        )
        source.attach(bot.db)  # what LivePolling.start does
        fixture_1 = fixture(noon.isoformat())
        fixture_1["fixture"]["id"] = 1
        fake.script("/fixtures", {"ids": "1"}, answer("fixtures", {}, fixture_1))
        assert await live.poll(source) == 1
        tonight = source.poll_interval(1)
        await live.poll(source)  # the plan now knows the requests left
        # two polls and, the match not started, one look at its league's table
        assert source.quota.day_remaining == 37
        assert [r.path for r in fake.requests if r.path == "/standings"] == ["/standings"]
        await bot.db.close()
        await source.aclose()
    # 29 requests above the reserve for af:1 now and af:2 tonight, 6 of them kept for af:2's
    # line-ups (a look every 10 minutes from 75 to 15 minutes before kick-off): about half as
    # often as for af:1 alone
    alone = source.planner.windows_left([("af:1", noon.timestamp())]) / (29 - 6)
    assert tonight == pytest.approx(2 * alone, rel=0.15)
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any(
        "39 requests left today cannot cover the 2 followed matches still to come (af:1, af:2)" in w
        for w in warnings
    ), warnings
