"""Is the bot working? What ``/healthz`` answers, decided here from what delivery saw.

The bot is unhealthy when

* the store cannot be written (a probe write fails), or
* a platform has had messages waiting, or its sends failing, for longer than the stall time,
  and nothing has reached that platform for as long (``MATCHBOT_HEALTH_STALL_SECONDS``).

It becomes healthy again by itself: the next message that reaches the platform (or the next
probe write that succeeds) ends the trouble. A platform asking to wait (flood control) or
refusing one chat has answered: that is not a stall.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from bot import metrics

#: default ``MATCHBOT_HEALTH_STALL_SECONDS``
DEFAULT_STALL = 300.0


@dataclass(frozen=True)
class Backlog:
    """One platform's outbox as the store sees it (epoch seconds)."""

    platform: str
    pending: int
    #: the oldest pending row's creation time (None: nothing pending)
    oldest_pending_at: float | None
    #: since when the oldest row that is due (or was tried and failed) has been waiting
    waiting_since: float | None


@dataclass(frozen=True)
class Verdict:
    healthy: bool
    reason: str  # one line


class Health:
    """Kept by the deliveries (:meth:`answered`, :meth:`failed`) and the store probe;
    asked by the health endpoint (:meth:`verdict`)."""

    def __init__(
        self, stall_seconds: float = DEFAULT_STALL, clock: Callable[[], float] = time.time
    ) -> None:
        self.stall = stall_seconds
        self.clock = clock
        self.started_at = clock()
        self.ready = False  # every platform started
        #: this process sends the outbox (False: it stands by while another process, sharing
        #: the database, leads and sends: the backlog is that one's to judge)
        self.sending = True
        self._answered: dict[str, float] = {}
        self._failing_since: dict[str, float] = {}
        self._store_error: str | None = None

    # --- reported by delivery ------------------------------------------------------------------

    def answered(self, platform: str) -> None:
        """A request reached ``platform`` and it answered (sent, or refused for a reason of
        its own): the platform works."""
        self._answered[platform] = self.clock()
        if self._failing_since:
            self._failing_since.pop(platform, None)

    def failed(self, platform: str) -> None:
        """A send to ``platform`` failed in passing (no answer, a timeout, a 5xx)."""
        self._failing_since.setdefault(platform, self.clock())

    # --- reported by the store probe -----------------------------------------------------------

    def store_written(self) -> None:
        self._store_error = None

    def store_failed(self, reason: str) -> None:
        self._store_error = reason

    # --- asked by the endpoint -----------------------------------------------------------------

    def last_answer(self, platform: str) -> float:
        return self._answered.get(platform, self.started_at)

    def verdict(self, backlogs: Iterable[Backlog] = ()) -> Verdict:
        if self._store_error is not None:
            return Verdict(False, f"the store cannot be written: {self._store_error}")
        now = self.clock()
        if not self.sending:
            return Verdict(True, "standing by: another process leads and sends")
        for backlog in sorted(backlogs, key=lambda b: b.platform):
            stalled = self._stalled(backlog.platform, backlog.waiting_since, now)
            if stalled is not None:
                waiting = f"{backlog.pending} messages waiting, " if backlog.pending else ""
                return Verdict(
                    False,
                    f"{backlog.platform}: {waiting}nothing delivered for {stalled:.0f} s",
                )
        for platform in sorted(self._failing_since):
            stalled = self._stalled(platform, None, now)
            if stalled is not None:
                return Verdict(
                    False, f"{platform}: sends failing, nothing delivered for {stalled:.0f} s"
                )
        return Verdict(True, "ok")

    def _stalled(self, platform: str, waiting_since: float | None, now: float) -> float | None:
        """Seconds nothing reached ``platform`` while it had work, when past the stall time."""
        since = [t for t in (waiting_since, self._failing_since.get(platform)) if t is not None]
        if not since:
            return None
        trouble = now - min(since)
        quiet = now - self.last_answer(platform)
        if trouble > self.stall and quiet > self.stall:
            return min(trouble, quiet)
        return None


class FirstSends:
    """Ingest-to-first-send latency: when an event's alerts were queued, until the first of
    them reaches each platform (reported to :mod:`bot.metrics`)."""

    #: entries older than this are forgotten (an event nobody follows on that platform)
    KEEP = 3600.0
    #: past this many entries, the old ones are dropped
    LIMIT = 10_000

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._waiting: dict[tuple[str, str], float] = {}

    def queued(self, key_prefix: str, platforms: Iterable[str]) -> None:
        """An event's alerts were queued under keys starting ``key_prefix`` + ``:``."""
        now = self.clock()
        for platform in platforms:
            self._waiting.setdefault((key_prefix, platform), now)
        if len(self._waiting) > self.LIMIT:
            horizon = now - self.KEEP
            self._waiting = {k: t for k, t in self._waiting.items() if t > horizon}

    def sent(self, platform: str, key: str) -> None:
        """The row ``key`` (``event:<match>:<event>:<platform>:<chat>``) reached ``platform``."""
        if not self._waiting:
            return
        queued = self._waiting.pop((key.rsplit(":", 2)[0], platform), None)
        if queued is not None:
            metrics.current().first_send(platform, self.clock() - queued)
