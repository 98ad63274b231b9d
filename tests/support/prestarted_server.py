"""The server side of :mod:`tests.support.prestarted`: one Python that imported what a
``matchbot`` command imports, and forks a child for each ``python -m adapters.cli ...`` a test
starts, so the child skips the interpreter's start and the imports.

One serves a whole pytest run (all its xdist workers). The first process that needs it starts
it (:func:`tests.support.prestarted._spawn`) as ``python -c BOOT matchbot-prestarted-server
OWNER`` with a listening socket (``AF_UNIX``, ``SOCK_SEQPACKET``, in the run's folder) as its
standard input; :data:`BOOT` is the whole program::

    from tests.support.prestarted_server import serve
    child = serve()
    if child is not None:
        import runpy; runpy._run_module_as_main(child)

:func:`serve` loads the modules, then waits. Each process that connects is sent a hello: which
environment variables were read while the modules loaded, and the values the server started
with of those and of what Python reads at its start (``PYTHON*``, ``LANG``, ``LC_*``): a child
whose environment differs there is started the literal way instead. Each request on a
connection carries the child's argv, environment and working folder, and four file descriptors
(``SCM_RIGHTS``): the child's stdin, stdout and stderr and a connection of its own (a socket) on
which the server reports the child's pid and, when it has ended, its exit status as
:class:`subprocess.Popen` gives it (negative signal number when a signal killed it). The dead
child stays a zombie, so its pid is not reused, until the client has read its status and closed
that connection; then it is reaped. The server never starts a thread, an event loop or a
database; it learns of a child's end through ``SIGCHLD`` and a wake-up pipe in its ``select``
loop, and of the run's end through a pidfd of the run's first process (``OWNER``): then
:func:`serve` returns ``None`` and the server exits.

In the child, :func:`serve` returns (its loop unwound) after the child was made to look like a
fresh ``python -m``: the signal handlers the server set are the ones it started with again (the
wake-up fd gone), the server's descriptors closed, the three given ones on 0, 1 and 2, the
environment replaced (``time.tzset()``), the working folder changed and ``sys.path[0]`` set to
it, a session of its own if asked. Then the boot code runs the module as ``__main__`` the way
``-m`` does (``runpy._run_module_as_main``), at the top level, so the interpreter's end (atexit,
threads, ``SystemExit``, an uncaught exception's traceback and status 1, ``KeyboardInterrupt``)
is Python's own.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import importlib
import json
import os
import pkgutil
import select
import signal
import socket
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

BOOT = (
    f"import os; os.chdir({str(Path(__file__).resolve().parents[2])!r})\n"
    "from tests.support.prestarted_server import serve\n"
    "child = serve()\n"
    "if child is not None:\n"
    "    import runpy\n"
    "    runpy._run_module_as_main(child)\n"
)

#: the packages whose every module is loaded, in this order (``adapters`` first: importing it
#: sets aside the rare library modules a ``matchbot`` process does not import, see
#: adapters/lean_imports.py)
PACKAGES = ("adapters", "bot", "storage")
#: what the commands import only once they run (an HTTP request's transport, typer's command
#: building, a Discord gateway's host names, babel's number formats)
LIBRARY_MODULES = (
    "anyio._backends._asyncio",
    "anyio.streams.tls",
    "apscheduler.triggers.date",
    "babel.numbers",
    "certifi",
    "encodings.idna",
    "h11",
    "httpcore",
    "runpy",
    "stringprep",
    "typer._adapters",
    "typer._click.decorators",
    "watchfiles",
)
#: the modules a request may ask to run
SERVED = frozenset({"adapters.cli", "tests.support.prestarted_probe"})
#: what Python reads from the environment as it starts, before any module (and OpenSSL as it
#: loads, which no ``os.environ`` read shows)
START_PREFIXES = ("PYTHON", "LC_")
START_NAMES = frozenset({"LANG", "LANGUAGE", "OPENSSL_CONF", "OPENSSL_MODULES"})
#: what a request's message may be at most (an environment of a few hundred variables fits)
MESSAGE_LIMIT = 1 << 20


def serve() -> str | None:
    """Load, then serve until the run's first process (``sys.argv[2]``) is gone (``None``). In
    a forked child it returns the name of the module to run as ``__main__``, the child set
    up."""
    started_with = _signal_handlers()
    os.closerange(3, os.sysconf("SC_OPEN_MAX"))  # what the starter left open is not a child's
    listener = socket.socket(fileno=os.dup(0))
    _stdin_from_devnull()
    try:
        owner = os.pidfd_open(int(sys.argv[2]))
    except ProcessLookupError:
        return None
    read_at_import = _load()
    hello = json.dumps(
        {"ready": os.getpid(), "env_read": sorted(read_at_import), "env": _env_seen(read_at_import)}
    ).encode()
    with Loop(listener, owner, hello, started_with) as loop:
        child = loop.run()
    if child is None:
        return None
    child.become()
    return child.module


@dataclass
class Child:
    """A request, in the forked child: what it must become."""

    module: str
    argv: list[str]
    env: dict[str, str]
    cwd: str
    new_session: bool
    stdio: tuple[int, int, int]
    started_with: dict[int, signal.Handlers | int | object]

    def become(self) -> None:
        for sig, handler in self.started_with.items():
            with contextlib.suppress(OSError, ValueError, TypeError):
                signal.signal(sig, handler)  # type: ignore[arg-type]
        if self.new_session:
            os.setsid()
        for target, fd in enumerate(self.stdio):
            os.dup2(fd, target)
        for fd in set(self.stdio):
            if fd > 2:
                os.close(fd)
        for stream, fd in ((sys.stdout, 1), (sys.stderr, 2)):
            # made for the server's own (no terminal): a terminal's is line-buffered
            if os.isatty(fd) and not sys.flags.unbuffered:
                stream.reconfigure(line_buffering=True)  # type: ignore[union-attr]
        os.environ.clear()
        os.environ.update(self.env)
        time.tzset()
        _renew_module_state(self.module)
        os.chdir(self.cwd)
        sys.path[0] = str(Path.cwd())  # what ``python -m`` puts first: the working folder
        sys.argv[:] = ["-m", *self.argv]
        sys.orig_argv[:] = [sys.executable, "-m", self.module, *self.argv]


def _renew_module_state(module: str) -> None:
    """What the loaded modules took from the server's start that a fresh ``python -m`` would
    not have: the module to run itself (``-m`` runs it as ``__main__`` only, never imported
    under its name), wsgiref's copy of the environment."""
    sys.modules.pop(module, None)
    package, _, name = module.rpartition(".")
    if package in sys.modules and hasattr(sys.modules[package], name):
        delattr(sys.modules[package], name)
    handlers = sys.modules.get("wsgiref.handlers")
    if handlers is not None:
        handlers.BaseHandler.os_environ = handlers.read_environ()  # type: ignore[attr-defined]


