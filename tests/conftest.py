"""Shared fixtures, and only fixtures (helpers and fakes live in ``tests/support/``).
Every test runs offline: a connection to anything but loopback fails.

The bot and the fakes are imported where a fixture or a test needs them, not here: xdist's
controller loads this file too, and it runs no test (its start, a few tenths of a second of
CPU, comes before any worker's)."""

from __future__ import annotations

import os
import socket
import ssl
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings as hypothesis_settings

from tests.support import postgres

if TYPE_CHECKING:
    from bot.engine import Engine
    from storage.store import Store

#: fixtures shared by the Telegram end-to-end tests (``fake``, ``bot``, ``reporters_env``), the
#: ``e2e`` marker (tests/support/e2e.py), the order that starts the slow tests first
#: (tests/support/slow_first.py), what the whole run shares across its xdist workers
#: (tests/support/run_wide.py), the garbage collector kept off what lasts the whole run
#: (tests/support/gc_frozen.py) and what a first run compiles, compiled once before the workers
#: start (tests/support/compiled_once.py)
pytest_plugins = [
    "tests.support.run_wide",
    "tests.support.compiled_once",
    "tests.support.gc_frozen",
    "tests.support.telegram_fixtures",
    "tests.support.e2e",
    "tests.support.slow_first",
]

# Python's bytecode cache (the gitignored __pycache__/ folders) is kept even where the shell sets
# PYTHONDONTWRITEBYTECODE: the suite starts about sixty `matchbot` subprocesses, each of which
# would otherwise compile the whole bot again, and each xdist worker its test modules.
os.environ.pop("PYTHONDONTWRITEBYTECODE", None)  # inherited by every subprocess a test starts
sys.dont_write_bytecode = False

# Property tests check behaviour, never speed: on a shared 2-core machine one slow example must
# not fail a run (Hypothesis' default 200 ms deadline per example). How many examples each
# property tries is the profile's to say, not the test's: "matchbot" (the default) keeps the
# suite quick; `pytest --hypothesis-profile thorough` tries twenty times as many.
hypothesis_settings.register_profile("matchbot", deadline=None, max_examples=50)
hypothesis_settings.register_profile("thorough", deadline=None, max_examples=1000)
hypothesis_settings.load_profile("matchbot")


def _one_tls_context_per_process() -> None:
    """Every HTTP client the tests make (python-telegram-bot's two per adapter, the providers')
    would build its own TLS context, reading the whole CA bundle: some 27 ms each, for
    hundreds of clients, though the fakes speak plain HTTP on 127.0.0.1 and no test opens a
    TLS connection. The default context is made once per test process and shared; any other
    (a client given its own ``verify`` or ``cert``) is made as before."""
    from httpx._transports import default as transports

    create = transports.create_ssl_context
    made: dict[bool, ssl.SSLContext] = {}

    def shared(verify: Any = True, cert: Any = None, trust_env: bool = True) -> ssl.SSLContext:
        if verify is not True or cert is not None:
            return create(verify=verify, cert=cert, trust_env=trust_env)
        if trust_env not in made:
            made[trust_env] = create(verify=verify, cert=cert, trust_env=trust_env)
        return made[trust_env]

    transports.create_ssl_context = shared  # type: ignore[assignment]


def pytest_configure(config: pytest.Config) -> None:
    if hasattr(config, "workerinput") or not getattr(config.option, "numprocesses", None):
        _one_tls_context_per_process()  # a process that runs tests (not xdist's controller)


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Fail loudly if anything tries to reach a non-loopback address."""
    real_connect = socket.socket.connect
    real_connect_ex = socket.socket.connect_ex

    def check(address: Any) -> None:
        if isinstance(address, tuple) and address[0] not in ("127.0.0.1", "::1", "localhost"):
            raise AssertionError(f"test tried to reach the network: {address!r}")

    def connect(self: socket.socket, address: Any) -> None:
        check(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        check(address)
        return real_connect_ex(self, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    yield


@pytest.fixture
def store() -> Iterator[Store]:
    """A fresh in-memory store with the bundled teams and competitions (a copy of one made
    once per test process: tests/support/stores.py)."""
    from tests.support import stores

    s = stores.seeded_memory_store()
    yield s
    s.close()


@pytest.fixture(scope="session")
def postgres_server() -> postgres.PostgresServer:
    """The PostgreSQL server on 127.0.0.1 of the whole run (tests/support/postgres.py: started
    by the first worker that needs it, stopped when the run ends); the tests that need it are
    skipped, with the reason, where it cannot start."""
    try:
        return postgres.shared()
    except postgres.Unavailable as exc:
        pytest.skip(str(exc))


@pytest.fixture(scope="module")
def postgres_url(postgres_server: postgres.PostgresServer) -> str:
    """A fresh PostgreSQL database for the test module: its URL."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """:func:`store` on each backend: SQLite in memory, and a PostgreSQL database (emptied
    for each test; the test is skipped, with the reason, where PostgreSQL cannot start)."""
    from bot.competitions import seed_known_competitions
    from bot.teams import seed_known_teams
    from tests.support import stores

    if request.param == "sqlite":
        s = stores.seeded_memory_store()
    else:
        from storage.pg_store import PostgresStore

        url = request.getfixturevalue("postgres_url")
        postgres.empty(url)
        s = PostgresStore.open(url)
    if s.team("inter") is None:  # PostgreSQL keeps the catalogue from test to test
        seed_known_teams(s)
        seed_known_competitions(s)
    yield s
    s.close()


@pytest.fixture
def engine(store: Store) -> Engine:
    from bot.engine import Engine

    return Engine(store)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (pyproject's addopts): one worker per core, and three more. Much of the
    suite waits (on fake servers, on `matchbot` subprocesses, on timers), and the extra workers
    run tests meanwhile; what the run shares (tests/support/run_wide.py) no longer costs each
    worker, so a worker more costs only its start and collection (pyproject.toml has the
    figures); ``-n`` on the command line still picks any other number."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 3
