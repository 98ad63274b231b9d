"""No two leads of a round read alike, in English or in Italian.

A full round of ten Serie A matches of assorted shapes — four narrow wins, two comfortable
wins, a late winner, a comeback, a draw, a 0-0 — goes through the engine; each recap's lead is
read with the names, places and numbers taken out: no two are the same sentence. Each match
reads the same when its recap is made again (deterministic), and every shape has more than
three ways of being told.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from bot.engine import Engine
from bot.feed_format import parse_line
from bot.messages import i18n
from bot.messages.lead import SHAPES, lead, match_shape
from bot.messages.names import team_name

ROUND = "Matchday 20"
KICKOFF = "2026-01-18T14:00:00Z"

#: (home, away, venue, goals as (minute, team side, scorer)); the shape in the comment
MATCHES: list[tuple[str, str, str, list[tuple[int, str, str]]]] = [
    ("Inter", "Lecce", "Milano", [(34, "h", "Lautaro Martínez")]),  # narrow
    ("Roma", "Torino", "Roma", [(12, "a", "Duván Zapata")]),  # narrow (away)
    ("Napoli", "Genoa", "Napoli", [(55, "h", "Romelu Lukaku")]),  # narrow
    ("Bologna", "Udinese", "Bologna", [(20, "h", "Riccardo Orsolini")]),  # narrow
    ("Juventus", "Cagliari", "Torino", [(10, "h", "Dušan Vlahović"), (70, "h", "Kenan Yıldız")]),
    ("Atalanta", "Parma", "Bergamo", [(5, "h", "Ademola Lookman"), (50, "h", "Mario Pašalić")]),
    ("Milan", "Como", "Milano", [(88, "h", "Christian Pulisic")]),  # late winner
    ("Fiorentina", "Lazio", "Firenze", [(15, "h", "Moise Kean"), (60, "a", "Mattia Zaccagni"),
                                        (75, "a", "Taty Castellanos")]),  # comeback
    ("Sassuolo", "Verona", "Reggio Emilia", [(30, "h", "Domenico Berardi"),
                                             (80, "a", "Tomáš Suslov")]),  # draw
    ("Cremonese", "Pisa", "Cremona", []),  # 0-0
]  # fmt: skip


def play_round(engine: Engine) -> list[str]:
    ids = []
    for n, (home, away, venue, goals) in enumerate(MATCHES):
        match = f"r20-{n}"
        ids.append(match)
        lines: list[dict[str, Any]] = [
            {"type": "match", "match": match, "competition": "Serie A", "season": "2025-26",
             "round": ROUND, "home": home, "away": away, "kickoff": KICKOFF, "venue": venue},
            {"type": "period", "match": match, "id": "p1", "minute": 0, "period": "first_half"},
        ]  # fmt: skip
        for i, (minute, side, scorer) in enumerate(goals):
            team = home if side == "h" else away
            lines.append({"type": "goal", "match": match, "id": f"g{i}", "minute": minute,
                          "team": team, "player": scorer})  # fmt: skip
        lines.append({"type": "period", "match": match, "id": "ft", "minute": 90,
                      "period": "full_time"})  # fmt: skip
        for line in lines:
            engine.ingest(parse_line(json.dumps(line, ensure_ascii=False)))
    return ids


def masked(text: str) -> str:
    """The lead with its names, places and numbers taken out: what is left is how it reads."""
    names: set[str] = set()
    for home, away, venue, goals in MATCHES:
        for team in (home, away):
            names |= {team, team_name(team).display("it"), team_name(team).display("en")}
        names |= {venue} | {scorer for _m, _s, scorer in goals}
    for name in sorted(names, key=len, reverse=True):
        text = text.replace(name, "N")
    return re.sub(r"\d+", "#", text)


def leads(engine: Engine, ids: list[str], lang: str) -> list[str]:
    told = []
    for match in ids:
        state = engine.state(match)
        assert state is not None and state.finished
        with i18n.use(lang):
            text = lead(state, engine.place_in_round(state))
        assert text
        told.append(text)
    return told


@pytest.mark.parametrize("lang", ["en", "it"])
def test_no_two_leads_of_a_round_read_alike(engine: Engine, lang: str) -> None:
    ids = play_round(engine)
    shapes = [match_shape(s) for s in (engine.state(m) for m in ids) if s is not None]
    assert shapes.count("narrow") == 4 and "late_winner" in shapes and "comeback" in shapes
    told = leads(engine, ids, lang)
    shown = [masked(t) for t in told]
    assert len(set(shown)) == len(shown), "\n".join(sorted(shown))
    # the way each match is told is fixed: asked again, the same words
    assert leads(engine, ids, lang) == told


def test_each_shape_is_told_more_than_three_ways() -> None:
    assert all(len(ways) > 3 for ways in SHAPES.values())
    for ways in SHAPES.values():
        assert len(set(ways)) == len(ways)
        with i18n.use("it"):
            italian = [i18n._(w) for w in ways]
        assert len(set(italian)) == len(italian)
