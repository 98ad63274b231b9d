"""The pre-started interpreter the tests fork their ``python -m adapters.cli`` processes from
(tests/support/prestarted.py): each child is a process of its own that behaves as a fresh
``python -m`` would, in its exit status, signals, pipes, environment, working folder, random
state, and the server goes when the process that started it goes.

Where a test compares, it runs the same command the literal way too (``subprocess``, a fresh
interpreter). With ``MATCHBOT_TESTS_EXEC=1`` every process is exec'd, these included, and what
they assert still holds (only the checks that a child was forked are skipped)."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.support import prestarted
from tests.support.core import until

ROOT = Path(__file__).resolve().parents[1]
PROBE = [sys.executable, "-m", "tests.support.prestarted_probe"]
MATCHBOT = [sys.executable, "-m", "adapters.cli"]
FORKING = os.environ.get(prestarted.EXEC_VARIABLE) != "1"


def env(**changes: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    return {**base, **changes}


def forked(process: subprocess.Popen[Any]) -> bool:
    return isinstance(process, prestarted.PrestartedPopen)


def both(args: list[str], **kwargs: Any) -> tuple[subprocess.CompletedProcess[str], ...]:
    """The command run through the pre-started interpreter, then exec'd."""
    kwargs = {"capture_output": True, "text": True, "timeout": 60, "cwd": ROOT, **kwargs}
    return prestarted.run(args, **kwargs), subprocess.run(args, check=False, **kwargs)


def state(*names: str, **kwargs: Any) -> dict[str, Any]:
    done = prestarted.run(
        [*PROBE, "state", *names], capture_output=True, text=True, timeout=60, **kwargs
    )
    assert done.returncode == 0, done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


