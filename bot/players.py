"""Players: who an event involves, remembered as events arrive, and found by what fans type.

A player is one name in one team (compared without accents or case: ``Lautaro Martinez`` is
``Lautaro Martínez``). When an event carries a data provider's player id (``player_id``:
``af:217``, from API-Football's events), the player is kept under it (``provider``,
``provider_id``) and known by it: a goal credited to ``L. Martínez`` reaches the followers of
``Lautaro Martínez`` with the same id, and so does one after a transfer. Without an id, a player
is matched by name and team.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rapidfuzz import fuzz, process

from bot.feed_format import (
    CardEvent,
    Event,
    GoalCancelledEvent,
    GoalDisallowedEvent,
    GoalEvent,
    GoalUpdateEvent,
    MissEvent,
    NoteEvent,
    PenaltyMissedEvent,
    SaveEvent,
    ShootoutKickEvent,
    SubstitutionEvent,
    VarCheckEvent,
)
from bot.match import Fixture, MatchState
from bot.store_contract import CatalogueStore, PlayerRow
from bot.teams import find_team, normalize


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
    return [(name, team_id) for name, team_id, _ in named_with_ids(fixture, event)]


def named_with_ids(fixture: Fixture, event: Event) -> list[tuple[str, str, str | None]]:
    """Every (player name, team id, provider's player id or None) an event names."""
    team = getattr(event, "team", None)
    own = _team_of(fixture, team)
    names: list[tuple[str, str | None, str | None]] = []
    if isinstance(event, GoalEvent | GoalUpdateEvent):
        scorer_team = _team_of(fixture, team, other=event.kind == "own_goal")
        names += [(event.player or "", scorer_team, event.player_id)]
        names += [(event.assist or "", own, event.assist_id)]
    elif isinstance(event, SubstitutionEvent):
        names += [(event.player_in, own, event.player_in_id)]
        names += [(event.player_out or "", own, event.player_out_id)]
    elif isinstance(event, SaveEvent):
        names += [(event.player, own, event.player_id)]
        names += [(event.shooter or "", _team_of(fixture, team, True), event.shooter_id)]
    elif isinstance(event, MissEvent):
        names += [(event.player, own, event.player_id), (event.assist or "", own, event.assist_id)]
    elif isinstance(event, (CardEvent, PenaltyMissedEvent, ShootoutKickEvent)):
        names.append((event.player, own, event.player_id))
    elif isinstance(event, (GoalDisallowedEvent, NoteEvent)):
        names.append((event.player or "", own, event.player_id))
    return [(name, team_id, ref) for name, team_id, ref in names if name and team_id]


def split_ref(ref: str) -> tuple[str, str]:
    """``af:217`` → (``af``, ``217``); an id without a provider is a feed's own."""
    provider, sep, number = ref.partition(":")
    return (provider, number) if sep and provider and number else ("feed", ref)


def _involving(state: MatchState, event: Event) -> Event | None:
    """The event whose players are involved: a VAR cancellation's goal, else the event, for
    the kinds players are followed for."""
    if isinstance(event, GoalCancelledEvent | GoalUpdateEvent | VarCheckEvent):
        goal = state.goal_by_id(event.ref)
        return _involving(state, goal) if goal is not None else None
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
        return None
    return event


def involved(state: MatchState, event: Event) -> list[tuple[str, str]]:
    """(team id, folded name) of the players whose followers get this event: the scorer and
    the assist of a goal (and of the goal a VAR decision cancels), a booked player, both
    players of a substitution, the taker of a missed or saved penalty or a shoot-out kick,
    the player whose goal was disallowed."""
    found = _involving(state, event)
    if found is None:
        return []
    return [(team_id, normalize(name)) for name, team_id in named_in(state.fixture, found)]


def involved_ids(store: CatalogueStore, state: MatchState, event: Event) -> list[int]:
    """The stored ids of the players :func:`involved` names: by the provider's player id
    where the event carries one (whatever the spelling of the name or the team), and by name
    and team."""
    found = _involving(state, event)
    if found is None:
        return []
    named = named_with_ids(state.fixture, found)
    refs = [split_ref(ref) for _, _, ref in named if ref]
    keys = [(team_id, normalize(name)) for name, team_id, _ in named]
    return list(dict.fromkeys([*store.player_ids_by_provider(refs), *store.player_ids(keys)]))


def remember(store: CatalogueStore, fixture: Fixture, event: Event) -> None:
    """Store the players an event names (new ones are added, known ones kept); a player with
    a provider's id is kept under it."""
    named = named_with_ids(fixture, event)
    plain = [(name, normalize(name), team_id) for name, team_id, ref in named if not ref]
    if plain:
        store.add_players(plain)
    for name, team_id, ref in named:
        if ref:
            provider, number = split_ref(ref)
            store.add_provider_player(name, normalize(name), team_id, provider, number)


_TEAM_SUFFIX = re.compile(r"^(?P<name>.+?)\s*(?:\((?P<paren>[^()]+)\)|,\s*(?P<comma>[^,]+))$")


def find_player(store: CatalogueStore, typed: str, limit: int = 5) -> PlayerLookup:
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


def _player(row: PlayerRow) -> Player:
    return Player(row["id"], row["name"], row["team"] or "")


def player_by_id(store: CatalogueStore, player_id: str) -> Player | None:
    if not player_id.isdigit():
        return None
    row = store.player(int(player_id))
    return _player(row) if row else None
