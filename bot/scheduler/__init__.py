"""Every timed job of the bot, on its one APScheduler scheduler.

- :mod:`bot.scheduler.timer`: the scheduler itself;
- :mod:`bot.scheduler.jobs`: the jobs derived from the store (full-time recaps, fixture
  reminders, daily digests, housekeeping) and the start of provider polling;
- :mod:`bot.scheduler.polling`: provider polling (fixture look-ups, live polls paced by each
  provider's quota, team and competition discovery with retries).
"""

from bot.scheduler.jobs import TimedJobs
from bot.scheduler.polling import LivePolling
from bot.scheduler.timer import Scheduler, utc

__all__ = ["LivePolling", "Scheduler", "TimedJobs", "utc"]
