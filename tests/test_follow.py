"""Following competitions and players: the subscription model, its migration, fan-out
(each chat once, the most permissive level deciding), lookup, /subscriptions, /today."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from bot.commands import Commands
from bot.engine import Engine
from bot.messages.model import message_text
from bot.messages.templates import button_expired
from storage import schema
from storage.store import Store
from tests.support.core import outbox_text
from tests.support.following import FAN, MEMBER, NOON, ctx, feed, keys, line, match, say, texts


@pytest.fixture
def commands(store: Store) -> Commands:
    return Commands(store, clock=lambda: NOON)


# --- the migration ------------------------------------------------------------------------------


def test_team_subscriptions_made_by_the_previous_schema_keep_working(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Migrations("matchbot")
    old._migrations = [m for m in schema.migrations._migrations if m.name < "m006"]  # type: ignore[attr-defined]
    db = Database(sqlite3.connect(path))
    old.apply(db)
    db.execute("INSERT INTO teams (id, name) VALUES ('inter', 'Inter')")
    db.execute("INSERT INTO team_aliases (alias, team_id) VALUES ('inter', 'inter')")
    db.execute(
        "INSERT INTO chats (platform, chat_id, settings, active, created_at)"
        " VALUES ('telegram', '1', '{\"level\": \"goals\"}', 1, 1.0)"
    )
    db.execute("INSERT INTO subscriptions VALUES ('telegram', '1', 'inter', 2.0)")
    db.execute(
        "INSERT INTO matches (id, competition, home_team, away_team, home_name, away_name,"
        " kickoff) VALUES ('old', 'Serie A', 'atalanta', 'inter', 'Atalanta', 'Inter',"
        " '2025-12-28T19:45:00+00:00')"
    )
    db.conn.commit()
    db.close()

    store = Store.open(path)  # migrates
    from bot.competitions import seed_known_competitions

    seed_known_competitions(store)
    assert store.follows("telegram", "1")[0]["kind"] == "team"
    assert [t["name"] for t in store.followed_teams("telegram", "1")] == ["Inter"]
    assert store.match("old")["competition_id"] == "serie-a"
    engine = Engine(store)
    feed(engine, match("m1", "Atalanta", "Inter"))
    feed(engine, line(type="goal", match="m1", id="g1", minute=5, team="Inter", player="X"))
    assert keys(store, "1") == ["event:m1:g1:telegram:1"]
    store.close()


# --- fan-out ----------------------------------------------------------------------------------


def test_a_competition_follower_gets_matches_of_teams_it_does_not_follow(
    engine: Engine, store: Store, commands: Commands
) -> None:
    say(commands, "/subscribe serie a")
    feed(
        engine,
        match("m1", "Napoli", "Roma"),
        match("m2", "Arsenal", "Chelsea", competition="Premier League"),
        line(type="period", match="m1", id="k", minute=0, period="first_half"),
        line(type="period", match="m2", id="k", minute=0, period="first_half"),
    )
    assert keys(store, "1") == ["event:m1:k:telegram:1"]


def test_team_competition_and_player_together_get_each_alert_once(
    engine: Engine, store: Store, commands: Commands
) -> None:
    feed(engine, match("m0", "Inter", "Lecce"))
    feed(
        engine,
        line(type="goal", match="m0", id="g", minute=3, team="Inter", player="Lautaro Martínez"),
    )
    for what in ("inter", "serie a", "player Lautaro Martínez"):
        assert say(commands, f"/subscribe {what}").startswith("✅")
    feed(
        engine,
        match("m1", "Atalanta", "Inter"),
        line(type="period", match="m1", id="k", minute=0, period="first_half"),
        line(type="goal", match="m1", id="g1", minute=65, team="Inter", player="Lautaro Martínez"),
        line(
            type="card",
            match="m1",
            id="c1",
            minute=70,
            team="Inter",
            player="Lautaro Martinez",
            card="red",
        ),
    )
    mine = [k for k in keys(store, "1") if ":m1:" in k]
    assert mine == ["event:m1:k:telegram:1", "event:m1:g1:telegram:1", "event:m1:c1:telegram:1"]


def test_a_player_follower_gets_his_moments_with_the_match_and_score(
    engine: Engine, store: Store, commands: Commands
) -> None:
    feed(engine, match("m1", "Atalanta", "Inter"))
    feed(engine, line(type="period", match="m1", id="k", minute=0, period="first_half"))
    feed(
        engine, line(type="goal", match="m1", id="g0", minute=10, team="Atalanta", player="Ederson")
    )
    assert say(commands, "/subscribe player Ederson") == (
        "✅ This chat now follows Ederson (Atalanta). Alerts: key events."
    )
    feed(
        engine,
        line(type="goal", match="m1", id="g1", minute=65, team="Inter", player="Lautaro Martínez"),
        line(
            type="card",
            match="m1",
            id="c1",
            minute=70,
            team="Atalanta",
            player="Ederson",
            card="yellow",
        ),
        line(
            type="substitution",
            match="m1",
            id="s1",
            minute=80,
            team="Atalanta",
            player_in="Zappacosta",
            player_out="Ederson",
        ),
        line(
            type="goal",
            match="m1",
            id="g2",
            minute=85,
            team="Inter",
            player="Sommer",
            kind="own_goal",
        ),
        line(type="period", match="m1", id="ht", minute=45, period="half_time"),
    )
    got = texts(store, "1")
    assert len(got) == 2  # his card and his substitution; not the kick-off, others' goals, HT
    assert got[0].startswith("<b>🟨 Yellow card — Atalanta</b>")
    assert "⭐ <b>Atalanta 1-1 Inter</b> · 70' · Serie A" in got[0]
    assert "Zappacosta on, Ederson off" in got[1]
    assert "⭐ <b>Atalanta 1-1 Inter</b> · 80'" in got[1]


def test_each_subscription_has_its_own_level_and_the_most_permissive_decides(
    engine: Engine, store: Store, commands: Commands
) -> None:
    say(commands, "/subscribe serie a goals")
    say(commands, "/subscribe inter")  # the chat's level: key events
    feed(
        engine,
        match("m1", "Napoli", "Roma"),
        match("m2", "Atalanta", "Inter", at="20:45"),
        line(type="period", match="m1", id="k", minute=0, period="first_half"),
        line(type="goal", match="m1", id="g", minute=5, team="Roma", player="Dybala"),
        line(type="period", match="m2", id="k", minute=0, period="first_half"),
    )
    assert keys(store, "1") == ["event:m1:g:telegram:1", "event:m2:k:telegram:1"]
    assert say(commands, "/subscriptions") == (
        "This chat follows:\n\nTeams\nInter\n\nCompetitions\nSerie A — goals only"
    )
    # a /settings button moves one subscription to the next level
    pressed = commands.press(FAN, "settings:follow:c:serie-a:all")
    assert "Serie A: everything" in message_text(pressed)
    feed(
        engine,
        line(
            type="card", match="m1", id="y", minute=9, team="Roma", player="Mancini", card="yellow"
        ),
    )
    assert keys(store, "1")[-1] == "event:m1:y:telegram:1"


def test_a_cancelled_goal_is_corrected_for_the_scorers_followers(
    engine: Engine, store: Store, commands: Commands
) -> None:
    feed(engine, match("m1", "Atalanta", "Inter"))
    feed(
        engine,
        line(type="goal", match="m1", id="g1", minute=65, team="Inter", player="Lautaro Martínez"),
    )
    say(commands, "/subscribe player lautaro")
    feed(
        engine,
        line(type="goal", match="m1", id="g2", minute=75, team="Inter", player="Lautaro Martínez"),
    )
    feed(
        engine,
        line(
            type="goal_cancelled",
            match="m1",
            id="x",
            minute=76,
            team="Inter",
            ref="g2",
            reason="handball",
        ),
    )
    rows = store.outbox_rows("telegram", "1")
    assert [r["key"] for r in rows] == ["event:m1:g2:telegram:1"]  # rewritten before sending
    assert "cancelled by VAR" in outbox_text(rows[0])


# --- lookup -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "name"),
    [
        ("serie a", "Serie A"),
        ("Seria A", "Serie A"),
        ("world cup", "World Cup"),
        ("coppa del mondo", "World Cup"),
        ("Mondiali", "World Cup"),
        ("champions league", "Champions League"),
        ("UCL", "Champions League"),
        ("premier league", "Premier League"),
        ("Premier Leage", "Premier League"),
        ("competition euro", "European Championship"),
        ("league ligue 1", "Ligue 1"),
    ],
)
def test_competitions_are_found_by_the_names_fans_type(
    commands: Commands, typed: str, name: str
) -> None:
    assert say(commands, f"/subscribe {typed}") == (
        f"✅ This chat now follows {name}. Alerts: key events."
    )


def test_a_competition_named_in_a_feed_can_be_followed(engine: Engine, commands: Commands) -> None:
    feed(
        engine, match("m1", "Boca Juniors", "River Plate", competition="Liga Profesional Argentina")
    )
    assert say(commands, "/subscribe liga profesional argentina").startswith(
        "✅ This chat now follows Liga Profesional Argentina."
    )


def test_a_name_that_is_a_team_and_a_competition_asks_which(
    engine: Engine, commands: Commands, store: Store
) -> None:
    feed(engine, match("m1", "Champions", "Legends", competition="Friendlies"))
    asked = commands.run(FAN, "subscribe", "champions")
    assert asked.kind == "suggestions"
    assert message_text(asked).startswith("“champions” could be: Champions (team), Champions")
    assert [b.action for b in asked.buttons] == [
        "subscribe:champions",
        "subscribe:c:champions-league",
    ]
    chosen = commands.press(FAN, "subscribe:c:champions-league")
    assert message_text(chosen) == "✅ This chat now follows Champions League. Alerts: key events."
    assert [r["kind"] for r in store.follows("telegram", "1")] == ["competition"]


def test_ambiguous_players_get_choices_and_a_team_picks_one(
    engine: Engine, commands: Commands
) -> None:
    feed(engine, match("m1", "Inter", "Manchester United"))
    feed(
        engine,
        line(type="goal", match="m1", id="g1", minute=5, team="Inter", player="Lautaro Martínez"),
        line(
            type="card",
            match="m1",
            id="c1",
            minute=6,
            team="Manchester United",
            player="Lisandro Martínez",
            card="yellow",
        ),
    )
    asked = commands.run(FAN, "subscribe", "player Martinez")
    assert asked.kind == "suggestions"
    assert [b.label for b in asked.buttons] == [
        "Lautaro Martínez (Inter)",
        "Lisandro Martínez (Manchester United)",
    ]
    pressed = commands.press(FAN, asked.buttons[1].action)
    assert message_text(pressed).startswith("✅ This chat now follows Lisandro Martínez")
    assert say(commands, "/subscribe player Martinez (Inter)").startswith(
        "✅ This chat now follows Lautaro Martínez (Inter)."
    )
    assert say(commands, "/unsubscribe lisandro") == (
        "🔕 This chat no longer follows Lisandro Martínez (Manchester United)."
    )
    assert say(commands, "/unsubscribe player Lautaro Martínez") == (
        "🔕 This chat no longer follows Lautaro Martínez (Inter)."
    )
    unknown = say(commands, "/subscribe player Nobody Atall")
    assert unknown.startswith("I don't know a player called “Nobody Atall”.")


def test_subscriptions_and_unsubscribe_work_on_every_kind(
    engine: Engine, commands: Commands
) -> None:
    feed(engine, match("m1", "Atalanta", "Inter"))
    feed(
        engine,
        line(type="goal", match="m1", id="g1", minute=5, team="Inter", player="Lautaro Martínez"),
    )
    say(commands, "/subscribe inter")
    say(commands, "/subscribe world cup goals")
    say(commands, "/subscribe player lautaro martinez all")
    assert say(commands, "/subscriptions") == (
        "This chat follows:\n\nTeams\nInter\n\nCompetitions\nWorld Cup — goals only"
        "\n\nPlayers\nLautaro Martínez (Inter) — everything"
    )
    assert (
        say(commands, "/unsubscribe coppa del mondo") == "🔕 This chat no longer follows World Cup."
    )
    assert (
        say(commands, "/unsubscribe lautaro")
        == "🔕 This chat no longer follows Lautaro Martínez (Inter)."
    )
    assert say(commands, "/subscriptions") == "This chat follows: Inter"


def test_only_those_who_manage_a_group_change_what_it_follows(
    commands: Commands, store: Store
) -> None:
    refused = "Only the chat's admins can change what this chat follows."
    assert say(commands, "/subscribe serie a", MEMBER) == refused
    assert commands.press(MEMBER, "subscribe:c:serie-a").kind == "error"
    assert say(commands, "/settings subscription serie a goals", MEMBER) == refused
    assert store.follows("telegram", "-9") == []


# --- /today and the digest ----------------------------------------------------------------------


def test_today_lists_the_days_matches_in_the_chats_time_zone(
    engine: Engine, commands: Commands, store: Store
) -> None:
    say(commands, "/subscribe serie a")
    say(commands, "/settings timezone Asia/Tokyo")  # 21:00 there: the day runs 15:00-15:00 UTC
    feed(
        engine,
        match("m1", "Napoli", "Roma", at="10:00"),  # 19:00 in Tokyo: today there
        match("m2", "Atalanta", "Inter", at="19:45"),  # 04:45 tomorrow in Tokyo
        line(type="period", match="m1", id="k", minute=0, period="first_half"),
        line(type="goal", match="m1", id="g", minute=30, team="Roma", player="Dybala"),
    )
    assert say(commands, "/today") == (
        "📅 Today, Sun 1 Feb (Asia/Tokyo)\n\nSerie A\n🔴 LIVE 1st half  Napoli 0-1 Roma"
    )
    say(commands, "/settings timezone Europe/Rome")
    assert say(commands, "/today") == (
        "📅 Today, Sun 1 Feb (Europe/Rome)\n\nSerie A\n🔴 LIVE 1st half  Napoli 0-1 Roma"
        "\n20:45  Atalanta v Inter"
    )


def test_digest_setting_is_validated_and_shown(commands: Commands) -> None:
    assert "Daily digest: off" in say(commands, "/settings")
    assert "Daily digest: at 09:00" in say(commands, "/settings digest 9")
    assert say(commands, "/settings digest 25:00").startswith("The digest time is a time of day")
    assert "Daily digest: off" in say(commands, "/settings digest off")


def test_autocomplete_offers_teams_competitions_and_players(
    engine: Engine, commands: Commands
) -> None:
    feed(engine, match("m1", "Atalanta", "Inter"))
    feed(
        engine,
        line(type="goal", match="m1", id="g1", minute=5, team="Inter", player="Lautaro Martínez"),
    )
    found = commands.suggest("la")
    assert ("La Liga (competition)", "competition La Liga") in found
    assert ("Lazio", "team Lazio") in found
    assert any(label == "Lautaro Martínez (Inter) — player" for label, _ in found)
    player_value = next(v for label, v in found if label.startswith("Lautaro"))
    assert say(commands, f"/subscribe {player_value}").startswith(
        "✅ This chat now follows Lautaro"
    )


def test_the_new_answers_in_italian(engine: Engine, commands: Commands, store: Store) -> None:
    say(commands, "/settings language it")
    assert say(commands, "/subscribe serie a goals") == (
        "✅ Questa chat ora segue la Serie A. Avvisi: solo gol."
    )
    assert (
        say(commands, "/subscriptions") == "Questa chat segue:\n\nCompetizioni\nSerie A — solo gol"
    )
    # a competition takes its article in every answer (la Serie A, i Mondiali)
    assert (
        say(commands, "/subscribe serie a") == "Questa chat segue già la Serie A. Avvisi: solo gol."
    )
    assert say(commands, "/subscribe serie a all") == (
        "✅ Questa chat segue la Serie A con avvisi: tutto."
    )
    assert say(commands, "/unsubscribe serie a") == "🔕 Questa chat non segue più la Serie A."
    say(commands, "/subscribe serie a goals")
    assert say(commands, "/today").startswith("📅 Oggi, dom 1 feb (UTC)")
    assert "Riepilogo quotidiano: alle 09:00" in say(commands, "/settings digest 09:00")


CATALOGUE_TABLES = ("FROM teams", "FROM competitions", "FROM players", "FROM team_aliases")


def test_a_press_looks_what_its_button_names_up_once(store: Store, commands: Commands) -> None:
    """A button names a team, a competition or a player by its id: the press finds it once
    (one statement) and its command takes it from there, with the answer the same command
    typed with that id gives; a button whose target is gone has expired."""
    engine = Engine(store, clock=lambda: NOON)
    feed(engine, match("m1", "Atalanta", "Inter"))
    feed(engine, line(type="goal", match="m1", id="g", minute=5, team="Inter", player="Lautaro"))
    (player,) = [str(p["id"]) for p in store.players() if p["name"] == "Lautaro"]
    presses = {
        "subscribe:inter": "/subscribe team #inter",
        "unsubscribe:inter": "/unsubscribe team #inter",
        "subscribe:c:serie-a:goals": "/subscribe competition #serie-a goals",
        "unsubscribe:c:serie-a": "/unsubscribe competition #serie-a",
        f"subscribe:p:{player}": f"/subscribe player #{player}",
        f"unsubscribe:p:{player}": f"/unsubscribe player #{player}",
        "score:inter": "/score inter",
        "lineups:inter": "/lineups inter",
    }
    typed_in = ctx("2")
    looked_up: list[str] = []

    def watch(sql: str) -> None:
        if any(table in sql for table in CATALOGUE_TABLES):
            looked_up.append(sql)

    for action, typed in presses.items():
        looked_up.clear()
        store.db.conn.set_trace_callback(watch)
        pressed = commands.press(FAN, action)
        store.db.conn.set_trace_callback(None)
        assert len(looked_up) == 1, (action, looked_up)
        assert message_text(pressed) == say(commands, typed, typed_in), action
    for gone in ("subscribe:c:no-such-cup", "subscribe:p:99999", "score:no-such-team"):
        assert message_text(commands.press(FAN, gone)) == message_text(button_expired())
