"""Python's garbage collector told to leave alone what every test process keeps to its end (a
pytest plugin, registered in ``tests/conftest.py``).

A test process holds hundreds of thousands of objects it never frees: the modules it imported
(the bot, python-telegram-bot, discord.py, Hypothesis ...) and the tests it collected. Each
full collection of the cyclic garbage collector walks all of them, a tenth of a second or more
each time, some ten times per process, and pytest makes one more at the end of each process
(to report the warnings of objects freed late). Once collection is over they are moved out of
the collector's sight (:func:`gc.freeze`): the collections that follow walk only what the tests
made since, and find its garbage as before."""

from __future__ import annotations

import gc

import pytest


@pytest.hookimpl(trylast=True)
def pytest_collection_finish(session: pytest.Session) -> None:
    gc.freeze()
