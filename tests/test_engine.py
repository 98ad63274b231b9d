"""The update engine: fan-out, filters, corrections, idempotence, recaps."""

from __future__ import annotations

import json

import pytest

from bot.engine import Engine
from bot.feed_format import FeedError, parse_line
from storage.store import Store
from tests.support.core import DATA, SEED, SEED_MATCH, follow, ingest_file, outbox_text

DECL = (
    '{"type":"match","match":"m1","competition":"Serie A","home":"Atalanta",'
    '"away":"Inter","kickoff":"2025-12-28T19:45:00Z"}'
)


def ev(**fields: object) -> str:
    return json.dumps({"match": "m1", **fields})


def feed(engine: Engine, *lines: str) -> None:
    for text in lines:
        engine.ingest(parse_line(text))


def bodies(store: Store, platform: str, chat: str) -> list[str]:
    return [outbox_text(r) for r in store.outbox_rows(platform, chat)]


def test_alerts_go_to_chats_following_either_team_once_each(engine: Engine, store: Store) -> None:
    follow(store, "telegram", "1", "inter")
    follow(store, "telegram", "2", "atalanta")
    follow(store, "discord", "3", "inter", "atalanta")
    follow(store, "telegram", "4", "milan")
    feed(engine, DECL, ev(type="goal", id="g1", minute=65, team="Inter", player="Lautaro Martínez"))
    keys = sorted(r["key"] for r in store.outbox_rows())
    assert keys == ["event:m1:g1:discord:3", "event:m1:g1:telegram:1", "event:m1:g1:telegram:2"]
    assert "<b>⚽ GOAL! Atalanta 0-1 Inter</b>" in bodies(store, "telegram", "1")[0]
    assert bodies(store, "discord", "3")[0].startswith("**⚽ GOAL! Atalanta 0-1 Inter**")


def test_inactive_chats_get_nothing(engine: Engine, store: Store) -> None:
    follow(store, "telegram", "1", "inter")
    store.deactivate_chat("telegram", "1", "blocked")
    feed(engine, DECL, ev(type="period", id="p1", minute=0, period="first_half"))
    assert store.outbox_rows() == []


def test_each_chat_gets_what_its_alert_level_allows(engine: Engine, store: Store) -> None:
    follow(store, "console", "goals", "inter", level="goals")
    follow(store, "console", "key", "inter", level="key")
    follow(store, "console", "all", "inter", level="all")
    ingest_file(engine, SEED)
    counts = {c: len(store.outbox_rows("console", c)) for c in ("goals", "key", "all")}
    # goals: the goal; key: kick-off, 2 disallowed, HT, 2nd half, goal, FT; all: + 3 saves
    # (Carnesecchi x2, Sommer), 2 misses, the substitution, 2 notes.
    assert counts == {"goals": 1, "key": 7, "all": 15}


def test_reingesting_a_whole_feed_changes_nothing(engine: Engine, store: Store) -> None:
    follow(store, "telegram", "1", "inter", level="all")
    assert ingest_file(engine, SEED) == []
    engine.queue_recap(SEED_MATCH)
    before = store.outbox_rows()
    events = store.events(SEED_MATCH)
    assert ingest_file(engine, SEED) == []
    assert engine.queue_recap(SEED_MATCH) == 0
    assert store.outbox_rows() == before
    assert store.events(SEED_MATCH) == events


def test_the_score_is_derived_and_cancelled_goals_come_off(engine: Engine, store: Store) -> None:
    follow(store, "telegram", "1", "inter")
    feed(
        engine,
        DECL,
        ev(type="goal", id="g1", minute=10, team="Inter", player="Lautaro Martínez"),
        ev(type="goal_disallowed", id="d1", minute=20, team="Atalanta", reason="offside"),
        ev(type="goal", id="g2", minute=30, team="Atalanta", player="Gianluca Scamacca"),
    )
    state = engine.state("m1")
    assert state is not None and (state.score.home, state.score.away) == (1, 1)
    store.mark_sent(store.outbox_rows()[0]["id"], "event:m1:g1:telegram:1", "telegram", "1", ["77"])
    feed(
        engine,
        ev(type="goal_cancelled", id="c1", minute=12, team="Inter", ref="g1", reason="handball"),
    )
    state = engine.state("m1")
    assert state is not None and (state.score.home, state.score.away) == (1, 0)
    assert [g.goal.player for g in state.goals] == ["Gianluca Scamacca"]
    match = store.match("m1")
    # the score is the state's alone: the store keeps no copy of it
    assert match is not None and "home_goals" not in match and "away_goals" not in match
    correction = store.outbox_rows("telegram", "1")[-1]
    assert correction["kind"] == "correction"
    assert correction["edit_key"] == "event:m1:g1:telegram:1"
    assert outbox_text(correction) == (
        "⚽ <s>GOAL</s><b> cancelled by VAR (handball) — Atalanta 1-0 Inter</b>\n\n"
        "Lautaro Martínez's 10' goal for Inter does not stand.\n"
        "Score: <b>Atalanta 1-0 Inter</b>"
    )


