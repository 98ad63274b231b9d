"""The store contract (bot/store_contract.py) against the real queries, on SQLite and on
PostgreSQL (the ``any_store`` fixture).

mypy proves that :class:`storage.store.Store` has every method the core's protocols name,
with their types; it cannot see what a query returns. Here every store method that hands
out a typed row runs against a populated database, and each row's keys and value types are
checked against its TypedDict: a column renamed, added or dropped in the SQL (or a NULL
where the contract promises a value) fails here.
"""

from __future__ import annotations

import ast
import inspect
import re
import types
from collections.abc import Callable
from pathlib import Path
from typing import Any, Union, get_args, get_origin, get_type_hints, is_typeddict

import pytest

from bot.engine import Engine
from bot.feed_format import Parsed, read_lines
from bot.store_contract import CoreStore, NewMatch, NewOutboxRow
from storage.store import Store
from tests.support import source

SEED = Path(__file__).parent.parent / "bot" / "data" / "atalanta-inter.jsonl"
MATCH = "serie-a-2025-26-atalanta-inter"


def typed_row_of(annotation: Any) -> Any:
    """The TypedDict inside ``X | None`` or ``list[X]``, else None."""
    if is_typeddict(annotation):
        return annotation
    for arg in get_args(annotation):
        found = typed_row_of(arg)
        if found is not None:
            return found
    return None


def row_methods() -> dict[str, Any]:
    """Every public method of :class:`Store` that returns typed rows, with their type."""
    found = {}
    for name, fn in inspect.getmembers(Store, inspect.isfunction):
        if not name.startswith("_"):
            row_type = typed_row_of(get_type_hints(fn).get("return"))
            if row_type is not None:
                found[name] = row_type
    return found


def accepts(annotation: Any, value: object) -> bool:
    if get_origin(annotation) in (Union, types.UnionType):
        return any(accepts(arg, value) for arg in get_args(annotation))
    if annotation is type(None):
        return value is None
    if annotation is float:  # as in mypy, an int is a float
        return isinstance(value, int | float) and not isinstance(value, bool)
    assert isinstance(annotation, type), annotation
    return isinstance(value, annotation)


def check_row(row_type: Any, row: dict[str, Any]) -> None:
    hints = get_type_hints(row_type)
    assert set(row) == set(hints), f"{row_type.__name__}: columns {sorted(row)}"
    for key, annotation in hints.items():
        assert accepts(annotation, row[key]), f"{row_type.__name__}[{key!r}] = {row[key]!r}"


@pytest.fixture
def filled(any_store: Store) -> Store:
    """A store with something in every table the typed rows come from (on each backend)."""
    store = any_store
    engine = Engine(store)
    for item in read_lines(SEED.read_text("utf-8").splitlines()):
        if isinstance(item, Parsed):
            engine.ingest(item.item)
    later: NewMatch = {
        "id": "test-later",
        "competition": "Friendly",
        "competition_id": None,
        "home_team": "inter",
        "away_team": "atalanta",
        "home_name": "Inter",
        "away_name": "Atalanta",
        "kickoff": "2099-01-01T18:00:00+00:00",
        "season": None,
        "round": None,
        "venue": None,
    }
    store.upsert_match(later)
    store.ensure_chat("telegram", "1", "Fans", "group")
    store.set_chat_settings(
        "telegram",
        "1",
        {"timezone": "Europe/Rome", "language": "it", "spoiler_delay": 30, "digest": "08:00"},
    )
    player = store.players()[0]
    store.add_provider_player(player["name"], player["norm"], player["team_id"], "af", "p9")
    store.subscribe("telegram", "1", "inter")
    store.subscribe("telegram", "1", "serie-a", kind="competition", level="goals")
    store.subscribe("telegram", "1", str(player["id"]), kind="player")
    store.enqueue(
        [
            NewOutboxRow(
                key="k:telegram:1",
                platform="telegram",
                chat_id="1",
                kind="alert",
                payload="{}",
                match_id=MATCH,
            )
        ],
        now=1.0,
    )
    store.add_report("r1", "telegram", "u1", MATCH, "event", 1.0)
    store.save_provider_team("af", "Inter", "505", "Inter Milan", 1.0)
    store.keep_answer("af", "search:inter", "[]", 1.0)
    store.offer_candidate("af:505", "af", "505", "Inter", "Inter (Italy)", "{}")
    store.put_match_data(MATCH, "stats:full_time", "{}", 1.0)
    store.ask("telegram", "1", "u1", "subscribe", "reply:telegram:9:1", 1.0)
    return store


