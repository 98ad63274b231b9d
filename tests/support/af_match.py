"""Build API-Football ``/fixtures`` answers for one match, poll by poll, in the API's own JSON
shape (the fixture of ``tests/fixtures/providers/af_life_02_1h.json`` with its status, score and
events replaced)."""

from __future__ import annotations

import copy
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.fakes.provider_api import load_fixture

FID = 1035001
INTER = {"id": 505, "name": "Inter", "logo": "https://media.api-sports.io/football/teams/505.png"}
ATALANTA = {
    "id": 499,
    "name": "Atalanta",
    "logo": "https://media.api-sports.io/football/teams/499.png",
}
LONG = {
    "NS": "Not Started",
    "1H": "First Half",
    "HT": "Halftime",
    "2H": "Second Half",
    "ET": "Extra Time",
    "BT": "Break Time",
    "P": "Penalty In Progress",
    "FT": "Match Finished",
    "AET": "Match Finished After Extra Time",
    "PEN": "Match Finished After Penalty",
    "SUSP": "Match Suspended",
    "INT": "Match Interrupted",
    "ABD": "Match Abandoned",
    "PST": "Match Postponed",
    "AWD": "Technical Loss",
}


def soon(minutes: float = 5) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


def goal(
    minute: int,
    team: dict[str, Any],
    player: tuple[int | None, str | None],
    detail: str = "Normal Goal",
    assist: tuple[int | None, str | None] = (None, None),
    extra: int | None = None,
) -> dict[str, Any]:
    return {
        "time": {"elapsed": minute, "extra": extra},
        "team": team,
        "player": {"id": player[0], "name": player[1]},
        "assist": {"id": assist[0], "name": assist[1]},
        "type": "Goal",
        "detail": detail,
        "comments": None,
    }


def card(
    minute: int, team: dict[str, Any], player: tuple[int, str], extra: int | None = None
) -> dict[str, Any]:
    return {
        "time": {"elapsed": minute, "extra": extra},
        "team": team,
        "player": {"id": player[0], "name": player[1]},
        "assist": {"id": None, "name": None},
        "type": "Card",
        "detail": "Yellow Card",
        "comments": None,
    }


def poll(
    kickoff: str,
    short: str,
    elapsed: int | None,
    score: tuple[int, int] | None,
    events: list[dict[str, Any]],
    *,
    extra: int | None = None,
    fid: int = FID,
    round_name: str | None = None,
    penalty: tuple[int, int] | None = None,
    extratime: tuple[int, int] | None = None,
    home: dict[str, Any] = INTER,
    away: dict[str, Any] = ATALANTA,
) -> dict[str, Any]:
    body = copy.deepcopy(load_fixture("af_life_02_1h.json"))
    fx = body["response"][0]
    fx["fixture"]["id"] = fid
    fx["fixture"]["date"] = kickoff
    fx["fixture"]["status"] = {
        "long": LONG.get(short, short),
        "short": short,
        "elapsed": elapsed,
        "extra": extra,
    }
    fx["teams"]["home"] = {**home, "winner": None}
    fx["teams"]["away"] = {**away, "winner": None}
    fx["goals"] = {"home": score[0], "away": score[1]} if score else {"home": None, "away": None}
    if penalty:
        fx["score"]["penalty"] = {"home": penalty[0], "away": penalty[1]}
    if extratime:
        fx["score"]["extratime"] = {"home": extratime[0], "away": extratime[1]}
    if round_name:
        fx["league"]["round"] = round_name
    fx["events"] = events
    body["parameters"] = {"ids": str(fid)}
    return dict(body)
