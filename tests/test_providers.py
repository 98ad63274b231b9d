"""Provider clients and translators (API-Football v3, football-data.org v4) on local fakes."""

from __future__ import annotations

import copy
import re
from collections.abc import AsyncIterator, Iterable
from datetime import datetime
from typing import Any

import httpx
import pytest

from adapters.providers import (
    ApiFootball,
    DiffState,
    FootballData,
    ProviderError,
    ProviderSnapshot,
    diff_snapshot,
    translate_fixture,
)
from tests.support.fakes.provider_api import (
    FakeProvider,
    garbage,
    load_fixture,
    rate_limited,
    server_error,
    slow,
    wrong_shape,
)

FID = 1035001
LIFE = [
    "af_life_01_ns.json",
    "af_life_02_1h.json",
    "af_life_03_1h.json",
    "af_life_04_1h_var.json",
    "af_life_05_1h_og.json",
    "af_life_06_ht.json",
    "af_life_07_2h.json",
    "af_life_08_2h.json",
    "af_life_09_et.json",
    "af_life_10_bt.json",
    "af_life_11_et.json",
    "af_life_12_p.json",
    "af_life_13_pen.json",
]

# --------------------------------------------------------------------------------------------
# feed-v1 checker (from docs/feed-format.md)

PERIODS = {"first_half", "half_time", "second_half", "extra_time", "penalties", "full_time"}
REASONS = {"offside", "foul", "handball", "var", "other"}
EVENT_FIELDS: dict[str, set[str]] = {
    "period": {"period"},
    "goal": {"team"},  # the scorer may come later, in a goal_update
    "goal_update": {"team", "ref"},
    "goal_disallowed": {"team", "reason"},
    "goal_cancelled": {"team", "ref", "reason"},
    "card": {"team", "player", "card"},
    "substitution": {"team", "player_in"},
    "save": {"team", "player"},
    "miss": {"team", "player"},
    "penalty_missed": {"team", "player", "outcome"},
    "shootout_kick": {"team", "player", "scored"},
    "note": {"team", "text"},
}


def check_feed(objs: Iterable[dict[str, Any]], match: dict[str, Any] | None = None) -> None:
    """Assert every object follows feed v1 (required fields, enums, refs, unique ids)."""
    objs = list(objs)
    if match is not None:
        objs = [match, *objs]
    teams: set[str] = set()
    goal_ids: set[str] = set()
    ids: set[str] = set()
    for ev in objs:
        kind = ev["type"]
        if kind == "match":
            for f in ("match", "competition", "home", "away", "kickoff"):
                assert isinstance(ev.get(f), str) and ev[f], (f, ev)
            assert datetime.fromisoformat(ev["kickoff"]).tzinfo is not None
            teams = {ev["home"], ev["away"]}
            continue
        if kind == "quote":
            assert {"match", "id", "speaker", "text"} <= ev.keys()
            continue
        assert kind in EVENT_FIELDS, ev
        assert isinstance(ev["match"], str) and ev["match"]
        assert isinstance(ev["id"], str) and ev["id"]
        assert ev["id"] not in ids, f"duplicate id {ev['id']}"
        ids.add(ev["id"])
        assert isinstance(ev["minute"], int) and 0 <= ev["minute"] <= 130, ev
        if "stoppage" in ev:
            assert isinstance(ev["stoppage"], int) and ev["stoppage"] > 0, ev
        missing = EVENT_FIELDS[kind] - ev.keys()
        assert not missing, (missing, ev)
        if kind != "period" and teams:
            assert ev["team"] in teams, ev
        if kind == "period":
            assert ev["period"] in PERIODS
        elif kind == "goal":
            assert ev.get("kind", "normal") in {"normal", "penalty", "own_goal"}
            goal_ids.add(ev["id"])
        elif kind in ("goal_disallowed", "goal_cancelled", "goal_update"):
            assert ev.get("reason", "var") in REASONS
            assert kind == "goal_disallowed" or ev["ref"] in goal_ids, f"unknown goal {ev}"
        elif kind == "card":
            assert ev["card"] in {"yellow", "second_yellow", "red"}
        elif kind == "penalty_missed":
            assert ev["outcome"] in {"saved", "missed", "woodwork"}
        elif kind == "shootout_kick":
            assert isinstance(ev["scored"], bool)


