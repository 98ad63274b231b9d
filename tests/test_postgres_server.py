"""The tests' own PostgreSQL (tests/support/postgres.py): a real server on 127.0.0.1, started
from the pgserver package's binaries even as root, a fresh database per test module."""

from __future__ import annotations

from urllib.parse import urlsplit

import psycopg

from tests.support.postgres import PostgresServer


def test_the_server_listens_on_loopback_and_runs_as_another_user(postgres_url: str) -> None:
    assert urlsplit(postgres_url).hostname == "127.0.0.1"
    with psycopg.connect(postgres_url) as conn:
        row = conn.execute("SELECT inet_server_addr()::text, current_setting('server_version')")
        address, version = row.fetchone() or ("", "")
    assert address.startswith("127.0.0.1")
    assert int(version.split(".")[0]) >= 14


def test_each_module_gets_a_database_of_its_own(
    postgres_server: PostgresServer, postgres_url: str
) -> None:
    other = postgres_server.new_database()
    assert other != postgres_url
    with psycopg.connect(postgres_url) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS only_here (x int)")
    with psycopg.connect(other) as conn:
        found = conn.execute("SELECT to_regclass('only_here') IS NOT NULL").fetchone()
    assert found == (False,)


def test_emptying_a_database_leaves_each_table_as_new_but_the_catalogue(postgres_url: str) -> None:
    """``empty`` (the ``any_store`` fixture's, between tests) truncates only the tables a test
    wrote to: a table holding rows is emptied, one whose rows were deleted gives ids from 1
    again, and the bundled catalogue stays."""
    from bot.store_contract import NewOutboxRow
    from storage.pg_store import PostgresStore
    from tests.support.postgres import empty

    def outbox_row(key: str) -> NewOutboxRow:
        return NewOutboxRow(key=key, platform="test", chat_id="1", kind="alert", payload="{}")

    def outbox_ids(store: PostgresStore) -> list[int]:
        return [int(row["id"]) for row in store.outbox_rows()]

    empty(postgres_url)
    store = PostgresStore.open(postgres_url)
    try:
        store.ensure_chat("telegram", "1", "One", "private")
        store.enqueue([outbox_row("a"), outbox_row("b")], now=0.0)
        assert outbox_ids(store) == [1, 2]
        with psycopg.connect(postgres_url) as conn:
            conn.execute("DELETE FROM outbox")  # no row left, its ids used
            teams = conn.execute("SELECT count(*) FROM teams").fetchone()
        empty(postgres_url)
        assert store.chat("telegram", "1") is None
        store.enqueue([outbox_row("c")], now=0.0)
        assert outbox_ids(store) == [1]
        with psycopg.connect(postgres_url) as conn:
            assert conn.execute("SELECT count(*) FROM teams").fetchone() == teams
    finally:
        store.close()
    empty(postgres_url)
