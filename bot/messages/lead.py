"""The recap's lead paragraph: the match told in a few sentences, from its events alone.

Deterministic and conservative: every name, minute and number in the lead comes from the
match's events (or its declaration: teams, venue). What cannot be known is not said — a goal
synthesised from a bare score (no scorer, an estimated minute) is never described, and an
"error" before a goal is only mentioned when a note by the conceding side says so.
"""

from __future__ import annotations

import re
import zlib
from dataclasses import dataclass
from typing import Literal

from bot.feed_format import (
    GoalEvent,
    NoteEvent,
)
from bot.match import MatchState, ScoredGoal, Side, is_known_scorer
from bot.messages.i18n import N_, _, italian_al, italian_the, ordinal
from bot.messages.turning_points import (
    red_card_that_turned_it,
    scorers_sentence,
    turned_sentence,
    turning_points,
)
from bot.messages.who_and_when import (
    approximately,
    decisive_goal,
    minute_mark,
    other_side,
    side_name,
    winning_side,
)

#: Words in a note that mark a mistake (English and Italian reporters).
_ERROR_WORDS = re.compile(
    r"\b(error|errors|mistake|blunder|gift(s|ed)?|gifting|slip(s|ped)?|"
    r"los(es|t) (the ball|possession)|errore|svarione|regal[ao]|perde (palla|il pallone))\b",
    re.IGNORECASE,
)
_STADIUM_WORDS = re.compile(
    r"(stadium|stadio|stadion|estadio|stade|arena|park|ground|field|,)", re.IGNORECASE
)


@dataclass(frozen=True)
class _Facts:
    home: str
    away: str
    result: str  # home-away, "0-1"
    where: str
    aet: str


def _where(venue: str | None) -> str:
    if not venue:
        return ""
    if _STADIUM_WORDS.search(venue):
        return _(" at {venue}", venue=venue)
    return _(" in {venue}", venue=venue)


def lead(state: MatchState, variant: int | None = None) -> str | None:
    """The lead paragraph of a finished match (None before full time).

    Its shape follows what happened (:func:`match_shape`); among the ways of saying that shape,
    ``variant`` picks one — the match's place in its round, so no two matches of a round read
    alike — and by default a number drawn from the match id, so a replay reads the same."""
    if not state.finished:
        return None
    fx = state.fixture
    facts = _Facts(
        home=fx.home,
        away=fx.away,
        result=f"{state.score.home}-{state.score.away}",
        where=_where(fx.venue),
        aet=_(" after extra time") if state.extra_time else "",
    )
    pick = zlib.crc32(fx.id.encode()) if variant is None else variant
    turned = red_card_that_turned_it(state)
    sentences = [_result_sentence(state, facts, pick)]
    if turned is not None:
        sentences.append(turned_sentence(turned))
    scorers = scorers_sentence(state)
    if scorers:
        sentences.append(scorers)
    turning = turning_points(state, skip=turned)
    if turning:
        sentences.append(turning)
    return " ".join(_capital(s) for s in sentences)


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _came_from_behind(state: MatchState, winner: Side) -> bool:
    loser = other_side(winner)
    return any(getattr(g.score_after, loser) > getattr(g.score_after, winner) for g in state.goals)


def _error_before(state: MatchState, scored: ScoredGoal) -> str | None:
    """The player of a note by the conceding side, just before the goal, that names a mistake."""
    goal_stored = next(s for s in state.events if s.event.id == scored.goal.id)
    conceding = other_side(scored.side)
    for stored in reversed(state.events[: state.events.index(goal_stored)]):
        event = stored.event
        if (event.minute, event.stoppage or 0) < (scored.goal.minute - 2, 0):
            break
        if (
            isinstance(event, NoteEvent)
            and stored.side == conceding
            and event.player
            and _ERROR_WORDS.search(event.text)
        ):
            return event.player
        if isinstance(event, GoalEvent):
            break
    return None


def _goal_phrase(goal: GoalEvent) -> str:
    values = {
        "player": goal.player,
        "nth": ordinal(goal.minute),
        "minute": minute_mark(goal),
        "al": italian_al(goal.minute),
        "when": approximately(goal),
    }
    if goal.minute_estimated:
        if goal.kind == "own_goal":
            return _("an own goal by {player} {when}", **values)
        if goal.kind == "penalty":
            return _("{player}'s penalty {when}", **values)
        return _("{player}'s goal {when}", **values)
    if goal.kind == "own_goal":
        if goal.stoppage:
            return _("an own goal by {player} in stoppage time ({minute})", **values)
        return _("an own goal by {player} in the {nth} minute", **values)
    if goal.kind == "penalty":
        if goal.stoppage:
            return _("{player}'s stoppage-time penalty ({minute})", **values)
        return _("{player}'s {nth}-minute penalty", **values)
    if goal.stoppage:
        return _("{player}'s stoppage-time goal ({minute})", **values)
    return _("{player}'s {nth}-minute goal", **values)


Shape = Literal[
    "goalless",
    "draw",
    "late_equaliser",
    "shootout",
    "narrow",
    "late_winner",
    "comeback",
    "comfortable",
    "rout",
]

