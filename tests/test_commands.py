"""The platform-neutral chat commands."""

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
from tests.support.core import DATA, SEED, ingest_file

FAN = CommandContext(platform="telegram", chat_id="1", user_id="u1")
GROUP_MEMBER = CommandContext(
    platform="telegram", chat_id="-9", user_id="u2", chat_kind="group", can_manage=False
)


@pytest.fixture
def commands(store: Store) -> Commands:
    now = datetime.fromisoformat("2026-01-01T12:00:00+00:00").timestamp()
    return Commands(store, clock=lambda: now)


def say(commands: Commands, text: str, ctx: CommandContext = FAN) -> str:
    name, _, args = text.lstrip("/").partition(" ")
    return message_text(commands.run(ctx, name, args))


@pytest.mark.parametrize("typed", ["inter", "Internazionale", "Inter Milan", "INTER", "inter "])
def test_subscribe_finds_inter_by_any_name(commands: Commands, store: Store, typed: str) -> None:
    assert say(commands, f"/subscribe {typed}") == (
        "✅ This chat now follows Inter. Alerts: key events."
    )
    assert [t["name"] for t in store.followed_teams("telegram", "1")] == ["Inter"]


def test_subscribe_twice_and_unsubscribe(commands: Commands) -> None:
    say(commands, "/subscribe inter")
    assert say(commands, "/subscribe inter") == "This chat already follows Inter."
    assert say(commands, "/subscriptions") == "This chat follows: Inter"
    assert say(commands, "/unsubscribe inter") == "🔕 This chat no longer follows Inter."
    assert say(commands, "/unsubscribe inter") == "This chat doesn't follow Inter."
    assert say(commands, "/subscriptions").startswith("This chat follows no team yet.")


def test_a_typo_gets_suggestions_as_buttons(commands: Commands) -> None:
    message = commands.run(FAN, "subscribe", "intr")
    assert message.kind == "suggestions"
    assert [(b.label, b.action) for b in message.buttons] == [("Inter", "subscribe:inter")]
    assert message_text(message) == ("I don't know a team called “intr”.\n\nDid you mean: Inter?")
    pressed = commands.press(FAN, "subscribe:inter")
    assert message_text(pressed) == "✅ This chat now follows Inter. Alerts: key events."


def test_an_unknown_team_and_missing_argument_get_clear_answers(commands: Commands) -> None:
    answer = commands.run(FAN, "subscribe", "Qwxyz")
    assert answer.kind == "error" and "I don't know a team called “Qwxyz”" in message_text(answer)
    assert say(commands, "/subscribe") == (
        "Which team, competition or player? For example: /subscribe inter, /subscribe serie a"
        "\n\nor /subscribe player Lautaro Martínez."
    )
    assert say(commands, "/offside") == "I don't know /offside. Try /help."
    assert message_text(commands.press(FAN, "subscribe:nope")).startswith("That button")


def test_only_admins_change_a_groups_subscriptions(commands: Commands) -> None:
    assert say(commands, "/subscribe inter", GROUP_MEMBER) == (
        "Only the chat's admins can change what this chat follows."
    )
    assert say(commands, "/score inter", GROUP_MEMBER).startswith("Inter: no match")


def test_score_and_scorers_of_the_seed_match(commands: Commands, engine: Engine) -> None:
    ingest_file(engine, SEED)
    assert (
        say(commands, "/score inter")
        == "FT  Atalanta 0-1 Inter, Serie A · Matchday 17 · Bergamo · 28 Dec 2025"
    )
    assert say(commands, "/scorers atalanta") == "Atalanta 0-1 Inter: Lautaro Martínez 65'"
    say(commands, "/subscribe atalanta")
    say(commands, "/subscribe inter")
    assert say(commands, "/score").count("Atalanta 0-1 Inter") == 1  # one match, shown once
    assert say(commands, "/scorers") == (
        "Serie A top scorers\n\n1. Lautaro Martínez (Inter) 1\nFrom the matches I know."
    )
    assert say(commands, "/scorers serie a").startswith("Serie A top scorers")


