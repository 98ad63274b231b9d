"""The providers as live sources of the running bot, end to end on the local fake servers.

A chat follows a team; the fixtures job finds the fixture through the provider; the match is
polled through its life, with failures and a restart on the way; the chat gets each alert once.
"""

from __future__ import annotations

import asyncio
import copy
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from adapters.assemble import build_bot
from adapters.providers import ApiFootball, FootballData
from adapters.providers.api_football import ApiFootballSource
from adapters.providers.football_data import FootballDataSource
from tests.support.core import chat, until
from tests.support.fakes.provider_api import (
    FakeProvider,
    Recorded,
    garbage,
    load_fixture,
    rate_limited,
    server_error,
    wrong_shape,
)
from tests.support.fakes.recording import RecordingPlatform

FID = 1035001
IDS = {"ids": str(FID)}
FAST = 0.05
KEY = "af-secret-key-123"


class Stamped(list[Recorded]):
    """The fake's request log, with the time each request arrived."""

    def __init__(self) -> None:
        super().__init__()
        self.at: list[float] = []

    def append(self, item: Recorded) -> None:
        self.at.append(time.monotonic())
        super().append(item)


def soon(minutes: float = 5) -> str:
    return (datetime.now(UTC) + timedelta(minutes=minutes)).replace(microsecond=0).isoformat()


def af_life(name: str, kickoff: str, **status: Any) -> dict[str, Any]:
    body = copy.deepcopy(load_fixture(name))
    fx = body["response"][0]["fixture"]
    fx["date"] = kickoff
    fx["status"].update(status)
    return dict(body)


def polls(fake: FakeProvider, params: dict[str, str]) -> list[Recorded]:
    return [r for r in fake.requests if r.path == "/fixtures" and r.query == params]


def headlines(platform: RecordingPlatform, chat_id: str) -> list[str]:
    return [t.split("\n")[0] for t in platform.texts(chat_id)]


def af_source(fake: FakeProvider, **kw: Any) -> ApiFootballSource:
    kw.setdefault("min_interval", FAST)
    kw.setdefault("match_window", 60.0)
    return ApiFootballSource(ApiFootball(KEY, base_url=fake.base_url), **kw)


TEAMS_INTER = {
    "get": "teams",
    "parameters": {"search": "Inter"},
    "errors": [],
    "results": 3,
    "paging": {"current": 1, "total": 1},
    "response": [
        {"team": {"id": 505, "name": "Inter", "code": "INT", "country": "Italy"}},
        {"team": {"id": 1000, "name": "Inter Turku", "code": "INT", "country": "Finland"}},
        {"team": {"id": 9568, "name": "Inter Miami", "code": "MIA", "country": "USA"}},
    ],
}


