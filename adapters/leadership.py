"""Which process leads, when several share one PostgreSQL database.

The leader runs what must run once: following the feeds and polling the data providers,
Telegram's ``getUpdates`` (two pollers on one token get 409 Conflict), the timed jobs, and the
delivery of the outbox (one sender per token, so the platforms' limits hold for all the
processes together). It is whichever process holds the database's leader lock
(:class:`storage.leader.LeaderLock`, a PostgreSQL advisory lock on a session of its own). The
others stand by: they keep their Discord shards and webhook answering commands, and try the
lock every :data:`TRY_EVERY` seconds, so one of them leads within seconds of the leader's
death. On SQLite there is one process, and it always leads (:class:`SoleProcess`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Protocol

from storage.urls import DatabaseUnreachable

log = logging.getLogger("matchbot")

#: seconds between two tries of the leader lock by a process standing by
TRY_EVERY = 1.0


class LeadershipLost(Exception):
    """The leader's session with the database ended: another process may lead now."""


class Leadership(Protocol):
    async def acquire(self, stop: asyncio.Event) -> bool:
        """Wait until this process leads (True), or until ``stop`` is set (False)."""
        ...

    async def watch(self) -> None:
        """Return when this process no longer leads."""
        ...

    def close(self) -> None: ...


class SoleProcess:
    """One process on a SQLite file (its file lock keeps others out): it always leads."""

    async def acquire(self, stop: asyncio.Event) -> bool:
        return True

    async def watch(self) -> None:
        await asyncio.Event().wait()

    def close(self) -> None:
        return None


class DatabaseLeadership:
    """The leader lock of a PostgreSQL database, tried and checked off the event loop."""

    def __init__(self, url: str) -> None:
        from storage.leader import CHECK_EVERY, LeaderLock

        self.lock = LeaderLock(url)
        self.check_every = CHECK_EVERY

    async def acquire(self, stop: asyncio.Event) -> bool:
        waited = False
        while not stop.is_set():
            try:
                if await asyncio.to_thread(self.lock.try_acquire):
                    return True
            except DatabaseUnreachable as exc:
                log.warning("%s; trying again", exc)
            if not waited:
                log.info("standing by: another matchbot leads on this database")
                waited = True
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), TRY_EVERY)
        return False

    async def watch(self) -> None:
        while True:
            await asyncio.sleep(self.check_every)
            if not await asyncio.to_thread(self.lock.held):
                return

    def close(self) -> None:
        self.lock.close()


def leadership_for(store: object) -> Leadership:
    """:class:`DatabaseLeadership` for a PostgreSQL URL, else :class:`SoleProcess`."""
    from storage import urls

    if urls.is_url(store):
        return DatabaseLeadership(str(store))
    return SoleProcess()
