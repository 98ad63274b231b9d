"""Search answers told apart, ranked and adopted (bot/team_choices.py), and API-Football's
season labels and the daily quota plan (adapters/providers)."""

from __future__ import annotations

import logging

import pytest

from adapters.providers.api_football import season_label
from adapters.providers.http import Quota
from adapters.providers.planning import LEAD, PollPlanner
from adapters.providers.planning import log as planning_log
from adapters.providers.team_search import af_query
from bot.team_choices import TeamCandidate, adopt, labels, rank, squad_of, sure_pick
from bot.teams import find_team
from storage.store import Store

INTER = TeamCandidate("af", "505", "Inter", country="Italy")
MIAMI = TeamCandidate("af", "9568", "Inter Miami CF", country="USA")
INTER_U23 = TeamCandidate("af", "15662", "Internazionale U23", country="Italy")
FRANCE = TeamCandidate("af", "2", "France", country="France", national=True)
FRANCE_W = TeamCandidate("af", "1661", "France W", country="France", national=True)


def test_labels_tell_similar_teams_apart() -> None:
    assert labels([INTER, MIAMI, INTER_U23, FRANCE, FRANCE_W]) == [
        "Inter (Italy)",
        "Inter Miami CF (USA)",
        "Internazionale U23 (Italy, youth)",
        "France (national team)",
        "France W (national team, women)",
    ]
    # two teams alike even then: the league, then the provider's id
    a = TeamCandidate("fd", "1", "Nacional", country="Uruguay", league="Primera División")
    b = TeamCandidate("fd", "2", "Nacional", country="Uruguay", league="Copa Libertadores")
    c = TeamCandidate("fd", "3", "Nacional", country="Uruguay", league="Copa Libertadores")
    assert labels([a, b, c]) == [
        "Nacional (Uruguay, Primera División)",
        "Nacional (Uruguay, Copa Libertadores) #2",
        "Nacional (Uruguay, Copa Libertadores) #3",
    ]


@pytest.mark.parametrize(
    ("name", "side"),
    [
        ("Inter", None),
        ("Internazionale U23", "youth"),
        ("Inter U-19", "youth"),
        ("Italy W", "women"),
        ("Arsenal Women", "women"),
        ("Barcelona B", "reserves"),
        ("Real Madrid II", "reserves"),
        ("West Bromwich", None),
        ("Boca Juniors", None),
        ("Bayern Munich", None),
    ],
)
def test_squad_of(name: str, side: str | None) -> None:
    assert squad_of(name) == side


def test_the_typed_name_first_first_teams_before_other_sides() -> None:
    ranked = rank("France", [FRANCE_W, TeamCandidate("af", "81", "Marseille", "France"), FRANCE])
    assert [c.name for c in ranked][:2] == ["France", "France W"]
    assert sure_pick("France", ranked) is FRANCE
    assert sure_pick("france", [FRANCE_W]) is None  # never a silent women's side
    assert sure_pick("Inter U23", [INTER, INTER_U23]) is None
    assert sure_pick("Inter", [INTER, MIAMI]) is INTER


def test_adopting_a_candidate_stores_its_provider_id_and_spellings(store: Store) -> None:
    team = adopt(store, MIAMI, "Inter Miami CF (USA)", 0.0)
    assert team.name == "Inter Miami CF"
    assert store.provider_team("af", "Inter Miami CF")["provider_team_id"] == "9568"
    assert find_team(store, "inter miami cf").team == team
    assert adopt(store, MIAMI, "Inter Miami CF (USA)", 1.0) == team  # known by its id
    # the catalogue's Inter is the provider's Inter
    inter = adopt(store, INTER, "Inter (Italy)", 0.0)
    assert inter.id == "inter"
    # a different team spelled like a mapped one goes by its label
    other = adopt(store, TeamCandidate("af", "999", "Inter", country="Malta"), "Inter (Malta)", 0)
    assert other.name == "Inter (Malta)" and other.id != "inter"


