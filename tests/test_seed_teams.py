"""Seeding the bundled team catalogue (run at every bot start) writes exactly what
:func:`ensure_team` for each bundled team in turn writes, in a few statements: whatever the
database held before (nothing, this catalogue, an older one, teams a feed made first). So does
seeding the bundled competitions, with :func:`ensure_competition`."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from bot.competitions import ensure_competition, known_competitions, seed_known_competitions
from bot.store_contract import CatalogueStore
from bot.teams import CatalogueTeam, catalogue, ensure_team, seed_known_teams
from storage.store import Store


def one_by_one(store: CatalogueStore, teams: tuple[CatalogueTeam, ...]) -> None:
    """The catalogue seeded the long way: each team found or made, then its aliases added."""
    with store.atomic():
        for team in teams:
            ensure_team(store, team.name, team.aliases)


def older_catalogue() -> tuple[CatalogueTeam, ...]:
    """The bundled catalogue without Como, and with Inter missing its last alias."""
    teams = []
    for team in catalogue().teams:
        if team.name == "Como":
            continue
        if team.name == "Inter":
            team = CatalogueTeam(team.name, team.aliases[:-1], team.kind, team.country)
        teams.append(team)
    return tuple(teams)


def nothing(store: Store) -> None:
    pass


def this_catalogue(store: Store) -> None:
    one_by_one(store, catalogue().teams)


def an_older_catalogue(store: Store) -> None:
    one_by_one(store, older_catalogue())


def feed_teams_first(store: Store) -> None:
    ensure_team(store, "Paris")  # a club a feed calls just "Paris"
    ensure_team(store, "Hellas Verona FC")  # a longer name of a bundled team
    store.add_team("real-madrid", "Real Madrid")
    store.add_alias("real", "real-madrid")  # the catalogue once said Real = Real Madrid
    store.add_team("inter", "FC Internazionale")  # a team row with no alias at all
    # aliases of a team whose row is missing find nothing until the row exists: Lazio's is
    # made (before Roma's turn), the other never
    store.add_alias("roma", "lazio")
    store.add_alias("milan", "nowhere")


STATES: dict[str, Callable[[Store], None]] = {
    "an empty database": nothing,
    "this catalogue": this_catalogue,
    "an older catalogue": an_older_catalogue,
    "teams a feed made first": feed_teams_first,
}


def catalogue_tables(store: Store) -> dict[str, list[tuple[str, ...]]]:
    return {
        "teams": sorted(store.db.execute("SELECT id, name FROM teams").fetchall()),
        "aliases": sorted(store.db.execute("SELECT alias, team_id FROM team_aliases").fetchall()),
    }


def seeded_one_by_one(state: Callable[[Store], None]) -> dict[str, list[tuple[str, ...]]]:
    store = Store.open(":memory:")
    state(store)
    one_by_one(store, catalogue().teams)
    tables = catalogue_tables(store)
    store.close()
    return tables


@pytest.mark.parametrize("state", STATES)
def test_seeding_writes_what_seeding_team_by_team_writes(state: str) -> None:
    store = Store.open(":memory:")
    STATES[state](store)
    seed_known_teams(store)
    expected = seeded_one_by_one(STATES[state])
    assert catalogue_tables(store) == expected
    seed_known_teams(store)  # and again: nothing changes
    assert catalogue_tables(store) == expected
    store.close()


def test_an_older_catalogue_gets_the_new_team_and_alias_and_keeps_feed_teams() -> None:
    store = Store.open(":memory:")
    an_older_catalogue(store)
    ensure_team(store, "Paris")
    inter = next(team for team in catalogue().teams if team.name == "Inter")
    assert store.team("como") is None
    assert store.team_by_alias(inter.aliases[-1].casefold()) is None
    seed_known_teams(store)
    assert store.team("como") == {"id": "como", "name": "Como"}
    assert store.team_by_alias("como") == {"id": "como", "name": "Como"}
    assert store.team_by_alias(inter.aliases[-1].casefold()) == {"id": "inter", "name": "Inter"}
    assert store.team_by_alias("paris") == {"id": "paris", "name": "Paris"}
    store.close()


def test_a_start_on_a_seeded_database_reads_twice_and_writes_nothing() -> None:
    """One alias read and one write per bundled spelling, before: some 1,270 statements at
    every start (and as many round trips on PostgreSQL)."""
    store = Store.open(":memory:")
    this_catalogue(store)
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    seed_known_teams(store)
    store.db.conn.set_trace_callback(None)
    assert [s for s in statements if s.startswith("SELECT")] == [
        "SELECT alias, team_id FROM team_aliases",
        "SELECT id FROM teams",
    ]
    assert len(statements) <= 6  # the transaction's own statements besides
    assert not [s for s in statements if "INSERT" in s]
    store.close()


@pytest.fixture
def postgres_store(postgres_url: str) -> Iterator[Store]:
    from storage.pg_store import PostgresStore

    store = PostgresStore.open(postgres_url)
    for table in ("team_aliases", "teams", "competition_aliases", "competitions"):
        store.db.execute(f"DELETE FROM {table}")
    yield store
    store.close()


@pytest.mark.parametrize("state", ["an empty database", "teams a feed made first"])
def test_seeding_postgresql_writes_what_seeding_team_by_team_writes(
    postgres_store: Store, state: str
) -> None:
    STATES[state](postgres_store)
    seed_known_teams(postgres_store)
    assert catalogue_tables(postgres_store) == seeded_one_by_one(STATES[state])
    seed_known_competitions(postgres_store)
    expected = Store.open(":memory:")
    competitions_one_by_one(expected)
    assert competition_tables(postgres_store) == competition_tables(expected)
    expected.close()


def competitions_one_by_one(store: CatalogueStore) -> None:
    with store.atomic():
        for name, aliases in known_competitions().items():
            ensure_competition(store, name, aliases)


def competitions_a_feed_made_first(store: Store) -> None:
    ensure_competition(store, "Serie A TIM")  # a longer name of a bundled competition
    ensure_competition(store, "Coppa Italia Frecciarossa")
    store.add_competition("serie-b", "Serie BKT")  # a row with no alias
    store.add_competition_alias("ligue 1", "nowhere")  # an alias of a missing row


COMPETITION_STATES: dict[str, Callable[[Store], None]] = {
    "an empty database": nothing,
    "these competitions": competitions_one_by_one,
    "competitions a feed made first": competitions_a_feed_made_first,
}


def competition_tables(store: Store) -> dict[str, list[tuple[str, ...]]]:
    return {
        "competitions": sorted(store.db.execute("SELECT id, name FROM competitions").fetchall()),
        "aliases": sorted(
            store.db.execute("SELECT alias, competition_id FROM competition_aliases").fetchall()
        ),
    }


@pytest.mark.parametrize("state", COMPETITION_STATES)
def test_seeding_competitions_writes_what_seeding_them_one_by_one_writes(state: str) -> None:
    store, expected = Store.open(":memory:"), Store.open(":memory:")
    COMPETITION_STATES[state](store)
    COMPETITION_STATES[state](expected)
    seed_known_competitions(store)
    competitions_one_by_one(expected)
    assert competition_tables(store) == competition_tables(expected)
    seed_known_competitions(store)
    assert competition_tables(store) == competition_tables(expected)
    store.close()
    expected.close()


def test_a_start_on_a_seeded_database_reads_the_competitions_and_writes_none() -> None:
    store = Store.open(":memory:")
    competitions_one_by_one(store)
    statements: list[str] = []
    store.db.conn.set_trace_callback(statements.append)
    seed_known_competitions(store)
    store.db.conn.set_trace_callback(None)
    assert [s for s in statements if s.startswith("SELECT")] == [
        "SELECT alias, competition_id FROM competition_aliases",
        "SELECT id FROM competitions",
        "SELECT id, competition FROM matches WHERE competition_id IS NULL",
    ]
    assert not [s for s in statements if "INSERT" in s]
    store.close()
