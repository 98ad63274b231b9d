"""What a fan-out costs PostgreSQL in statements (each one a round trip and the server's work),
counted from libpq's own trace of the store's connection; and that the PostgreSQL fan-out
queues exactly the rows SQLite's does."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from bot.competitions import seed_known_competitions
from bot.engine import Engine
from bot.feed_format import parse_object
from bot.scoreboard import WANTS_ALERTS, WANTS_BOARD
from bot.store_contract import Audience, FanOut
from bot.teams import seed_known_teams
from storage.store import Store
from tests.support import postgres, stores

pytest.importorskip("psycopg")

from psycopg.pq import Trace

from storage.pg_store import PostgresStore

NOW = 1_800_000_000.0
SAMPLE = Path(__file__).parent.parent / "bot" / "data" / "sample-depth.jsonl"
LINES = SAMPLE.read_text("utf-8").splitlines()
MATCH = "sample-riverside-harbor"


@pytest.fixture
def pg_store(postgres_url: str) -> Iterator[PostgresStore]:
    postgres.empty(postgres_url)
    store = PostgresStore.open(postgres_url)
    seeded(store)
    yield store
    store.close()


def seeded(store: Store) -> None:
    if store.team("inter") is None:  # PostgreSQL keeps the catalogue from test to test
        seed_known_teams(store)
        seed_known_competitions(store)


@contextmanager
def statements(store: PostgresStore) -> Iterator[list[str]]:
    """The statements the store's connection sends meanwhile (libpq's trace of the messages
    it sends: each simple query, and each statement parsed)."""
    conn = store.pg.connection()
    sent: list[str] = []
    with tempfile.TemporaryFile("w+", encoding="utf-8") as trace:
        conn.pgconn.trace(trace.fileno())
        conn.pgconn.set_trace_flags(Trace.SUPPRESS_TIMESTAMPS | Trace.REGRESS_MODE)
        try:
            yield sent
        finally:
            conn.pgconn.untrace()  # flushes the trace
            trace.seek(0)
            for line in trace:
                fields = line.rstrip("\n").split("\t")
                if fields[0] == "F" and len(fields) > 3 and fields[2] in ("Query", "Parse"):
                    sent.append(fields[3].strip())


def temporary_tables(store: PostgresStore) -> int:
    found = store.db.execute(
        "SELECT COUNT(*) FROM pg_class WHERE relnamespace = pg_my_temp_schema()"
    ).fetchone()
    return int(found[0]) if found else 0


def fan_out(store: Store, audience: Audience, fan: FanOut) -> int:
    """A fan-out as the engine runs it: staged, its messages made, queued."""
    plan = store.plan_fan_out(audience, fan)
    return store.queue_fan_out(audience, fan, plan, {v: f"{v}" for v in plan.variants})


def goal_alert(key: str = "event:m1:g1") -> tuple[Audience, FanOut]:
    """A goal's alert as the engine fans it out: both teams, the competition, the scorer."""
    audience = Audience(["atalanta", "inter"], "serie-a", [7], 1, 1, (WANTS_ALERTS,))
    return audience, FanOut(key=key, kind="alert", match_id="m1", now=NOW)


def test_a_fan_out_nobody_follows_is_one_statement_and_no_table(pg_store: PostgresStore) -> None:
    """Nobody follows the match: the alert's fan-out and the scoreboard's each cost one
    SELECT (no temporary table made, emptied or dropped, no lock, no transaction)."""
    store = pg_store
    audience, fan = goal_alert()
    with statements(store) as sent:
        assert fan_out(store, audience, fan) == 0
    assert len(sent) == 1, sent
    assert sent[0].startswith('"SELECT')
    board = Audience(["atalanta", "inter"], "serie-a", wants=(WANTS_BOARD,))
    fan = FanOut(key="scoreboard:m1:1:x", kind="scoreboard", match_id="m1", now=NOW)
    with statements(store) as sent:
        plan = store.plan_fan_out(board, fan)
        assert store.queue_scoreboard(board, fan, plan, {}, 5.0) == 0
    assert len(sent) == 1, sent
    assert temporary_tables(store) == 0


