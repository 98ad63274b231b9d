"""Database files for the end-to-end tests, each a copy of one the bot made.

The bot's first start on a new database file runs every migration of ``storage/schema.py`` and
seeds the bundled teams and competitions: some 30 ms of CPU more than a start on a database it
made before, for each of the hundreds of tests that start the bot on a file of their own. The
harnesses that start the bot (``tests/support/telegram.py``'s ``Bot``, the Discord end-to-end
tests' ``start_running``) give it a copy of a file made that way once per test process: what
the bot leaves in a new database after its first start. That file is made once per pytest run,
by the first xdist worker that asks, and shared by all (tests/support/run_wide.py). The tests
that are about a first start or about migrations make their own database as before.
(``tests/support/stores.py`` copies the same file into memory for the ``store`` fixture.)"""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.competitions import seed_known_competitions
from bot.teams import seed_known_teams
from storage.store import Store

_template: Path | None = None


def _first_start(path: Path) -> None:
    store = Store.open(path)
    try:
        seed_known_teams(store)
        seed_known_competitions(store)
    finally:
        store.close()  # the last connection: its log is written into the file


def made_once() -> Path:
    """The database file as the bot leaves a new one after its first start (made once per
    run); read it, never write it."""
    global _template
    if _template is None:
        from tests.support import run_wide  # a pytest plugin: imported when pytest registers it

        _template = run_wide.made_once("first-start.db", _first_start)
    return _template


def started_once(path: Path) -> Path:
    """Put at ``path`` a database as the bot leaves a new one after its first start (migrated,
    the bundled teams and competitions seeded), unless the test made one there already;
    returns ``path``."""
    if not path.exists():
        shutil.copyfile(made_once(), path)
    return path
