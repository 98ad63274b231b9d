"""``matchbot migrate-db --to URL``: the SQLite store (``MATCHBOT_DB``, or ``--from``) copied
into an empty PostgreSQL database (:mod:`storage.copy`), the counts checked, and what to set
next printed. The SQLite file is left as it was, and locked meanwhile: a bot running on it
must be stopped first (messages it queued after the copy would be missed)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from storage import lock as database_lock
from storage import urls
from storage.schema import SchemaTooNew


def migrate_db(source: Path, url: str, out: TextIO | None = None, err: TextIO | None = None) -> int:
    """Run the copy; returns the exit status (0 copied and counted, 1 a count differs, 2 it
    could not be done). Printed to ``out`` and ``err``: stdout and stderr as they are when
    it is called."""
    out = out or sys.stdout
    err = err or sys.stderr
    if not urls.is_url(url):
        print("matchbot: --to must be a postgresql:// URL", file=err)
        return 2
    if not source.exists():
        print(f"matchbot: there is no SQLite store at {source}", file=err)
        return 2
    where = urls.redact(url)
    try:
        from storage.copy import NotEmpty, copy_to_postgres
    except ImportError:
        print(
            "matchbot: PostgreSQL needs the postgres extra: pip install -e '.[postgres]'", file=err
        )
        return 2
    try:
        with database_lock.exclusive(source):
            print(f"copying {source} into {where}", file=out)
            counts = copy_to_postgres(source, url)
    except (database_lock.LockError, urls.DatabaseUnreachable, SchemaTooNew, NotEmpty) as exc:
        print(f"matchbot: {urls.scrub(str(exc), url)}", file=err)
        return 2
    width = max(len(c.table) for c in counts)
    for c in counts:
        mark = "" if c.ok else "   ← differs"
        print(f"  {c.table:<{width}}  {c.source:>9} → {c.target:<9}{mark}", file=out)
    if not all(c.ok for c in counts):
        print("matchbot: the counts differ: the copy is not complete", file=err)
        return 1
    print(
        f"done: every row is in {where}. Set MATCHBOT_DATABASE_URL to that URL and run"
        " `matchbot run`: it carries on from there.",
        file=out,
    )
    return 0
