"""A passing failure told once: one warning line when it begins, repeats counted (in the log's
summary and in the metrics) instead of logged one by one, one line when it ends.

A burst of 5xx answers from a platform (a proxy's 502 page during an outage) is dozens of
failed sends in a few seconds; the operator reads::

    WARNING telegram sends failing: Bad Gateway (retried with backoff; repeats are counted)
    WARNING telegram sends still failing: 41 more in 60 s (Bad Gateway ×39, timed out ×2)
    INFO telegram sends work again after 75 s (57 failures: Bad Gateway ×55, timed out ×2)
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable

from bot import metrics

#: seconds between two "still failing" summaries
SUMMARY_EVERY = 60.0
#: how much of a reason names a kind of failure (the rest is detail that varies)
REASON_CHARS = 80


def reason_kind(reason: str) -> str:
    """The failure's kind, for counting: its first line, shortened."""
    return reason.strip().splitlines()[0][:REASON_CHARS] if reason.strip() else "unknown"


class RepeatedFailures:
    """The failures of one activity (``telegram sends``, ``telegram polling``…)."""

    def __init__(
        self,
        what: str,
        logger: logging.Logger,
        *,
        summary_every: float = SUMMARY_EVERY,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.what = what
        self.log = logger
        self.summary_every = summary_every
        self.clock = clock
        self._since: float | None = None
        self._summarised_at = 0.0
        self._total: Counter[str] = Counter()
        self._unsummarised: Counter[str] = Counter()

    @property
    def failing(self) -> bool:
        return self._since is not None

    def failed(self, reason: str, **fields: object) -> None:
        kind = reason_kind(reason)
        metrics.current().failure(self.what, kind)
        now = self.clock()
        self._total[kind] += 1
        if self._since is None:
            self._since = self._summarised_at = now
            self.log.warning(
                "%s failing: %s (retried with backoff; repeats are counted)",
                self.what,
                kind,
                extra=fields,
            )
            return
        self._unsummarised[kind] += 1
        if now - self._summarised_at >= self.summary_every:
            count = sum(self._unsummarised.values())
            self.log.warning(
                "%s still failing: %d more in %.0f s (%s)",
                self.what,
                count,
                now - self._summarised_at,
                _kinds(self._unsummarised),
            )
            self._summarised_at = now
            self._unsummarised.clear()

    def succeeded(self) -> None:
        """It works again: one line with what was counted, then forget it."""
        if self._since is None:
            return
        total = sum(self._total.values())
        self.log.info(
            "%s work again after %.0f s (%d failures: %s)",
            self.what,
            self.clock() - self._since,
            total,
            _kinds(self._total),
        )
        self._since = None
        self._total.clear()
        self._unsummarised.clear()


def _kinds(counts: Counter[str]) -> str:
    return ", ".join(f"{kind} ×{n}" for kind, n in counts.most_common(5))
