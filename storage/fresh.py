"""A new, empty SQLite database given the migrated schema in one transaction.

Migrating an empty database runs every migration of :mod:`storage.schema` (some 500 statements,
many of them sqlite-utils' introspection: ``transform``, ``add_column``, index lists) for about
25 ms of CPU. The result is always the same, so each process migrates one in-memory database
the long way, once, and keeps what that left: the ``CREATE`` statements of its ``sqlite_master``
(in order) and its records of the applied migrations. An empty database then gets them replayed
in one ``BEGIN IMMEDIATE`` transaction (a few milliseconds): the same ``sqlite_master``, the
same migration records (stamped with the time of this copy, as the migrations stamp theirs).
The migrations stay the one source of the schema; a database with anything in it is not
touched here and is brought up to date by them (:func:`storage.schema.apply`), unless it
records every migration of this code and nothing else (:func:`up_to_date`, two statements
where sqlite-utils' check that nothing is pending runs two dozen).
"""

from __future__ import annotations

import datetime
import sqlite3
from dataclasses import dataclass
from functools import cache

from sqlite_utils import Database

from storage import schema


@dataclass(frozen=True)
class MigratedSchema:
    """What the migrations leave in an empty database."""

    statements: tuple[str, ...]  # sqlite_master's SQL, in its order (autoindexes excluded)
    records: tuple[tuple[int, str, str], ...]  # (id, migration set, name) of each migration


@cache
def migrated_schema() -> MigratedSchema:
    """Migrate an in-memory database the long way (once per process) and read what it holds."""
    conn = sqlite3.connect(":memory:")
    try:
        schema.migrations.apply(Database(conn))
        master = conn.execute("SELECT name, sql FROM sqlite_master ORDER BY rowid").fetchall()
        table = schema.migrations.migrations_table
        records = conn.execute(f"SELECT id, migration_set, name FROM [{table}] ORDER BY id")
        return MigratedSchema(  # autoindexes are made by their tables' CREATE
            tuple(sql for name, sql in master if sql and not name.startswith("sqlite_")),
            tuple(records.fetchall()),
        )
    finally:
        conn.close()


def _empty(conn: sqlite3.Connection) -> bool:
    return conn.execute("SELECT 1 FROM sqlite_master LIMIT 1").fetchone() is None


def create_schema(db: Database) -> bool:
    """Give ``db`` the migrated schema if it is empty (no table, index, view or trigger);
    False, with nothing done, when it is not (or is inside a transaction)."""
    conn = db.conn
    if conn.in_transaction or not _empty(conn):
        return False
    migrated = migrated_schema()
    # the write lock first: another connection may be creating the schema at this moment
    conn.execute("BEGIN IMMEDIATE")  # waits (the connection's timeout) for the lock
    try:
        if not _empty(conn):
            conn.execute("ROLLBACK")
            return False
        for statement in migrated.statements:
            conn.execute(statement)
        applied_at = str(datetime.datetime.now(datetime.UTC))
        conn.executemany(
            f"INSERT INTO [{schema.migrations.migrations_table}]"
            " (id, migration_set, name, applied_at) VALUES (?, ?, ?, ?)",
            [(*record, applied_at) for record in migrated.records],
        )
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return True


def up_to_date(db: Database) -> bool:
    """Whether ``db`` records exactly the migrations of this code, in a migrations table of
    sqlite-utils' current shape: then :func:`storage.schema.apply` has nothing to do (no
    record to rename, none unknown, nothing pending, no table to reshape)."""
    table = schema.migrations.migrations_table
    try:
        rows = db.conn.execute(
            f"SELECT name FROM [{table}] WHERE migration_set = ?", [schema.migrations.name]
        ).fetchall()
    except sqlite3.OperationalError:  # no migrations table
        return False
    columns = db.conn.execute(f"PRAGMA table_info([{table}])").fetchall()
    keys = [name for _cid, name, _type, _notnull, _default, pk in columns if pk]
    return keys == ["id"] and sorted(name for (name,) in rows) == sorted(schema.names())
