"""Bad feed lines, one or more per class of trouble a hostile or broken feed can hold.

Every line here must be rejected on its own (as ``line N: reason``), and never stop the reading.
"""

from __future__ import annotations

import json
from typing import Any

DEEP = 100_000

DECL: dict[str, Any] = {
    "type": "match",
    "match": "m1",
    "competition": "Serie A",
    "home": "Atalanta",
    "away": "Inter",
    "kickoff": "2025-12-28T19:45:00Z",
}
KICKOFF: dict[str, Any] = {
    "type": "period",
    "match": "m1",
    "id": "p1",
    "minute": 0,
    "period": "first_half",
}
GOAL: dict[str, Any] = {
    "type": "goal",
    "match": "m1",
    "id": "g1",
    "minute": 65,
    "team": "Inter",
    "player": "Lautaro Martínez",
}
FULL_TIME: dict[str, Any] = {
    "type": "period",
    "match": "m1",
    "id": "p4",
    "minute": 90,
    "period": "full_time",
}
QUOTE: dict[str, Any] = {
    "type": "quote",
    "match": "m1",
    "id": "q1",
    "speaker": "Cristian Chivu",
    "role": "Inter coach",
    "text": "A great night.",
}
GOOD = [DECL, KICKOFF, GOAL, FULL_TIME, QUOTE]


def dumps(obj: object) -> str:
    return json.dumps(obj, ensure_ascii=False)


def _with(base: dict[str, Any], **changes: Any) -> str:
    return dumps({**base, **changes})


def _raw(base: dict[str, Any], field: str, literal: str) -> str:
    """``base`` with ``field`` set to a JSON literal written as is."""
    rest = dumps({k: v for k, v in base.items() if k != field})
    return f'{rest[:-1]}, "{field}": {literal}}}'


NAMED: dict[str, str | bytes] = {
    # the type itself
    "type is a list": _with(GOAL, type=["goal"]),
    "type is an object": _with(GOAL, type={"goal": 1}),
    "type is a number": _with(GOAL, type=7),
    "type is null": _with(GOAL, type=None),
    "type is unknown": _with(GOAL, type="corner"),
    "type is missing": dumps({k: v for k, v in GOAL.items() if k != "type"}),
    "type is huge": _with(GOAL, type="goal" * 100_000),
    # numbers
    "integer with thousands of digits": _raw(GOAL, "minute", "9" * 5000),
    "negative integer with thousands of digits": _raw(GOAL, "minute", "-" + "9" * 5000),
    "float overflowing to infinity": _raw(GOAL, "minute", "1e999"),
    "NaN literal": _raw(GOAL, "minute", "NaN"),
    "Infinity literal": _raw(GOAL, "minute", "Infinity"),
    "-Infinity literal": _raw(GOAL, "minute", "-Infinity"),
    "minute below 0": _with(GOAL, minute=-1),
    "minute above 130": _with(GOAL, minute=131),
    "stoppage above 30": _with(GOAL, stoppage=31),
    "minute as a string": _with(GOAL, minute="65"),
    "minute as true": _with(GOAL, minute=True),
    "minute with a fraction": _with(GOAL, minute=65.5),
    # nesting
    "arrays nested 100,000 deep": "[" * DEEP + "]" * DEEP,
    "objects nested 100,000 deep": '{"a":' * DEEP + "1" + "}" * DEEP,
    "nesting inside a field": _raw(GOAL, "player", "[" * DEEP + "]" * DEEP),
    "nesting inside an unknown field": _raw(GOAL, "extra", '{"a":' * DEEP + "1" + "}" * DEEP),
    # dates
    "kickoff overflowing UTC": _with(DECL, kickoff="9999-12-31T23:59:59-12:00"),
    "kickoff before year 1 in UTC": _with(DECL, kickoff="0001-01-01T00:00:00+14:00"),
    "kickoff in year 9999": _with(DECL, kickoff="9999-06-01T12:00:00Z"),
    "kickoff without a zone": _with(DECL, kickoff="2025-12-28T19:45:00"),
    "kickoff not a date": _with(DECL, kickoff="tomorrow"),
    "kickoff on 30 February": _with(DECL, kickoff="2026-02-30T19:45:00Z"),
    "kickoff as a number": _with(DECL, kickoff=1766951100),
    # JSON that is not an object
    "an array": "[1, 2, 3]",
    "a number": "42",
    "a string": '"goal"',
    "null": "null",
    "true": "true",
    # JSON that is not JSON
    "truncated object": dumps(GOAL)[:25],
    "trailing garbage": dumps(GOAL) + " x",
    "two objects on one line": dumps(KICKOFF) + dumps(GOAL),
    "raw control character in a string": '{"type":"go\x01al"}',
    "single quotes": "{'type': 'goal'}",
    "byte-order mark after line 1": "\ufeff" + dumps(GOAL),
    # keys
    "duplicate keys": dumps(GOAL)[:-1] + ', "team": "Atalanta"}',
    "duplicate type keys": '{"type":"goal","type":"card"}',
    # strings
    "huge string in a name": _with(GOAL, player="x" * 300_000),
    "line over 1 MiB": _with(GOAL, extra="x" * (2 << 20)),
    "empty name": _with(GOAL, player=""),
    "whitespace-only name": _with(GOAL, player="   "),
    "lone surrogate in a name": _raw(GOAL, "player", '"\\ud800"'),
    # bytes
    "invalid UTF-8 byte": dumps(GOAL).encode()[:40] + b"\xff" + dumps(GOAL).encode()[40:],
    "Latin-1 text": _with(GOAL, player="Martínez").encode("latin-1"),
    "NUL bytes": b"\x00" * 10,
    # ids of every JSON type
    "match id a number": _with(DECL, match=5),
    "match id a list": _with(DECL, match=["m1"]),
    "match id an object": _with(DECL, match={"id": "m1"}),
    "match id null": _with(DECL, match=None),
    "event id a number": _with(GOAL, id=1),
    "bad period": _with(KICKOFF, id="p9", period="fourth_quarter"),
    "bad card colour": _with(GOAL, type="card", id="k9", card="purple"),
}

