"""Everything durable, and every SQL statement: the store the core's contract
(``bot/store_contract.py``) describes, implemented with SQLite through sqlite-utils."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.store_contract import CoreStore, DatabaseThread
    from storage.store import Store
    from storage.thread import StoreThread

    def _store_keeps_the_contract(store: Store) -> CoreStore:
        """mypy strict proves here that :class:`Store` satisfies the core's contract."""
        return store

    def _thread_keeps_the_contract(thread: StoreThread) -> DatabaseThread:
        """… and that :class:`StoreThread` runs the core's store calls."""
        return thread
