"""In-memory stores for the tests, each a fresh copy of one migrated and seeded template.

A store opened on ``:memory:`` runs every migration of ``storage/schema.py`` and the seeding of
the bundled teams and competitions adds some thousand rows: about 20 ms, for each of the
hundreds of tests that take the ``store`` fixture. The template is made that way once per pytest
run (:meth:`Store.open`, :func:`seed_known_teams`, :func:`seed_known_competitions`: the file of
``tests/support/databases.py``, shared by the xdist workers), read into memory once per test
process, and each test gets a copy of it (SQLite's online backup, well under a millisecond),
with the connection settings :meth:`Store.open` gives an in-memory database
(``tests/test_store.py`` checks that a copy and a newly opened store are alike)."""

from __future__ import annotations

import sqlite3

from sqlite_utils import Database

from bot.competitions import seed_known_competitions
from bot.teams import seed_known_teams
from storage.store import Store
from tests.support import databases

_template: sqlite3.Connection | None = None


def opened_and_seeded() -> Store:
    """An in-memory store made the long way: opened (migrated), then seeded."""
    store = Store.open(":memory:")
    seed_known_teams(store)
    seed_known_competitions(store)
    return store


def seeded_memory_store() -> Store:
    """A fresh in-memory store with the bundled teams and competitions (a copy of the
    template); close it after use."""
    global _template
    if _template is None:
        made = sqlite3.connect(f"file:{databases.made_once()}?mode=ro", uri=True)
        _template = sqlite3.connect(":memory:")
        made.backup(_template)
        made.close()
    conn = sqlite3.connect(":memory:", check_same_thread=False)
    _template.backup(conn)
    db = Database(conn)
    db.execute("PRAGMA synchronous=NORMAL")
    db.execute("PRAGMA temp_store=MEMORY")
    return Store(db)  # the schema is the template's: applying the migrations finds none to run
