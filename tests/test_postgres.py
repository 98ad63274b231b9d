"""The store on PostgreSQL (``MATCHBOT_DATABASE_URL``): chosen by the URL, migrated like SQLite's,
refusing a schema newer than the code on both backends, and the faults an operator meets at
start: a database that cannot be reached (one clear line, exit 2) and a password that never
reaches a log. Against the real server of tests/support/postgres.py."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

from storage import schema
from storage.pg_store import PostgresStore
from storage.schema import SchemaTooNew
from storage.store import Store
from storage.thread import StoreThread
from storage.urls import redact
from tests.support import prestarted
from tests.support.cli import Ran, matchbot_here

MATCHBOT = [sys.executable, "-m", "adapters.cli", "run"]


def environment(env: dict[str, str]) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.endswith("_TOKEN")}
    base.pop("MATCHBOT_DATABASE_URL", None)
    return base | env


def run_here(env: dict[str, str], cwd: Path) -> Ran:
    """``matchbot run`` through the real command line in this process: for a refusal at
    start, its message and exit status."""
    return matchbot_here("run", env=environment(env), cwd=cwd)


def run_matchbot(env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return prestarted.run(
        MATCHBOT,
        env=environment(env),
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def test_a_password_in_a_url_is_hidden() -> None:
    assert redact("postgresql://bot:s3cret@db.example:5433/matchbot?sslmode=require") == (
        "postgresql://bot:***@db.example:5433/matchbot?sslmode=require"
    )
    assert redact("postgresql://bot@db/matchbot") == "postgresql://bot@db/matchbot"


def test_an_unreachable_database_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    # libpq's connect_timeout bounds the wait at start (10 s without it): the test need not wait
    url = "postgresql://matchbot:Sup3r-s3cret-pw@127.0.0.1:1/matchbot?connect_timeout=1"
    done = run_matchbot({"MATCHBOT_DATABASE_URL": url, "MATCHBOT_LOG_LEVEL": "INFO"}, tmp_path)
    assert done.returncode == 2, done.stderr
    output = done.stdout + done.stderr
    assert "Sup3r-s3cret-pw" not in output
    [line] = [x for x in done.stderr.splitlines() if "cannot start" in x]
    assert "cannot reach the database at postgresql://matchbot:***@127.0.0.1:1/matchbot" in line
    assert "Traceback" not in output


def test_the_wait_for_the_database_at_start_is_the_urls_connect_timeout() -> None:
    from storage.postgres import OPEN_TIMEOUT, open_timeout

    assert OPEN_TIMEOUT == 10.0
    assert open_timeout("postgresql://bot:pw@db/matchbot") == OPEN_TIMEOUT
    assert open_timeout("postgresql://bot:pw@db/matchbot?connect_timeout=3") == 3.0
    assert open_timeout("postgresql://bot@db/matchbot?sslmode=require&connect_timeout=0") == 10.0
    assert open_timeout("host=db dbname=matchbot connect_timeout=2") == 2.0


def test_a_url_that_is_not_postgresql_is_refused(tmp_path: Path) -> None:
    done = run_here({"MATCHBOT_DATABASE_URL": "mysql://x@y/z"}, tmp_path)
    assert done.returncode == 2
    assert "MATCHBOT_DATABASE_URL must be a postgresql:// URL" in done.stderr


async def test_the_url_selects_postgresql_and_the_schema_is_made(postgres_url: str) -> None:
    thread = StoreThread(postgres_url)
    store = await thread.open()
    try:
        assert isinstance(store, PostgresStore)
        assert thread.reader is not None  # commands that only read have their own connection
        await thread.call(lambda s: s.add_team("inter", "Inter"))
        assert await thread.read(lambda s: s.team("inter")) == {"id": "inter", "name": "Inter"}
    finally:
        await thread.close()
    with psycopg.connect(postgres_url) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM matchbot_migrations")]
    assert sorted(names) == sorted(schema.names())


def test_opening_again_migrates_nothing_and_keeps_the_data(postgres_url: str) -> None:
    first = PostgresStore.open(postgres_url)
    first.add_team("roma", "Roma")
    first.close()
    again = PostgresStore.open(postgres_url)
    try:
        assert again.team("roma") == {"id": "roma", "name": "Roma"}
    finally:
        again.close()


def test_an_index_a_migration_dropped_is_dropped_on_postgresql(postgres_server: object) -> None:
    """A database migrated before m015 has the outbox's old per-chat index of every row;
    opening it with this code drops it and makes the two that replace it."""
    from tests.support.postgres import PostgresServer

    assert isinstance(postgres_server, PostgresServer)
    url = postgres_server.new_database()
    PostgresStore.open(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("DELETE FROM matchbot_migrations WHERE name = 'm015_outbox_chat_lane_index'")
        conn.execute("DROP INDEX idx_outbox_chat_pending")
        conn.execute(
            "CREATE INDEX idx_outbox_status_platform_chat_id_id"
            " ON outbox (status, platform, chat_id, id)"
        )
    PostgresStore.open(url).close()
    with psycopg.connect(url) as conn:
        indexes = {r[0] for r in conn.execute("SELECT indexname FROM pg_indexes")}
    assert "idx_outbox_status_platform_chat_id_id" not in indexes
    assert {"idx_outbox_chat_pending", "idx_outbox_sent"} <= indexes


def test_a_postgresql_schema_newer_than_the_code_is_refused(postgres_server: object) -> None:
    from tests.support.postgres import PostgresServer

    assert isinstance(postgres_server, PostgresServer)
    url = postgres_server.new_database()
    PostgresStore.open(url).close()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("INSERT INTO matchbot_migrations (name, applied_at) VALUES ('m999_future', 0)")
    known = len(schema.names())
    with pytest.raises(SchemaTooNew) as refused:
        PostgresStore.open(url)
    message = str(refused.value)
    assert f"version {known + 1}" in message and f"schema version {known}" in message
    assert "m999_future" in message


def test_a_sqlite_schema_newer_than_the_code_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bot.db"
    Store.open(path).close()
    import sqlite3

    conn = sqlite3.connect(path)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at)"
        " VALUES ('matchbot', 'm999_future', '2099-01-01')"
    )
    conn.commit()
    conn.close()
    known = len(schema.names())
    with pytest.raises(SchemaTooNew, match=f"version {known + 1}.*schema version {known}"):
        Store.open(path)
    done = run_here({"MATCHBOT_DB": str(path)}, tmp_path)
    assert done.returncode == 2
    assert f"newer than this matchbot's schema version {known}" in done.stderr


async def test_a_connection_lost_mid_run_is_tried_again_and_nothing_is_lost(
    postgres_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Every session of the bot's database is ended by the server (as a restart or a network
    cut would): the next calls, writes and reads, wait for a new connection and succeed."""
    thread = StoreThread(postgres_url)
    await thread.open()
    try:
        await thread.call(lambda s: s.add_team("before", "Before"))
        name = postgres_url.rsplit("/", 1)[1]
        with psycopg.connect(postgres_url, autocommit=True) as admin:
            ended = admin.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                [name],
            ).fetchone()
        assert ended is not None and ended[0] >= 1  # the writer's connection at least
        with caplog.at_level("WARNING", logger="storage.thread"):
            await thread.call(lambda s: s.add_team("after", "After"))
            assert await thread.read(lambda s: s.team("after")) == {"id": "after", "name": "After"}
        assert await thread.read(lambda s: s.team("before")) is not None
        assert "the database connection failed" in caplog.text
    finally:
        await thread.close()
