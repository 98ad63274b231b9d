"""The ``matchbot`` command line run as a user runs it: as a subprocess (forked by the
pre-started interpreter, tests/support/prestarted.py), and ``matchbot run``'s console chat
driven through stdin and stdout; and, for what a command prints and returns (which needs no
process of its own), the same command line run in this process."""

from __future__ import annotations

import contextlib
import logging
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import traceback
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

from typer.testing import CliRunner

from adapters.cli import app
from tests.support import prestarted

MATCHBOT = [sys.executable, "-m", "adapters.cli"]


def installed_matchbot() -> list[str]:
    """The ``matchbot`` program pip installed (pyproject's ``[project.scripts]``): beside this
    Python, or else on the ``PATH``."""
    beside = Path(sys.executable).with_name("matchbot")
    found = str(beside) if beside.exists() else shutil.which("matchbot")
    assert found, "no matchbot program installed: pip install -e ."
    return [found]


def matchbot(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = without_tokens()
    return prestarted.run(
        [*MATCHBOT, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
        check=False,
    )


@dataclass(frozen=True)
class Ran:
    """What a ``matchbot`` command did: its exit status, stdout and stderr (the attribute
    names of :class:`subprocess.CompletedProcess`)."""

    returncode: int
    stdout: str
    stderr: str


def without_tokens() -> dict[str, str]:
    """This environment without any platform token: what :func:`matchbot` passes on."""
    return {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}


def matchbot_here(*args: str, env: Mapping[str, str] | None = None, cwd: Path | None = None) -> Ran:
    """``matchbot ARGS`` through the real command line — the typer app the console script
    runs, from argument parsing to its exit status — in this process: for what a command
    prints and returns, which needs no process of its own. ``env`` is the whole environment
    the command sees, as for a subprocess (default: this one without tokens); ``cwd`` its
    working folder. An exception the command lets out is what Python would print, a
    traceback on stderr, with exit status 1. Called from an async test, run it in a thread
    (``asyncio.to_thread``): the commands call ``asyncio.run``."""
    wanted = dict(without_tokens() if env is None else env)
    changes: dict[str, str | None] = {k: None for k in os.environ if k not in wanted}
    changes.update(wanted)
    with _process_state_kept(), _working_folder(cwd):
        result = CliRunner().invoke(app, list(args), env=changes, catch_exceptions=True)
    stderr, code = result.stderr, result.exit_code
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        stderr += "".join(traceback.format_exception(result.exception))
        code = 1
    return Ran(code, result.stdout, stderr)


@contextlib.contextmanager
def _working_folder(cwd: Path | None) -> Iterator[None]:
    before = Path.cwd()
    if cwd is not None:
        os.chdir(cwd)
    try:
        yield
    finally:
        os.chdir(before)


@contextlib.contextmanager
def _process_state_kept() -> Iterator[None]:
    """What a command sets for its whole process, put back after it: the logging set-up
    (``setup_logging`` replaces the root logger's handlers and sets some loggers' levels and
    filters: each logger there was before gets its own back) and, in the main thread, the
    SIGINT and SIGTERM handlers ``matchbot run`` installs."""
    before = {name: _logger_state(logger) for name, logger in _loggers().items()}
    main = threading.current_thread() is threading.main_thread()
    signals = (
        {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)} if main else {}
    )
    try:
        yield
    finally:
        for name, logger in _loggers().items():
            if name in before:  # a logger made meanwhile (a module imported) is left as made
                level, handlers, filters = before[name]
                logger.setLevel(level)
                logger.handlers[:], logger.filters[:] = handlers, filters
        for sig, handler in signals.items():
            signal.signal(sig, handler)


def _loggers() -> dict[str, logging.Logger]:
    """Every logger there is, the root one under ``""``."""
    found = {
        name: logger
        for name, logger in logging.root.manager.loggerDict.items()
        if isinstance(logger, logging.Logger)
    }
    return {"": logging.getLogger(), **found}


def _logger_state(
    logger: logging.Logger,
) -> tuple[int, list[logging.Handler], list[logging.Filter | logging.Filterer]]:
    return logger.level, logger.handlers[:], logger.filters[:]


class Console:
    """``matchbot run`` in console mode, driven through its stdin and stdout."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.proc = prestarted.popen(
            [*MATCHBOT, "run"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            cwd=cwd,
            bufsize=1,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.seen: list[str] = []
        self.stderr = ""  # all of it, once closed
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def close(self) -> None:
        """End the process if still running, keep its stderr, and close the pipes."""
        self.proc.kill()
        self.proc.wait(timeout=20)
        self._reader.join(timeout=20)
        assert self.proc.stdin is not None and self.proc.stderr is not None
        self.proc.stdin.close()
        self.stderr = self.proc.stderr.read()
        self.proc.stderr.close()
        assert self.proc.stdout is not None
        self.proc.stdout.close()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line.rstrip("\n"))

    def type(self, text: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()

    def expect(self, text: str, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(text in line for line in self.seen):
                return
            try:
                self.seen.append(self.lines.get(timeout=0.2))
            except queue.Empty:
                continue
        raise AssertionError(f"{text!r} never appeared; got:\n" + "\n".join(self.seen))
