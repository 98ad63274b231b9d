"""``python -m adapters.cli ...`` for the tests, without paying Python's start and the bot's
imports in each process: a pre-started interpreter forks them.

The first process of a pytest run (an xdist worker) that starts a ``matchbot`` command starts
one server for the whole run (:mod:`tests.support.prestarted_server`, found by the others in
the run's folder: tests/support/run_wide.py) that imported every module of the bot and what its
commands import, and then forks a child for each command. The child is a process of its own
(its own pid, signals, exit status, pipes, environment, working folder) that runs
``adapters.cli`` as ``__main__`` exactly as ``python -m adapters.cli`` does, minus the
interpreter's start and imports (some 0.4 CPU-s a process here). :func:`popen` and :func:`run`
take :class:`subprocess.Popen`'s and :func:`subprocess.run`'s arguments and give their objects:
:class:`PrestartedPopen` is a ``Popen`` whose child the server starts, so pipes, text mode,
``communicate()``, ``wait(timeout)``, ``with``, ``send_signal``/``terminate``/``kill`` work
unchanged.

A command is started the literal way (a fresh interpreter: ``subprocess.Popen``) when it is not
``[sys.executable, "-m", "adapters.cli", ...]``, when it asks for what the server does not give
(``pass_fds``, a user or group, ``preexec_fn``, ``process_group``, ``umask``, ``shell``...), when
its environment differs from the server's in what Python reads at its start (``PYTHON*``,
``LANG``/``LC_*``) or in a variable the imports read, and always when ``MATCHBOT_TESTS_EXEC=1``
is set: ``MATCHBOT_TESTS_EXEC=1 pytest`` runs the suite the slow, literal way. Tests about the
start itself (which modules a process imports, the installed ``matchbot`` program, ``--help``)
start their processes with ``subprocess`` directly.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

from tests.support.prestarted_server import BOOT, SERVED, read_at_start

#: set to 1, every test starts its ``matchbot`` processes as fresh interpreters
EXEC_VARIABLE = "MATCHBOT_TESTS_EXEC"
#: in the server's command line (and so its children's), with the pid of the process it serves:
#: ``pgrep -f "matchbot-prestarted-server PID"`` finds them
MARKER = "matchbot-prestarted-server"
#: the environment the server starts with: this process's as the tests were collected
_START_ENV = dict(os.environ)


def popen(args: Sequence[str], **kwargs: Any) -> subprocess.Popen[Any]:
    """``subprocess.Popen(args, **kwargs)``, its child forked by the pre-started interpreter
    where it can be (see the module's doc), a fresh interpreter otherwise."""
    if _served(args, kwargs):
        return PrestartedPopen(args, **kwargs)
    return subprocess.Popen(args, **kwargs)


def run(
    args: Sequence[str],
    *,
    input: str | bytes | None = None,
    capture_output: bool = False,
    timeout: float | None = None,
    check: bool = False,
    **kwargs: Any,
) -> subprocess.CompletedProcess[Any]:
    """``subprocess.run`` with :func:`popen`'s processes (the same arguments and result)."""
    if input is not None:
        kwargs["stdin"] = subprocess.PIPE
    if capture_output:
        kwargs["stdout"] = kwargs["stderr"] = subprocess.PIPE
    with popen(args, **kwargs) as process:
        try:
            stdout, stderr = process.communicate(input, timeout=timeout)
        except subprocess.TimeoutExpired as exc:
            process.kill()
            exc.stdout, exc.stderr = process.communicate()
            raise
        except BaseException:
            process.kill()
            raise
        code = process.poll()
        assert code is not None
    if check and code:
        raise subprocess.CalledProcessError(code, process.args, output=stdout, stderr=stderr)
    return subprocess.CompletedProcess(process.args, code, stdout, stderr)


async def start(program: str, *args: str, **kwargs: Any) -> Process:
    """``asyncio.create_subprocess_exec(program, *args, **kwargs)`` with :func:`popen`'s
    process (stdin, stdout and stderr: a file, a descriptor, ``DEVNULL`` or inherited)."""
    if any(kwargs.get(name) == subprocess.PIPE for name in ("stdin", "stdout", "stderr")):
        raise ValueError("pipes: use popen() (and its Popen's communicate) instead")
    return Process(await asyncio.to_thread(popen, [program, *args], **kwargs))


class Process:
    """The part of :class:`asyncio.subprocess.Process` the tests use (``pid``, ``returncode``,
    ``wait()``, ``send_signal``, ``terminate``, ``kill``), for a :func:`popen` process: its
    end is awaited on the event loop, no thread or child watcher, through the server's
    connection (forked) or a pidfd (exec'd)."""

    def __init__(self, process: subprocess.Popen[Any]) -> None:
        self.popen = process
        self.pid = process.pid
        self._watching = asyncio.Lock()  # one waiter watches the descriptor, others queue

    @property
    def returncode(self) -> int | None:
        return self.popen.poll()

    def send_signal(self, sig: int) -> None:
        self.popen.send_signal(sig)

    def terminate(self) -> None:
        self.popen.terminate()

    def kill(self) -> None:
        self.popen.kill()

    async def wait(self) -> int:
        loop = asyncio.get_running_loop()
        async with self._watching:
            return await self._watch(loop)

    async def _watch(self, loop: asyncio.AbstractEventLoop) -> int:
        if (code := self.popen.poll()) is not None:
            return code
        with _ended_fd(self.popen) as fd:
            while (code := self.popen.poll()) is None:
                readable = loop.create_future()
                loop.add_reader(fd, _settle, readable)
                try:
                    await readable
                finally:
                    loop.remove_reader(fd)
        return code


def _settle(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


@contextlib.contextmanager
def _ended_fd(process: subprocess.Popen[Any]) -> Iterator[int]:
    """A descriptor that becomes readable when ``process`` has ended."""
    if isinstance(process, PrestartedPopen) and process._connection is not None:
        yield process._connection.fileno()
        return
    pidfd = os.pidfd_open(process.pid)
    try:
        yield pidfd
    finally:
        os.close(pidfd)


def _served(args: Sequence[str], kwargs: Mapping[str, Any]) -> bool:
    if os.environ.get(EXEC_VARIABLE) == "1" or isinstance(args, (str, bytes)):
        return False
    argv = [os.fspath(a) for a in args]
    if len(argv) < 3 or argv[0] != sys.executable or argv[1] != "-m" or argv[2] not in SERVED:
        return False
    plain = {
        "executable": None,
        "preexec_fn": None,
        "close_fds": True,
        "shell": False,
        "restore_signals": True,
        "pass_fds": (),
        "user": None,
        "group": None,
        "extra_groups": None,
        "umask": -1,
        "process_group": None,
    }
    if any(kwargs.get(name, default) != default for name, default in plain.items()):
        return False
    env = kwargs.get("env")
    return Server.shared().serves(dict(os.environ if env is None else env))


class PrestartedPopen(subprocess.Popen[Any]):
    """A :class:`subprocess.Popen` whose child the pre-started interpreter forks. Only how the
    child starts and how its end is learnt differ (``_execute_child``, ``_internal_poll``,
    ``_wait``: CPython 3.11's, used by ``wait``, ``poll``, ``communicate``, ``__exit__``,
    ``__del__`` and ``send_signal``); signals go to its pid (``os.kill``) as ever: the server
    keeps a dead child unreaped until this object has read its status, so the pid is not
    reused meanwhile."""

    _connection: socket.socket | None = None
    _received = b""

    def _execute_child(  # type: ignore[override]
        self,
        args: Sequence[str],
        executable: object,
        preexec_fn: object,
        close_fds: bool,
        pass_fds: object,
        cwd: str | os.PathLike[str] | None,
        env: Mapping[str, str] | None,
        startupinfo: object,
        creationflags: int,
        shell: bool,
        p2cread: int,
        p2cwrite: int,
        c2pread: int,
        c2pwrite: int,
        errread: int,
        errwrite: int,
        restore_signals: bool,
        gid: object,
        gids: object,
        uid: object,
        umask: int,
        start_new_session: bool,
        process_group: int,
    ) -> None:
        argv = [os.fspath(a) for a in args]
        sys.audit("subprocess.Popen", argv[0], argv, cwd, env)
        folder = os.fspath(cwd) if cwd is not None else str(Path.cwd())
        stdio = (
            p2cread if p2cread != -1 else 0,
            c2pwrite if c2pwrite != -1 else 1,
            errwrite if errwrite != -1 else 2,
        )
        request = {
            "module": argv[2],
            "argv": argv[3:],
            "env": {
                os.fsdecode(k): os.fsdecode(v)
                for k, v in (os.environ if env is None else env).items()
            },
            "cwd": str(Path(folder).absolute()),
            "new_session": bool(start_new_session),
        }
        self._connection = Server.shared().start(request, stdio)
        try:
            first = self._line(None)
        except BaseException:
            self._connection.close()
            raise
        word, _, rest = first.partition(" ")
        if word == "error":
            self._connection.close()
            code, _, message = rest.partition(" ")
            raise OSError(int(code), message, folder)
        if word != "pid":
            raise RuntimeError(f"the pre-started interpreter said {first!r}")
        self.pid = int(rest)
        self._child_created = True
        self._close_pipe_fds(p2cread, p2cwrite, c2pread, c2pwrite, errread, errwrite)

    def _line(self, timeout: float | None) -> str:
        """The next line the server sends about this child (raises TimeoutError)."""
        conn = self._connection
        assert conn is not None
        deadline = None if timeout is None else time.monotonic() + timeout
        while b"\n" not in self._received:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            ready, _, _ = select.select([conn], [], [], left)
            if not ready:
                raise TimeoutError
            part = conn.recv(4096)
            if not part:
                log = Server.shared().log()
                raise RuntimeError(f"the pre-started interpreter ended:\n{log}")
            self._received += part
        line, _, self._received = self._received.partition(b"\n")
        return line.decode()

    def _ended(self, timeout: float | None) -> bool:
        """Whether the child's status came (read within ``timeout``); sets returncode. The
        caller holds ``_waitpid_lock``."""
        if self.returncode is not None:
            return True
        try:
            line = self._line(timeout)
        except TimeoutError:
            return False
        word, _, code = line.partition(" ")
        if word != "exit":
            raise RuntimeError(f"the pre-started interpreter said {line!r}")
        self.returncode = int(code)
        assert self._connection is not None
        self._connection.close()  # the server reaps the child now
        return True

    def _internal_poll(self, _deadstate: int | None = None, **_: Any) -> int | None:
        if self.returncode is None and self._waitpid_lock.acquire(False):
            try:
                self._ended(0)
            except (OSError, RuntimeError):
                if _deadstate is not None:
                    self.returncode = _deadstate
            finally:
                self._waitpid_lock.release()
        return self.returncode

    def _wait(self, timeout: float | None) -> int:
        if self.returncode is not None:
            return self.returncode
        if timeout is None:
            with self._waitpid_lock:
                self._ended(None)
        else:
            deadline = time.monotonic() + timeout
            while True:
                left = deadline - time.monotonic()
                if self._waitpid_lock.acquire(timeout=max(0.0, left)):
                    try:
                        if self._ended(max(0.0, deadline - time.monotonic())):
                            break
                    finally:
                        self._waitpid_lock.release()
                if time.monotonic() >= deadline:
                    raise subprocess.TimeoutExpired(self.args, timeout)
        assert self.returncode is not None
        return self.returncode


class Server:
    """The run's pre-started interpreter, one for all the run's processes (its xdist workers),
    like the run's PostgreSQL server (tests/support/run_wide.py): the first process that needs
    it starts it, under the run's lock, listening on a socket in the run's folder; each
    process connects to it once and sends its requests on that connection. It exits when the
    run's first process is gone (it watches it: a pidfd), also if that one was killed."""

    _shared: Server | None = None
    _lock = threading.Lock()

    @classmethod
    def shared(cls) -> Server:
        with cls._lock:
            if cls._shared is None:
                cls._shared = cls._connected()
            return cls._shared

    @classmethod
    def _connected(cls) -> Server:
        from tests.support import run_wide

        with run_wide.locked() as run:
            path, log = run / "prestarted.sock", run / "prestarted.log"
            if path.exists():
                try:
                    return cls(path, log)
                except ConnectionRefusedError:  # it ended (it failed): start another
                    path.unlink()
            _spawn(path, log, run_wide.owner())
            return cls(path, log)

    def __init__(self, path: Path, log: Path) -> None:
        self.path, self._log = path, log
        self.control = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        try:
            self.control.connect(str(path))
        except OSError:
            self.control.close()
            raise
        self._send_lock = threading.Lock()
        self._hello: dict[str, Any] | None = None

    def hello(self) -> dict[str, Any]:
        """The server's first message once it has loaded: its pid, the environment variables
        the loading read, and the values it started with of those and of what Python reads
        at its start."""
        with self._send_lock:
            if self._hello is None:
                message = self.control.recv(1 << 20)
                if not message:
                    raise RuntimeError(f"the pre-started interpreter ended:\n{self.log()}")
                self._hello = json.loads(message)
            return self._hello

    def serves(self, env: Mapping[str, str]) -> bool:
        """Whether a child with this environment starts as a fresh interpreter would: the
        same in what Python and the server's imports read from it."""
        hello = self.hello()
        if "*" in hello["env_read"]:  # the whole environment was read: only a fresh one
            return False
        seen: dict[str, str | None] = hello["env"]
        names = set(seen) | {name for name in env if read_at_start(name)}
        return all(env.get(name) == seen.get(name) for name in names)

    def start(self, request: dict[str, Any], stdio: tuple[int, int, int]) -> socket.socket:
        """Send a request; the connection on which the server answers about that child."""
        mine, theirs = socket.socketpair()
        with theirs:
            message = json.dumps(request).encode()
            self.hello()
            with self._send_lock:
                try:
                    socket.send_fds(self.control, [message], [*stdio, theirs.fileno()])
                except (BrokenPipeError, ConnectionResetError) as e:
                    mine.close()
                    raise RuntimeError(f"the pre-started interpreter ended:\n{self.log()}") from e
        return mine

    def log(self) -> str:
        """What the server wrote on its stderr (a failure's traceback)."""
        try:
            return self._log.read_text("utf-8", "replace")
        except OSError as e:
            return str(e)


def _spawn(path: Path, log: Path, owner: int) -> int:
    """Start the server, listening on ``path`` (bound here: a process may connect at once,
    its requests wait until the server has loaded), until ``owner`` is gone. Not waited for
    (it outlives the process that started it); in that process's session, so a ^C in the
    terminal reaches its children as it reaches exec'd ones (the server ignores it)."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as listener:
        listener.bind(str(path))
        listener.listen(64)
        errors = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
        quiet = os.open(os.devnull, os.O_RDWR)
        try:
            return os.posix_spawn(
                sys.executable,
                [sys.executable, "-c", BOOT, MARKER, str(owner)],
                _START_ENV,
                file_actions=[
                    (os.POSIX_SPAWN_DUP2, listener.fileno(), 0),
                    (os.POSIX_SPAWN_DUP2, quiet, 1),
                    (os.POSIX_SPAWN_DUP2, errors, 2),
                ],
                # every signal at its default, none blocked, whatever the starter had (a
                # worker of a pytest run in the background ignores SIGINT): the server, and so
                # each child, starts as Python does from a terminal
                setsigdef=signal.valid_signals() - {signal.SIGKILL, signal.SIGSTOP},
                setsigmask=(),
            )
        finally:
            os.close(errors)
            os.close(quiet)
