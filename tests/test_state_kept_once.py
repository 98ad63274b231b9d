"""A match's state is derived in one way and kept in one cache: the engine, the commands on the
writing and on the read-only connection, the storylines, the reporters and the two-legged
ties all read the same kept states; a kept state is never changed under a reader; the score
is not stored beside the events (migration ``m018`` drops the columns, on SQLite and on
PostgreSQL)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

from adapters.assemble import build_bot
from bot.engine import Engine
from bot.feed_format import parse_object
from bot.match import Fixture, KeptStates, MatchState, Score
from bot.store_contract import CoreStore
from bot.storylines import Storylines
from storage import schema
from storage.store import Store
from tests.support.core import SEED, SEED_MATCH


class CountingStore(Store):
    """A store that counts how often a match's events are read (each read is a derivation)."""

    reads = 0

    def events(self, match_id: str):  # type: ignore[no-untyped-def]
        CountingStore.reads += 1
        return super().events(match_id)


def feed_seed(engine: Engine, lines: int | None = None) -> None:
    for text in SEED.read_text(encoding="utf-8").splitlines()[:lines]:
        engine.ingest(parse_object(json.loads(text)))  # type: ignore[arg-type]


def test_a_kept_state_is_never_changed_by_a_later_event(store: Store) -> None:
    engine = Engine(store)
    lines = SEED.read_text(encoding="utf-8").splitlines()
    goal = next(i for i, text in enumerate(lines) if json.loads(text).get("type") == "goal")
    feed_seed(engine, goal)
    before = engine.state(SEED_MATCH)
    assert before is not None and before.score == Score()
    engine.ingest(parse_object(json.loads(lines[goal])))  # type: ignore[arg-type]
    after = engine.state(SEED_MATCH)
    assert after is not None and after is not before
    assert before.score == Score() and len(before.goals) == 0  # what a reader held stays
    assert after.score != Score() and len(after.goals) == 1


def test_every_reader_of_a_match_finds_the_one_kept_state(tmp_path: Path) -> None:
    CountingStore.reads = 0
    store = CountingStore.open(tmp_path / "count.db")
    try:
        states = KeptStates()
        engine = Engine(store, states=states)
        feed_seed(engine)
        derived = CountingStore.reads  # the first look at the match, then grown event by event
        assert derived == 1
        row = store.match(SEED_MATCH)
        assert row is not None
        state = engine.state(SEED_MATCH)
        assert state is not None and state.finished
        # the commands, the storylines and the ties read the same state: no second derivation
        from bot.commands import Commands

        commands = Commands(store, states=states)
        assert commands.states.get(store, Fixture.from_row(row)) is state
        assert Storylines(store, states)._state(row) is state
        engine.queue_recap(SEED_MATCH)
        assert CountingStore.reads == derived
    finally:
        store.close()


async def test_the_bot_hands_one_cache_to_the_engine_and_both_command_paths(
    tmp_path: Path,
) -> None:
    bot = build_bot(tmp_path / "bot.db", recap_delay=None, reminder_lead=None)
    await bot.open()
    try:
        assert bot.read_commands is not None
        assert bot.engine.states is bot.commands.states is bot.read_commands.states
        for text in SEED.read_text(encoding="utf-8").splitlines()[:12]:
            await bot.ingest(parse_object(json.loads(text)))  # type: ignore[arg-type]

        def state_of(store: CoreStore, states: KeptStates) -> MatchState:
            row = store.match(SEED_MATCH)
            assert row is not None
            return states.get(store, Fixture.from_row(row))

        written = await bot.db.call(lambda s: state_of(s, bot.engine.states))
        reader = bot.db.reader
        assert reader is not None
        read = await bot.db.run_read(state_of, reader, bot.read_commands.states)
        assert read is written  # the read-only connection found the engine's state
    finally:
        await bot.db.close()


def test_an_old_database_loses_the_score_columns_and_keeps_its_matches(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    old = Migrations("matchbot")
    old._migrations = [  # type: ignore[attr-defined]
        m for m in schema.migrations._migrations if m.name != "m018_score_not_stored"
    ]
    db = Database(sqlite3.connect(path))
    old.apply(db)
    assert "home_goals" in db.table("matches").columns_dict
    db.execute(
        "INSERT INTO matches (id, competition, home_team, away_team, home_name, away_name,"
        " kickoff, period, home_goals, away_goals) VALUES ('m1', 'Serie A', 'atalanta',"
        " 'inter', 'Atalanta', 'Inter', '2026-02-01T19:45:00+00:00', 'full_time', 2, 1)"
    )
    db.conn.commit()
    db.close()
    store = Store.open(path)  # migrates
    try:
        assert "home_goals" not in store.db.table("matches").columns_dict
        assert "away_goals" not in store.db.table("matches").columns_dict
        row = store.match("m1")
        assert row is not None and row["period"] == "full_time"
    finally:
        store.close()


def test_an_old_postgresql_database_loses_the_score_columns(postgres_url: str) -> None:
    from storage.pg_store import PostgresStore
    from tests.support import postgres

    postgres.empty(postgres_url)
    store = PostgresStore.open(postgres_url)
    store._exec("ALTER TABLE matches ADD COLUMN home_goals BIGINT DEFAULT 0")
    store._exec("ALTER TABLE matches ADD COLUMN away_goals BIGINT DEFAULT 0")
    store._exec("DELETE FROM matchbot_migrations WHERE name = 'm018_score_not_stored'")
    store.close()
    store = PostgresStore.open(postgres_url)  # migrates
    try:
        columns = {
            r["column_name"]
            for r in store._rows(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'matches'"
            )
        }
        assert "period" in columns and not {"home_goals", "away_goals"} & columns
    finally:
        store.close()
