"""Faults the operator must fix (a provider key rejected or its plan exhausted), each told
once: one ERROR line naming the variable when it begins, one line when it is fixed, a gauge in
the metrics meanwhile, and a message to ``MATCHBOT_ADMIN_CHAT`` (see :mod:`bot.admin`). The code
that meets the fault again and again (every retry) reports it every time; only the first
report of a run of them is told.

An exception that was told this way carries ``told = True`` (:func:`told`): the code that
catches it logs it at debug level only.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from bot import metrics

log = logging.getLogger("matchbot")

Listener = Callable[[str, str, bool], None]


def told(exc: BaseException) -> bool:
    """Whether ``exc`` was already told to the operator (see the module's docstring)."""
    return bool(getattr(exc, "told", False))


class Faults:
    def __init__(self) -> None:
        self.active: dict[str, str] = {}
        #: called with (name, message, began) when a fault begins or ends
        self.listeners: list[Listener] = []

    def begin(self, name: str, message: str) -> None:
        if name in self.active:
            return
        self.active[name] = message
        log.error("%s", message)
        metrics.current().fault(name, True)
        for listener in list(self.listeners):
            listener(name, message, True)

    def end(self, name: str) -> None:
        message = self.active.pop(name, None)
        if message is None:
            return
        log.info("fixed: %s works again", name)
        metrics.current().fault(name, False)
        for listener in list(self.listeners):
            listener(name, f"{name} works again", False)


_current = Faults()


def current() -> Faults:
    return _current


def install(faults: Faults | None = None) -> Faults:
    """A fresh record of faults for a run of the bot (``matchbot run`` starts one)."""
    global _current
    _current = faults if faults is not None else Faults()
    return _current
