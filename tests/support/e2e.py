"""The ``e2e`` marker (a pytest plugin, registered in ``tests/conftest.py``): no decorator to
forget, a test is marked by what its module and its fixtures use.

``tests/test_e2e_marker.py`` finds the tests that use a fake or the program another way (by
following what each test's code refers to) and fails on any this marking missed."""

from __future__ import annotations

import functools
import sys
import types

import pytest

#: What makes a test end-to-end: it runs the bot against a fake platform or provider server
#: on 127.0.0.1, or runs the ``matchbot`` program (a module that imports ``subprocess``, or
#: ``prestarted`` that forks it: tests/support/prestarted.py)
#: (``pytest -m e2e`` runs them alone, ``pytest -m "not e2e"`` the fast unit tests).
E2E_NAMES = frozenset(
    {
        "subprocess",
        "prestarted",
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

#: every test collected, before ``-m`` or ``-k`` deselected any (for tests/test_e2e_marker.py)
COLLECTED = pytest.StashKey[list[pytest.Item]]()


@pytest.hookimpl(tryfirst=True)  # before ``-m`` selects by the marks
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark the end-to-end tests ``e2e``: those of a module that uses a fake server or runs
    the whole bot, and those whose fixtures do."""
    for item in items:
        module = getattr(item, "module", None)
        fixtures = set(getattr(item, "fixturenames", ()))
        if (module is not None and _uses(module)) or fixtures & E2E_NAMES:
            item.add_marker(pytest.mark.e2e)
    config.stash[COLLECTED] = list(items)


@functools.cache
def _uses(module: types.ModuleType) -> bool:
    """Whether a test module holds one of :data:`E2E_NAMES`, or a helper it borrowed from
    another test module that does (``tests/test_discord_italian.py`` runs the bot with
    ``tests/test_discord_e2e.py``'s ``start_running``)."""
    names = vars(module)
    if names.keys() & E2E_NAMES:
        return True
    for value in names.values():
        home = sys.modules.get(getattr(value, "__module__", None) or "")
        if home not in (None, module) and _is_test_module(home) and vars(home).keys() & E2E_NAMES:
            return True
    return False


def _is_test_module(module: types.ModuleType | None) -> bool:
    if module is None:
        return False
    return module.__name__.rpartition(".")[2].startswith("test_")
