"""How often a provider may be polled: quota planning and backoff after failures.

API-Football counts requests per day (free plan: 100) and per minute; football-data.org counts
them per minute (free plan: 10). :class:`PollPlanner` turns the budget the provider last
reported (:class:`~adapters.providers.http.Quota`) into the delay before the next poll:

* **daily budget** (``plan_daily``): the requests left today, minus a ``reserve`` kept for
  fixture look-ups and team searches, are spread over what is left of the live windows of the
  matches being followed *and of the followed matches still to come today* (a match is polled
  from ``LEAD`` before kick-off until about ``MATCH_WINDOW`` after it; overlapping windows
  share requests): ``interval = max(min_interval, windows_left * requests_per_poll / budget)``,
  so requests are held back for the evening's matches. ``check_day`` warns when the day's
  matches cannot all be covered at a poll every ``warn_interval``. When that
  stretches past ``warn_interval`` (alerts would come late) a WARNING is logged once per match;
  the bot polls more slowly rather than stopping, eating into the reserve when it must; with
  nothing left it polls every ``EXHAUSTED_INTERVAL``;
* **line-ups before kick-off**: from ``LINEUP_LEAD`` before kick-off until ``LEAD`` before it,
  a match is looked at once every ``LINEUP_EVERY`` until both line-ups are in
  (:meth:`PollPlanner.lineup_due`); the daily plan keeps the requests those looks still need
  (``lineup_requests``: the matches' look-up stretches, overlapping ones sharing a request) out
  of the budget it spreads over the live windows;
* **per-minute budget** (``plan_minute``): never more than ``minute_limit - reserve`` requests
  a minute, and when the provider says the minute is used up, wait for its counter to reset;
* **matches followed only through a competition** (``secondary``) are the first to get fewer
  polls when the budget runs short: ``thinning`` picks the smallest ``every`` (up to
  ``MAX_EVERY``) that keeps the matches of followed teams and players within ``warn_interval``
  (daily budget: the competition-only stretches of the day count ``1/every`` of their length,
  and are polled ``every`` times less often; per-minute budget: each competition-only match is
  polled on one poll in ``every``). Which matches, and how much less, is logged when it changes;
* **failures** (:meth:`PollPlanner.failed`): exponential backoff from ``min_interval`` up to
  ``MAX_BACKOFF``, never shorter than the provider's ``Retry-After``; a good poll resets it.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field

from adapters.providers.errors import ProviderError
from adapters.providers.http import Quota

log = logging.getLogger(__name__)

LEAD = 15 * 60.0
"""Live polling starts this long before kick-off."""
LINEUP_LEAD = 75 * 60.0
"""Line-ups are looked for from this long before kick-off (providers publish them about an
hour before; :mod:`bot.scheduler.polling` hands a match to its source from then on)…"""
LINEUP_EVERY = 10 * 60.0
"""…once in this long, until both teams' line-ups are in or live polling starts (``LEAD``)."""
MATCH_WINDOW = 135 * 60.0
"""Polling of a match lasts until about this long after kick-off (90' + breaks + stoppage)."""
MIN_WINDOW_LEFT = 15 * 60.0
"""A match running late (extra time, delays) is assumed to need at least this much more."""
EXHAUSTED_INTERVAL = 15 * 60.0
"""With no request left today, look again this often (the count resets at 00:00 UTC)."""
MAX_INTERVAL = 30 * 60.0
MAX_BACKOFF = 5 * 60.0
MAX_EVERY = 4
"""A match followed only through a competition is polled at least one time in this many."""


