"""Database files for the end-to-end tests, each a copy of one the bot made.

The bot's first start on a new database file runs every migration of ``storage/schema.py`` and
seeds the bundled teams and competitions: some 30 ms of CPU more than a start on a database it
made before, for each of the hundreds of tests that start the bot on a file of their own. The
harnesses that start the bot (``tests/support/telegram.py``'s ``Bot``, the Discord end-to-end
tests' ``start_running``) give it a copy of a file made that way once per test process: what
the bot leaves in a new database after its first start. The tests that are about a first start
or about migrations make their own database as before. (``tests/support/stores.py`` does the
same for the in-memory ``store`` fixture.)"""

from __future__ import annotations

import atexit
import shutil
import tempfile
from pathlib import Path

from bot.competitions import seed_known_competitions
from bot.teams import seed_known_teams
from storage.store import Store

_template: Path | None = None


def _made_once() -> Path:
    global _template
    if _template is None:
        folder = Path(tempfile.mkdtemp(prefix="matchbot-template-"))
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        path = folder / "matchbot.db"
        store = Store.open(path)
        try:
            seed_known_teams(store)
            seed_known_competitions(store)
        finally:
            store.close()  # the last connection: its log is written into the file
        _template = path
    return _template


def started_once(path: Path) -> Path:
    """Put at ``path`` a database as the bot leaves a new one after its first start (migrated,
    the bundled teams and competitions seeded), unless the test made one there already;
    returns ``path``."""
    if not path.exists():
        shutil.copyfile(_made_once(), path)
    return path
