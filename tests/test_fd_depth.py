"""football-data.org's line-ups and statistics, where the plan returns them (each team object's
``formation``, ``coach``, ``lineup``, ``bench`` and ``statistics``), through the source against
the fake football-data.org: the line-ups before kick-off, the statistics at half-time and full
time; a figure left out or odd is left out (logged once with the match id), never 0; the free
plan's answer (none of it) gives none."""

from __future__ import annotations

import copy
import logging
from typing import Any

import pytest

from adapters.providers.football_data import FootballData, FootballDataSource
from adapters.providers.football_data.translation import translate_match
from tests.support.fakes.provider_api import FakeProvider, load_fixture
from tests.test_lineup_window import Clock

NOW = 1_800_000_000.0


def team_depth(side: str) -> dict[str, Any]:
    names = {"homeTeam": "Liverpool", "awayTeam": "PSG"}[side]
    return {
        "formation": "4-3-3" if side == "homeTeam" else "4-2-3-1",
        "coach": {"id": 9, "name": f"{names} Coach", "nationality": None},
        "lineup": [
            {"id": 100 + i, "name": f"{names} {i}", "position": "Midfield", "shirtNumber": i}
            for i in range(1, 11)
        ]
        + [{"id": 111, "name": f"{names} Keeper", "position": None, "shirtNumber": None}],
        "bench": [{"id": 120, "name": f"{names} Sub", "position": "Offence", "shirtNumber": 20}],
    }


def with_depth(status: str, minute: int | None, **stats: dict[str, Any]) -> dict[str, Any]:
    body = copy.deepcopy(load_fixture("fd_match_live_free.json"))
    body.update(status=status, minute=minute)
    for side in ("homeTeam", "awayTeam"):
        body[side] = {**body[side], **team_depth(side)}
        if side in stats:
            body[side]["statistics"] = stats[side]
    return dict(body)


HT_HOME = {"ball_possession": 58, "shots": 7, "shots_on_goal": 3, "corner_kicks": 4, "fouls": None}
HT_AWAY = {"ball_possession": 42, "shots": "n/a", "shots_on_goal": 1, "corner_kicks": 2}
FT_HOME = {"ball_possession": 55, "shots": 14, "shots_on_goal": 6, "saves": 2, "yellow_cards": 1}
FT_AWAY = {"ball_possession": 45, "shots": 9, "shots_on_goal": 3, "saves": 4, "yellow_cards": 0}


async def test_line_ups_and_statistics_where_the_plan_returns_them(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    mid = "fd:" + str(load_fixture("fd_match_live_free.json")["id"])
    async with FakeProvider.football_data(key="t", minute_limit=10_000) as fake:
        fake.script(
            f"/matches/{mid[3:]}",
            None,
            with_depth("IN_PLAY", 20),
            with_depth("PAUSED", 45, homeTeam=HT_HOME, awayTeam=HT_AWAY),
            with_depth("PAUSED", 45, homeTeam=HT_HOME, awayTeam=HT_AWAY),
            with_depth("FINISHED", 90, homeTeam=FT_HOME, awayTeam=FT_AWAY),
        )
        source = FootballDataSource(FootballData("t", base_url=fake.base_url), clock=Clock(NOW))
        try:
            polls = [await source.poll([mid]) for _ in range(4)]
        finally:
            await source.aclose()
    lineups = [o for o in polls[0] if o.get("type") == "lineup"]
    assert [o["team"] for o in lineups] == ["Liverpool FC", "Paris Saint-Germain FC"]
    home = lineups[0]
    assert home["formation"] == "4-3-3" and home["coach"] == "Liverpool Coach"
    assert home["start"][0] == {
        "name": "Liverpool 1",
        "number": 1,
        "position": "Midfield",
        "player_id": "fd:101",
    }
    assert home["start"][-1] == {"name": "Liverpool Keeper", "player_id": "fd:111"}
    assert home["bench"] == [
        {"name": "Liverpool Sub", "number": 20, "position": "Offence", "player_id": "fd:120"}
    ]
    half = [o for o in polls[1] if o.get("type") == "stats"]
    assert half == [
        {
            "type": "stats",
            "match": mid,
            "period": "half_time",
            "home": {"possession": 58, "shots": 7, "shots_on_target": 3, "corners": 4},
            "away": {"possession": 42, "shots_on_target": 1, "corners": 2},
        }
    ]
    assert not [o for o in polls[2] if o.get("type") in ("stats", "lineup")]  # passed on once
    full = next(o for o in polls[3] if o.get("type") == "stats")
    assert full["period"] == "full_time" and full["away"]["yellow_cards"] == 0
    odd = [r.getMessage() for r in caplog.records if "left out" in r.getMessage()]
    assert odd == [f"football-data.org: {mid} gives shots as 'n/a': left out"]


def test_the_free_plans_answer_gives_no_depth() -> None:
    assert translate_match(load_fixture("fd_match_live_free.json")).extras == []
