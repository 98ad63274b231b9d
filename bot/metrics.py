"""What the bot counts for its operator: the metrics port.

The core and the adapters report through :class:`Metrics`; by default nothing is counted
(:class:`NoMetrics`). ``matchbot run`` with ``MATCHBOT_METRICS_PORT`` installs the Prometheus
implementation (:mod:`adapters.ops.prometheus`), so the core itself never imports a metrics
library. Gauges read from the store (outbox backlog, live matches, subscriptions) are not
reported here: the metrics endpoint reads them when it is scraped.

Every method is called on hot paths (each send): an implementation keeps them to a counter
increment or a histogram observation.
"""

from __future__ import annotations

from typing import Protocol

#: outcomes of one send (``Metrics.message_sent``)
SENT = "sent"
RETRY = "retry"  # a passing failure: tried again later
RATE_LIMITED = "rate_limited"
CHAT_GONE = "chat_gone"
CHAT_MOVED = "chat_moved"
REFUSED = "refused"  # the platform refused this message for good
GAVE_UP = "gave_up"
ERROR = "error"  # a bug of ours


class Metrics(Protocol):
    def message_sent(self, platform: str, kind: str, outcome: str, seconds: float) -> None:
        """One send (or edit) ended with ``outcome``; ``seconds`` it took on the wire."""
        ...

    def first_send(self, platform: str, seconds: float) -> None:
        """The first chat got an event's alert ``seconds`` after the event was ingested."""
        ...

    def flood_wait(self, platform: str, seconds: float) -> None:
        """The platform asked to wait ``seconds`` before sending to a chat again."""
        ...

    def chat_deactivated(self, platform: str, reason: str) -> None:
        """A chat was switched off (``blocked``, ``kicked``, ``deleted``, ``removed``…)."""
        ...

    def provider_request(self, provider: str, outcome: str) -> None:
        """One request to a data provider (``ok``, ``key_rejected``, ``rate_limited``…)."""
        ...

    def provider_quota(self, provider: str, period: str, left: int) -> None:
        """Requests the provider's plan has left in ``period`` (``day`` or ``minute``)."""
        ...

    def polling_error(self, platform: str) -> None:
        """Fetching updates from a platform failed once (long polling, a gateway)."""
        ...

    def failure(self, where: str, reason: str) -> None:
        """A passing failure (counted even when its log line is summarised)."""
        ...

    def fault(self, name: str, active: bool) -> None:
        """A fault the operator must fix (``API_FOOTBALL_KEY`` rejected…) began or ended."""
        ...


class NoMetrics:
    """Counts nothing (no metrics endpoint configured)."""

    def message_sent(self, platform: str, kind: str, outcome: str, seconds: float) -> None:
        pass

    def first_send(self, platform: str, seconds: float) -> None:
        pass

    def flood_wait(self, platform: str, seconds: float) -> None:
        pass

    def chat_deactivated(self, platform: str, reason: str) -> None:
        pass

    def provider_request(self, provider: str, outcome: str) -> None:
        pass

    def provider_quota(self, provider: str, period: str, left: int) -> None:
        pass

    def polling_error(self, platform: str) -> None:
        pass

    def failure(self, where: str, reason: str) -> None:
        pass

    def fault(self, name: str, active: bool) -> None:
        pass


_current: Metrics = NoMetrics()


def current() -> Metrics:
    """The metrics of this process (:class:`NoMetrics` unless one was installed)."""
    return _current


def install(metrics: Metrics | None) -> None:
    """Count with ``metrics`` from now on (None: count nothing again)."""
    global _current
    _current = metrics if metrics is not None else NoMetrics()
