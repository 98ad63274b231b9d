"""The operator's queries: the outbox backlog, live matches and subscriptions for the metrics
endpoint, and the health probe's write. SQLite; a second backend implements the same functions.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass

from storage.store import Store

#: a match with no news for this long is no longer counted live (an abandoned feed)
LIVE_FOR = 4 * 3600.0


class StoreProblem(Exception):
    """The database could not be read or written; the message says why (no SQL)."""


@contextlib.contextmanager
def _told() -> Iterator[None]:
    try:
        yield
    except (sqlite3.Error, OSError) as exc:
        raise StoreProblem(str(exc) or type(exc).__name__) from None


@dataclass(frozen=True)
class BacklogRow:
    platform: str
    pending: int
    oldest_pending_at: float | None
    #: since when the oldest row that is due now (or has failed an attempt) has waited
    waiting_since: float | None


@dataclass(frozen=True)
class Counts:
    live_matches: int
    subscriptions: int
    active_chats: int


def backlog(store: Store, now: float) -> list[BacklogRow]:
    """Each platform's pending rows (from the partial index of pending rows)."""
    with _told():
        return _backlog(store, now)


def _backlog(store: Store, now: float) -> list[BacklogRow]:
    rows = store.db.execute(
        "SELECT platform, COUNT(*), MIN(created_at),"
        " MIN(CASE WHEN attempts > 0 THEN MIN(created_at, next_attempt_at)"
        " WHEN next_attempt_at <= ? THEN next_attempt_at END)"
        " FROM outbox WHERE status = 'pending' GROUP BY platform",
        [now],
    ).fetchall()
    return [BacklogRow(p, n, oldest, waiting) for p, n, oldest, waiting in rows]


def counts(store: Store, now: float) -> Counts:
    with _told():
        return _counts(store, now)


def _counts(store: Store, now: float) -> Counts:
    live = store.db.execute(
        "SELECT COUNT(*) FROM matches WHERE finished_at IS NULL AND period IS NOT NULL"
        " AND updated_at > ?",
        [now - LIVE_FOR],
    ).fetchone()[0]
    subscriptions = store.db.execute(
        "SELECT COUNT(*) FROM subscriptions s JOIN chats c"
        " ON c.platform = s.platform AND c.chat_id = s.chat_id WHERE c.active = 1"
    ).fetchone()[0]
    chats = store.db.execute("SELECT COUNT(*) FROM chats WHERE active = 1").fetchone()[0]
    return Counts(int(live), int(subscriptions), int(chats))


def write_probe(store: Store, now: float) -> None:
    """Write and commit one row: raises :class:`StoreProblem` when the database cannot be
    written (a full disk, a read-only or vanished file)."""
    with _told(), store.atomic():
        store.db.execute(
            "INSERT OR REPLACE INTO health_probe (id, written_at) VALUES (1, ?)", [now]
        )