def derived_score(match: dict[str, Any], events: Iterable[dict[str, Any]]) -> tuple[int, int]:
    goals: dict[str, str] = {}
    cancelled: set[str] = set()
    for ev in events:
        if ev["type"] == "goal":
            goals[ev["id"]] = ev["team"]
        elif ev["type"] == "goal_update":
            goals[ev["ref"]] = ev["team"]
        elif ev["type"] == "goal_cancelled":
            cancelled.add(ev["ref"])
    teams = [t for gid, t in goals.items() if gid not in cancelled]
    return teams.count(match["home"]), teams.count(match["away"])


def brief(ev: dict[str, Any]) -> tuple[Any, ...]:
    kind = ev["type"]
    if kind == "period":
        return ("period", ev["period"])
    if kind == "goal":
        return ("goal", ev["team"], ev["player"], ev["minute"], ev.get("kind", "normal"))
    if kind == "goal_cancelled":
        return ("goal_cancelled", ev["team"], ev["reason"])
    if kind == "goal_update":
        return ("goal_update", ev["team"], ev.get("player"), ev["minute"], ev.get("kind"))
    if kind == "goal_disallowed":
        return ("goal_disallowed", ev["team"], ev.get("player"), ev["reason"])
    if kind == "card":
        return ("card", ev["team"], ev["player"], ev["minute"], ev["card"])
    if kind == "substitution":
        return ("sub", ev["team"], ev["player_in"], ev.get("player_out"))
    if kind == "penalty_missed":
        return ("penalty_missed", ev["team"], ev["player"], ev["outcome"])
    if kind == "shootout_kick":
        return ("kick", ev["team"], ev["player"], ev["scored"])
    return (kind,)


# --------------------------------------------------------------------------------------------
# fixtures


@pytest.fixture
async def af() -> AsyncIterator[FakeProvider]:
    async with FakeProvider.api_football(key="af-secret-key") as fake:
        yield fake


@pytest.fixture
async def fd() -> AsyncIterator[FakeProvider]:
    async with FakeProvider.football_data(key="fd-secret-token") as fake:
        yield fake


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=2.0) as client:
        yield client


def life_fixture(name: str) -> dict[str, Any]:
    fx: dict[str, Any] = load_fixture(name)["response"][0]
    return fx


def wrap(*fixtures: dict[str, Any]) -> dict[str, Any]:
    return {
        "get": "fixtures",
        "parameters": {"id": str(FID)},
        "errors": [],
        "results": len(fixtures),
        "paging": {"current": 1, "total": 1},
        "response": list(fixtures),
    }


def af_event(
    minute: int, team: str, player: str, typ: str, detail: str, extra: int | None = None
) -> dict[str, Any]:
    teams = {"Inter": 505, "Atalanta": 499}
    return {
        "time": {"elapsed": minute, "extra": extra},
        "team": {"id": teams[team], "name": team, "logo": None},
        "player": {"id": sum(map(ord, player)) * 7, "name": player},
        "assist": {"id": None, "name": None},
        "type": typ,
        "detail": detail,
        "comments": None,
    }


def live(
    events: list[dict[str, Any]], goals: tuple[int, int], elapsed: int = 30, short: str = "1H"
) -> dict[str, Any]:
    fx = life_fixture("af_life_02_1h.json")
    fx["events"] = events
    fx["goals"] = {"home": goals[0], "away": goals[1]}
    fx["fixture"]["status"].update(short=short, elapsed=elapsed)
    return fx


# --------------------------------------------------------------------------------------------
# API-Football: a whole match, poll by poll

