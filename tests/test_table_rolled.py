"""The table before a match that has none of its own, computed from the store: the latest
earlier match of the competition and season with a table declared, plus its result and the
results the store holds since. Nothing when there is no such table, or a match since has a team
it does not list."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from bot.depth import DepthFanOut
from bot.engine import Engine
from bot.feed_format import parse_object
from bot.messages.model import message_text
from storage.store import Store

SAMPLE = Path(__file__).parent.parent / "bot" / "data" / "sample-depth.jsonl"


def feed(engine: Engine, *items: dict[str, Any] | str) -> None:
    for item in items:
        engine.ingest(parse_object(json.loads(item) if isinstance(item, str) else item))


def match(
    mid: str, home: str, away: str, day: int, season: str = "2025-26"
) -> list[dict[str, Any]]:
    """A match of the sample's league, ``home`` winning 2-0."""
    return [
        {
            "type": "match",
            "match": mid,
            "competition": "Sample League",
            "home": home,
            "away": away,
            "kickoff": f"2026-03-{day:02d}T15:00:00Z",
            "season": season,
        },
        {"type": "period", "match": mid, "id": "k", "minute": 0, "period": "first_half"},
        {"type": "goal", "match": mid, "id": "g1", "minute": 10, "player": "A. One", "team": home},
        {"type": "goal", "match": mid, "id": "g2", "minute": 20, "player": "A. Two", "team": home},
        {"type": "period", "match": mid, "id": "f", "minute": 90, "period": "full_time"},
    ]


def table_of(engine: Engine, mid: str) -> list[tuple[str, int]] | None:
    state = engine.state(mid)
    assert state is not None
    table = DepthFanOut(engine, state.fixture).rolled_table()
    return None if table is None else [(e.team, e.points) for e in table.table]


def test_the_table_rolls_on_from_the_last_one_declared(store: Store) -> None:
    engine = Engine(store)
    feed(engine, *SAMPLE.read_text("utf-8").splitlines())  # Riverside FC 3-1 Harbor United
    feed(engine, *match("m2", "Northport", "Eastfield", 21))
    assert table_of(engine, "m2") == [
        ("Harbor United", 58),
        ("Riverside FC", 57),
        ("Northport", 55),
        ("Eastfield", 41),
    ]
    recap = message_text(engine.recap_message("m2"))  # type: ignore[arg-type]
    assert "📊 The table" in recap and "Northport" in recap.split("📊 The table")[1]
    feed(engine, *match("m3", "Eastfield", "Harbor United", 28))  # rolls on past m2 too
    assert table_of(engine, "m3") == [
        ("Harbor United", 58),
        ("Northport", 58),
        ("Riverside FC", 57),
        ("Eastfield", 41),
    ]


def test_no_declared_table_or_a_team_it_does_not_list_says_nothing(store: Store) -> None:
    engine = Engine(store)
    feed(engine, *match("a1", "Northport", "Eastfield", 1))
    feed(engine, *match("a2", "Eastfield", "Northport", 8))
    assert table_of(engine, "a2") is None  # no table was ever declared: none is guessed
    feed(engine, *SAMPLE.read_text("utf-8").splitlines())
    feed(engine, *match("a3", "Southbay", "Northport", 21))  # a team not in the table
    feed(engine, *match("a4", "Northport", "Eastfield", 28))
    assert table_of(engine, "a3") is not None  # its own recap: the table has no Southbay
    assert table_of(engine, "a4") is None
    feed(engine, *match("b1", "Northport", "Eastfield", 29, season="2026-27"))
    assert table_of(engine, "b1") is None  # another season
