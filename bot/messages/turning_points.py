"""The recap lead's later sentences: the sending-off that turned a match, its scorers with
their minutes, and its turning points (disallowed and cancelled goals, red cards, missed
penalties, the latest late big miss and save), each said only from the match's events."""

from __future__ import annotations

from bot.feed_format import (
    CardEvent,
    Event,
    GoalCancelledEvent,
    GoalDisallowedEvent,
    MissEvent,
    PenaltyMissedEvent,
    SaveEvent,
)
from bot.match import MatchState, Score, StoredEvent, is_known_scorer
from bot.messages.i18n import N_, _, and_list
from bot.messages.names import team_name
from bot.messages.who_and_when import (
    at_minute,
    decisive_goal,
    minute_mark,
    named_scorer,
    other_side,
    side_name,
    winning_side,
)

#: How late a chance has to be to count as a turning point in the lead.
LATE_MINUTE = 75
MAX_TURNING_POINTS = 4


def red_card_that_turned_it(state: MatchState) -> StoredEvent | None:
    """A red card to the side that lost, shown while it was not behind, before the goal that
    decided the match: the sending-off that turned it."""
    winner = winning_side(state)
    decisive = decisive_goal(state)
    if winner is None or decisive is None:
        return None
    loser = other_side(winner)
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


def turned_sentence(stored: StoredEvent) -> str:
    event = stored.event
    assert isinstance(event, CardEvent)
    return _(
        "{player}'s sending-off for {team} {at} turned the match.",
        player=event.player,
        team=team_name(event.team),
        at=at_minute(event),
    )


def scorers_sentence(state: MatchState) -> str | None:
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
            minutes[named_scorer(goal)].append(f"{minute_mark(goal)}{mark}")
        names = and_list([f"{p} ({', '.join(minutes[p])})" for p in players])
        team = side_name(state, side)
        if not parts:
            parts.append(_("Goals for {team}: {scorers}", team=team, scorers=names))
        else:
            parts.append(_("for {team}: {scorers}", team=team, scorers=names))
    return "; ".join(parts) + "."


def turning_points(state: MatchState, skip: StoredEvent | None = None) -> str | None:
    """Disallowed and cancelled goals, red cards and missed penalties, then the latest late big
    miss by a side that did not win and the latest late big save by a side that did not lose."""
    winner = winning_side(state)
    loser = other_side(winner) if winner else None
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
