"""The table before a league match from football-data.org (``/competitions/{code}/standings``):
asked once while the match is not started yet, passed on as its ``standings`` object (the
match's teams under the match's names), never asked again for the next poll or match of that
competition within hours; a cup tie whose teams share no table gets none."""

from __future__ import annotations

import copy
from typing import Any

from adapters.providers.football_data import FootballData, FootballDataSource
from tests.support.fakes.provider_api import FakeProvider, load_fixture
from tests.test_lineup_window import Clock

NOW = 1_800_000_000.0


def scheduled(match_id: int, home: tuple[int, str], away: tuple[int, str], code: str) -> Any:
    body = copy.deepcopy(load_fixture("fd_match_live_free.json"))
    body.update(id=match_id, status="TIMED", utcDate="2027-01-15T08:00:00Z")
    body["competition"] = dict(body["competition"], code=code, type="LEAGUE")
    body["homeTeam"] = dict(body["homeTeam"], id=home[0], name=home[1], shortName=home[1])
    body["awayTeam"] = dict(body["awayTeam"], id=away[0], name=away[1], shortName=away[1])
    for key in ("goals", "bookings", "substitutions"):
        body.pop(key, None)
    body["score"] = {
        "winner": None,
        "duration": "REGULAR",
        "fullTime": {"home": None, "away": None},
        "halfTime": {"home": None, "away": None},
    }
    return body


async def test_the_table_before_a_league_match_is_asked_once() -> None:
    async with FakeProvider.football_data(key="t", minute_limit=10_000) as fake:
        fake.script(
            "/matches/1", None, scheduled(1, (57, "Arsenal FC"), (64, "Liverpool FC"), "PL")
        )
        fake.script(
            "/matches/2", None, scheduled(2, (65, "Manchester City FC"), (61, "Chelsea FC"), "PL")
        )
        fake.script(
            "/matches/3", None, scheduled(3, (57, "Arsenal FC"), (5, "FC Bayern München"), "CL")
        )
        fake.script("/competitions/PL/standings", None, "fd_standings_PL.json")
        fake.script("/competitions/CL/standings", None, "fd_standings_PL.json")  # no Bayern
        source = FootballDataSource(FootballData("t", base_url=fake.base_url), clock=Clock(NOW))
        try:
            out = await source.poll(["fd:1", "fd:2", "fd:3"])
            again = await source.poll(["fd:1", "fd:2", "fd:3"])
        finally:
            await source.aclose()
    tables = {o["match"]: o for o in out if o.get("type") == "standings"}
    assert sorted(tables) == ["fd:1", "fd:2"]  # the cup tie's teams share no table
    first = tables["fd:1"]["table"]
    assert first[0] == {"team": "Arsenal FC", "points": 39, "played": 17, "goal_difference": 20}
    assert {"Arsenal FC", "Liverpool FC"} <= {row["team"] for row in first}
    assert not [o for o in again if o.get("type") == "standings"]  # passed on once
    asked = [r.path for r in fake.requests if r.path.endswith("/standings")]
    assert asked == ["/v4/competitions/PL/standings", "/v4/competitions/CL/standings"]
