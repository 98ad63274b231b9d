"""An empty SQLite database gets the migrated schema in one transaction (storage.fresh): the
same sqlite_master and migration records the migrations make, a database with anything in it
left to the migrations."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from sqlite_utils import Database

from storage import fresh, schema
from storage.store import Store

Dump = dict[str, Any]


def dump(conn: sqlite3.Connection) -> Dump:
    """Everything about a database's schema that the migrations decide."""
    return {
        "master": conn.execute(
            "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY rowid"
        ).fetchall(),
        "migrations": conn.execute(
            "SELECT id, migration_set, name FROM _sqlite_migrations ORDER BY id"
        ).fetchall(),
        "user_version": conn.execute("PRAGMA user_version").fetchone(),
        "journal_mode": conn.execute("PRAGMA journal_mode").fetchone(),
        "page_size": conn.execute("PRAGMA page_size").fetchone(),
        "encoding": conn.execute("PRAGMA encoding").fetchone(),
        "integrity": conn.execute("PRAGMA integrity_check").fetchall(),
        # rows a migration may add (none today): a replayed schema carries no data
        "rows": {
            table: conn.execute(f"SELECT * FROM [{table}]").fetchall()
            for (table,) in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'"
                " AND name NOT IN ('_sqlite_migrations', 'sqlite_sequence') ORDER BY name"
            )
        },
    }


def migrated_the_long_way(path: str) -> Dump:
    """A database at ``path`` opened as :meth:`Store.open` opens it, then migrated by every
    migration of storage/schema.py."""
    db = Database(sqlite3.connect(path))
    if path != ":memory:":
        db.enable_wal()
    schema.migrations.apply(db)
    try:
        return dump(db.conn)
    finally:
        db.close()


@pytest.mark.parametrize("where", ["file", "memory"])
def test_an_empty_database_gets_exactly_what_the_migrations_make(
    tmp_path: Path, where: str
) -> None:
    path = str(tmp_path / "new.db") if where == "file" else ":memory:"
    long_way = migrated_the_long_way(str(tmp_path / "long.db") if where == "file" else path)
    store = Store.open(path)
    made = dump(store.db.conn)
    assert made == long_way
    assert made["journal_mode"] == (("wal",) if where == "file" else ("memory",))
    assert made["integrity"] == [("ok",)]
    assert schema.migrations.pending(store.db) == []
    applied = list(store.db.query("SELECT applied_at FROM _sqlite_migrations"))
    assert all(row["applied_at"] for row in applied)
    # and it works: a write, read back on the next open
    store.add_team("inter", "Inter")
    store.close()
    if where == "file":
        again = Store.open(path)
        assert again.team("inter") == {"id": "inter", "name": "Inter"}
        schema_again = {k: v for k, v in dump(again.db.conn).items() if k != "rows"}
        assert schema_again == {k: v for k, v in long_way.items() if k != "rows"}
        again.close()


def test_an_empty_database_costs_a_few_dozen_statements_not_the_migrations() -> None:
    """The migrations run some 500 statements on an empty database (most of them sqlite-utils'
    introspection); the migrated schema is one CREATE per table, index and view, and one
    INSERT per migration record."""
    conn = sqlite3.connect(":memory:")
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    Store(Database(conn))
    creates = [s for s in statements if s.startswith("CREATE")]
    assert len(creates) == len(fresh.migrated_schema().statements)
    records = [s for s in statements if s.startswith("INSERT INTO [_sqlite_migrations]")]
    assert len(records) == len(schema.names())
    assert len(statements) < len(creates) + len(records) + 10
    conn.set_trace_callback(None)
    assert schema.migrations.pending(Database(conn)) == []


