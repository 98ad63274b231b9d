"""The feed reader against every rule of feed format v1."""

from __future__ import annotations

import json

import pytest

from bot.feed_format import (
    CardEvent,
    FeedError,
    GoalEvent,
    MatchDecl,
    Parsed,
    PeriodEvent,
    Quote,
    Rejected,
    parse_line,
    read_lines,
)

MATCH = {
    "type": "match",
    "match": "m1",
    "competition": "Serie A",
    "home": "Atalanta",
    "away": "Inter",
    "kickoff": "2025-12-28T19:45:00Z",
}


def line(**fields: object) -> str:
    return json.dumps(fields)


VALID = [
    MATCH,
    {
        "type": "period",
        "match": "m1",
        "id": "p",
        "minute": 45,
        "stoppage": 2,
        "period": "half_time",
    },
    {
        "type": "goal",
        "match": "m1",
        "id": "g",
        "minute": 65,
        "team": "Inter",
        "player": "L",
        "assist": "E",
        "kind": "penalty",
    },
    {
        "type": "goal_disallowed",
        "match": "m1",
        "id": "d",
        "minute": 50,
        "team": "Atalanta",
        "reason": "offside",
        "detail": "x",
    },
    {
        "type": "goal_cancelled",
        "match": "m1",
        "id": "c",
        "minute": 66,
        "team": "Inter",
        "ref": "g",
        "reason": "var",
    },
    {
        "type": "card",
        "match": "m1",
        "id": "k",
        "minute": 70,
        "team": "Inter",
        "player": "B",
        "card": "second_yellow",
    },
    {
        "type": "substitution",
        "match": "m1",
        "id": "s",
        "minute": 64,
        "team": "Inter",
        "player_in": "E",
    },
    {
        "type": "save",
        "match": "m1",
        "id": "v",
        "minute": 12,
        "team": "Atalanta",
        "player": "C",
        "shooter": "T",
    },
    {
        "type": "miss",
        "match": "m1",
        "id": "mi",
        "minute": 87,
        "team": "Atalanta",
        "player": "S",
        "assist": "D",
        "detail": "wide",
    },
    {
        "type": "penalty_missed",
        "match": "m1",
        "id": "pm",
        "minute": 30,
        "team": "Inter",
        "player": "L",
        "outcome": "woodwork",
    },
    {
        "type": "shootout_kick",
        "match": "m1",
        "id": "sk",
        "minute": 120,
        "team": "Inter",
        "player": "L",
        "scored": False,
    },
    {"type": "note", "match": "m1", "id": "n", "minute": 65, "team": "Atalanta", "text": "error"},
    {"type": "quote", "match": "m1", "id": "q", "speaker": "Cristian Chivu", "text": "Hi"},
]


@pytest.mark.parametrize("obj", VALID, ids=[o["type"] for o in VALID])
def test_every_type_in_the_spec_is_accepted(obj: dict[str, object]) -> None:
    item = parse_line(json.dumps(obj))
    assert item.type == obj["type"]


def test_defaults_and_values() -> None:
    goal = parse_line(line(type="goal", match="m1", id="g", minute=65, team="Inter", player="L"))
    assert isinstance(goal, GoalEvent)
    assert goal.kind == "normal" and goal.assist is None and goal.stoppage is None
    decl = parse_line(json.dumps(MATCH))
    assert isinstance(decl, MatchDecl) and decl.kickoff.utcoffset() is not None


def test_unknown_fields_are_ignored() -> None:
    item = parse_line(json.dumps({**MATCH, "referee": "Someone", "attendance": 20000}))
    assert isinstance(item, MatchDecl)


def test_period_needs_no_team_but_other_events_do() -> None:
    assert isinstance(
        parse_line(line(type="period", match="m1", id="p", minute=0, period="first_half")),
        PeriodEvent,
    )
    with pytest.raises(FeedError, match="missing required field 'team'"):
        parse_line(line(type="card", match="m1", id="k", minute=1, player="B", card="red"))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("not json", "not valid JSON"),
        ("[1, 2]", "must be a JSON object"),
        (line(match="m1"), "missing required field 'type'"),
        (line(type="corner", match="m1", id="c", minute=3, team="Inter"), "unknown type 'corner'"),
        (
            line(type="goal_update", match="m1", id="u", minute=3, team="Inter"),
            "missing required field 'ref'",
        ),
        (line(type="goal", match="m1", id="g", minute=131, team="Inter", player="L"), "'minute'"),
        (line(type="goal", match="m1", id="g", minute=-1, team="Inter", player="L"), "'minute'"),
        (
            line(
                type="goal", match="m1", id="g", minute=3, team="Inter", player="L", kind="header"
            ),
            "'kind'",
        ),
        (
            line(type="goal_disallowed", match="m1", id="d", minute=3, team="Inter", reason="dive"),
            "'reason'",
        ),
        (
            line(type="card", match="m1", id="k", minute=1, team="Inter", player="B", card="green"),
            "'card'",
        ),
        (line(type="period", match="m1", id="p", minute=0, period="third_half"), "'period'"),
        (line(**{**MATCH, "kickoff": "2025-12-28T19:45:00"}), "'kickoff'"),
        (line(**{**MATCH, "home": ""}), "'home'"),
        (line(type="quote", match="m1", id="q", speaker="X"), "missing required field 'text'"),
        (
            line(type="shootout_kick", match="m1", id="s", minute=120, team="Inter", player="L"),
            "missing required field 'scored'",
        ),
    ],
)
def test_bad_lines_are_rejected_with_a_reason(text: str, reason: str) -> None:
    with pytest.raises(FeedError, match=reason):
        parse_line(text)


def test_reader_reports_line_numbers_and_goes_on() -> None:
    lines = [
        json.dumps(MATCH),
        "",
        "{broken",
        line(type="corner", match="m1", id="c", minute=3, team="Inter"),
        "   ",
        line(type="card", match="m1", id="k", minute=1, team="Inter", player="B", card="red"),
    ]
    results = list(read_lines(lines))
    assert [type(r) for r in results] == [Parsed, Rejected, Rejected, Parsed]
    assert [r.line for r in results] == [1, 3, 4, 6]
    assert str(results[1]).startswith("line 3: not valid JSON")
    assert str(results[2]) == "line 4: unknown type 'corner'"
    assert isinstance(results[3], Parsed) and isinstance(results[3].item, CardEvent)


def test_quote_role_and_team_are_optional() -> None:
    quote = parse_line(line(type="quote", match="m1", id="q", speaker="S", text="T"))
    assert isinstance(quote, Quote) and quote.role is None and quote.team is None


def test_the_bundled_seed_match_is_valid() -> None:
    from tests.support.core import SEED

    results = list(read_lines(SEED.read_text("utf-8").splitlines()))
    assert all(isinstance(r, Parsed) for r in results)
    assert len(results) == 19
