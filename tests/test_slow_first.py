"""The order that starts the slow tests first (tests/support/slow_first.py), in a pytest run of
its own: with pytest's cache it deals the tests that took longest last time first and keeps
this run's durations; without the cache (``-p no:cacheprovider``) the run still runs, the
end-to-end tests first."""

from __future__ import annotations

import json

import pytest

pytest_plugins = ["pytester"]

TESTS = """
import pytest


def test_quick():
    pass


def test_slow():
    pass


@pytest.mark.e2e
def test_end_to_end():
    pass
"""
INI = """[pytest]
markers =
    e2e: end to end
asyncio_default_fixture_loop_scope = function
"""
OPTIONS = ("-p", "tests.support.slow_first", "-p", "no:randomly", "-p", "no:xdist", "-v")
DURATIONS = ".pytest_cache/v/matchbot/durations"


@pytest.fixture
def suite(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch) -> pytest.Pytester:
    monkeypatch.delenv("PYTEST_XDIST_WORKER_COUNT", raising=False)  # one process: one share
    pytester.makepyfile(test_order=TESTS)
    pytester.makeini(INI)
    return pytester


def order(result: pytest.RunResult) -> list[str]:
    return [line.split("::")[1].split()[0] for line in result.outlines if " PASSED" in line]


def test_without_the_cache_the_run_runs_end_to_end_tests_first(suite: pytest.Pytester) -> None:
    result = suite.runpytest_inprocess("-p", "no:cacheprovider", *OPTIONS)
    result.assert_outcomes(passed=3)
    assert order(result) == ["test_end_to_end", "test_quick", "test_slow"]
    assert not (suite.path / DURATIONS).exists()


def test_with_the_cache_the_slowest_test_of_the_last_run_goes_first(
    suite: pytest.Pytester,
) -> None:
    cached = suite.path / DURATIONS
    cached.parent.mkdir(parents=True)
    cached.write_text(json.dumps({"test_order.py::test_slow": 2.5}))
    result = suite.runpytest_inprocess(*OPTIONS)
    result.assert_outcomes(passed=3)
    assert order(result) == ["test_slow", "test_quick", "test_end_to_end"]
    kept = json.loads(cached.read_text())
    assert set(kept) == {f"test_order.py::{name}" for name in order(result)}
    assert kept["test_order.py::test_slow"] < 2.5  # this run's duration replaced the last's


def test_the_tests_that_read_the_source_come_next_to_each_other(suite: pytest.Pytester) -> None:
    """tests/support/source.py parses the bot's code once per process: the tests that read it
    come together, first after the slow ones, so that one xdist worker parses it, not each."""
    suite.makepyfile(
        test_reads="from tests.support.source import nodes\n\n\ndef test_reads():\n    pass\n",
        test_zzz="from tests.support import source\n\n\ndef test_reads_too():\n    pass\n",
    )
    result = suite.runpytest_inprocess("-p", "no:cacheprovider", *OPTIONS)
    result.assert_outcomes(passed=5)
    assert order(result) == [
        "test_end_to_end",
        "test_reads",
        "test_reads_too",
        "test_quick",
        "test_slow",
    ]
