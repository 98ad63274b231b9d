"""A limit of N requests in any window of time that the receiving server can never see broken.

A server that counts requests as they arrive (Discord's global 50 a second, Telegram's 1,000
paid messages a second) cannot be kept under its limit by spacing requests evenly on the
sender's clock alone: the network, and the server itself when busy, bunch requests up on the
way, so such a pacer needs headroom. :class:`RequestWindow` needs none: a request occupies
its slot from the moment it is sent until ``window`` after its answer came back. The server
received it somewhere in between, so whatever the round trip, no window at the server ever
holds more than ``limit`` requests, and a busy server (answering late) slows the sender by
itself. The sender still reaches ``limit ÷ (window + round trip)``.

(Ending the slot earlier, say half the shortest round trip seen, on the ground that an answer
takes that long to come back, was tried and let the fake Telegram refuse requests: when the
server is busy, requests wait on the way in, before it counts them, so the way back can be far
shorter than half a round trip.)
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator

from bot.clock import Clock, SystemClock


class RequestWindow:
    """At most ``limit`` requests in flight or answered less than ``window`` seconds ago."""

    def __init__(
        self,
        limit: int,
        window: float = 1.0,
        *,
        clock: Clock | None = None,
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self.clock = clock or SystemClock()
        self._in_flight = 0
        self._expiries: deque[float] = deque()  # when answered requests stop counting
        #: requests waiting for a slot, first come first served; only the first one waits for
        #: the clock or an answer, the others wait for their turn (no herd of wake-ups)
        self._queue: deque[asyncio.Future[None]] = deque()
        self._head_wake: asyncio.Future[None] | None = None

    def used(self) -> int:
        """Slots taken now: requests in flight plus those answered within the window."""
        now = self.clock.monotonic()
        expiries = self._expiries
        while expiries and expiries[0] <= now:
            expiries.popleft()
        return self._in_flight + len(expiries)

    async def acquire(self, *, ahead: bool = False) -> None:
        """Wait for a slot and take it; call :meth:`release` once the request was answered
        (or failed). ``ahead``: go before every request waiting but the first (the delivery
        loop's turn for a new send, ahead of the later parts of sends under way)."""
        if not self._queue and self.used() < self.limit:
            self._in_flight += 1
            return
        loop = asyncio.get_running_loop()
        turn: asyncio.Future[None] = loop.create_future()
        if ahead and self._queue:
            self._queue.insert(1, turn)  # the first one may already be waiting on the clock
        else:
            self._queue.append(turn)
        try:
            if self._queue[0] is not turn:
                await turn  # the request before this one got its slot
            while self.used() >= self.limit:
                # the oldest answered request frees its slot then; else an answer will tell
                wait = (
                    max(0.0, self._expiries[0] - self.clock.monotonic()) if self._expiries else None
                )
                self._head_wake = loop.create_future()
                with contextlib.suppress(TimeoutError):
                    async with self.clock.timeout(wait):
                        await self._head_wake
            self._in_flight += 1
        finally:
            self._queue.remove(turn)
            if self._queue and not self._queue[0].done():
                self._queue[0].set_result(None)

    def occupy(self, until: float, count: int = 1) -> None:
        """``count`` requests someone else made, that this window did not see, take slots
        until ``until`` (:meth:`Clock.monotonic`), as far as slots are free."""
        taken = min(count, self.limit - self.used())
        if taken > 0 and until > self.clock.monotonic():
            self._expiries = deque(sorted([*self._expiries, *[until] * taken]))

    def release(self) -> None:
        """The request is over: its slot is free ``window`` from now."""
        self._in_flight -= 1
        self._expiries.append(self.clock.monotonic() + self.window)
        self._wake_head()

    def give_back(self) -> None:
        """A slot taken but never used for a request: free at once."""
        self._in_flight -= 1
        self._wake_head()

    def _wake_head(self) -> None:
        wake = self._head_wake
        if wake is not None and not wake.done():
            wake.set_result(None)

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold a slot around one request."""
        await self.acquire()
        try:
            yield
        finally:
            self.release()
