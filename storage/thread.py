"""One thread owns the SQLite connection; the event loop hands it work and awaits the result."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import ParamSpec, TypeVar

from storage import urls
from storage.store import Store

T = TypeVar("T")
P = ParamSpec("P")

log = logging.getLogger(__name__)

#: Seconds between two checkpoints of the write-ahead log (on a connection and thread of their
#: own, so no commit waits for one).
CHECKPOINT_EVERY = 1.0
#: Seconds a call waits, trying again, for a lost PostgreSQL connection before it fails.
RETRY_FOR = 60.0


class StoreThread:
    """Runs every :class:`Store` call on a single dedicated thread.

    sqlite-utils is synchronous; calls are short, but running them here keeps the event loop
    (and with it the chat platforms' connections) free while the disk works.
    """

    def __init__(self, path: str | Path) -> None:
        self._path = path
        #: a PostgreSQL URL (storage.pg_store) or a SQLite file
        self._postgres = urls.is_url(path)
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="matchbot-db")
        self._store: Store | None = None
        #: a second, read-only connection on its own thread: commands that only read are
        #: answered there, from the last committed state (WAL), never waiting behind a write
        self._read_executor: ThreadPoolExecutor | None = None
        self._reader: Store | None = None
        self._checkpoints: asyncio.Task[None] | None = None

    @property
    def shared(self) -> bool:
        """Whether other processes may use the database too (PostgreSQL)."""
        return self._postgres

    def _kind(self) -> type[Store]:
        if self._postgres:
            from storage.pg_store import PostgresStore

            return PostgresStore
        return Store

    async def open(self) -> Store:
        loop = asyncio.get_running_loop()
        kind = self._kind()
        self._store = await loop.run_in_executor(self._executor, kind.open, self._path)
        if self._postgres:  # a second connection; PostgreSQL checkpoints on its own
            self._read_executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="matchbot-db-read"
            )
            self._reader = await loop.run_in_executor(
                self._read_executor, kind.open_reader, self._path
            )
        elif str(self._path) != ":memory:":  # a database in memory has one connection only
            self._read_executor = ThreadPoolExecutor(
                max_workers=1, thread_name_prefix="matchbot-db-read"
            )
            self._reader = await loop.run_in_executor(
                self._read_executor, Store.open_reader, self._path
            )
            await self.call(lambda s: s.defer_checkpoints())
            self._checkpoints = asyncio.create_task(
                self._checkpoint_regularly(), name="matchbot-db-checkpoints"
            )
        return self._store

    async def _checkpoint_regularly(self) -> None:
        """Every :data:`CHECKPOINT_EVERY` seconds, the write-ahead log copied into the database
        file by a connection of its own, on a thread of its own."""
        loop = asyncio.get_running_loop()
        with ThreadPoolExecutor(1, thread_name_prefix="matchbot-db-checkpoint") as executor:
            opening = loop.run_in_executor(executor, Store.open_reader, self._path)
            try:
                store = await asyncio.shield(opening)
            except asyncio.CancelledError:  # closed while its connection opened: closed too
                with contextlib.suppress(Exception):
                    await loop.run_in_executor(executor, (await opening).close)
                raise
            try:
                while True:
                    await asyncio.sleep(CHECKPOINT_EVERY)
                    try:
                        await loop.run_in_executor(executor, store.checkpoint)
                    except sqlite3.Error as exc:  # tried again next time
                        log.warning("checkpoint of the database's log failed: %s", exc)
            finally:
                await asyncio.shield(loop.run_in_executor(executor, store.close))

    @property
    def reader(self) -> Store | None:
        """The read-only connection (None: there is only the one, see :meth:`read`)."""
        return self._reader

    async def read(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn(store)``, which only reads, on the read connection's thread (on the
        database thread when there is no read connection)."""
        reader, executor = self._reader, self._read_executor
        if reader is None or executor is None:
            return await self.call(fn)
        return await self._on(executor, fn, reader)

    async def call(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn(store)`` on the database thread and return its result."""
        store = self._store
        if store is None:
            raise RuntimeError("the store is not open")
        return await self._on(self._executor, fn, store)

    async def _on(self, executor: ThreadPoolExecutor, fn: Callable[[Store], T], store: Store) -> T:
        """``fn(store)`` on ``executor``. On PostgreSQL a lost connection is not the caller's
        failure: ``fn`` (a transaction, rolled back with the connection) runs again on a new
        connection, after 0.5, 1, 2 … 8 seconds, for up to :data:`RETRY_FOR` seconds."""
        loop = asyncio.get_running_loop()
        if not self._postgres:
            return await loop.run_in_executor(executor, fn, store)
        from storage.postgres import TRANSIENT

        pause, waited = 0.5, 0.0
        while True:
            try:
                return await loop.run_in_executor(executor, fn, store)
            except TRANSIENT as exc:
                if waited >= RETRY_FOR:
                    raise
                log.warning(
                    "the database connection failed (%s); trying again in %.1f s",
                    urls.scrub(str(exc).strip() or type(exc).__name__, str(self._path)),
                    pause,
                )
                await asyncio.sleep(pause)
                waited += pause
                pause = min(pause * 2, 8.0)

    async def run(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """Run ``fn(*args, **kwargs)`` on the database thread: for objects that already hold
        the store (the engine, the commands), so they need not be handed it."""
        return await self.call(lambda _store: fn(*args, **kwargs))

    async def run_read(self, fn: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
        """:meth:`run` on the read connection's thread (``fn`` reads through objects that hold
        the read-only store)."""
        return await self.read(lambda _store: fn(*args, **kwargs))

    async def close(self) -> None:
        loop = asyncio.get_running_loop()
        checkpoints, self._checkpoints = self._checkpoints, None
        if checkpoints is not None:
            checkpoints.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await checkpoints
        reader, self._reader = self._reader, None
        if reader is not None and self._read_executor is not None:
            await loop.run_in_executor(self._read_executor, reader.close)
        if self._read_executor is not None:
            self._read_executor.shutdown(wait=True)
        store, self._store = self._store, None
        if store is not None:
            await loop.run_in_executor(self._executor, store.close)
        self._executor.shutdown(wait=True)
