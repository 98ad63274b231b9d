"""The engine's work for a match's depth: checking match data, queuing the line-ups once per
chat (a late change edits that message), editing the statistics into the half-time and
full-time alerts, grouping substitutions made at once, and the table after the result.

Runs inside the engine's transaction, on the database thread (like :mod:`bot.engine`).
"""

from __future__ import annotations

import json
import logging
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from bot.feed_format import FeedError, PeriodEvent, SubstitutionEvent
from bot.match import Fixture, MatchState, StoredEvent
from bot.match_data import (
    Lineup,
    LineupPlayer,
    MatchData,
    MatchStats,
    Move,
    Ratings,
    Standings,
    StoredData,
    TableEntry,
    moves,
    table_after,
)
from bot.messages import templates
from bot.messages.model import MatchCard, Message
from bot.messages.templates.card import match_card
from bot.messages.templates.depth import enrich_alert
from bot.messages.templates.lineups import lineup_of, lineups
from bot.players import split_ref
from bot.teams import find_team, normalize

if TYPE_CHECKING:
    from bot.engine.base import EngineBase

log = logging.getLogger(__name__)

COLOURS = Path(__file__).resolve().parent / "data" / "team_colours.json"


@cache
def _colours() -> dict[str, str]:
    data = json.loads(COLOURS.read_text("utf-8"))
    return {k.casefold(): v for k, v in data.items() if not k.startswith("_")}


def team_colour(*names: str | None) -> str | None:
    """The team's shirt colour where the bundled list knows it (by any of its names)."""
    for name in names:
        if name and name.casefold() in _colours():
            return _colours()[name.casefold()]
    return None


def _unique(players: tuple[LineupPlayer, ...], seen: set[str]) -> tuple[LineupPlayer, ...]:
    out = []
    for player in players:
        key = player.player_id or normalize(player.name)
        if key in seen:
            continue
        seen.add(key)
        out.append(player)
    return tuple(out)


