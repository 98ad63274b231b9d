"""Following a competition with a data provider configured: its fixtures are looked up at the
provider (API-Football league fixtures, football-data.org competition matches), stored, and
polled live like a followed team's, end to end on the local fake servers."""

from __future__ import annotations

import copy
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
from bot.messages.model import message_text
from bot.scheduler import polling
from tests.support.core import chat, until
from tests.support.fakes.provider_api import FakeProvider, load_fixture, server_error
from tests.support.fakes.recording import RecordingPlatform

KEY = "af-secret-key-123"
FAST = 0.05
FID = 1035001
SERIE_A = {"id": 135, "name": "Serie A", "country": "Italy", "season": 2026, "round": "R 14"}
RENAME = {505: "Lazio", 499: "Torino"}


def soon(minutes: float = 5) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


def zone_where_still_today(kickoff: str) -> str | None:
    """None when ``kickoff`` is today in UTC, else a time zone where it is (``/today`` in a
    test run at 23:00 UTC of a match two hours away)."""
    now, then = datetime.now(UTC), datetime.fromisoformat(kickoff)
    if now.date() == then.date():
        return None
    return "America/New_York"  # UTC-5 (-4 in summer): 22:00 UTC is 17:00 or 18:00 there


def _rename(value: Any) -> None:
    """Inter v Atalanta of the life fixtures becomes Lazio v Torino (teams by id)."""
    if isinstance(value, dict):
        if value.get("id") in RENAME and "name" in value and "logo" in value:
            value["name"] = RENAME[value["id"]]
        for item in value.values():
            _rename(item)
    elif isinstance(value, list):
        for item in value:
            _rename(item)


def serie_a_fixture(name: str, kickoff: str, fid: int = FID, **status: Any) -> dict[str, Any]:
    """A fixture of the life files, as a Serie A match between Lazio and Torino."""
    fx = copy.deepcopy(load_fixture(name)["response"][0])
    _rename(fx)
    fx["league"] = dict(SERIE_A)
    fx["fixture"]["id"] = fid
    fx["fixture"]["date"] = kickoff
    fx["fixture"]["status"].update(status)
    return dict(fx)


def answer(*fixtures: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": "fixtures",
        "parameters": {},
        "errors": [],
        "results": len(fixtures),
        "paging": {"current": 1, "total": 1},
        "response": list(fixtures),
    }


def league_query() -> dict[str, Any]:
    today = datetime.now(UTC).date()
    return {
        "league": 135,
        "season": 2026,
        "from": today.isoformat(),
        "to": (today + timedelta(days=7)).isoformat(),
    }


def headlines(platform: RecordingPlatform, chat_id: str) -> list[str]:
    return [t.split("\n")[0] for t in platform.texts(chat_id)]


def af_bot(fake: FakeProvider, db: Path, platform: RecordingPlatform) -> MatchBot:
    source = ApiFootballSource(
        ApiFootball(KEY, base_url=fake.base_url), min_interval=FAST, match_window=60.0
    )
    return build_bot(db, [platform], recap_delay=0.0, reminder_lead=None, sources=[source])


