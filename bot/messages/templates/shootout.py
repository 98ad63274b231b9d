"""What the bot says about a penalty shoot-out: each kick with the running score, who won it,
and the whole sequence for the recap.

Sentences are English inside ``_()`` like :mod:`bot.messages.templates`; their Italian is in the
same gettext catalogue.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bot.feed_format import (
    ShootoutKickEvent,
)
from bot.match import Fixture, MatchState, Score
from bot.messages.i18n import _
from bot.messages.model import Line, bold, line
from bot.messages.names import team_name

# --- the shoot-out ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Kick:
    event: ShootoutKickEvent
    score: Score  # the shoot-out score after this kick
    sudden_death: bool  # the kick is past the first five of each side


def kicks(state: MatchState, up_to_seq: int | None = None) -> list[Kick]:
    """The shoot-out's kicks in the order taken, each with the running score."""
    score = Score()
    taken = {"home": 0, "away": 0}
    out: list[Kick] = []
    ordered = sorted(
        (s for s in state.events if isinstance(s.event, ShootoutKickEvent) and s.side),
        key=lambda s: s.seq,
    )
    for stored in ordered:
        if up_to_seq is not None and stored.seq > up_to_seq:
            break
        assert isinstance(stored.event, ShootoutKickEvent) and stored.side is not None
        taken[stored.side] += 1
        if stored.event.scored:
            score = score.plus(stored.side)
        out.append(Kick(stored.event, score, taken[stored.side] > 5))
    return out


def _shootout_winner(fixture: Fixture, taken: Sequence[Kick]) -> str | None:
    """The side that has won the shoot-out after these kicks, when it is decided."""
    if not taken:
        return None
    score = taken[-1].score
    home_kicks = sum(1 for k in taken if k.event.team.casefold() == fixture.home.casefold())
    away_kicks = len(taken) - home_kicks
    if home_kicks <= 5 and away_kicks <= 5:
        if score.home > score.away + (5 - away_kicks):
            return fixture.home
        if score.away > score.home + (5 - home_kicks):
            return fixture.away
        return None
    if home_kicks == away_kicks and score.home != score.away:
        return fixture.home if score.home > score.away else fixture.away
    return None


def shootout_standing(fixture: Fixture, taken: Sequence[Kick]) -> str:
    """``Inter lead 3-2 on penalties``, ``3-3 on penalties``, ``Inter win 4-2 on penalties``."""
    score = taken[-1].score if taken else Score()
    high, low = max(score.home, score.away), min(score.home, score.away)
    winner = _shootout_winner(fixture, taken)
    if winner is not None:
        return _("{team} win {score} on penalties", team=winner, score=f"{high}-{low}")
    if score.home == score.away:
        text = _("{score} on penalties", score=f"{score.home}-{score.away}")
    else:
        leader = fixture.home if score.home > score.away else fixture.away
        text = _("{team} lead {score} on penalties", team=leader, score=f"{high}-{low}")
    if taken and taken[-1].sudden_death:
        text += _(" — sudden death")
    return text


def kick_line(kick: Kick, fixture: Fixture, taken: Sequence[Kick]) -> Line:
    what = (
        _("{player} scores", player=kick.event.player)
        if kick.event.scored
        else _("{player} misses", player=kick.event.player)
    )
    mark = "✅" if kick.event.scored else "❌"
    return line(f"{mark} ", bold(what), " — ", shootout_standing(fixture, taken))


def shootout_sequence(state: MatchState) -> list[Line]:
    """The recap's shoot-out, kick by kick with the running score."""
    taken = kicks(state)
    rows: list[Line] = []
    for i, kick in enumerate(taken):
        score = f"{kick.score.home}-{kick.score.away}"
        mark = "✅" if kick.event.scored else "❌"
        rows.append(
            line(
                f"{i + 1}. {mark} ",
                bold(kick.event.player),
                f" ({team_name(kick.event.team)}) {score}",
            )
        )
    if taken and any(k.sudden_death for k in taken):
        rows.append(line(_("Decided in sudden death.")))
    return rows
