"""Start-up cost: the CPU seconds one ``matchbot`` process spends to start and do its first work.

    python bench/startup.py                       # 7 rounds of every command
    python bench/startup.py --rounds 15
    python bench/startup.py --against ../before   # the same commands on another checkout, too

Each round starts, one after the other, a fresh process of each command below, in a fresh
directory with a fresh database, and counts its CPU time (user + system):

* ``python -c pass`` and ``python -c "import asyncio"``: the references, Python's own start;
* ``matchbot --help``;
* ``matchbot demo --speed 0``: the bundled match replayed at once, recap included;
* ``matchbot run`` on the console, until it logs that it runs (its migrations on a fresh
  database included); then it is stopped (SIGTERM), and its CPU in all (start, stop, exit) is
  the second figure;
* ``matchbot run`` with a Telegram token, against the fake Bot API server (run in this process,
  ``tests/support/fakes/telegram_api/``), the same: its ``getMe``, command menus and first long
  poll are done when it logs that it runs;
* ``matchbot run`` with a Discord token, against the fake Discord (REST and gateway, in this
  process, ``tests/support/fakes/discord_api/``), the same: logged in, its application commands
  registered and the gateway connected.

Printed per command: the median and the lowest CPU seconds over the rounds, and the median ÷
the median of ``python -c "import asyncio"`` measured in the same rounds (the stable figure on a
shared machine). ``--against DIR`` runs every ``matchbot`` command on the checkout in ``DIR`` as
well (first on ``PYTHONPATH``), alternating with this one (which of the two starts first changes
each round), and prints the ratio of the two. Processes write their bytecode caches (one warm-up
round is not counted).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import resource
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.support.fakes.discord_api import FakeDiscord  # noqa: E402
from tests.support.fakes.telegram_api import FakeTelegram  # noqa: E402

TOKEN = "123:ABC"
READY = "matchbot running on"
#: seconds a ``matchbot run`` may take to log that it runs
READY_TIMEOUT = 60.0


class FakesInThread:
    """The fake Bot API server and the fake Discord (REST and gateway), each on 127.0.0.1, on
    one event loop in a thread of this process."""

    def __init__(self) -> None:
        self.telegram_url = ""
        self.discord_url = ""
        self.discord_token = ""
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._loop.run_until_complete, args=(self._serve(),))

    async def _serve(self) -> None:
        self._stop = asyncio.Event()
        async with FakeTelegram(token=TOKEN) as tg, FakeDiscord() as dc:
            self.telegram_url = tg.base_url
            self.discord_url, self.discord_token = dc.api_base, dc.token
            self._ready.set()
            await self._stop.wait()

    def __enter__(self) -> FakesInThread:
        self._thread.start()
        self._ready.wait(30)
        return self

    def __exit__(self, *exc: object) -> None:
        assert self._stop is not None
        self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(30)


def _env(checkout: Path, workdir: Path, **extra: str) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.endswith("_TOKEN")
        and not k.startswith("MATCHBOT_")
        and not k.endswith("_BASE_URL")
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPATH"] = str(checkout)
    env["MATCHBOT_DB"] = str(workdir / "matchbot.db")
    env.update(extra)
    return env


def _cpu_of_children() -> float:
    used = resource.getrusage(resource.RUSAGE_CHILDREN)
    return used.ru_utime + used.ru_stime


def _to_the_end(argv: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    """CPU seconds of a process run to its end."""
    before = _cpu_of_children()
    subprocess.run(argv, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return {"": _cpu_of_children() - before}


def _cpu_so_far(pid: int) -> float:
    """User + system seconds a running process has used (Linux: ``/proc/<pid>/stat``)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _to_ready(argv: list[str], env: dict[str, str], cwd: Path) -> dict[str, float]:
    """CPU seconds of ``matchbot run`` from its start to the log line saying it runs, and in
    all when it is stopped (SIGTERM) right then."""
    before = _cpu_of_children()
    proc = subprocess.Popen(
        argv,
        env=env,
        cwd=cwd,
        stdin=subprocess.PIPE,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stderr is not None
    deadline = time.monotonic() + READY_TIMEOUT
    seen = []
    ready = None
    for line in proc.stderr:
        seen.append(line)
        if READY in line:
            ready = _cpu_so_far(proc.pid)
            break
        if time.monotonic() > deadline:
            break
    proc.send_signal(signal.SIGTERM)
    try:
        proc.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
    if ready is None:
        raise SystemExit(f"{' '.join(argv)} never logged {READY!r}:\n{''.join(seen)}")
    return {" to ready": ready, ", stopped then: in all": _cpu_of_children() - before}


Measure = Callable[[Path, Path], dict[str, float]]


def commands(fakes: FakesInThread) -> dict[str, tuple[bool, Measure]]:
    """Each command's name: (whether it is matchbot's, how to measure one start of it)."""
    py = sys.executable
    cli = [py, "-m", "adapters.cli"]

    def plain(argv: list[str], **extra: str) -> Measure:
        return lambda checkout, work: _to_the_end(argv, _env(checkout, work, **extra), work)

    def ready(**extra: str) -> Measure:
        return lambda checkout, work: _to_ready(
            [*cli, "run"], _env(checkout, work, MATCHBOT_LOG_LEVEL="INFO", **extra), work
        )

    return {
        "python -c pass": (False, plain([py, "-c", "pass"])),
        'python -c "import asyncio"': (False, plain([py, "-c", "import asyncio"])),
        "matchbot --help": (True, plain([*cli, "--help"])),
        "matchbot demo --speed 0": (True, plain([*cli, "demo", "--speed", "0"])),
        "matchbot run (console)": (True, ready()),
        "matchbot run (Telegram)": (
            True,
            ready(TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_BASE_URL=fakes.telegram_url),
        ),
        "matchbot run (Discord)": (
            True,
            ready(DISCORD_BOT_TOKEN=fakes.discord_token, DISCORD_BASE_URL=fakes.discord_url),
        ),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--against", type=Path, help="another checkout, measured alternately")
    args = parser.parse_args()
    checkouts = {"this": ROOT}
    if args.against is not None:
        checkouts["against"] = args.against.resolve()
    load = os.getloadavg()
    print(
        f"start-up CPU seconds (user+sys), {args.rounds} rounds + 1 warm-up; "
        f"{platform.node()}, {os.cpu_count()} CPU cores, Python {platform.python_version()}, "
        f"load average {load[0]:.2f} at start"
    )
    for name, path in checkouts.items():
        print(f"  {name}: {path}")
    times: dict[tuple[str, str], list[float]] = {}
    with FakesInThread() as fakes, tempfile.TemporaryDirectory() as tmp:
        table = commands(fakes)
        for round_ in range(args.rounds + 1):
            for name, (ours, measure) in table.items():
                order = list(checkouts.items())[:: 1 if round_ % 2 else -1]  # who goes first
                for checkout_name, checkout in order if ours else [("", ROOT)]:
                    work = Path(tempfile.mkdtemp(dir=tmp))
                    for part, cpu in measure(checkout, work).items():
                        if round_:
                            times.setdefault((name + part, checkout_name), []).append(cpu)
    reference = statistics.median(times[('python -c "import asyncio"', "")])
    print(f"{'command':48} {'checkout':8} {'median':>7} {'lowest':>7} {'÷ asyncio':>10}")
    for (name, checkout_name), cpus in times.items():
        median = statistics.median(cpus)
        print(
            f"{name:48} {checkout_name:8} {median:7.3f} {min(cpus):7.3f} {median / reference:9.1f}×"
        )
    if "against" in checkouts:
        print("this ÷ against (medians, same rounds):")
        for name, checkout_name in times:
            if checkout_name == "this":
                ratio = statistics.median(times[(name, "this")]) / statistics.median(
                    times[(name, "against")]
                )
                print(f"  {name:48} {ratio:.2f}")
    print(f"load average {os.getloadavg()[0]:.2f} at the end")


if __name__ == "__main__":
    main()
