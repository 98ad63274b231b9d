"""The football rules for reading a provider's successive answers about one match.

Each rule is a small pure function over feed-v1 event dicts; :func:`bot.snapshots.diff_snapshot`
applies them in order. The rules:

* :func:`same_event` / :func:`retimed` - an event the provider re-timed or re-keyed (a goal moved
  from 9' to 10', reclassified normal -> penalty) is the event already announced, not a new one;
* :func:`corrected_goal` - a goal held back by the score guard while a goal of the same team near
  the same minute vanished is that goal with a corrected scorer;
* :func:`var_cancelled_goal` - the announced goal a VAR "goal cancelled" is about, when the
  provider no longer lists the goal itself;
* :func:`goals_to_withdraw` - announced goals that vanished while the score went down;
* :func:`goal_allowance` / :func:`is_new_goal` - the score guard: a goal is only announced while
  the announced goals of its team stay within the provider's score for that team.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from bot.feed_format import FeedEvent

REMATCH_WINDOW = 5
"""Minutes an event may move between polls and still be recognised as the same event."""


def clamp_minute(minute: int | None) -> int:
    """A provider's minute kept within what a match can last (0..130)."""
    if minute is None:
        return 0
    return max(0, min(130, minute))


def timeline_minute(minute: int, stoppage: int | None) -> int:
    """Minute plus added time: where the event sits on the match's clock."""
    return minute + (stoppage or 0)


def abs_minute(ev: Mapping[str, Any]) -> int:
    return timeline_minute(int(ev.get("minute", 0)), ev.get("stoppage"))


def identity(ev: Mapping[str, Any]) -> tuple[Any, ...]:
    """What must be equal for two events (at nearby minutes) to be the same event."""
    kind = ev["type"]
    if kind == "goal":  # normal <-> penalty reclassification keeps the identity
        return (kind, ev.get("team"), ev.get("player"), ev.get("kind") == "own_goal")
    if kind == "card":
        return (kind, ev.get("team"), ev.get("player"), ev.get("card"))
    if kind == "substitution":
        return (kind, ev.get("team"), ev.get("player_in"), ev.get("player_out"))
    if kind == "goal_disallowed":
        return (kind, ev.get("team"), ev.get("player"), ev.get("reason"))
    if kind == "penalty_missed":
        return (kind, ev.get("team"), ev.get("player"))
    if kind == "shootout_kick":
        return (kind, ev.get("team"), ev.get("player"), ev.get("scored"))
    return (kind, ev.get("team"), ev.get("player"), ev.get("text"))


def same_event(old: Mapping[str, Any], new: Mapping[str, Any]) -> bool:
    """``new`` is ``old`` re-timed or re-keyed: same identity, within ``REMATCH_WINDOW``."""
    return (
        identity(old) == identity(new) and abs(abs_minute(old) - abs_minute(new)) <= REMATCH_WINDOW
    )


def _closest(ev: Mapping[str, Any], found: Iterable[FeedEvent]) -> FeedEvent | None:
    best: FeedEvent | None = None
    for old in found:
        gap = abs(abs_minute(old) - abs_minute(ev))
        if best is None or gap < abs(abs_minute(best) - abs_minute(ev)):
            best = old
    return best


def retimed(ev: Mapping[str, Any], vanished: Iterable[FeedEvent]) -> FeedEvent | None:
    """The announced event (now missing from the provider's list) that ``ev`` is, if any:
    the closest in time among those :func:`same_event` accepts."""
    return _closest(ev, (old for old in vanished if same_event(old, ev)))


def corrected_goal(
    goal: Mapping[str, Any], vanished: Iterable[FeedEvent], cancelled: set[str]
) -> FeedEvent | None:
    """A vanished, uncancelled goal of the same team near the same minute (any scorer)."""
    return _closest(
        goal,
        (
            old
            for old in vanished
            if old["type"] == "goal"
            and old["team"] == goal["team"]
            and old["id"] not in cancelled
            and abs(abs_minute(old) - abs_minute(goal)) <= REMATCH_WINDOW
        ),
    )


def var_cancelled_goal(
    announced: Iterable[FeedEvent], cancel: Mapping[str, Any], listed: set[str]
) -> FeedEvent | None:
    """The announced goal a VAR cancellation without ``ref`` is about, or ``None``: a goal no
    longer listed (``listed``: ids in the provider's answer), same player and team (an own goal
    of either team), the latest at or before the VAR decision."""
    minute = abs_minute(cancel)
    best: FeedEvent | None = None
    for goal in announced:
        if str(goal["id"]) in listed or goal.get("player") != cancel.get("player"):
            continue
        same_team = goal["team"] == cancel.get("team") or goal.get("kind") == "own_goal"
        if not same_team or abs_minute(goal) > minute:
            continue
        if best is None or abs_minute(goal) > abs_minute(best):
            best = goal
    return best


def goals_to_withdraw(
    announced: Iterable[FeedEvent], vanished: Iterable[FeedEvent], team: str, score: int
) -> list[FeedEvent]:
    """Vanished goals of ``team`` to cancel because the provider's score for the team went
    below the goals announced for it (latest goals first); none while the score agrees."""
    excess = sum(1 for g in announced if g["team"] == team) - score
    if excess <= 0:
        return []
    gone = sorted(
        (g for g in vanished if g["type"] == "goal" and g["team"] == team),
        key=abs_minute,
        reverse=True,
    )
    return gone[:excess]


def goal_allowance(
    score: tuple[int, int] | None, teams: tuple[str, str], announced: Iterable[FeedEvent]
) -> list[int | None]:
    """How many more goals each side (home, away) may be announced with under the provider's
    score; ``None`` for both when the provider gives no score (no guard)."""
    if score is None:
        return [None, None]
    goals = list(announced)
    return [score[side] - sum(1 for g in goals if g["team"] == teams[side]) for side in (0, 1)]


def is_new_goal(allowance: int | None) -> bool:
    """The score guard: a goal not announced yet may be announced now (its side's allowance
    from :func:`goal_allowance` is positive, or there is no score to check against)."""
    return allowance is None or allowance > 0