EXPECTED_LIFE: list[list[tuple[Any, ...]]] = [
    [],  # NS
    [("period", "first_half"), ("goal", "Inter", "Lautaro Martínez", 9, "normal")],
    [
        ("goal", "Atalanta", "A. Lookman", 27, "normal"),
        ("card", "Inter", "A. Bastoni", 29, "yellow"),
    ],
    # VAR cancels Lookman's goal; Bastoni's card is missing from this poll (not cancelled)
    [("goal_cancelled", "Atalanta", "var")],
    # Lautaro's goal moved 9' -> 10' and the events were reordered: not re-announced, its
    # alert is edited (a goal_update); Bastoni's card is back: not re-announced
    [
        ("goal_update", "Inter", "Lautaro Martínez", 10, "normal"),
        ("goal", "Inter", "I. Hien", 41, "own_goal"),
        ("goal_disallowed", "Inter", "M. Thuram", "offside"),
    ],
    [("period", "half_time")],
    [
        ("period", "second_half"),
        ("penalty_missed", "Atalanta", "M. Retegui", "missed"),
        ("sub", "Inter", "F. P. Esposito", "M. Thuram"),
        ("card", "Inter", "A. Bastoni", 63, "second_yellow"),
        ("card", "Atalanta", "M. de Roon", 66, "red"),
    ],
    [
        ("goal", "Atalanta", "C. De Ketelaere", 75, "normal"),
        ("goal", "Atalanta", "M. Retegui", 88, "penalty"),
    ],
    [("period", "extra_time")],
    [],  # BT: no period change
    [("card", "Atalanta", "G. Scalvini", 112, "yellow")],
    [
        ("period", "penalties"),
        ("kick", "Inter", "H. Çalhanoğlu", True),
        ("kick", "Atalanta", "M. Retegui", True),
        ("kick", "Inter", "Lautaro Martínez", False),
        ("kick", "Atalanta", "A. Lookman", True),
    ],
    [
        ("kick", "Inter", "N. Barella", True),
        ("kick", "Atalanta", "C. De Ketelaere", False),
        ("kick", "Inter", "D. Frattesi", True),
        ("kick", "Atalanta", "M. Pašalić", False),
        ("kick", "Inter", "F. Dimarco", True),
        ("period", "full_time"),
    ],
]
EXPECTED_STATES = [
    "scheduled",
    "first_half",
    "first_half",
    "first_half",
    "first_half",
    "half_time",
    "second_half",
    "second_half",
    "extra_time",
    "break",
    "extra_time",
    "penalties",
    "finished",
]


async def test_api_football_whole_match_life(af: FakeProvider, http: httpx.AsyncClient) -> None:
    af.script("/fixtures", {"id": FID}, *LIFE)
    client = ApiFootball("af-secret-key", base_url=af.base_url, client=http)
    state = DiffState()
    announced: list[dict[str, Any]] = []
    snap: ProviderSnapshot | None = None
    for i, expected in enumerate(EXPECTED_LIFE):
        snap = await client.snapshot(FID)
        assert snap.status == EXPECTED_STATES[i], (i, snap.provider_status)
        check_feed(snap.events, snap.match)
        assert derived_score(snap.match, snap.events) == (snap.score or (0, 0)), i
        new, state = diff_snapshot(state, snap)
        assert [brief(ev) for ev in new] == expected, f"poll {i + 1} ({LIFE[i]})"
        announced += new
    assert snap is not None

    # the whole announced feed is valid, each event once, and gives the right final score
    check_feed(announced, snap.match)
    assert derived_score(snap.match, announced) == (2, 2)
    assert snap.score == (2, 2) and snap.shootout == (4, 2)
    assert snap.finished
    kicks = [e for e in announced if e["type"] == "shootout_kick"]
    assert [sum(k["scored"] for k in kicks if k["team"] == t) for t in ("Inter", "Atalanta")] == [
        4,
        2,
    ]
    cancel = next(e for e in announced if e["type"] == "goal_cancelled")
    lookman = next(e for e in announced if e["type"] == "goal" and e["player"] == "A. Lookman")
    assert cancel["ref"] == lookman["id"]

    # the final snapshot alone has every period the match passed through, in order
    assert snap.match == {
        "type": "match",
        "match": f"af:{FID}",
        "competition": "Coppa Italia",
        "home": "Inter",
        "away": "Atalanta",
        "kickoff": "2026-01-28T20:00:00Z",
        "season": "2025-26",
        "round": "Quarter-finals",
        "venue": "Stadio Giuseppe Meazza, Milano",
    }
    periods = [e["period"] for e in snap.events if e["type"] == "period"]
    assert periods == [
        "first_half",
        "half_time",
        "second_half",
        "extra_time",
        "penalties",
        "full_time",
    ]
    assert {e["id"] for e in snap.events if e["type"] == "period"} == {
        f"period:{p}" for p in periods
    }
    # one request per poll (events are embedded in /fixtures?id=)
    assert len(af.requests) == len(LIFE)
    assert all(r.headers.get("x-apisports-key") == "af-secret-key" for r in af.requests)

    # a poll repeated after the end brings nothing new
    assert diff_snapshot(state, await client.snapshot(FID))[0] == []