@dataclass
class Running:
    """A child the server forked: its connection, and whether its status was sent."""

    conn: socket.socket | None  # None once the client left
    reported: bool = False


@dataclass
class Loop:
    """The server's single-threaded loop: each process of the run connects on ``listener``
    (it is sent ``hello``) and sends its requests on that connection; children's ends come
    through ``SIGCHLD``; clients close their children's connections; ``owner`` (a pidfd of
    the run's first process) becomes readable when the run is over."""

    listener: socket.socket
    owner: int
    hello: bytes
    started_with: dict[int, signal.Handlers | int | object]
    controls: set[socket.socket] = field(default_factory=set)
    children: dict[int, Running] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.wake_read, self.wake_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)

    def __enter__(self) -> Loop:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # a ^C is the test run's to handle
        signal.signal(signal.SIGCHLD, _noop)
        signal.set_wakeup_fd(self.wake_write, warn_on_full_buffer=False)
        return self

    def __exit__(self, *exc: object) -> None:
        signal.set_wakeup_fd(-1)
        for sig in (signal.SIGINT, signal.SIGCHLD):
            signal.signal(sig, self.started_with[sig])  # type: ignore[arg-type]
        _close(self.wake_read, self.wake_write, self.owner)
        self.listener.close()
        for control in self.controls:
            control.close()
        self.controls.clear()
        for running in self.children.values():
            if running.conn is not None:
                running.conn.close()
        self.children.clear()

    def run(self) -> Child | None:
        while True:
            conns = {r.conn: (pid, r) for pid, r in self.children.items() if r.conn is not None}
            waited = [self.listener, self.owner, self.wake_read, *self.controls, *conns]
            readable, _, _ = select.select(waited, [], [])
            if self.owner in readable:  # the run is over
                return None
            if self.wake_read in readable:
                _drain(self.wake_read)
                self.report_ends()
            for ready in readable:
                if ready in conns:
                    self.closed_by_client(*conns[ready])
            if self.listener in readable:
                self.accept()
            for control in self.controls & set(readable):
                child = self.request(control)
                if child is not None:
                    return child

    def accept(self) -> None:
        control, _ = self.listener.accept()
        try:
            control.send(self.hello)
        except OSError:
            control.close()
            return
        self.controls.add(control)

    def request(self, control: socket.socket) -> Child | None:
        try:
            message, fds, _, _ = socket.recv_fds(control, MESSAGE_LIMIT, 4)
        except ConnectionResetError:
            message, fds = b"", []
        if not message:  # that process is gone
            self.controls.discard(control)
            control.close()
            _close(*fds)
            return None
        return self.fork(json.loads(message), fds)

    def fork(self, request: dict[str, object], fds: list[int]) -> Child | None:
        stdin, stdout, stderr, conn_fd = fds
        conn = socket.socket(fileno=conn_fd)
        cwd = str(request["cwd"])
        refused = _refusal(str(request["module"]), cwd)
        if refused:
            conn.sendall(refused)
            conn.close()
            _close(stdin, stdout, stderr)
            return None
        pid = os.fork()
        if pid == 0:
            conn.close()
            return Child(
                module=str(request["module"]),
                argv=[str(a) for a in request["argv"]],  # type: ignore[attr-defined]
                env={str(k): str(v) for k, v in request["env"].items()},  # type: ignore[attr-defined]
                cwd=cwd,
                new_session=bool(request["new_session"]),
                stdio=(stdin, stdout, stderr),
                started_with=self.started_with,
            )
        _close(stdin, stdout, stderr)
        self.children[pid] = Running(conn)
        with contextlib.suppress(OSError):
            conn.sendall(f"pid {pid}\n".encode())
        self.report_ends()  # it may have ended already
        return None

    def report_ends(self) -> None:
        """Tell each ended child's client its status; the zombie stays until the client has
        read it (it closes the connection), so the pid cannot be reused meanwhile."""
        for pid, running in list(self.children.items()):
            if running.reported:
                continue
            ended = os.waitid(os.P_PID, pid, os.WEXITED | os.WNOHANG | os.WNOWAIT)
            if ended is None or ended.si_pid == 0:
                continue
            killed = ended.si_code in (os.CLD_KILLED, os.CLD_DUMPED)
            code = -ended.si_status if killed else ended.si_status
            running.reported = True
            try:
                if running.conn is None:
                    raise ConnectionResetError
                running.conn.sendall(f"exit {code}\n".encode())
            except OSError:  # the client went away first: nobody to tell
                self.reap(pid)

    def closed_by_client(self, pid: int, running: Running) -> None:
        """The client closed its connection: it has read the status (reap the child now), or
        it left while the child runs on (reap it when it ends)."""
        assert running.conn is not None
        with contextlib.suppress(OSError):
            if running.conn.recv(64):
                return  # a client says nothing: ignore it
        running.conn.close()
        running.conn = None
        if running.reported:
            self.reap(pid)

    def reap(self, pid: int) -> None:
        running = self.children.pop(pid)
        if running.conn is not None:
            running.conn.close()
        with contextlib.suppress(ChildProcessError):
            os.waitpid(pid, 0)


