"""/scorers keeps its ranking until an event of the competition comes or goes."""

from __future__ import annotations

import json

from bot.commands import Commands
from bot.engine import Engine
from bot.feed_format import parse_line
from bot.messages.model import message_text
from bot.ports import CommandContext
from storage.store import Store

FAN = CommandContext(platform="telegram", chat_id="1", user_id="u1")


def line(**fields: object) -> str:
    return json.dumps(fields, ensure_ascii=False)


def scorers(commands: Commands) -> str:
    return message_text(commands.run(FAN, "scorers", "serie a"))


def test_the_ranking_follows_new_cancelled_and_retracted_goals(store: Store) -> None:
    engine = Engine(store)
    commands = Commands(store)
    for text in (
        line(
            type="match",
            match="m1",
            competition="Serie A",
            home="Atalanta",
            away="Inter",
            kickoff="2026-02-01T19:45:00Z",
        ),
        line(type="goal", match="m1", id="g1", minute=5, team="Inter", player="Lautaro"),
    ):
        engine.ingest(parse_line(text))  # type: ignore[arg-type]
    assert "1. Lautaro (Inter) 1" in scorers(commands)
    assert "1. Lautaro (Inter) 1" in scorers(commands)  # kept
    engine.ingest(
        parse_line(line(type="goal", match="m1", id="g2", minute=9, team="Inter", player="Lautaro"))  # type: ignore[arg-type]
    )
    assert "1. Lautaro (Inter) 2" in scorers(commands)
    engine.ingest(
        parse_line(  # type: ignore[arg-type]
            line(
                type="goal_cancelled",
                match="m1",
                id="c2",
                minute=10,
                team="Inter",
                ref="g2",
                reason="offside",
            )
        )
    )
    assert "1. Lautaro (Inter) 1" in scorers(commands)
    engine.ingest(
        parse_line(
            line(type="goal", match="m1", id="g3", minute=20, team="Atalanta", player="Ederson")
        )  # type: ignore[arg-type]
    )
    assert "Ederson (Atalanta) 1" in scorers(commands)
    engine.retract("g3", "m1")
    assert "Ederson" not in scorers(commands)
