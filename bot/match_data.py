"""Match data beside the events: line-ups, statistics, player ratings and the table before the
match (feed format, documented in ``docs/feed-format.md``).

Unlike an event, a match-data object is *replaced* by a later one with the same key (a late
change to a line-up, statistics updated at full time): :func:`data_key` says which objects are
the same one. Every figure is optional: a figure the source did not give is absent, never 0.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StringConstraints,
    TypeAdapter,
)

from bot.store_contract import MatchDataRow

log = logging.getLogger(__name__)

_Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
_Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40)]
_PlayerId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
_Count = Annotated[StrictInt, Field(ge=0, le=999)]


class _Data(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


class LineupPlayer(_Data):
    name: _Name
    number: StrictInt | None = Field(default=None, ge=0, le=999)
    position: _Short | None = None
    """``G``, ``D``, ``M``, ``F`` (API-Football's letters) or a provider's own word."""
    player_id: _PlayerId | None = None


class Lineup(_Data):
    """One team's line-up: formation, the starting XI, the bench and the coach."""

    type: Literal["lineup"]
    match: _Name
    team: _Name
    formation: _Short | None = None
    coach: _Name | None = None
    colour: Annotated[str, StringConstraints(pattern=r"^#[0-9A-Fa-f]{6}$")] | None = None
    """The team's shirt colour (``#0068A8``), for the match card."""
    start: tuple[LineupPlayer, ...] = Field(min_length=1, max_length=30)
    bench: tuple[LineupPlayer, ...] = Field(default=(), max_length=40)


class TeamFigures(_Data):
    """One side's statistics; each figure only when the source gave it."""

    possession: StrictInt | None = Field(default=None, ge=0, le=100)
    shots: _Count | None = None
    shots_on_target: _Count | None = None
    xg: StrictFloat | StrictInt | None = Field(default=None, ge=0, le=50)
    corners: _Count | None = None
    fouls: _Count | None = None
    yellow_cards: _Count | None = None
    red_cards: _Count | None = None
    saves: _Count | None = None
    offsides: _Count | None = None


FIGURES: tuple[str, ...] = tuple(TeamFigures.model_fields)


class MatchStats(_Data):
    """The statistics at half-time or at full time."""

    type: Literal["stats"]
    match: _Name
    period: Literal["half_time", "full_time"]
    home: TeamFigures
    away: TeamFigures


class PlayerRating(_Data):
    name: _Name
    team: _Name
    rating: StrictFloat | StrictInt = Field(ge=0, le=10)
    player_id: _PlayerId | None = None


class Ratings(_Data):
    """The players' match ratings (API-Football's ``games.rating``)."""

    type: Literal["ratings"]
    match: _Name
    players: tuple[PlayerRating, ...] = Field(min_length=1, max_length=80)


class TableEntry(_Data):
    team: _Name
    points: StrictInt = Field(ge=-99, le=999)
    played: StrictInt | None = Field(default=None, ge=0, le=999)
    goal_difference: StrictInt | None = Field(default=None, ge=-999, le=999)


class Standings(_Data):
    """The competition's table *before* the match: each team and its points. At full time
    the bot adds the result and says what changed (``Inter go four points clear at the
    top``)."""

    type: Literal["standings"]
    match: _Name
    table: tuple[TableEntry, ...] = Field(min_length=2, max_length=64)


MatchData = Lineup | MatchStats | Ratings | Standings
MatchDataItem = Annotated[MatchData, Field(discriminator="type")]
MATCH_DATA_CLASSES = (Lineup, MatchStats, Ratings, Standings)
MATCH_DATA_TYPES: frozenset[str] = frozenset({"lineup", "stats", "ratings", "standings"})


def data_key(item: MatchData) -> str:
    """Which stored object a new one replaces: a team's line-up, a period's statistics, the
    match's ratings, the table before the match."""
    if isinstance(item, Lineup):
        return f"lineup:{item.team.casefold()}"
    if isinstance(item, MatchStats):
        return f"stats:{item.period}"
    return item.type


@dataclass
class StoredData:
    """A match's stored match data, read back (see :meth:`from_rows`)."""

    lineups: list[Lineup] = field(default_factory=list)
    stats: dict[str, MatchStats] = field(default_factory=dict)
    ratings: Ratings | None = None
    standings: Standings | None = None
    lineup_versions: int = 0
    """How many line-up objects were kept so far (each new or changed one counts)."""

    @classmethod
    def from_rows(cls, rows: Iterable[MatchDataRow]) -> StoredData:
        data = cls()
        for row in rows:
            try:
                item = _adapter.validate_json(row["data"])
            except ValueError:
                log.warning("match data %s of %s cannot be read", row["key"], row["match_id"])
                continue
            if isinstance(item, Lineup):
                data.lineups.append(item)
                data.lineup_versions += int(row["version"])
            elif isinstance(item, MatchStats):
                data.stats[item.period] = item
            elif isinstance(item, Ratings):
                data.ratings = item
            else:
                data.standings = item
        return data


_adapter: TypeAdapter[MatchData] = TypeAdapter(MatchDataItem)


def _places(points: dict[str, int]) -> dict[str, int]:
    """Each team's place by points (teams level on points share the higher place)."""
    return {team: 1 + sum(1 for p in points.values() if p > mine) for team, mine in points.items()}


def table_after(
    standings: Standings,
    sides: tuple[str, str],
    goals: tuple[int, int],
    same_team: Callable[[str, str], bool],
) -> tuple[dict[str, int], dict[str, int]] | None:
    """The table's points before and after the result (home ``goals[0]``, away ``goals[1]``),
    keyed by the match's names for its two teams and the table's for the others; None when
    the table does not list both teams. ``same_team(table name, side)``: whether a table
    name is the side's team (the catalogue knows ``Internazionale`` is Inter)."""
    before: dict[str, int] = {}
    found: dict[str, str] = {}
    for entry in standings.table:
        name = entry.team
        for side in sides:
            if side not in found and same_team(name, side):
                found[side] = name
                name = side
                break
        if name in before:
            log.warning("standings of %s list %s twice: the first kept", standings.match, name)
            continue
        before[name] = entry.points
    if len(found) < 2:
        missing = [side for side in sides if side not in found]
        log.warning("standings of %s do not list %s", standings.match, ", ".join(missing))
        return None
    after = dict(before)
    home, away = sides
    if goals[0] > goals[1]:
        after[home] += 3
    elif goals[1] > goals[0]:
        after[away] += 3
    else:
        after[home] += 1
        after[away] += 1
    return before, after


def moves(before: dict[str, int], after: dict[str, int], teams: Sequence[str]) -> list[Move]:
    """Where each of ``teams`` stands after the match, compared with before."""
    was, now = _places(before), _places(after)
    out = []
    for team in teams:
        level = tuple(t for t, p in after.items() if p == after[team] and t != team)
        gap = None
        if now[team] == 1 and not level:
            others = [p for t, p in after.items() if t != team]
            gap = after[team] - max(others) if others else 0
        out.append(Move(team, was[team], now[team], after[team], gap, level))
    return out


@dataclass(frozen=True)
class Move:
    """One team's place before and after the match (by points; ``level``: the other teams on
    the same points after it; ``gap``: points clear of the second when top alone)."""

    team: str
    before: int
    after: int
    points: int
    gap: int | None
    level: tuple[str, ...]