def test_a_goal_nobody_follows_costs_a_bounded_number_of_statements(
    pg_store: PostgresStore,
) -> None:
    """A goal of a match nobody follows, ingested as the bot does: its two fan-outs (the
    alert's and the scoreboard's) read the subscriptions once each and write nothing."""
    store = pg_store
    engine = Engine(store, clock=lambda: NOW)
    ingest(engine, LINES[0])
    goal = next(line for line in LINES if '"type": "goal"' in line)
    with statements(store) as sent:
        ingest(engine, goal)
    assert len([s for s in sent if "subscriptions" in s]) == 2, sent
    fan_out = ("pg_temp", "TEMP", "TRUNCATE", "outbox", "messages", "advisory", "SAVEPOINT")
    assert not [s for s in sent if any(word in s for word in fan_out)], sent
    assert temporary_tables(store) == 0


def test_a_fan_out_to_a_few_chats_is_a_lock_and_one_statement(pg_store: PostgresStore) -> None:
    """Three chats follow: in the caller's transaction (as the engine runs it) the plan, the
    key's lock and one statement that stores the message and queues the rows; on its own,
    the same in a transaction of its own."""
    store = pg_store
    for chat in ("a", "b", "c"):
        store.ensure_chat("telegram", chat, None, "private")
        store.subscribe("telegram", chat, "inter")
    audience, fan = goal_alert()
    with statements(store) as sent, store.atomic():
        assert fan_out(store, audience, fan) == 3
    assert len(sent) == 5, sent  # BEGIN, the plan, the lock, the rows, COMMIT
    audience, fan = goal_alert("event:m1:g2")
    with statements(store) as sent:
        assert fan_out(store, audience, fan) == 3
    assert len(sent) == 5, sent
    assert temporary_tables(store) == 0
    assert store.db.execute("SELECT COUNT(*) FROM messages").fetchone() == (2,)


def ingest(engine: Engine, *lines: str) -> None:
    for text in lines:
        engine.ingest(parse_object(json.loads(text)))


def queued(store: Store) -> list[dict[str, Any]]:
    """Every outbox row, in the order they were queued, as far as the backend does not
    decide it (the ids, the message's number)."""
    rows = store.db.query(
        "SELECT key, platform, chat_id, kind, match_id, edit_key, fanout_pos, status, attempts,"
        " next_attempt_at, created_at, payload FROM outbox_view ORDER BY id"
    )
    return [dict(r) for r in rows]


