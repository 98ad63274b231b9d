"""What one pytest run shares across its xdist workers (tests/support/run_wide.py): made once,
by the first process that asks; the PostgreSQL server is the run's; what the run registered to
end with it (the server's stop) is done when its first process ends, even when that process is
killed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import postgres, run_wide

ROOT = Path(__file__).parent.parent


def python(code: str) -> subprocess.Popen[str]:
    """``code`` in a process of its own; its stdin is a pipe from the test, so a process that
    reads it to its end waits for the test's word (the pipe closed: ``communicate()``, or the
    end of a ``with`` block, which also reaps it when the test fails before)."""
    return subprocess.Popen(
        [sys.executable, "-c", code],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )


def gone(path: Path, within: float = 20.0) -> bool:
    deadline = time.monotonic() + within
    while path.exists():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.05)
    return True


def test_a_file_of_the_run_is_made_once_and_shared(tmp_path: Path) -> None:
    made: list[Path] = []

    def make(path: Path) -> None:
        made.append(path)
        path.write_text(f"made by {os.getpid()}")

    first = run_wide.made_once(f"shared-{tmp_path.name}", make)
    again = run_wide.made_once(f"shared-{tmp_path.name}", make)
    assert first == again and first.parent == run_wide.folder()
    assert len(made) == 1 and first.read_text() == f"made by {os.getpid()}"


def test_another_process_of_the_run_gets_the_same_postgresql_server(
    postgres_server: postgres.PostgresServer,
) -> None:
    """An xdist worker joins the run's folder (the controller names it) and finds the server
    the first one started there: no second server."""
    other = python(
        "from pathlib import Path\n"
        "from tests.support import postgres, run_wide\n"
        f"run_wide.join(Path({str(run_wide.folder())!r}), {run_wide.owner()})\n"
        "print(postgres.shared().port)\n"
    )
    out, _ = other.communicate(timeout=60)
    assert other.returncode == 0
    assert int(out) == postgres_server.port


@pytest.mark.parametrize("end", ["exits", "is killed"])
def test_the_run_end_is_done_when_its_first_process_ends(tmp_path: Path, end: str) -> None:
    """The run's first process (here a process of its own) registered a command and a folder
    to remove: both are done once it is gone, when it ends as usual (pytest's end; here its
    exit) and when it is killed (the watch it started does it), and the run's folder goes."""
    ended, server = tmp_path / "ended", tmp_path / "server"
    server.mkdir()
    first = python(
        "import sys\n"
        "from pathlib import Path\n"
        "from tests.support import run_wide\n"
        "with run_wide.locked():\n"
        f"    run_wide.at_run_end(['touch', {str(ended)!r}], remove=Path({str(server)!r}))\n"
        "print(run_wide.folder(), flush=True)\n"
        "sys.stdin.read()\n"  # the run goes on until the test ends it
    )
    with first:
        assert first.stdout is not None
        folder = Path(first.stdout.readline().strip())
        assert folder.is_dir() and server.is_dir()
        if end == "is killed":
            first.send_signal(signal.SIGKILL)
        first.communicate(timeout=60)  # its stdin closed: it exits (unless killed already)
    assert gone(folder) and gone(server)
    assert ended.exists()


def test_a_run_that_needs_nothing_shared_leaves_nothing_even_killed() -> None:
    """The run's folder is only named at the start; the first process that needs it makes it
    (and starts the watch on the run's first process): a run killed before leaves nothing."""
    first = python(
        "import sys\n"
        "from tests.support import run_wide\n"
        "print(run_wide.owner(), run_wide._plan(), flush=True)\n"
        "sys.stdin.read()\n"
    )
    with first:
        assert first.stdout is not None
        pid, folder = first.stdout.readline().split()
        assert int(pid) == first.pid
        first.send_signal(signal.SIGKILL)
        first.communicate(timeout=60)
    assert not Path(folder).exists()
