"""Bad match data from API-Football, one class at a time (line-ups with missing numbers or
positions or a nameless player, a line-up of a team not in the match, statistics with nulls,
``"45%"`` and ``"n/a"`` strings and NaN, ratings as strings and a player rated twice, a table
missing a team): each handled, each oddity logged once with the fixture id however often the
fixture is polled, and nothing passed on says ``None``, ``null`` or ``nan``."""

from __future__ import annotations

import json
import logging
from typing import Any

import pytest

from adapters.providers.api_football.depth import depth_objects, standings
from tests.support.fakes.provider_api import af_lineup, af_players, af_standings, af_statistics

MID = "af:990001"
INTER = {"id": 505, "name": "Inter", "logo": None}
ATALANTA = {"id": 499, "name": "Atalanta", "logo": None}
OTHER = {"id": 1, "name": "Elsewhere FC", "logo": None}
SERIE_A = {"id": 135, "name": "Serie A", "country": "Italy", "season": 2025}


def name(team: Any) -> str | None:
    return {505: "Inter", 499: "Atalanta"}.get(team.get("id") if isinstance(team, dict) else None)


def bad_fixture() -> dict[str, Any]:
    xi = [(i, f"Player {i}", i, "M") for i in range(1, 11)]
    inter = af_lineup(
        INTER, "4-3-3", "C. Chivu", [*xi, (11, "No Number", None, None)], [(12, "Twice", 12, "D")]
    )
    inter["startXI"].append({"player": {"id": 13, "name": None, "number": 13, "pos": "F"}})
    inter["substitutes"].append(inter["substitutes"][0])  # listed twice
    atalanta = af_lineup(ATALANTA, None, None, [(100 + i, f"A {i}", i, "M") for i in range(11)], [])
    stranger = af_lineup(OTHER, "4-4-2", None, [(200, "Stranger", 9, "F")], [])
    odd_stats = af_statistics(INTER, possession="58%", shots="n/a", corners=None)
    odd_stats["statistics"].append({"type": "expected_goals", "value": float("nan")})
    return {
        "fixture": {"id": 990001, "status": {"short": "FT", "elapsed": 90}},
        "lineups": [inter, atalanta, stranger],
        "statistics": [odd_stats, af_statistics(ATALANTA, possession="42%", shots=3)],
        "players": [
            af_players(INTER, [(9, "Player 9", "7.9"), (9, "Player 9", "6.0")]),
            af_players(ATALANTA, [(101, "A 1", "6.4"), (102, "A 2", None), (103, "A 3", "")]),
        ],
    }


def test_each_oddity_is_handled_and_logged_once_with_the_fixture_id(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    first = depth_objects(bad_fixture(), MID, "Inter", "Atalanta", name)
    again = depth_objects(bad_fixture(), MID, "Inter", "Atalanta", name)  # the next poll
    assert first == again
    kinds = {o["type"] for o in first}
    assert kinds == {"lineup", "stats", "ratings"}
    lineup = next(o for o in first if o["type"] == "lineup" and o["team"] == "Inter")
    no_number = next(p for p in lineup["start"] if p["name"] == "No Number")
    assert "number" not in no_number and "position" not in no_number  # left out, not invented
    assert [p["name"] for p in lineup["start"]].count("Player 1") == 1
    assert all(p.get("name") for p in lineup["start"])  # the nameless player left out
    stats = next(o for o in first if o["type"] == "stats")
    assert stats["home"] == {"possession": 58} and stats["away"] == {"possession": 42, "shots": 3}
    ratings = next(o for o in first if o["type"] == "ratings")["players"]
    assert [(p["name"], p["rating"]) for p in ratings] == [("Player 9", 7.9), ("A 1", 6.4)]
    text = json.dumps(first)
    for word in ("None", "null", "nan", "NaN"):
        assert word not in text
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert all(MID in w for w in warnings), warnings
    assert len(warnings) == len(set(warnings))  # once each, however often polled
    said = "\n".join(warnings)
    assert "names a team not in it" in said  # the stranger's line-up
    assert "player without a name" in said
    assert "shots as 'n/a'" in said
    assert "rates a player twice" in said


def test_a_table_missing_a_team_says_nothing_and_is_logged_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING)
    mid = "af:990002"
    table = af_standings(SERIE_A, [(INTER, 46, 20, 28), (OTHER, 40, 20, 5)])["response"]
    for _ in range(2):
        assert standings(mid, table, (505, "Inter"), (499, "Atalanta")) is None
    warnings = [r.getMessage() for r in caplog.records if mid in r.getMessage()]
    assert warnings == [f"API-Football: the table for {mid} misses a team of it"]
    # a row without points is left out (logged once); the rest is the table before the match
    rows = af_standings(
        SERIE_A, [(INTER, 46, 20, 28), (ATALANTA, 36, 20, 10), (OTHER, 30, 20, -4)]
    )["response"]
    rows[0]["league"]["standings"][0][2]["points"] = None
    found = standings(mid, rows, (505, "Inter"), (499, "Atalanta"))
    assert found == {
        "type": "standings",
        "match": mid,
        "table": [
            {"team": "Inter", "points": 46, "played": 20, "goal_difference": 28},
            {"team": "Atalanta", "points": 36, "played": 20, "goal_difference": 10},
        ],
    }
