"""A read of the SQLite store is the one statement it runs (``StoreBase._rows``), not the three
of sqlite-utils' ``Database.query`` (a savepoint, the statement, its release), and gives exactly
the rows that gave."""

from __future__ import annotations

import sqlite3

import pytest

from bot.engine import Engine
from bot.feed_format import Parsed, read_lines
from storage.store import Store
from tests.support.core import SEED, SEED_MATCH, follow, ingest_file

#: reads as the store writes them: every column, a join whose tables share column names (the
#: dicts number the repeats), parameters, no row at all, NULLs and numbers
READS: list[tuple[str, list[object]]] = [
    ("SELECT * FROM matches WHERE id = ?", [SEED_MATCH]),
    ("SELECT * FROM events WHERE match_id = ? ORDER BY seq", [SEED_MATCH]),
    (
        "SELECT * FROM events e JOIN matches m ON m.id = e.match_id WHERE e.match_id = ?"
        " ORDER BY e.seq",
        [SEED_MATCH],
    ),
    ("SELECT id, id, id FROM teams ORDER BY id LIMIT 3", []),
    ("SELECT * FROM teams WHERE id = ?", ["no such team"]),
    ("SELECT COUNT(*) AS n, MAX(minute) AS last, NULL AS absent FROM events", []),
    ("WITH g AS (SELECT * FROM events WHERE type = 'goal') SELECT * FROM g", []),
]


@pytest.fixture
def played(store: Store) -> Store:
    follow(store, "telegram", "c1", "Inter")
    assert ingest_file(Engine(store), SEED) == []
    return store


@pytest.mark.parametrize(("sql", "params"), READS)
def test_a_read_gives_the_rows_sqlite_utils_gave(
    played: Store, sql: str, params: list[object]
) -> None:
    assert played._rows(sql, params) == list(played.db.query(sql, params))


@pytest.mark.parametrize(("sql", "params"), READS)
def test_a_read_is_one_statement(played: Store, sql: str, params: list[object]) -> None:
    statements: list[str] = []
    played.db.conn.set_trace_callback(statements.append)
    try:
        played._rows(sql, params)
        with played.atomic():
            played._rows(sql, params)
    finally:
        played.db.conn.set_trace_callback(None)
    assert [s for s in statements if s not in ("BEGIN", "COMMIT")] == [
        statements[0],
        statements[0],
    ]
    assert statements[0].split()[0] in ("SELECT", "WITH")


def test_ingesting_a_match_reads_without_savepoints(store: Store) -> None:
    """Ingesting the bundled match runs no read's savepoint (each read was three statements)."""
    follow(store, "telegram", "c1", "Inter")
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        assert ingest_file(Engine(store), SEED) == []
    finally:
        store.db.conn.set_trace_callback(None)
    assert statements
    assert not [s for s in statements if "sqlite_utils_query" in s]


def test_a_statement_that_returns_no_rows_is_refused(store: Store) -> None:
    with pytest.raises(ValueError, match="returns rows"):
        store._rows("UPDATE matches SET venue = venue WHERE id = ?", ["x"])
    with pytest.raises(sqlite3.OperationalError):
        store._rows("SELECT * FROM no_such_table")


def test_an_event_reads_its_match_version_twice_not_three_times(store: Store) -> None:
    """Ingesting an event reads the match's ``events_version`` to find its kept state and once
    more after storing the event; the scoreboard's key takes it from the state (it read it a
    third time), and comes out as it came out when read from the store."""
    store.ensure_chat("test", "board")
    store.set_chat_settings("test", "board", {"level": "all", "scoreboard": "with"})
    store.subscribe("test", "board", "inter")
    engine = Engine(store)
    reads: list[int] = []
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    try:
        for item in read_lines(SEED.read_text("utf-8").splitlines()):
            assert isinstance(item, Parsed)
            statements.clear()
            engine.ingest(item.item)
            reads.append(sum("SELECT events_version" in s for s in statements))
    finally:
        store.db.conn.set_trace_callback(None)
    assert max(reads) == 2
    boards = [r for r in store.outbox_rows("test", "board") if r["kind"] == "scoreboard"]
    assert boards
    version = store.events_version(SEED_MATCH)
    assert all(r["key"].startswith(f"scoreboard:{SEED_MATCH}:") for r in boards)
    assert boards[-1]["key"].split(":")[2] == str(version)
