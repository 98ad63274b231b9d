"""The store on PostgreSQL: :class:`~storage.store.Store`'s statements, on a connection of the
pool (:mod:`storage.postgres`), with the schema derived from SQLite's (:mod:`storage.pg_schema`).
Only what PostgreSQL must do its own way is written here."""

from __future__ import annotations

import time
from collections.abc import Iterable
from typing import Any

import psycopg
import psycopg.errors
from psycopg.pq import TransactionStatus

from bot.store_contract import OutboxRow
from storage import pg_schema, schema
from storage.outbox import same_lane
from storage.pg_fan_out import PgFanOut
from storage.postgres import Dialect, PgDatabase
from storage.store import Store
from storage.urls import DatabaseUnreachable, redact, scrub


class PostgresStore(PgFanOut, Store):
    """:class:`Store` on PostgreSQL."""

    def __init__(self, db: PgDatabase, *, migrate: bool = True) -> None:
        self.db = db  # type: ignore[assignment]  # sqlite-utils' Database, as far as used
        self.pg = db
        if migrate:
            _migrate(db)

    @classmethod
    def open(cls, path: Any) -> PostgresStore:
        return cls(_database(str(path)))

    @classmethod
    def open_reader(cls, path: Any) -> PostgresStore:
        return cls(_database(str(path)), migrate=False)

    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        return list(self.pg.query(sql, list(params)))

    def defer_checkpoints(self) -> None:
        """PostgreSQL checkpoints on its own."""

    def checkpoint(self) -> None:
        """PostgreSQL checkpoints on its own."""

    def due_heads(
        self,
        platform: str,
        now: float,
        limit: int,
        busy_chats: Iterable[str] = (),
        *,
        owner: str | None = None,
        lease: float = 0.0,
    ) -> list[OutboxRow]:
        """:meth:`Store.due_heads`, claimed in one statement: the heads are locked with
        ``FOR UPDATE SKIP LOCKED`` (a head another process is claiming at this moment is
        passed over, not waited for) and leased to ``owner`` until ``now + lease``."""
        if owner is None:
            return super().due_heads(platform, now, limit, busy_chats)
        busy = list(busy_chats)
        exclude = f" AND o.chat_id NOT IN ({','.join('?' * len(busy))})" if busy else ""
        rows = self._rows(
            "WITH heads AS (SELECT o.id FROM outbox o WHERE o.status = 'pending'"
            f" AND o.platform = ? AND o.next_attempt_at <= ?{exclude}"
            " AND (o.lease_until IS NULL OR o.lease_until <= ? OR o.claimed_by = ?)"
            " AND NOT EXISTS (SELECT 1 FROM outbox p WHERE p.status = 'pending'"
            " AND p.platform = o.platform AND p.chat_id = o.chat_id AND p.id < o.id"
            f" AND {same_lane('p', 'o')})"
            " ORDER BY o.fanout_pos, o.kind = 'reply', o.id LIMIT ? FOR UPDATE SKIP LOCKED),"
            " claimed AS (UPDATE outbox SET claimed_by = ?, lease_until = ? FROM heads"
            " WHERE outbox.id = heads.id RETURNING outbox.id)"
            " SELECT v.* FROM outbox_view v JOIN claimed c ON c.id = v.id"
            " ORDER BY v.fanout_pos, v.kind = 'reply', v.id",
            [platform, now, *busy, now, owner, limit, owner, now + lease],
        )
        return [OutboxRow.from_row(r) for r in rows]


def _database(url: str) -> PgDatabase:
    ref = pg_schema.reference()
    try:
        return PgDatabase(url, Dialect(ref.keys), ref.identities)
    except psycopg.Error as exc:
        raise DatabaseUnreachable(
            f"cannot reach the database at {redact(url)}: {scrub(str(exc), url)}"
        ) from None


def _migrate(db: PgDatabase) -> None:
    """Bring the schema up to this code's (one process at a time); refuse a newer one."""
    known = pg_schema.known_migrations()
    if _up_to_date(db, known):
        return
    conn = db.connection()
    with conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", [pg_schema.MIGRATION_LOCK])
        conn.execute(
            "CREATE TABLE IF NOT EXISTS matchbot_migrations (name TEXT PRIMARY KEY,"
            " applied_at DOUBLE PRECISION)"
        )
        for old, new in schema.RENAMED.items():  # records of renumbered migrations
            conn.execute(
                "UPDATE matchbot_migrations SET name = %s WHERE name = %s AND NOT EXISTS"
                " (SELECT 1 FROM matchbot_migrations WHERE name = %s)",
                [new, old, new],
            )
            conn.execute("DELETE FROM matchbot_migrations WHERE name = %s", [old])
        applied = [r[0] for r in conn.execute("SELECT name FROM matchbot_migrations").fetchall()]
        schema.refuse_newer(applied)
        missing = [name for name in known if name not in applied]
        if not missing:
            return
        for statement in pg_schema.statements():
            conn.execute(statement)
        for name in missing:  # what the missing migrations do to the data, in order
            for statement in schema.POSTGRES_DATA_STEPS.get(name, ()):
                conn.execute(statement)
        now = time.time()
        with conn.cursor() as cur:
            cur.executemany(
                "INSERT INTO matchbot_migrations (name, applied_at) VALUES (%s, %s)",
                [(name, now) for name in missing],
            )


def _up_to_date(db: PgDatabase, known: list[str]) -> bool:
    """Whether the schema is this code's already, read in one statement without the lock
    (what nearly every start finds): every migration recorded, none under a former name
    (:data:`~storage.schema.RENAMED`). A newer schema is refused here as well; anything else
    (a new database, a migration missing) is left to the locked path."""
    conn = db.connection()
    if conn.info.transaction_status != TransactionStatus.IDLE:
        return False
    try:
        applied = [r[0] for r in conn.execute("SELECT name FROM matchbot_migrations").fetchall()]
    except psycopg.errors.UndefinedTable:
        return False  # a new database (autocommit: the failed read leaves nothing open)
    if any(old in applied for old in schema.RENAMED):
        return False
    schema.refuse_newer(applied)
    return set(known) <= set(applied)
