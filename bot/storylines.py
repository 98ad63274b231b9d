"""Storylines: facts around a match computed from the matches the bot knows.

Each storyline is claimed only when the store proves it; a wrong fact is worse than none.

- A run of matches ("the last N") is a chain of the team's matches in the same competition and
  season whose rounds are consecutive league matchdays (``Matchday 17``, ``Regular Season -
  17``, ``Giornata 17`` …), each finished, with no other known match of the team in that
  competition in between. A missing matchday ends the chain: the bot never claims across a
  match it does not know. Matches without a numbered matchday (cup rounds) make no runs.
- A player's streak counts chain matches in which he scored (own goals do not count); a match
  whose scorers are unknown (a score-only provider) ends it.
- Season goals are only given when the chain reaches back to matchday 1.
- The table position is computed only when the bot knows every match of every round up to this
  one (each of at least ten teams playing once per matchday), and only for a team whose points
  no other team shares (tie-breakers differ by league);
  a provider's table (football-data.org) is used when it has demonstrably counted this match.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal

from bot.match import (
    Fixture,
    KeptStates,
    MatchState,
    Side,
    is_known_scorer,
    scorer_credit,
)
from bot.ports import TableRow
from bot.store_contract import CoreStore, MatchRow
from bot.teams import find_team

_ROUND = re.compile(
    r"^\s*(?:matchday|match day|regular season\s*-|round|giornata|gameweek|week|jornada|"
    r"spieltag|journée)\s*(\d{1,2})\s*$",
    re.IGNORECASE,
)
MIN_RUN = 3
#: A table is only computed for a competition of at least this many known teams: a handful of
#: teams that happen to have played each other could otherwise pass for a whole league.
MIN_TABLE_TEAMS = 10


def matchday(round_name: str | None) -> int | None:
    """The league matchday a round names (``Matchday 17`` → 17), None for anything else."""
    if not round_name:
        return None
    found = _ROUND.match(round_name)
    return int(found.group(1)) if found else None


@dataclass(frozen=True)
class PlayerStreak:
    player: str
    team: str
    matches: int
    competition: str


@dataclass(frozen=True)
class SeasonGoals:
    player: str
    team: str
    goals: int
    competition: str


RunKind = Literal["wins", "unbeaten", "defeats", "winless", "clean_sheets"]


@dataclass(frozen=True)
class TeamRun:
    team: str
    kind: RunKind
    matches: int
    competition: str


@dataclass(frozen=True)
class LastMeeting:
    state: MatchState


@dataclass(frozen=True)
class TablePlace:
    team: str
    position: int
    points: int
    competition: str
    source: str | None = None  # None: computed from the matches the bot knows


@dataclass(frozen=True)
class NextFixture:
    team: str
    fixture: Fixture


Storyline = PlayerStreak | SeasonGoals | TeamRun | LastMeeting | TablePlace | NextFixture


def _side(fixture: Fixture, team_id: str) -> Side:
    return "home" if fixture.home_team == team_id else "away"


def _other(side: Side) -> Side:
    return "away" if side == "home" else "home"


class Storylines:
    """Computes storylines for one match from the store (runs on the database thread)."""

    def __init__(self, store: CoreStore, states: KeptStates) -> None:
        self.store = store
        #: the bot's one cache of match states (the engine's)
        self.states = states

    def _state(self, row: MatchRow) -> MatchState:
        return self.states.get(self.store, Fixture.from_row(row))

    # --- chains of consecutive matchdays ---------------------------------------------------

    def chain(self, current: MatchState, team_id: str) -> list[MatchState]:
        """``current`` and the team's matches of the consecutive matchdays before it, newest
        first (see the module's rules); just ``[current]`` when nothing can be chained."""
        fx = current.fixture
        number = matchday(fx.round)
        if number is None:
            return [current]
        rows = [
            r
            for r in self.store.matches_of_team(team_id)
            if r["competition"] == fx.competition
            and r["season"] == fx.season
            and r["id"] != fx.id
            and r["kickoff"] < fx.kickoff.isoformat()
        ]
        chain = [current]
        previous_kickoff = fx.kickoff.isoformat()
        for row in sorted(rows, key=lambda r: (r["kickoff"], r["id"]), reverse=True):
            wanted = matchday(chain[-1].fixture.round)
            assert wanted is not None
            if matchday(row["round"]) != wanted - 1 or row["kickoff"] >= previous_kickoff:
                break  # a gap, or another match of the team in between: the chain ends
            state = self._state(row)
            if not state.finished:
                break
            chain.append(state)
            previous_kickoff = row["kickoff"]
        return chain

    # --- players ---------------------------------------------------------------------------

    def player_streak(self, current: MatchState, player: str, side: Side) -> PlayerStreak | None:
        """Consecutive matches (ending with ``current``) in which ``player`` scored for the team
        on ``side``; None below :data:`MIN_RUN`."""
        fx = current.fixture
        team_id = fx.home_team if side == "home" else fx.away_team
        count = 0
        for state in self.chain(current, team_id):
            scored = _scored_in(state, team_id, player)
            if not scored:
                break
            count += 1
        if count < MIN_RUN:
            return None
        team = fx.home if side == "home" else fx.away
        return PlayerStreak(player, team, count, fx.competition)

    def season_goals(self, current: MatchState, player: str, side: Side) -> SeasonGoals | None:
        fx = current.fixture
        team_id = fx.home_team if side == "home" else fx.away_team
        chain = self.chain(current, team_id)
        if matchday(chain[-1].fixture.round) != 1:
            return None
        goals = 0
        for state in chain:
            my_side = _side(state.fixture, team_id)
            mine = [g for g in state.goals if g.side == my_side]
            if any(not is_known_scorer(g.goal) for g in mine):
                return None
            goals += sum(
                1 for g in mine if (scorer_credit(g.goal) or "").casefold() == player.casefold()
            )
        if not goals:
            return None
        team = fx.home if side == "home" else fx.away
        return SeasonGoals(player, team, goals, fx.competition)

    # --- teams -----------------------------------------------------------------------------

    def team_runs(self, current: MatchState, side: Side) -> list[TeamRun]:
        fx = current.fixture
        team_id = fx.home_team if side == "home" else fx.away_team
        results: list[tuple[int, int]] = []  # (goals for, goals against), newest first
        for state in self.chain(current, team_id):
            if not state.finished:
                break
            mine = _side(state.fixture, team_id)
            results.append((getattr(state.score, mine), getattr(state.score, _other(mine))))
        team = fx.home if side == "home" else fx.away

        def run(test: Callable[[int, int], bool]) -> int:
            n = 0
            for scored, conceded in results:
                if not test(scored, conceded):
                    break
                n += 1
            return n

        runs: list[TeamRun] = []
        wins, unbeaten = run(lambda f, a: f > a), run(lambda f, a: f >= a)
        defeats, winless = run(lambda f, a: f < a), run(lambda f, a: f <= a)
        clean = run(lambda f, a: a == 0)
        if wins >= MIN_RUN:
            runs.append(TeamRun(team, "wins", wins, fx.competition))
        elif unbeaten >= MIN_RUN:
            runs.append(TeamRun(team, "unbeaten", unbeaten, fx.competition))
        if defeats >= MIN_RUN:
            runs.append(TeamRun(team, "defeats", defeats, fx.competition))
        elif winless >= MIN_RUN:
            runs.append(TeamRun(team, "winless", winless, fx.competition))
        if clean >= MIN_RUN:
            runs.append(TeamRun(team, "clean_sheets", clean, fx.competition))
        return runs

    def last_meeting(self, current: MatchState) -> LastMeeting | None:
        fx = current.fixture
        teams = {fx.home_team, fx.away_team}
        earlier = [
            r
            for r in self.store.matches_of_team(fx.home_team)
            if {r["home_team"], r["away_team"]} == teams
            and r["id"] != fx.id
            and r["kickoff"] < fx.kickoff.isoformat()
            and r["period"] == "full_time"
        ]
        if not earlier:
            return None
        return LastMeeting(self._state(earlier[-1]))

    def next_fixture(self, current: MatchState, side: Side) -> NextFixture | None:
        """The team's next known match in the same competition: with numbered matchdays,
        only the very next matchday's (anything else could skip a match the bot does not
        know)."""
        fx = current.fixture
        team_id = fx.home_team if side == "home" else fx.away_team
        later = [
            r
            for r in self.store.matches_of_team(team_id)
            if r["period"] is None
            and r["kickoff"] > fx.kickoff.isoformat()
            and r["competition"] == fx.competition
        ]
        if not later:
            return None
        number = matchday(fx.round)
        if number is not None and matchday(later[0]["round"]) != number + 1:
            return None
        return NextFixture(fx.home if side == "home" else fx.away, Fixture.from_row(later[0]))

    # --- the table -------------------------------------------------------------------------

    def computed_table(self, current: MatchState) -> dict[str, tuple[int, int]] | None:
        """Team id → (position, points) after ``current``'s matchday, when every match of
        every matchday up to it is known and finished; None otherwise."""
        fx = current.fixture
        last = matchday(fx.round)
        if last is None:
            return None
        rounds: dict[int, list[MatchRow]] = defaultdict(list)
        teams: set[str] = set()
        for row in self.store.matches(fx.competition):
            if row["season"] != fx.season:
                continue
            number = matchday(row["round"])
            if number is None:
                return None
            teams |= {row["home_team"], row["away_team"]}
            if number <= last:
                rounds[number].append(row)
        if len(teams) < MIN_TABLE_TEAMS or len(teams) % 2:
            return None
        points = self._points(rounds, teams, last)
        if points is None:
            return None
        table = {}
        for team, pts in points.items():
            above = sum(1 for other in points.values() if other > pts)
            tied = sum(1 for other in points.values() if other == pts) > 1
            if not tied:
                table[team] = (above + 1, pts)
        return table

    def _points(
        self, rounds: dict[int, list[MatchRow]], teams: set[str], last: int
    ) -> Counter[str] | None:
        """Each team's points over matchdays 1 to ``last``, when every team played once in
        each and every match is finished; None otherwise."""
        points: Counter[str] = Counter(dict.fromkeys(teams, 0))
        for number in range(1, last + 1):
            played = rounds.get(number, [])
            seen = [t for r in played for t in (r["home_team"], r["away_team"])]
            if len(played) != len(teams) // 2 or sorted(seen) != sorted(teams):
                return None
            for row in played:
                state = self._state(row)
                if not state.finished:
                    return None
                home, away = state.score.home, state.score.away
                points[row["home_team"]] += 3 if home > away else 1 if home == away else 0
                points[row["away_team"]] += 3 if away > home else 1 if home == away else 0
        return points

    def table_places(
        self, current: MatchState, standings: Sequence[TableRow] | None, source: str | None
    ) -> list[TablePlace]:
        fx = current.fixture
        places: list[TablePlace] = []
        provided = self._provided_table(current, standings) if standings else None
        computed = None if provided else self.computed_table(current)
        for team_id, name in ((fx.home_team, fx.home), (fx.away_team, fx.away)):
            if provided and team_id in provided:
                row = provided[team_id]
                places.append(TablePlace(name, row.position, row.points, fx.competition, source))
            elif computed and team_id in computed:
                position, points = computed[team_id]
                places.append(TablePlace(name, position, points, fx.competition))
        return places

    def _provided_table(
        self, current: MatchState, standings: Sequence[TableRow]
    ) -> dict[str, TableRow] | None:
        """The provider's rows of this match's teams, only when both rows have counted this
        matchday's match (played == matchday) and name the teams unambiguously."""
        fx = current.fixture
        number = matchday(fx.round)
        if number is None:
            return None
        found: dict[str, TableRow] = {}
        for row in standings:
            team = find_team(self.store, row.team).team
            if team is not None and team.id in (fx.home_team, fx.away_team):
                if team.id in found:
                    return None
                found[team.id] = row
        if len(found) != 2 or any(row.played != number for row in found.values()):
            return None
        return found

    # --- everything ------------------------------------------------------------------------

    def for_recap(
        self,
        current: MatchState,
        standings: Sequence[TableRow] | None = None,
        source: str | None = None,
    ) -> list[Storyline]:
        """Every storyline the store proves for a finished match, in the recap's order."""
        stories: list[Storyline] = []
        scorers: list[tuple[str, Side]] = []
        for scored in current.goals:
            player = scorer_credit(scored.goal)
            if player is not None and (player, scored.side) not in scorers:
                scorers.append((player, scored.side))
        for player, side in scorers:
            streak = self.player_streak(current, player, side)
            if streak:
                stories.append(streak)
            season = self.season_goals(current, player, side)
            if season:
                stories.append(season)
        for side in ("home", "away"):
            stories.extend(self.team_runs(current, side))
        stories.extend(self.table_places(current, standings, source))
        meeting = self.last_meeting(current)
        if meeting:
            stories.append(meeting)
        for side in ("home", "away"):
            upcoming = self.next_fixture(current, side)
            if upcoming:
                stories.append(upcoming)
        return stories


def _scored_in(state: MatchState, team_id: str, player: str) -> bool:
    side = _side(state.fixture, team_id)
    return any(
        g.side == side and (scorer_credit(g.goal) or "").casefold() == player.casefold()
        for g in state.goals
    )
