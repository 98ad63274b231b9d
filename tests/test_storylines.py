"""Storylines: each is claimed when the known matches prove it, and not otherwise."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.engine import Engine
from bot.feed_format import parse_line
from bot.messages import i18n, templates
from bot.messages.model import message_text
from bot.ports import TableRow
from bot.storylines import (
    LastMeeting,
    NextFixture,
    PlayerStreak,
    SeasonGoals,
    Storyline,
    TablePlace,
    TeamRun,
    matchday,
)
from storage.store import Store
from tests.support.core import follow, outbox_text

START = datetime(2025, 8, 23, 18, 45, tzinfo=UTC)
Goal = tuple[str, str, int]  # team, player, minute


def feed(engine: Engine, **item: Any) -> None:
    engine.ingest(parse_line(json.dumps(item)))


def play(
    engine: Engine,
    md: int | None,
    home: str,
    away: str,
    goals: list[Goal] = (),  # type: ignore[assignment]
    *,
    finished: bool = True,
    competition: str = "Serie A",
    day: int | None = None,
    round_name: str | None = None,
) -> str:
    """Declare (and play) a match of matchday ``md``; returns its id."""
    mid = f"{competition}-{md}-{home}-{away}".replace(" ", "")
    kickoff = START + timedelta(days=7 * ((md or 1) - 1) + (day or 0))
    feed(
        engine,
        type="match",
        match=mid,
        competition=competition,
        home=home,
        away=away,
        kickoff=kickoff.isoformat(),
        season="2025-26",
        round=round_name or (f"Matchday {md}" if md is not None else "Final"),
    )
    if not finished:
        return mid
    feed(engine, type="period", match=mid, id="k", minute=0, period="first_half")
    for n, (team, player, minute) in enumerate(goals):
        feed(engine, type="goal", match=mid, id=f"g{n}", minute=minute, team=team, player=player)
    feed(engine, type="period", match=mid, id="ft", minute=90, period="full_time")
    return mid


def stories(engine: Engine, mid: str, standings: list[TableRow] | None = None) -> list[Storyline]:
    state = engine.state(mid)
    assert state is not None and state.finished
    return engine.storylines(state, standings, "football-data.org" if standings else None)


def texts(engine: Engine, mid: str, lang: str = "en") -> list[str]:
    state = engine.state(mid)
    assert state is not None
    with i18n.use(lang):
        return [templates.storyline_text(s) for s in engine.storylines(state)]


LAUTARO = "Lautaro Martínez"


def test_matchday_numbers() -> None:
    assert matchday("Matchday 17") == 17
    assert matchday("Regular Season - 5") == 5
    assert matchday("Giornata 3") == 3
    for not_a_matchday in ("Round of 16", "Final", "Group A", None, "Quarter-finals"):
        assert matchday(not_a_matchday) is None


def test_scoring_streak_over_consecutive_matchdays(engine: Engine) -> None:
    play(engine, 1, "Inter", "Roma", [("Roma", "Paulo Dybala", 10)])
    play(engine, 2, "Milan", "Inter", [("Inter", LAUTARO, 30)])
    play(engine, 3, "Inter", "Lazio", [("Inter", LAUTARO, 5), ("Inter", LAUTARO, 60)])
    last = play(engine, 4, "Atalanta", "Inter", [("Inter", LAUTARO, 65)])
    found = stories(engine, last)
    assert PlayerStreak(LAUTARO, "Inter", 3, "Serie A") in found
    assert SeasonGoals(LAUTARO, "Inter", 4, "Serie A") in found
    en = texts(engine, last)
    assert "🔥 Lautaro Martínez has scored in each of Inter's last 3 Serie A matches" in en
    assert "🎯 Lautaro Martínez: 4 Serie A goals for Inter this season" in en
    it = texts(engine, last, "it")
    assert "🔥 Lautaro Martínez in gol in ognuna delle ultime 3 partite di Inter in Serie A" in it


def test_no_streak_across_a_matchday_the_bot_does_not_know(engine: Engine) -> None:
    play(engine, 1, "Inter", "Roma", [("Inter", LAUTARO, 10)])
    play(engine, 2, "Milan", "Inter", [("Inter", LAUTARO, 30)])
    # matchday 3 unknown
    last = play(engine, 4, "Atalanta", "Inter", [("Inter", LAUTARO, 65)])
    found = stories(engine, last)
    assert not [s for s in found if isinstance(s, PlayerStreak | SeasonGoals)]


def test_no_streak_when_he_did_not_score_or_scorers_are_unknown(engine: Engine) -> None:
    play(engine, 1, "Inter", "Roma", [("Inter", LAUTARO, 10)])
    play(engine, 2, "Milan", "Inter", [("Inter", "Marcus Thuram", 30)])
    play(engine, 3, "Inter", "Lazio", [("Inter", LAUTARO, 5)])
    last = play(engine, 4, "Atalanta", "Inter", [("Inter", LAUTARO, 65)])
    assert not [s for s in stories(engine, last) if isinstance(s, PlayerStreak)]
    # an own goal is not his goal; a goal of the other team neither
    play(engine, 5, "Inter", "Genoa", [("Inter", LAUTARO, 20)])
    play(engine, 6, "Inter", "Torino", [("Torino", LAUTARO, 20)])
    last = play(engine, 7, "Napoli", "Inter", [("Inter", LAUTARO, 20)])
    assert not [s for s in stories(engine, last) if isinstance(s, PlayerStreak)]


def test_a_cup_makes_no_runs(engine: Engine) -> None:
    for n, name in enumerate(("Round of 16", "Quarter-finals", "Semi-finals", "Final")):
        mid = play(
            engine,
            None,
            "Inter",
            f"Team {n}",
            [("Inter", LAUTARO, 10)],
            competition="Coppa Italia",
            day=n,
            round_name=name,
        )
    found = stories(engine, mid)
    assert not [s for s in found if isinstance(s, PlayerStreak | SeasonGoals | TeamRun)]


def test_team_runs(engine: Engine) -> None:
    play(engine, 1, "Inter", "Roma", [("Inter", LAUTARO, 10)])
    play(engine, 2, "Milan", "Inter", [("Inter", LAUTARO, 30)])
    play(engine, 3, "Inter", "Lazio", [("Inter", LAUTARO, 5)])
    last = play(engine, 4, "Atalanta", "Inter", [("Inter", LAUTARO, 65)])
    found = stories(engine, last)
    assert TeamRun("Inter", "wins", 4, "Serie A") in found
    assert TeamRun("Inter", "clean_sheets", 4, "Serie A") in found
    assert not [s for s in found if isinstance(s, TeamRun) and s.team == "Atalanta"]
    en = texts(engine, last)
    assert "📈 Inter have won their last 4 Serie A matches" in en
    assert "🧱 Inter have kept a clean sheet in each of their last 4 Serie A matches" in en
    assert "📈 Inter: 4 vittorie consecutive in Serie A" in texts(engine, last, "it")


def test_unbeaten_and_winless_runs_only_from_three(engine: Engine) -> None:
    play(engine, 1, "Inter", "Roma", [("Inter", LAUTARO, 10), ("Roma", "Paulo Dybala", 20)])
    play(engine, 2, "Milan", "Inter")
    last = play(engine, 3, "Inter", "Lazio", [("Inter", LAUTARO, 5)])
    found = [s for s in stories(engine, last) if isinstance(s, TeamRun)]
    assert TeamRun("Inter", "unbeaten", 3, "Serie A") in found
    assert not [s for s in found if s.kind == "wins"]  # one win only
    assert not [s for s in found if s.kind == "clean_sheets"]  # two only
    # Roma, Milan and Lazio each played one known match: no run for anyone else
    assert all(s.team == "Inter" for s in found)


def test_winless_and_losing_runs(engine: Engine) -> None:
    play(engine, 1, "Genoa", "Roma", [("Roma", "Paulo Dybala", 10)])
    play(engine, 2, "Milan", "Genoa")
    last = play(engine, 3, "Genoa", "Lazio", [("Lazio", "Mattia Zaccagni", 5)])
    found = [s for s in stories(engine, last) if isinstance(s, TeamRun)]
    assert TeamRun("Genoa", "winless", 3, "Serie A") in found
    assert not [s for s in found if s.kind == "defeats"]
    assert "📉 Genoa have not won in their last 3 Serie A matches" in texts(engine, last)


def test_last_meeting(engine: Engine) -> None:
    first = play(engine, 1, "Inter", "Atalanta", [("Inter", LAUTARO, 10), ("Atalanta", "X Y", 50)])
    second = play(engine, 2, "Atalanta", "Inter")
    found = [s for s in stories(engine, second) if isinstance(s, LastMeeting)]
    assert [s.state.fixture.id for s in found] == [first]
    assert "🔁 Last meeting I know of: Inter 1-1 Atalanta (Serie A, 23 Aug 2025)" in texts(
        engine, second
    )
    assert "🔁 Ultimo precedente a me noto: Inter 1-1 Atalanta (Serie A, 23 ago 2025)" in texts(
        engine, second, "it"
    )
    assert not [s for s in stories(engine, first) if isinstance(s, LastMeeting)]


def test_next_fixture(engine: Engine) -> None:
    mid = play(engine, 1, "Atalanta", "Inter")
    play(engine, 3, "Roma", "Atalanta", finished=False)
    play(engine, 2, "Atalanta", "Roma", finished=False)
    play(engine, None, "Atalanta", "Genoa", finished=False, competition="Coppa Italia", day=3)
    found = [s for s in stories(engine, mid) if isinstance(s, NextFixture)]
    assert [(s.team, s.fixture.home, s.fixture.away) for s in found] == [
        ("Atalanta", "Atalanta", "Roma")
    ]
    assert "📅 Atalanta's next Serie A match: Atalanta v Roma, Sat 30 Aug 18:45 UTC" in texts(
        engine, mid
    )
    assert "📅 Prossima partita di Atalanta in Serie A: Atalanta-Roma, sab 30 ago 18:45 UTC" in (
        texts(engine, mid, "it")
    )


def test_no_next_fixture_across_an_unknown_matchday(engine: Engine) -> None:
    mid = play(engine, 1, "Atalanta", "Inter")
    play(engine, 3, "Roma", "Atalanta", finished=False)  # matchday 2 unknown
    assert not [s for s in stories(engine, mid) if isinstance(s, NextFixture)]


TEAMS = ["Inter", "Milan", "Roma", "Lazio", "Napoli", "Juventus", "Atalanta", "Torino"]
TEAMS += ["Genoa", "Bologna"]


def league(engine: Engine, rounds: int, skip: str | None = None) -> dict[int, str]:
    """Ten teams, a round-robin schedule (circle method); Inter win every match, every other
    match is a goalless draw. ``skip``: a match id left out. Returns Inter's match id by round."""
    inter: dict[int, str] = {}
    others = TEAMS[1:]
    for md in range(1, rounds + 1):
        ring = [TEAMS[0], *others]
        for i in range(len(ring) // 2):
            home, away = ring[i], ring[-1 - i]
            if md % 2 == 0:
                home, away = away, home
            mid = f"SerieA-{md}-{home}-{away}"
            if mid == skip:
                continue
            goals: list[Goal] = [("Inter", LAUTARO, 10)] if "Inter" in (home, away) else []
            play(engine, md, home, away, goals)
            if "Inter" in (home, away):
                inter[md] = mid
        others = [others[-1], *others[:-1]]
    return inter


def test_table_computed_when_every_match_is_known(engine: Engine) -> None:
    inter = league(engine, 3)
    found = [s for s in stories(engine, inter[3]) if isinstance(s, TablePlace)]
    # Inter alone on 9 points; every other team is level with another one: no position claimed
    assert found == [TablePlace("Inter", 1, 9, "Serie A")]
    assert "🏆 Inter are 1st in Serie A with 9 points" in texts(engine, inter[3])
    assert "🏆 Inter al 1º posto in Serie A con 9 punti" in texts(engine, inter[3], "it")


def test_no_table_when_a_match_is_missing(engine: Engine) -> None:
    full = Engine(Store.open(":memory:"))
    league(full, 3)
    some_match = next(m["id"] for m in full.store.matches() if "Inter" not in m["id"])
    inter = league(engine, 3, skip=some_match)
    assert len(engine.store.matches()) == len(full.store.matches()) - 1 == 14
    assert not [s for s in stories(engine, inter[3]) if isinstance(s, TablePlace)]


def test_no_table_for_a_handful_of_teams(engine: Engine) -> None:
    play(engine, 1, "Inter", "Roma", [("Inter", LAUTARO, 10)])
    last = play(engine, 1, "Milan", "Lazio")
    assert not [s for s in stories(engine, last) if isinstance(s, TablePlace)]


def test_table_from_the_provider_only_when_it_counted_this_match(engine: Engine) -> None:
    mid = play(engine, 17, "Atalanta", "Inter", [("Inter", LAUTARO, 65)])
    counted = [
        TableRow(1, "Inter", 17, 12, 2, 3, 20, 38),
        TableRow(9, "Atalanta", 17, 6, 6, 5, 3, 24),
    ]
    places = [s for s in stories(engine, mid, counted) if isinstance(s, TablePlace)]
    assert TablePlace("Inter", 1, 38, "Serie A", "football-data.org") in places
    assert TablePlace("Atalanta", 9, 24, "Serie A", "football-data.org") in places
    stale = [
        TableRow(1, "Inter", 16, 11, 2, 3, 19, 35),
        TableRow(9, "Atalanta", 16, 6, 6, 4, 4, 24),
    ]
    assert not [s for s in stories(engine, mid, stale) if isinstance(s, TablePlace)]


def test_recap_and_goal_alert_carry_the_storylines(store: Store, engine: Engine) -> None:
    follow(store, "console", "c", "inter", level="all")
    play(engine, 1, "Inter", "Roma", [("Inter", LAUTARO, 10)])
    play(engine, 2, "Milan", "Inter", [("Inter", LAUTARO, 30)])
    last = play(engine, 3, "Atalanta", "Inter", [("Inter", LAUTARO, 65)])
    alert = next(
        outbox_text(r)
        for r in store.outbox_rows()
        if r["key"].startswith(f"event:{last}:g0:") and r["kind"] == "alert"
    )
    assert "🔥 Lautaro Martínez has scored in each of Inter's last 3 Serie A matches" in alert
    first_alert = next(
        outbox_text(r)
        for r in store.outbox_rows()
        if r["key"].startswith("event:SerieA-1-Inter-Roma:g0")
    )
    assert "🔥" not in first_alert
    engine.queue_recap(last)
    recap = next(outbox_text(r) for r in store.outbox_rows() if r["kind"] == "recap")
    assert "📈 Storylines" in recap
    assert "🔥 Lautaro Martínez has scored in each of Inter's last 3 Serie A matches" in recap
    message = engine.recap_message(last)
    assert message is not None
    with i18n.use("it"):
        italian = engine.recap_message(last)
    assert italian is not None
    assert "📈 Il contesto" in message_text(italian)
