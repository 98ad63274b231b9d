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
    CardEvent,
    Event,
    GoalCancelledEvent,
    GoalDisallowedEvent,
    GoalEvent,
    MissEvent,
    NoteEvent,
    PenaltyMissedEvent,
    SaveEvent,
)
from bot.match import MatchState, Score, ScoredGoal, Side, StoredEvent
from bot.messages.i18n import N_, _, and_list, italian_al, italian_the, ordinal
from bot.messages.names import team_name

#: Words in a note that mark a mistake (English and Italian reporters).
_ERROR_WORDS = re.compile(
    r"\b(error|errors|mistake|blunder|gift(s|ed)?|gifting|slip(s|ped)?|"
    r"los(es|t) (the ball|possession)|errore|svarione|regal[ao]|perde (palla|il pallone))\b",
    re.IGNORECASE,
)
#: How late a chance has to be to count as a turning point in the lead.
LATE_MINUTE = 75
MAX_TURNING_POINTS = 4
_STADIUM_WORDS = re.compile(
    r"(stadium|stadio|stadion|estadio|stade|arena|park|ground|field|,)", re.IGNORECASE
)


_NO_NAMES = frozenset({"unknown", "unknown scorer", "none", "null", "nan", "n/a"})


def is_known_scorer(goal: GoalEvent) -> bool:
    """False for a goal whose scorer is not known: not named yet by the provider, or a goal a
    score-only provider synthesised (``score:…`` ids)."""
    return (
        goal.player is not None
        and not goal.id.startswith("score:")
        and goal.player.casefold() not in _NO_NAMES
    )


def named_scorer(goal: GoalEvent) -> str:
    """The scorer's name, or words saying he is not known yet (never "Unknown")."""
    if goal.player is not None and is_known_scorer(goal):
        return goal.player
    return _("scorer not yet confirmed")


@dataclass(frozen=True)
class _Facts:
    home: str
    away: str
    result: str  # home-away, "0-1"
    where: str
    aet: str


#: How an estimated minute is said: (last minute of the stretch, the words).
APPROXIMATE = (
    (9, N_("in the opening minutes")),
    (24, N_("midway through the first half")),
    (29, N_("around the half-hour")),
    (37, N_("just after the half-hour")),
    (45, N_("late in the first half")),
    (54, N_("early in the second half")),
    (64, N_("around the hour mark")),
    (75, N_("midway through the second half")),
    (90, N_("late on")),
    (105, N_("in the first half of extra time")),
    (130, N_("in the second half of extra time")),
)
#: An estimated 45', 90' or 120' says only the part of the match (a provider's half-time score).
APPROXIMATE_PART = {
    45: N_("in the first half"),
    90: N_("in the second half"),
    120: N_("in extra time"),
}


def approximately(event: Event) -> str:
    """When an event whose minute was estimated happened, said as approximate: ``just after
    the half-hour`` / ``poco dopo la mezz'ora``; never a minute stated as fact."""
    if event.stoppage:
        if event.minute == 45:
            return _("in first-half stoppage time")
        return _("in stoppage time")
    if event.minute in APPROXIMATE_PART:
        return _(APPROXIMATE_PART[event.minute])
    return _(next(words for last, words in APPROXIMATE if event.minute <= last))


def at_minute(event: Event) -> str:
    """``in the 65th minute`` / ``al 65'``; stoppage time as ``in stoppage time (90+3')``; an
    estimated minute as approximate (:func:`approximately`)."""
    if event.minute_estimated:
        return approximately(event)
    clock = f"{event.minute}+{event.stoppage}'" if event.stoppage else f"{event.minute}'"
    if event.stoppage:
        return _("in stoppage time ({minute})", minute=clock, al=italian_al(event.minute))
    return _(
        "in the {nth} minute",
        nth=ordinal(event.minute),
        minute=clock,
        al=italian_al(event.minute),
    )


