"""Live polling of data providers, as scheduler jobs derived from the store.

For every source, one job: it polls the source's matches that a chat follows, from
``LEAD`` before kick-off until the match is over plus one last poll after full time (providers
drop finished matches from their live lists, and late corrections arrive then), then schedules
itself again after the interval the source's rate limit allows. A second job refreshes the
followed teams' and competitions' fixtures every ``FIXTURES_EVERY``.

**Discovery on demand.** When a chat starts following a team or a competition
(:meth:`LivePolling.discover_new`), its fixtures are looked up at once (a job per source and
team or competition, within seconds: ``team_fixtures``, ``competition_fixtures``), and the poll
job runs right after, so a match about to start is polled from its first minute.

**Retries.** A fixtures look-up that fails (timeout, 5xx, 429, garbage, no request left now) is
logged with the provider and the team or competition and tried again after ``RETRY_DELAYS``
(5 s, 15 s, 45 s, then every few minutes), never left for the next 6-hourly refresh. A failing
provider never stops the bot.

**One poll, one whole.** A poll's objects are ingested one after the other; a full-time
recap that comes due meanwhile (no recap delay) waits for the rest of them (:meth:`settled`):
the statistics and ratings that come in the same answer as the final whistle are in it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from bot.faults import told
from bot.feed_format import FeedError, Item, parse_object
from bot.ports import (
    CompetitionFixtures,
    DayPlanner,
    MatchSource,
    Prioritising,
    ProviderNamed,
    StatefulSource,
    TeamFixtures,
)
from bot.scheduler.timer import Scheduler, utc
from bot.store_contract import CoreStore, DatabaseThread

log = logging.getLogger(__name__)

LEAD = 75 * 60.0
"""A match is handed to its source from this long before kick-off: the source looks for its
line-ups once in a while until its live polling starts, 15 minutes before (see
``adapters/providers/planning.py``)."""
FIXTURES_EVERY = 6 * 3600.0
FRESH_FIXTURES = FIXTURES_EVERY / 2
"""A team's or competition's fixtures looked up this recently are not asked again by the
periodic refresh (one a chat's /subscribe looked up a moment before the start's refresh)."""
IDLE_CHECK = 300.0  # with nothing live, look again this often
GIVE_UP_AFTER = 6 * 3600.0  # a match not over this long after kick-off was postponed or lost
RETRY_DELAYS: tuple[float, ...] = (5.0, 15.0, 45.0, 135.0, 300.0)
"""Waits before the 1st, 2nd... retry of a failed fixtures look-up (the last one repeats)."""
DAY = 86400.0

Ingest = Callable[[Item], Awaitable[Any]]


class LivePolling:
    def __init__(
        self,
        db: DatabaseThread,
        scheduler: Scheduler,
        sources: list[MatchSource],
        ingest: Ingest,
        clock: Callable[[], float],
        retry_delays: Sequence[float] = RETRY_DELAYS,
    ) -> None:
        self.db = db
        self.scheduler = scheduler
        self.sources = sources
        self.ingest = ingest
        self.clock = clock
        self.retry_delays = tuple(retry_delays) or RETRY_DELAYS
        self._looked_up: set[str] = set()
        self._poll_soon: set[str] = set()
        self._discovering: set[tuple[str, str]] = set()  # (source, team) tried, not yet done
        self._found_at: dict[tuple[str, str], float] = {}  # (source, target): last look-up
        self._started = False
        #: held while one poll's (or one look-up's) objects are being ingested
        self._ingesting = asyncio.Lock()

    def start(self) -> None:
        self._started = True
        for source in self.sources:
            if isinstance(source, StatefulSource):
                source.attach(self.db)
            self._schedule_poll(source, 0.0)
            self._schedule_fixtures(source, 0.0)

    def _schedule_poll(self, source: MatchSource, delay: float) -> None:
        async def job() -> None:
            await self._poll_and_reschedule(source)

        self.scheduler.at(f"poll:{source.name}", utc(self.clock() + delay), job)

    def _schedule_fixtures(self, source: MatchSource, delay: float) -> None:
        async def job() -> None:
            try:
                await self.refresh_fixtures(source)
            finally:
                self._schedule_fixtures(source, FIXTURES_EVERY)

        self.scheduler.at(f"fixtures:{source.name}", utc(self.clock() + delay), job)

    async def _poll_and_reschedule(self, source: MatchSource) -> None:
        live = 0
        self._poll_soon.discard(source.name)
        try:
            live = await self.poll(source)
        finally:
            delay = source.poll_interval(live) if live else min(IDLE_CHECK, source.poll_interval(0))
            if source.name in self._poll_soon:  # fixtures were found meanwhile
                delay = 0.0
            self._schedule_poll(source, delay)

    async def poll(self, source: MatchSource) -> int:
        """Poll the source once for every match due; returns how many were polled."""
        horizon = utc(self.clock() + LEAD).isoformat()
        prefix = f"{source.name}:"
        since = utc(self.clock() - GIVE_UP_AFTER).isoformat()
        day = await self._plan_day(source, prefix, since)
        due = await self.db.call(lambda s: s.pollable_matches(prefix, horizon, since))
        if not due:
            return 0
        ids = [m["id"] for m in due]
        if isinstance(source, Prioritising):  # optional: which matches may get fewer polls
            both = list(dict.fromkeys([*ids, *day]))
            source.prioritise(await self.db.call(lambda s: s.competition_only_matches(both)))
        try:
            objects = await source.poll(ids)
        except Exception as exc:
            log.log(
                logging.DEBUG if told(exc) else logging.WARNING,
                "%s: poll of %s failed, keeping the last good state: %s",
                source.name,
                ", ".join(ids),
                exc,
            )
            return len(ids)
        await self._ingest_all(source, objects)
        last = [m["id"] for m in due if m["finished_at"] is not None]

        def mark_last(store: CoreStore) -> None:  # finished before this poll: it was the last
            for match_id in last:
                store.mark_final_poll(match_id)

        await self.db.call(mark_last)
        return len(ids)

    async def _plan_day(self, source: MatchSource, prefix: str, since: str) -> list[str]:
        """Tell a source on a daily quota which followed matches are still to come today
        (their ids are returned)."""
        if not isinstance(source, DayPlanner):
            return []
        now = self.clock()
        end_of_day = utc(now - now % DAY + DAY).isoformat()  # the quota resets at 00:00 UTC
        rows = await self.db.call(lambda s: s.pollable_matches(prefix, end_of_day, since))
        source.plan_day([(r["id"], datetime.fromisoformat(r["kickoff"]).timestamp()) for r in rows])
        return [r["id"] for r in rows]

    async def refresh_fixtures(self, source: MatchSource) -> None:
        teams = await self.db.call(lambda s: s.followed_team_names())
        competitions = await self.db.call(lambda s: [r["name"] for r in s.followed_competitions()])
        self._looked_up.update(teams)
        self._looked_up.update(_competition(c) for c in competitions)
        if teams and not isinstance(source, TeamFixtures):
            try:
                objects = await source.fixtures(teams)
            except Exception as exc:
                log.warning("%s: fixtures for %s failed: %s", source.name, ", ".join(teams), exc)
            else:
                await self._ingest_all(source, objects)
            teams = []
        targets = teams + [_competition(c) for c in competitions if _looks_up_competitions(source)]
        for target in targets:  # one after the other; a failed one is retried on its own
            if self._fresh(source, target):
                continue
            if (source.name, target) not in self._discovering:
                self._discovering.add((source.name, target))
                await self._discover(source, target, 0)

    def _fresh(self, source: MatchSource, target: str) -> bool:
        """Whether ``target``'s fixtures were looked up at ``source`` less than
        :data:`FRESH_FIXTURES` ago."""
        found = self._found_at.get((source.name, target))
        return found is not None and self.clock() - found < FRESH_FIXTURES

    async def discover_new(self) -> None:
        """Look up at once the fixtures of followed teams and competitions not looked up yet
        in this run (a chat just subscribed); does nothing before :meth:`start` (which looks
        them all up)."""
        if not self._started:
            return
        teams = await self.db.call(lambda s: s.followed_team_names())
        competitions = await self.db.call(lambda s: [r["name"] for r in s.followed_competitions()])
        fresh = [t for t in [*teams, *map(_competition, competitions)] if t not in self._looked_up]
        self._looked_up.update(fresh)
        for source in self.sources:
            for target in fresh:
                if _is_competition(target) and not _looks_up_competitions(source):
                    continue
                if (source.name, target) not in self._discovering:
                    self._discovering.add((source.name, target))
                    self._schedule_discovery(source, target, 0.0, 0)

    def _schedule_discovery(
        self, source: MatchSource, target: str, delay: float, attempt: int
    ) -> None:
        async def job() -> None:
            await self._discover(source, target, attempt)

        self.scheduler.at(f"discover:{source.name}:{target}", utc(self.clock() + delay), job)

    async def _discover(self, source: MatchSource, target: str, attempt: int) -> None:
        """One fixtures look-up of one team or competition (``target``: a team's name, or
        ``competition:`` + a competition's name); on failure, the next try is scheduled."""
        provider = (source.provider if isinstance(source, ProviderNamed) else "") or source.name
        name = target.removeprefix(COMPETITION)
        try:
            if _is_competition(target):
                if not isinstance(source, CompetitionFixtures):
                    return  # never given one: only sources that look competitions up are
                objects = await source.competition_fixtures(name)
            elif isinstance(source, TeamFixtures):
                objects = await source.team_fixtures(name)
            else:
                objects = await source.fixtures([name])
        except Exception as exc:
            delay = self.retry_delays[min(attempt, len(self.retry_delays) - 1)]
            retry_after = getattr(exc, "retry_after", None)
            if isinstance(retry_after, int | float):
                delay = max(delay, float(retry_after))
            log.log(
                logging.DEBUG if told(exc) else logging.WARNING,  # a rejected key: told once
                "%s: fixtures of %s failed (attempt %d), trying again in %gs: %s",
                provider,
                name,
                attempt + 1,
                delay,
                _reason(exc, provider),
            )
            self._schedule_discovery(source, target, delay, attempt + 1)
            return
        self._discovering.discard((source.name, target))
        self._found_at[(source.name, target)] = self.clock()
        await self._ingest_all(source, objects)
        if attempt:  # logged once the fixtures are stored, so the line means "usable now"
            log.info("%s: fixtures of %s found after %d attempts", provider, name, attempt + 1)
        if objects and self._started:  # a match may be about to start: poll now
            self._poll_soon.add(source.name)
            self._schedule_poll(source, 0.0)

    async def settled(self) -> None:
        """Return once no poll is halfway through ingesting its objects (at once when none
        is): what a poll brought is then all in the store."""
        async with self._ingesting:
            return

    async def _ingest_all(self, source: MatchSource, objects: list[dict[str, Any]]) -> None:
        async with self._ingesting:
            await self._ingest_each(source, objects)

    async def _ingest_each(self, source: MatchSource, objects: list[dict[str, Any]]) -> None:
        for obj in objects:
            try:
                await self.ingest(parse_object(obj))
            except FeedError as exc:
                log.warning(
                    "%s: rejected %s for match %s: %s",
                    source.name,
                    obj.get("type"),
                    obj.get("match"),
                    exc,
                )
            except Exception as exc:  # one object's trouble must not cost the rest of the poll
                log.warning(
                    "%s: could not process %s for match %s (%s)",
                    source.name,
                    obj.get("type"),
                    obj.get("match"),
                    type(exc).__name__,
                )


COMPETITION = "competition:"
"""Prefix of a discovery target that is a competition (the rest: its name)."""


def _competition(name: str) -> str:
    return COMPETITION + name


def _is_competition(target: str) -> bool:
    return target.startswith(COMPETITION)


def _looks_up_competitions(source: MatchSource) -> bool:
    """Can the source look up a competition's fixtures (``competition_fixtures``)?"""
    return isinstance(source, CompetitionFixtures)


def _reason(exc: BaseException, provider: str) -> str:
    """An error's text for the log, without the provider's name repeated."""
    text = str(getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}")
    return text.removeprefix(f"{provider}: ")
