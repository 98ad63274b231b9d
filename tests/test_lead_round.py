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


#: teams the bot has never seen (no Italian article known): the leads take their bare shapes
UNKNOWN = {team: f"Club {chr(65 + i)} FC" for i, team in enumerate(
    t for home, away, _v, _g in MATCHES for t in (home, away)
)}  # fmt: skip


def play_round(engine: Engine, names: dict[str, str] | None = None) -> list[str]:
    ids = []
    for n, (home, away, venue, goals) in enumerate(MATCHES):
        if names:
            home, away = names[home], names[away]
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
        for team in (home, away, UNKNOWN[home], UNKNOWN[away]):
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


@pytest.mark.parametrize("known", [True, False], ids=["known-teams", "unknown-teams"])
@pytest.mark.parametrize("lang", ["en", "it"])
def test_no_two_leads_of_a_round_read_alike(engine: Engine, lang: str, known: bool) -> None:
    ids = play_round(engine, None if known else UNKNOWN)
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


#: one match of each shape the round above lacks: a rout, a late equaliser, a shoot-out
MORE: list[dict[str, Any]] = [
    {"type": "match", "match": "x-rout", "competition": "Serie A", "home": "Inter",
     "away": "Pisa", "kickoff": KICKOFF, "venue": "Milano"},
    *({"type": "goal", "match": "x-rout", "id": f"g{i}", "minute": 10 * i + 5, "team": "Inter",
       "player": "Marcus Thuram"} for i in range(4)),
    {"type": "match", "match": "x-late", "competition": "Serie A", "home": "Roma",
     "away": "Lazio", "kickoff": KICKOFF, "venue": "Roma"},
    {"type": "goal", "match": "x-late", "id": "g1", "minute": 20, "team": "Lazio",
     "player": "Mattia Zaccagni"},
    {"type": "goal", "match": "x-late", "id": "g2", "minute": 89, "team": "Roma",
     "player": "Paulo Dybala"},
    {"type": "match", "match": "x-pens", "competition": "Coppa Italia", "home": "Bologna",
     "away": "Torino", "kickoff": KICKOFF, "venue": "Bologna"},
    *({"type": "shootout_kick", "match": "x-pens", "id": f"k{i}", "minute": 120,
       "team": "Bologna" if i % 2 == 0 else "Torino", "player": f"Kicker {i}",
       "scored": i != 1} for i in range(4)),
]  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "it"])
def test_every_way_of_every_shape_states_the_result(engine: Engine, lang: str) -> None:
    from tests.test_match_shapes import english_words

    ids = play_round(engine)
    for item in MORE:
        engine.ingest(parse_line(json.dumps(item, ensure_ascii=False)))
    for match in ("x-rout", "x-late", "x-pens"):
        engine.ingest(parse_line(json.dumps({"type": "period", "match": match, "id": "ft",
                                             "minute": 90, "period": "full_time"})))  # fmt: skip
    seen = set()
    for match in [*ids, "x-rout", "x-late", "x-pens"]:
        state = engine.state(match)
        assert state is not None
        shape = match_shape(state)
        seen.add(shape)
        for variant in range(len(SHAPES[shape])):
            with i18n.use(lang):
                text = lead(state, variant)
            assert text and "{" not in text and "}" not in text, text
            score = f"{state.score.home}-{state.score.away}"
            flipped = f"{state.score.away}-{state.score.home}"
            goalless = ("goalless", "Reti bianche", "reti inviolate")
            assert score in text or flipped in text or any(w in text for w in goalless), text
            if lang == "it":
                players = {"Kicker 0", "Kicker 1", "Kicker 2", "Kicker 3"}
                names = players | {s for *_x, goals in MATCHES for _m, _s, s in goals}
                assert english_words(text, names) == [], (shape, text)
    assert seen == set(SHAPES)


def test_the_article_before_a_score() -> None:
    from bot.messages.i18n import italian_the

    assert [italian_the(s) for s in ("0-0", "1-1", "2-1", "8-0", "11-0", "3-3")] == [
        "lo 0-0",
        "l'1-1",
        "il 2-1",
        "l'8-0",
        "l'11-0",
        "il 3-3",
    ]
