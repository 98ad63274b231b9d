"""API-Football's line-ups, statistics and ratings (embedded in ``/fixtures?ids=``, real-shaped:
``"45%"`` strings, ``null`` figures, ratings as strings, a player listed twice) through the
running bot: the line-ups message before kick-off, the statistics edited into the half-time
and full-time alerts, the player of the match in the recap; nothing said that was not given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from adapters.assemble import build_bot
from adapters.providers.api_football.depth import depth_objects, statistics
from tests.support.core import chat, until
from tests.support.fakes.provider_api import (
    FakeProvider,
    af_lineup,
    af_players,
    af_statistics,
)
from tests.support.fakes.recording import RecordingPlatform
from tests.test_provider_polling import IDS, KEY, TEAMS_INTER, af_life, af_source, soon

INTER = {"id": 505, "name": "Inter", "logo": "https://media.api-sports.io/football/teams/505.png"}
ATALANTA = {"id": 499, "name": "Atalanta", "logo": None}
XI_INTER = [
    (1, "Y. Sommer", 1, "G"),
    (2, "B. Pavard", 28, "D"),
    (3, "F. Acerbi", 15, "D"),
    (4, "A. Bastoni", 95, "D"),
    (5, "D. Dumfries", 2, "D"),
    (6, "N. Barella", 23, "M"),
    (7, "H. Çalhanoğlu", 20, "M"),
    (8, "H. Mkhitaryan", 22, "M"),
    (9, "F. Dimarco", 32, "D"),
    (217, "Lautaro Martínez", 10, "F"),
    (10, "M. Thuram", 9, "F"),
]
BENCH_INTER = [
    (11, "J. Martínez", 13, "G"),
    (12, "D. Frattesi", 16, None),
    (13, "P. Esposito", None, "F"),
]
XI_ATALANTA = [(100 + i, f"Atalanta {i}", i, "M") for i in range(1, 12)]


def lineups() -> list[dict[str, Any]]:
    return [
        af_lineup(INTER, "3-5-2", "C. Chivu", XI_INTER, [*BENCH_INTER, BENCH_INTER[1]]),
        af_lineup(ATALANTA, "3-4-2-1", None, XI_ATALANTA, [], colour=None),
    ]


def with_depth(body: dict[str, Any], **parts: Any) -> dict[str, Any]:
    body["response"][0].update(parts)
    return body


async def test_line_ups_stats_and_ratings_from_api_football(tmp_path: Path) -> None:
    kickoff = soon()
    ns = with_depth(af_life("af_life_01_ns.json", kickoff), lineups=lineups())
    ht_stats = [
        af_statistics(
            INTER, possession=58, shots=7, shots_on_target=3, corners=4, fouls=5, xg=0.92
        ),
        af_statistics(ATALANTA, possession=42, shots=4, shots_on_target=None, corners=1, fouls=7),
    ]
    ht = with_depth(af_life("af_life_06_ht.json", kickoff), lineups=lineups(), statistics=ht_stats)
    ft_stats = [
        af_statistics(INTER, possession=55, shots=14, shots_on_target=6, xg=1.84, saves=2),
        af_statistics(ATALANTA, possession=45, shots=9, shots_on_target=3, xg=0.77, saves=4),
    ]
    ratings = [
        af_players(INTER, [(217, "Lautaro Martínez", "8.4"), (6, "N. Barella", "7.1")]),
        af_players(ATALANTA, [(101, "Atalanta 1", "6.9"), (102, "Atalanta 2", None)]),
    ]
    ft = with_depth(
        af_life("af_life_08_2h.json", kickoff, short="FT", long="Match Finished", elapsed=90),
        lineups=lineups(),
        statistics=ft_stats,
        players=ratings,
    )
    async with FakeProvider.api_football(key=KEY) as fake:
        fake.script("/teams", {"search": "Inter"}, TEAMS_INTER)
        fake.script("/fixtures", IDS, ns, ns, ht, ht, ft)
        nxt = af_life("af_fixtures_team_505.json", soon(7 * 24 * 60))
        nxt["response"] = [ns["response"][0]]
        fake.script("/fixtures", {"team": 505, "next": 5}, nxt)
        platform = RecordingPlatform()
        source = af_source(fake)
        bot = build_bot(
            tmp_path / "bot.db", [platform], recap_delay=0.0, reminder_lead=None, sources=[source]
        )
        await bot.open()
        await bot.command(chat("a"), "subscribe", "inter")
        await bot.start()
        await until(lambda: any(t.startswith("🏁 Inter") for t in platform.texts("a")), 20)
        await bot.stop()
        await source.aclose()
    texts = platform.texts("a")
    lineup = next(t for t in texts if t.startswith("📋 Line-ups: Inter v Atalanta"))
    assert "Inter (3-5-2)" in lineup
    assert "Forwards: 10 Lautaro Martínez, 9 M. Thuram" in lineup
    # a player without a position, one without a number, one listed twice: each once
    assert lineup.count("D. Frattesi") == 1 and "P. Esposito" in lineup
    assert "Coach: C. Chivu" in lineup and "Atalanta (3-4-2-1)" in lineup
    assert len([t for t in texts if t.startswith("📋 Line-ups")]) == 1  # once, not per poll
    edited = [text for c, _, text in platform.edited if c == "a"]
    half = [t for t in [*texts, *edited] if "Half-time stats" in t]
    assert half, texts
    assert "Possession: 58% – 42%" in half[-1] and "Shots: 7 – 4" in half[-1]
    assert "Shots on target" not in half[-1]  # Atalanta's is null: left out, not 0
    recap = next(t for t in texts if t.startswith("🏁 Inter"))
    assert "⭐ Player of the match: Lautaro Martínez (Inter), rated 8.4" in recap
    assert "Expected goals (xG): 1.84 – 0.77" in recap
    for text in texts:
        assert "None" not in text and "null" not in text and "nan" not in text


def test_odd_statistics_are_left_out() -> None:
    odd = [
        {
            "team": INTER,
            "statistics": [
                {"type": "Ball Possession", "value": "58%"},
                {"type": "Total Shots", "value": "n/a"},
                {"type": "expected_goals", "value": "NaN"},
                {"type": "Fouls", "value": 12.0},
            ],
        },
        {
            "team": ATALANTA,
            "statistics": [
                {"type": "Ball Possession", "value": "42%"},
                {"type": "Total Shots", "value": 3},
                {"type": "Fouls", "value": None},
            ],
        },
    ]

    def name(team: Any) -> str | None:
        return {505: "Inter", 499: "Atalanta"}.get(team.get("id"))

    stats = statistics("af:1", odd, "full_time", {"Inter": "home", "Atalanta": "away"}, name)
    assert stats == {
        "type": "stats",
        "match": "af:1",
        "period": "full_time",
        "home": {"possession": 58, "fouls": 12},
        "away": {"possession": 42, "shots": 3},
    }
    fx = {"fixture": {"status": {"short": "1H"}}, "lineups": "not a list", "statistics": odd}
    assert depth_objects(fx, "af:1", "Inter", "Atalanta", name) == []