def test_a_goal_cancelled_before_its_alert_went_out_is_rewritten_not_doubled(
    engine: Engine, store: Store
) -> None:
    follow(store, "telegram", "1", "inter")
    feed(
        engine,
        DECL,
        ev(type="goal", id="g1", minute=10, team="Inter", player="L"),
        ev(type="goal_cancelled", id="c1", minute=12, team="Inter", ref="g1", reason="var"),
    )
    rows = store.outbox_rows("telegram", "1")
    assert len(rows) == 1
    assert rows[0]["kind"] == "correction" and "cancelled by VAR" in outbox_text(rows[0])


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (
            ev(type="goal", id="g9", minute=1, team="Juventus", player="X"),
            "team 'Juventus' does not play in Atalanta v Inter",
        ),
        (
            json.dumps(
                {
                    "type": "goal",
                    "match": "nope",
                    "id": "g",
                    "minute": 1,
                    "team": "Inter",
                    "player": "X",
                }
            ),
            "unknown match 'nope'",
        ),
        (
            ev(type="goal_cancelled", id="c9", minute=1, team="Inter", ref="zzz", reason="var"),
            "not a goal of this match",
        ),
    ],
)
def test_events_that_do_not_fit_the_match_are_rejected(
    engine: Engine, text: str, reason: str
) -> None:
    feed(engine, DECL)
    with pytest.raises(FeedError, match=reason):
        engine.ingest(parse_line(text))


def test_cancelling_twice_is_rejected(engine: Engine) -> None:
    feed(
        engine,
        DECL,
        ev(type="goal", id="g1", minute=10, team="Inter", player="L"),
        ev(type="goal_cancelled", id="c1", minute=12, team="Inter", ref="g1", reason="var"),
    )
    with pytest.raises(FeedError, match="already cancelled"):
        feed(
            engine,
            ev(type="goal_cancelled", id="c2", minute=13, team="Inter", ref="g1", reason="var"),
        )


def test_a_redeclared_match_cannot_change_teams(engine: Engine) -> None:
    feed(engine, DECL)
    with pytest.raises(FeedError, match="already declared as Atalanta v Inter"):
        feed(engine, DECL.replace("Atalanta", "Milan"))
    result = engine.ingest(parse_line(DECL.replace("19:45", "20:45")))
    assert result.status == "updated" and result.kickoff_changed


def test_recap_goes_out_once_per_chat_with_the_quotes(engine: Engine, store: Store) -> None:
    follow(store, "telegram", "1", "inter")
    follow(store, "discord", "2", "atalanta", "inter")
    ingest_file(engine, SEED)
    assert engine.queue_recap(SEED_MATCH) == 2
    assert engine.queue_recap(SEED_MATCH) == 0
    recaps = [r for r in store.outbox_rows() if r["kind"] == "recap"]
    assert [r["key"] for r in recaps] == [
        f"recap:{SEED_MATCH}:telegram:1",
        f"recap:{SEED_MATCH}:discord:2",
    ]
    assert "Raffaele Palladino (Atalanta coach)" in outbox_text(recaps[0])


def test_no_recap_before_full_time(engine: Engine, store: Store) -> None:
    follow(store, "telegram", "1", "inter")
    feed(engine, DECL, ev(type="period", id="p1", minute=0, period="first_half"))
    assert engine.queue_recap("m1") == 0
    assert not store.recap_queued("m1")


def test_a_quote_after_the_recap_is_followed_up_once(engine: Engine, store: Store) -> None:
    follow(store, "telegram", "1", "inter")
    ingest_file(engine, SEED)
    engine.queue_recap(SEED_MATCH)
    late = json.dumps(
        {
            "type": "quote",
            "match": SEED_MATCH,
            "id": "q9",
            "speaker": "Lautaro",
            "role": "Inter captain",
            "text": "Four in a row & counting",
        }
    )
    engine.ingest(parse_line(late))
    engine.ingest(parse_line(late))
    followups = [r for r in store.outbox_rows() if r["kind"] == "quote"]
    assert len(followups) == 1
    assert outbox_text(followups[0]) == (
        "<b>💬 After Atalanta 0-1 Inter</b>\n\n"
        "<b>Lautaro (Inter captain)</b>: <i>“Four in a row &amp; counting”</i>"
    )


def test_spoiler_delay_holds_back_only_that_chats_alerts(engine: Engine, store: Store) -> None:
    follow(store, "telegram", "1", "inter")
    follow(store, "telegram", "2", "inter")
    store.set_chat_settings("telegram", "2", {"level": "key", "spoiler_delay": 120})
    engine.clock = lambda: 1000.0
    feed(engine, DECL, ev(type="goal", id="g1", minute=10, team="Inter", player="L"))
    due = {r["chat_id"]: r["next_attempt_at"] for r in store.outbox_rows()}
    assert due == {"1": 1000.0, "2": 1120.0}


def test_extra_time_penalties_and_marks(engine: Engine, store: Store) -> None:
    follow(store, "telegram", "1", "argentina")
    assert ingest_file(engine, DATA / "world-cup-final.jsonl") == []
    state = engine.state("wc22-final")
    assert state is not None and state.finished and state.extra_time
    assert (state.score.home, state.score.away) == (3, 3)
    assert state.shootout is not None and (state.shootout.home, state.shootout.away) == (4, 2)
    assert "Gonzalo Montiel" not in [g.goal.player for g in state.goals]
