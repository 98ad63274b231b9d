"""One thread owns the SQLite connection; the event loop hands it work and awaits the result."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TypeVar

from storage.store import Store

T = TypeVar("T")


class StoreThread:
    """Runs every :class:`Store` call on a single dedicated thread.

    sqlite-utils is synchronous; calls are short, but running them here keeps the event loop
    (and with it the chat platforms' connections) free while the disk works.
    """

    def __init__(self, path: str | Path) -> None:
        self._path = path
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="matchbot-db")
        self._store: Store | None = None

    async def open(self) -> Store:
        loop = asyncio.get_running_loop()
        self._store = await loop.run_in_executor(self._executor, Store.open, self._path)
        return self._store

    async def call(self, fn: Callable[[Store], T]) -> T:
        """Run ``fn(store)`` on the database thread and return its result."""
        store = self._store
        if store is None:
            raise RuntimeError("the store is not open")
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, fn, store)

    async def close(self) -> None:
        store, self._store = self._store, None
        if store is not None:
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(self._executor, store.close)
        self._executor.shutdown(wait=True)
