"""Commands on days without goals or without a team: /scorers before kick-off says when the
match starts; /next, /last and /score work for a chat that follows only a player (his team's
matches) or only a competition; a goal whose scorer is not known counts for nobody."""

from __future__ import annotations

import json
from datetime import datetime

import pytest

from bot.commands import Commands
from bot.engine import Engine
from bot.feed_format import parse_line
from bot.messages.model import message_text
from bot.ports import CommandContext
from storage.store import Store

PLAYER_FAN = CommandContext(platform="telegram", chat_id="p", user_id="u1")
LEAGUE_FAN = CommandContext(platform="telegram", chat_id="c", user_id="u2")


@pytest.fixture
def commands(store: Store) -> Commands:
    now = datetime.fromisoformat("2026-01-10T12:00:00+00:00").timestamp()
    return Commands(store, clock=lambda: now)


def say(commands: Commands, ctx: CommandContext, text: str) -> str:
    name, _, args = text.lstrip("/").partition(" ")
    return message_text(commands.run(ctx, name, args))


def feed(engine: Engine, *objects: dict[str, object]) -> None:
    for obj in objects:
        engine.ingest(parse_line(json.dumps(obj)))


def match(mid: str, home: str, away: str, kickoff: str) -> dict[str, object]:
    return {
        "type": "match",
        "match": mid,
        "competition": "Serie A",
        "home": home,
        "away": away,
        "kickoff": kickoff,
    }


@pytest.fixture
def season(engine: Engine) -> None:
    feed(
        engine,
        match("played", "Inter", "Milan", "2026-01-04T19:45:00Z"),
        {"type": "period", "match": "played", "id": "k", "minute": 0, "period": "first_half"},
        {
            "type": "goal",
            "match": "played",
            "id": "g",
            "minute": 5,
            "team": "Inter",
            "player": "Lautaro Martínez",
        },
        {"type": "goal", "match": "played", "id": "g2", "minute": 50, "team": "Milan"},
        {"type": "period", "match": "played", "id": "f", "minute": 90, "period": "full_time"},
        match("next", "Atalanta", "Inter", "2026-02-01T19:45:00Z"),
        match("other", "Napoli", "Roma", "2026-01-31T17:00:00Z"),
    )


def test_scorers_before_kick_off_say_when_it_starts(commands: Commands, season: None) -> None:
    assert say(commands, PLAYER_FAN, "/scorers atalanta") == (
        "Atalanta v Inter has not started yet: kick-off Sun 1 Feb 19:45 UTC."
    )


def test_a_player_followers_next_last_and_score_are_his_teams(
    commands: Commands, season: None
) -> None:
    say(commands, PLAYER_FAN, "/subscribe player Lautaro Martínez")
    assert say(commands, PLAYER_FAN, "/next").startswith("📅 Atalanta v Inter, Sun 1 Feb 19:45")
    assert say(commands, PLAYER_FAN, "/last").startswith("🏁 Inter 1-1 Milan")
    assert "Inter 1-1 Milan" in say(commands, PLAYER_FAN, "/score")  # the latest result


def test_a_competition_followers_next_and_last_are_its_matches(
    commands: Commands, season: None
) -> None:
    say(commands, LEAGUE_FAN, "/subscribe serie a")
    nxt = [row for row in say(commands, LEAGUE_FAN, "/next").splitlines() if row]
    assert nxt[0].startswith("📅 Napoli v Roma, Sat 31 Jan 17:00")
    assert nxt[1].startswith("📅 Atalanta v Inter, Sun 1 Feb 19:45")
    assert say(commands, LEAGUE_FAN, "/last").startswith("🏁 Inter 1-1 Milan")


def test_a_goal_without_its_scorer_counts_for_nobody(commands: Commands, season: None) -> None:
    top = say(commands, LEAGUE_FAN, "/scorers serie a")
    assert "1. Lautaro Martínez (Inter) 1" in top
    assert "2." not in top and "None" not in top and "Unknown" not in top
