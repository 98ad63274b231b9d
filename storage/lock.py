"""One running bot per database: an exclusive OS lock on a file beside it.

``flock`` locks belong to the open file, so the kernel drops them when the process ends in
any way — Ctrl+C, SIGTERM, a crash, ``kill -9`` — and a lock is never left stale. The lock file
(``matchbot.db.lock``) holds the pid of the process that holds it, to name it in the refusal.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from collections.abc import Iterator
from pathlib import Path


class LockError(Exception):
    """The database's lock cannot be taken; the message says why, for the operator."""


class DatabaseInUse(LockError):
    """Another process holds the database's lock."""

    def __init__(self, db_path: Path, pid: str | None) -> None:
        holder = f" (pid {pid})" if pid else ""
        super().__init__(f"another matchbot is already running on {db_path}{holder}")
        self.db_path = db_path
        self.pid = pid


def lock_path(db_path: Path) -> Path:
    """``/srv/matchbot.db`` → ``/srv/matchbot.db.lock`` (symlinks and ``./`` resolved, so two
    spellings of one database share one lock)."""
    resolved = db_path.expanduser().resolve()
    return resolved.with_name(resolved.name + ".lock")


@contextlib.contextmanager
def exclusive(db_path: Path) -> Iterator[Path]:
    """Hold the database's lock for the duration of the ``with``; raises
    :class:`DatabaseInUse` at once (never waits) when another process holds it."""
    if str(db_path) == ":memory:":
        yield db_path
        return
    path = lock_path(db_path)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise LockError(f"cannot create the lock file {path}: {exc.strerror or exc}") from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.read(fd, 32).decode("ascii", "replace").strip()
            raise DatabaseInUse(path.with_suffix(""), holder or None) from None
        except OSError as exc:  # a file system without locks (some network shares)
            raise LockError(f"cannot lock {path}: {exc.strerror or exc}") from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode(), 0)
        yield path
    finally:
        os.close(fd)


def holder(db_path: Path) -> str | None:
    """Whether a ``matchbot run`` holds the database's lock: its pid (``"?"`` when the lock
    file does not name one), or None when no process holds it. Looks without taking it for
    longer than an instant (a shared lock, released at once)."""
    if str(db_path) == ":memory:":
        return None
    path = lock_path(db_path)
    try:
        fd = os.open(path, os.O_RDONLY)
    except FileNotFoundError:
        return None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return os.read(fd, 32).decode("ascii", "replace").strip() or "?"
        fcntl.flock(fd, fcntl.LOCK_UN)
        return None
    finally:
        os.close(fd)
