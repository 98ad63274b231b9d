"""What a goal means, said on its alert: the score from the scorers' side and the scorer's
tally ("Inter lead 2-1 — Lautaro Martínez's second" / "L'Inter avanti 2-1, doppietta di Lautaro
Martínez"), and where its VAR check stands. The alert is edited in place as these change, so a
goal, its check and the check's outcome are one notification."""

from __future__ import annotations

from bot.feed_format import GoalEvent, VarCheckEvent
from bot.match import MatchState, ScoredGoal, StoredEvent, is_known_scorer
from bot.messages.i18n import N_, _, ordinal
from bot.messages.templates.depth import same_scorer

#: What the referee is checking, as a VAR check in progress says it.
_POSSIBLE = {"offside": N_("offside"), "foul": N_("foul"), "handball": N_("handball")}

#: The scorer's tally in the match, said from his second goal on.
_TALLY = {
    2: N_("{player}'s second"),
    3: N_("hat-trick for {player}"),
    4: N_("{player}'s fourth"),
}


def _scored(state: MatchState, goal_id: str) -> tuple[int, ScoredGoal] | None:
    for place, scored in enumerate(state.goals):
        if scored.goal.id == goal_id:
            return place, scored
    return None


def score_clause(state: MatchState, goal_id: str) -> str | None:
    """``Inter lead 2-1`` / ``Inter draw level at 1-1`` / ``Inter pull one back: 1-2``, the
    score written from the side the goal counts for; None for a goal that does not stand."""
    found = _scored(state, goal_id)
    if found is None:
        return None
    place, scored = found
    side = scored.side
    ours = getattr(scored.score_after, side)
    theirs = getattr(scored.score_after, "away" if side == "home" else "home")
    team = state.fixture.home if side == "home" else state.fixture.away
    score = f"{ours}-{theirs}"
    before = state.goals[place - 1].score_after if place else None
    was_ahead = before is not None and getattr(before, side) > (
        getattr(before, "away" if side == "home" else "home")
    )
    if ours == theirs:
        return _("{team} draw level at {score}", team=team, score=score)
    if ours < theirs:
        return _("{team} pull one back: {score}", team=team, score=score)
    if was_ahead:
        return _("{team} make it {score}", team=team, score=score)
    other = "away" if side == "home" else "home"
    if any(
        getattr(g.score_after, side) < getattr(g.score_after, other) for g in state.goals[:place]
    ):
        return _("{team} turn it around: {score}", team=team, score=score)
    return _("{team} lead {score}", team=team, score=score)


def tally_clause(state: MatchState, goal: GoalEvent) -> str | None:
    """``Lautaro Martínez's second`` / ``doppietta di Lautaro Martínez``: the scorer's goals in
    the match up to this one (own goals do not count), from his second on."""
    if goal.kind == "own_goal" or not is_known_scorer(goal):
        return None
    found = _scored(state, goal.id)
    if found is None:
        return None
    place, _scored_goal = found
    count = sum(
        1
        for g in state.goals[: place + 1]
        if g.goal.kind != "own_goal" and same_scorer(g.goal, goal)
    )
    if count < 2:
        return None
    sentence = _TALLY.get(count)
    if sentence is None:
        return _("{player}'s {nth} goal of the match", player=goal.player, nth=ordinal(count))
    return _(sentence, player=goal.player)


def goal_context(state: MatchState, stored: StoredEvent) -> str | None:
    """The goal's context line: its score clause and the scorer's tally."""
    event = stored.event
    if not isinstance(event, GoalEvent):
        return None
    score = score_clause(state, event.id)
    tally = tally_clause(state, event)
    if score and tally:
        return _("{score} — {tally}", score=score, tally=tally)
    return score or tally


def var_status(state: MatchState, goal_id: str) -> VarCheckEvent | None:
    """The latest VAR check of the goal ``goal_id`` (in feed order), if any."""
    checks = [
        s for s in state.events if isinstance(s.event, VarCheckEvent) and s.event.ref == goal_id
    ]
    latest = max(checks, key=lambda s: s.seq).event if checks else None
    return latest if isinstance(latest, VarCheckEvent) else None


def var_line(check: VarCheckEvent) -> str:
    """``🖥 VAR check under way…`` / ``✅ Goal confirmed after a VAR check``."""
    if check.outcome == "confirmed":
        return _("✅ Goal confirmed after a VAR check")
    if check.reason in _POSSIBLE:
        return _("🖥 VAR check under way: possible {reason}…", reason=_(_POSSIBLE[check.reason]))
    return _("🖥 VAR check under way…")
