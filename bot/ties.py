"""Two-legged ties: who went through, and how, at the end of a second leg.

A second leg is a cup match whose first leg — the same two teams the other way round, same
competition, same round once its leg words (``1st Leg``, ``2nd Leg``, ``andata``, ``ritorno``)
are left out, a finished match in the last ten weeks — is in the store; the aggregate is only
ever stated when both legs are known. A match whose round says ``2nd Leg`` but whose first leg
the bot does not know, and that ended in a shoot-out, went through on penalties: said without
an aggregate. League matchdays are never ties.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

from bot.match import Fixture, KeptStates, MatchState, Score, Side
from bot.store_contract import CoreStore, MatchRow
from bot.storylines import matchday

_LEG = re.compile(
    r"(?:[\s\-–—,:|()]*)\b(?:1st|first|2nd|second|1|2)\s*legs?\b|\b(?:andata|ritorno)\b",
    re.IGNORECASE,
)
_SECOND = re.compile(r"\b(?:2nd|second|2)\s*leg\b|\britorno\b", re.IGNORECASE)
_FIRST = re.compile(r"\b(?:1st|first|1)\s*leg\b|\bandata\b", re.IGNORECASE)
WINDOW = timedelta(days=70)


@dataclass(frozen=True)
class TieResult:
    """How a two-legged tie (or a second leg) ended: ``winner`` went through, on the
    ``aggregate`` (home, away of this match's teams) when the first leg is known, and on
    penalties (``shootout``, winner first) when it came to that."""

    winner: str
    aggregate: tuple[int, int] | None  # (winner's goals, loser's goals) over both legs
    shootout: tuple[int, int] | None  # (winner's kicks, loser's kicks)
    extra_time: bool


def _round_key(name: str | None) -> str:
    return " ".join(_LEG.sub(" ", name or "").split()).casefold()


def first_leg(store: CoreStore, state: MatchState) -> MatchRow | None:
    """The finished first leg of ``state``'s tie, when the store has it."""
    fx = state.fixture
    if matchday(fx.round) is not None or (fx.round and _FIRST.search(fx.round)):
        return None
    start = (fx.kickoff - WINDOW).isoformat()
    for row in sorted(store.matches_of_team(fx.home_team), key=lambda r: r["kickoff"]):
        if (
            row["home_team"] == fx.away_team
            and row["away_team"] == fx.home_team
            and row["competition"] == fx.competition
            and row["period"] == "full_time"
            and start <= row["kickoff"] < fx.kickoff.isoformat()
            and _round_key(row["round"]) == _round_key(fx.round)
            and (bool(row["round"]) or not fx.round)
        ):
            return row
    return None


def tie_result(store: CoreStore, state: MatchState, states: KeptStates) -> TieResult | None:
    """Who went through at the end of a second leg, and how (None for any other match); the
    first leg's score is its state's, from ``states`` (the bot's one cache)."""
    if not state.finished:
        return None
    fx = state.fixture
    first = first_leg(store, state)
    kicks = (
        state.shootout if state.shootout and state.shootout.home != state.shootout.away else None
    )
    if first is None:
        if kicks is None or not (fx.round and _SECOND.search(fx.round)):
            return None
        side: Side = "home" if kicks.home > kicks.away else "away"
        return TieResult(_name(state, side), None, _pair(kicks, side), state.extra_time)
    before = states.get(store, Fixture.from_row(first)).score
    total = Score(state.score.home + before.away, state.score.away + before.home)
    if total.home != total.away:
        side = "home" if total.home > total.away else "away"
        return TieResult(_name(state, side), _pair(total, side), None, state.extra_time)
    if kicks is None:
        return None  # level on aggregate and no shoot-out known: nothing is claimed
    side = "home" if kicks.home > kicks.away else "away"
    return TieResult(_name(state, side), _pair(total, side), _pair(kicks, side), state.extra_time)


def _name(state: MatchState, side: Side) -> str:
    return state.fixture.home if side == "home" else state.fixture.away


def _pair(score: Score, side: Side) -> tuple[int, int]:
    return (score.home, score.away) if side == "home" else (score.away, score.home)
