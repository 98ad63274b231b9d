"""The bot's timed jobs on its one scheduler (APScheduler): full-time recaps, fixture
reminders, daily digests, housekeeping, and the start of provider polling.

Jobs are never pickled into an APScheduler job store: the SQLite store is the only record, and
every job is derived from it at start-up (and re-derived whenever the store changes), with
stable ids, so a restart re-creates exactly the jobs still due.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from datetime import time as dt_time

from bot.chat_settings import ChatSettings
from bot.commands import Commands
from bot.engine import Engine, Ingested
from bot.messages import i18n
from bot.ports import StatsSource, TableRow
from bot.scheduler.polling import LivePolling
from bot.scheduler.timer import Scheduler, utc
from bot.store_contract import CoreStore, DatabaseThread, NewOutboxRow

log = logging.getLogger(__name__)

KEEP_DELIVERED = 14 * 86400.0  # delivered messages are forgotten after two weeks
HOUSEKEEPING_EVERY = 86400.0
DIGEST_CATCH_UP = 3 * 3600.0  # a daily digest missed by less than this goes out at start-up
#: how often the leader of processes sharing one database looks in it for the jobs another
#: process made due (a reporter's full time reported on a process standing by: its recap; a
#: match it declared: its reminder), and how often for the digests other processes' settings
#: commands turned on or moved (this look reads every chat that has one); the first is the
#: default of ``MATCHBOT_LEADER_LOOK_SECONDS``
SHARED_LOOK_EVERY = 5.0
SHARED_DIGEST_LOOK_EVERY = 60.0


class TimedJobs:
    """Every timed job of the running bot, each derived from the store under a stable id:
    ``recap:<match>``, ``reminder:<match>``, ``digest:<platform>:<chat>``, ``housekeeping``
    (provider polling schedules itself: :class:`bot.scheduler.polling.LivePolling`).

    ``recap_delay`` None: no recap is scheduled (a replay, whose caller queues the recaps);
    ``reminder_lead`` None: no fixture reminders. ``wake`` tells delivery something was queued.
    ``shared``: other processes write to the database too (they stand by: their scheduler
    does not run), so the leader looks in it for the jobs they made due every ``look_every``
    seconds (None: :data:`SHARED_LOOK_EVERY`; :meth:`adopt_from_store`).
    """

    def __init__(
        self,
        scheduler: Scheduler,
        db: DatabaseThread,
        engine: Engine,
        commands: Commands,
        polling: LivePolling,
        clock: Callable[[], float],
        wake: Callable[[], None],
        *,
        recap_delay: float | None,
        reminder_lead: float | None,
        stats: StatsSource | None,
        shared: bool = False,
        look_every: float | None = None,
    ) -> None:
        self.scheduler = scheduler
        self.db = db
        self.engine = engine
        self.commands = commands
        self.polling = polling
        self.clock = clock
        self.wake = wake
        self.recap_delay = recap_delay
        self.reminder_lead = reminder_lead
        self.stats = stats
        self.shared = shared
        self.look_every = look_every
        #: what each reminder and digest job was scheduled for (to tell a change)
        self._reminders: dict[str, float] = {}
        self._digests: dict[tuple[str, str], tuple[str | None, str]] = {}
        self._digests_looked_at = -float("inf")

    async def start(self) -> None:
        """Start the scheduler with every job the store calls for, then provider polling."""
        self.scheduler.start()
        await self.schedule_from_store()
        self._digests_looked_at = self.clock()
        self._schedule_housekeeping(0.0)
        if self.shared:
            self._schedule_look(self._look_every())
        self.polling.start()

    def stop(self) -> None:
        self.scheduler.stop()

    async def follow_up(self, result: Ingested) -> None:
        """The jobs an ingested feed object calls for: a match finished has its recap, a
        kick-off moved has its reminder moved."""
        if result.finished and self.recap_delay is not None:
            self._schedule_recap(result.match_id, self.clock() + self.recap_delay)
        if result.kickoff_changed and self.reminder_lead is not None:
            fixture = await self.db.run(self.engine.fixture, result.match_id)
            if fixture is not None:
                self._schedule_reminder(result.match_id, fixture.kickoff.timestamp())

    async def schedule_from_store(self) -> None:
        """Derive every pending job from the store (at start-up, and after a restart)."""
        for chat in await self.db.call(lambda s: s.chats_with_digest()):
            self._schedule_digest(
                chat["platform"], chat["chat_id"], ChatSettings.from_json(chat["settings"])
            )
        if self.recap_delay is not None:  # None: a replay, whose caller queues the recaps
            due = await self.db.call(lambda s: s.finished_matches_without_recap())
            for match in due:
                self._schedule_recap(match["id"], (match["finished_at"] or 0) + self.recap_delay)
        if self.reminder_lead is None:
            return
        now_iso = utc(self.clock()).isoformat()
        for match in await self.db.call(lambda s: s.upcoming_matches(now_iso)):
            self._schedule_reminder(
                match["id"], datetime.fromisoformat(match["kickoff"]).timestamp()
            )

    async def adopt_from_store(self) -> None:
        """The jobs another process sharing the database made due, which this one has not
        scheduled: a finished match's recap, a match's reminder (new, or its kick-off moved),
        and (every :data:`SHARED_DIGEST_LOOK_EVERY` seconds) a chat's digest turned on or
        moved. What is scheduled already is left alone."""
        if self.recap_delay is not None:
            for match in await self.db.call(lambda s: s.finished_matches_without_recap()):
                if not self.scheduler.has(f"recap:{match['id']}"):
                    log.info("%s: full time recorded by another process", match["id"])
                    self._schedule_recap(
                        match["id"], (match["finished_at"] or 0) + self.recap_delay
                    )
        if self.reminder_lead is not None:
            now_iso = utc(self.clock()).isoformat()
            for match in await self.db.call(lambda s: s.upcoming_matches(now_iso)):
                kickoff = datetime.fromisoformat(match["kickoff"]).timestamp()
                if self._reminders.get(match["id"]) != kickoff:
                    self._schedule_reminder(match["id"], kickoff)
        if self.clock() - self._digests_looked_at >= SHARED_DIGEST_LOOK_EVERY:
            self._digests_looked_at = self.clock()
            for chat in await self.db.call(lambda s: s.chats_with_digest()):
                settings = ChatSettings.from_json(chat["settings"])
                if self._digests.get((chat["platform"], chat["chat_id"])) != _digest_of(settings):
                    self._schedule_digest(
                        chat["platform"], chat["chat_id"], settings, catch_up=False
                    )

    def _schedule_look(self, delay: float) -> None:
        """:meth:`adopt_from_store` in ``delay`` seconds, and again after it."""

        async def job() -> None:
            try:
                await self.adopt_from_store()
            except Exception:
                log.exception("looking for jobs other processes made due; trying again")
            finally:
                self._schedule_look(self._look_every())

        self.scheduler.at("shared-look", utc(self.clock() + delay), job)

    def _look_every(self) -> float:
        return SHARED_LOOK_EVERY if self.look_every is None else self.look_every

    # --- the daily digest --------------------------------------------------------------------

    async def reschedule_digest(self, platform: str, chat_id: str) -> None:
        """The chat's settings may have changed: its digest job follows them."""
        settings = await self.db.call(
            lambda s: ChatSettings.from_json(json.dumps(s.chat_settings(platform, chat_id)))
        )
        self._schedule_digest(platform, chat_id, settings, catch_up=False)

    def cancel_digest(self, platform: str, chat_id: str) -> None:
        """The chat moved or went away: its digest job ends."""
        self.scheduler.cancel(f"digest:{platform}:{chat_id}")

    def _schedule_digest(
        self, platform: str, chat_id: str, settings: ChatSettings, catch_up: bool = True
    ) -> None:
        """The chat's daily digest at its local time (job ``digest:<platform>:<chat>``).

        Derived from the chat's settings like every timed job; each day's digest is queued
        under ``digest:<platform>:<chat>:<local date>``, so it goes out once a day whatever
        restarts happen. A digest missed by less than ``DIGEST_CATCH_UP`` while the bot was
        down goes out at start-up."""
        job_id = f"digest:{platform}:{chat_id}"
        self._digests[(platform, chat_id)] = _digest_of(settings)
        if settings.digest is None:
            self.scheduler.cancel(job_id)
            return
        zone = settings.zone
        now = datetime.fromtimestamp(self.clock(), zone)
        hour, minute = map(int, settings.digest.split(":"))
        at = now.replace(hour=hour, minute=minute, second=0, microsecond=0)
        if catch_up and at <= now and (now - at).total_seconds() <= DIGEST_CATCH_UP:
            when = now  # missed while down (the key makes a second one today impossible)
        elif at <= now:
            at = datetime.combine(now.date() + timedelta(days=1), dt_time(hour, minute), zone)
            when = at
        else:
            when = at

        async def job() -> None:
            try:
                await self.queue_digest(platform, chat_id)
            finally:
                fresh = await self.db.call(lambda s: s.chat(platform, chat_id))
                if fresh is not None and fresh["active"]:
                    latest = ChatSettings.from_json(fresh["settings"])
                    self._schedule_digest(platform, chat_id, latest, catch_up=False)

        self.scheduler.at(job_id, when.astimezone(UTC), job)

    async def queue_digest(self, platform: str, chat_id: str) -> int:
        """Queue today's digest for one chat (nothing when the chat follows no match today,
        or already had today's digest)."""

        def build(store: CoreStore) -> int:
            chat = store.chat(platform, chat_id)
            if chat is None or not chat["active"]:
                return 0
            settings = ChatSettings.from_json(chat["settings"])
            if settings.digest is None:
                return 0
            place = "channel" if platform == "discord" and chat["kind"] == "group" else "chat"
            with i18n.use(settings.language):
                message = self.commands.today_message(platform, chat_id, place, digest=True)
            if not message.sections:  # nothing today: no message
                return 0
            day = datetime.fromtimestamp(self.clock(), settings.zone).date().isoformat()
            row = NewOutboxRow(
                key=f"digest:{platform}:{chat_id}:{day}",
                platform=platform,
                chat_id=chat_id,
                kind="digest",
                payload=message.to_json(),
            )
            return store.enqueue([row], now=self.clock())

        queued = await self.db.call(build)
        if queued:
            self.wake()
        return queued

    # --- housekeeping, reminders, recaps -----------------------------------------------------

    def _schedule_housekeeping(self, delay: float) -> None:
        """Once a day: forget messages delivered more than two weeks ago, so the database of
        a long-running bot stays small (corrections only ever edit recent alerts)."""

        async def job() -> None:
            try:
                before = self.clock() - KEEP_DELIVERED
                removed = await self.db.call(lambda s: s.prune(before))
                if removed:
                    log.info("housekeeping: forgot %d delivered messages", removed)
            finally:
                self._schedule_housekeeping(HOUSEKEEPING_EVERY)

        self.scheduler.at("housekeeping", utc(self.clock() + delay), job)

    def _schedule_reminder(self, match_id: str, kickoff: float) -> None:
        """The fixture reminder, ``reminder_lead`` before kick-off (at once if that passed)."""
        job_id = f"reminder:{match_id}"
        self._reminders[match_id] = kickoff
        if self.reminder_lead is None or kickoff <= self.clock():
            self.scheduler.cancel(job_id)
            return

        async def job() -> None:
            queued = await self.db.run(self.engine.queue_reminder, match_id)
            if queued:
                self.wake()

        self.scheduler.at(job_id, utc(kickoff - self.reminder_lead), job)

    def _schedule_recap(self, match_id: str, at: float) -> None:
        """The recap goes out ``recap_delay`` after full time, so post-match quotes make it."""

        async def job() -> None:
            await self.queue_recap(match_id)

        self.scheduler.at(f"recap:{match_id}", utc(at), job)

    async def queue_recap(self, match_id: str) -> int:
        # full time may have come in the middle of a poll: the rest of it (the full-time
        # statistics, the ratings) belongs in the recap
        await self.polling.settled()
        standings = await self._standings(match_id)
        source = "football-data.org" if standings else None
        queued = await self.db.run(self.engine.queue_recap, match_id, standings, source)
        if queued:
            self.wake()
        return queued

    async def _standings(self, match_id: str) -> list[TableRow] | None:
        """The league table of the match's competition from the stats provider, for the
        recap's table storyline (None without a provider, or when it fails)."""
        if self.stats is None:
            return None
        fixture = await self.db.run(self.engine.fixture, match_id)
        code = self.stats.competition_code(fixture.competition) if fixture else None
        if code is None:
            return None
        try:
            return await self.stats.table(code)
        except Exception as exc:  # the recap goes out without the table
            log.warning("table for the recap of %s failed: %s", match_id, exc)
            return None


def _digest_of(settings: ChatSettings) -> tuple[str | None, str]:
    """What a chat's digest job depends on: its time of day and its time zone."""
    return settings.digest, str(settings.zone)
