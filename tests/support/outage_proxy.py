"""A reverse proxy on 127.0.0.1 in front of a fake platform, to stage an outage the way
operators meet one: requests pass through (``pass``), or every request gets a proxy's HTML
``502 Bad Gateway`` page instead of the API's JSON (``html_502``), or the connection is cut
without an answer (``drop``)."""

from __future__ import annotations

from types import TracebackType
from typing import Literal

import aiohttp
from aiohttp import web

Mode = Literal["pass", "html_502", "drop"]

BAD_GATEWAY_PAGE = (
    "<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n"
    "<center><h1>502 Bad Gateway</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
HOP_HEADERS = {"host", "content-length", "transfer-encoding", "connection", "content-encoding"}


class OutageProxy:
    def __init__(self, target: str) -> None:
        """``target``: the fake's ``http://127.0.0.1:PORT`` (no path)."""
        self.target = target.rstrip("/")
        self.mode: Mode = "pass"
        self.refused = 0  # requests not passed on
        self._runner: web.AppRunner | None = None
        self._session: aiohttp.ClientSession | None = None
        self.port = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def __aenter__(self) -> OutageProxy:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        app = web.Application(client_max_size=50 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._handle)
        runner = web.AppRunner(app, access_log=None, shutdown_timeout=0.5)
        await runner.setup()
        await web.TCPSite(runner, "127.0.0.1", 0).start()
        self._runner = runner
        self.port = int(runner.addresses[0][1])
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
        if self._session is not None:
            await self._session.close()

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        if self.mode == "html_502":
            self.refused += 1
            return web.Response(status=502, text=BAD_GATEWAY_PAGE, content_type="text/html")
        if self.mode == "drop":
            self.refused += 1
            if request.transport is not None:
                request.transport.close()
            return web.Response(status=503)  # never reaches the client: the connection is gone
        assert self._session is not None
        body = await request.read()
        headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_HEADERS}
        async with self._session.request(
            request.method, self.target + request.path_qs, data=body, headers=headers
        ) as answer:
            data = await answer.read()
            out = {k: v for k, v in answer.headers.items() if k.lower() not in HOP_HEADERS}
            return web.Response(status=answer.status, body=data, headers=out)
