"""football-data.org v4's line-ups and statistics as feed match data (pure), where the plan
returns them: each team object of a match (``homeTeam``, ``awayTeam``) may carry
``formation``, ``coach.name``, ``lineup`` and ``bench`` (``{id, name, position,
shirtNumber}``) and ``statistics`` (``{"ball_possession": 55, "shots": 14, "shots_on_goal": 6,
"corner_kicks": 5, "fouls": 11, "saves": 3, "yellow_cards": 1, "red_cards": 0, …}``, the match
so far: the half-time figures while the match is paused at half-time, the full-time ones once
it is finished). The free plan returns none of it: nothing is then passed on. A figure the
answer leaves out, or gives as something other than a whole number, is left out, never turned
into 0; each kind of oddity is logged once per match.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import Any

from adapters.providers.shapes import dig, opt_int, opt_str
from adapters.providers.translate import warn_once

log = logging.getLogger(__name__)
PROVIDER = "football-data.org"

#: football-data.org's statistic names -> the feed's figures
STATISTICS: dict[str, str] = {
    "ball_possession": "possession",
    "shots": "shots",
    "shots_on_goal": "shots_on_target",
    "corner_kicks": "corners",
    "fouls": "fouls",
    "yellow_cards": "yellow_cards",
    "red_cards": "red_cards",
    "saves": "saves",
    "offsides": "offsides",
}


def _once(match: str, what: str, message: str, *args: object) -> None:
    warn_once(log, match, what, message, *args)


def _player(raw: Any) -> dict[str, Any] | None:
    name = opt_str(dig(raw, "name"))
    if not name:
        return None
    out: dict[str, Any] = {"name": name.strip()[:200]}
    number = opt_int(dig(raw, "shirtNumber"))
    if number is not None and 0 <= number <= 999:
        out["number"] = number
    position = opt_str(dig(raw, "position"))
    if position:
        out["position"] = position.strip()[:40]
    pid = opt_int(dig(raw, "id"))
    if pid is not None and pid > 0:
        out["player_id"] = f"fd:{pid}"
    return out


def _players(mid: str, raw: Any) -> list[dict[str, Any]]:
    listed = raw if isinstance(raw, list) else []
    players = [p for p in map(_player, listed) if p]
    if len(players) < len(listed):
        _once(
            mid, "lineup-player", "%s: a line-up of %s has a player without a name", PROVIDER, mid
        )
    return players


def lineup(mid: str, team: Mapping[str, Any], name: str) -> dict[str, Any] | None:
    """The ``lineup`` object of one team object, or None when it lists no starting XI."""
    start = _players(mid, team.get("lineup"))
    if not start:
        return None
    out: dict[str, Any] = {
        "type": "lineup",
        "match": mid,
        "team": name,
        "start": start[:30],
        "bench": _players(mid, team.get("bench"))[:40],
    }
    formation = opt_str(team.get("formation"))
    if formation:
        out["formation"] = formation.strip()[:40]
    coach = opt_str(dig(team, "coach", "name"))
    if coach:
        out["coach"] = coach.strip()[:200]
    return out


def _figures(mid: str, raw: Any) -> dict[str, int]:
    values: dict[str, int] = {}
    for key, name in STATISTICS.items():
        if not isinstance(raw, Mapping) or raw.get(key) is None:
            continue
        value = raw[key]
        number = opt_int(value)
        if number is None and isinstance(value, str) and value.strip().endswith("%"):
            number = opt_int(value.strip().removesuffix("%").strip())
        if number is None or number < 0 or (name == "possession" and number > 100):
            _once(
                mid, f"stat-{name}", "%s: %s gives %s as %r: left out", PROVIDER, mid, name, value
            )
            continue
        if number <= 999:
            values[name] = number
    return values


def statistics(mid: str, m: Mapping[str, Any], period: str) -> dict[str, Any] | None:
    """The ``stats`` object of the match's two team objects, None unless both give some."""
    home = _figures(mid, dig(m, "homeTeam", "statistics"))
    away = _figures(mid, dig(m, "awayTeam", "statistics"))
    if not home or not away:
        return None
    return {"type": "stats", "match": mid, "period": period, "home": home, "away": away}


def depth_objects(m: Mapping[str, Any], mid: str, home: str, away: str) -> list[dict[str, Any]]:
    """The match data a match answer holds: line-ups whenever given; statistics at half-time
    (status ``PAUSED`` in the first break) and at full time (``FINISHED``)."""
    objects = []
    for key, name in (("homeTeam", home), ("awayTeam", away)):
        team = m.get(key)
        if isinstance(team, Mapping):
            found = lineup(mid, team, name)
            if found is not None:
                objects.append(found)
    status = str(m.get("status") or "").upper()
    minute = opt_int(m.get("minute"))
    period = None
    if status == "PAUSED" and (minute is None or minute <= 60):
        period = "half_time"
    elif status == "FINISHED":
        period = "full_time"
    if period is not None:
        stats = statistics(mid, m, period)
        if stats is not None:
            objects.append(stats)
    return objects
