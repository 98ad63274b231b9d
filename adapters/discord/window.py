"""Discord's global limit through :class:`bot.request_window.RequestWindow`: an aiohttp trace
that holds a slot for every request of the discord.py client's session."""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import aiohttp

from bot.request_window import RequestWindow


def window_trace(window: RequestWindow, counts: Callable[[str], bool]) -> aiohttp.TraceConfig:
    """An aiohttp trace that holds a slot of ``window`` for every request whose URL ``counts``,
    from just before it is sent until its answer (or failure): every attempt of every request
    of the session, retries and requests the bot's own code never sees included."""
    config = aiohttp.TraceConfig()

    async def start(
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        if counts(str(params.url)):
            await window.acquire()
            ctx.holds_slot = True

    async def end(session: aiohttp.ClientSession, ctx: SimpleNamespace, params: object) -> None:
        if getattr(ctx, "holds_slot", False):
            ctx.holds_slot = False
            window.release()

    config.on_request_start.append(start)
    config.on_request_end.append(end)
    config.on_request_exception.append(end)
    return config
