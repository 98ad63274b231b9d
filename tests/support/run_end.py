"""The end of a pytest run (:mod:`tests.support.run_wide`): what the run registered to end with
it is done, and the run's folder goes. Standard library only: also run as a script, the watch
on the run's first process (``python run_end.py OWNER_PID FOLDER``) that ends the run should that
process die without ending it (killed)."""

from __future__ import annotations

import contextlib
import json
import os
import select
import shutil
import subprocess
import sys
import time
from pathlib import Path

#: a file in the run's folder: what to do when the run ends, one JSON object a line
ENDINGS = "at-run-end"


def end(base: Path) -> None:
    """Run each command registered in ``base`` (as its user), remove the folder it names, then
    ``base`` itself."""
    with contextlib.suppress(OSError):
        for line in (base / ENDINGS).read_text("utf-8").splitlines():
            entry = json.loads(line)
            with contextlib.suppress(subprocess.SubprocessError, OSError):
                subprocess.run(
                    entry["args"], user=entry["user"], capture_output=True, timeout=60, check=False
                )
            if entry["remove"]:
                shutil.rmtree(entry["remove"], ignore_errors=True)
    shutil.rmtree(base, ignore_errors=True)


def wait_for_exit(pid: int) -> None:
    """Return when the process ``pid`` is gone."""
    try:
        handle = os.pidfd_open(pid)
    except ProcessLookupError:
        return
    except (OSError, AttributeError):  # no pidfd here: ask every second
        while True:
            try:
                os.kill(pid, 0)
            except ProcessLookupError:
                return
            time.sleep(1)
    try:
        select.select([handle], [], [])
    finally:
        os.close(handle)


if __name__ == "__main__":
    owner, folder = int(sys.argv[1]), Path(sys.argv[2])
    wait_for_exit(owner)
    if folder.exists():  # the run's first process died before it ended the run
        end(folder)
