"""Where the bot is put together with its store: the one place that opens a database.

The core (``bot/``) imports nothing from ``storage/``: :class:`bot.app.MatchBot` is handed a
:class:`bot.store_contract.DatabaseThread`, and this module builds it — a SQLite file (or
``:memory:``) or a PostgreSQL URL (:mod:`storage.thread`)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from bot.app import MatchBot
from bot.ports import ChatAdapter
from storage.thread import StoreThread


def build_bot(
    database: str | Path, adapters: Iterable[ChatAdapter] = (), **options: Any
) -> MatchBot:
    """A :class:`MatchBot` on the database at ``database`` (a path, ``:memory:`` or a
    ``postgresql://`` URL); ``options`` are :class:`MatchBot`'s."""
    return MatchBot(StoreThread(database), adapters, **options)