async def test_a_chat_following_serie_a_gets_a_goal_of_teams_it_does_not_follow(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    kickoff = soon()
    async with FakeProvider.api_football(key=KEY) as fake:
        fake.fixtures = [
            serie_a_fixture("af_life_01_ns.json", kickoff),
            # played earlier today: nothing left to follow, never declared nor polled
            serie_a_fixture(
                "af_life_08_2h.json", soon(-180), fid=1035002, short="FT", long="Match Finished"
            ),
            # beyond the week ahead: not asked for
            serie_a_fixture("af_life_01_ns.json", soon(12 * 24 * 60), fid=1035003),
        ]
        fake.script(
            "/fixtures",
            {"ids": str(FID)},
            answer(serie_a_fixture("af_life_01_ns.json", kickoff)),
            answer(serie_a_fixture("af_life_02_1h.json", kickoff)),
        )
        platform = RecordingPlatform()
        bot = af_bot(fake, tmp_path / "bot.db", platform)
        await bot.open()
        await bot.start()
        follow = await bot.command(chat("a"), "subscribe", "serie a")
        assert "Serie A" in message_text(follow)
        await until(lambda: "⚽ GOAL! Lazio 1-0 Torino" in headlines(platform, "a"))
        await bot.stop()
        await bot.sources[0].aclose()  # type: ignore[attr-defined]
    assert headlines(platform, "a") == ["🟢 Kick-off: Lazio v Torino", "⚽ GOAL! Lazio 1-0 Torino"]
    asked = [r.query for r in fake.requests if r.path == "/fixtures" and "league" in r.query]
    assert asked == [{k: str(v) for k, v in league_query().items()}]
    # the season asked is the league's current one, asked once
    leagues = [r.query for r in fake.requests if r.path == "/leagues"]
    assert leagues.count({"id": "135", "current": "true"}) == 1
    polled = {r.query["ids"] for r in fake.requests if "ids" in r.query}
    assert polled == {str(FID)}  # the finished match is not polled
    assert "API-Football: 1 fixtures of Serie A (135) in the next 7 days" in caplog.text
    assert KEY not in caplog.text


async def test_a_failed_competition_look_up_is_retried(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    kickoff = soon(120)
    async with FakeProvider.api_football(key=KEY) as fake:
        fake.script(
            "/fixtures",
            league_query(),
            server_error(503),
            server_error(502),
            answer(serie_a_fixture("af_life_01_ns.json", kickoff)),
        )
        platform = RecordingPlatform()
        bot = af_bot(fake, tmp_path / "bot.db", platform)
        bot.polling.retry_delays = (0.1, 0.2)
        await bot.start()
        await bot.command(chat("a"), "subscribe", "serie a")
        await until(lambda: "fixtures of Serie A found after 3 attempts" in caplog.text)
        zone = zone_where_still_today(kickoff)
        if zone is not None:  # late in the UTC day: the match is today where the chat is
            await bot.command(chat("a"), "settings", f"timezone {zone}")
        today = await bot.command(chat("a"), "today", "")
        await bot.stop()
        await bot.sources[0].aclose()  # type: ignore[attr-defined]
    league = [r for r in fake.requests if r.path == "/fixtures" and "league" in r.query]
    assert len(league) == 3
    failures = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "fixtures of Serie A failed" in r.getMessage()
    ]
    assert len(failures) == 2
    assert "HTTP 503" in failures[0] and "HTTP 502" in failures[1]
    assert "Lazio" in message_text(today) and "Torino" in message_text(today)


async def test_football_data_competition_matches_are_followed(tmp_path: Path) -> None:
    kickoff = soon()
    scheduled = copy.deepcopy(load_fixture("fd_match_live_free.json"))
    scheduled.update(utcDate=kickoff.replace("+00:00", "Z"), status="TIMED", minute=None)
    scheduled["score"].update(
        fullTime={"home": None, "away": None}, halfTime={"home": None, "away": None}
    )
    live = copy.deepcopy(load_fixture("fd_match_live_free.json"))
    live["utcDate"] = scheduled["utcDate"]
    async with FakeProvider.football_data(key="fd-token") as fake:
        fake.fixtures = [scheduled]
        fake.script(f"/matches/{scheduled['id']}", None, live)
        platform = RecordingPlatform()
        source = FootballDataSource(
            FootballData("fd-token", base_url=fake.base_url), min_interval=FAST, match_window=60.0
        )
        bot = build_bot(
            tmp_path / "bot.db", [platform], recap_delay=0.0, reminder_lead=None, sources=[source]
        )
        await bot.start()
        await bot.command(chat("a"), "subscribe", "champions league")
        await until(lambda: any("GOAL!" in h for h in headlines(platform, "a")))
        await bot.stop()
        await source.aclose()
    today = datetime.now(UTC).date()
    asked = [r.query for r in fake.requests if r.path == "/v4/competitions/CL/matches"]
    assert asked == [
        {"dateFrom": today.isoformat(), "dateTo": (today + timedelta(days=7)).isoformat()}
    ]
    assert headlines(platform, "a")[-1] == "⚽ GOAL! Liverpool FC 0-1 Paris Saint-Germain FC"


async def test_a_competition_just_looked_up_is_not_asked_again_by_the_refresh(
    tmp_path: Path,
) -> None:
    """A chat's /subscribe looks the competition up at once; the start's periodic refresh,
    coming just after, asks nothing again (a free plan's requests are few), and the next
    refresh, six hours on, does."""
    now = [datetime.now(UTC).timestamp()]
    async with FakeProvider.football_data(key="fd-token") as fake:
        scheduled = copy.deepcopy(load_fixture("fd_match_live_free.json"))
        scheduled.update(utcDate=soon().replace("+00:00", "Z"), status="TIMED", minute=None)
        fake.fixtures = [scheduled]
        source = FootballDataSource(FootballData("fd-token", base_url=fake.base_url))
        bot = build_bot(tmp_path / "bot.db", [], reminder_lead=None, sources=[])
        await bot.open()
        await bot.command(chat("a"), "subscribe", "champions league")
        live = polling.LivePolling(bot.db, bot.scheduler, [source], bot.ingest, lambda: now[0])

        def asked() -> int:
            return len([r for r in fake.requests if r.path == "/v4/competitions/CL/matches"])

        await live.refresh_fixtures(source)
        assert asked() == 1
        assert await bot.db.call(lambda s: s.match(f"fd:{scheduled['id']}")) is not None
        await live.refresh_fixtures(source)  # moments later
        assert asked() == 1
        now[0] += polling.FIXTURES_EVERY
        await live.refresh_fixtures(source)
        assert asked() == 2
        await bot.db.close()
        await source.aclose()
