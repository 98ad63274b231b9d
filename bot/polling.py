"""Live polling of data providers, as scheduler jobs derived from the store.

For every source, one job: it polls the source's matches that a chat follows, from
``LEAD`` before kick-off until the match is over plus one last poll after full time (providers
drop finished matches from their live lists, and late corrections arrive then), then schedules
itself again after the interval the source's rate limit allows. A second job refreshes the
followed teams' fixtures. A failing provider is logged and retried; it never stops the bot.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from bot.feed import Event, FeedError, MatchDecl, Quote, parse_object
from bot.ports import MatchSource
from bot.scheduler import Scheduler, utc
from storage.store import Store
from storage.thread import StoreThread

log = logging.getLogger(__name__)

LEAD = 15 * 60.0  # start polling this long before kick-off
FIXTURES_EVERY = 6 * 3600.0
IDLE_CHECK = 300.0  # with nothing live, look again this often
GIVE_UP_AFTER = 6 * 3600.0  # a match not over this long after kick-off was postponed or lost

Ingest = Callable[[MatchDecl | Event | Quote], Awaitable[Any]]


class LivePolling:
    def __init__(
        self,
        db: StoreThread,
        scheduler: Scheduler,
        sources: list[MatchSource],
        ingest: Ingest,
        clock: Callable[[], float],
    ) -> None:
        self.db = db
        self.scheduler = scheduler
        self.sources = sources
        self.ingest = ingest
        self.clock = clock

    def start(self) -> None:
        for source in self.sources:
            attach = getattr(source, "attach", None)
            if callable(attach):  # optional: a source that keeps state in the store
                attach(self.db)
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
        try:
            live = await self.poll(source)
        finally:
            delay = source.poll_interval(live) if live else min(IDLE_CHECK, source.poll_interval(0))
            self._schedule_poll(source, delay)

    async def poll(self, source: MatchSource) -> int:
        """Poll the source once for every match due; returns how many were polled."""
        horizon = utc(self.clock() + LEAD).isoformat()
        prefix = f"{source.name}:"
        since = utc(self.clock() - GIVE_UP_AFTER).isoformat()
        due = await self.db.call(lambda s: s.pollable_matches(prefix, horizon, since))
        if not due:
            return 0
        ids = [m["id"] for m in due]
        try:
            objects = await source.poll(ids)
        except Exception as exc:
            log.warning(
                "%s: poll of %s failed, keeping the last good state: %s",
                source.name,
                ", ".join(ids),
                exc,
            )
            return len(ids)
        await self._ingest_all(source, objects)
        last = [m["id"] for m in due if m["finished_at"] is not None]

        def mark_last(store: Store) -> None:  # finished before this poll: it was the last
            for match_id in last:
                store.mark_final_poll(match_id)

        await self.db.call(mark_last)
        return len(ids)

    async def refresh_fixtures(self, source: MatchSource) -> None:
        teams = await self.db.call(lambda s: s.followed_team_names())
        if not teams:
            return
        try:
            objects = await source.fixtures(teams)
        except Exception as exc:
            log.warning("%s: fixtures for %s failed: %s", source.name, ", ".join(teams), exc)
            return
        await self._ingest_all(source, objects)

    async def _ingest_all(self, source: MatchSource, objects: list[dict[str, Any]]) -> None:
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
