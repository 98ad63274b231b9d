"""HTTP and quota handling shared by both provider clients.

* :class:`ProviderHttp` - one small client per provider: GET with the auth header, errors as
  :class:`~adapters.providers.errors.ProviderError`, the quota read from every answer;
* :class:`Quota` - the provider's request budget as read from its response headers;
* :func:`get_json` - one GET: timeouts, 429 (``Retry-After``), 5xx, non-JSON bodies;

The key/token is never put in a message, a ``repr`` or a log line.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self

import httpx

from adapters.providers.errors import ProviderError
from adapters.tls import client_context
from bot import faults, metrics

#: seconds before a rejected key (or an exhausted plan) is tried again
KEY_RETRY = 600.0

Json = Any


@dataclass
class Quota:
    """The request budget last reported by the provider (``None``: not reported)."""

    day_limit: int | None = None
    day_remaining: int | None = None
    minute_limit: int | None = None
    minute_remaining: int | None = None
    reset_seconds: float | None = None
    """Seconds until the per-minute counter resets (football-data ``X-RequestCounter-Reset``)."""
    """``time.monotonic()`` of the response the numbers come from."""

    @property
    def exhausted(self) -> bool:
        """True when the provider said no request is left in the day or the minute."""
        return self.day_remaining == 0 or self.minute_remaining == 0

    def wait_seconds(self) -> float:
        """How long to wait before the next request so as not to hit the limit (0: go)."""
        if self.minute_remaining == 0:
            if self.reset_seconds is not None:
                return max(0.0, self.reset_seconds)
            return 60.0
        return 0.0


def header_int(headers: httpx.Headers, name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(float(raw.strip()))
    except ValueError:
        return None


def parse_retry_after(raw: str | None) -> float | None:
    """``Retry-After`` in seconds (the delta-seconds form; an HTTP date gives ``None``)."""
    if raw is None:
        return None
    try:
        return max(0.0, float(raw.strip()))
    except ValueError:
        return None


async def get_json(
    client: httpx.AsyncClient,
    url: str,
    *,
    provider: str,
    headers: Mapping[str, str],
    params: Mapping[str, str | int] | None = None,
) -> tuple[Json, httpx.Headers]:
    """GET ``url`` and return (parsed JSON, response headers), or raise :class:`ProviderError`.

    Handles: timeouts and transport errors (retryable), 429 (retryable, ``retry_after`` from
    ``Retry-After`` or ``X-RequestCounter-Reset``), 5xx (retryable), other non-2xx (not retryable;
    the provider's ``message`` is quoted when there is one), and non-JSON bodies (retryable).
    The request headers (which carry the key) are never put in a message.
    """
    path = httpx.URL(url).path
    try:
        resp = await client.get(url, headers=dict(headers), params=dict(params or {}))
    except httpx.TimeoutException as err:
        raise ProviderError(
            f"request to {path} timed out ({type(err).__name__})",
            provider=provider,
            retryable=True,
        ) from None
    except httpx.HTTPError as err:
        raise ProviderError(
            f"request to {path} failed: {type(err).__name__}", provider=provider, retryable=True
        ) from None
    status = resp.status_code
    if status == 429:
        retry_after = parse_retry_after(resp.headers.get("Retry-After"))
        if retry_after is None:
            retry_after = parse_retry_after(resp.headers.get("X-RequestCounter-Reset"))
        hint = f", retry after {retry_after:g}s" if retry_after is not None else ""
        raise ProviderError(
            f"rate limited (HTTP 429) on {path}{hint}{_body_message(resp)}",
            provider=provider,
            status=429,
            retry_after=retry_after,
            retryable=True,
        )
    if status >= 500:
        raise ProviderError(
            f"server error (HTTP {status}) on {path}{_body_message(resp)}",
            provider=provider,
            status=status,
            retryable=True,
        )
    if status >= 400:
        raise ProviderError(
            f"request refused (HTTP {status}) on {path}{_body_message(resp)}",
            provider=provider,
            status=status,
            retryable=False,
        )
    try:
        data = resp.json()
    except ValueError:
        snippet = resp.text[:60].replace("\n", " ")
        raise ProviderError(
            f"response from {path} is not JSON (HTTP {status}, starts {snippet!r})",
            provider=provider,
            status=status,
            retryable=True,
        ) from None
    return data, resp.headers


def _body_message(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return ""
    if isinstance(data, dict):
        for key in ("message", "error", "errors"):
            if data.get(key):
                return f": {str(data[key])[:200]}"
    return ""


def key_fault(err: ProviderError) -> str | None:
    """``key_rejected`` or ``quota_exhausted`` when the key itself is the problem."""
    text = err.message.lower()
    if err.status in (401, 403) or (err.status == 400 and ("token" in text or " key" in text)):
        return "key_rejected"
    if err.status == 429 and not err.retryable:  # the day's requests are all used
        return "quota_exhausted"
    return None


def outcome(err: ProviderError) -> str:
    """The metrics outcome of a failed request."""
    if err.status == 429:
        return "rate_limited"
    if err.status is not None and err.status >= 500:
        return "server_error"
    if "timed out" in err.message or "failed:" in err.message:
        return "unreachable"
    if "not JSON" in err.message:
        return "bad_answer"
    return "refused"


QuotaReader = Callable[[httpx.Headers, Quota], None]


class ProviderHttp:
    """GET JSON from one provider: base URL, auth header, timeouts and errors, quota.

    ``read_quota`` updates :attr:`quota` from each answer's headers (each provider names its
    counters differently). A client passed in is not closed by :meth:`aclose`."""

    def __init__(
        self,
        provider: str,
        base_url: str,
        auth: Mapping[str, str],
        read_quota: QuotaReader,
        client: httpx.AsyncClient | None = None,
        *,
        timeout: float = 10.0,
        quota: Quota | None = None,
        key_variable: str = "",
    ) -> None:
        self.provider = provider
        #: the setting holding the key, named when the provider rejects it
        self.key_variable = key_variable
        self.base_url = base_url.rstrip("/")
        self._headers = {**auth, "Accept": "application/json"}
        self._read_quota = read_quota
        self._own_client = client is None
        self._client = (
            client
            if client is not None
            else httpx.AsyncClient(timeout=timeout, verify=client_context())
        )
        self.quota = quota if quota is not None else Quota()

    def __repr__(self) -> str:  # never show the key
        return f"ProviderHttp({self.provider!r}, {self.base_url!r})"

    async def get(
        self,
        path: str,
        params: Mapping[str, str | int] | None = None,
        check: Callable[[Json], None] | None = None,
    ) -> Json:
        """GET ``path`` (relative to the base URL): the parsed JSON, or ProviderError.
        ``check`` raises the provider's own errors found in a 200 answer's body.

        Each request is counted in the metrics by outcome; a rejected key or an exhausted
        plan is told once, naming :attr:`key_variable`, and retried after :data:`KEY_RETRY`."""
        try:
            data, headers = await get_json(
                self._client,
                f"{self.base_url}/{path.lstrip('/')}",
                provider=self.provider,
                headers=self._headers,
                params=params,
            )
            self._read_quota(headers, self.quota)
            if check is not None:
                check(data)
        except ProviderError as err:
            self._failed(err)
            raise
        counter = metrics.current()
        counter.provider_request(self.provider, "ok")
        for period, left in (
            ("day", self.quota.day_remaining),
            ("minute", self.quota.minute_remaining),
        ):
            if left is not None:
                counter.provider_quota(self.provider, period, left)
        if self.key_variable:
            faults.current().end(self.key_variable)
        return data

    def _failed(self, err: ProviderError) -> None:
        fault = key_fault(err)
        metrics.current().provider_request(self.provider, fault or outcome(err))
        if fault is None or not self.key_variable:
            return
        what = "rejected" if fault == "key_rejected" else "has no request left for"
        detail = err.message.removeprefix(f"{self.provider}: ")
        faults.current().begin(
            self.key_variable,
            f"{self.provider} {what} {self.key_variable} ({detail}); trying again every"
            f" {KEY_RETRY / 60:.0f} minutes",
        )
        err.retry_after = max(err.retry_after or 0.0, KEY_RETRY)  # minutes, not seconds
        err.told = True  # see bot.faults.told

    async def aclose(self) -> None:
        if self._own_client:
            await self._client.aclose()


class ProviderClient:
    """What every provider's client shares: its HTTP session, the plan's quota, closing it,
    and a repr that never shows the key."""

    http: ProviderHttp

    @property
    def base_url(self) -> str:
        return self.http.base_url

    @property
    def quota(self) -> Quota:
        return self.http.quota

    def __repr__(self) -> str:  # never show the key
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    async def aclose(self) -> None:
        await self.http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()
