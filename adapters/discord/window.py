"""Discord's global limit, kept without ever going over: at most N requests in any second.

Discord counts a request when it arrives and tells a bot only after it went over (a global 429;
a bot that keeps getting them is banned for a while). A rate limiter that spaces requests
evenly on the bot's clock needs headroom for the network's jitter (the adapter used to keep
itself at 80 % of the limit). This one needs none: a request occupies its slot from the moment
it is sent until one second after its answer came back. Discord received it somewhere in
between, so whatever the round trip, no one-second window at Discord ever holds more than
``limit`` requests, and the bot still sends at ``limit ÷ (1 s + round trip)`` (about 0.97 of
the limit at a 30 ms round trip).
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import deque
from collections.abc import Callable
from types import SimpleNamespace

import aiohttp


class RequestWindow:
    """At most ``limit`` requests in flight or answered less than ``window`` seconds ago."""

    def __init__(
        self, limit: int, window: float = 1.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        if limit < 1:
            raise ValueError("limit must be at least 1")
        self.limit = limit
        self.window = window
        self.clock = clock
        self._in_flight = 0
        self._expiries: deque[float] = deque()  # when answered requests stop counting
        self._waiters: list[asyncio.Future[None]] = []

    def used(self) -> int:
        """Slots taken now: requests in flight plus those answered within the window."""
        now = self.clock()
        expiries = self._expiries
        while expiries and expiries[0] <= now:
            expiries.popleft()
        return self._in_flight + len(expiries)

    async def acquire(self) -> None:
        """Wait for a slot and take it; call :meth:`release` once the request was answered
        (or failed)."""
        loop = asyncio.get_running_loop()
        while self.used() >= self.limit:
            # the oldest answered request frees its slot then; else an answer will tell
            wait = max(0.0, self._expiries[0] - self.clock()) if self._expiries else None
            waiter: asyncio.Future[None] = loop.create_future()
            self._waiters.append(waiter)
            try:
                with contextlib.suppress(TimeoutError):
                    async with asyncio.timeout(wait):
                        await waiter
            finally:
                with contextlib.suppress(ValueError):
                    self._waiters.remove(waiter)
        self._in_flight += 1

    def release(self) -> None:
        self._in_flight -= 1
        self._expiries.append(self.clock() + self.window)
        waiters, self._waiters = self._waiters, []
        for waiter in waiters:
            if not waiter.done():
                waiter.set_result(None)

    def trace(self, counts: Callable[[str], bool]) -> aiohttp.TraceConfig:
        """An aiohttp trace that holds a slot for every request whose URL ``counts``, from
        just before it is sent until its answer (or failure): every attempt of every request
        of the session, retries and requests the bot's own code never sees included."""
        config = aiohttp.TraceConfig()

        async def start(
            session: aiohttp.ClientSession,
            ctx: SimpleNamespace,
            params: aiohttp.TraceRequestStartParams,
        ) -> None:
            if counts(str(params.url)):
                await self.acquire()
                ctx.holds_slot = True

        async def end(session: aiohttp.ClientSession, ctx: SimpleNamespace, params: object) -> None:
            if getattr(ctx, "holds_slot", False):
                ctx.holds_slot = False
                self.release()

        config.on_request_start.append(start)
        config.on_request_end.append(end)
        config.on_request_exception.append(end)
        return config