@dataclass
class PollPlanner:
    """The delay before the next poll of one provider."""

    provider: str
    min_interval: float
    reserve: int
    clock: Callable[[], float]
    match_window: float = MATCH_WINDOW
    warn_interval: float = 180.0
    failures: int = 0
    retry_after: float | None = None
    warned: set[str] = field(default_factory=set)
    thinned: tuple[int, tuple[str, ...]] = (1, ())
    #: when each match was last looked at for its line-ups (before its live window)
    lineup_looks: dict[str, float] = field(default_factory=dict)

    # -- failures ------------------------------------------------------------------------------

    def failed(self, err: BaseException) -> None:
        self.failures += 1
        if isinstance(err, ProviderError) and err.retry_after is not None:
            self.retry_after = max(self.retry_after or 0.0, err.retry_after)

    def succeeded(self) -> None:
        self.failures = 0
        self.retry_after = None

    def backoff(self) -> float:
        """Seconds to wait after the failures so far (0 when the last poll went fine)."""
        if not self.failures:
            return 0.0
        delay = min(MAX_BACKOFF, self.min_interval * 2.0 ** (self.failures - 1))
        return max(delay, self.retry_after or 0.0)

    # -- budgets -------------------------------------------------------------------------------

    def may_look_up(self, quota: Quota) -> bool:
        """May a team search be made? Searches and fixture look-ups draw on the ``reserve``;
        a search stops at half of it, so fixture look-ups of followed teams keep the rest."""
        return quota.day_remaining is None or quota.day_remaining > self.reserve // 2

    def plan_daily(
        self,
        quota: Quota,
        requests_per_poll: int,
        kickoffs: Iterable[tuple[str, float]],
        later: Iterable[tuple[str, float]] = (),
        secondary: Collection[str] = frozenset(),
        every: int = 1,
    ) -> float:
        """Interval that makes today's remaining requests last the day's live windows.

        ``kickoffs`` are (match id, kick-off timestamp) of the matches being polled; ``later``
        the followed matches still to come today: their windows are counted too, so requests
        are held back for them (windows that overlap cost one request per poll). Stretches of
        the day when only ``secondary`` matches are live count ``1/every`` of their length
        (they are polled ``every`` times less often)."""
        interval = self.min_interval
        matches = list(kickoffs)
        remaining = quota.day_remaining
        if remaining is not None and matches:
            coming = self._coming(matches, later)
            window = self._window(matches, coming, secondary, every)
            lineups = self.lineup_requests([*matches, *coming], secondary if every > 1 else ())
            budget = remaining - self.reserve - lineups
            if remaining <= 0:
                planned = EXHAUSTED_INTERVAL
            elif budget <= 0:  # eat into the reserve, slowly
                planned = window * requests_per_poll / remaining
            else:
                planned = window * requests_per_poll / budget
            planned = min(planned, MAX_INTERVAL) if remaining > 0 else planned
            if planned > max(self.min_interval, self.warn_interval):
                self._warn_short(matches, remaining, planned, len(coming))
            interval = max(interval, planned)
        return max(interval, self.plan_minute(quota, requests_per_poll, 0))

    def _coming(
        self, matches: list[tuple[str, float]], later: Iterable[tuple[str, float]]
    ) -> list[tuple[str, float]]:
        now = self.clock()
        polled = {mid for mid, _ in matches}
        return [(m, k) for m, k in later if m not in polled and k + self.match_window > now]

    def _window(
        self,
        live: list[tuple[str, float]],
        coming: list[tuple[str, float]],
        secondary: Collection[str] = frozenset(),
        every: int = 1,
    ) -> float:
        """Seconds of polling still needed, the competition-only stretches weighted 1/every."""
        whole = self.windows_left(live, coming)
        if every <= 1 or not secondary:
            return whole
        first = self.windows_left(
            [m for m in live if m[0] not in secondary], [m for m in coming if m[0] not in secondary]
        )
        return first + (whole - first) / every

    def thinning(
        self,
        quota: Quota,
        requests_per_poll: int,
        kickoffs: Iterable[tuple[str, float]],
        later: Iterable[tuple[str, float]],
        secondary: Collection[str],
    ) -> int:
        """How many times less often the matches followed only through a competition are
        polled so that the others keep a poll every ``warn_interval`` on the day's budget
        (1: no need; at most ``MAX_EVERY``). Logged when it changes."""
        matches = list(kickoffs)
        remaining = quota.day_remaining
        involved = {m for m, _ in matches} | {m for m, _ in later}
        thin = sorted(involved & set(secondary))
        every = 1
        if remaining is not None and matches and thin:
            coming = self._coming(matches, later)
            while every < MAX_EVERY:
                skip = secondary if every > 1 else ()
                lineups = self.lineup_requests([*matches, *coming], skip)
                budget = max(1, remaining - self.reserve - lineups)
                window = self._window(matches, coming, secondary, every)
                if window * requests_per_poll / budget <= max(
                    self.min_interval, self.warn_interval
                ):
                    break
                every += 1
        self.note_thinning(every, thin, f"{remaining} requests left today")
        return every

    def thinning_per_minute(
        self, quota: Quota, first: int, secondary: Sequence[str], target: float
    ) -> int:
        """On a per-minute budget (one request per match and poll), how many times less often
        each of the ``secondary`` matches is polled so that a poll of the ``first`` ones (and a
        share of the others) comes every ``target`` seconds (1: no need; at most
        ``MAX_EVERY``). Logged when it changes."""
        every = 1
        if secondary:
            floor = max(target, self.plan_minute(quota, max(1, first)))
            while every < MAX_EVERY:
                cost = first + math.ceil(len(secondary) / every)
                if self.plan_minute(quota, max(1, cost)) <= floor:
                    break
                every += 1
        self.note_thinning(every, sorted(secondary), "the per-minute limit")
        return every

    def note_thinning(self, every: int, secondary: Sequence[str], why: str) -> None:
        """Log which matches get fewer polls, once per change."""
        state = (every, tuple(secondary) if every > 1 else ())
        if state == self.thinned:
            return
        self.thinned = state
        if every > 1:
            log.warning(
                "%s: quota short (%s): %d matches followed only through a competition (%s) "
                "are polled %d times less often; matches of followed teams and players keep "
                "every poll",
                self.provider,
                why,
                len(secondary),
                ", ".join(secondary),
                every,
            )
        else:
            log.info("%s: every followed match is polled at the full rate again", self.provider)

    # -- line-ups before kick-off -------------------------------------------------------------

    def lineup_due(
        self, match_id: str, kickoff: float | None, complete: bool, secondary: bool = False
    ) -> bool | None:
        """Whether a match before its live window gets a look for its line-ups now: None when
        it is in its live window (or its kick-off is unknown: the caller polls it as usual);
        False when its line-ups are in, it is too early, it was looked at less than
        ``LINEUP_EVERY`` ago, or it is followed only through a competition while the quota
        is short (see ``thinning``: their line-ups are the first thing given up); True (and
        the look is noted) otherwise."""
        now = self.clock()
        if kickoff is None:  # its first look tells (and counts as a look for its line-ups)
            self.lineup_looks[match_id] = now
            return None
        if now >= kickoff - LEAD:
            return None
        if complete or now < kickoff - LINEUP_LEAD or (secondary and self.thinned[0] > 1):
            return False
        if now - self.lineup_looks.get(match_id, -math.inf) < LINEUP_EVERY:
            return False
        self.lineup_looks[match_id] = now
        return True

    def lineup_requests(
        self, matches: Iterable[tuple[str, float]], skip: Collection[str] = ()
    ) -> int:
        """Requests the line-up looks of ``matches`` (id, kick-off; but those in ``skip``)
        still need today at most: one every ``LINEUP_EVERY`` over the union of their stretches
        from ``LINEUP_LEAD`` to ``LEAD`` before kick-off (looks at the same time share one
        request)."""
        now = self.clock()
        spans = sorted(
            (max(now, k - LINEUP_LEAD), k - LEAD)
            for m, k in matches
            if k - LEAD > now and m not in skip
        )
        total, end = 0.0, now
        for start, stop in spans:
            start = max(start, end)
            if stop > start:
                total += stop - start
                end = stop
        return math.ceil(total / LINEUP_EVERY)

    def windows_left(
        self, live: Iterable[tuple[str, float]], coming: Iterable[tuple[str, float]] = ()
    ) -> float:
        """Seconds of polling still needed: the union of the live matches' remaining windows
        (at least ``MIN_WINDOW_LEFT``; a match handed over for its line-ups counts from
        ``LEAD`` before kick-off) and the coming matches' windows (``LEAD`` before kick-off to
        ``match_window`` after)."""
        now = self.clock()
        spans = [
            (max(now, k - LEAD), max(now + MIN_WINDOW_LEFT, k + self.match_window)) for _, k in live
        ]
        spans += [(max(now, k - LEAD), k + self.match_window) for _, k in coming]
        total, end = 0.0, now
        for start, stop in sorted(spans):
            start = max(start, end)
            if stop > start:
                total += stop - start
                end = stop
        return total

    def check_day(self, quota: Quota, today: Iterable[tuple[str, float]]) -> None:
        """Warn (once per set of matches) when the requests left today cannot poll the day's
        followed matches at least every ``warn_interval``."""
        matches = list(today)
        remaining = quota.day_remaining
        if remaining is None or not matches:
            return
        needed = math.ceil(self.windows_left([], matches) / max(self.warn_interval, 1.0))
        if needed <= remaining - self.reserve:
            return
        key = "day:" + ",".join(sorted(mid for mid, _ in matches))
        if key in self.warned:
            return
        self.warned.add(key)
        log.warning(
            "%s: %d requests left today cannot cover the %d followed matches still to come "
            "(%s): about %d are needed to poll every %ds; alerts will come late",
            self.provider,
            remaining,
            len(matches),
            ", ".join(mid for mid, _ in matches),
            needed + self.reserve,
            math.ceil(self.warn_interval),
        )

    def plan_minute(
        self, quota: Quota, requests_per_poll: int, reserve: int | None = None
    ) -> float:
        """Interval that keeps ``requests_per_poll`` within the per-minute limit."""
        interval = self.min_interval
        spare = self.reserve if reserve is None else reserve
        if quota.minute_limit:
            per_minute = max(1, quota.minute_limit - spare)
            interval = max(interval, 60.0 * requests_per_poll / per_minute)
        return max(interval, quota.wait_seconds())

    def _warn_short(
        self, matches: list[tuple[str, float]], remaining: int, planned: float, coming: int
    ) -> None:
        fresh = [mid for mid, _ in matches if mid not in self.warned]
        if not fresh:
            return
        self.warned.update(fresh)
        later = f" (and {coming} more later today)" if coming else ""
        log.warning(
            "%s: daily request quota running short (%d left) for %s%s: polling only every %ds",
            self.provider,
            remaining,
            ", ".join(fresh),
            later,
            math.ceil(planned),
        )