# Lines the reader accepts but the engine must refuse (they follow the good DECL).
BREAK_RULES: dict[str, str] = {
    "unknown match": _with(GOAL, match="nowhere", id="g9"),
    "team not in the match": _with(GOAL, id="g9", team="Juventus"),
    "event without team": dumps({k: v for k, v in GOAL.items() if k != "team"}),
    "home and away the same team": _with(DECL, match="m2", away="Atalanta"),
    "names folding to one team": _with(DECL, match="m3", home="INTER!", away="inter"),
    "match declared again with other teams": _with(DECL, away="Juventus"),
    "cancelling a goal never scored": _with(
        GOAL, type="goal_cancelled", id="c9", ref="nope", reason="var"
    ),
}

# Each field of each good object, set to a value of every other JSON type.
_OTHER_TYPES: list[Any] = [[], {}, True, 1.5, 7, "7", None]


def wrong_types() -> dict[str, str]:
    lines: dict[str, str] = {}
    for base in GOOD:
        for field, good in base.items():
            if field == "type":
                continue
            for value in _OTHER_TYPES:
                optional = field == "role" or (base["type"] == "goal" and field == "player")
                if type(value) is type(good) or (optional and value is None):
                    continue  # a goal's scorer may be null: not known yet
                lines[f"{base['type']}.{field} = {value!r}"] = _with(base, **{field: value})
    return lines


def unreadable() -> dict[str, str | bytes]:
    """Every line the reader itself must reject."""
    return {**NAMED, **wrong_types()}


#: the issue's own examples of lines that must not stop the bot
ISSUE_EXAMPLES = [
    "type is a list",
    "type is an object",
    "integer with thousands of digits",
    "arrays nested 100,000 deep",
    "kickoff overflowing UTC",
]


def issue_example_bytes() -> bytes:
    """The issue's examples as the first lines of a feed file, each ending in a newline."""
    examples = [NAMED[name] for name in ISSUE_EXAMPLES]
    return b"".join((x if isinstance(x, bytes) else x.encode("utf-8")) + b"\n" for x in examples)