def _clock(event: Event) -> str:
    """``65'``, ``90+3'``; ``~34'`` for an estimated minute."""
    estimated = "~" if event.minute_estimated else ""
    return estimated + (
        f"{event.minute}+{event.stoppage}'" if event.stoppage else f"{event.minute}'"
    )


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
    turned = _red_card_that_turned_it(state)
    sentences = [_result_sentence(state, facts, pick)]
    if turned is not None:
        sentences.append(_turned_sentence(turned))
    scorers = _scorers_sentence(state)
    if scorers:
        sentences.append(scorers)
    turning = _turning_points(state, skip=turned)
    if turning:
        sentences.append(turning)
    return " ".join(_capital(s) for s in sentences)


def _capital(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def _winner(state: MatchState) -> Side | None:
    if state.score.home == state.score.away:
        return None
    return "home" if state.score.home > state.score.away else "away"


def _name(state: MatchState, side: Side) -> str:
    return state.fixture.home if side == "home" else state.fixture.away


def _other(side: Side) -> Side:
    return "away" if side == "home" else "home"


def decisive_goal(state: MatchState) -> ScoredGoal | None:
    """The winner's goal that put them ahead for good (None for a draw)."""
    winner = _winner(state)
    if winner is None:
        return None
    losing_total = getattr(state.score, _other(winner))
    for scored in state.goals:
        if scored.side == winner and getattr(scored.score_after, winner) == losing_total + 1:
            return scored
    return None


def _came_from_behind(state: MatchState, winner: Side) -> bool:
    loser = _other(winner)
    return any(getattr(g.score_after, loser) > getattr(g.score_after, winner) for g in state.goals)


def _error_before(state: MatchState, scored: ScoredGoal) -> str | None:
    """The player of a note by the conceding side, just before the goal, that names a mistake."""
    goal_stored = next(s for s in state.events if s.event.id == scored.goal.id)
    conceding = _other(scored.side)
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
        "minute": _clock(goal),
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
    ),
    "draw": (
        N_("{home} and {away} drew {result}{where}{aet}."),
        N_("{home} and {away} finished level at {result}{where}{aet}."),
        N_("It ended {result} between {home} and {away}{where}{aet}."),
    ),
    "late_equaliser": (
        N_("{home} and {away} drew {result}{where}{aet}, {goal}{extras} levelling it late."),
        N_("{goal}{extras}{comma} rescued a {result} draw between {home} and {away}{where}{aet}."),
        N_(
            "A late equaliser{where}: {goal}{extras}{comma} made it {result} between {home} and"
            " {away}{aet}."
        ),
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
    ),
    "narrow": (
        N_("{goal}{extras}{comma} gave {winner} a {score} win over {loser}{where}{aet}."),
        N_(
            "{winner} edged {loser} {score}{where}{aet}, with {goal}{extras}{comma} the difference."
        ),
        N_("{goal}{extras}{comma} settled it: {winner} beat {loser} {score}{where}{aet}."),
    ),
    "late_winner": (
        N_("{goal}{extras}{comma} won it late: {winner} beat {loser} {score}{where}{aet}."),
        N_(
            "{winner} left it late{where}: {goal}{extras}{comma} gave them a {score} win over"
            " {loser}{aet}."
        ),
        N_("{winner} beat {loser} {score}{where}{aet} with a late winner, {goal}{extras}."),
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
    ),
    "comfortable": (
        N_("{winner} beat {loser} {score}{where}{aet}."),
        N_("{winner} saw off {loser} {score}{where}{aet}."),
        N_("{winner} eased past {loser} {score}{where}{aet}."),
    ),
    "rout": (
        N_("{winner} thrashed {loser} {score}{where}{aet}."),
        N_("{winner} ran riot against {loser}, winning {score}{where}{aet}."),
        N_("{winner} swept {loser} aside {score}{where}{aet}."),
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
    winner = _winner(state)
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
    margin = getattr(state.score, winner) - getattr(state.score, _other(winner))
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
    winner = _winner(state)
    if shape == "shootout":
        shootout = state.shootout
        assert shootout is not None
        kicks_winner: Side = "home" if shootout.home > shootout.away else "away"
        values |= {
            "winner": _name(state, kicks_winner),
            "loser": _name(state, _other(kicks_winner)),
            "shootout": f"{max(shootout.home, shootout.away)}-{min(shootout.home, shootout.away)}",
        }
    told = _equaliser(state)
    if winner is not None:
        loser = _other(winner)
        values |= {
            "winner": _name(state, winner),
            "loser": _name(state, loser),
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


def _red_card_that_turned_it(state: MatchState) -> StoredEvent | None:
    """A red card to the side that lost, shown while it was not behind, before the goal that
    decided the match: the sending-off that turned it."""
    winner = _winner(state)
    decisive = decisive_goal(state)
    if winner is None or decisive is None:
        return None
    loser = _other(winner)
    score = Score()
    for stored in state.events:  # in match order
        event = stored.event
        if event.id == decisive.goal.id:
            break
        scored = next((g for g in state.goals if g.goal.id == event.id), None)
        if scored is not None:
            score = scored.score_after
        red = isinstance(event, CardEvent) and event.card != "yellow" and stored.side == loser
        if red and getattr(score, loser) >= getattr(score, winner):
            return stored
    return None


def _turned_sentence(stored: StoredEvent) -> str:
    event = stored.event
    assert isinstance(event, CardEvent)
    return _(
        "{player}'s sending-off for {team} {at} turned the match.",
        player=event.player,
        team=team_name(event.team),
        at=at_minute(event),
    )


def _scorers_sentence(state: MatchState) -> str | None:
    """Every known scorer with minutes, by team; left out when the first sentence said it all."""
    known = [g for g in state.goals if is_known_scorer(g.goal)]
    if len(known) < len(state.goals):
        return None  # a partial list would read as the whole story
    decisive = decisive_goal(state)
    margin = abs(state.score.home - state.score.away)
    if not known or (len(state.goals) == 1 and decisive is not None and margin == 1):
        return None
    parts: list[str] = []
    for side in ("home", "away"):
        mine = [g.goal for g in known if g.side == side]
        if not mine:
            continue
        players: list[str] = []
        minutes: dict[str, list[str]] = {}
        for goal in mine:
            if named_scorer(goal) not in minutes:
                players.append(named_scorer(goal))
                minutes[named_scorer(goal)] = []
            mark = {"penalty": _(" pen"), "own_goal": _(" og")}.get(goal.kind, "")
            minutes[named_scorer(goal)].append(f"{_clock(goal)}{mark}")
        names = and_list([f"{p} ({', '.join(minutes[p])})" for p in players])
        team = _name(state, side)
        if not parts:
            parts.append(_("Goals for {team}: {scorers}", team=team, scorers=names))
        else:
            parts.append(_("for {team}: {scorers}", team=team, scorers=names))
    return "; ".join(parts) + "."


def _turning_points(state: MatchState, skip: StoredEvent | None = None) -> str | None:
    """Disallowed and cancelled goals, red cards and missed penalties, then the latest late big
    miss by a side that did not win and the latest late big save by a side that did not lose."""
    winner = _winner(state)
    loser = _other(winner) if winner else None
    picked: list[tuple[int, StoredEvent, str]] = []
    late: dict[type, StoredEvent] = {}
    for stored in state.events:
        event = stored.event
        clause = _turning_clause(state, stored)
        if clause is None or stored is skip:
            continue
        if isinstance(event, MissEvent | SaveEvent):
            against = winner if isinstance(event, MissEvent) else loser
            if event.minute >= LATE_MINUTE and stored.side != against:
                late[type(event)] = stored
            continue
        picked.append((0, stored, clause))
    for stored in late.values():
        clause = _turning_clause(state, stored)
        assert clause is not None
        picked.append((1, stored, clause))
    chosen = sorted(picked, key=lambda item: item[0])[:MAX_TURNING_POINTS]
    ordered = [s for _p, s, _c in sorted(chosen, key=lambda item: (item[1].clock, item[1].seq))]
    in_order: list[str] = []
    for i, stored in enumerate(ordered):
        before = ordered[i - 1].event if i else None
        again = _disallowed_again(before, stored) if before is not None else None
        in_order.append(again or next(c for _p, s, c in chosen if s is stored))
    if not in_order:
        return None
    return _("{clauses}.", clauses=and_list(in_order))


def _disallowed_again(before: Event, stored: StoredEvent) -> str | None:
    """A second disallowed goal right after another, said shortly (``all'Atalanta quello di
    De Ketelaere``): the sentence does not repeat its verb."""
    event = stored.event
    if not (
        isinstance(before, GoalDisallowedEvent)
        and isinstance(event, GoalDisallowedEvent)
        and event.player
        and before.team != event.team
    ):
        return None
    return _(
        "{team} one by {player}{why} {at}",
        team=team_name(event.team),
        player=event.player,
        why=_why(event.reason),
        at=at_minute(event),
    )


_WHY = {
    "offside": N_(" for offside"),
    "foul": N_(" for a foul"),
    "handball": N_(" for handball"),
    "var": N_(" after a VAR review"),
}


def _why(reason: str) -> str:
    return _(_WHY[reason]) if reason in _WHY else ""


def _cancelled_clause(state: MatchState, event: GoalCancelledEvent, team: str, at: str) -> str:
    goal = state.goal_by_id(event.ref)
    if goal is not None:
        at = at_minute(goal)
    if goal is None or not is_known_scorer(goal):
        return _("{team} had a goal cancelled by VAR {at}", team=team, at=at)
    if goal.kind == "own_goal":
        return _(
            "{team} had an own goal by {player} cancelled by VAR {at}",
            team=team,
            player=goal.player,
            at=at,
        )
    return _(
        "{team} had a goal by {player} cancelled by VAR {at}",
        team=team,
        player=goal.player,
        at=at,
    )


def _penalty_missed_clause(event: PenaltyMissedEvent, team: str, at: str) -> str:
    values: dict[str, object] = {"player": event.player, "team": team, "at": at}
    if event.outcome == "saved":
        return _("{player} had a penalty saved for {team} {at}", **values)
    if event.outcome == "woodwork":
        return _("{player} hit the woodwork with a penalty for {team} {at}", **values)
    return _("{player} missed a penalty for {team} {at}", **values)


def _turning_clause(state: MatchState, stored: StoredEvent) -> str | None:
    event = stored.event
    team = team_name(getattr(event, "team", None) or "")
    at = at_minute(event)
    if isinstance(event, GoalDisallowedEvent):
        if event.player:
            return _(
                "{team} had a goal by {player} ruled out{why} {at}",
                team=team,
                player=event.player,
                why=_why(event.reason),
                at=at,
            )
        return _("{team} had a goal ruled out{why} {at}", team=team, why=_why(event.reason), at=at)
    if isinstance(event, GoalCancelledEvent):
        return _cancelled_clause(state, event, team, at)
    if isinstance(event, CardEvent) and event.card != "yellow":
        if event.card == "second_yellow":
            return _(
                "{player} was sent off for {team} after a second yellow card {at}",
                player=event.player,
                team=team,
                at=at,
            )
        return _("{player} was sent off for {team} {at}", player=event.player, team=team, at=at)
    if isinstance(event, PenaltyMissedEvent):
        return _penalty_missed_clause(event, team, at)
    if isinstance(event, MissEvent):
        return _(
            "{player} missed a big chance for {team} {at}", player=event.player, team=team, at=at
        )
    if isinstance(event, SaveEvent):
        values = {"player": event.player, "team": team, "at": at, "shooter": event.shooter}
        if event.shooter:
            return _("{player} denied {shooter} with a big save for {team} {at}", **values)
        return _("{player} made a big save for {team} {at}", **values)
    return None