#: The ways of telling each shape: English sentences, each with its Italian in the catalogue.
#: Fields: {home} {away} {result} (home-away), {winner} {loser} {score} (winner first), {where},
#: {aet}, {goal} (the decisive or levelling goal, a noun phrase), {extras} (its assist, the
#: error before it), {comma}, {shootout}.
SHAPES: dict[Shape, tuple[str, ...]] = {
    "goalless": (
        N_("{home} and {away} drew 0-0{where}{aet}."),
        N_("No goals{where}: {home} and {away} drew 0-0{aet}."),
        N_("{home} and {away} shared a goalless draw{where}{aet}."),
        N_("Neither {home} nor {away} found a way through{where}: 0-0{aet}."),
        N_("A goalless draw{where} between {home} and {away}{aet}."),
        N_("{home} and {away} cancelled each other out{where}: 0-0{aet}."),
    ),
    "draw": (
        N_("{home} and {away} drew {result}{where}{aet}."),
        N_("{home} and {away} finished level at {result}{where}{aet}."),
        N_("It ended {result} between {home} and {away}{where}{aet}."),
        N_("Honours even{where}: {home} {result} {away}{aet}."),
        N_("{home} and {away} shared the points{where} in a {result} draw{aet}."),
        N_("Nothing to separate {home} and {away}{where}: {result}{aet}."),
    ),
    "late_equaliser": (
        N_("{home} and {away} drew {result}{where}{aet}, {goal}{extras} levelling it late."),
        N_("{goal}{extras}{comma} rescued a {result} draw between {home} and {away}{where}{aet}."),
        N_(
            "A late equaliser{where}: {goal}{extras}{comma} made it {result} between {home} and"
            " {away}{aet}."
        ),
        N_(
            "{home} and {away} drew {result}{where}{aet}; {goal}{extras}{comma} earned the draw at"
            " the death."
        ),
        N_(
            "A point salvaged late{where}: {goal}{extras}{comma} levelled it at {result} between"
            " {home} and {away}{aet}."
        ),
        N_("{goal}{extras}{comma} came late to tie {home} and {away} at {result}{where}{aet}."),
    ),
    "shootout": (
        N_(
            "{home} and {away} drew {result}{where}{aet}, and {winner} won the shoot-out"
            " {shootout}."
        ),
        N_("{winner} won {shootout} on penalties after a {result} draw with {loser}{where}{aet}."),
        N_(
            "Penalties decided it{where}: {home} and {away} drew {result}{aet}, and {winner} won"
            " the shoot-out {shootout}."
        ),
        N_(
            "{winner} went through on penalties{where}: {result}{aet}, then {shootout} from the"
            " spot against {loser}."
        ),
        N_(
            "It took penalties to separate {home} and {away}{where}: {result}{aet}, and {winner}"
            " won {shootout}."
        ),
        N_(
            "{winner} held their nerve in the shoot-out, winning it {shootout} after a {result}"
            " draw with {loser}{where}{aet}."
        ),
    ),
    "narrow": (
        N_("{goal}{extras}{comma} gave {winner} a {score} win over {loser}{where}{aet}."),
        N_(
            "{winner} edged {loser} {score}{where}{aet}, with {goal}{extras}{comma} the difference."
        ),
        N_("{goal}{extras}{comma} settled it: {winner} beat {loser} {score}{where}{aet}."),
        N_("{winner} beat {loser} {score}{where}{aet}, {goal}{extras}{comma} deciding it."),
        N_(
            "One goal was enough{where}: {goal}{extras}{comma} gave {winner} a {score} win over"
            " {loser}{aet}."
        ),
        N_("{winner} edged past {loser}{where}: {score}{aet}, thanks to {goal}{extras}."),
    ),
    "late_winner": (
        N_("{goal}{extras}{comma} won it late: {winner} beat {loser} {score}{where}{aet}."),
        N_(
            "{winner} left it late{where}: {goal}{extras}{comma} gave them a {score} win over"
            " {loser}{aet}."
        ),
        N_("{winner} beat {loser} {score}{where}{aet} with a late winner, {goal}{extras}."),
        N_(
            "{winner} snatched a {score} win over {loser}{where}{aet}, {goal}{extras}{comma}"
            " arriving late."
        ),
        N_(
            "A late goal settled it{where}: {goal}{extras}{comma} gave {winner} a {score} win over"
            " {loser}{aet}."
        ),
        N_(
            "{winner} waited until the end to beat {loser} {score}{where}{aet}:"
            " {goal}{extras}{comma} decided it."
        ),
    ),
    "comeback": (
        N_(
            "{winner} came from behind to beat {loser} {score}{where}{aet}: {goal}{extras}{comma}"
            " was the winner."
        ),
        N_(
            "{winner} fought back to beat {loser} {score}{where}{aet}, {goal}{extras}{comma}"
            " completing the turnaround."
        ),
        N_(
            "Behind at one point, {winner} beat {loser} {score}{where}{aet}; {goal}{extras}{comma}"
            " won it."
        ),
        N_(
            "{winner} turned it around against {loser}{where}: {score}{aet}, {goal}{extras}{comma}"
            " the winner."
        ),
        N_("{loser} led, but {winner} won {score}{where}{aet}: {goal}{extras}{comma} the winner."),
        N_(
            "A comeback{where}: {winner} beat {loser} {score}{aet}, {goal}{extras}{comma}"
            " deciding it."
        ),
    ),
    "comfortable": (
        N_("{winner} beat {loser} {score}{where}{aet}."),
        N_("{winner} saw off {loser} {score}{where}{aet}."),
        N_("{winner} eased past {loser} {score}{where}{aet}."),
        N_("A {score} win for {winner} over {loser}{where}{aet}."),
        N_("{winner} had too much for {loser}{where}: {score}{aet}."),
        N_("{winner} won {score} against {loser}{where}{aet}."),
    ),
    "rout": (
        N_("{winner} thrashed {loser} {score}{where}{aet}."),
        N_("{winner} ran riot against {loser}, winning {score}{where}{aet}."),
        N_("{winner} swept {loser} aside {score}{where}{aet}."),
        N_("{winner} ran away with it against {loser}: {score}{where}{aet}."),
        N_("A heavy defeat for {loser}{where}: {winner} won {score}{aet}."),
        N_("{winner} overwhelmed {loser} {score}{where}{aet}."),
    ),
}
#: A comeback whose winning goal is not told on its own (no known scorer, or a wider margin).
COMEBACK_PLAIN = (
    N_("{winner} came from behind to beat {loser} {score}{where}{aet}."),
    N_("{winner} fought back to beat {loser} {score}{where}{aet}."),
    N_("Behind at one point, {winner} beat {loser} {score}{where}{aet}."),
)
#: From this minute a winner or an equaliser is late.
LATE_GOAL = 85