def _env_seen(read: set[str]) -> dict[str, str | None]:
    """The values this server started with of what a child must have the same of: the
    variables read as the modules loaded, and those Python reads as it starts."""
    names = read | {name for name in os.environ if read_at_start(name)}
    return {name: os.environ.get(name) for name in sorted(names)}


def read_at_start(name: str) -> bool:
    """Whether Python reads the environment variable ``name`` as it starts (a child forked
    from an interpreter started without it would not have it applied)."""
    return name in START_NAMES or name.startswith(START_PREFIXES)


def _refusal(module: str, cwd: str) -> bytes:
    if module not in SERVED:
        return f"error {errno.EINVAL} not served: {module}\n".encode()
    try:
        if not Path(cwd).is_dir():
            return f"error {errno.ENOENT} {os.strerror(errno.ENOENT)}\n".encode()
    except OSError as e:
        return f"error {e.errno} {e.strerror}\n".encode()
    return b""


def _noop(signum: int, frame: object) -> None:
    """SIGCHLD's handler: the wake-up fd does the work."""


def _drain(fd: int) -> None:
    with contextlib.suppress(BlockingIOError):
        while os.read(fd, 4096):
            pass


def _close(*fds: int) -> None:
    for fd in set(fds):
        with contextlib.suppress(OSError):
            os.close(fd)


