"""What the suite's own settings promise (``tests/conftest.py``)."""

from __future__ import annotations

import os
import sys

import pytest


def test_bytecode_is_kept_for_the_workers_and_the_subprocesses() -> None:
    """Python's bytecode cache is written and read even where the shell sets
    ``PYTHONDONTWRITEBYTECODE`` (as this machine's does): by this worker, and by every process
    a test starts (they inherit this environment), so no `matchbot` subprocess compiles the bot
    again."""
    assert not sys.dont_write_bytecode
    assert "PYTHONDONTWRITEBYTECODE" not in os.environ


def test_auto_gives_three_workers_more_than_cores(pytestconfig: pytest.Config) -> None:
    """``-n auto`` (pyproject's addopts): the suite still waits, so three workers more than
    the machine has cores (pyproject.toml has the figures)."""
    cores = len(os.sched_getaffinity(0))
    assert pytestconfig.hook.pytest_xdist_auto_num_workers(config=pytestconfig) == cores + 3
