"""The update engine: feed objects in, outbox rows out, in one transaction per object.

Runs on the database thread (see :class:`bot.store_contract.DatabaseThread`): every method is
synchronous and talks to the store (:class:`bot.store_contract.CoreStore`) directly. One job
per module: :mod:`~bot.engine.base` (the store, the kept states, the fan-out),
:mod:`~bot.engine.ingest` (feed objects and their alerts), :mod:`~bot.engine.recaps` (recap
and reminder), :mod:`~bot.engine.retraction` (a reporter's corrections).
"""

from __future__ import annotations

from bot.engine.base import Built, EngineBase
from bot.engine.ingest import Ingested
from bot.engine.recaps import Recaps
from bot.engine.retraction import Retraction

__all__ = [
    "Built",
    "Engine",
    "EngineBase",
    "Ingested",
]


class Engine(Retraction, Recaps):
    """The update engine (see the module's docstring)."""
