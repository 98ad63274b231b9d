"""Fairness between chats and members: what one chat or one member may ask of the bot.

The rules (README, "Fairness"):

* live alerts go before answers to commands (:mod:`bot.delivery` orders them; a chat's
  alert is sent before its own pending answers);
* a chat has at most :data:`REPLY_BURST` answers waiting to be sent; an answer beyond them is
  dropped, and the chat gets one "slow down" note instead (at most one in
  :data:`NOTE_EVERY_SECONDS`);
* in a group or channel each member may use :data:`GROUP_COMMANDS` commands in any
  :data:`GROUP_WINDOW_SECONDS` seconds; beyond them a command is not run at all and is
  answered only by that same one note (reporters' ``/report`` is not limited, and Discord's
  slash commands are answered in their interaction, outside the channel's budget);
* a button pressed again on the same message within :data:`PRESS_REPEAT_SECONDS` is
  answered (its spinner stops) but does not act again (:class:`RecentPresses`);
* a chat's answers take only that chat's turns (the delivery loop sends each chat's messages
  in its own lane, one at a time), so a flood in one chat never delays another chat.

The per-member limit is a moving window kept by the ``limits`` library, in memory (a restart
forgets it, which is harmless). The library (some 30 ms of CPU to import: it loads its asyncio
storages too) is imported when a limit is first counted, not when the bot starts: most chats are
private, and a bot may run for hours before a group sends a command.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
from functools import cached_property
from typing import TYPE_CHECKING

from bot.ports import CommandContext

if TYPE_CHECKING:
    from limits import RateLimitItem
    from limits.strategies import MovingWindowRateLimiter

#: Answers to commands a chat may have waiting to be sent; the next ones are dropped.
REPLY_BURST = 3
#: Commands (and button presses) one member may use in a group in any window …
GROUP_COMMANDS = 8
#: … of this many seconds.
GROUP_WINDOW_SECONDS = 60
#: A chat gets at most one "slow down" note in this many seconds.
NOTE_EVERY_SECONDS = 60
#: The "slow down" note's outbox key starts with this (its lane: the chat's answers).
SLOW_DOWN_PREFIX = "slow:"


def slow_down_key(reply_key: str) -> str:
    """The note's key, from the key of the first answer it stands for (it keeps the chat id
    at its end, so a migrated chat's pending note moves with it)."""
    return SLOW_DOWN_PREFIX + reply_key.partition(":")[2]


def coalesce(pending_keys: list[str], over_limit: bool = False) -> str:
    """What to do with a new answer, given the keys of the chat's answers still waiting:
    ``"queue"`` it, ``"note"`` (drop it, queue the one "slow down" note) or ``"drop"`` it
    (the note is already waiting). An answer to a member ``over_limit`` is never queued."""
    answers = [k for k in pending_keys if not k.startswith(SLOW_DOWN_PREFIX)]
    if len(answers) < REPLY_BURST and not over_limit:
        return "queue"
    if any(k.startswith(SLOW_DOWN_PREFIX) for k in pending_keys):
        return "drop"
    return "note"


class CommandLimits:
    """Commands per member in groups and channels (private chats and the chat's admins are not
    limited: their answers are coalesced like any chat's)."""

    def __init__(self, commands: int = GROUP_COMMANDS, seconds: int = GROUP_WINDOW_SECONDS) -> None:
        self.commands = commands
        self.seconds = seconds

    @cached_property
    def _rate(self) -> RateLimitItem:
        from limits import RateLimitItemPerSecond

        return RateLimitItemPerSecond(self.commands, self.seconds)

    @cached_property
    def _notes(self) -> RateLimitItem:
        from limits import RateLimitItemPerSecond

        return RateLimitItemPerSecond(1, NOTE_EVERY_SECONDS)

    @cached_property
    def _limiter(self) -> MovingWindowRateLimiter:
        """The moving windows, in memory (built, and the library imported, at the first count)."""
        from limits.storage import MemoryStorage
        from limits.strategies import MovingWindowRateLimiter

        return MovingWindowRateLimiter(MemoryStorage())

    def may_note(self, platform: str, chat_id: str) -> bool:
        """Count one "slow down" note to a chat; False when it had one lately."""
        return self._limiter.hit(self._notes, "note", platform, chat_id)

    def allow(self, ctx: CommandContext) -> bool:
        """Count one command of ``ctx``'s member; False when it is over the limit. Those who
        may change the chat (its admins, for a command that needs the right) are not limited:
        an admin setting the chat up gets every answer, and their answers are coalesced like
        anyone's, so they cannot hold back an alert either."""
        if ctx.chat_kind == "private" or ctx.can_manage:
            return True
        return self._limiter.hit(self._rate, ctx.platform, ctx.chat_id, ctx.user_id)


#: The same button pressed again within this many seconds (on the same message, by anyone)
#: is answered but does not act again: twenty impatient presses are one.
PRESS_REPEAT_SECONDS = 5.0
#: Presses remembered at most (the oldest are forgotten first).
PRESSES_KEPT = 10_000


class RecentPresses:
    """Button presses acted on lately, so a repeat of one is recognised (and not acted on
    again) however fast it comes: the first press holds its place from the moment it starts
    (a repeat arriving while it is still being handled is a repeat too)."""

    def __init__(self, clock: Callable[[], float], window: float = PRESS_REPEAT_SECONDS) -> None:
        self.clock = clock
        self.window = window
        self._seen: OrderedDict[tuple[str, ...], float] = OrderedDict()

    def first(self, platform: str, chat_id: str, message_id: str | None, action: str) -> bool:
        """True for a press to act on; False for a repeat of one acted on in the window."""
        if message_id is None:
            return True
        now = self.clock()
        key = (platform, chat_id, message_id, action)
        at = self._seen.get(key)
        if at is not None and now - at < self.window:
            return False
        self._seen[key] = now
        self._seen.move_to_end(key)
        while len(self._seen) > PRESSES_KEPT:
            self._seen.popitem(last=False)
        return True