def test_score_while_live_shows_the_minute(commands: Commands, engine: Engine) -> None:
    lines = SEED.read_text("utf-8").splitlines()[:13]  # up to Lautaro's goal
    for text in lines:
        engine.ingest(parse_line(text))
    # a feed without a clock: the phase, never the minute of the last event
    assert say(commands, "/score inter") == "🔴 LIVE 2nd half  Atalanta 0-1 Inter"
    assert say(commands, "/scorers inter") == "Atalanta 0-1 Inter: Lautaro Martínez 65'"
    # the provider's clock (a declaration carrying it): its minute
    decl = json.loads(lines[0])
    engine.ingest(parse_line(json.dumps({**decl, "status": "second_half", "clock_minute": 67})))
    assert say(commands, "/score inter") == "🔴 LIVE 67'  Atalanta 0-1 Inter"
    engine.ingest(
        parse_line(
            json.dumps({**decl, "status": "second_half", "clock_minute": 90, "clock_stoppage": 3})
        )
    )
    assert say(commands, "/score inter") == "🔴 LIVE 90+3'  Atalanta 0-1 Inter"
    for status, said in [
        ("suspended", "🔴 LIVE suspended at 71'  Atalanta 0-1 Inter"),
        ("interrupted", "🔴 LIVE interrupted at 71'  Atalanta 0-1 Inter"),
        ("half_time", "🔴 LIVE half-time  Atalanta 0-1 Inter"),
        ("break", "🔴 LIVE break before extra time  Atalanta 0-1 Inter"),
        ("penalties", "🔴 LIVE penalty shoot-out  Atalanta 0-1 Inter"),
        ("abandoned", "Abandoned at 71'  Atalanta 0-1 Inter, Serie A · Matchday 17 · Bergamo"),
        ("awarded", "Awarded  Atalanta 0-1 Inter, Serie A · Matchday 17 · Bergamo"),
    ]:
        engine.ingest(parse_line(json.dumps({**decl, "status": status, "clock_minute": 71})))
        assert say(commands, "/score inter").startswith(said), status


def test_score_of_an_upcoming_match_in_the_chats_timezone(
    commands: Commands, engine: Engine, store: Store
) -> None:
    engine.ingest(
        parse_line(
            json.dumps(
                {
                    "type": "match",
                    "match": "next",
                    "competition": "Serie A",
                    "home": "Inter",
                    "away": "Milan",
                    "kickoff": "2026-02-01T19:45:00Z",
                }
            )
        )
    )
    assert say(commands, "/score milan") == "Next: Inter v Milan, Sun 1 Feb 19:45 UTC"
    store.set_chat_settings("telegram", "1", {"timezone": "Europe/Rome"})
    assert say(commands, "/score milan") == "Next: Inter v Milan, Sun 1 Feb 20:45 CET"


def test_top_scorers_skip_own_and_cancelled_goals(commands: Commands, engine: Engine) -> None:
    ingest_file(engine, DATA / "world-cup-final.jsonl")
    assert say(commands, "/scorers world cup") == (
        "World Cup top scorers\n\n1. Kylian Mbappé (France) 3\n2. Lionel Messi (Argentina) 2\n"
        "3. Ángel Di María (Argentina) 1\nFrom the matches I know."
    )


def test_start_and_help(commands: Commands) -> None:
    assert say(commands, "/start").startswith("👋 I post live match alerts")
    help_text = say(commands, "/help")
    assert "/subscribe WHAT — follow a team (inter), a competition (serie a)" in help_text
    assert "/today — today's matches of everything this chat follows" in help_text


def test_scorers_without_a_team_name_the_chats_competition_else_the_latest(
    commands: Commands, engine: Engine, store: Store
) -> None:
    ingest_file(engine, SEED)  # Serie A, 28 Dec 2025
    ingest_file(engine, DATA / "world-cup-final.jsonl")  # World Cup, 18 Dec 2022
    # a chat following nobody: the competition played last
    assert say(commands, "/scorers").startswith("Serie A top scorers")
    say(commands, "/subscribe argentina")
    assert say(commands, "/scorers").startswith("World Cup top scorers")
    assert store.competitions_played() == ["Serie A", "World Cup"]
    (argentina,) = [r["id"] for r in store.followed_teams("telegram", "1")]
    assert store.competitions_played([argentina]) == ["World Cup"]
    assert store.competitions_played([]) == []
