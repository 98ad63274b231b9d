"""Migration names: one number each, in order; databases that recorded the former names of the
two renumbered migrations (both were ``m016`` when two branches met) upgrade on SQLite and on
PostgreSQL without running anything twice.

The SQLite databases in ``tests/fixtures/databases/`` were made by earlier versions of the bot
(``sqlite3 FILE .dump`` of a store they opened and wrote a few chats to):

- ``main-227033b.sql``: the main branch before the renumbering, both 016s and ``m017`` applied;
- ``settings-once-0c44e9f.sql``: ``m016_chat_settings_once`` and ``m017_score_not_stored``
  without ``m015``/``m016_outbox_held_index`` (the branch that renumbered after the merge);
- ``held-index-eccb4e9.sql``: ``m016_outbox_held_index`` only.
"""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path

import pytest

from storage import ops, schema
from storage.store import Store

FIXTURES = Path(__file__).parent / "fixtures" / "databases"
OLD_DATABASES = sorted(FIXTURES.glob("*.sql"))
SETTINGS = {
    "digest": "08:00",
    "language": "it",
    "level": "goals",
    "spoiler_delay": 30.0,
    "timezone": "Europe/Rome",
}


def test_every_migration_has_a_number_of_its_own_in_order() -> None:
    names = schema.names()
    assert all(re.fullmatch(r"m\d{3}_[a-z0-9_]+", name) for name in names), names
    assert [int(name[1:4]) for name in names] == list(range(1, len(names) + 1)), names


def test_renamed_migrations_map_former_names_to_known_ones() -> None:
    known = set(schema.names())
    assert set(schema.RENAMED.values()) <= known
    assert not set(schema.RENAMED) & known  # a former name is never a name in use
    assert not set(schema.RENAMED) & set(schema.RENAMED.values())  # no chains


def load(dump: Path, path: Path) -> dict[str, str]:
    """The dump as a database at ``path``; returns when each migration was applied."""
    conn = sqlite3.connect(path)
    conn.executescript(dump.read_text(encoding="utf-8"))
    applied = dict(conn.execute("SELECT name, applied_at FROM _sqlite_migrations").fetchall())
    conn.close()
    return applied


def schema_of(path: Path) -> set[tuple[str, str, str]]:
    conn = sqlite3.connect(path)
    rows = conn.execute(
        "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL"
        " AND name NOT LIKE '_sqlite%'"
    ).fetchall()
    conn.close()
    return {(kind, name, " ".join(sql.split())) for kind, name, sql in rows}


def recorded(path: Path) -> list[tuple[str, str]]:
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT name, applied_at FROM _sqlite_migrations ORDER BY id").fetchall()
    conn.close()
    return rows


def fresh_schema(tmp_path: Path) -> set[tuple[str, str, str]]:
    Store.open(tmp_path / "fresh.db").close()
    return schema_of(tmp_path / "fresh.db")


@pytest.mark.parametrize("dump", OLD_DATABASES, ids=lambda p: p.stem)
def test_an_old_sqlite_database_upgrades_and_nothing_runs_twice(dump: Path, tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    before = load(dump, path)
    # read-only, before the upgrade, the former names are counted as what they became
    report = ops.inspect(path)
    assert report.unknown == ()
    assert report.applied == len({schema.RENAMED.get(n, n) for n in before})
    store = Store.open(path)  # upgrades
    try:
        assert store.chat_settings("telegram", "101") == SETTINGS
        assert [r["name"] for r in store.follows("telegram", "101")] == ["Inter"]
    finally:
        store.close()
    after = recorded(path)
    assert sorted(name for name, _ in after) == sorted(schema.names())  # once each, new names
    # a migration the database had applied keeps its record (and was not run again)
    for old, applied_at in before.items():
        assert (schema.RENAMED.get(old, old), applied_at) in after
    assert schema_of(path) == fresh_schema(tmp_path)
    Store.open(path).close()  # opening again renames and migrates nothing
    assert recorded(path) == after


def test_a_record_under_both_names_is_kept_once(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    load(FIXTURES / "main-227033b.sql", path)
    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('matchbot', 'm017_chat_settings_once', '2026-12-07')"
    )
    conn.commit()
    conn.close()
    Store.open(path).close()
    assert sorted(name for name, _ in recorded(path)) == sorted(schema.names())


def test_an_old_postgresql_database_upgrades_and_nothing_runs_twice(
    postgres_server: object,
) -> None:
    """PostgreSQL as the former matchbot left it: the same schema, the renumbered migrations
    recorded under their former names; and as the branch without the outbox's held index
    left it (its index, no record)."""
    import psycopg

    from storage.pg_store import PostgresStore
    from tests.support.postgres import PostgresServer

    assert isinstance(postgres_server, PostgresServer)
    url = postgres_server.new_database()
    store = PostgresStore.open(url)
    store.set_chat_settings("telegram", "101", SETTINGS)
    store.close()
    with psycopg.connect(url, autocommit=True) as conn:
        for old, new in schema.RENAMED.items():
            conn.execute("UPDATE matchbot_migrations SET name = %s WHERE name = %s", [old, new])
        conn.execute("DELETE FROM matchbot_migrations WHERE name = 'm016_outbox_held_index'")
        conn.execute("DROP INDEX idx_outbox_held")
        conn.execute("CREATE INDEX idx_outbox_due ON outbox (platform, next_attempt_at)")
        before: dict[str, float] = dict(
            conn.execute("SELECT name, applied_at FROM matchbot_migrations").fetchall()
        )
    report = ops.inspect_postgres(url)
    assert report.unknown == () and report.applied == report.known - 1
    store = PostgresStore.open(url)  # upgrades
    try:
        assert store.chat_settings("telegram", "101") == SETTINGS
        stored = store._rows("SELECT settings FROM chats WHERE chat_id = '101'")
        assert json.loads(stored[0]["settings"]) == {"digest": "08:00"}
    finally:
        store.close()
    with psycopg.connect(url) as conn:
        after: dict[str, float] = dict(
            conn.execute("SELECT name, applied_at FROM matchbot_migrations").fetchall()
        )
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes")}
    assert sorted(after) == sorted(schema.names())
    for old, applied_at in before.items():
        assert after[schema.RENAMED.get(old, old)] == applied_at
    assert "idx_outbox_held" in indexes and "idx_outbox_due" not in indexes
