"""Events reported late: each states the score at its own minute (minute, added minute, then
feed order), and a goal's alert whose score a late goal made wrong is edited in place."""

from __future__ import annotations

import json

from bot.engine import Engine
from bot.feed_format import parse_line
from storage.store import Store
from tests.support.core import follow, outbox_text

DECL = (
    '{"type":"match","match":"m1","competition":"Coppa Italia","home":"Atalanta",'
    '"away":"Inter","kickoff":"2026-01-28T19:45:00Z","round":"Semi-finals"}'
)


def ev(**fields: object) -> str:
    return json.dumps({"match": "m1", **fields})


def feed(engine: Engine, *lines: str) -> None:
    for text in lines:
        engine.ingest(parse_line(text))


def goal(gid: str, minute: int, team: str, player: str, stoppage: int | None = None) -> str:
    extra = {"stoppage": stoppage} if stoppage else {}
    return ev(type="goal", id=gid, minute=minute, team=team, player=player, **extra)


def texts(store: Store) -> dict[str, str]:
    return {r["key"]: outbox_text(r) for r in store.outbox_rows("console", "c")}


def test_a_card_reported_after_an_extra_time_equaliser_has_the_score_of_its_minute(
    engine: Engine, store: Store
) -> None:
    follow(store, "console", "c", "inter", level="all")
    feed(
        engine,
        DECL,
        goal("g1", 10, "Atalanta", "A. Lookman"),
        goal("g2", 30, "Inter", "M. Thuram"),
        goal("g3", 95, "Atalanta", "C. De Ketelaere"),
        goal("g4", 98, "Inter", "Lautaro Martínez"),
        goal("g5", 101, "Atalanta", "M. Retegui"),
        goal("g6", 104, "Inter", "N. Barella"),
    )
    # a booking at 100' reaches the bot after the 101' and 104' goals
    feed(
        engine, ev(type="card", id="k1", minute=100, team="Inter", player="A. Bastoni", card="red")
    )
    feed(
        engine,
        ev(
            type="penalty_missed",
            id="pm",
            minute=100,
            stoppage=None,
            team="Inter",
            player="H. Çalhanoğlu",
            outcome="saved",
        ),
    )
    sent = texts(store)
    assert "Still Atalanta 2-2 Inter" in sent["event:m1:pm:console:c"]
    assert "3-3" not in sent["event:m1:pm:console:c"]


def test_a_late_goal_gets_the_score_of_its_minute_and_later_alerts_are_corrected(
    engine: Engine, store: Store
) -> None:
    follow(store, "console", "c", "inter")
    feed(engine, DECL, goal("g1", 50, "Inter", "Lautaro Martínez"))
    assert "Atalanta 0-1 Inter" in texts(store)["event:m1:g1:console:c"]
    store.mark_many_sent(  # the first alert went out
        "console",
        [(r["id"], r["key"], "c", ["100"]) for r in store.outbox_rows("console", "c")],
    )
    # a 30' Atalanta goal reaches the bot after the 50' goal
    feed(engine, goal("g0", 30, "Atalanta", "A. Lookman"))
    sent = texts(store)
    assert "⚽ GOAL! Atalanta 1-0 Inter" in sent["event:m1:g0:console:c"]
    # the 50' goal's alert said 0-1: it is edited to say 1-1
    fix = sent["event:m1:g0:g1:console:c"]
    assert "⚽ GOAL! Atalanta 1-1 Inter" in fix
    row = next(
        r for r in store.outbox_rows("console", "c") if r["key"] == "event:m1:g0:g1:console:c"
    )
    assert row["edit_key"] == "event:m1:g1:console:c"
    state = engine.state("m1")
    assert state is not None
    assert [(g.goal.id, g.score_after.home, g.score_after.away) for g in state.goals] == [
        ("g0", 1, 0),
        ("g1", 1, 1),
    ]


def test_scorers_count_the_latest_facts_and_never_an_unknown_scorer(
    engine: Engine, store: Store
) -> None:
    from bot.commands import Commands
    from bot.messages.model import message_text
    from bot.ports import CommandContext

    feed(
        engine,
        DECL,
        ev(type="goal", id="g1", minute=10, team="Inter"),  # scorer not known yet
        ev(type="goal", id="g2", minute=20, team="Inter"),  # ... and never named
        ev(type="goal", id="g3", minute=30, team="Atalanta", player="A. Bastoni"),
    )
    feed(
        engine,
        ev(
            type="goal_update",
            id="g1:u1",
            ref="g1",
            minute=11,
            team="Inter",
            player="Lautaro Martínez",
        ),
        # Bastoni's goal was his own goal: it counts for Inter, and for nobody in /scorers
        ev(
            type="goal_update",
            id="g3:u1",
            ref="g3",
            minute=30,
            team="Inter",
            player="A. Bastoni",
            kind="own_goal",
        ),
    )
    fan = CommandContext(platform="telegram", chat_id="1", user_id="u1")
    top = message_text(Commands(store).run(fan, "scorers", "coppa italia"))
    assert "1. Lautaro Martínez (Inter) 1" in top
    assert "Bastoni" not in top and "2." not in top
    assert "Unknown" not in top and "None" not in top
    state = engine.state("m1")
    assert state is not None and (state.score.home, state.score.away) == (0, 3)
    scorers = message_text(Commands(store).run(fan, "scorers", "inter"))
    assert "Lautaro Martínez 11'" in scorers
    assert "scorer not yet confirmed 20'" in scorers
