"""systemd's notification protocol (``Type=notify``, ``WatchdogSec=``), for the unit in
``deploy/matchbot.service``: ``READY=1`` once the bot runs, ``WATCHDOG=1`` every half watchdog
interval *while the bot is healthy* (:mod:`bot.health`: a stalled bot stops pinging, and
systemd restarts it), ``STOPPING=1`` when it stops.

The protocol is one datagram on the socket named by ``$NOTIFY_SOCKET``; without it (not under
systemd) every call does nothing. Written here (a dozen lines) rather than with a library: the
maintained one (systemd-python) needs libsystemd's headers and a compiler to install.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


def notify(state: str) -> bool:
    """Send ``state`` (``READY=1``…) to systemd; False when not under systemd."""
    address = os.environ.get("NOTIFY_SOCKET")
    if not address:
        return False
    if address.startswith("@"):  # an abstract socket
        address = "\0" + address[1:]
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM | socket.SOCK_CLOEXEC) as sock:
            sock.connect(address)
            sock.sendall(state.encode())
    except OSError as exc:
        log.warning("systemd notification %s failed: %s", state.split("=")[0], exc)
        return False
    return True


def watchdog_interval() -> float | None:
    """Seconds between two watchdog pings (half ``WatchdogSec``), None when not asked."""
    raw = os.environ.get("WATCHDOG_USEC")
    pid = os.environ.get("WATCHDOG_PID")
    if not raw or (pid and pid != str(os.getpid())):
        return None
    try:
        return int(raw) / 1e6 / 2
    except ValueError:
        return None


class Watchdog:
    """Pings systemd's watchdog while ``healthy()`` says so."""

    def __init__(self, healthy: Callable[[], Awaitable[bool]]) -> None:
        self.healthy = healthy
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        notify("READY=1")
        interval = watchdog_interval()
        if interval is not None:
            self._task = asyncio.create_task(self._ping(interval), name="systemd-watchdog")

    async def _ping(self, interval: float) -> None:
        while True:
            if await self.healthy():
                notify("WATCHDOG=1")
            await asyncio.sleep(interval)

    async def stop(self) -> None:
        notify("STOPPING=1")
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
