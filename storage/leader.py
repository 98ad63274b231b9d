"""One leader among the processes that share a PostgreSQL database: a session-level advisory
lock, held on a connection of its own (never one of the pool's, which would carry the lock to
whoever uses the connection next).

PostgreSQL releases the lock when the session ends, however it ends: the process stopped or
killed (its socket closes at once), or its machine or network gone (the server's TCP
keepalives, set short on this session, notice within about :data:`KEEPALIVE_SECONDS`).
The holder checks its session every :data:`CHECK_EVERY` seconds and steps down as soon as a
check fails: by then another process may already lead.
"""

from __future__ import annotations

import contextlib
import hashlib
from typing import Any

import psycopg

from storage.urls import DatabaseUnreachable, redact, scrub

#: how often the holder makes sure its session (and so its lock) still lives
CHECK_EVERY = 2.0
#: idle seconds, probe interval and probes after which the server drops a vanished session
KEEPALIVE = (4, 2, 3)
KEEPALIVE_SECONDS = KEEPALIVE[0] + KEEPALIVE[1] * KEEPALIVE[2]


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``name`` (advisory locks are numbered)."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)


class LeaderLock:
    """``pg_try_advisory_lock`` on a session of its own; synchronous (run it on a thread)."""

    def __init__(self, url: str, name: str = "matchbot:leader") -> None:
        self.url = url
        self.key = lock_key(name)
        self._conn: psycopg.Connection[Any] | None = None

    def _connect(self) -> psycopg.Connection[Any]:
        idle, interval, count = KEEPALIVE
        try:
            conn = psycopg.connect(
                self.url,
                autocommit=True,
                connect_timeout=5,
                keepalives=1,
                keepalives_idle=idle,
                keepalives_interval=interval,
                keepalives_count=count,
                application_name="matchbot-leader",
            )
        except psycopg.Error as exc:
            raise DatabaseUnreachable(
                f"cannot reach the database at {redact(self.url)}: {scrub(str(exc), self.url)}"
            ) from None
        conn.execute(f"SET tcp_keepalives_idle = {idle}")
        conn.execute(f"SET tcp_keepalives_interval = {interval}")
        conn.execute(f"SET tcp_keepalives_count = {count}")
        return conn

    def try_acquire(self) -> bool:
        """Take the lock if no other session holds it; True when this session holds it."""
        if self._conn is None or self._conn.closed or self._conn.broken:
            self.close()
            self._conn = self._connect()
        row = self._conn.execute("SELECT pg_try_advisory_lock(%s)", [self.key]).fetchone()
        return bool(row and row[0])

    def held(self) -> bool:
        """Whether this session still lives (and so still holds the lock: it is never
        released but with the session)."""
        conn = self._conn
        if conn is None or conn.closed or conn.broken:
            return False
        try:
            conn.execute("SELECT 1").fetchone()
        except psycopg.Error:
            self.close()
            return False
        return True

    def close(self) -> None:
        """End the session (PostgreSQL releases the lock with it)."""
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                conn.close()
