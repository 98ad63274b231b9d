"""A followed competition brings many matches: when the quota runs short, the matches chats
follow only through a competition get fewer polls first (logged), the followed teams' keep
their rate."""

from __future__ import annotations

import copy
import logging
from collections import Counter
from pathlib import Path

import pytest

from adapters.providers import FootballData
from adapters.providers.football_data import FootballDataSource
from adapters.providers.http import Quota
from adapters.providers.planning import MAX_EVERY, PollPlanner
from storage.store import Store
from tests.support.fakes.provider_api import FakeProvider, load_fixture

NOW = 1_800_000_000.0
WINDOW = 135 * 60.0


def test_competition_only_matches_get_fewer_polls_on_a_short_day(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    planner = PollPlanner("API-Football", 15.0, 10, lambda: NOW, match_window=WINDOW)
    team_match = [("af:1", NOW)]  # the followed team's match, live now
    # the competition's matches of the rest of the day, back to back until late evening
    league = [(f"af:{10 + i}", NOW + (2 + 1.5 * i) * 3600) for i in range(5)]
    secondary = {m for m, _ in league}
    short = Quota(day_remaining=100)

    uniform = planner.plan_daily(short, 1, team_match, later=league)
    assert uniform > planner.warn_interval  # every match polled alike: all of them late

    every = planner.thinning(short, 1, team_match, league, secondary)
    assert 1 < every <= MAX_EVERY
    planned = planner.plan_daily(short, 1, team_match, league, secondary, every)
    assert planned <= planner.warn_interval < uniform  # the team's match keeps its alerts timely
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    thinned = [w for w in warnings if "followed only through a competition" in w]
    assert len(thinned) == 1
    assert f"polled {every} times less often" in thinned[0]
    assert all(m in thinned[0] for m in secondary) and "af:1," not in thinned[0]

    # the same again: said once; with requests enough, nobody is thinned, and that is said
    assert planner.thinning(short, 1, team_match, league, secondary) == every
    assert len([r for r in caplog.records if "only through a competition" in r.getMessage()]) == 1
    assert planner.thinning(Quota(day_remaining=5000), 1, team_match, league, secondary) == 1
    assert "every followed match is polled at the full rate again" in caplog.text


def fd_live(match_id: int) -> dict[str, object]:
    body = copy.deepcopy(load_fixture("fd_match_live_free.json"))
    body["id"] = match_id
    return dict(body)


async def test_football_data_leaves_competition_matches_out_of_some_polls(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO)
    teams = [f"fd:{100 + i}" for i in range(2)]  # followed through their teams
    league = [f"fd:{200 + i}" for i in range(10)]  # followed only through the competition
    async with FakeProvider.football_data(key="tok", minute_limit=1000) as fake:
        for mid in teams + league:
            number = int(mid.partition(":")[2])
            fake.script(f"/matches/{number}", None, fd_live(number))
        source = FootballDataSource(FootballData("tok", base_url=fake.base_url), min_interval=30.0)
        ids = teams + league
        source.prioritise(league)
        await source.poll(ids)
        interval = source.poll_interval(len(ids))
        for _ in range(MAX_EVERY):
            await source.poll(ids)
            assert source.poll_interval(len(ids)) == interval
        await source.aclose()
    asked = Counter(r.path.rsplit("/", 1)[1] for r in fake.requests)
    polls = MAX_EVERY + 1
    assert all(asked[m.partition(":")[2]] == polls for m in teams)  # every poll
    each = [asked[m.partition(":")[2]] for m in league]
    assert max(each) < polls and min(each) >= 2  # fewer polls, never none
    # within the free plan's 10 requests a minute (3 kept back): 7 requests a poll at most
    assert interval <= 60.0
    assert "10 matches followed only through a competition" in caplog.text


def test_the_store_tells_which_matches_only_a_competition_reaches(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "bot.db")
    for mid, home, away in [("fd:1", "inter", "lazio"), ("fd:2", "torino", "genoa")]:
        store.upsert_match(
            {
                "id": mid,
                "competition": "Serie A",
                "competition_id": "serie-a",
                "home_team": home,
                "away_team": away,
                "kickoff": "2026-12-02T19:45:00+00:00",
            }
        )
    store.add_competition("serie-a", "Serie A")
    store.ensure_chat("test", "a")
    store.ensure_chat("test", "b")
    store.subscribe("test", "a", "serie-a", "competition")
    assert store.competition_only_matches(["fd:1", "fd:2"]) == {"fd:1", "fd:2"}
    store.subscribe("test", "b", "inter")  # another chat follows Inter
    assert store.competition_only_matches(["fd:1", "fd:2"]) == {"fd:2"}
    store.add_players([("Nicola Vlašić", "nicola vlasic", "torino")])
    (vlasic,) = store.player_ids([("torino", "nicola vlasic")])
    store.subscribe("test", "b", str(vlasic), "player")
    assert store.competition_only_matches(["fd:1", "fd:2"]) == set()
    assert [r["name"] for r in store.followed_competitions()] == ["Serie A"]
    store.close()