def test_a_database_with_a_table_of_its_own_is_left_to_the_migrations(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (text TEXT)")
    conn.execute("INSERT INTO notes VALUES ('kept')")
    conn.commit()
    conn.close()
    store = Store.open(path)
    assert store.db.execute("SELECT text FROM notes").fetchall() == [("kept",)]
    long_way = migrated_the_long_way(str(tmp_path / "long.db"))
    made = dump(store.db.conn)
    notes = ("table", "notes", "notes", "CREATE TABLE notes (text TEXT)")
    assert made["master"] == [notes, *long_way["master"]]
    assert made["migrations"] == long_way["migrations"]
    store.close()


def test_a_database_from_an_older_matchbot_upgrades_through_the_migrations(
    tmp_path: Path,
) -> None:
    path = tmp_path / "old.db"
    db = Database(sqlite3.connect(path))
    db.enable_wal()
    schema.migrations.apply(db, stop_before="m010_health_probe")
    db.execute("INSERT INTO teams (id, name) VALUES ('inter', 'Inter')")
    db.conn.commit()
    db.close()
    store = Store.open(path)
    assert store.team("inter") == {"id": "inter", "name": "Inter"}
    assert schema.migrations.pending(store.db) == []
    long_way = migrated_the_long_way(str(tmp_path / "long.db"))
    made = dump(store.db.conn)
    assert made["migrations"] == long_way["migrations"]
    assert sorted(made["master"]) == sorted(long_way["master"])
    store.close()


def test_a_schema_made_by_another_connection_meanwhile_is_not_replaced(tmp_path: Path) -> None:
    """Between the first look (empty) and the write lock, another process creates a table:
    the copy sees it under the lock and leaves the database to the migrations."""
    path = tmp_path / "bot.db"
    conn = sqlite3.connect(path)

    def other_process_writes_first(statement: str) -> None:
        if statement == "BEGIN IMMEDIATE":
            other = sqlite3.connect(path)
            other.execute("CREATE TABLE notes (text TEXT)")
            other.execute("INSERT INTO notes VALUES ('kept')")
            other.commit()
            other.close()

    conn.set_trace_callback(other_process_writes_first)
    db = Database(conn)
    assert fresh.create_schema(db) is False
    conn.set_trace_callback(None)
    assert not conn.in_transaction
    store = Store(db)  # migrated the long way
    assert store.db.execute("SELECT text FROM notes").fetchall() == [("kept",)]
    assert schema.migrations.pending(store.db) == []
    store.close()


def test_a_migrated_database_is_opened_in_a_few_statements(tmp_path: Path) -> None:
    """sqlite-utils checks that no migration is pending in two dozen statements; a database
    that records exactly this code's migrations is known to need none from two."""
    path = tmp_path / "bot.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    statements: list[str] = []
    conn.set_trace_callback(statements.append)
    Store(Database(conn))
    conn.set_trace_callback(None)
    assert len(statements) <= 4
    assert not [s for s in statements if s.split()[0].upper() in {"CREATE", "INSERT", "UPDATE"}]
    conn.close()


def old_shaped_migrations_table(conn: sqlite3.Connection) -> None:
    """The migrations table as older sqlite-utils made it: keyed by set and name."""
    conn.execute("ALTER TABLE _sqlite_migrations RENAME TO current")
    conn.execute(
        "CREATE TABLE _sqlite_migrations (migration_set TEXT, name TEXT, applied_at TEXT,"
        " PRIMARY KEY (migration_set, name))"
    )
    conn.execute(
        "INSERT INTO _sqlite_migrations SELECT migration_set, name, applied_at FROM current"
    )
    conn.execute("DROP TABLE current")


def without_the_last_migration(conn: sqlite3.Connection) -> None:
    conn.execute("DROP TABLE questions")
    conn.execute("DELETE FROM _sqlite_migrations WHERE name = ?", [schema.names()[-1]])


def under_a_former_name(conn: sqlite3.Connection) -> None:
    former, new = next(iter(schema.RENAMED.items()))
    conn.execute("UPDATE _sqlite_migrations SET name = ? WHERE name = ?", [former, new])


@pytest.mark.parametrize(
    "change", [old_shaped_migrations_table, without_the_last_migration, under_a_former_name]
)
def test_a_database_not_quite_up_to_date_is_left_to_the_migrations(
    tmp_path: Path, change: Any
) -> None:
    path = tmp_path / "bot.db"
    Store.open(path).close()
    long_way = migrated_the_long_way(str(tmp_path / "long.db"))
    conn = sqlite3.connect(path)
    change(conn)
    conn.commit()
    assert not fresh.up_to_date(Database(conn))
    conn.close()
    store = Store.open(path)  # migrated the long way: renamed, reshaped or completed
    assert fresh.up_to_date(store.db)
    made = dump(store.db.conn)
    assert sorted(made["master"]) == sorted(long_way["master"])
    names = sorted(r["name"] for r in store.db.query("SELECT name FROM _sqlite_migrations"))
    assert names == sorted(schema.names())
    store.close()


def test_a_database_of_a_newer_matchbot_is_still_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('matchbot', 'm999_from_the_future', '2030-01-01')"
    )
    conn.commit()
    conn.close()
    with pytest.raises(schema.SchemaTooNew):
        Store.open(path)