def _stdin_from_devnull() -> None:
    devnull = os.open(os.devnull, os.O_RDONLY)
    os.dup2(devnull, 0)
    os.close(devnull)


def _signal_handlers() -> dict[int, signal.Handlers | int | object]:
    """Every catchable signal's handler as this fresh interpreter started (what a child must
    have again)."""
    found: dict[int, signal.Handlers | int | object] = {}
    for sig in signal.valid_signals():
        with contextlib.suppress(OSError, ValueError):
            handler = signal.getsignal(sig)
            if handler is not None:
                found[sig] = handler
    return found


def _load() -> set[str]:
    """Import every module of the bot and the library modules its commands import as they
    run; warm what the commands build at start (typer's command, babel's locales). Returns
    the environment variables read meanwhile."""
    import wsgiref.handlers  # noqa: F401  (its copy of the environment is renewed in a child)

    with _environment_reads() as read:
        for name in PACKAGES:
            package = importlib.import_module(name)
            for module in pkgutil.walk_packages(package.__path__, name + "."):
                importlib.import_module(module.name)
        for name in (*LIBRARY_MODULES, *sorted(SERVED)):
            with contextlib.suppress(ImportError):
                importlib.import_module(name)
        _warm()
    if threading.active_count() != 1:
        raise RuntimeError(f"a thread started while loading: {threading.enumerate()}")
    gc.collect()
    gc.freeze()  # the children share these pages, and their collections skip what never dies
    return read


#: what every command works out the same way, from the bot's own data files, once per process
#: (each ``@cache``'d): ``module:function`` and its arguments
WARM = (
    ("storage.fresh:migrated_schema", ()),  # the migrations run on an in-memory database
    ("bot.teams:catalogue", ()),
    ("bot.competitions:known_competitions", ()),
    ("bot.competitions:provider_competitions", ()),
    ("bot.competitions:_canonical_names", ()),
    ("bot.messages.i18n:translations", ("it",)),
    ("bot.messages.i18n:translations", ("it", "bare")),
    ("bot.messages.names:_countries", ()),
    ("bot.messages.names:_catalogue_spellings", ()),
    ("bot.messages.names:_club_phrases", ()),
    ("bot.messages.names:_competition_phrases", ()),
    ("bot.chat_settings:_timezones_by_name", ()),
    ("bot.depth:_colours", ()),
    ("adapters.tls:client_context", ()),  # reads SSL_CERT_FILE/SSL_CERT_DIR: recorded
)


def _warm() -> None:
    """Build what the commands build at their start and keep for the process: typer's
    command, babel's locale data for English and Italian, the cached tables of :data:`WARM`
    (one renamed or gone is skipped: the children build it themselves), the spellings of the
    bundled teams."""
    import typer.main
    from babel import Locale

    import adapters.cli

    typer.main.get_command(adapters.cli.app)
    for lang in ("en", "it"):
        locale = Locale.parse(lang)
        _ = locale.decimal_formats, locale.number_symbols, locale.days, locale.months
    for name, args in WARM:
        module, _, function = name.partition(":")
        try:
            made = getattr(importlib.import_module(module), function)
        except (ImportError, AttributeError):
            continue
        made(*args)
    with contextlib.suppress(ImportError, AttributeError):
        from bot.teams import catalogue, spellings

        for team in catalogue().teams:
            for spelling in (team.name, *team.aliases):
                spellings(spelling)


@contextlib.contextmanager
def _environment_reads() -> Iterator[set[str]]:
    """The names of the environment variables read (``os.environ``, ``os.getenv``) inside."""
    read: set[str] = set()
    environ = type(os.environ)
    getitem, iterate = environ.__getitem__, environ.__iter__

    def recorded_getitem(self: os._Environ[str], key: str) -> str:
        read.add(key)
        return getitem(self, key)

    def recorded_iter(self: os._Environ[str]) -> Iterator[str]:
        read.add("*")
        return iterate(self)

    environ.__getitem__ = recorded_getitem  # type: ignore[method-assign,assignment]
    environ.__iter__ = recorded_iter  # type: ignore[method-assign,assignment]
    try:
        yield read
    finally:
        environ.__getitem__ = getitem  # type: ignore[method-assign]
        environ.__iter__ = iterate  # type: ignore[method-assign]
