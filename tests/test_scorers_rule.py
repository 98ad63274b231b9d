"""One /scorers rule: the store's query (``Store.top_scorers``) and the Python rule over the
derived match states (``bot.match.rank_scorers``) give the same ranking, on SQLite and on
PostgreSQL, over varied matches: own goals, penalties, scorers not known (no name, a word that
is not a name, a score-only provider's goals), disallowed goals, goals cancelled or taken back
by a reporter, goals amended (another scorer, another kind, the other side), a team spelled
another way, a namesake in another team, and a match of another competition."""

from __future__ import annotations

import json
import random

import pytest

from bot.engine import Engine
from bot.feed_format import parse_line
from bot.match import Fixture, derive_state, rank_scorers
from storage.store import Store

TEAMS = ("Atalanta", "Inter", "Milan", "Roma")
PLAYERS = {
    "Atalanta": ["Lookman", "Retegui", "Rossi"],
    "Inter": ["Lautaro Martínez", "Thuram", "Rossi"],  # a namesake in another team
    "Milan": ["Leão", "Pulisic", "Álvaro"],
    "Roma": ["Dybala", "Dovbyk", "Zé"],
}
#: scorers that are not known, however they are written
UNKNOWN = [None, "Unknown", "UNKNOWN SCORER", "n/a", "None", "null"]


def line(**fields: object) -> str:
    return json.dumps({k: v for k, v in fields.items() if v is not None}, ensure_ascii=False)


def ingest(engine: Engine, **fields: object) -> None:
    engine.ingest(parse_line(line(**fields)))  # type: ignore[arg-type]


class Season:
    """Random matches fed through the engine, as a feed and reporters would."""

    def __init__(self, engine: Engine, seed: int) -> None:
        self.engine = engine
        self.rng = random.Random(seed)
        self.matches: dict[str, list[str]] = {}

    def play(self, match: str, competition: str, events: int) -> None:
        rng = self.rng
        home, away = rng.sample(TEAMS, 2)
        ingest(
            self.engine,
            type="match",
            match=match,
            competition=competition,
            home=home,
            away=away,
            kickoff="2026-02-01T19:45:00Z",
        )
        self.matches.setdefault(competition, []).append(match)
        goals: dict[str, str] = {}  # goal id -> its team as it stands
        taken: set[str] = set()
        for n in range(events):
            minute = 1 + n * 90 // events
            team = rng.choice((home, away))
            # a feed may spell the team in another case: it is the same side
            spelt = team.lower() if rng.random() < 0.2 else team
            roll = rng.random()
            if roll < 0.45 or not goals:
                gid = f"score:home:{n}" if rng.random() < 0.1 else f"g{n}"
                player = self._scorer(team)
                kind = rng.choice(("normal", "normal", "penalty", "own_goal"))
                ingest(
                    self.engine,
                    type="goal",
                    match=match,
                    id=gid,
                    minute=minute,
                    team=spelt,
                    player=player,
                    kind=kind,
                )
                goals[gid] = spelt
            elif roll < 0.55:
                ingest(
                    self.engine,
                    type="goal_disallowed",
                    match=match,
                    id=f"d{n}",
                    minute=minute,
                    team=spelt,
                    player=rng.choice(PLAYERS[team]),
                    reason="offside",
                )
            elif roll < 0.65:
                open_goals = [g for g in goals if g not in taken]
                if open_goals:
                    ref = rng.choice(open_goals)
                    ingest(
                        self.engine,
                        type="goal_cancelled",
                        match=match,
                        id=f"c{n}",
                        minute=minute,
                        team=goals[ref],
                        ref=ref,
                        reason="var",
                    )
                    taken.add(ref)
            elif roll < 0.85:
                open_goals = [g for g in goals if g not in taken]
                if open_goals:
                    ref = rng.choice(open_goals)
                    new_team = rng.choice((home, away))  # an own goal may move it over
                    ingest(
                        self.engine,
                        type="goal_update",
                        match=match,
                        id=f"{ref}:u{n}",
                        ref=ref,
                        minute=minute,
                        team=new_team,
                        player=self._scorer(new_team),
                        kind=rng.choice(("normal", "penalty", "own_goal")),
                    )
                    goals[ref] = new_team
                    if rng.random() < 0.3:  # a reporter takes the update back
                        self.engine.retract(f"{ref}:u{n}", match)
                        goals[ref] = self._team_now(match, ref)
            else:
                open_goals = [g for g in goals if g not in taken]
                if open_goals and rng.random() < 0.5:
                    ref = rng.choice(open_goals)  # a reporter takes a goal back
                    self.engine.retract(ref, match)
                    taken.add(ref)

    def _scorer(self, team: str) -> str | None:
        if self.rng.random() < 0.25:
            return self.rng.choice(UNKNOWN)
        return self.rng.choice(PLAYERS[team])

    def _team_now(self, match: str, goal: str) -> str:
        state = self.engine.state(match)
        assert state is not None
        found = state.goal_by_id(goal)
        assert found is not None
        return found.team


