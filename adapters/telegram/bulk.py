"""The lean HTTP path for paid-broadcast sends: python-telegram-bot's ``BaseRequest`` on aiohttp.

At 1,000 messages a second the default path costs more CPU than the machine has: httpx's
connection pool scans every connection on each request, and every answer becomes a full
``telegram.Message``. With ``TELEGRAM_PAID_BROADCAST=true`` the adapter posts ``sendMessage``
through :class:`BulkSender` instead:

* :class:`AiohttpRequest` is a ``telegram.request.BaseRequest``: PTB's own
  ``BaseRequest.post`` turns Telegram's answer into the same ``TelegramError`` subclasses as
  every other call (``RetryAfter``, ``ChatMigrated``, ``Forbidden``, ``BadRequest``,
  ``NetworkError`` for 5xx, ``TimedOut``), so :func:`adapters.telegram.errors.translate` maps
  them exactly as before;
* the body is JSON built from plain values (no ``telegram`` objects);
* only the message id is read from the answer.

Telegram's 1,000 a second is kept by the delivery loop's pacer (:class:`bot.pacer.Pacer`),
which the adapter holds around every send, as on the default path.

Everything else (getUpdates, commands, edits, button answers) stays on python-telegram-bot's
own client.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import aiohttp
from telegram import TelegramObject
from telegram.constants import ParseMode
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData
from telegram.request._requestparameter import RequestParameter

JSONDict = dict[str, Any]
JSON_HEADERS = {"Content-Type": "application/json"}


def request_data(params: JSONDict) -> RequestData:
    """PTB's ``RequestData`` for plain JSON values (strings, numbers, booleans, objects)."""
    return RequestData([RequestParameter(name, value, None) for name, value in params.items()])


class AiohttpRequest(BaseRequest):
    """A PTB request backend on one aiohttp session with ``connections`` keep-alive
    connections (aiohttp hands a free one out in constant time)."""

    def __init__(self, connections: int, timeout: float) -> None:
        self.connections = connections
        self.timeout = timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        return self.timeout

    async def initialize(self) -> None:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(
                limit=self.connections, limit_per_host=self.connections, ttl_dns_cache=300
            )
            self._session = aiohttp.ClientSession(
                connector=connector,
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=self.timeout),
                skip_auto_headers=("User-Agent",),
            )

    async def shutdown(self) -> None:
        session, self._session = self._session, None
        if session is not None:
            await session.close()

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        session = self._session
        if session is None:
            raise RuntimeError("the aiohttp request backend is not initialized")
        if request_data is not None and request_data.contains_files:
            raise NetworkError("the bulk path does not upload files")
        # A JSON body (the Bot API takes JSON as well as forms): one C-speed encode, where a
        # form would quote every value and build a multipart writer per request.
        body = (
            json.dumps(request_data.parameters, ensure_ascii=False).encode()
            if request_data is not None
            else None
        )
        try:
            async with (
                asyncio.timeout(self.timeout),
                session.request(method, url, data=body, headers=JSON_HEADERS) as response,
            ):
                return response.status, await response.read()
        except TimeoutError as exc:
            raise TimedOut(f"no answer within {self.timeout:g}s") from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


class BulkSender:
    """``sendMessage`` through :class:`AiohttpRequest`, returning only the message id."""

    def __init__(self, bot_url: str, connections: int, timeout: float) -> None:
        """``bot_url``: ``telegram.Bot.base_url`` (the API address with the token)."""
        self._url = f"{bot_url}/sendMessage"
        self.request = AiohttpRequest(connections, timeout)

    async def start(self) -> None:
        await self.request.initialize()

    async def stop(self) -> None:
        await self.request.shutdown()

    async def send_message(
        self,
        chat_id: int | str,
        text: str,
        markup: TelegramObject | None,
        reply: TelegramObject | None,
        quiet: bool,
    ) -> int:
        """Post one message in HTML, without a link preview, as a paid broadcast (``markup``:
        its keyboard; ``reply``: the message it answers); raises the ``TelegramError`` PTB
        would raise for the answer."""
        params: JSONDict = {
            "chat_id": chat_id,
            "text": text,
            "parse_mode": ParseMode.HTML.value,
            "link_preview_options": {"is_disabled": True},
            "allow_paid_broadcast": True,
        }
        if markup is not None:
            params["reply_markup"] = markup.to_dict()
        if reply is not None:
            params["reply_parameters"] = reply.to_dict()
        if quiet:
            params["disable_notification"] = True
        result = await self.request.post(self._url, request_data(params))
        assert isinstance(result, dict)
        return int(result["message_id"])
