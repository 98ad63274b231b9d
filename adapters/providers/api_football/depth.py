"""API-Football v3's line-ups, statistics and player ratings as feed match data (pure).

``/fixtures?id=`` (and ``?ids=``) embed them in each fixture: ``lineups`` (per team:
``formation``, ``coach.name``, ``startXI`` / ``substitutes`` of ``player.{id, name, number,
pos}``, ``team.colors``), ``statistics`` (per team: ``{"type": "Ball Possession", "value":
"45%"}``… with ``null`` for a figure not given) and ``players`` (per team, each player's
``statistics[0].games.rating``, a string such as ``"7.3"``); ``/standings`` gives the table
before a league match (:func:`standings`). What the API leaves out or gives
in a shape it should not have is left out, never turned into 0; each kind of oddity is logged
once per fixture.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Mapping
from typing import Any

from adapters.providers.shapes import dig, opt_int, opt_str
from adapters.providers.standings import TableRow, table_before
from adapters.providers.translate import warn_once

log = logging.getLogger(__name__)
PROVIDER = "API-Football"

#: API-Football's statistic names -> the feed's figures
STATISTICS: dict[str, str] = {
    "ball possession": "possession",
    "total shots": "shots",
    "shots on goal": "shots_on_target",
    "expected_goals": "xg",
    "corner kicks": "corners",
    "fouls": "fouls",
    "yellow cards": "yellow_cards",
    "red cards": "red_cards",
    "goalkeeper saves": "saves",
    "offsides": "offsides",
}


def _once(match: str, what: str, message: str, *args: object) -> None:
    warn_once(log, match, what, message, *args)


def _number(value: Any, *, share: bool = False) -> float | int | None:
    """``12``, ``"12"``, ``"45%"``, ``"1.24"`` -> the number; ``null``, ``""``, ``"-"``, NaN and
    anything else -> None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return None if math.isnan(value) or math.isinf(value) else value
    if not isinstance(value, str):
        return None
    text = value.strip().removesuffix("%").strip()
    try:
        number = float(text)
    except ValueError:
        return None
    if math.isnan(number) or math.isinf(number) or number < 0:
        return None
    return int(number) if number.is_integer() and not share else number


def _player(item: Any) -> dict[str, Any] | None:
    p = dig(item, "player")
    name = opt_str(dig(p, "name"))
    if not name:
        return None
    out: dict[str, Any] = {"name": name[:200]}
    number = opt_int(dig(p, "number"))
    if number is not None and 0 <= number <= 999:
        out["number"] = number
    position = opt_str(dig(p, "pos"))
    if position:
        out["position"] = position[:40]
    pid = opt_int(dig(p, "id"))
    if pid is not None and pid > 0:
        out["player_id"] = f"af:{pid}"
    return out


def lineups(mid: str, raw: Any, team_name: Callable[[Any], str | None]) -> list[dict[str, Any]]:
    """The ``lineup`` objects of a fixture's ``lineups``, each with the team's shirt colour
    (``#RRGGBB`` from ``team.colors.player.primary``) where given."""
    out: list[dict[str, Any]] = []
    for item in raw if isinstance(raw, list) else []:
        team = team_name(dig(item, "team"))
        if team is None:
            _once(mid, "lineup-team", "%s: a line-up of %s names a team not in it", PROVIDER, mid)
            continue
        start = [p for p in map(_player, _list(dig(item, "startXI"))) if p]
        bench = [p for p in map(_player, _list(dig(item, "substitutes"))) if p]
        if not start:
            continue
        if len(start) < len(_list(dig(item, "startXI"))):
            _once(
                mid,
                "lineup-player",
                "%s: a line-up of %s has a player without a name",
                PROVIDER,
                mid,
            )
        lineup: dict[str, Any] = {
            "type": "lineup",
            "match": mid,
            "team": team,
            "start": start[:30],
            "bench": bench[:40],
        }
        formation = opt_str(dig(item, "formation"))
        if formation:
            lineup["formation"] = formation[:40]
        coach = opt_str(dig(item, "coach", "name"))
        if coach:
            lineup["coach"] = coach[:200]
        colour = opt_str(dig(item, "team", "colors", "player", "primary"))
        if colour and len(colour) == 6 and all(c in "0123456789abcdefABCDEF" for c in colour):
            lineup["colour"] = f"#{colour.upper()}"
        out.append(lineup)
    return out


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def statistics(
    mid: str,
    raw: Any,
    period: str,
    sides: Mapping[str, str],
    team_name: Callable[[Any], str | None],
) -> dict[str, Any] | None:
    """The ``stats`` object of a fixture's ``statistics`` (``sides``: team name -> home/away);
    None when it does not give both teams."""
    figures: dict[str, dict[str, Any]] = {}
    for item in raw if isinstance(raw, list) else []:
        team = team_name(dig(item, "team"))
        side = sides.get(team or "")
        if side is None:
            continue
        values: dict[str, Any] = {}
        for stat in _list(dig(item, "statistics")):
            name = STATISTICS.get(str(dig(stat, "type") or "").strip().lower())
            if name is None:
                continue
            raw_value = dig(stat, "value")
            number = _number(raw_value, share=name == "xg")
            if number is None:
                if raw_value not in (None, ""):
                    _once(
                        mid,
                        f"stat-{name}",
                        "%s: %s gives %s as %r: left out",
                        PROVIDER,
                        mid,
                        name,
                        raw_value,
                    )
                continue
            if name == "possession" and not 0 <= number <= 100:
                continue
            if name != "xg":
                if not isinstance(number, int) and not float(number).is_integer():
                    continue
                number = int(number)
            if number > (50 if name == "xg" else 999):
                continue
            values[name] = round(float(number), 2) if name == "xg" else number
        figures[side] = values
    if set(figures) != {"home", "away"} or not (figures["home"] or figures["away"]):
        return None
    return {"type": "stats", "match": mid, "period": period, **figures}


