"""The fake Bot API server, put together from its parts (see the package's docstring)."""

from __future__ import annotations

from tests.support.fakes.telegram_api.driver import Driver
from tests.support.fakes.telegram_api.methods import BotApiMethods
from tests.support.fakes.telegram_api.server import Server


class FakeTelegram(Server, Driver, BotApiMethods):
    """Fake Bot API server; see the package docstring (:mod:`tests.support.fakes.telegram_api`)."""