async def test_api_football_match_life_with_failures_and_a_restart(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    kickoff = soon()
    life = [
        af_life(f"af_life_0{i}_{s}.json", kickoff)
        for i, s in [
            (1, "ns"),
            (2, "1h"),
            (3, "1h"),
            (4, "1h_var"),
            (5, "1h_og"),
            (6, "ht"),
            (7, "2h"),
            (8, "2h"),
        ]
    ]
    full_time = af_life(
        "af_life_08_2h.json", kickoff, short="FT", long="Match Finished", elapsed=90, extra=None
    )
    db = tmp_path / "bot.db"
    async with FakeProvider.api_football(key=KEY) as fake:
        fake.requests = Stamped()
        fake.script("/teams", {"search": "Inter"}, TEAMS_INTER)
        fake.script("/fixtures", IDS, life[0], life[1], life[2])
        # the team's next fixtures: the one of this test among them
        nxt = af_life("af_fixtures_team_505.json", soon(7 * 24 * 60))
        nxt["response"] = [life[0]["response"][0], nxt["response"][0]]
        fake.script("/fixtures", {"team": 505, "next": 5}, nxt)

        first = RecordingPlatform()
        source = af_source(fake)
        bot = build_bot(db, [first], recap_delay=0.0, reminder_lead=None, sources=[source])
        await bot.open()
        await bot.command(chat("a"), "subscribe", "inter")
        await bot.command(chat("a"), "settings", "level all")
        await bot.start()
        await until(lambda: any("1-1" in h for h in headlines(first, "a")))
        await asyncio.sleep(0.2)  # a few more polls of the same state
        await bot.stop()
        await source.aclose()
        before = len(polls(fake, IDS))
        assert headlines(first, "a") == [
            "🟢 Kick-off: Inter v Atalanta",
            "⚽ GOAL! Inter 1-0 Atalanta",
            "⚽ GOAL! Inter 1-1 Atalanta",
            "🟨 Yellow card — Inter",
        ]

        # the bot restarts mid-match on the same database; the provider meanwhile cancelled
        # Atalanta's goal (VAR) and re-timed Lautaro's goal (9' -> 10'); then trouble
        fake.script(
            "/fixtures",
            IDS,
            life[3],
            server_error(),
            garbage(),
            wrong_shape(),
            rate_limited(1),  # last of the failures: its Retry-After holds until a good poll
            life[4],
            life[5],
            life[6],
            life[7],
            full_time,
        )
        second = RecordingPlatform()
        source = af_source(fake)
        bot = build_bot(db, [second], recap_delay=0.0, reminder_lead=None, sources=[source])
        await bot.start()
        await until(lambda: any(t.startswith("🏁 Inter 2-2") for t in second.texts("a")))
        await asyncio.sleep(0.4)
        await bot.stop()
        await source.aclose()

    assert headlines(second, "a") == [
        "⚽ GOAL! Inter 2-0 Atalanta",  # Hien's own goal; Lautaro's re-timed goal not repeated
        "❌ Goal disallowed — Inter",
        "⏸ Half-time: Inter 2-0 Atalanta",
        "▶️ Second half under way: Inter 2-0 Atalanta",
        "🚫 Penalty missed — Atalanta",
        "🔄 Substitution — Inter",
        "🟨🟥 Second yellow, sent off — Inter",
        "🟥 Red card — Atalanta",
        "⚽ GOAL! Inter 2-1 Atalanta",
        "⚽ GOAL! Inter 2-2 Atalanta",
        "🏁 Full-time: Inter 2-2 Atalanta",
        "🏁 Inter 2-2 Atalanta",  # the recap
    ]
    # the VAR decision seen only after the restart corrects the goal announced before it;
    # Lautaro's goal re-timed 9' -> 10' is edited in place
    assert [(c, text.split("\n")[0]) for c, _, text in second.edited] == [
        ("a", "⚽ GOAL cancelled by VAR — Inter 1-0 Atalanta"),
        ("a", "⚽ GOAL! Inter 1-0 Atalanta"),
    ]
    assert second.edited[1][2].endswith(
        "10' Lautaro Martínez scores for Inter (assist: N. Barella)\nInter lead 1-0"
    )
    recap = second.texts("a")[-1]
    goals = recap.split("⚽ Goals\n")[1].split("\n\n")[0].splitlines()
    assert [g.split(" — ")[0] for g in goals] == [
        "10' Lautaro Martínez",
        "41' I. Hien (og)",
        "75' C. De Ketelaere",
        "88' M. Retegui (pen)",
    ]
    # after full time: one last poll, then none
    after_restart = polls(fake, IDS)[before:]
    assert len(after_restart) == 11  # VAR, 4 failures, 4 states, full time, the last poll
    # Retry-After honoured: the poll after the 429 (the fifth since the restart) waited 1 s
    stamped = fake.requests
    assert isinstance(stamped, Stamped)
    at = [stamped.at[i] for i, r in enumerate(stamped) if r.path == "/fixtures" and r.query == IDS][
        before:
    ]
    assert at[5] - at[4] >= 0.95
    # the team mapping was cached in the store: one search for both runs
    assert len([r for r in fake.requests if r.path == "/teams"]) == 1
    failures = [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.WARNING and "keeping the last good state" in r.getMessage()
    ]
    assert len(failures) == 4
    assert all("API-Football" in m and "af:1035001" in m for m in failures)
    assert KEY not in caplog.text


async def test_api_football_quota_running_short_stretches_the_interval(
    caplog: pytest.LogCaptureFixture,
) -> None:
    kickoff = soon(0)
    async with FakeProvider.api_football(key="k", day_limit=100) as fake:
        fake.script("/fixtures", IDS, af_life("af_life_02_1h.json", kickoff))
        source = ApiFootballSource(ApiFootball("k", base_url=fake.base_url), min_interval=15.0)
        fake.day_remaining = 91
        await source.poll([f"af:{FID}"])
        assert source.quota.day_remaining == 90
        normal = source.poll_interval(1)  # 80 requests over the 135-minute window
        assert 15.0 < normal <= 135 * 60 / 80 + 1
        assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

        fake.day_remaining = 16
        await source.poll([f"af:{FID}"])
        short = source.poll_interval(1)  # 5 requests left above the reserve of 10
        assert short > 20 * 60
        source.poll_interval(1)
        warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
        assert len(warnings) == 1
        assert "API-Football" in warnings[0] and "af:1035001" in warnings[0]
        assert "15 left" in warnings[0]

        fake.day_remaining = 1
        await source.poll([f"af:{FID}"])
        assert source.poll_interval(1) >= 15 * 60  # nothing left: slow, but still polling
        await source.aclose()


def fd_match(status: str, kickoff: str, **changes: Any) -> dict[str, Any]:
    """The shoot-out fixture as the free plan gives it: no goals, bookings, subs or kicks."""
    m = copy.deepcopy(load_fixture("fd_match_shootout.json"))
    for key in ("goals", "bookings", "substitutions", "penalties"):
        m.pop(key)
    m.update(utcDate=kickoff, status=status, **changes)
    return dict(m)


def fd_score(full: tuple[int, int] | None, half: tuple[int, int] | None = None) -> dict[str, Any]:
    def pair(p: tuple[int, int] | None) -> dict[str, int | None]:
        return {"home": p[0], "away": p[1]} if p else {"home": None, "away": None}

    return {"winner": None, "duration": "REGULAR", "fullTime": pair(full), "halfTime": pair(half)}


async def test_football_data_score_only_match_with_a_shootout(tmp_path: Path) -> None:
    kickoff = soon()
    teams = {
        "count": 2,
        "teams": [
            {"id": 64, "name": "Liverpool FC", "shortName": "Liverpool", "tla": "LIV"},
            {"id": 524, "name": "Paris Saint-Germain FC", "shortName": "PSG", "tla": "PSG"},
        ],
    }
    timed = fd_match("TIMED", kickoff, score=fd_score(None))
    async with FakeProvider.football_data(key="t", minute_limit=10_000) as fake:
        fake.script("/competitions/CL/teams", None, teams)
        fake.script("/teams/64/matches", {"status": "SCHEDULED"}, {"matches": [timed]})
        fake.script(
            "/matches/552200",
            None,
            timed,
            fd_match("IN_PLAY", kickoff, minute=12, score=fd_score((0, 1), (0, 1))),
            fd_match("IN_PLAY", kickoff, minute=20, score=fd_score((0, 0), (0, 0))),  # VAR
            fd_match("IN_PLAY", kickoff, minute=25, score=fd_score((0, 1), (0, 1))),
            fd_match("FINISHED", kickoff),
        )
        platform = RecordingPlatform()
        client = FootballData("t", base_url=fake.base_url, minute_limit=None)
        source = FootballDataSource(
            client, min_interval=FAST, competitions=["CL"], match_window=60.0
        )
        bot = build_bot(
            tmp_path / "db", [platform], recap_delay=0.0, reminder_lead=None, sources=[source]
        )
        await bot.open()
        await bot.command(chat("a"), "subscribe", "liverpool")
        await bot.start()
        await until(lambda: any(t.startswith("🏁 Liverpool FC 1-1") for t in platform.texts("a")))
        await asyncio.sleep(0.3)
        await bot.stop()
        await source.aclose()
    result = (
        "Liverpool FC 1-1 Paris Saint-Germain FC (a.e.t.),"
        " Paris Saint-Germain FC win 4-1 on penalties"
    )
    print(headlines(platform, "a"), platform.edited)
    assert headlines(platform, "a") == [
        "🟢 Kick-off: Liverpool FC v Paris Saint-Germain FC",
        "⚽ GOAL! Liverpool FC 0-1 Paris Saint-Germain FC",
        "⚽ GOAL! Liverpool FC 0-1 Paris Saint-Germain FC",
        "⏸ Half-time: Liverpool FC 0-1 Paris Saint-Germain FC",
        "▶️ Second half under way: Liverpool FC 0-1 Paris Saint-Germain FC",
        "⏱ Extra time: Liverpool FC 0-1 Paris Saint-Germain FC",
        "⚽ GOAL! Liverpool FC 1-1 Paris Saint-Germain FC",
        "🎯 Penalty shoot-out: Liverpool FC 1-1 Paris Saint-Germain FC",
        f"🏁 Full-time: {result}",
        f"🏁 {result}",
    ]
    assert len(platform.edited) == 1 and "cancelled" in platform.edited[0][2]
    matches = [r for r in fake.requests if r.path == "/v4/matches/552200"]
    assert len(matches) == 6  # five states, then the last poll after full time