def ratings(mid: str, raw: Any, team_name: Callable[[Any], str | None]) -> dict[str, Any] | None:
    """The ``ratings`` object of a fixture's ``players`` (``games.rating``, a string); None
    without any rating."""
    rated: list[dict[str, Any]] = []
    seen: set[str] = set()
    for item in raw if isinstance(raw, list) else []:
        team = team_name(dig(item, "team"))
        if team is None:
            continue
        for entry in _list(dig(item, "players")):
            name = opt_str(dig(entry, "player", "name"))
            stats = _list(dig(entry, "statistics"))
            rating = _number(dig(stats[0] if stats else None, "games", "rating"), share=True)
            if not name or rating is None or not 0 < rating <= 10:
                continue
            pid = opt_int(dig(entry, "player", "id"))
            key = f"id{pid}" if pid else f"{team}:{name}".casefold()
            if key in seen:
                _once(
                    mid,
                    "rating-twice",
                    "%s: %s rates a player twice: the first kept",
                    PROVIDER,
                    mid,
                )
                continue
            seen.add(key)
            player: dict[str, Any] = {"name": name[:200], "team": team, "rating": float(rating)}
            if pid is not None and pid > 0:
                player["player_id"] = f"af:{pid}"
            rated.append(player)
    if not rated:
        return None
    return {"type": "ratings", "match": mid, "players": rated[:80]}


def depth_objects(
    fx: Mapping[str, Any], mid: str, home: str, away: str, team_name: Callable[[Any], str | None]
) -> list[dict[str, Any]]:
    """Line-ups (whenever given), statistics at half-time and full time, ratings at full
    time: the match data a fixture answer holds."""
    short = str(dig(fx, "fixture", "status", "short") or "").upper()
    objects = lineups(mid, fx.get("lineups"), team_name)
    period = {"HT": "half_time", "FT": "full_time", "AET": "full_time", "PEN": "full_time"}.get(
        short
    )
    if period is not None:
        stats = statistics(
            mid, fx.get("statistics"), period, {home: "home", away: "away"}, team_name
        )
        if stats is not None:
            objects.append(stats)
    if period == "full_time":
        rated = ratings(mid, fx.get("players"), team_name)
        if rated is not None:
            objects.append(rated)
    return objects


def standings(
    mid: str, raw: Any, home: tuple[int | None, str], away: tuple[int | None, str]
) -> dict[str, Any] | None:
    """The ``standings`` object (the table before the match) from ``/standings?league=&season=``
    (``response[0].league.standings``: a list of groups, each a list of ``{rank, team: {id,
    name}, points, goalsDiff, all: {played}}``); see :func:`adapters.providers.standings.
    table_before`."""
    groups = []
    for item in _list(raw):
        for group in _list(dig(item, "league", "standings")):
            groups.append(
                [
                    TableRow(
                        opt_int(dig(row, "team", "id")),
                        opt_str(dig(row, "team", "name")),
                        opt_int(dig(row, "points")),
                        opt_int(dig(row, "all", "played")),
                        opt_int(dig(row, "goalsDiff")),
                    )
                    for row in _list(group)
                ]
            )
    return table_before(
        mid, groups, home, away, lambda what, text: _once(mid, what, "%s: %s", PROVIDER, text)
    )
