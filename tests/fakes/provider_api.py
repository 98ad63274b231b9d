"""aiohttp fake servers for API-Football v3 and football-data.org v4.

Usage::

    async with FakeProvider.api_football(key="k") as fake:
        fake.script("/fixtures", {"id": 1035001}, "af_life_01_ns.json", "af_life_02_1h.json")
        client = ApiFootball("k", base_url=fake.base_url)

* ``script(path, params, *replies)``: successive answers for one URL (path + exact query); each
  request takes the next one, the last one repeats. A reply is a fixture file name (from
  ``tests/fixtures/providers``), a JSON-able dict/list (served with HTTP 200), or a :class:`Reply`
  (see :func:`rate_limited`, :func:`server_error`, :func:`slow`, :func:`garbage`,
  :func:`wrong_shape`). Unscripted URLs get the provider's "nothing here" answer.
* The auth header is checked (``x-apisports-key`` / ``X-Auth-Token``); a missing or wrong key gets
  the provider's real error shape (API-Football: HTTP 200 with ``errors.token``;
  football-data: 400 "Your API token is invalid." / 403 when missing).
* Every request is recorded (``requests``: method, path, query, headers).
* Quota headers with decreasing counts: API-Football ``x-ratelimit-requests-limit/-remaining``
  (day) and ``X-RateLimit-Limit/-Remaining`` (minute); football-data
  ``X-Requests-Available-Minute`` and ``X-RequestCounter-Reset``. With
  ``enforce_minute_limit=True`` a request past the minute budget is refused the provider's way.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from aiohttp import web

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "providers"

Kind = Literal["api_football", "football_data"]


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Reply:
    body: Any = None
    """JSON-able body; or ``str`` sent verbatim when ``raw``."""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: bool = False
    quota_headers: bool = True


def rate_limited(retry_after: float = 7, kind: Kind = "api_football") -> Reply:
    """HTTP 429 with ``Retry-After`` (and the provider's body)."""
    if kind == "football_data":
        body: Any = {
            "message": f"You reached your request limit. Wait {retry_after:g} seconds.",
            "errorCode": 429,
        }
        headers = {"Retry-After": f"{retry_after:g}", "X-RequestCounter-Reset": f"{retry_after:g}"}
    else:
        body = {"message": "Too many requests"}
        headers = {"Retry-After": f"{retry_after:g}"}
    return Reply(body=body, status=429, headers=headers)


def server_error(status: int = 500) -> Reply:
    return Reply(
        body="<html><body><h1>500 Internal Server Error</h1></body></html>",
        status=status,
        raw=True,
        headers={"Content-Type": "text/html"},
    )


def slow(body: Any, seconds: float) -> Reply:
    reply = body if isinstance(body, Reply) else Reply(body=body)
    reply.delay = seconds
    return reply


def garbage(text: str = "<html>upstream gateway said no</html>") -> Reply:
    """HTTP 200 whose body is not JSON."""
    return Reply(body=text, raw=True, headers={"Content-Type": "application/json"})


def wrong_shape(kind: Kind = "api_football") -> Reply:
    """HTTP 200 JSON of the wrong shape."""
    if kind == "football_data":
        return Reply(body=["not", "a", "match"])
    return Reply(
        body={
            "get": "fixtures",
            "parameters": {},
            "errors": [],
            "results": 1,
            "paging": {"current": 1, "total": 1},
            "response": {"fixture": 1},
        }
    )


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


class FakeProvider:
    def __init__(
        self,
        kind: Kind,
        key: str = "test-key",
        *,
        day_limit: int = 100,
        minute_limit: int = 30,
        enforce_minute_limit: bool = False,
    ) -> None:
        self.kind = kind
        self.key = key
        self.day_limit = day_limit
        self.day_remaining = day_limit
        self.minute_limit = minute_limit
        self.minute_remaining = minute_limit
        self.enforce_minute_limit = enforce_minute_limit
        self.requests: list[Recorded] = []
        self._scripts: dict[tuple[str, tuple[tuple[str, str], ...]], list[Reply]] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    @classmethod
    def api_football(cls, key: str = "test-key", **kw: Any) -> FakeProvider:
        kw.setdefault("day_limit", 7500)
        kw.setdefault("minute_limit", 300)
        return cls("api_football", key, **kw)

    @classmethod
    def football_data(cls, key: str = "test-token", **kw: Any) -> FakeProvider:
        kw.setdefault("minute_limit", 10)
        return cls("football_data", key, **kw)

    @property
    def prefix(self) -> str:
        return "/v4" if self.kind == "football_data" else ""

    # -- scripting ---------------------------------------------------------------------------

    def script(self, path: str, params: dict[str, Any] | None, *replies: Any) -> None:
        """Answers for GET ``path`` with exactly ``params``, one per request; the last repeats."""
        if not replies:
            raise ValueError("script needs at least one reply")
        key = (self.prefix + path, tuple(sorted((k, str(v)) for k, v in (params or {}).items())))
        self._scripts[key] = [self._as_reply(r) for r in replies]

    @staticmethod
    def _as_reply(r: Any) -> Reply:
        if isinstance(r, Reply):
            return r
        if isinstance(r, str):
            return Reply(body=load_fixture(r))
        return Reply(body=r)

    # -- server --------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}{self.prefix}"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeProvider:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _quota_headers(self) -> dict[str, str]:
        if self.kind == "api_football":
            return {
                "x-ratelimit-requests-limit": str(self.day_limit),
                "x-ratelimit-requests-remaining": str(self.day_remaining),
                "X-RateLimit-Limit": str(self.minute_limit),
                "X-RateLimit-Remaining": str(self.minute_remaining),
            }
        return {
            "X-API-Version": "v4",
            "X-Authenticated-Client": "matchbot tests",
            "X-Requests-Available-Minute": str(self.minute_remaining),
            "X-RequestCounter-Reset": "42",
        }

    def _auth_error(self, request: web.Request) -> web.Response | None:
        if self.kind == "api_football":
            if request.headers.get("x-apisports-key") == self.key:
                return None
            body = load_fixture("af_error_token.json")
            return web.json_response(body, status=200)
        token = request.headers.get("X-Auth-Token")
        if token == self.key:
            return None
        if token is None:
            return web.json_response(
                {
                    "message": "The resource you are looking for is restricted and apparently not "
                    "within your permission. Please check your subscription.",
                    "errorCode": 403,
                },
                status=403,
            )
        return web.json_response(
            {"message": "Your API token is invalid.", "errorCode": 400}, status=400
        )

    def _not_found(self, path: str) -> web.Response:
        if self.kind == "api_football":
            return web.json_response(
                {
                    "get": path.lstrip("/"),
                    "parameters": {},
                    "errors": [],
                    "results": 0,
                    "paging": {"current": 1, "total": 1},
                    "response": [],
                }
            )
        return web.json_response(
            {"message": "The resource you are looking for does not exist.", "errorCode": 404},
            status=404,
        )

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            Recorded(request.method, request.path, dict(request.query), dict(request.headers))
        )
        denied = self._auth_error(request)
        if denied is not None:
            return denied
        self.day_remaining = max(0, self.day_remaining - 1)
        if self.enforce_minute_limit and self.minute_remaining == 0:
            if self.kind == "api_football":
                return web.json_response(
                    load_fixture("af_error_ratelimit.json"), headers=self._quota_headers()
                )
            reply = rate_limited(42, "football_data")
            return web.json_response(
                reply.body, status=429, headers={**self._quota_headers(), **reply.headers}
            )
        self.minute_remaining = max(0, self.minute_remaining - 1)

        key = (request.path, tuple(sorted(request.query.items())))
        queue = self._scripts.get(key)
        if not queue:
            return self._not_found(request.path[len(self.prefix) :])
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if reply.delay:
            await asyncio.sleep(reply.delay)
        headers = {**(self._quota_headers() if reply.quota_headers else {}), **reply.headers}
        if reply.raw:
            headers.setdefault("Content-Type", "text/plain")
            return web.Response(text=str(reply.body), status=reply.status, headers=headers)
        return web.json_response(reply.body, status=reply.status, headers=headers)
