"""What one pytest run makes once and shares with all its xdist workers (a pytest plugin,
registered in ``tests/conftest.py``).

Each xdist worker is a process of its own: what a worker builds for itself (a PostgreSQL server,
the ready-made databases) every other worker built too, some seconds of CPU per worker. The run's
first process (xdist's controller, or the only process under ``-n 0``) names a folder for the
run and tells each worker where it is (``pytest_configure_node``); the first worker that needs
a thing makes the folder and the thing in it under the folder's lock (:func:`locked`), the
others find it made. The controller removes the folder, and runs what was registered to end
with the run (:func:`at_run_end`: the shared PostgreSQL server stops), when pytest ends: after
every worker, also after Ctrl-C or a failure; should it be killed, the watch the folder's maker
started does (tests/support/run_end.py). A process that is not under pytest (a bench script
using a test helper) gets a folder of its own, removed at its exit."""

from __future__ import annotations

import atexit
import contextlib
import fcntl
import json
import os
import secrets
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


def _planned() -> Path:
    """A name for a run's folder, made when first needed (a run that needs nothing leaves
    nothing, even killed)."""
    return Path(tempfile.gettempdir()) / f"matchbot-run-{secrets.token_hex(8)}"


def folder() -> Path:
    """The run's folder, shared by all its processes (made by the first that needs it, which
    also starts the watch that ends the run should the run's first process be killed)."""
    base = _plan()
    try:
        base.mkdir(mode=0o700)
    except FileExistsError:
        return base
    _watch(_owner, base)
    return base


def _plan() -> Path:
    """The run's folder's name (not made yet, perhaps)."""
    global _folder, _owner
    if _folder is None:  # not under pytest: this process alone
        _folder, _owner = _planned(), os.getpid()
        atexit.register(_end_if_made, _folder)
    return _folder


def _watch(first: int, base: Path) -> None:
    """Have ``base`` ended (tests/support/run_end.py) as soon as the process ``first`` is
    gone, unless it ended the run itself."""
    quiet = [(os.POSIX_SPAWN_OPEN, fd, os.devnull, os.O_RDWR, 0) for fd in (0, 1, 2)]
    os.posix_spawn(  # not waited for (a Popen would warn): it outlives this process
        sys.executable,
        [sys.executable, run_end.__file__, str(first), str(base)],
        os.environ,
        file_actions=quiet,
        setsid=True,  # Ctrl-C in the terminal is not for it
    )


def _end_if_made(base: Path) -> None:
    if base.exists():
        run_end.end(base)


def join(base: Path, first: int) -> None:
    """Take part in the run whose folder is ``base`` and whose first process is ``first``."""
    global _folder, _owner
    _folder, _owner = base, first


def owner() -> int:
    """The process id of the run's first process (the one that ends the run)."""
    _plan()
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
    without (killed), as soon as it is gone (:func:`_watch`). Call it with the run's folder
    :func:`locked`."""
    base = folder()
    with (base / run_end.ENDINGS).open("a", encoding="utf-8") as file:
        entry = {"args": args, "user": user, "remove": str(remove) if remove else None}
        file.write(json.dumps(entry) + "\n")


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    given = getattr(config, "workerinput", {}).get(_KEY)
    if given is not None:  # an xdist worker: the controller made the folder
        join(Path(given[0]), int(given[1]))
    elif _folder is None:
        join(_planned(), os.getpid())


@pytest.hookimpl(optionalhook=True)
def pytest_configure_node(node: object) -> None:
    """xdist's controller, about each worker it starts: where the run's folder is."""
    node.workerinput[_KEY] = (str(_plan()), owner())  # type: ignore[attr-defined]


@pytest.hookimpl(trylast=True)
def pytest_unconfigure(config: pytest.Config) -> None:
    global _folder
    if _folder is not None and _owner == os.getpid():
        _end_if_made(_folder)
        _folder = None