def python_answer(store: Store, matches: list[str], limit: int) -> list[tuple[str, str, int]]:
    states = []
    for match in matches:
        row = store.match(match)
        assert row is not None
        states.append(derive_state(Fixture.from_row(row), store.events(match)))
    return rank_scorers(states, limit)


def sql_answer(store: Store, competition: str, limit: int) -> list[tuple[str, str, int]]:
    return [(r["player"], r["team"], r["goals"]) for r in store.top_scorers(competition, limit)]


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_query_and_the_python_rule_rank_the_same_scorers(any_store: Store, seed: int) -> None:
    season = Season(Engine(any_store), seed)
    for n in range(8):
        season.play(f"s{seed}-m{n}", "Serie A", events=14)
    season.play(f"s{seed}-cup", "Coppa Italia", events=10)
    matches = season.matches["Serie A"]
    python = python_answer(any_store, matches, 100)
    assert len(python) >= 5, python  # the season has scorers to rank
    assert sql_answer(any_store, "Serie A", 100) == python
    for limit in (1, 3, 5):  # ties at the cut fall the same way
        assert sql_answer(any_store, "Serie A", limit) == python_answer(any_store, matches, limit)
    assert sql_answer(any_store, "Coppa Italia", 100) == python_answer(
        any_store, season.matches["Coppa Italia"], 100
    )


def test_unknown_scorers_own_goals_and_cancelled_goals_count_for_nobody(any_store: Store) -> None:
    engine = Engine(any_store)
    ingest(
        engine,
        type="match",
        match="m",
        competition="Serie A",
        home="Atalanta",
        away="Inter",
        kickoff="2026-02-01T19:45:00Z",
    )
    goals = [
        ("g1", "Inter", "Thuram", "normal"),
        ("g2", "inter", "Thuram", "penalty"),  # the same side, spelt otherwise
        ("g3", "Inter", "N/A", "normal"),
        ("score:away:1", "Inter", "Thuram", "normal"),  # a score-only provider's goal
        ("g4", "Atalanta", "Thuram", "own_goal"),
        ("g5", "Atalanta", "Lookman", "normal"),
        ("g6", "Atalanta", None, "normal"),
    ]
    for minute, (gid, team, player, kind) in enumerate(goals, start=10):
        ingest(
            engine,
            type="goal",
            match="m",
            id=gid,
            minute=minute,
            team=team,
            player=player,
            kind=kind,
        )
    ingest(
        engine,
        type="goal_cancelled",
        match="m",
        id="c5",
        minute=30,
        team="Atalanta",
        ref="g5",
        reason="var",
    )
    assert sql_answer(any_store, "Serie A", 10) == [("Thuram", "Inter", 2)]
    assert python_answer(any_store, ["m"], 10) == [("Thuram", "Inter", 2)]
