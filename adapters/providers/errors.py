"""The one exception the provider clients raise."""

from __future__ import annotations


class ProviderError(Exception):
    """A provider call failed.

    ``status`` is the HTTP status when there was one; ``retry_after`` (seconds) is set when the
    provider said how long to wait (HTTP 429 ``Retry-After``, football-data's
    ``X-RequestCounter-Reset``, API-Football's per-minute ``rateLimit`` error); ``retryable`` tells
    the caller whether trying again can help (5xx, timeouts, rate limits, garbage) or
    not (bad key, unknown fixture, daily quota exhausted).
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        retryable: bool = False,
    ) -> None:
        self.provider = provider
        self.status = status
        self.retry_after = retry_after
        self.retryable = retryable
        #: already told to the operator (a rejected key: see :mod:`bot.faults`)
        self.told = False
        self.message = f"{provider}: {message}" if provider else message
        super().__init__(self.message)
