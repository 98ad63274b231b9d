"""Parts of libraries that a ``matchbot`` process seldom or never runs, kept out of its start.

Two libraries import, whenever the packages they need are installed, a module that only one rare
path uses:

* httpx imports its own command-line program (``httpx._main``: click, rich and pygments, some
  40 ms of CPU) only to offer ``httpx.main``, the ``httpx`` program's entry point, which no
  matchbot process runs;
* python-telegram-bot imports its webhook server (``telegram.ext._utils.webhookhandler``:
  tornado, some 25 ms) for ``Updater.start_webhook``, which runs only where
  ``TELEGRAM_WEBHOOK_URL`` is set; long polling, the default, never needs it.

:func:`defer_rare_modules`, called before either library is first imported
(``adapters/__init__.py``), puts a stand-in in each module's place in ``sys.modules``: it
offers the names the library takes from the module at import (``main``; ``WebhookServer`` and
``WebhookAppClass``) as functions that import the real module when first called and hand the
call to it, and any other name of the module imports it too. So ``httpx.main`` and a webhook
work as before, and the module is imported only by the process that uses it.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from collections.abc import Callable
from types import ModuleType
from typing import Any

#: each module put off: the names its library takes from it when the library is imported, and a
#: package it needs (not installed: the library's own fallback is left to run, no stand-in)
RARE_MODULES: dict[str, tuple[tuple[str, ...], str]] = {
    "httpx._main": (("main",), "rich"),
    "telegram.ext._utils.webhookhandler": (("WebhookServer", "WebhookAppClass"), "tornado"),
}


def real_module(name: str) -> ModuleType:
    """The module itself, imported now if only its stand-in was."""
    if getattr(sys.modules.get(name), "__deferred__", False):
        del sys.modules[name]
    return importlib.import_module(name)


def _calling(module: str, name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(real_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    call.__doc__ = f"``{module}.{name}``, imported when first called."
    return call


def stand_in(module: str, names: tuple[str, ...]) -> ModuleType:
    """A module in place of ``module``: its ``names`` call the real ones (imported then); any
    other of its names imports it and is the real one."""
    deferred = ModuleType(module, f"Stands in for {module} until it is used.")

    def other_name(name: str) -> Any:
        if name.startswith("__"):  # what the import system asks of any module
            raise AttributeError(name)
        return getattr(real_module(module), name)

    deferred.__dict__.update({name: _calling(module, name) for name in names})
    deferred.__dict__.update(__deferred__=True, __getattr__=other_name)
    return deferred


def defer_rare_modules() -> None:
    """Put the stand-ins in place, each unless its library is imported already (or the module
    would not import anyway)."""
    for module, (names, needs) in RARE_MODULES.items():
        library = module.split(".")[0]
        if library in sys.modules or module in sys.modules:
            continue
        if importlib.util.find_spec(needs) is None:
            continue
        sys.modules[module] = stand_in(module, names)