def follow_everything(store: Store) -> None:
    """Chats reached every way a match reaches them: a team, the other, both; the
    competition; a player only, a team and a player; languages, time zones, spoiler delays,
    levels, the scoreboard with and instead of the alerts, a chat gone; some subscribed at
    the same moment (the chat decides the order)."""
    ingest(Engine(store, clock=lambda: NOW), *LINES[:4])  # the match, the table, the line-ups
    [price] = store.player_ids([("riverside-fc", "dan price")])
    [haddad] = store.player_ids([("harbor-united", "ali haddad")])
    competition = store.db.execute(
        "SELECT competition_id FROM matches WHERE id = ?", [MATCH]
    ).fetchone()[0]
    chats: dict[str, tuple[dict[str, Any], list[tuple[str, str, str | None]]]] = {
        "home": ({}, [("team", "riverside-fc", None)]),
        "away-it": ({"language": "it"}, [("team", "harbor-united", None)]),
        "both": (
            {"timezone": "Europe/Rome"},
            [("team", "riverside-fc", None), ("team", "harbor-united", None)],
        ),
        "league": ({"spoiler_delay": 120}, [("competition", competition, None)]),
        "league-and-home": (
            {"level": "goals"},
            [("competition", competition, None), ("team", "riverside-fc", "all")],
        ),
        "price": ({}, [("player", str(price), None)]),
        "price-it": (
            {"language": "it", "timezone": "Asia/Tokyo"},
            [("player", str(price), "goals")],
        ),
        "haddad-and-home": ({}, [("player", str(haddad), None), ("team", "riverside-fc", None)]),
        "board": ({"scoreboard": "instead", "level": "all"}, [("team", "riverside-fc", None)]),
        "board-too": (
            {"scoreboard": "with", "spoiler_delay": 30},
            [("team", "harbor-united", None)],
        ),
        "quiet": ({"level": "goals"}, [("team", "harbor-united", None)]),
        "gone": ({}, [("team", "riverside-fc", None)]),
    }
    for n, (chat, (settings, follows)) in enumerate(chats.items()):
        store.ensure_chat("telegram", chat, None, "private")
        if settings:
            store.set_chat_settings("telegram", chat, settings)
        for kind, target, level in follows:
            store.subscribe("telegram", chat, target, kind, level)
            store.db.execute(
                "UPDATE subscriptions SET created_at = ? WHERE chat_id = ? AND target = ?",
                [1000.0 + n // 2 - (kind == "player") * 7, chat, target],
            )
    store.deactivate_chat("telegram", "gone", "blocked")


def a_match_with_a_correction(store: Store) -> list[dict[str, Any]]:
    """The sample match followed every way, some of its rows sent before a goal is
    cancelled (a correction for those, the others rewritten in place), a fan-out queued
    again with a chat that came since; every row queued."""
    follow_everything(store)
    engine = Engine(store, clock=lambda: NOW)
    ingest(engine, *LINES[4:12])
    for row in store.outbox_rows("telegram"):
        if row["chat_id"] in ("home", "both", "price"):
            store.mark_sent(row["id"], row["key"], "telegram", row["chat_id"], ["1"])
    cancel = {"type": "goal_cancelled", "match": MATCH, "id": "c1", "minute": 31}
    ingest(engine, json.dumps(cancel | {"team": "Harbor United", "ref": "e2", "reason": "var"}))
    ingest(engine, *LINES[12:])
    store.ensure_chat("telegram", "late", None, "private")
    store.subscribe("telegram", "late", "riverside-fc")
    audience = Audience(["riverside-fc", "harbor-united"], None, need=1)
    for key in ("again:1", "again:1"):
        fan_out(store, audience, FanOut(key=key, kind="alert", match_id=MATCH, now=NOW))
    return queued(store)


def test_postgresql_queues_exactly_the_rows_sqlite_queues(postgres_url: str) -> None:
    """The whole sample match (alerts, player alerts, line-ups, statistics, the scoreboard,
    a correction, a fan-out queued again) to chats reached every way: the same rows, in the
    same order, on both backends."""
    lite = stores.seeded_memory_store()
    postgres.empty(postgres_url)
    pg = PostgresStore.open(postgres_url)
    try:
        seeded(pg)
        expected = a_match_with_a_correction(lite)
        got = a_match_with_a_correction(pg)
    finally:
        lite.close()
        pg.close()
    kinds = {r["kind"] for r in expected}
    assert {"alert", "correction", "scoreboard", "stats"} <= kinds, kinds
    assert len(expected) > 60
    assert got == expected


def test_opening_a_store_on_an_up_to_date_database_is_one_read(postgres_url: str) -> None:
    """Every start opens the store: on a database already at this code's schema that is one
    read of the migrations applied (no lock, no transaction, no DDL); a record under a
    former name still goes the locked way and is renamed."""
    from storage import pg_store

    PostgresStore.open(postgres_url).close()  # the schema made
    db = pg_store._database(postgres_url)
    store = PostgresStore(db, migrate=False)
    with statements(store) as sent:
        pg_store._migrate(db)
    assert sent == ['"SELECT name FROM matchbot_migrations"']
    db.execute(
        "UPDATE matchbot_migrations SET name = 'm016_chat_settings_once'"
        " WHERE name = 'm017_chat_settings_once'"
    )
    with statements(store) as sent:
        pg_store._migrate(db)
    assert any("pg_advisory_xact_lock" in s for s in sent), sent
    names = {r[0] for r in db.execute("SELECT name FROM matchbot_migrations").fetchall()}
    assert "m017_chat_settings_once" in names and "m016_chat_settings_once" not in names
    store.close()
