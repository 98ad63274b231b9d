"""PostgreSQL under the store: a connection pool (psycopg_pool), each :class:`~storage.store.Store`
holding one connection of it, and the SQLite dialect of the store's statements written in
PostgreSQL's (:class:`Dialect`).

The store's statements are written once, for SQLite. Most of them are plain SQL that both
databases read alike; the few SQLite spellings they use are rewritten here, once per
statement (cached): ``?`` and ``:name`` parameters, ``INSERT OR IGNORE`` (``ON CONFLICT DO
NOTHING``), ``INSERT OR REPLACE`` (an upsert on the table's primary key), ``json_extract``
(``->>``), ``instr`` (``strpos``), two-argument ``MAX``/``MIN`` (``GREATEST``/``LEAST``),
``temp.`` tables (``pg_temp.``), ``CROSS JOIN … ON``. What cannot be rewritten so is
written for PostgreSQL in :mod:`storage.pg_store`. Parameters are bound on the client
(psycopg's ``ClientCursor``), as SQLite binds them: a ``NULL`` or a number needs no cast to
be understood.

The password of a database URL never reaches a log or an error: :func:`redact`.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import math
import re
import threading
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

import psycopg
import psycopg.conninfo
from psycopg import ClientCursor
from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from storage.urls import scrub

log = logging.getLogger(__name__)

#: errors that mean the connection, not the statement, failed: tried again (storage.thread)
TRANSIENT = (psycopg.OperationalError, psycopg.InterfaceError)


# --- the pool ---------------------------------------------------------------------------------

_pools: dict[str, ConnectionPool[psycopg.Connection[Any]]] = {}
_pools_lock = threading.Lock()


def _configure(conn: psycopg.Connection[Any]) -> None:
    """Each new connection's settings, in one round trip: UTC; and the memory a fan-out
    sorts its audience in (100,000 chats: some 15 MB), not on disk."""
    conn.execute(
        "SELECT set_config('TimeZone', 'UTC', false), set_config('work_mem', '32MB', false)"
    )


#: seconds the first connection of a pool is waited for (tried again meanwhile), unless the
#: URL says otherwise with libpq's own ``connect_timeout`` parameter (``?connect_timeout=3``)
OPEN_TIMEOUT = 10.0


def open_timeout(url: str) -> float:
    """How long :func:`pool` waits for the database at ``url``: its ``connect_timeout``
    (seconds; libpq's parameter, so each attempt also gives up after it), else
    :data:`OPEN_TIMEOUT`."""
    given = psycopg.conninfo.conninfo_to_dict(url).get("connect_timeout")
    try:
        seconds = float(str(given)) if given is not None else OPEN_TIMEOUT
    except ValueError:
        return OPEN_TIMEOUT
    return seconds if seconds > 0 else OPEN_TIMEOUT


def pool(url: str) -> ConnectionPool[psycopg.Connection[Any]]:
    """The process's pool for ``url`` (made, and its first connection opened, on first use:
    a database that cannot be reached within :func:`open_timeout` raises
    :class:`psycopg.OperationalError` here)."""
    with _pools_lock:
        found = _pools.get(url)
        if found is not None and not found.closed:
            return found
        made: ConnectionPool[psycopg.Connection[Any]] = ConnectionPool(
            url,
            min_size=1,
            max_size=16,
            open=False,
            kwargs={"autocommit": True, "cursor_factory": ClientCursor},
            configure=_configure,
            check=ConnectionPool.check_connection,
            reconnect_timeout=60.0,
            name="matchbot",
        )
        wait = open_timeout(url)
        try:
            made.open(wait=True, timeout=wait)
        except psycopg_pool_timeout() as exc:
            made.close()
            raise psycopg.OperationalError(_why_unreachable(url, wait)) from exc
        _pools[url] = made
        return made


def psycopg_pool_timeout() -> type[Exception]:
    from psycopg_pool import PoolTimeout

    return PoolTimeout


def _why_unreachable(url: str, waited: float) -> str:
    """One connection attempt's own error (the pool only says it timed out)."""
    try:
        psycopg.connect(url, connect_timeout=min(5, math.ceil(waited))).close()
    except psycopg.Error as exc:
        return scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc), url)
    return f"no connection within {waited:g} s"


def close_pools() -> None:
    with _pools_lock:
        for made in _pools.values():
            made.close()
        _pools.clear()


