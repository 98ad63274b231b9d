"""Every timed job of the bot, on its one APScheduler scheduler.

- :mod:`bot.scheduler.jobs`: the scheduler itself and the jobs derived from the store
  (full-time recaps, fixture reminders, daily digests, housekeeping);
- :mod:`bot.scheduler.polling`: provider polling (fixture look-ups, live polls paced by each
  provider's quota, team and competition discovery with retries).
"""

from bot.scheduler.jobs import Scheduler, TimedJobs, utc
from bot.scheduler.polling import LivePolling

__all__ = ["LivePolling", "Scheduler", "TimedJobs", "utc"]