@pytest.mark.parametrize(
    ("args", "code", "stderr_ends"),
    [
        (["exit", "0"], 0, ""),
        (["exit", "2"], 2, ""),
        (["exit", "raise"], 1, "LookupError: the probe's uncaught exception\n"),
        (["exit", "message"], 1, "the probe's exit message\n"),
    ],
    ids=["0", "2", "uncaught-exception", "SystemExit-message"],
)
def test_the_exit_status_is_the_programs(args: list[str], code: int, stderr_ends: str) -> None:
    with prestarted.popen(
        [*PROBE, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT
    ) as process:
        assert forked(process) == FORKING
        _, stderr = process.communicate(timeout=60)
    assert process.returncode == code
    assert stderr.endswith(stderr_ends)
    if args == ["exit", "raise"]:
        assert stderr.startswith("Traceback (most recent call last):\n")
    served, literal = both([*PROBE, *args])
    assert served.returncode == literal.returncode == code
    assert served.stderr.splitlines()[-1:] == literal.stderr.splitlines()[-1:]


def test_matchbot_refuses_a_bad_option_with_status_2_as_when_exec_d() -> None:
    served, literal = both([*MATCHBOT, "demo", "--speed", "-1"], env=env())
    assert served.returncode == literal.returncode == 2
    assert "Invalid value for '--speed'" in served.stderr
    assert served.stderr == literal.stderr


@pytest.mark.parametrize(
    ("sig", "code"),
    [(signal.SIGTERM, -15), (signal.SIGKILL, -9), (signal.SIGINT, -2)],
    ids=["SIGTERM", "SIGKILL", "SIGINT"],
)
def test_a_process_a_signal_ends_has_the_negative_signal_number(
    sig: signal.Signals, code: int
) -> None:
    # SIGINT: Python's own handler (KeyboardInterrupt, then death by SIGINT), though the
    # server itself ignores SIGINT
    if sig == signal.SIGINT and not FORKING and ignored(signal.SIGINT):
        pytest.skip("SIGINT ignored here (pytest run in the background): exec'd, inherited")
    with prestarted.popen(
        [*PROBE, "wait"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, cwd=ROOT
    ) as process:
        assert process.stdout is not None
        assert int(process.stdout.readline()) == process.pid
        assert process.poll() is None
        with pytest.raises(subprocess.TimeoutExpired):
            process.wait(timeout=0.05)
        process.send_signal(sig)
        assert process.wait(timeout=30) == code
    process.kill()  # a signal to an ended process is ignored, as by Popen
    assert process.returncode == code


def test_stdin_and_stdout_are_the_childs_lines_flushed_one_by_one() -> None:
    with prestarted.popen(
        [*PROBE, "echo"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        bufsize=1,
        cwd=ROOT,
    ) as process:
        assert process.stdin is not None and process.stdout is not None
        for word in ("one", "two"):
            process.stdin.write(word + "\n")
            assert process.stdout.readline() == word.upper() + "\n"  # before stdin closes
        _, stderr = process.communicate("three\n", timeout=60)
    assert process.returncode == 0
    assert stderr == "end of input\n"
    served, literal = both([*PROBE, "echo"], input="a\nb\n")
    assert served.stdout == literal.stdout == "A\nB\n"


def test_a_closed_stdout_is_a_broken_pipe_in_the_child(tmp_path: Path) -> None:
    def closed_stdout(start: Any) -> tuple[int, bytes]:
        with start(
            [*PROBE, "echo"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            cwd=ROOT,
        ) as process:
            process.stdout.close()
            _, stderr = process.communicate(b"x\n", timeout=60)
        return process.returncode, stderr.splitlines()[-1]

    served = closed_stdout(prestarted.popen)
    assert served == closed_stdout(subprocess.Popen)
    assert served[0] == 1 and b"BrokenPipeError" in served[1]
    with prestarted.popen(
        [*MATCHBOT, "demo", "--speed", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env(),
        cwd=tmp_path,
    ) as process:
        assert process.stdout is not None and process.stderr is not None
        assert forked(process) == FORKING
        process.stdout.close()
        assert process.wait(timeout=60) == 0  # matchbot's own quiet end on EPIPE
        assert b"Traceback" not in process.stderr.read()


def test_the_environment_given_is_the_whole_environment() -> None:
    assert "PATH" in os.environ
    given = env(MATCHBOT_PROBE="given")
    del given["PATH"]
    seen = state("PATH", "MATCHBOT_PROBE", env=given, cwd=ROOT)
    assert seen["env"] == given  # PATH removed is gone, the new variable is there
    assert seen["c_env"] == {"PATH": None, "MATCHBOT_PROBE": "given"}  # for C code too


def test_the_time_zone_of_the_environment_is_the_childs() -> None:
    assert state(env=env(TZ="Asia/Tokyo"), cwd=ROOT)["tz"] == ["JST", "JST"]
    assert state(env=env(TZ="Europe/Rome"), cwd=ROOT)["tz"] == ["CET", "CEST"]


def test_the_working_folder_is_the_childs(tmp_path: Path) -> None:
    shutil.copy(ROOT / "bot" / "data" / "atalanta-inter.jsonl", tmp_path / "feed.jsonl")
    served, literal = both([*MATCHBOT, "recap", "feed.jsonl"], env=env(), cwd=tmp_path)
    assert served.returncode == literal.returncode == 0
    assert "Atalanta" in served.stdout and served.stdout == literal.stdout
    missing = tmp_path / "missing"
    with pytest.raises(FileNotFoundError):
        prestarted.popen([*MATCHBOT, "recap", "feed.jsonl"], env=env(), cwd=missing)


def ignored(sig: signal.Signals) -> bool:
    return signal.getsignal(sig) == signal.SIG_IGN


def signals_as_from_a_terminal() -> None:
    """In an exec'd child before its exec: what pytest's starter ignored, no longer (a
    background job ignores SIGINT and SIGQUIT)."""
    for sig in (signal.SIGINT, signal.SIGQUIT):
        signal.signal(sig, signal.SIG_DFL)


def test_a_child_looks_like_a_fresh_python_dash_m() -> None:
    seen = state(env=env(), cwd=ROOT)
    literal = subprocess.run(
        [*PROBE, "state"],
        capture_output=True,
        text=True,
        env=env(),
        cwd=ROOT,
        check=True,
        preexec_fn=signals_as_from_a_terminal,
    )
    fresh = json.loads(literal.stdout)
    keys = ["name", "path0", "sigint", "sigchld", "wakeup", "fds", "line_buffered"]
    if not FORKING and ignored(signal.SIGINT):  # both exec'd, only one as from a terminal
        keys.remove("sigint")
    for key in keys:
        assert seen[key] == fresh[key], key
    assert seen["argv"][1:] == fresh["argv"][1:] == ["state"]
    assert Path(seen["argv"][0]).name == "prestarted_probe.py"
    assert seen["sid"] == fresh["sid"] == os.getsid(0)  # no session of its own unless asked
    new = state(env=env(), cwd=ROOT, start_new_session=True)
    assert new["sid"] == new["pid"]


def test_each_child_has_a_fresh_random_state() -> None:
    drawn = {state(env=env(), cwd=ROOT)["random"] for _ in range(3)}
    assert len(drawn) == 3


def test_two_children_run_at_once_each_its_own_process() -> None:
    start = {"stdin": subprocess.PIPE, "stdout": subprocess.PIPE, "text": True, "cwd": ROOT}
    with (
        prestarted.popen([*PROBE, "wait"], **start) as first,
        prestarted.popen([*PROBE, "wait"], **start) as second,
    ):
        assert first.stdout is not None and second.stdout is not None
        assert int(first.stdout.readline()) == first.pid
        assert int(second.stdout.readline()) == second.pid
        assert len({first.pid, second.pid, os.getpid()}) == 3
        first.kill()
        assert first.wait(timeout=30) == -9
        assert second.poll() is None  # the other runs on
        second.communicate("", timeout=30)  # its stdin closes: it ends by itself
        assert second.returncode == 0


def test_the_server_goes_with_the_run() -> None:
    # A stand-in for a pytest run (its first process: the one the server watches): it starts
    # a child through the server, says the server's pid, then dies without any clean-up
    # (SIGKILL). Nothing is left: neither the server nor a child.
    worker = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import os, sys\n"
            "from tests.support import prestarted\n"
            "done = prestarted.run(sys.argv[1:], capture_output=True, timeout=60)\n"
            "print(done.returncode, prestarted.Server.shared().hello()['ready'], flush=True)\n"
            "sys.stdin.read()\n",
            *PROBE,
            "exit",
            "3",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env(),
    )
    assert worker.stdout is not None
    code, server = worker.stdout.readline().split()
    assert code == "3"
    pattern = f"{prestarted.MARKER} {worker.pid}$"
    if FORKING:
        assert pgrep(pattern) == [int(server)]
    worker.kill()
    worker.wait(timeout=30)
    assert worker.stdin is not None and worker.stdout is not None
    worker.stdin.close()
    worker.stdout.close()
    asyncio.run(until(lambda: not pgrep(pattern), timeout=30))


def pgrep(pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True, check=False)
    return [int(pid) for pid in found.stdout.split()]


def test_matchbot_tests_exec_1_starts_fresh_interpreters(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(prestarted.EXEC_VARIABLE, "1")
    with prestarted.popen([*PROBE, "exit", "0"], cwd=ROOT) as process:
        assert type(process) is subprocess.Popen
    assert process.returncode == 0


def test_an_environment_that_python_or_the_imports_read_at_start_is_exec_d() -> None:
    # PYTHONHASHSEED and LANG are Python's; TZ is read by a library as it loads
    differ = {"PYTHONHASHSEED": "7", "LANG": "it_IT.UTF-8", "TZ": "Asia/Tokyo"}
    for name, value in differ.items():
        assert os.environ.get(name) != value
        with prestarted.popen([*PROBE, "exit", "0"], cwd=ROOT, env=env(**{name: value})) as p:
            assert type(p) is subprocess.Popen, name
        assert p.returncode == 0


async def test_the_asyncio_shaped_process_is_awaited_by_several_at_once() -> None:
    process = await prestarted.start(
        *PROBE, "sleep", cwd=ROOT, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL
    )
    assert process.returncode is None
    waiting = [asyncio.create_task(process.wait()) for _ in range(3)]
    await asyncio.sleep(0)
    process.terminate()
    assert await asyncio.wait_for(asyncio.gather(*waiting), 30) == [-15, -15, -15]
    assert process.returncode == -15
    assert await process.wait() == -15
