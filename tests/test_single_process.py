"""Two ``matchbot run`` on one database: the second refuses to start, with one clear line and
exit status 2; the lock goes with the first process however it ends, ``kill -9`` included.
Real processes, as a user (or systemd plus a terminal) would start them; where only the second
start's refusal is looked at (the database spelled another way, the lock after a ``kill -9``,
a lock file that cannot be made), that start runs the real command line in this process,
refused by the lock of the real process holding the database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from storage.lock import DatabaseInUse, exclusive, lock_path
from tests.support import prestarted
from tests.support.cli import Ran, matchbot_here

MATCHBOT = [sys.executable, "-m", "adapters.cli", "run"]
pytestmark = pytest.mark.timeout(120)


def environment(tmp_path: Path, db: str) -> dict[str, str]:
    feed = tmp_path / "feed.jsonl"
    feed.touch()
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    env.update(MATCHBOT_DB=db, MATCHBOT_FEEDS=str(feed), MATCHBOT_LOG_LEVEL="WARNING")
    return env


def start(env: dict[str, str], cwd: Path) -> subprocess.Popen[str]:
    """``matchbot run`` as a console chat whose stdin stays open (so it keeps running)."""
    return prestarted.popen(
        MATCHBOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=cwd,
    )


def wait_until_holding(proc: subprocess.Popen[str], db: Path, within: float = 60) -> None:
    """Until ``proc`` holds the database's lock (the lock file names its pid)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        try:
            if lock_path(db).read_text().strip() == str(proc.pid):
                return
        except FileNotFoundError:
            pass
        time.sleep(0.05)
    raise AssertionError("the first matchbot never took the lock")


def stop(proc: subprocess.Popen[str]) -> int:
    """SIGTERM, and end the console's input (its reader thread waits on stdin)."""
    proc.send_signal(signal.SIGTERM)
    assert proc.stdin is not None
    proc.stdin.close()
    return proc.wait(30)


def second_run(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return prestarted.run(
        MATCHBOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=60,
        check=False,
    )


def second_run_here(env: dict[str, str], cwd: Path) -> Ran:
    """A second ``matchbot run``'s start, through the real command line in this process."""
    return matchbot_here("run", env=env, cwd=cwd)


def test_a_second_process_on_one_database_refuses_to_start(tmp_path: Path) -> None:
    env = environment(tmp_path, "./matchbot.db")
    with start(env, tmp_path) as first:
        try:
            wait_until_holding(first, tmp_path / "matchbot.db")
            # the same database, however it is spelled: a second process, then the same start
            # in this process for the other spellings
            for spelling, run in (
                ("./matchbot.db", second_run),
                ("matchbot.db", second_run_here),
                (str(tmp_path / "matchbot.db"), second_run_here),
            ):
                second = run({**env, "MATCHBOT_DB": spelling}, tmp_path)
                assert second.returncode == 2, second.stderr
                lines = second.stderr.strip().splitlines()
                assert len(lines) == 1, second.stderr
                assert lines[0].endswith(
                    "cannot start: another matchbot is already running on"
                    f" {(tmp_path / 'matchbot.db').resolve()} (pid {first.pid})"
                ), lines
                assert "Traceback" not in second.stderr
            # another database is another bot
            with start({**env, "MATCHBOT_DB": "other.db"}, tmp_path) as other:
                try:
                    wait_until_holding(other, tmp_path / "other.db")
                finally:
                    assert stop(other) == 0
            assert first.poll() is None  # the first one never noticed

            # a clean stop releases the lock: the next start works
            assert stop(first) == 0
            with start(env, tmp_path) as again:
                try:
                    wait_until_holding(again, tmp_path / "matchbot.db")
                finally:
                    assert stop(again) == 0
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()


def test_no_stale_lock_after_kill_9(tmp_path: Path) -> None:
    env = environment(tmp_path, str(tmp_path / "bot.db"))
    with start(env, tmp_path) as first:
        wait_until_holding(first, tmp_path / "bot.db")
        first.send_signal(signal.SIGKILL)
        first.wait(30)
    assert lock_path(tmp_path / "bot.db").exists()  # the file stays; its lock does not
    with start(env, tmp_path) as after:
        try:
            wait_until_holding(after, tmp_path / "bot.db")
            refused = second_run_here(env, tmp_path)
            assert refused.returncode == 2
            assert f"(pid {after.pid})" in refused.stderr
        finally:
            assert stop(after) == 0


def test_a_lock_file_that_cannot_be_made_is_one_clean_line(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    env = environment(tmp_path, str(tmp_path / "file" / "bot.db"))  # under a file, not a folder
    done = second_run_here(env, tmp_path)
    assert done.returncode == 2, done.stderr
    [line] = done.stderr.strip().splitlines()
    assert "cannot start: cannot create the lock file " in line, line


def test_the_lock_is_held_only_inside_the_with(tmp_path: Path) -> None:
    db = tmp_path / "x.db"
    with exclusive(db) as path:
        assert path == lock_path(db)
        assert path.read_text() == f"{os.getpid()}\n"
        # flock locks belong to the open file: a second open, even in this process, is refused
        refused = pytest.raises(DatabaseInUse, match=r"already running on .*x\.db \(pid \d+\)")
        with refused, exclusive(db):
            pass
    with exclusive(db):
        pass
