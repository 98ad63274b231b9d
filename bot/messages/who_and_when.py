"""Who scored and when, in words the recap and the alerts share: a scorer named only when
known, a minute said as fact only when it is one (an estimated minute is said as approximate),
and who won a match and with which goal."""

from __future__ import annotations

from bot.feed_format import (
    Event,
    GoalEvent,
)
from bot.match import MatchState, ScoredGoal, Side, is_known_scorer
from bot.messages.i18n import N_, _, italian_al, ordinal


def named_scorer(goal: GoalEvent) -> str:
    """The scorer's name, or words saying he is not known yet (never "Unknown")."""
    if goal.player is not None and is_known_scorer(goal):
        return goal.player
    return _("scorer not yet confirmed")


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


def minute_mark(event: Event) -> str:
    """``65'``, ``90+3'``; ``~34'`` for an estimated minute."""
    estimated = "~" if event.minute_estimated else ""
    return estimated + (
        f"{event.minute}+{event.stoppage}'" if event.stoppage else f"{event.minute}'"
    )


def winning_side(state: MatchState) -> Side | None:
    if state.score.home == state.score.away:
        return None
    return "home" if state.score.home > state.score.away else "away"


def side_name(state: MatchState, side: Side) -> str:
    return state.fixture.home if side == "home" else state.fixture.away


def other_side(side: Side) -> Side:
    return "away" if side == "home" else "home"


def decisive_goal(state: MatchState) -> ScoredGoal | None:
    """The winner's goal that put them ahead for good (None for a draw)."""
    winner = winning_side(state)
    if winner is None:
        return None
    losing_total = getattr(state.score, other_side(winner))
    for scored in state.goals:
        if scored.side == winner and getattr(scored.score_after, winner) == losing_total + 1:
            return scored
    return None
