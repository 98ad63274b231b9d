"""The bot's scheduler makes APScheduler's (and imports the library) only when a job is set or
it starts (``bot/scheduler/timer.py``): a bot that never schedules, as ``matchbot demo``,
``replay`` and ``recap`` never do, has none; one that does runs its jobs as before."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from bot.scheduler.timer import Scheduler


def test_a_scheduler_nothing_was_set_on_makes_none() -> None:
    scheduler = Scheduler()
    assert not scheduler.has("recap:m1")
    scheduler.cancel("recap:m1")
    scheduler.stop()
    assert scheduler._made is None


async def test_a_job_set_runs_and_can_be_cancelled() -> None:
    scheduler = Scheduler()
    ran = asyncio.Event()

    async def job() -> None:
        ran.set()

    scheduler.at("soon", datetime.now(UTC), job)
    scheduler.at("later", datetime(2999, 1, 1, tzinfo=UTC), job)
    assert scheduler.has("soon") and scheduler.has("later")
    scheduler.cancel("later")
    assert not scheduler.has("later")
    scheduler.start()
    try:
        await asyncio.wait_for(ran.wait(), 10)
    finally:
        scheduler.stop()
    assert not scheduler.has("soon")
