"""The fake Discord REST API and gateway, put together from its parts (see the package's
docstring).
"""

from __future__ import annotations

from tests.support.fakes.discord_api.driver import Driver
from tests.support.fakes.discord_api.gateway import Gateway
from tests.support.fakes.discord_api.rest import RestMethods
from tests.support.fakes.discord_api.server import Server


class FakeDiscord(Server, Driver, RestMethods, Gateway):
    """Fake Discord REST API + gateway on 127.0.0.1. See the package docstring
    (:mod:`tests.support.fakes.discord_api`)."""
