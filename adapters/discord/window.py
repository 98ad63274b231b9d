"""Discord's global limit through the delivery loop's pacer: an aiohttp trace that holds the
pacer's :meth:`~bot.ports.RequestPacer.request` around every request of the discord.py client's
session that Discord counts globally."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from types import SimpleNamespace
from urllib.parse import urlsplit

import aiohttp

from bot.ports import RequestPacer


def channel_of(url: str) -> str | None:
    """The channel a REST request is about (``…/channels/{id}/…``), if any."""
    parts = urlsplit(url).path.split("/")
    try:
        at = parts.index("channels")
    except ValueError:
        return None
    return parts[at + 1] if len(parts) > at + 1 and parts[at + 1].isdigit() else None


def pacer_trace(
    pacer: Callable[[], RequestPacer | None], counts: Callable[[str], bool]
) -> aiohttp.TraceConfig:
    """An aiohttp trace that holds ``pacer()``'s request around every request whose URL
    ``counts``, from just before it is sent until its answer (or failure): every attempt of
    every request of the session, retries and requests the bot's own code never sees
    included. A send the delivery loop started uses the turn the loop took for it (the
    request names its channel); the channel's own limits are discord.py's business."""
    config = aiohttp.TraceConfig()

    async def start(
        session: aiohttp.ClientSession,
        ctx: SimpleNamespace,
        params: aiohttp.TraceRequestStartParams,
    ) -> None:
        current = pacer()
        url = str(params.url)
        if current is not None and counts(url):
            stack = contextlib.AsyncExitStack()
            await stack.enter_async_context(current.request(channel_of(url), chat_limits=False))
            ctx.paced = stack

    async def end(session: aiohttp.ClientSession, ctx: SimpleNamespace, params: object) -> None:
        stack = getattr(ctx, "paced", None)
        if stack is not None:
            ctx.paced = None
            await stack.aclose()

    config.on_request_start.append(start)
    config.on_request_end.append(end)
    config.on_request_exception.append(end)
    return config
