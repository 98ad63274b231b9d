"""What following a competition costs on the providers' free plans, from the bot's own quota
planner (no network): ``python bench/quota_plan.py``.

A Serie A Sunday (kick-offs 11:30, 14:00, 14:00, 17:00, 19:45 UTC, polled from 15 minutes
before kick-off to 135 minutes after) on API-Football (100 requests a day free, 10 kept back),
and matches live at once on football-data.org (10 requests a minute free, 3 kept back)."""

from __future__ import annotations

import math

from adapters.providers.http import Quota
from adapters.providers.planning import PollPlanner

H = 3600.0
# a Serie A Sunday (UTC): 11:30, 14:00, 14:00, 17:00, 19:45; the clock at 11:15
day0 = 1_800_000_000.0 - 1_800_000_000.0 % 86400
ko = [11.5, 14.0, 14.0, 17.0, 19.75]
now = day0 + 11.25 * H
matches = [(f"af:{i}", day0 + k * H) for i, k in enumerate(ko)]
p = PollPlanner("API-Football", 15.0, 10, lambda: now)
print("union of windows, h:", round(p.windows_left([], matches) / H, 2))
for left in (100, 7500):
    q = Quota(day_remaining=left)
    live, later = matches[:1], matches[1:]
    iv = p.plan_daily(q, 1, live, later)
    print(f"AF {left}/day, all 5 matches alike: poll every {iv:.0f}s")
    # the chat also follows the team of the evening match: the other 4 are competition-only
    sec = {m for m, _ in matches[:4]}
    k = p.thinning(q, 1, live, later, sec)
    iv2 = p.plan_daily(q, 1, live, later, sec, k)
    print(
        f"AF {left}/day, team match at 19:45 + 4 competition-only: every={k}, "
        f"team-match poll every {iv2:.0f}s, competition-only alone every {min(iv2 * k, 1800):.0f}s"
    )
# football-data free: 10 a minute, 3 kept back
fd = PollPlanner("football-data.org", 30.0, 3, lambda: now)
q = Quota(minute_limit=10)
for n in (1, 3, 5, 7, 9):
    print(f"FD free, {n} matches live at once: poll every {fd.plan_minute(q, n):.0f}s")
k = fd.thinning_per_minute(q, 1, [f"fd:{i}" for i in range(8)], 60.0)
print(
    f"FD free, 1 team match + 8 competition-only live: every={k}, poll every "
    f"{fd.plan_minute(q, 1 + math.ceil(8 / k)):.0f}s"
)