async def test_finished_fixture_in_one_snapshot_is_complete() -> None:
    fx = life_fixture("af_life_13_pen.json")
    snap = translate_fixture(fx, fx["events"])
    check_feed(snap.events, snap.match)
    new, _ = diff_snapshot(None, snap)
    # a first diff of a finished match: everything (the cancelled goal and its cancellation are
    # both swallowed: never said, never unsaid)
    assert derived_score(snap.match, new) == (2, 2)
    assert not any(e["type"] == "goal_cancelled" for e in new)
    assert not any(e.get("player") == "A. Lookman" and e["type"] == "goal" for e in new)
    assert len(new) == len(snap.events) - 2


async def test_second_yellow_red_pair_and_explicit_second_yellow() -> None:
    events = [
        af_event(20, "Inter", "A", "Card", "Yellow Card"),
        af_event(50, "Inter", "A", "Card", "Yellow Card"),
        af_event(50, "Inter", "A", "Card", "Red Card"),
        af_event(70, "Atalanta", "B", "Card", "Second Yellow card"),
        af_event(80, "Atalanta", "C", "Card", "Red card"),
        af_event(82, "Atalanta", "D", "subst", "Substitution 1"),
        af_event(83, "Atalanta", "E", "SUBST", "Substitution 2"),
    ]
    snap = translate_fixture(live(events, (0, 0), 85, "2H"), events)
    check_feed(snap.events, snap.match)
    cards = [(e["player"], e["card"]) for e in snap.events if e["type"] == "card"]
    assert cards == [("A", "yellow"), ("A", "second_yellow"), ("B", "second_yellow"), ("C", "red")]
    assert sum(e["type"] == "substitution" for e in snap.events) == 2


async def test_subst_direction_follows_lineups_when_they_disagree() -> None:
    ev = af_event(60, "Inter", "Bench Guy", "subst", "Substitution 1")
    ev["assist"] = {"id": 1, "name": "Starter"}
    fx = live([ev], (0, 0), 61, "2H")
    fx["lineups"] = [
        {
            "team": {"id": 505},
            "startXI": [{"player": {"id": 1, "name": "Starter"}}],
            "substitutes": [{"player": {"id": ev["player"]["id"], "name": "Bench Guy"}}],
        }
    ]
    sub = next(e for e in translate_fixture(fx, [ev]).events if e["type"] == "substitution")
    assert (sub["player_in"], sub["player_out"]) == ("Bench Guy", "Starter")
    # without lineups: player = going off, assist = coming on
    sub = next(
        e for e in translate_fixture(live([ev], (0, 0)), [ev]).events if e["type"] == "substitution"
    )
    assert (sub["player_in"], sub["player_out"]) == ("Starter", "Bench Guy")


# --------------------------------------------------------------------------------------------
# API-Football: diff rules


def _poll(
    state: DiffState | None, events: list[dict[str, Any]], goals: tuple[int, int], elapsed: int = 30
) -> tuple[list[dict[str, Any]], DiffState]:
    fx = live(events, goals, elapsed)
    return diff_snapshot(state, translate_fixture(fx, events))


async def test_dropped_goal_with_lower_score_is_cancelled_once() -> None:
    g = af_event(20, "Inter", "Scorer", "Goal", "Normal Goal")
    new, st = _poll(None, [g], (1, 0))
    assert [brief(e) for e in new] == [
        ("period", "first_half"),
        ("goal", "Inter", "Scorer", 20, "normal"),
    ]
    new, st = _poll(st, [], (0, 0), 33)
    assert [brief(e) for e in new] == [("goal_cancelled", "Inter", "other")]
    assert new[0]["ref"] == f"goal:505:p{g['player']['id']}:20+0"
    assert new[0]["minute"] == 33
    new, st = _poll(st, [], (0, 0), 35)
    assert new == []


async def test_dropped_goal_with_same_score_is_kept_and_readded_silently() -> None:
    g = af_event(20, "Inter", "Scorer", "Goal", "Normal Goal")
    c = af_event(25, "Atalanta", "Hacker", "Card", "Yellow Card")
    _, st = _poll(None, [g, c], (1, 0))
    new, st = _poll(st, [], (1, 0))  # both dropped by the API for a poll
    assert new == []
    new, st = _poll(st, [c, g], (1, 0))  # re-added (reordered)
    assert new == []
    g2 = copy.deepcopy(g)
    g2["time"] = {"elapsed": 19, "extra": None}  # and then its minute corrected
    new, st = _poll(st, [g2, c], (1, 0))
    assert [brief(e) for e in new] == [("goal_update", "Inter", "Scorer", 19, "normal")]
    new, st = _poll(st, [g2, c], (1, 0))
    assert new == []
    # the corrected id is an alias of the announced one
    assert list(st.aliases.values()) == [f"goal:505:p{g['player']['id']}:20+0"]


