"""Shared fixtures, and only fixtures (helpers and fakes live in ``tests/support/``).
Every test runs offline: a connection to anything but loopback fails."""

from __future__ import annotations

import os
import socket
import ssl
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import settings as hypothesis_settings

from bot.competitions import seed_known_competitions
from bot.engine import Engine
from bot.teams import seed_known_teams
from storage.store import Store
from tests.support import postgres, stores

#: fixtures shared by the Telegram end-to-end tests (``fake``, ``bot``, ``reporters_env``)
pytest_plugins = ["tests.support.telegram_fixtures"]

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


_one_tls_context_per_process()


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
    s = stores.seeded_memory_store()
    yield s
    s.close()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[postgres.PostgresServer]:
    """A PostgreSQL server on 127.0.0.1 for this test process (tests/support/postgres.py);
    the tests that need it are skipped, with the reason, where it cannot start."""
    try:
        server = postgres.start()
    except postgres.Unavailable as exc:
        pytest.skip(str(exc))
    yield server
    server.stop()


@pytest.fixture(scope="module")
def postgres_url(postgres_server: postgres.PostgresServer) -> str:
    """A fresh PostgreSQL database for the test module: its URL."""
    return postgres_server.new_database()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest) -> Iterator[Store]:
    """:func:`store` on each backend: SQLite in memory, and a PostgreSQL database (emptied
    for each test; the test is skipped, with the reason, where PostgreSQL cannot start)."""
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
    return Engine(store)


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """``-n auto`` (pyproject's addopts): one worker per core, and one more. Much of the suite
    waits (on fake servers, on `matchbot` subprocesses, on timers), and the extra worker runs
    tests meanwhile; ``-n`` on the command line still picks any other number."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return (cores or 1) + 1


#: What makes a test end-to-end: it runs the bot against a fake platform or provider server
#: on 127.0.0.1, or runs the ``matchbot`` program (a module that imports ``subprocess``)
#: (``pytest -m e2e`` runs them alone, ``pytest -m "not e2e"`` the fast unit tests).
E2E_NAMES = frozenset(
    {
        "subprocess",
        "FakeTelegram",
        "FakeDiscord",
        "FakeProvider",
        "build_bot",
        "MatchBot",
        "CliRunner",
        "telegram_env",
        "fake_telegram",
    }
)


@pytest.hookimpl(trylast=True)  # after pytest's own grouping of tests by their fixtures
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the end-to-end tests ``e2e``: those of a module that uses a fake server or runs
    the whole bot, and those whose fixtures do. Then put the slow tests first (below)."""
    for item in items:
        module = getattr(item, "module", None)
        names = set(vars(module)) if module is not None else set()
        fixtures = set(getattr(item, "fixturenames", ()))
        if names & E2E_NAMES or fixtures & E2E_NAMES:
            item.add_marker(pytest.mark.e2e)
    items[:] = slow_first(items, config)


# --- the slow tests first -----------------------------------------------------------------------
# A few end-to-end tests take seconds each (they wait for processes, leases, rate limits). Run in
# collection order, one of them may start last and alone keep the run going long after the
# others ended. So each test's last duration is kept in pytest's cache (.pytest_cache), and the
# next run starts with the slowest: each xdist worker's first tests (worksteal hands a worker a
# contiguous share of the list, and others steal from its end) are its share of the slow ones.

#: cache key of the tests' last durations (seconds, setup + call + teardown)
DURATIONS = "matchbot/durations"
#: a test that took at least this long last time goes first
SLOW = 1.0
_took: dict[str, float] = {}


def slow_first(items: list[pytest.Item], config: pytest.Config) -> list[pytest.Item]:
    """``items`` with the slow ones dealt, slowest first, to the front of each worker's share;
    the other tests keep their order (and so their module-scoped fixtures). Without durations
    known yet, the end-to-end tests count as the slow ones."""
    cache = config.cache
    known: dict[str, float] = (cache.get(DURATIONS, {}) if cache is not None else {}) or {}
    if known:
        slow = sorted(
            (i for i in items if known.get(i.nodeid, 0.0) >= SLOW),
            key=lambda i: -known[i.nodeid],
        )
    else:
        slow = [i for i in items if i.get_closest_marker("e2e")]
    if not slow:
        return items
    workers = max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    chosen = set(map(id, slow))
    rest = [i for i in items if id(i) not in chosen]
    shares: list[list[pytest.Item]] = [slow[w::workers] for w in range(workers)]
    left = len(items)
    for w, share in enumerate(shares):  # worksteal's first split: left // workers still to serve
        size = left // (workers - w)
        left -= size
        take = max(0, size - len(share))
        share += rest[:take]
        del rest[:take]
    shares[-1] += rest
    return [item for share in shares for item in share]


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _took[report.nodeid] = _took.get(report.nodeid, 0.0) + report.duration


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Keep the durations measured (in the main process: xdist reports every test to it)."""
    cache = session.config.cache
    if cache is None or hasattr(session.config, "workerinput") or not _took:
        return
    known = cache.get(DURATIONS, {}) or {}
    known.update({name: round(took, 3) for name, took in _took.items()})
    cache.set(DURATIONS, known)
