"""A program for the tests of the pre-started interpreter (tests/test_prestarted.py), run as
``python -m tests.support.prestarted_probe WHAT ...`` from the repository's folder, forked by
the server or exec'd: it does one thing a process can do, as the first argument says."""

from __future__ import annotations

import ctypes
import json
import os
import random
import signal
import sys
import time
from pathlib import Path


def main(what: str, *args: str) -> None:
    if what == "exit":  # the status given, or an uncaught exception, or SystemExit("...")
        if args[0] == "raise":
            raise LookupError("the probe's uncaught exception")
        if args[0] == "message":
            sys.exit("the probe's exit message")
        sys.exit(int(args[0]))
    if what == "echo":  # each line of stdin back in upper case, as soon as it is read
        for line in sys.stdin:
            print(line.strip().upper(), flush=True)
        print("end of input", file=sys.stderr)
        return
    if what == "wait":  # say so, then sleep until a signal ends it (or stdin closes)
        print(os.getpid(), flush=True)
        sys.stdin.read()
        return
    if what == "sleep":  # say so, then sleep until a signal ends it
        print(os.getpid(), flush=True)
        time.sleep(600)
        return
    if what == "state":  # what the process sees of itself
        libc = ctypes.CDLL(None)
        libc.getenv.restype = ctypes.c_char_p
        print(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "ppid": os.getppid(),
                    "sid": os.getsid(0),
                    "env": dict(os.environ),
                    "c_env": {
                        name: (libc.getenv(name.encode()) or b"").decode() or None for name in args
                    },
                    "cwd": str(Path.cwd()),
                    "path0": sys.path[0],
                    "argv": sys.argv,
                    "name": __name__,
                    "random": random.random(),
                    "sigint": repr(signal.getsignal(signal.SIGINT)),
                    "sigchld": repr(signal.getsignal(signal.SIGCHLD)),
                    "wakeup": signal.set_wakeup_fd(-1),
                    "fds": sorted(int(fd.name) for fd in Path("/proc/self/fd").iterdir()),
                    "tz": time.tzname,
                    "line_buffered": sys.stdout.line_buffering,
                }
            )
        )
        return
    raise SystemExit(f"unknown: {what}")


if __name__ == "__main__":
    main(*sys.argv[1:])
