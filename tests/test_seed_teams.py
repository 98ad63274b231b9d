"""Seeding the bundled team catalogue (run at every bot start) writes exactly what
:func:`ensure_team` for each bundled team in turn writes, in a few statements: whatever the
database held before (nothing, this catalogue, an older one, teams a feed made first)."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

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
    """One alias read and one write per bundled spelling, before: some 1,450 statements at
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
    store.db.execute("DELETE FROM team_aliases")
    store.db.execute("DELETE FROM teams")
    yield store
    store.close()


@pytest.mark.parametrize("state", ["an empty database", "teams a feed made first"])
def test_seeding_postgresql_writes_what_seeding_team_by_team_writes(
    postgres_store: Store, state: str
) -> None:
    STATES[state](postgres_store)
    seed_known_teams(postgres_store)
    assert catalogue_tables(postgres_store) == seeded_one_by_one(STATES[state])