def _is_late(goal: GoalEvent) -> bool:
    """A goal from the 85th minute of normal time to its stoppage time."""
    return LATE_GOAL <= goal.minute <= 90


def _equaliser(state: MatchState) -> ScoredGoal | None:
    """The goal that levelled a drawn match for the last time (None for 0-0)."""
    last = state.goals[-1] if state.goals else None
    if last is None or last.score_after.home != last.score_after.away:
        return None
    return last


def match_shape(state: MatchState) -> Shape:
    """What kind of match it was, for the lead's first sentence."""
    winner = winning_side(state)
    if winner is None:
        shootout = state.shootout
        if shootout is not None and shootout.home != shootout.away:
            return "shootout"
        if not state.goals:
            return "goalless"
        level = _equaliser(state)
        if level is not None and is_known_scorer(level.goal) and _is_late(level.goal):
            return "late_equaliser"
        return "draw"
    margin = getattr(state.score, winner) - getattr(state.score, other_side(winner))
    decisive = decisive_goal(state)
    if margin >= 3:
        return "rout"
    if _came_from_behind(state, winner):
        return "comeback"
    if margin == 2 or decisive is None or not is_known_scorer(decisive.goal):
        return "comfortable"
    return "late_winner" if _is_late(decisive.goal) and not state.extra_time else "narrow"


def _result_sentence(state: MatchState, facts: _Facts, pick: int) -> str:
    values: dict[str, object] = {
        "home": facts.home,
        "away": facts.away,
        "result": facts.result,
        "the_result": italian_the(facts.result),
        "where": facts.where,
        "aet": facts.aet,
    }
    shape = match_shape(state)
    winner = winning_side(state)
    if shape == "shootout":
        shootout = state.shootout
        assert shootout is not None
        kicks_winner: Side = "home" if shootout.home > shootout.away else "away"
        values |= {
            "winner": side_name(state, kicks_winner),
            "loser": side_name(state, other_side(kicks_winner)),
            "shootout": f"{max(shootout.home, shootout.away)}-{min(shootout.home, shootout.away)}",
        }
    told = _equaliser(state)
    if winner is not None:
        loser = other_side(winner)
        values |= {
            "winner": side_name(state, winner),
            "loser": side_name(state, loser),
            "score": f"{getattr(state.score, winner)}-{getattr(state.score, loser)}",
        }
        values["the_score"] = italian_the(str(values["score"]))
        told = decisive_goal(state)
    ways = SHAPES[shape]
    margin = abs(state.score.home - state.score.away)
    if shape == "comeback" and (told is None or not is_known_scorer(told.goal) or margin > 1):
        ways = COMEBACK_PLAIN
    if told is not None and is_known_scorer(told.goal):
        extras = _extras(state, told)
        values |= {
            "goal": _goal_phrase(told.goal),
            "extras": extras,
            "comma": "," if extras else "",
        }
    return _(ways[pick % len(ways)], **values)


def _extras(state: MatchState, scored: ScoredGoal) -> str:
    """``, set up by X after an error by Y`` for the goal the lead tells."""
    goal = scored.goal
    extras = ""
    if goal.assist and goal.kind == "normal":
        extras += _(", set up by {assist}", assist=goal.assist)
    error = _error_before(state, scored)
    if error and extras:
        extras += _(" after an error by {player}", player=error)
    elif error:
        extras += _(", after an error by {player}", player=error)
    return extras
