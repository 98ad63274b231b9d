"""The delivery loop's pacer: the one place the bot keeps to a platform's limits (overall
requests a second, per chat, per group a minute, and the waits the platform asked for)."""

from __future__ import annotations

import contextlib
import math
from collections import defaultdict, deque
from collections.abc import AsyncIterator, Callable

from bot.clock import Clock, SystemClock
from bot.ports import Pacing
from bot.request_window import RequestWindow

#: Heads fetched at once are used for at most this long before the outbox is asked again
#: (and at once after :meth:`Delivery.wake`, which every change of the outbox calls).
HEADS_TTL = 0.5


class Pacer:
    """The one place the bot keeps to a platform's limits (:class:`bot.ports.Pacer`).

    Limits are kept as the platform counts them, at its end, whatever the round trip:

    * overall, ``per_second`` requests in any second (a :class:`RequestWindow`: a request holds
      its slot from before it is sent until a second after its answer), started no closer
      than ``1/per_second`` apart (after up to ``burst`` at once), so the loop always has a
      turn coming soon for a new alert;
    * per chat, the next request goes ``per_chat_interval`` after the last one's answer, and
      a group's ``group_per_minute`` requests in any minute count from their answers;
    * a chat the platform asked to wait (:meth:`hold`) waits, replies to commands included.

    The delivery loop takes a turn (:meth:`reserve`) before it chooses the row to send, and
    gives it to that row's chat (:meth:`assign`): the adapter's first request for the chat
    uses it (:meth:`request`); further requests (a long text's extra parts, a library's
    retries) wait their own turn there."""

    def __init__(
        self, pacing: Pacing, is_group: Callable[[str], bool], clock: Clock | None = None
    ) -> None:
        self.pacing = pacing
        self.is_group = is_group
        self.clock = clock or SystemClock()
        rate = pacing.per_second
        self.window: RequestWindow | None = None
        self._spacing = 0.0
        if rate:
            # a whole number of requests per window (0.5/s: 1 request in any 2 s)
            limit = max(1, math.floor(rate))
            self.window = RequestWindow(limit, limit / rate, clock=self.clock)
            self._spacing = 1.0 / rate
        self._next_start = -math.inf  # the spacing's earliest next start (minus the burst)
        self._answered: dict[str, float] = {}
        self._group_window: dict[str, deque[float]] = defaultdict(deque)
        self._held: dict[str, float] = {}
        self._assigned: set[str] = set()

    # --- per chat ----------------------------------------------------------------------------

    def hold(self, chat_id: str, seconds: float) -> None:
        """The platform asked us to leave this chat alone for ``seconds``: rows queued later
        (an answer to a command typed meanwhile) wait too."""
        until = self.clock.monotonic() + seconds
        self._held[chat_id] = max(self._held.get(chat_id, 0.0), until)

    def ready_at(self, chat_id: str) -> float:
        """The earliest time (:meth:`Clock.monotonic`) this chat may get its next request."""
        now = self.clock.monotonic()
        at = self._answered.get(chat_id, -math.inf) + self.pacing.per_chat_interval
        held = self._held.get(chat_id)
        if held is not None:
            if held > now:
                at = max(at, held)
            else:
                del self._held[chat_id]
        limit = self.pacing.group_per_minute
        if limit and self.is_group(chat_id):
            window = self._group_window[chat_id]
            while window and window[0] <= now - 60.0:
                window.popleft()
            if not window:
                del self._group_window[chat_id]
            elif len(window) >= limit:
                at = max(at, window[0] + 60.0)
        return at

    def waiting(self) -> dict[str, float]:
        """Chats that must wait longer than a chat's usual interval (the platform asked them
        to, or a group used its minute's budget), with when each may go again: the delivery
        loop does not look at their rows until then, so they never crowd out the chats that
        may go now."""
        now = self.clock.monotonic()
        usual = now + max(self.pacing.per_chat_interval, HEADS_TTL)
        found: dict[str, float] = {}
        for chat_id in [*self._held, *self._group_window]:
            at = self.ready_at(chat_id)
            if at > usual:
                found[chat_id] = at
        return found

    def answered(self, chat_id: str, at: float | None = None) -> None:
        """A request to this chat got its answer (or failed): its intervals count from now
        (from ``at``, on :meth:`Clock.monotonic`'s scale, for a send recalled from the
        database: call those first, oldest first)."""
        now = self.clock.monotonic() if at is None else at
        self._answered[chat_id] = max(now, self._answered.get(chat_id, -math.inf))
        if self.pacing.group_per_minute and self.is_group(chat_id):
            self._group_window[chat_id].append(now)

    def forget_idle(self) -> None:
        """Drop what no longer limits anything (chats answered long ago)."""
        horizon = self.clock.monotonic() - self.pacing.per_chat_interval
        self._answered = {c: t for c, t in self._answered.items() if t > horizon}

    # --- overall -----------------------------------------------------------------------------

    def sent_elsewhere(self, answered: float, count: int = 1) -> None:
        """``count`` requests another process made (the leader before this one), answered at
        ``answered`` (:meth:`Clock.monotonic`'s scale) or before: they count against the
        overall limit for one window from then, as this pacer's own would."""
        if self.window is not None:
            self.window.occupy(answered + self.window.window, count)

    async def _take_turn(self, *, ahead: bool = False) -> None:
        if self.window is None:
            return
        await self.window.acquire(ahead=ahead)
        now = self.clock.monotonic()
        earliest = self._next_start - (self.pacing.burst - 1) * self._spacing
        if earliest > now:
            await self.clock.sleep(earliest - now)
            now = self.clock.monotonic()
        self._next_start = max(self._next_start, now) + self._spacing

    async def reserve(self) -> None:
        """Wait for the next overall turn and take it (the loop then chooses a row for it).
        It goes ahead of the later parts of sends under way (a recap's text after its
        picture, a long text's next part): those wait for their chat's interval anyway, so
        new sends keep the overall rate full to the end instead of leaving the last second
        to the parts alone."""
        await self._take_turn(ahead=True)

    def unreserve(self) -> None:
        """The turn taken by :meth:`reserve` found no row: free it at once."""
        if self.window is not None:
            self.window.give_back()
            self._next_start -= self._spacing

    def assign(self, chat_id: str) -> None:
        """The turn taken by :meth:`reserve` is ``chat_id``'s next request."""
        self._assigned.add(chat_id)

    def finish(self, chat_id: str) -> None:
        """The loop's send to ``chat_id`` is over. A turn the adapter did not use through
        :meth:`request` (an adapter that makes one request per send and is not paced itself)
        counts as one request answered now; a request made through :meth:`request` was
        counted there already, and is never counted twice (a group's 20 a minute are 20
        requests, not 10)."""
        if chat_id in self._assigned:
            self._assigned.discard(chat_id)
            if self.window is not None:
                self.window.release()
            self.answered(chat_id)

    @contextlib.asynccontextmanager
    async def request(
        self, chat_id: str | None, *, chat_limits: bool = True
    ) -> AsyncIterator[None]:
        """Around one request to ``chat_id`` (:class:`bot.ports.Pacer`)."""
        if chat_id is not None and chat_id in self._assigned:
            self._assigned.discard(chat_id)  # the loop's turn for this send
        else:
            if chat_id is not None and chat_limits:
                while (wait := self.ready_at(chat_id) - self.clock.monotonic()) > 0:
                    await self.clock.sleep(wait)
            await self._take_turn()
        try:
            yield
        finally:
            if self.window is not None:
                self.window.release()
            if chat_id is not None:
                self.answered(chat_id)
