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
