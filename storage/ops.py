"""The operator's queries: the outbox backlog, live matches and subscriptions for the metrics
endpoint, and the health probe's write — portable SQL, run on either backend's store (SQLite,
or PostgreSQL through :mod:`storage.postgres`). :func:`inspect` (``matchbot doctor``) reads a
SQLite file.
"""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from storage.store import Store

#: a match with no news for this long is no longer counted live (an abandoned feed)
LIVE_FOR = 4 * 3600.0


class StoreProblem(Exception):
    """The database could not be read or written; the message says why (no SQL)."""


@contextlib.contextmanager
def _told() -> Iterator[None]:
    try:
        yield
    except Exception as exc:  # sqlite3's errors, psycopg's, the file system's
        if isinstance(exc, StoreProblem):
            raise
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
    # no "=" inside an aggregate: the PostgreSQL dialect reads that as a comparison to count
    rows = store.db.execute(
        "SELECT platform, COUNT(*), MIN(created_at),"
        " MIN(CASE WHEN attempts > 0 THEN created_at END),"
        " MIN(CASE WHEN attempts > 0 OR next_attempt_at < ? THEN next_attempt_at END)"
        " FROM outbox WHERE status = 'pending' GROUP BY platform",
        [now],
    ).fetchall()
    out = []
    for platform, pending, oldest, tried, due in rows:
        waiting = [t for t in (tried, due) if t is not None]
        out.append(BacklogRow(platform, pending, oldest, min(waiting) if waiting else None))
    return out


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
        store.db.execute("DELETE FROM health_probe")
        store.db.execute("INSERT INTO health_probe (id, written_at) VALUES (1, ?)", [now])


@dataclass(frozen=True)
class DatabaseReport:
    """What ``matchbot doctor`` says of the database (opened read-only, never created)."""

    exists: bool
    applied: int = 0
    known: int = 0
    unknown: tuple[str, ...] = ()  # applied by a newer matchbot
    check: str = ""  # ``PRAGMA quick_check``: "ok" or its complaints
    journal_mode: str = ""
    chat_zones: tuple[str, ...] = ()  # every time zone chats chose


def inspect(path: Path) -> DatabaseReport:
    """Open the database read-only and report on it; raises :class:`StoreProblem`."""
    from storage.schema import RENAMED, migrations

    if not path.exists():
        return DatabaseReport(exists=False, known=len(migrations._migrations))
    with (
        _told(),
        contextlib.closing(
            sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=10)
        ) as conn,
    ):
        known = [m.name for m in migrations._migrations]
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        applied: list[str] = []
        if "_sqlite_migrations" in tables:
            applied = [
                r[0]
                for r in conn.execute(
                    "SELECT name FROM _sqlite_migrations WHERE migration_set = ?",
                    [migrations.name],
                )
            ]
        zones: list[str] = []
        if "chats" in tables and "tz" in {r[1] for r in conn.execute("PRAGMA table_info(chats)")}:
            zones = [
                r[0] for r in conn.execute("SELECT DISTINCT tz FROM chats WHERE tz IS NOT NULL")
            ]
        check_rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check").fetchall()]
        mode = conn.execute("PRAGMA journal_mode").fetchone()[0]
    return DatabaseReport(
        exists=True,
        applied=len([a for a in applied if RENAMED.get(a, a) in known]),
        known=len(known),
        unknown=tuple(a for a in applied if RENAMED.get(a, a) not in known),
        check="ok" if check_rows == ["ok"] else "; ".join(check_rows[:5]),
        journal_mode=str(mode),
        chat_zones=tuple(zones),
    )


def inspect_postgres(url: str) -> DatabaseReport:
    """:func:`inspect` for a PostgreSQL database (``MATCHBOT_DATABASE_URL``): reachable, and
    its schema version; nothing is written. Raises :class:`StoreProblem` (the URL's password
    never in its message)."""
    from storage import urls
    from storage.schema import RENAMED, migrations

    try:
        import psycopg
    except ImportError:
        raise StoreProblem(
            "PostgreSQL needs the postgres extra: pip install 'matchbot[postgres]'"
        ) from None
    known = [m.name for m in migrations._migrations]
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            exists = conn.execute(
                "SELECT to_regclass('matchbot_migrations') IS NOT NULL"
            ).fetchone()
            applied: list[str] = []
            if exists and exists[0]:
                applied = [r[0] for r in conn.execute("SELECT name FROM matchbot_migrations")]
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreProblem(f"cannot reach {urls.redact(url)}: {urls.scrub(first, url)}") from None
    return DatabaseReport(
        exists=True,
        applied=len([a for a in applied if RENAMED.get(a, a) in known]),
        known=len(known),
        unknown=tuple(a for a in applied if RENAMED.get(a, a) not in known),
        check="ok",
        journal_mode="PostgreSQL",
    )
