"""Line-ups are looked for from 75 minutes before kick-off, within the plan's request budget:
one look every 10 minutes until both line-ups are in, live polling from 15 minutes before; the
daily plan keeps those looks out of the requests it spreads over the live windows; matches
followed only through a competition give their looks up first when the quota is short."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from adapters.providers.http import Quota
from adapters.providers.planning import LEAD, LINEUP_EVERY, LINEUP_LEAD, PollPlanner
from bot.scheduler import polling
from tests.support.af_match import FID
from tests.support.fakes.provider_api import FakeProvider
from tests.test_provider_depth import lineups, with_depth
from tests.test_provider_polling import IDS, KEY, af_life, af_source, polls

KICKOFF = 1_800_000_000.0
MINUTE = 60.0


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_the_schedule_of_line_up_looks() -> None:
    clock = Clock(KICKOFF - 80 * MINUTE)
    planner = PollPlanner("API-Football", 15.0, 10, clock)
    assert LINEUP_LEAD == 75 * MINUTE and LINEUP_EVERY == 10 * MINUTE and LEAD == 15 * MINUTE
    looks = []
    for minutes_before in range(80, 10, -1):
        clock.now = KICKOFF - minutes_before * MINUTE
        if planner.lineup_due("af:1", KICKOFF, complete=False):
            looks.append(minutes_before)
        if minutes_before <= 15:  # the live window: polled as usual
            assert planner.lineup_due("af:1", KICKOFF, complete=False) is None
    assert looks == [75, 65, 55, 45, 35, 25]
    # both line-ups in: no more looks; the kick-off unknown: polled as usual
    clock.now = KICKOFF - 40 * MINUTE
    planner2 = PollPlanner("API-Football", 15.0, 10, clock)
    assert planner2.lineup_due("af:2", KICKOFF, complete=True) is False
    assert planner2.lineup_due("af:2", None, complete=False) is None
    # a competition-only match while the quota is short: its looks are given up
    planner2.thinned = (2, ("af:3",))
    assert planner2.lineup_due("af:3", KICKOFF, complete=False, secondary=True) is False
    assert planner2.lineup_due("af:4", KICKOFF, complete=False, secondary=False) is True


def test_the_daily_plan_keeps_the_looks_out_of_the_budget() -> None:
    clock = Clock(KICKOFF - 3 * 3600)
    planner = PollPlanner("API-Football", 15.0, 10, clock, match_window=135 * MINUTE)
    # one match: six looks (75, 65 … 25 minutes before); two 30 minutes apart share 3 of them
    assert planner.lineup_requests([("af:1", KICKOFF)]) == 6
    assert planner.lineup_requests([("af:1", KICKOFF), ("af:2", KICKOFF + 30 * MINUTE)]) == 9
    assert planner.lineup_requests([("af:1", KICKOFF)], skip={"af:1"}) == 0
    clock.now = KICKOFF - 40 * MINUTE  # three looks left: 40, 30 and 20 minutes before
    assert planner.lineup_requests([("af:1", KICKOFF)]) == 3
    clock.now = KICKOFF - 10 * MINUTE
    assert planner.lineup_requests([("af:1", KICKOFF)]) == 0
    # a live match now, another tonight: the requests above the reserve less tonight's looks
    clock.now = KICKOFF - 6 * 3600
    quota = Quota(day_remaining=110)
    live = [("af:1", clock.now)]
    tonight = [("af:2", KICKOFF)]
    interval = planner.plan_daily(quota, 1, live, later=tonight)
    window = planner.windows_left(live, tonight)
    assert interval == pytest.approx(window / (110 - 10 - 6))
    # a match handed over for its line-ups is not counted live before its 15 minutes
    assert planner.windows_left([("af:2", KICKOFF)]) == pytest.approx(LEAD + 135 * MINUTE, rel=1e-6)


def kickoff_text(at: float) -> str:
    return datetime.fromtimestamp(at, UTC).isoformat()


async def test_the_source_looks_every_ten_minutes_until_both_are_in(tmp_path: Path) -> None:
    """Through the fake API-Football: ``/fixtures?ids=`` asked at 75 minutes before kick-off
    (one line-up published), not again until 65 (both in), then not until live polling."""
    clock = Clock(KICKOFF - 75 * MINUTE)
    one: list[dict[str, Any]] = lineups()[:1]
    async with FakeProvider.api_football(key=KEY) as fake:
        fake.script(
            "/fixtures",
            IDS,
            with_depth(af_life("af_life_01_ns.json", kickoff_text(KICKOFF)), lineups=one),
            with_depth(af_life("af_life_01_ns.json", kickoff_text(KICKOFF)), lineups=lineups()),
        )
        source = af_source(fake, clock=clock)
        mid = f"af:{FID}"
        try:
            asked = []
            for minutes_before in (75, 72, 68, 65, 60, 50, 30, 16, 15, 14):
                clock.now = KICKOFF - minutes_before * MINUTE
                out = await source.poll([mid])
                asked.append(len(polls(fake, IDS)))
                if minutes_before == 75:
                    assert [o["team"] for o in out if o.get("type") == "lineup"] == ["Inter"]
                if minutes_before == 65:
                    assert [o["team"] for o in out if o.get("type") == "lineup"] == ["Atalanta"]
        finally:
            await source.aclose()
    assert asked == [1, 1, 1, 2, 2, 2, 2, 2, 3, 4]


def test_the_scheduler_hands_matches_over_75_minutes_before() -> None:
    assert polling.LEAD == LINEUP_LEAD
