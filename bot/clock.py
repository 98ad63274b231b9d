"""The clock delivery paces by: one object for reading the time and for waiting.

:class:`bot.delivery.Delivery`, its :class:`bot.pacer.Pacer` and the
:class:`bot.request_window.RequestWindow` read the time and wait only through a :class:`Clock`,
so a test can run them on a :class:`FastClock` (every second of pacing a hundredth of a real
one, against a fake server whose limits are scaled the same way) instead of spending real
seconds.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from contextlib import AbstractAsyncContextManager
from typing import Protocol, runtime_checkable


@runtime_checkable
class Clock(Protocol):
    """Time and waiting, for pacing."""

    def time(self) -> float:
        """Seconds since the epoch (what the outbox's due times are written in)."""
        ...

    def monotonic(self) -> float:
        """Seconds on a clock that never goes back (what pacing measures intervals with)."""
        ...

    async def sleep(self, seconds: float) -> None: ...

    def timeout(self, seconds: float | None) -> AbstractAsyncContextManager[object]:
        """Like :func:`asyncio.timeout`, ``seconds`` on this clock (None: no limit)."""
        ...


class SystemClock:
    """The real clock; ``wall`` gives the epoch time (the bot's own clock, for tests that fix
    the date)."""

    def __init__(self, wall: Callable[[], float] = time.time) -> None:
        self._wall = wall

    def time(self) -> float:
        return self._wall()

    def monotonic(self) -> float:
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds)

    def timeout(self, seconds: float | None) -> AbstractAsyncContextManager[object]:
        return asyncio.timeout(seconds)


class FastClock:
    """A clock ``speed`` times faster than the real one, for tests: a second of pacing, a
    platform's "retry after 1 s" and a retry's back-off take ``1 / speed`` real seconds. Its
    epoch time starts at the real one and runs as fast (so the outbox's due times written by
    the delivery loop pass as fast; a due time the engine wrote on the real clock, such as a
    spoiler delay, passes early)."""

    def __init__(self, speed: float = 100.0) -> None:
        self.speed = speed
        self._start_wall = time.time()
        self._start = time.monotonic()

    def monotonic(self) -> float:
        return self._start + (time.monotonic() - self._start) * self.speed

    def time(self) -> float:
        return self._start_wall + (time.monotonic() - self._start) * self.speed

    async def sleep(self, seconds: float) -> None:
        await asyncio.sleep(seconds / self.speed)

    def timeout(self, seconds: float | None) -> AbstractAsyncContextManager[object]:
        return asyncio.timeout(None if seconds is None else seconds / self.speed)


def clock_of(clock: Clock | Callable[[], float]) -> Clock:
    """``clock`` itself when it is a :class:`Clock`, else the real clock with ``clock`` as
    its epoch time."""
    if isinstance(clock, Clock):
        return clock
    return SystemClock(clock)