def calls(store: Store) -> dict[str, Callable[[], Any]]:
    """One call of every row-returning method, each expected to return at least one row."""
    match = store.match(MATCH)
    assert match is not None
    team, competition = match["away_team"], match["competition"]  # Inter, followed
    event = store.events(MATCH)[0]
    quote = store.quotes(MATCH)[0]
    player = store.players()[0]
    return {
        "team_by_alias": lambda: store.team_by_alias("inter"),
        "team": lambda: store.team(team),
        "team_names": store.team_names,
        "competition_by_alias": lambda: store.competition_by_alias("serie a"),
        "competition": lambda: store.competition("serie-a"),
        "competition_names": store.competition_names,
        "followed_competitions": store.followed_competitions,
        "match": lambda: store.match(MATCH),
        "matches": lambda: store.matches(competition),
        "matches_of_team": lambda: store.matches_of_team(team),
        "matches_between": lambda: store.matches_between("2000", "3000"),
        "upcoming_matches": lambda: store.upcoming_matches("2000"),
        "pollable_matches": lambda: store.pollable_matches("serie-a", "3000", "2000"),
        "finished_matches_without_recap": store.finished_matches_without_recap,
        "matches_without_competition_id": store.matches_without_competition_id,
        "scorer_counts": lambda: store.scorer_counts(competition, 5),
        "events": lambda: store.events(MATCH),
        "events_with_id": lambda: store.events_with_id(event["id"]),
        "quotes": lambda: store.quotes(MATCH),
        "quotes_with_id": lambda: store.quotes_with_id(quote["id"]),
        "chat": lambda: store.chat("telegram", "1"),
        "chats_with_digest": store.chats_with_digest,
        "followed_teams": lambda: store.followed_teams("telegram", "1"),
        "follows": lambda: store.follows("telegram", "1"),
        "audience": lambda: store.audience([team], "serie-a", [player["id"]]),
        "subscribers": lambda: store.subscribers([team]),
        "player": lambda: store.player(player["id"]),
        "players": store.players,
        "outbox_rows": store.outbox_rows,
        "outbox_rows_for": lambda: store.outbox_rows_for("k:"),
        "report": lambda: store.report("r1"),
        "provider_team": lambda: store.provider_team("af", "Inter"),
        "provider_team_of": lambda: store.provider_team_of("af", "505"),
        "cached_answer": lambda: store.cached_answer("af", "search:inter"),
        "team_candidate": lambda: store.team_candidate("af:505"),
        "match_data": lambda: store.match_data(MATCH),
        "question": lambda: store.question("telegram", "1", "u1"),
        "questions_since": lambda: store.questions_since(0.0),
    }


def test_every_row_method_is_checked(filled: Store) -> None:
    assert set(row_methods()) == set(calls(filled))


def test_rows_have_the_columns_and_types_the_contract_names(filled: Store) -> None:
    methods = row_methods()
    for name, call in calls(filled).items():
        result = call()
        rows = result if isinstance(result, list) else [result]
        assert rows and all(r is not None for r in rows), f"{name} returned no row"
        for row in rows:
            check_row(methods[name], row)


def test_the_core_protocols_name_only_methods_the_store_has() -> None:
    """The same check mypy makes (storage/__init__.py), at run time: a method named in the
    contract and missing from the store fails here too."""
    wanted = {
        name
        for cls in CoreStore.__mro__
        if cls.__module__ == "bot.store_contract"
        for name in vars(cls)
        if not name.startswith("_")
    }
    assert wanted and wanted <= {n for n in dir(Store) if not n.startswith("_")}


ROOT = Path(__file__).parent.parent
#: the composition root (adapters/assemble.py, adapters/compose.py) opens the database: no core
#: module does, every one asks the contract
OPENS_THE_DATABASE: dict[str, set[str]] = {}
#: a statement, or a piece of one (the bot's SQL is written in capitals)
SQL = re.compile(
    r"\b(SELECT\b.*\bFROM|INSERT (OR \w+ )?INTO|UPDATE \w+ SET|DELETE FROM|"
    r"CREATE (TEMP )?(TABLE|INDEX|VIEW)|PRAGMA \w+)\b",
    re.S,
)


def imports_and_strings(path: Path) -> tuple[set[str], list[str]]:
    imported: set[str] = set()
    strings = []
    for node in source.nodes(path):
        if isinstance(node, ast.Import):
            imported |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            strings.append(node.value)
    return imported, strings


@pytest.mark.parametrize("package", ["bot", "adapters"])
def test_all_sql_lives_in_storage(package: str) -> None:
    checked = 0
    for path in sorted((ROOT / package).rglob("*.py")):
        checked += 1
        imported, strings = imports_and_strings(path)
        assert not {m for m in imported if m.split(".")[0] in ("sqlite3", "sqlite_utils")}, path
        assert not [s for s in strings if SQL.search(s)], path
    assert checked > 10


def test_the_core_depends_on_the_contract_not_on_storage() -> None:
    for path in sorted((ROOT / "bot").rglob("*.py")):
        name = path.relative_to(ROOT).as_posix()
        imported, _ = imports_and_strings(path)
        storage = {m for m in imported if m.split(".")[0] == "storage"}
        assert storage <= OPENS_THE_DATABASE.get(name, set()), (
            f"{name} imports {sorted(storage)}: core modules type against bot.store_contract;"
            " only the composition root (OPENS_THE_DATABASE) opens the database"
        )


def test_a_question_is_kept_replaced_and_dropped_per_user_and_chat(any_store: Store) -> None:
    store = any_store
    store.ask("telegram", "1", "u1", "subscribe", "reply:telegram:1:1", 10.0)
    store.ask("telegram", "1", "u2", "unsubscribe", "reply:telegram:2:1", 11.0)
    store.ask("telegram", "1", "u1", "lineups", "reply:telegram:3:1", 12.0)  # replaces
    assert store.question("telegram", "1", "u1") == {
        "command": "lineups",
        "key": "reply:telegram:3:1",
        "asked_at": 12.0,
    }
    store.drop_question("telegram", "1", "u1")
    assert store.question("telegram", "1", "u1") is None
    assert store.question("telegram", "1", "u2") is not None
    assert store.question("telegram", "2", "u2") is None


def test_the_housekeeping_forgets_questions_asked_long_ago(any_store: Store) -> None:
    """A question expires after minutes; one left by a user who never wrote again is deleted
    with the delivered messages of its time (``prune``), a recent one is kept."""
    store = any_store
    store.ask("telegram", "1", "u1", "subscribe", "reply:telegram:1:1", 10.0)
    store.ask("telegram", "1", "u2", "subscribe", "reply:telegram:2:1", 500.0)
    store.prune(100.0)
    assert store.question("telegram", "1", "u1") is None
    assert store.question("telegram", "1", "u2") is not None
    assert [row["user_id"] for row in store.questions_since(0.0)] == ["u2"]
