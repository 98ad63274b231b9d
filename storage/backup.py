"""A consistent copy of the live SQLite database, and putting one back.

:func:`backup` copies through SQLite's online backup API in one step, from a read-only
connection: in WAL mode that step reads one committed snapshot while the bot keeps writing (it
neither waits for the writer nor holds it up), so the copy is exactly the database as of one
commit, never a half-written fan-out. The copy is written beside the target, checked with
``PRAGMA integrity_check``, made a single self-contained file (rollback journal, no ``-wal``)
and only then renamed into place.

:func:`restore` is for a stopped bot (the command line takes the single-instance lock first):
the current database is kept beside it, then the backup's pages replace it through SQLite, so
its write-ahead log and shared memory stay consistent.

PostgreSQL, when the bot runs on it, is backed up with its own tools (``pg_dump``); these two
functions are the SQLite backend's.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import time
from dataclasses import dataclass
from pathlib import Path

from storage.ops import StoreProblem


@dataclass(frozen=True)
class Copied:
    path: Path
    bytes: int
    seconds: float
    subscriptions: int
    outbox_pending: int
    outbox_rows: int


def _read_only(path: Path) -> sqlite3.Connection:
    if not path.is_file():
        raise StoreProblem(f"{path} does not exist")
    return sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True, timeout=30)


def integrity(conn: sqlite3.Connection) -> str:
    """``ok``, or SQLite's first complaints."""
    rows = [r[0] for r in conn.execute("PRAGMA integrity_check").fetchall()]
    return "ok" if rows == ["ok"] else "; ".join(str(r) for r in rows[:5])


def _describe(conn: sqlite3.Connection, path: Path, seconds: float) -> Copied:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    if "outbox" not in tables or "subscriptions" not in tables:
        raise StoreProblem(f"{path} is not a matchbot database (no outbox or subscriptions)")
    subscriptions = conn.execute("SELECT COUNT(*) FROM subscriptions").fetchone()[0]
    pending, rows = conn.execute(
        "SELECT COALESCE(SUM(status = 'pending'), 0), COUNT(*) FROM outbox"
    ).fetchone()
    return Copied(path, path.stat().st_size, seconds, subscriptions, pending, rows)


def backup(db_path: Path, dest: Path, *, overwrite: bool = False) -> Copied:
    """Copy the database at ``db_path`` to ``dest`` (safe while the bot runs and sends);
    raises :class:`StoreProblem` with the reason when it cannot."""
    started = time.monotonic()
    dest = dest.expanduser()
    if dest.exists() and not overwrite:
        raise StoreProblem(f"{dest} already exists (--force replaces it)")
    if dest.resolve() == db_path.resolve():
        raise StoreProblem("the backup cannot be the database itself")
    part = dest.with_name(dest.name + ".part")
    part.unlink(missing_ok=True)
    try:
        with (
            contextlib.closing(_read_only(db_path)) as source,
            contextlib.closing(sqlite3.connect(part)) as copy,
        ):
            source.backup(copy)  # one step: one committed snapshot, WAL included
            copy.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
            verdict = integrity(copy)
            if verdict != "ok":
                raise StoreProblem(f"the copy failed its integrity check: {verdict}")
            copied = _describe(copy, part, 0.0)
        with part.open("rb") as handle:
            os.fsync(handle.fileno())
        part.replace(dest)
    except (sqlite3.Error, OSError) as exc:
        part.unlink(missing_ok=True)
        raise StoreProblem(str(exc) or type(exc).__name__) from None
    except StoreProblem:
        part.unlink(missing_ok=True)
        raise
    return Copied(
        dest,
        dest.stat().st_size,
        time.monotonic() - started,
        copied.subscriptions,
        copied.outbox_pending,
        copied.outbox_rows,
    )


def check(path: Path) -> Copied:
    """What a backup file holds, after its integrity check (raises :class:`StoreProblem`)."""
    try:
        with contextlib.closing(_read_only(path)) as conn:
            verdict = integrity(conn)
            if verdict != "ok":
                raise StoreProblem(f"{path} failed its integrity check: {verdict}")
            return _describe(conn, path, 0.0)
    except sqlite3.Error as exc:
        raise StoreProblem(f"{path}: {exc}") from None


def restore(source: Path, db_path: Path) -> tuple[Copied, Path | None]:
    """Replace the database at ``db_path`` with the backup ``source`` (the bot must be
    stopped: the caller holds its lock). The database it replaces is kept as
    ``<db>.before-restore-<time>``; returns what was restored and where the old one is."""
    started = time.monotonic()
    check(source)
    kept: Path | None = None
    try:
        if db_path.exists():
            stamp = time.strftime("%Y%m%dT%H%M%S", time.gmtime())
            kept = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
            backup(db_path, kept)
        with (
            contextlib.closing(_read_only(source)) as backup_conn,
            contextlib.closing(sqlite3.connect(db_path, timeout=30)) as target,
        ):
            backup_conn.backup(target)
            verdict = integrity(target)
            if verdict != "ok":
                raise StoreProblem(f"the restored database failed its integrity check: {verdict}")
            restored = _describe(target, db_path, time.monotonic() - started)
    except sqlite3.Error as exc:
        raise StoreProblem(str(exc) or type(exc).__name__) from None
    return restored, kept
