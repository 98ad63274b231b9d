"""The match state grown one event at a time equals the state derived from every event at once,
on random event sequences (out of order, cancelled goals, periods, shoot-outs), and the
engine's kept state equals a fresh derivation after every ingest."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.engine import Engine
from bot.feed_format import Event, MatchDecl, parse_object
from bot.match import Fixture, MatchState, StoredEvent, derive_state, side_for_event
from storage.store import Store

FIXTURE = Fixture(
    id="m",
    competition="Serie A",
    home="Atalanta",
    away="Inter",
    home_team="atalanta",
    away_team="inter",
    kickoff=datetime(2026, 1, 20, 20, tzinfo=UTC),
)
PERIODS = ["first_half", "half_time", "second_half", "extra_time", "penalties", "full_time"]


@st.composite
def events(draw: st.DrawFn) -> list[dict[str, Any]]:
    """A random feed of one match: any order, goals cancelled (or referring to nothing)."""
    count = draw(st.integers(min_value=0, max_value=30))
    out: list[dict[str, Any]] = []
    goals: list[str] = []
    for i in range(count):
        minute = draw(st.integers(min_value=0, max_value=125))
        stoppage = draw(st.none() | st.integers(min_value=0, max_value=8))
        team = draw(st.sampled_from(["Atalanta", "Inter"]))
        base = {"match": "m", "id": f"e{i}", "minute": minute, "team": team}
        if stoppage is not None:
            base["stoppage"] = stoppage
        kind = draw(st.sampled_from(["goal", "goal", "cancel", "period", "kick", "card", "note"]))
        if kind == "goal":
            own = draw(st.booleans())
            base |= {"type": "goal", "player": "P", "kind": "own_goal" if own else "normal"}
            goals.append(base["id"])
        elif kind == "cancel":
            ref = draw(st.sampled_from(goals)) if goals and draw(st.booleans()) else "nothing"
            base |= {"type": "goal_cancelled", "ref": ref, "reason": "var"}
        elif kind == "period":
            base |= {"type": "period", "period": draw(st.sampled_from(PERIODS))}
            del base["team"]
        elif kind == "kick":
            base |= {"type": "shootout_kick", "player": "K", "scored": draw(st.booleans())}
        elif kind == "card":
            base |= {"type": "card", "player": "C", "card": "yellow"}
        else:
            base |= {"type": "note", "text": "pressure"}
        out.append(base)
    return out


def comparable(state: MatchState) -> tuple[Any, ...]:
    return (
        [(s.seq, s.side, s.event) for s in state.events],
        state.period,
        state.score,
        state.goals,
        state.cancelled,
        state.shootout,
        state.extra_time,
        state.last_clock,
        state.top_seq,
        sorted(state.by_id),
        [state.score_at(s) for s in state.events],
    )


def rows(stored: list[StoredEvent]) -> list[dict[str, Any]]:
    return [
        {"seq": s.seq, "side": s.side, "data": s.event.model_dump_json(exclude_none=True)}
        for s in stored
    ]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(events())
def test_incremental_state_equals_full_derivation(feed: list[dict[str, Any]]) -> None:
    state = MatchState(fixture=FIXTURE)
    stored: list[StoredEvent] = []
    for seq, data in enumerate(feed, start=1):
        event = parse_object(data)
        assert isinstance(event, Event)
        item = StoredEvent(seq, side_for_event(FIXTURE, event), event)
        stored.append(item)
        state.add(item)
        assert comparable(state) == comparable(derive_state(FIXTURE, rows(stored)))


def test_engine_keeps_its_state_equal_to_the_stored_events() -> None:
    """Goals out of order, a cancelled goal, a retracted event, an event another engine (another
    process) stored: the state the engine keeps is the one the store's events give."""
    store = Store.open(":memory:")
    engine = Engine(store)
    decl = parse_object(
        {
            "type": "match",
            "match": "m",
            "competition": "Serie A",
            "home": "Atalanta",
            "away": "Inter",
            "kickoff": "2026-01-20T20:00:00Z",
        }
    )
    assert isinstance(decl, MatchDecl)
    engine.ingest(decl)
    feed: list[dict[str, Any]] = [
        {"type": "period", "period": "first_half", "minute": 0},
        {"type": "goal", "team": "Inter", "player": "Lautaro", "minute": 30},
        {"type": "goal", "team": "Atalanta", "player": "Lookman", "minute": 12},
        {"type": "card", "team": "Inter", "player": "Barella", "card": "yellow", "minute": 40},
        {"type": "goal_cancelled", "team": "Inter", "ref": "e1", "reason": "offside"},
        {"type": "goal", "team": "Inter", "player": "Thuram", "minute": 50},
    ]
    for i, data in enumerate(feed):
        data = {"minute": 31, **data, "match": "m", "id": f"e{i}"}
        item = parse_object(data)
        assert isinstance(item, Event)
        engine.ingest(item)
        kept = engine.state("m")
        assert kept is not None
        assert comparable(kept) == comparable(derive_state(fixture_of(store), store.events("m")))
    engine.retract("e3", "m")  # the card: removed
    kept = engine.state("m")
    assert kept is not None and "e3" not in kept.by_id
    assert comparable(kept) == comparable(derive_state(fixture_of(store), store.events("m")))
    assert (kept.score.home, kept.score.away) == (1, 1)
    other = parse_object(
        {
            "type": "goal",
            "match": "m",
            "id": "late",
            "team": "Inter",
            "player": "Dumfries",
            "minute": 5,
        }
    )
    assert isinstance(other, Event)
    Engine(store).ingest(other)
    kept = engine.state("m")
    assert kept is not None and (kept.score.home, kept.score.away) == (1, 2)
    assert comparable(kept) == comparable(derive_state(fixture_of(store), store.events("m")))


def fixture_of(store: Store) -> Fixture:
    row = store.match("m")
    assert row is not None
    return Fixture.from_row(row)
