"""Players: who an event involves, remembered as events arrive, and found by what fans type.

A player is one name in one team (compared without accents or case: ``Lautaro Martinez`` is
``Lautaro Martínez``). The ``players`` table has room for a provider's player id
(``provider``, ``provider_id``), but feed format v1 carries none yet, so players are matched by
name and team only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.feed import (
    CardEvent,
    Event,
    GoalCancelledEvent,
    GoalDisallowedEvent,
    GoalEvent,
    MissEvent,
    NoteEvent,
    PenaltyMissedEvent,
    SaveEvent,
    ShootoutKickEvent,
    SubstitutionEvent,
)
from bot.match import Fixture, MatchState
from bot.teams import find_team, normalize
from storage.store import Store


@dataclass(frozen=True)
class Player:
    id: int
    name: str
    team: str  # the team's name

    @property
    def label(self) -> str:
        """``Lautaro Martínez (Inter)``: how choices and lists name him."""
        return f"{self.name} ({self.team})" if self.team else self.name


@dataclass(frozen=True)
class PlayerLookup:
    player: Player | None
    suggestions: tuple[Player, ...] = ()
    ambiguous: bool = False  # the suggestions all fit what was typed: ask which


def _team_of(fixture: Fixture, team: str | None, other: bool = False) -> str | None:
    side = fixture.side_of(team) if team else None
    if side is None:
        return None
    if other:
        side = "away" if side == "home" else "home"
    return fixture.home_team if side == "home" else fixture.away_team


def named_in(fixture: Fixture, event: Event) -> list[tuple[str, str]]:
    """Every (player name, team id) an event names: the players to remember."""
    team = getattr(event, "team", None)
    own = _team_of(fixture, team)
    names: list[tuple[str, str | None]] = []
    if isinstance(event, GoalEvent):
        scorer_team = _team_of(fixture, team, other=event.kind == "own_goal")
        names += [(event.player, scorer_team), (event.assist or "", own)]
    elif isinstance(event, SubstitutionEvent):
        names += [(event.player_in, own), (event.player_out or "", own)]
    elif isinstance(event, SaveEvent):
        names += [(event.player, own), (event.shooter or "", _team_of(fixture, team, True))]
    elif isinstance(event, MissEvent):
        names += [(event.player, own), (event.assist or "", own)]
    elif isinstance(event, (CardEvent, PenaltyMissedEvent, ShootoutKickEvent)):
        names.append((event.player, own))
    elif isinstance(event, (GoalDisallowedEvent, NoteEvent)):
        names.append((event.player or "", own))
    return [(name, team_id) for name, team_id in names if name and team_id]


def involved(state: MatchState, event: Event) -> list[tuple[str, str]]:
    """(team id, folded name) of the players whose followers get this event: the scorer and
    the assist of a goal (and of the goal a VAR decision cancels), a booked player, both
    players of a substitution, the taker of a missed or saved penalty or a shoot-out kick,
    the player whose goal was disallowed."""
    fixture = state.fixture
    if isinstance(event, GoalCancelledEvent):
        goal = state.goal_by_id(event.ref)
        return involved(state, goal) if goal is not None else []
    if not isinstance(
        event,
        (
            GoalEvent,
            CardEvent,
            SubstitutionEvent,
            PenaltyMissedEvent,
            ShootoutKickEvent,
            GoalDisallowedEvent,
        ),
    ):
        return []
    return [(team_id, normalize(name)) for name, team_id in named_in(fixture, event)]


def remember(store: Store, fixture: Fixture, event: Event) -> None:
    """Store the players an event names (new ones are added, known ones kept)."""
    named = named_in(fixture, event)
    if named:
        store.add_players((name, normalize(name), team_id) for name, team_id in named)


_TEAM_SUFFIX = re.compile(r"^(?P<name>.+?)\s*(?:\((?P<paren>[^()]+)\)|,\s*(?P<comma>[^,]+))$")


def find_player(store: Store, typed: str, limit: int = 5) -> PlayerLookup:
    """``Lautaro Martínez``, ``lautaro martinez``, ``Lautaro``, ``Martínez (Inter)``:

    1. the whole name (accents and case aside), or every word typed as words of his name
       (``Lautaro``, ``Martinez``): one player is found, several are offered as choices
       (two ``Martínez``); a team in brackets or after a comma picks among them;
    2. else near misses (``Lautaro Martines``) as suggestions, a clear one found outright.
    """
    text = typed.strip()
    team_id: str | None = None
    split = _TEAM_SUFFIX.match(text)
    if split:
        team = find_team(store, split.group("paren") or split.group("comma") or "")
        if team.team is not None:
            text, team_id = split.group("name"), team.team.id
    key = normalize(text)
    if not key:
        return PlayerLookup(None)
    rows = [r for r in store.players() if team_id is None or r["team_id"] == team_id]
    words = key.split()
    exact = [r for r in rows if r["norm"] == key]
    partial = [r for r in rows if all(w in r["norm"].split() for w in words)]
    found = exact or partial
    if len(found) == 1:
        return PlayerLookup(_player(found[0]))
    if found:
        return PlayerLookup(None, tuple(_player(r) for r in found[:limit]), ambiguous=True)
    choices = {i: r["norm"] for i, r in enumerate(rows)}
    ranked = process.extract(key, choices, scorer=fuzz.WRatio, limit=limit, score_cutoff=80)
    close = [(score, rows[i]) for _, score, i in ranked]
    if not close:
        return PlayerLookup(None)
    if close[0][0] >= 92 and (len(close) == 1 or close[0][0] - close[1][0] >= 5):
        return PlayerLookup(_player(close[0][1]))
    return PlayerLookup(None, tuple(_player(r) for _, r in close))


def _player(row: dict[str, object]) -> Player:
    return Player(int(str(row["id"])), str(row["name"]), str(row.get("team") or ""))


def player_by_id(store: Store, player_id: str) -> Player | None:
    if not player_id.isdigit():
        return None
    row = store.player(int(player_id))
    return _player(row) if row else None
