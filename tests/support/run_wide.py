"""What one pytest run makes once and shares with all its xdist workers (a pytest plugin,
registered in ``tests/conftest.py``).

Each xdist worker is a process of its own: what a worker builds for itself (a PostgreSQL server,
the ready-made databases) every other worker built too, some seconds of CPU per worker. The run's
first process (xdist's controller, or the only process under ``-n 0``) makes a folder for the
run and tells each worker where it is (``pytest_configure_node``); the first worker that needs
a thing makes it there under the folder's lock (:func:`locked`), the others find it made.
The controller removes the folder, and runs what was registered to end with the run
(:func:`at_run_end`: the shared PostgreSQL server stops), when pytest ends: after every worker,
also after Ctrl-C or a failure. A process that is not under pytest (a bench script using a test
helper) gets a folder of its own, removed at its exit."""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.support import run_end

#: the key of the worker's ``workerinput`` that names the run's folder and its first process
_KEY = "matchbot_run"

_folder: Path | None = None
_owner: int = 0


def folder() -> Path:
    """The run's folder, shared by all its processes."""
    global _folder, _owner
    if _folder is None:  # not under pytest: this process alone
        _folder = Path(tempfile.mkdtemp(prefix="matchbot-run-"))
        _owner = os.getpid()
        atexit.register(run_end.end, _folder)
    return _folder


def join(base: Path, first: int) -> None:
    """Take part in the run whose folder is ``base`` and whose first process is ``first``."""
    global _folder, _owner
    _folder, _owner = base, first


def owner() -> int:
    """The process id of the run's first process (the one that ends the run)."""
    folder()
    return _owner


@contextlib.contextmanager
def locked() -> Iterator[Path]:
    """The run's folder, held by this process alone for the block (a lock on a file in it)."""
    base = folder()
    with (base / "lock").open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield base
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def made_once(name: str, make: Callable[[Path], None]) -> Path:
    """The file ``name`` of the run's folder, made by ``make(path)`` in the first process that
    asks for it (the others wait for it, then share it)."""
    with locked() as base:
        path = base / name
        if not path.exists():
            partial = base / f"{name}.partial"
            make(partial)
            partial.replace(path)
    return path


def at_run_end(args: list[str], user: str | None = None, remove: Path | None = None) -> None:
    """Have the run's end run the command ``args`` (as ``user``, if given), then remove the
    folder ``remove``: when the run's first process ends pytest, or, should that process die
    without (killed), as soon as it is gone. Call it with the run's folder :func:`locked`."""
    base = folder()
    endings = base / run_end.ENDINGS
    first = not endings.exists()
    with endings.open("a", encoding="utf-8") as file:
        entry = {"args": args, "user": user, "remove": str(remove) if remove else None}
        file.write(json.dumps(entry) + "\n")
    if first:  # the run's first process may die before it ends the run: a watch on it
        quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
        os.posix_spawn(  # not waited for (a Popen would warn): it outlives this process
            sys.executable,
            [sys.executable, run_end.__file__, str(owner()), str(base)],
            os.environ,
            file_actions=quiet,
            setsid=True,  # Ctrl-C in the terminal is not for it
        )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    given = getattr(config, "workerinput", {}).get(_KEY)
    if given is not None:  # an xdist worker: the controller made the folder
        join(Path(given[0]), int(given[1]))
    elif _folder is None:
        join(Path(tempfile.mkdtemp(prefix="matchbot-run-")), os.getpid())


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: object) -> None:
    """xdist's controller, about each worker it starts: where the run's folder is."""
    node.workerinput[_KEY] = (str(folder()), owner())  # type: ignore[attr-defined]


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    global _folder
    if _folder is not None and _owner == os.getpid():
        run_end.end(_folder)
        _folder = None
