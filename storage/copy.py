"""``matchbot migrate-db``: a SQLite store copied into an empty PostgreSQL database, every
table whole (subscriptions, chats and their settings, follows of teams, competitions and
players, matches and their events, the outbox, what was sent…), in one transaction, then
each table's rows counted on both sides. ``matchbot run`` on the new URL carries on where the
SQLite bot stopped: pending messages go out, sent ones can still be edited."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psycopg

from storage import pg_schema
from storage.pg_store import PostgresStore
from storage.store import Store

#: rows read from SQLite at a time
BATCH = 5000


class NotEmpty(Exception):
    """The target database already holds a bot's data."""


@dataclass(frozen=True)
class Copied:
    table: str
    source: int
    target: int

    @property
    def ok(self) -> bool:
        return self.source == self.target


def copy_to_postgres(
    source: Path, url: str, progress: Callable[[str, int], None] | None = None
) -> list[Copied]:
    """Copy the SQLite store at ``source`` (migrated to this code's schema first) into the
    PostgreSQL database at ``url`` (made to the same schema; it must hold no data). Returns
    each table's row counts on both sides."""
    sqlite = Store.open(source)
    target = PostgresStore.open(url)
    try:
        conn = target.pg.connection()
        tables = pg_schema.reference().tables
        held = [t.name for t in tables if _count(conn, t.name)]
        if held:
            raise NotEmpty(
                f"the target database already holds data ({', '.join(held)}): copy into an"
                " empty database"
            )
        with conn.transaction():
            for table in tables:
                columns = [name for name, _ in table.columns]
                copied = _copy_table(sqlite, conn, table.name, columns)
                if progress is not None:
                    progress(table.name, copied)
            for name in sorted(pg_schema.reference().identities):
                conn.execute(
                    f"SELECT setval(pg_get_serial_sequence('{name}', 'id'),"
                    f" COALESCE((SELECT MAX(id) FROM {name}), 0) + 1, false)"
                )
        return [
            Copied(
                t.name,
                sqlite.db.execute(f"SELECT COUNT(*) FROM [{t.name}]").fetchone()[0],
                _count(conn, t.name),
            )
            for t in tables
        ]
    finally:
        target.close()
        sqlite.close()


def _count(conn: psycopg.Connection[object], table: str) -> int:
    row = conn.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()
    return int(row[0]) if row else 0  # type: ignore[index]


def _copy_table(
    sqlite: Store, conn: psycopg.Connection[object], table: str, columns: list[str]
) -> int:
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = sqlite.db.execute(f"SELECT {', '.join(f'[{c}]' for c in columns)} FROM [{table}]")
    copied = 0
    with conn.cursor() as cur, cur.copy(f'COPY "{table}" ({names}) FROM STDIN') as copy:
        while rows := cursor.fetchmany(BATCH):
            for row in rows:
                copy.write_row(row)
            copied += len(rows)
    return copied
