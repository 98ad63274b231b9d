"""One connection to the database and the few helpers every table module runs SQL through."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Self

from sqlite_utils import Database
from sqlite_utils.utils import dedupe_keys

from storage import fresh, schema


class StoreBase:
    """One connection, used from one thread: opening, checkpoints, transactions, queries."""

    def __init__(self, db: Database) -> None:
        self.db = db
        # an empty database gets the migrated schema at once; one migrated already is left
        if not fresh.create_schema(db) and not fresh.up_to_date(db):
            schema.apply(db)

    @classmethod
    def open(cls, path: str | Path) -> Self:
        """Open (creating if needed) the database at ``path``; ``:memory:`` for a throwaway one."""
        if str(path) == ":memory:":
            conn = sqlite3.connect(":memory:", check_same_thread=False)
        else:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
            conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        db = Database(conn)
        if str(path) != ":memory:":
            db.enable_wal()
        db.execute("PRAGMA synchronous=NORMAL")
        # a fan-out groups and numbers its chats in scratch tables: in memory, not on disk
        db.execute("PRAGMA temp_store=MEMORY")
        return cls(db)

    @classmethod
    def open_reader(cls, path: str | Path) -> Self:
        """A read-only connection to the database at ``path`` (opened and migrated by
        :meth:`open` first): in WAL mode it reads the last committed state while another
        connection writes."""
        conn = sqlite3.connect(str(path), check_same_thread=False, timeout=30)
        conn.execute("PRAGMA query_only=1")
        store = cls.__new__(cls)
        store.db = Database(conn)
        return store

    def close(self) -> None:
        self.db.close()

    def defer_checkpoints(self) -> None:
        """Leave the write-ahead log's checkpoints to :meth:`checkpoint` on another connection.
        (By default SQLite copies the log into the database file inside the commit that grew
        it past 1,000 pages: a 100,000-chat fan-out's commit would wait for that copy.)"""
        self.db.execute("PRAGMA wal_autocheckpoint=0")

    def checkpoint(self) -> None:
        """Copy what the write-ahead log holds into the database file, as far as no reader
        still needs it; it neither waits for nor blocks the writer."""
        self.db.execute("PRAGMA wal_checkpoint(PASSIVE)")

    @contextmanager
    def atomic(self) -> Iterator[None]:
        with self.db.atomic():
            yield

    # Rows come back as the dicts sqlite-utils builds; each public method names their shape
    # (a TypedDict of bot.store_contract, checked against the real columns by
    # tests/test_store_contract.py), hence ``Any`` here.
    def _rows(self, sql: str, params: Iterable[Any] = ()) -> list[Any]:
        """The rows of ``sql``, a statement of the store that returns rows, run as that one
        statement. (sqlite-utils' ``Database.query`` runs each inside a savepoint of its own,
        three statements a read, to undo a statement that turns out to return none: the
        store's reads are its own ``SELECT`` statements.) Rows are the dicts sqlite-utils builds, a
        repeated column name numbered as it numbers it (``id``, ``id_2``)."""
        cursor = self.db.conn.execute(sql, list(params))
        if cursor.description is None:
            raise ValueError(f"a store read returns rows: {sql.split(maxsplit=1)[0]} does not")
        keys = dedupe_keys(d[0] for d in cursor.description)
        return [dict(zip(keys, row, strict=True)) for row in cursor]

    def _one(self, sql: str, params: Iterable[Any] = ()) -> Any | None:
        rows = self._rows(sql, params)
        return rows[0] if rows else None

    def _exec(self, sql: str, params: Iterable[Any] | dict[str, Any] = ()) -> int:
        cursor = self.db.execute(sql, params if isinstance(params, dict) else list(params))
        return cursor.rowcount
