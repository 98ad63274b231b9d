"""The one APScheduler scheduler every timed job runs on (the jobs of :mod:`bot.scheduler.jobs`,
the polling of :mod:`bot.scheduler.polling`): both import it, neither imports the other back.

APScheduler is imported, and its scheduler made, when the first job is set or the scheduler
starts (the library scans the installed packages' entry points three times as it loads, some
15 ms of a process): ``matchbot demo``, ``replay`` and ``recap`` set no job and never load it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from bot.logs import quiet_cancelled_jobs

if TYPE_CHECKING:
    from apscheduler.schedulers.asyncio import AsyncIOScheduler

JOB_DEFAULTS = {"coalesce": True, "max_instances": 1, "misfire_grace_time": None}


def utc(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)


class Scheduler:
    def __init__(self) -> None:
        quiet_cancelled_jobs()  # a job cancelled by the bot's stop is no error
        self._made: AsyncIOScheduler | None = None

    @property
    def _aps(self) -> AsyncIOScheduler:
        """APScheduler's scheduler, made (and the library imported) on first use."""
        if self._made is None:
            from apscheduler.schedulers.asyncio import AsyncIOScheduler

            self._made = AsyncIOScheduler(timezone=UTC, job_defaults=JOB_DEFAULTS)
        return self._made

    def start(self) -> None:
        self._aps.start()

    def stop(self) -> None:
        if self._made is not None and self._made.running:
            self._made.shutdown(wait=False)

    def at(self, job_id: str, when: datetime, func: Callable[[], Awaitable[None]]) -> None:
        """Run ``func`` at ``when`` (now, if that has passed); the same id replaces the job."""
        now = datetime.now(UTC)
        self._aps.add_job(
            func,
            "date",
            run_date=max(when, now + timedelta(milliseconds=10)),
            id=job_id,
            name=job_id,
            replace_existing=True,
        )

    def has(self, job_id: str) -> bool:
        """Whether a job of this id is waiting to run."""
        return self._made is not None and self._made.get_job(job_id) is not None

    def cancel(self, job_id: str) -> None:
        if self._made is not None and self._made.get_job(job_id) is not None:
            self._made.remove_job(job_id)