class DepthFanOut:
    """One match's depth, for the engine (see the module's docstring)."""

    def __init__(self, engine: EngineBase, fixture: Fixture) -> None:
        self.engine = engine
        self.store = engine.store
        self.fixture = fixture

    def data(self) -> StoredData:
        return self.engine.stored_data(self.fixture.id)

    # --- checking -------------------------------------------------------------------------

    def checked(self, item: MatchData) -> MatchData:
        """``item`` fit to keep: a line-up of a team of the match with each player once,
        ratings of the match's players. Raises :class:`FeedError`."""
        fx = self.fixture
        if isinstance(item, Lineup):
            side = fx.side_of(item.team)
            if side is None:
                raise FeedError(f"team {item.team!r} does not play in {fx.home} v {fx.away}")
            seen: set[str] = set()
            start = _unique(item.start, seen)
            bench = _unique(item.bench, seen)
            if (len(start), len(bench)) != (len(item.start), len(item.bench)):
                log.warning("line-up of %s for %s lists a player twice", item.team, fx.id)
            return item.model_copy(update={"start": start, "bench": bench})
        if isinstance(item, Ratings):
            players = [p for p in item.players if fx.side_of(p.team) is not None]
            if not players:
                raise FeedError(f"no rated player plays in {fx.home} v {fx.away}")
            if len(players) < len(item.players):
                log.warning("ratings of %s name players of other teams: left out", fx.id)
            return item.model_copy(update={"players": tuple(players)})
        return item

    # --- line-ups -------------------------------------------------------------------------

    def _remember(self, lineup: Lineup) -> dict[int, str]:
        """Keep the line-up's players (so they can be followed before they play); returns
        the stored ids of its players, each with his name."""
        fx = self.fixture
        team_id = fx.home_team if fx.side_of(lineup.team) == "home" else fx.away_team
        ids: dict[int, str] = {}
        for player in (*lineup.start, *lineup.bench):
            norm = normalize(player.name)
            if player.player_id:
                provider, number = split_ref(player.player_id)
                self.store.add_provider_player(player.name, norm, team_id, provider, number)
                found = self.store.player_ids_by_provider([(provider, number)])
            else:
                self.store.add_players([(player.name, norm, team_id)])
                found = self.store.player_ids([(team_id, norm)])
            for pid in found:
                ids.setdefault(pid, player.name)
        return ids

    def lineups(self, lineup: Lineup) -> int:
        """Queue the line-ups message (the first line-up of the match), or its edit (a
        second team's line-up, a late change): each chat gets one message."""
        followed = self._remember(lineup)
        state = self.engine.state(self.fixture.id)
        if state is None or state.finished:
            return 0
        data = self.data()
        fx = self.fixture
        home, away = lineup_of(data.lineups, fx, "home"), lineup_of(data.lineups, fx, "away")
        all_ids: dict[int, str] = {}
        for other in (home, away):
            if other is not None and other is not lineup:
                all_ids |= self._remember(other)
        all_ids |= followed
        first = data.lineup_versions == 1
        key = f"lineup:{fx.id}" if first else f"lineup:{fx.id}:{data.lineup_versions}"
        edits = None if first else f"lineup:{fx.id}"
        queued = 0
        # a chat following a player of the line-ups gets them with him marked (the first of
        # its players to be queued: a chat's key is queued once)
        for pid, name in all_ids.items():
            queued += self.engine._fan_out(
                fx,
                key,
                "lineups",
                lambda zone, name=name: lineups(  # type: ignore[misc]
                    fx, home, away, templates.fixture_line(fx, zone), (name,), name
                ),
                players=[pid],
                teams=False,
                hold=False,
                edits=edits,
                wants=("lineups",),
            )
        queued += self.engine._fan_out(
            fx,
            key,
            "lineups",
            lambda zone: lineups(fx, home, away, templates.fixture_line(fx, zone)),
            hold=False,
            edits=edits,
            wants=("lineups",),
        )
        log.info("line-ups of %s queued for %d chats", fx.id, queued)
        return queued

    # --- statistics -----------------------------------------------------------------------

    def _period_event(self, state: MatchState, period: str) -> StoredEvent | None:
        for stored in reversed(state.events):
            if isinstance(stored.event, PeriodEvent) and stored.event.period == period:
                return stored
        return None

    def stats(self, stats: MatchStats, version: int) -> int:
        """The half-time or full-time alert edited to carry these statistics (for chats that
        want them), when that alert exists; else it carries them when it is made."""
        state = self.engine.state(self.fixture.id)
        if state is None:
            return 0
        stored = self._period_event(state, stats.period)
        return 0 if stored is None else self.stats_edit(state, stored, version)

    def stats_edit(self, state: MatchState, stored: StoredEvent, version: int) -> int:
        fx = self.fixture
        assert isinstance(stored.event, PeriodEvent)
        data = self.data()
        if stored.event.period not in data.stats:
            return 0
        return self.engine._fan_out(
            fx,
            f"stats:{fx.id}:{stored.event.period}:{version}",
            "stats",
            lambda zone: enrich_alert(
                templates.alert(state, stored, zone), state, stored, data, stats=True
            ),
            category=templates.alert_category(stored.event),
            edits=f"event:{fx.id}:{stored.event.id}",
            wants=("stats",),
        )

    def after_period(self, state: MatchState, stored: StoredEvent) -> int:
        """Right after a half-time or full-time alert: the statistics already kept."""
        event = stored.event
        if not isinstance(event, PeriodEvent) or event.period not in ("half_time", "full_time"):
            return 0
        version = next(
            (
                int(r["version"])
                for r in self.store.match_data(self.fixture.id)
                if r["key"] == f"stats:{event.period}"
            ),
            0,
        )
        return self.stats_edit(state, stored, version) if version else 0

    # --- substitutions --------------------------------------------------------------------

    def grouped_with(self, state: MatchState, stored: StoredEvent) -> str | None:
        """For a substitution made with others of its team at the same minute: the key of
        the first one's alert, which this one edits (several changes, one message)."""
        event = stored.event
        if not isinstance(event, SubstitutionEvent):
            return None
        for other in state.events:
            if (
                other.seq < stored.seq
                and isinstance(other.event, SubstitutionEvent)
                and other.event.team == event.team
                and other.clock == stored.clock
            ):
                return f"event:{self.fixture.id}:{other.event.id}"
        return None

    # --- the recap's variants and its picture -------------------------------------------

    @staticmethod
    def recap_variants(data: StoredData) -> list[tuple[tuple[str, ...], bool, bool]]:
        """(settings wanted, with statistics, with the picture) for each group of chats."""
        stats = [(("stats",), True), (("!stats",), False)] if data.stats else [((), True)]
        pictures = [(("+pictures",), True), (("-pictures",), False)]
        return [(s + p, with_stats, card) for s, with_stats in stats for p, card in pictures]

    def card(self, state: MatchState, data: StoredData, zone: ZoneInfo | None) -> MatchCard:
        fx = self.fixture
        names = []
        for side, team_id, name in (
            ("home", fx.home_team, fx.home),
            ("away", fx.away_team, fx.away),
        ):
            lineup = lineup_of(data.lineups, fx, side)
            row = self.store.team(team_id)
            names.append(
                (lineup.colour if lineup else None)
                or team_colour(name, row["name"] if row else None)
            )
        return match_card(state, data, (names[0], names[1]), zone)

    def with_card(
        self, message: Message, state: MatchState, data: StoredData, zone: ZoneInfo | None
    ) -> Message:
        return message.model_copy(update={"card": self.card(state, data, zone)})

    # --- the table ------------------------------------------------------------------------

    def table_moves(self, state: MatchState, data: StoredData) -> list[Move]:
        """Where both teams stand after the result, from the table before the match: the one
        declared for it, else one computed from the competition's results in the store
        (:meth:`rolled_table`); nothing when there is none, or it does not list both teams."""
        if not state.finished:
            return []
        standings = data.standings or self.rolled_table()
        if standings is None:
            return []
        fx = self.fixture
        ids = {fx.home: fx.home_team, fx.away: fx.away_team}

        def same_team(name: str, side: str) -> bool:
            if name.casefold() == side.casefold():
                return True
            found = find_team(self.store, name)
            return found.team is not None and found.team.id == ids[side]

        table = table_after(
            standings, (fx.home, fx.away), (state.score.home, state.score.away), same_team
        )
        if table is None:
            return []
        return moves(*table, (fx.home, fx.away))

    def _team_key(self, name: str) -> str:
        """A table's team as the catalogue knows it (its id), else its name."""
        found = find_team(self.store, name)
        return found.team.id if found.team is not None else f"name:{normalize(name)}"

    def rolled_table(self) -> Standings | None:
        """The table before this match computed from the store: the latest earlier match of
        the same competition and season that has a table declared (a feed's ``standings``, a
        provider's), plus its result and the result of every match of the competition and
        season the store holds as finished since, before this one. None without such a table,
        or when one of those matches has a team the table does not list (it is not this
        league's table): nothing is guessed."""
        fx = self.fixture
        earlier = [
            row
            for row in self.store.matches(fx.competition)
            if row["season"] == fx.season
            and row["id"] != fx.id
            and row["kickoff"] < fx.kickoff.isoformat()
            and row["period"] == "full_time"
        ]
        base = None
        for i in range(len(earlier) - 1, -1, -1):
            declared = self.engine.stored_data(earlier[i]["id"]).standings
            if declared is not None:
                base, earlier = declared, earlier[i:]
                break
        if base is None:
            return None
        points: dict[str, int] = {}
        names: dict[str, str] = {}
        for entry in base.table:
            key = self._team_key(entry.team)
            if key not in points:
                points[key], names[key] = entry.points, entry.team
        for row in earlier:
            home, away = row["home_team"], row["away_team"]
            if home not in points or away not in points:
                log.info("no table for %s: %s has a team its table does not list", fx.id, row["id"])
                return None
            result = self.engine.state(row["id"])
            if result is None:
                return None
            goals = (result.score.home, result.score.away)
            if goals[0] > goals[1]:
                points[home] += 3
            elif goals[1] > goals[0]:
                points[away] += 3
            else:
                points[home] += 1
                points[away] += 1
        table = tuple(
            TableEntry(team=names[key], points=points[key])
            for key in sorted(points, key=lambda k: -points[k])
        )
        return Standings(type="standings", match=fx.id, table=table)