# --- the dialect --------------------------------------------------------------------------------


class Dialect:
    """SQLite statements rewritten for PostgreSQL (see the module's docstring)."""

    def __init__(self, keys: dict[str, tuple[str, ...]]) -> None:
        #: each table's primary key, for ``INSERT OR REPLACE``
        self.keys = keys
        self.translate = functools.lru_cache(maxsize=2048)(self._translate)

    def _translate(self, sql: str) -> str:
        sql = _parameters(sql)
        sql = re.sub(r"\btemp\.", "pg_temp.", sql)
        # emptying a scratch table whole: TRUNCATE frees it at once (DELETE leaves dead rows)
        sql = re.sub(r"^DELETE FROM (pg_temp\.\w+)$", r"TRUNCATE \1", sql)
        sql = re.sub(r"CROSS JOIN ([\w.]+ \w+) ON\b", r"JOIN \1 ON", sql)
        sql = re.sub(
            r"json_each\(([\w.]+)\) (\w+)", r"jsonb_array_elements_text(\1::jsonb) \2(value)", sql
        )
        sql = re.sub(r"json_extract\(([\w.]+), '\$\.(\w+)'\)", r"(\1::jsonb ->> '\2')", sql)
        sql = re.sub(r"\binstr\(", "strpos(", sql)
        # code-point order, as SQLite's BINARY compares
        sql = sql.replace(" COLLATE BINARY", ' COLLATE "C"')
        sql = re.sub(r"\bMAX\(([^(),]+), ([^(),]+)\)", r"GREATEST(\1, \2)", sql)
        sql = re.sub(r"\bMIN\(([^(),]+), ([^(),]+)\)", r"LEAST(\1, \2)", sql)
        # an aggregate of a comparison (SQLite's booleans are numbers)
        sql = re.sub(
            r"\b(MAX|MIN)\(([^()]*?(?:!=|<>|=)[^()]*?)\)",
            r"\1(CASE WHEN \2 THEN 1 ELSE 0 END)",
            sql,
        )
        sql = re.sub(r"CASE WHEN (%\(\w+\)s) THEN", r"CASE WHEN \1 <> 0 THEN", sql)
        if sql.startswith("INSERT OR IGNORE INTO "):
            sql = "INSERT INTO " + sql[len("INSERT OR IGNORE INTO ") :] + " ON CONFLICT DO NOTHING"
        elif sql.startswith("INSERT OR REPLACE INTO "):
            sql = self._upsert(sql[len("INSERT OR REPLACE INTO ") :])
        return sql

    def _upsert(self, rest: str) -> str:
        found = re.match(r"(\w+) \(([^)]*)\)", rest)
        if found is None:
            raise ValueError(f"cannot read INSERT OR REPLACE INTO {rest[:60]}")
        table, columns = found.group(1), [c.strip() for c in found.group(2).split(",")]
        key = self.keys[table]
        updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in key)
        action = f"DO UPDATE SET {updates}" if updates else "DO NOTHING"
        return f"INSERT INTO {rest} ON CONFLICT ({', '.join(key)}) {action}"


_TOKEN = re.compile(r"'(?:[^']|'')*'|::|\?|:(\w+)|%")


def _parameters(sql: str) -> str:
    """``?`` → ``%s``, ``:name`` → ``%(name)s``, a literal ``%`` → ``%%`` (string literals
    and ``::`` casts left alone)."""

    def one(match: re.Match[str]) -> str:
        token = match.group(0)
        if token.startswith("'"):
            return token.replace("%", "%%")
        if token == "::":
            return token
        if token == "?":
            return "%s"
        if token == "%":
            return "%%"
        return f"%({match.group(1)})s"

    return _TOKEN.sub(one, sql)