async def test_minute_change_while_dropped_goal_vanishes_is_rematched_not_cancelled() -> None:
    g = af_event(45, "Inter", "Scorer", "Goal", "Normal Goal", extra=2)
    _, st = _poll(None, [g], (1, 0))
    g2 = copy.deepcopy(g)
    g2["time"] = {"elapsed": 47, "extra": None}
    new, st = _poll(st, [g2], (1, 0), 50)
    assert [brief(e) for e in new] == [("goal_update", "Inter", "Scorer", 47, "normal")]
    # later a real cancellation of the (re-keyed) goal references the announced id
    new, st = _poll(st, [], (0, 0), 55)
    assert [brief(e) for e in new] == [("goal_cancelled", "Inter", "other")]
    assert new[0]["ref"].endswith(":45+2")


async def test_var_cancel_after_provider_removed_the_goal() -> None:
    g = af_event(30, "Atalanta", "Striker", "Goal", "Normal Goal")
    # an own goal by an Inter defender: API-Football's ``team`` is the side it counts for
    og = af_event(36, "Atalanta", "Defender", "Goal", "Own Goal")
    _, st = _poll(None, [g, og], (0, 2), 37)
    var = af_event(33, "Atalanta", "Striker", "Var", "Goal cancelled")
    new, st = _poll(st, [og, var], (0, 1), 38)
    assert [brief(e) for e in new] == [("goal_cancelled", "Atalanta", "var")]
    assert new[0]["ref"] == f"goal:499:p{g['player']['id']}:30+0"
    new, st = _poll(st, [og, var], (0, 1), 40)
    assert new == []
    # VAR on the own goal: the same team as the goal event (the side it counted for)
    var2 = af_event(38, "Atalanta", "Defender", "Var", "Goal cancelled")
    new, st = _poll(st, [var, var2], (0, 0), 41)
    assert [brief(e) for e in new] == [("goal_cancelled", "Atalanta", "var")]
    assert new[0]["ref"].startswith("og:499:")
    assert [g["id"] for g in st.active_goals()] == []


async def test_var_goal_confirmed_is_a_var_check_of_that_goal() -> None:
    g = af_event(30, "Atalanta", "Striker", "Goal", "Normal Goal")
    _, st = _poll(None, [g], (1, 0), 31)
    ok = af_event(31, "Atalanta", "Striker", "Var", "Goal confirmed")
    new, st = _poll(st, [g, ok], (1, 0), 33)
    assert [(e["type"], e["outcome"], e["team"]) for e in new] == [
        ("var_check", "confirmed", "Atalanta")
    ]
    assert new[0]["ref"] == f"goal:499:p{g['player']['id']}:30+0"
    new, st = _poll(st, [g, ok], (1, 0), 35)
    assert new == []  # said once
    # a confirmation of a goal the answer does not have says nothing
    _, other = _poll(None, [], (0, 0), 10)
    new, _ = _poll(other, [af_event(9, "Inter", "Nobody", "Var", "Goal confirmed")], (0, 0), 11)
    assert new == []


async def test_new_goal_is_held_until_the_score_counts_it() -> None:
    g1 = af_event(10, "Inter", "One", "Goal", "Normal Goal")
    g2 = af_event(20, "Inter", "Two", "Goal", "Penalty")
    new, st = _poll(None, [g1, g2], (1, 0))
    assert [brief(e) for e in new if e["type"] == "goal"] == [
        ("goal", "Inter", "One", 10, "normal")
    ]
    new, st = _poll(st, [g1, g2], (2, 0))
    assert [brief(e) for e in new] == [("goal", "Inter", "Two", 20, "penalty")]


async def test_true_duplicates_get_occurrence_ids() -> None:
    c = af_event(30, "Inter", "Twice", "Card", "Yellow Card")
    d = af_event(30, "Inter", "Dup", "Goal", "Normal Goal")
    snap = translate_fixture(live([d, c, d], (2, 0)), [d, c, d])
    ids = [e["id"] for e in snap.events if e["type"] == "goal"]
    assert ids == [ids[0], ids[0] + "#2"]


# --------------------------------------------------------------------------------------------
# API-Football: client, quota, errors


