"""The slow tests first (a pytest plugin, registered in ``tests/conftest.py``).

A few end-to-end tests take seconds each (they wait for processes, leases, rate limits). Run in
collection order, one of them may start last and alone keep the run going long after the others
ended. So each test's last duration is kept in pytest's cache (.pytest_cache), and the next run
starts with the slowest: each xdist worker's first tests (worksteal hands a worker a contiguous
share of the list, and others steal from its end) are its share of the slow ones.

The tests that read the bot's source (``tests/support/source.py`` parses each file once per
process, half a second of CPU for the whole code) come next to each other, first after the slow
ones: so one worker, not each, parses the code (a worker that steals some of them parses it
again, which costs time, never a result)."""

from __future__ import annotations

import functools
import os
import types

import pytest

#: cache key of the tests' last durations (seconds, setup + call + teardown)
DURATIONS = "matchbot/durations"
#: a test that took at least this long last time goes first
SLOW = 1.0


# last: after ``-m`` chose the tests and pytest grouped them by their fixtures
@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    items[:] = slow_first(items, config)


def slow_first(items: list[pytest.Item], config: pytest.Config) -> list[pytest.Item]:
    """``items`` with the slow ones dealt, slowest first, to the front of each worker's share;
    the other tests keep their order (and so their module-scoped fixtures), those that read the
    bot's source first. Without durations known yet, the end-to-end tests count as the slow
    ones."""
    cache = _cache(config)
    known: dict[str, float] = (cache.get(DURATIONS, {}) if cache is not None else {}) or {}
    if known:
        slow = sorted(
            (i for i in items if known.get(i.nodeid, 0.0) >= SLOW),
            key=lambda i: -known[i.nodeid],
        )
    else:
        slow = [i for i in items if i.get_closest_marker("e2e")]
    workers = max(1, int(os.environ.get("PYTEST_XDIST_WORKER_COUNT", "1")))
    chosen = set(map(id, slow))
    rest = [i for i in items if id(i) not in chosen]
    rest.sort(key=lambda i: not _reads_source(getattr(i, "module", None)))  # stable
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


@functools.cache
def _reads_source(module: types.ModuleType | None) -> bool:
    """Whether a test module uses tests/support/source.py (the module or its functions)."""
    from tests.support import source

    if module is None:
        return False
    return any(
        value is source or getattr(value, "__module__", None) == source.__name__
        for value in vars(module).values()
    )


def pytest_configure(config: pytest.Config) -> None:
    config.pluginmanager.register(Durations(config), "matchbot-durations")


class Durations:
    """This run's test durations, kept in the cache at its end (in the main process: xdist
    reports every test to it)."""

    def __init__(self, config: pytest.Config) -> None:
        self.config = config
        self.took: dict[str, float] = {}

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        self.took[report.nodeid] = self.took.get(report.nodeid, 0.0) + report.duration

    def pytest_sessionfinish(self) -> None:
        cache = _cache(self.config)
        if cache is None or hasattr(self.config, "workerinput") or not self.took:
            return
        known = cache.get(DURATIONS, {}) or {}
        known.update({name: round(took, 3) for name, took in self.took.items()})
        cache.set(DURATIONS, known)


def _cache(config: pytest.Config) -> pytest.Cache | None:
    """pytest's cache, or None where ``-p no:cacheprovider`` turned it off (the run then keeps
    the collection order, the end-to-end tests first, and remembers nothing)."""
    cache: pytest.Cache | None = getattr(config, "cache", None)
    return cache
