"""Match feed format v1: one pydantic model per object type, and a line reader.

The format is documented in ``docs/feed-format.md``. The reader never stops at a bad
line: it yields a :class:`Rejected` with the line number and the reason, and goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Reason = Literal["offside", "foul", "handball", "var", "other"]
Period = Literal["first_half", "half_time", "second_half", "extra_time", "penalties", "full_time"]


class FeedObject(BaseModel):
    """Fields every object shares. Unknown fields are ignored, as the spec requires."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


class MatchDecl(FeedObject):
    type: Literal["match"]
    match: Name
    competition: Name
    home: Name
    away: Name
    kickoff: AwareDatetime
    season: Name | None = None
    round: Name | None = None
    venue: Name | None = None


class EventBase(FeedObject):
    match: Name
    id: Name
    minute: int = Field(ge=0, le=130)
    stoppage: int | None = Field(default=None, ge=0, le=30)


class TeamEvent(EventBase):
    team: Name


class PeriodEvent(EventBase):
    type: Literal["period"]
    period: Period
    team: Name | None = None


class GoalEvent(TeamEvent):
    type: Literal["goal"]
    player: Name
    assist: Name | None = None
    kind: Literal["normal", "penalty", "own_goal"] = "normal"


class GoalDisallowedEvent(TeamEvent):
    type: Literal["goal_disallowed"]
    player: Name | None = None
    reason: Reason
    detail: Text | None = None


class GoalCancelledEvent(TeamEvent):
    type: Literal["goal_cancelled"]
    ref: Name
    reason: Reason


class CardEvent(TeamEvent):
    type: Literal["card"]
    player: Name
    card: Literal["yellow", "second_yellow", "red"]


class SubstitutionEvent(TeamEvent):
    type: Literal["substitution"]
    player_in: Name
    player_out: Name | None = None


class SaveEvent(TeamEvent):
    type: Literal["save"]
    player: Name
    shooter: Name | None = None
    detail: Text | None = None


class MissEvent(TeamEvent):
    type: Literal["miss"]
    player: Name
    assist: Name | None = None
    detail: Text | None = None


class PenaltyMissedEvent(TeamEvent):
    type: Literal["penalty_missed"]
    player: Name
    outcome: Literal["saved", "missed", "woodwork"]


class ShootoutKickEvent(TeamEvent):
    type: Literal["shootout_kick"]
    player: Name
    scored: bool


class NoteEvent(TeamEvent):
    type: Literal["note"]
    text: Text
    player: Name | None = None


class Quote(FeedObject):
    type: Literal["quote"]
    match: Name
    id: Name
    speaker: Name
    role: Name | None = None
    team: Name | None = None
    text: Text


Event = (
    PeriodEvent
    | GoalEvent
    | GoalDisallowedEvent
    | GoalCancelledEvent
    | CardEvent
    | SubstitutionEvent
    | SaveEvent
    | MissEvent
    | PenaltyMissedEvent
    | ShootoutKickEvent
    | NoteEvent
)
FeedItem = Annotated[MatchDecl | Event | Quote, Field(discriminator="type")]
EVENT_TYPES: frozenset[str] = frozenset(
    t.model_fields["type"].annotation.__args__[0] for t in Event.__args__
)
KNOWN_TYPES: frozenset[str] = EVENT_TYPES | {"match", "quote"}

_adapter: TypeAdapter[MatchDecl | Event | Quote] = TypeAdapter(FeedItem)


class FeedError(ValueError):
    """A feed object that breaks the format; the message is the reason, fit for a user."""


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        # The discriminator puts the type name first in the location: drop it, say the field.
        loc = [str(p) for p in item["loc"]]
        if loc and loc[0] in KNOWN_TYPES:
            loc = loc[1:]
        field = ".".join(loc) or "object"
        if item["type"] == "missing":
            parts.append(f"missing required field '{field}'")
        else:
            parts.append(f"'{field}': {item['msg']}")
    return "; ".join(parts)


def parse_object(data: object) -> MatchDecl | Event | Quote:
    """Validate one decoded JSON value as a feed object, or raise :class:`FeedError`."""
    if not isinstance(data, dict):
        raise FeedError("a line must be a JSON object")
    kind = data.get("type")
    if kind is None:
        raise FeedError("missing required field 'type'")
    if kind not in KNOWN_TYPES:
        raise FeedError(f"unknown type {kind!r}")
    if kind != "period" and kind in EVENT_TYPES and data.get("team") in (None, ""):
        raise FeedError(f"missing required field 'team' (needed by a {kind})")
    try:
        return _adapter.validate_python(data)
    except ValidationError as exc:
        raise FeedError(_describe(exc)) from None


def parse_line(line: str) -> MatchDecl | Event | Quote:
    """Parse one JSON Lines line into a feed object, or raise :class:`FeedError`."""
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        raise FeedError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    return parse_object(data)


@dataclass(frozen=True)
class Parsed:
    line: int
    item: MatchDecl | Event | Quote


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.reason}"


def read_lines(lines: Iterable[str], first_line: int = 1) -> Iterator[Parsed | Rejected]:
    """Parse JSON Lines text; blank lines are skipped, bad lines yield :class:`Rejected`."""
    for number, raw in enumerate(lines, start=first_line):
        text = raw.strip()
        if not text:
            continue
        try:
            yield Parsed(number, parse_line(text))
        except FeedError as exc:
            yield Rejected(number, str(exc))


def clock(minute: int, stoppage: int | None) -> tuple[int, int]:
    """A sort key for the match clock: 45+2' comes after 45' and before 46'."""
    return (minute, stoppage or 0)