async def test_quota_headers_exposed_and_decreasing(
    af: FakeProvider, http: httpx.AsyncClient
) -> None:
    af.script("/fixtures", {"id": FID}, "af_life_02_1h.json")
    client = ApiFootball("af-secret-key", base_url=af.base_url, client=http)
    assert client.quota.day_remaining is None
    await client.fixture(FID)
    q1 = (client.quota.day_remaining, client.quota.minute_remaining)
    await client.fixture(FID)
    assert client.quota.day_limit == 7500 and client.quota.minute_limit == 300
    assert q1 == (7499, 299)
    assert (client.quota.day_remaining, client.quota.minute_remaining) == (7498, 298)
    assert not client.quota.exhausted


async def test_team_fixtures_events_and_id_batching(
    af: FakeProvider, http: httpx.AsyncClient
) -> None:
    af.script("/fixtures", {"team": 505, "next": 3}, "af_fixtures_team_505.json")
    af.script("/fixtures/events", {"fixture": FID}, "af_events_1035001.json")
    client = ApiFootball("af-secret-key", base_url=af.base_url, client=http)
    team = await client.fixtures_for_team(505, next=3)
    assert [f["fixture"]["id"] for f in team] == [1035101, 1035102, 1035103]
    events = await client.events(FID)
    assert [e["type"] for e in events] == ["Goal", "Goal", "Card"]

    ids = list(range(2000, 2045))
    first = life_fixture("af_life_13_pen.json")
    first["fixture"]["id"] = 2021
    af.script("/fixtures", {"ids": "-".join(map(str, ids[20:40]))}, wrap(first))
    got = await client.fixtures(ids)
    assert [f["fixture"]["id"] for f in got] == [2021]
    batches = [r.query["ids"].split("-") for r in af.requests if "ids" in r.query]
    assert [len(b) for b in batches] == [20, 20, 5]
    assert [i for b in batches for i in b] == [str(i) for i in ids]


async def test_snapshot_falls_back_to_events_endpoint(
    af: FakeProvider, http: httpx.AsyncClient
) -> None:
    fx = life_fixture("af_life_03_1h.json")
    del fx["events"]
    af.script("/fixtures", {"id": FID}, wrap(fx))
    af.script("/fixtures/events", {"fixture": FID}, "af_events_1035001.json")
    snap = await ApiFootball("af-secret-key", af.base_url, http).snapshot(FID)
    assert [brief(e)[0] for e in snap.events] == ["period", "goal", "goal", "card"]
    assert [r.path for r in af.requests] == ["/fixtures", "/fixtures/events"]


@pytest.mark.parametrize(
    ("reply", "pattern", "status", "retryable"),
    [
        (rate_limited(7), r"rate limited \(HTTP 429\).*retry after 7s", 429, True),
        (server_error(500), r"server error \(HTTP 500\)", 500, True),
        (server_error(503), r"server error \(HTTP 503\)", 503, True),
        (garbage(), r"not JSON", 200, True),
        (wrong_shape(), r"unexpected response shape: response should be a list", None, True),
        ("af_error_ratelimit.json", r"rate limited on /fixtures: rateLimit: Too many", 429, True),
    ],
)
async def test_api_football_errors(
    af: FakeProvider,
    http: httpx.AsyncClient,
    reply: Any,
    pattern: str,
    status: int | None,
    retryable: bool,
) -> None:
    af.script("/fixtures", {"id": FID}, reply)
    client = ApiFootball("af-secret-key", base_url=af.base_url, client=http)
    with pytest.raises(ProviderError) as info:
        await client.snapshot(FID)
    err = info.value
    assert re.search(pattern, str(err)), str(err)
    assert str(err).startswith("API-Football: ")
    assert err.status == status and err.retryable is retryable
    if status == 429:
        assert err.retry_after == (7 if "HTTP 429" in str(err) else 60)
    assert "af-secret-key" not in str(err)


async def test_api_football_bad_key_and_timeout(af: FakeProvider) -> None:
    af.script("/fixtures", {"id": FID}, "af_life_02_1h.json")
    async with ApiFootball("wrong-key", base_url=af.base_url) as client:
        with pytest.raises(ProviderError, match="API key refused") as info:
            await client.fixture(FID)
        assert not info.value.retryable
        assert "wrong-key" not in str(info.value) and "wrong-key" not in repr(client)
    af.script("/fixtures", {"id": FID}, slow("af_life_02_1h.json", 1.0))
    async with ApiFootball("af-secret-key", base_url=af.base_url, timeout=0.2) as client:
        with pytest.raises(ProviderError, match="timed out") as info:
            await client.fixture(FID)
        assert info.value.retryable
    missing = await ApiFootball("af-secret-key", af.base_url).fixtures([])
    assert missing == []