def _plain(value: Any) -> Any:
    """PostgreSQL's sums are ``numeric``; the store's callers expect SQLite's numbers."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else float(value)
    return value


# --- sqlite-utils' Database, as much of it as the store uses --------------------------------------


class Result:
    """What a statement returned, read at once (the connection goes back to its owner)."""

    def __init__(self, rows: list[tuple[Any, ...]], rowcount: int, lastrowid: int | None) -> None:
        self._rows = rows
        self.rowcount = rowcount
        self.lastrowid = lastrowid

    def fetchone(self) -> tuple[Any, ...] | None:
        return self._rows[0] if self._rows else None

    def fetchall(self) -> list[tuple[Any, ...]]:
        return list(self._rows)


class _Table:
    def __init__(self, db: PgDatabase, name: str) -> None:
        self.db = db
        self.name = name

    def insert(self, row: dict[str, Any]) -> None:
        columns = ", ".join(row)
        marks = ", ".join("?" for _ in row)
        self.db.execute(f"INSERT INTO {self.name} ({columns}) VALUES ({marks})", list(row.values()))

    def update(self, pk: Any, row: dict[str, Any]) -> None:
        sets = ", ".join(f"{c} = ?" for c in row)
        self.db.execute(f"UPDATE {self.name} SET {sets} WHERE id = ?", [*row.values(), pk])


class _Connection:
    """``db.conn`` as the store uses it: ``executemany``."""

    def __init__(self, db: PgDatabase) -> None:
        self.db = db

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        self.db.executemany(sql, rows)


class PgDatabase:
    """The part of sqlite-utils' ``Database`` the store calls, on one PostgreSQL connection
    of the pool (taken again from the pool when the one held is lost)."""

    def __init__(self, url: str, dialect: Dialect, identities: frozenset[str]) -> None:
        self.url = url
        self.dialect = dialect
        self.identities = identities
        self.pool = pool(url)
        self._conn: psycopg.Connection[Any] | None = None
        self.conn = _Connection(self)

    def connection(self) -> psycopg.Connection[Any]:
        conn = self._conn
        if conn is not None and (conn.closed or conn.broken):
            self._give_back()
            conn = None
        if conn is None:
            conn = self._conn = self.pool.getconn(timeout=30.0)
        return conn

    def _give_back(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            with contextlib.suppress(Exception):
                self.pool.putconn(conn)

    def _failed(self) -> None:
        """A statement failed on the connection: drop it when it is lost."""
        conn = self._conn
        if conn is not None and (conn.closed or conn.broken):
            self._give_back()

    def query(
        self, sql: str, params: Sequence[Any] | dict[str, Any] = ()
    ) -> Iterator[dict[str, Any]]:
        conn = self.connection()
        try:
            with conn.cursor(row_factory=dict_row) as cur:
                cur.execute(self.dialect.translate(sql), _params(params))
                rows = cur.fetchall()
        except psycopg.Error:
            self._failed()
            raise
        for row in rows:
            yield {k: _plain(v) for k, v in row.items()}

    def execute(self, sql: str, params: Sequence[Any] | dict[str, Any] | None = None) -> Result:
        text = self.dialect.translate(sql)
        returning = _single_insert_table(sql)
        if returning in self.identities:
            text += " RETURNING id"
        conn = self.connection()
        try:
            with conn.cursor() as cur:
                cur.execute(text, _params(params))
                rows = (
                    [tuple(_plain(v) for v in r) for r in cur.fetchall()] if cur.description else []
                )
                rowcount = cur.rowcount
        except psycopg.Error:
            self._failed()
            raise
        lastrowid = rows[0][0] if returning in self.identities and rows else None
        return Result(rows, rowcount, lastrowid)

    def executemany(self, sql: str, rows: Iterable[Sequence[Any]]) -> None:
        rows = list(rows)
        if not rows:
            return
        conn = self.connection()
        try:
            with conn.cursor() as cur:
                cur.executemany(self.dialect.translate(sql), rows)
        except psycopg.Error:
            self._failed()
            raise

    @contextlib.contextmanager
    def atomic(self) -> Iterator[PgDatabase]:
        """A transaction (a savepoint inside another), on this store's connection."""
        conn = self.connection()
        try:
            with conn.transaction():
                yield self
        except psycopg.Error:
            self._failed()
            raise

    def table(self, name: str) -> _Table:
        return _Table(self, name)

    def close(self) -> None:
        self._give_back()


def _params(params: Sequence[Any] | dict[str, Any] | None) -> Sequence[Any] | dict[str, Any]:
    if params is None:
        return ()
    return params if isinstance(params, dict) else list(params)


_INSERT_VALUES = re.compile(r"INSERT INTO (\w+) \([^)]*\) VALUES \([^()]*\)\s*$")


def _single_insert_table(sql: str) -> str | None:
    """The table of a one-row ``INSERT … VALUES (…)`` (its new id is wanted: ``lastrowid``)."""
    found = _INSERT_VALUES.match(sql)
    return found.group(1) if found else None