def test_the_fuzzy_catalogue_never_turns_a_youth_side_into_the_first_team(store: Store) -> None:
    from bot.commands import Commands
    from bot.ports import CommandContext

    ctx = CommandContext(platform="test", chat_id="1", user_id="u")
    message = Commands(store).run(ctx, "subscribe", "Internazionale U23")
    assert message.kind == "suggestions"
    assert store.followed_teams("test", "1") == []


@pytest.mark.parametrize(
    ("typed", "query"),
    [("Atlético", "Atletico"), ("St. Pauli", "St Pauli"), ("PSV", "PSV"), ("ab", None)],
)
def test_api_football_search_text(typed: str, query: str | None) -> None:
    assert af_query(typed) == query


@pytest.mark.parametrize(
    ("season", "span", "kickoff", "label"),
    [
        (2006, ("2006-06-09", "2006-07-09"), "2006-07-09T18:00:00Z", "2006"),  # World Cup
        (2026, ("2026-02-21", "2026-12-05"), "2026-05-01T18:00:00Z", "2026"),  # MLS
        (2025, ("2025-08-23", "2026-05-24"), "2025-09-01T18:00:00Z", "2025-26"),  # Serie A
        (2025, None, "2025-09-01T18:00:00Z", "2025"),  # unknown dates: no span invented
        (2025, None, "2026-03-01T18:00:00Z", "2025-26"),  # played the next year
        (2025, (None, None), "", "2025"),
        ("2025/2026", None, "", "2025/2026"),
    ],
)
def test_api_football_season_labels(
    season: object, span: tuple[str | None, str | None] | None, kickoff: str, label: str
) -> None:
    assert season_label(season, span, kickoff) == label


PLANNER_LOGGER = planning_log.name


def test_the_daily_plan_holds_requests_back_for_the_evening(
    caplog: pytest.LogCaptureFixture,
) -> None:
    now = 1_800_000_000.0
    planner = PollPlanner("API-Football", 15.0, 10, lambda: now, match_window=135 * 60.0)
    quota = Quota(day_remaining=200)
    alone = planner.plan_daily(quota, 1, [("af:1", now)])
    evening = [("af:2", now + 6 * 3600), ("af:3", now + 6 * 3600 + 600)]
    shared = planner.plan_daily(quota, 1, [("af:1", now)], later=evening)
    # the evening's two overlapping matches need about as long again as the live one, and
    # their line-ups 7 looks (one every 10 minutes from 75 to 15 minutes before each kick-off,
    # the overlapping 50 minutes shared): kept out of the 190 requests above the reserve
    assert planner.lineup_requests(evening) == 7
    window = (135 * 60 + LEAD + 135 * 60 + 600) / (135 * 60)
    assert shared == pytest.approx(alone * window * 190 / (190 - 7), 0.01)
    assert not planner_warnings(caplog)

    planner.check_day(Quota(day_remaining=20), [("af:1", now), *evening])
    planner.check_day(Quota(day_remaining=19), [("af:1", now), *evening])  # said once
    warnings = planner_warnings(caplog)
    assert len(warnings) == 1
    assert "20 requests left today cannot cover the 3 followed matches" in warnings[0]
    assert "af:2" in warnings[0]
    planner.check_day(Quota(day_remaining=500), [("af:1", now), *evening])
    assert len(planner_warnings(caplog)) == 1


def planner_warnings(caplog: pytest.LogCaptureFixture) -> list[str]:
    """The planner's warnings this test logged. caplog holds every record the worker's process
    logs meanwhile, from any thread or logger (e.g. asyncio's "Task was destroyed but it is
    pending!" about an earlier test's task, when the garbage collector frees it during this
    test): only the planner's count here. This test failed once in a full run, not
    reproduced alone; a stray record like that is the likely cause."""
    return [
        r.getMessage()
        for r in caplog.records
        if r.name == PLANNER_LOGGER and r.levelno >= logging.WARNING
    ]


def test_searches_stop_at_half_the_reserve() -> None:
    planner = PollPlanner("API-Football", 15.0, 10, lambda: 0.0)
    assert planner.may_look_up(Quota())
    assert planner.may_look_up(Quota(day_remaining=6))
    assert not planner.may_look_up(Quota(day_remaining=5))
