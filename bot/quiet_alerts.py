"""One push per goal: which alerts go without a sound when they come right after a goal.

A goal buzzes the phone once. Its VAR check and the check's outcome edit the goal's own alert
(never a new message), and an alert that comes with the goal — in the goal's minute or the
next, or a whistle that follows it — goes silently (Telegram's ``disable_notification``,
Discord's silent message) when it is minor at the level of the chats that get it:

- ``goals`` (goals only): nothing; such a chat only gets goals and cancellations, and each
  one buzzes;
- ``key`` (key events): the whistle that ends a half (half-time, full time) and the added-time
  board; red cards, missed penalties, disallowed goals and kick-offs still buzz;
- ``all`` (everything): the same, and yellow cards, substitutions, saves, misses, notes and
  shoot-out kicks.

A category is silent only when it is minor at every level that lets it through, so a chat never
hears less than its level promises. A followed player's fans get his moments with a sound: to
them they are the news.
"""

from __future__ import annotations

from bot.chat_settings import LEVELS
from bot.feed_format import AddedTimeEvent, PeriodEvent
from bot.match import MatchState, StoredEvent
from bot.messages.templates import alert_category

#: The whistles that end a half, and the added-time board: they come seconds after a late goal
#: (a half's kick-off comes after the break, never with a goal).
_WHISTLES = frozenset({"half_time", "full_time", "added_time"})

#: What is minor right after a goal, level by level (see the module's table).
MINOR_AFTER_A_GOAL: dict[str, frozenset[str]] = {
    "goals": frozenset(),
    "key": _WHISTLES,
    "all": _WHISTLES | {"card", "substitution", "save", "miss", "note", "shootout"},
}


def minor_after_a_goal(category: str) -> bool:
    """Whether alerts of ``category`` go silently right after a goal: minor at every level
    that lets them through (a red card is never minor)."""
    levels = [level for level, allowed in LEVELS.items() if category in allowed]
    return bool(levels) and all(category in MINOR_AFTER_A_GOAL[level] for level in levels)


def after_a_goal(state: MatchState, stored: StoredEvent) -> bool:
    """A minor alert that comes with a counted goal: an event in the goal's minute or the next
    (at or after it on the clock), or a whistle or the added-time board right after it in
    the feed (a half-time at 45' that follows a goal at 45+2')."""
    event = stored.event
    if not minor_after_a_goal(alert_category(event)):
        return False
    whistle = isinstance(event, PeriodEvent | AddedTimeEvent)
    for scored in state.goals:
        goal = state.by_id.get(scored.goal.id)
        if goal is None or scored.goal.id in state.cancelled:
            continue
        if whistle:
            played = event.minute + (event.stoppage or 0)
            near = goal.seq < stored.seq and played - _played(goal) <= 1
        else:
            near = goal.clock <= stored.clock and event.minute <= goal.event.minute + 1
        if near:
            return True
    return False


def _played(stored: StoredEvent) -> int:
    """The minutes played at an event (45+2' is 47)."""
    return stored.event.minute + (stored.event.stoppage or 0)