# --------------------------------------------------------------------------------------------
# football-data.org


async def test_football_data_shootout_score_excludes_penalties(
    fd: FakeProvider, http: httpx.AsyncClient
) -> None:
    fd.script("/matches/552200", None, "fd_match_shootout.json")
    client = FootballData("fd-secret-token", base_url=fd.base_url, client=http)
    snap = await client.snapshot(552200)
    assert snap.score == (1, 1) and snap.shootout == (1, 4)
    assert snap.status == "finished"
    check_feed(snap.events, snap.match)
    assert derived_score(snap.match, snap.events) == (1, 1)
    assert snap.match == {
        "type": "match",
        "match": "fd:552200",
        "competition": "UEFA Champions League",
        "home": "Liverpool FC",
        "away": "Paris Saint-Germain FC",
        "kickoff": "2025-03-11T20:00:00Z",
        "season": "2024-25",
        "round": "Last 16",
        "venue": "Anfield",
    }
    summary = [brief(e) for e in snap.events if e["type"] != "shootout_kick"]
    assert summary == [
        ("period", "first_half"),
        ("goal", "Paris Saint-Germain FC", "Ousmane Dembélé", 12, "normal"),
        ("card", "Liverpool FC", "Ibrahima Konaté", 33, "yellow"),
        ("period", "half_time"),
        ("period", "second_half"),
        ("sub", "Liverpool FC", "Diogo Jota", "Darwin Núñez"),
        ("card", "Paris Saint-Germain FC", "João Neves", 70, "yellow"),
        ("period", "extra_time"),
        ("card", "Paris Saint-Germain FC", "João Neves", 99, "second_yellow"),
        ("goal", "Liverpool FC", "Marquinhos", 105, "own_goal"),
        ("period", "penalties"),
        ("period", "full_time"),
    ]
    kicks = [e for e in snap.events if e["type"] == "shootout_kick"]
    assert len(kicks) == 7 and sum(k["scored"] for k in kicks) == 5
    assert fd.requests[0].headers["X-Auth-Token"] == "fd-secret-token"
    assert client.quota.minute_remaining == 9 and client.quota.reset_seconds == 42
    new, _ = diff_snapshot(None, snap)
    assert len(new) == len(snap.events)


async def test_football_data_free_plan_live_and_team_matches(
    fd: FakeProvider, http: httpx.AsyncClient
) -> None:
    fd.script(
        "/teams/64/matches",
        {"dateFrom": "2025-03-01", "dateTo": "2025-04-30"},
        "fd_team_64_matches.json",
    )
    client = FootballData("fd-secret-token", base_url=fd.base_url, client=http)
    matches = await client.matches_for_team(64, date_from="2025-03-01", date_to="2025-04-30")
    assert [m["id"] for m in matches] == [552201, 552300]
    fd.script("/matches/552201", None, matches[0])
    snap = await client.snapshot(552201)
    assert snap.status == "first_half" and snap.score == (0, 1) and snap.shootout is None
    assert [brief(e) for e in snap.events] == [("period", "first_half")]
    assert client.quota.minute_remaining == 8


async def test_football_data_standings_and_scorers(
    fd: FakeProvider, http: httpx.AsyncClient
) -> None:
    fd.script("/competitions/PL/standings", None, "fd_standings_PL.json")
    fd.script("/competitions/PL/scorers", {"limit": 3}, "fd_scorers_PL.json")
    client = FootballData("fd-secret-token", base_url=fd.base_url, client=http)
    table = await client.standings("PL")
    assert [r.team for r in table] == [
        "Arsenal FC",
        "Manchester City FC",
        "Liverpool FC",
        "Chelsea FC",
    ]
    top = table[0]
    assert (
        top.position,
        top.played,
        top.won,
        top.draw,
        top.lost,
        top.goals_for,
        top.goals_against,
        top.goal_difference,
        top.points,
    ) == (1, 17, 12, 3, 2, 30, 10, 20, 39)
    scorers = await client.scorers("PL", limit=3)
    assert [(s.player, s.team, s.goals, s.assists, s.penalties) for s in scorers] == [
        ("Erling Haaland", "Manchester City FC", 19, 4, 3),
        ("Igor Thiago", "Brentford FC", 11, None, 2),
        ("Antoine Semenyo", "AFC Bournemouth", 8, 3, None),
    ]


