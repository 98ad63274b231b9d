"""The ``matchbot`` command line run as a user runs it: as a subprocess, and ``matchbot run``'s
console chat driven through stdin and stdout."""

from __future__ import annotations

import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

MATCHBOT = [sys.executable, "-m", "adapters.cli"]


def matchbot(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    return subprocess.run(
        [*MATCHBOT, *args],
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
        cwd=cwd,
        check=False,
    )


class Console:
    """``matchbot run`` in console mode, driven through its stdin and stdout."""

    def __init__(self, env: dict[str, str], cwd: Path) -> None:
        self.proc = subprocess.Popen(
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
