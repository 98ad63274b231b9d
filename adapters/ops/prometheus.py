"""The metrics port (:mod:`bot.metrics`) counted with prometheus-client, in a registry of its
own (so tests and a second bot in one process never share counters).

Hot paths (a send) cost a dictionary look-up and a counter increment: each label set's child
is looked up once and kept.
"""

from __future__ import annotations

import platform as python_platform
from importlib import metadata

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    PlatformCollector,
    ProcessCollector,
)

#: seconds a send takes on the wire
SEND_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
#: seconds from an event's ingest to its first chat
FIRST_SEND_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0)


def version() -> str:
    try:
        return metadata.version("matchbot")
    except metadata.PackageNotFoundError:  # running from a checkout that was not installed
        return "unknown"


class PrometheusMetrics:
    """:class:`bot.metrics.Metrics` as Prometheus counters, histograms and gauges."""

    def __init__(self, started_at: float) -> None:
        self.registry = registry = CollectorRegistry()
        ProcessCollector(registry=registry)
        PlatformCollector(registry=registry)
        self.sent = Counter(
            "matchbot_messages_sent",
            "Sends and edits of outbox messages, by platform, kind and outcome",
            ["platform", "kind", "outcome"],
            registry=registry,
        )
        self.send_seconds = Histogram(
            "matchbot_send_seconds",
            "Seconds one send (or edit) took on the wire",
            ["platform"],
            buckets=SEND_BUCKETS,
            registry=registry,
        )
        self.first_send_seconds = Histogram(
            "matchbot_ingest_to_first_send_seconds",
            "Seconds from an event's ingest to its first alert reaching the platform",
            ["platform"],
            buckets=FIRST_SEND_BUCKETS,
            registry=registry,
        )
        self.flood_waits = Counter(
            "matchbot_flood_waits",
            "Times a platform asked to wait before sending to a chat again",
            ["platform"],
            registry=registry,
        )
        self.flood_wait_seconds = Counter(
            "matchbot_flood_wait_seconds",
            "Seconds platforms asked to wait, added up",
            ["platform"],
            registry=registry,
        )
        self.chats_deactivated = Counter(
            "matchbot_chats_deactivated",
            "Chats switched off, by reason (blocked, kicked, deleted, removed, other)",
            ["platform", "reason"],
            registry=registry,
        )
        self.provider_requests = Counter(
            "matchbot_provider_requests",
            "Requests to data providers, by outcome",
            ["provider", "outcome"],
            registry=registry,
        )
        self.quota_left = Gauge(
            "matchbot_provider_quota_left",
            "Requests the provider's plan has left (period: day or minute)",
            ["provider", "period"],
            registry=registry,
        )
        self.polling_errors = Counter(
            "matchbot_polling_errors",
            "Failed attempts to fetch updates from a platform",
            ["platform"],
            registry=registry,
        )
        self.failures = Counter(
            "matchbot_passing_failures",
            "Passing failures (timeouts, 5xx), each counted though the log summarises them",
            ["where"],
            registry=registry,
        )
        self.faults = Gauge(
            "matchbot_fault",
            "1 while a fault the operator must fix lasts (a rejected key or token)",
            ["fault"],
            registry=registry,
        )
        self.outbox_pending = Gauge(
            "matchbot_outbox_pending",
            "Outbox messages not yet delivered",
            ["platform"],
            registry=registry,
        )
        self.outbox_oldest = Gauge(
            "matchbot_outbox_oldest_pending_seconds",
            "Age of the oldest outbox message not yet delivered (0: none)",
            ["platform"],
            registry=registry,
        )
        self.live_matches = Gauge("matchbot_live_matches", "Matches under way", registry=registry)
        self.subscriptions = Gauge(
            "matchbot_subscriptions",
            "Subscriptions of active chats (teams, competitions, players)",
            registry=registry,
        )
        self.active_chats = Gauge(
            "matchbot_active_chats", "Chats that get alerts", registry=registry
        )
        self.healthy = Gauge("matchbot_healthy", "1 while /healthz answers 200", registry=registry)
        start = Gauge(
            "matchbot_start_time_seconds", "When the bot started (Unix time)", registry=registry
        )
        start.set(started_at)
        Info("matchbot_build", "The bot's version", registry=registry).info(
            {"version": version(), "python": python_platform.python_version()}
        )
        self._sent_children: dict[tuple[str, str, str], Counter] = {}
        self._send_seconds_children: dict[str, Histogram] = {}

    # --- bot.metrics.Metrics ---------------------------------------------------------------

    def message_sent(self, platform: str, kind: str, outcome: str, seconds: float) -> None:
        key = (platform, kind, outcome)
        child = self._sent_children.get(key)
        if child is None:
            child = self._sent_children[key] = self.sent.labels(*key)
        child.inc()
        if seconds > 0:
            timer = self._send_seconds_children.get(platform)
            if timer is None:
                timer = self._send_seconds_children[platform] = self.send_seconds.labels(platform)
            timer.observe(seconds)

    def first_send(self, platform: str, seconds: float) -> None:
        self.first_send_seconds.labels(platform).observe(seconds)

    def flood_wait(self, platform: str, seconds: float) -> None:
        self.flood_waits.labels(platform).inc()
        self.flood_wait_seconds.labels(platform).inc(seconds)

    def chat_deactivated(self, platform: str, reason: str) -> None:
        self.chats_deactivated.labels(platform, reason).inc()

    def provider_request(self, provider: str, outcome: str) -> None:
        self.provider_requests.labels(provider, outcome).inc()

    def provider_quota(self, provider: str, period: str, left: int) -> None:
        self.quota_left.labels(provider, period).set(left)

    def polling_error(self, platform: str) -> None:
        self.polling_errors.labels(platform).inc()

    def failure(self, where: str, reason: str) -> None:
        self.failures.labels(where).inc()

    def fault(self, name: str, active: bool) -> None:
        self.faults.labels(name).set(1 if active else 0)