async def test_football_data_errors(fd: FakeProvider, http: httpx.AsyncClient) -> None:
    fd.script("/matches/1", None, rate_limited(23, "football_data"))
    fd.script("/matches/2", None, server_error())
    fd.script("/matches/3", None, garbage())
    fd.script("/matches/4", None, wrong_shape("football_data"))
    client = FootballData("fd-secret-token", base_url=fd.base_url, client=http)
    with pytest.raises(ProviderError, match=r"HTTP 429.*retry after 23s") as info:
        await client.match(1)
    assert info.value.retry_after == 23 and info.value.retryable
    with pytest.raises(ProviderError, match=r"server error \(HTTP 500\)"):
        await client.match(2)
    with pytest.raises(ProviderError, match="not JSON"):
        await client.match(3)
    with pytest.raises(ProviderError, match="unexpected response shape"):
        await client.match(4)
    with pytest.raises(ProviderError, match=r"HTTP 404.*does not exist"):
        await client.match(5)
    bad = FootballData("wrong-token", base_url=fd.base_url, client=http)
    with pytest.raises(ProviderError, match=r"HTTP 400.*token is invalid") as info:
        await bad.match(1)
    assert not info.value.retryable and "wrong-token" not in str(info.value)


async def test_football_data_minute_limit_enforced() -> None:
    async with FakeProvider.football_data(
        key="t", minute_limit=2, enforce_minute_limit=True
    ) as fake:
        fake.script("/matches/552200", None, "fd_match_shootout.json")
        async with FootballData("t", base_url=fake.base_url) as client:
            await client.match(552200)
            await client.match(552200)
            assert client.quota.minute_remaining == 0 and client.quota.exhausted
            assert client.quota.wait_seconds() == 42
            with pytest.raises(ProviderError, match="429") as info:
                await client.match(552200)
            assert info.value.retry_after == 42


async def test_scorer_correction_is_not_a_new_goal() -> None:
    g = af_event(20, "Inter", "First Guess", "Goal", "Normal Goal")
    _, st = _poll(None, [g], (1, 0))
    fixed = af_event(21, "Inter", "Real Scorer", "Goal", "Normal Goal")
    new, st = _poll(st, [fixed], (1, 0))
    assert [brief(e) for e in new] == [("goal_update", "Inter", "Real Scorer", 21, "normal")]
    assert new[0]["ref"] == f"goal:505:p{g['player']['id']}:20+0"
    new, st = _poll(st, [fixed], (1, 0))
    assert new == []
    later = af_event(40, "Inter", "Another", "Goal", "Normal Goal")
    new, st = _poll(st, [fixed, later], (2, 0), 41)
    assert [brief(e) for e in new] == [("goal", "Inter", "Another", 40, "normal")]


@pytest.mark.parametrize(
    ("short", "elapsed", "state", "periods"),
    [
        ("NS", None, "scheduled", []),
        ("TBD", None, "scheduled", []),
        ("BT", 90, "break", ["first_half", "half_time", "second_half"]),
        ("BT", 105, "break", ["first_half", "half_time", "second_half", "extra_time"]),
        ("SUSP", 60, "suspended", ["first_half", "half_time", "second_half"]),
        ("INT", 20, "interrupted", ["first_half"]),
        ("PST", None, "postponed", []),
        ("CANC", None, "cancelled", []),
        ("ABD", 70, "abandoned", ["first_half", "half_time", "second_half"]),
        ("AWD", None, "awarded", ["full_time"]),
        ("WO", None, "awarded", ["full_time"]),
        ("FT", 90, "finished", ["first_half", "half_time", "second_half", "full_time"]),
        (
            "AET",
            120,
            "finished",
            ["first_half", "half_time", "second_half", "extra_time", "full_time"],
        ),
    ],
)
async def test_api_football_status_mapping(
    short: str, elapsed: int | None, state: str, periods: list[str]
) -> None:
    fx = live([], (0, 0), 0, short)
    fx["fixture"]["status"]["elapsed"] = elapsed
    snap = translate_fixture(fx, [])
    assert snap.status == state
    assert [e["period"] for e in snap.events] == periods
    check_feed(snap.events, snap.match)
    assert snap.finished == (state in ("finished", "awarded"))
