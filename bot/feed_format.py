"""Match feed format v1: one pydantic model per object type, and a line reader.

The format is documented in ``docs/feed-format.md``. The reader never stops at a bad
line: it yields a :class:`Rejected` with the line number and the reason, and goes on.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from bot.match_data import MATCH_DATA_TYPES, MatchData, MatchDataItem
from bot.safe_text import neutralise

MAX_LINE_BYTES = 1 << 20  # 1 MiB: a feed object is a few hundred bytes
LINE_TOO_LONG = "line too long (a feed line is at most 1 MiB)"
BOM = "\ufeff"
# Kick-offs outside these years are mistakes, and near the ends of the calendar a time-zone
# conversion would overflow.
FIRST_KICKOFF = datetime(1850, 1, 1, tzinfo=UTC)
LAST_KICKOFF = datetime(3000, 1, 1, tzinfo=UTC)


def _sane_kickoff(value: datetime) -> datetime:
    try:
        in_utc = value.astimezone(UTC)
    except (OverflowError, ValueError):
        in_utc = None
    if in_utc is None or not FIRST_KICKOFF <= in_utc < LAST_KICKOFF:
        raise ValueError(
            f"a kick-off must be between {FIRST_KICKOFF.year} and {LAST_KICKOFF.year - 1}"
        )
    return value


def _text_time(value: object) -> object:
    if not isinstance(value, str | datetime):  # not a Unix time, nor anything else
        raise ValueError("a kick-off is an ISO 8601 date and time with a zone, as a string")
    return value


Kickoff = Annotated[AwareDatetime, BeforeValidator(_text_time), AfterValidator(_sane_kickoff)]

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
PlayerId = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
"""A data provider's id of a player, ``provider:id`` (``af:217``): optional beside each player
name, so a player is known by it whatever the spelling of his name or his team."""
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]
Reason = Literal["offside", "foul", "handball", "var", "other"]
#: The language of an item's words when it does not say (``lang``): the format's own.
FEED_LANGUAGE = "en"
#: The language of an object's own words (``text``, ``detail``, ``role``): ``en``, ``it``.
Language = Annotated[
    str,
    StringConstraints(
        strip_whitespace=True, to_lower=True, pattern=r"^[A-Za-z]{2,3}(-[A-Za-z0-9]{2,8})*$"
    ),
    AfterValidator(lambda code: code.split("-")[0]),
]
Period = Literal["first_half", "half_time", "second_half", "extra_time", "penalties", "full_time"]


class FeedObject(BaseModel):
    """Fields every object shares. Unknown fields are ignored, as the spec requires."""

    model_config = ConfigDict(extra="ignore", frozen=True, str_strip_whitespace=True)


MatchStatus = Literal[
    "scheduled",
    "first_half",
    "half_time",
    "second_half",
    "break",
    "extra_time",
    "penalties",
    "live",
    "finished",
    "suspended",
    "interrupted",
    "postponed",
    "cancelled",
    "abandoned",
    "awarded",
]
"""Where a match stands by its data provider's clock (``break``: before extra time or
between its halves; ``live``: in play, phase unknown)."""


class MatchDecl(FeedObject):
    type: Literal["match"]
    match: Name
    competition: Name
    home: Name
    away: Name
    kickoff: Kickoff
    season: Name | None = None
    round: Name | None = None
    venue: Name | None = None
    #: the provider's clock, when a feed or a provider has one (``/score`` says it)
    status: MatchStatus | None = None
    clock_minute: StrictInt | None = Field(default=None, ge=0, le=130)
    clock_stoppage: StrictInt | None = Field(default=None, ge=0, le=30)
    #: the language of every event's and quote's own words in this match (each may still say
    #: its own ``lang``); absent: English, the format's
    lang: Language | None = None


class EventBase(FeedObject):
    match: Name
    id: Name
    minute: StrictInt = Field(ge=0, le=130)
    stoppage: StrictInt | None = Field(default=None, ge=0, le=30)
    #: the minute is an estimate (a report or a provider that did not give one)
    minute_estimated: StrictBool = False
    lang: Language | None = None


class TeamEvent(EventBase):
    team: Name


class PeriodEvent(EventBase):
    type: Literal["period"]
    period: Period
    team: Name | None = None


class GoalEvent(TeamEvent):
    """A goal for ``team``. ``player`` may be missing: a provider often publishes a goal before
    it names the scorer (a ``goal_update`` names him later)."""

    type: Literal["goal"]
    player: Name | None = None
    assist: Name | None = None
    kind: Literal["normal", "penalty", "own_goal"] = "normal"
    player_id: PlayerId | None = None
    assist_id: PlayerId | None = None


class GoalDisallowedEvent(TeamEvent):
    type: Literal["goal_disallowed"]
    player: Name | None = None
    player_id: PlayerId | None = None
    reason: Reason
    detail: Text | None = None


class GoalCancelledEvent(TeamEvent):
    type: Literal["goal_cancelled"]
    ref: Name
    reason: Reason


class GoalUpdateEvent(TeamEvent):
    """The goal ``ref`` as it is now known: its scorer, assist, minute, kind or team (an own
    goal counts for the other side) corrected or completed. Every field is the goal's whole new
    fact, not a difference: a field left out is no longer known (``assist`` gone)."""

    type: Literal["goal_update"]
    ref: Name
    player: Name | None = None
    assist: Name | None = None
    kind: Literal["normal", "penalty", "own_goal"] = "normal"
    player_id: PlayerId | None = None
    assist_id: PlayerId | None = None

    def amend(self, goal: GoalEvent) -> GoalEvent:
        """``goal`` with this update's facts (its id stays)."""
        return goal.model_copy(
            update={
                "team": self.team,
                "minute": self.minute,
                "stoppage": self.stoppage,
                "player": self.player,
                "assist": self.assist,
                "kind": self.kind,
                "player_id": self.player_id,
                "assist_id": self.assist_id,
            }
        )


class VarCheckEvent(TeamEvent):
    """A VAR check of the goal ``ref`` (of ``team``): ``checking`` while the referee looks,
    ``confirmed`` when the goal stands. A goal overturned is a ``goal_cancelled``. Neither is a
    new alert: the goal's own alert is edited in place (one notification per goal)."""

    type: Literal["var_check"]
    ref: Name
    outcome: Literal["checking", "confirmed"] = "checking"
    reason: Reason | None = None


class CardEvent(TeamEvent):
    type: Literal["card"]
    player: Name
    card: Literal["yellow", "second_yellow", "red"]
    player_id: PlayerId | None = None


class SubstitutionEvent(TeamEvent):
    type: Literal["substitution"]
    player_in: Name
    player_out: Name | None = None
    player_in_id: PlayerId | None = None
    player_out_id: PlayerId | None = None


class SaveEvent(TeamEvent):
    type: Literal["save"]
    player: Name
    shooter: Name | None = None
    detail: Text | None = None
    player_id: PlayerId | None = None
    shooter_id: PlayerId | None = None


class MissEvent(TeamEvent):
    type: Literal["miss"]
    player: Name
    assist: Name | None = None
    detail: Text | None = None
    player_id: PlayerId | None = None
    assist_id: PlayerId | None = None


class PenaltyMissedEvent(TeamEvent):
    type: Literal["penalty_missed"]
    player: Name
    outcome: Literal["saved", "missed", "woodwork"]
    player_id: PlayerId | None = None


class ShootoutKickEvent(TeamEvent):
    type: Literal["shootout_kick"]
    player: Name
    scored: StrictBool
    player_id: PlayerId | None = None


class AddedTimeEvent(EventBase):
    """The fourth official's board: ``minutes`` of added time at the end of a half."""

    type: Literal["added_time"]
    minutes: StrictInt = Field(ge=1, le=30)
    team: Name | None = None


class NoteEvent(TeamEvent):
    type: Literal["note"]
    text: Text
    player: Name | None = None
    player_id: PlayerId | None = None


class Quote(FeedObject):
    type: Literal["quote"]
    match: Name
    id: Name
    speaker: Name
    role: Name | None = None
    team: Name | None = None
    text: Text
    lang: Language | None = None


Event = (
    PeriodEvent
    | GoalEvent
    | GoalDisallowedEvent
    | GoalCancelledEvent
    | GoalUpdateEvent
    | VarCheckEvent
    | CardEvent
    | SubstitutionEvent
    | SaveEvent
    | MissEvent
    | PenaltyMissedEvent
    | ShootoutKickEvent
    | NoteEvent
    | AddedTimeEvent
)
FeedItem = Annotated[MatchDecl | Event | Quote, Field(discriminator="type")]
EVENT_TYPES: frozenset[str] = frozenset(
    t.model_fields["type"].annotation.__args__[0] for t in Event.__args__
)
TEAMLESS_EVENTS: frozenset[str] = frozenset({"period", "added_time"})
"""Events that belong to the match, not to one side."""
KNOWN_TYPES: frozenset[str] = EVENT_TYPES | {"match", "quote"} | MATCH_DATA_TYPES

_adapter: TypeAdapter[MatchDecl | Event | Quote] = TypeAdapter(FeedItem)
_data_adapter: TypeAdapter[MatchData] = TypeAdapter(MatchDataItem)


Item = MatchDecl | Event | Quote | MatchData
"""Any feed object: a fixture, an event on the pitch, a quote, or match data (line-ups,
statistics, ratings, the table before the match)."""


class FeedError(ValueError):
    """A feed object that breaks the format; the message is the reason, fit for a user."""


class FeedConflict(FeedError):
    """An object whose id is already taken by an object with other content.

    For a reader that knows the line of the first one: ``what`` names the id (``id 'g1'``)
    and ``detail`` says how they differ."""

    def __init__(self, reason: str, what: str, detail: str = "same id, different content"):
        super().__init__(reason)
        self.what = what
        self.detail = detail


def kind_of(value: object) -> str:
    """What a decoded JSON value is, in JSON's words (never its possibly huge content)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def show(value: str, limit: int = 60) -> str:
    """A value from the feed quoted for a reason: short, on one line, safe on a terminal."""
    text = value if len(value) <= limit else value[: limit - 1] + "…"
    return repr(neutralise(text))


def _describe(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False, include_input=False, include_context=False):
        # The discriminator puts the type name first in the location: drop it, say the field.
        loc = [str(p) for p in item["loc"]]
        if loc and loc[0] in KNOWN_TYPES:
            loc = loc[1:]
        field = ".".join(loc) or "object"
        if item["type"] == "missing":
            parts.append(f"missing required field '{field}'")
        else:
            parts.append(f"'{field}': {item['msg'].removeprefix('Value error, ')}")
    return "; ".join(parts)


def parse_object(data: object) -> Item:
    """Validate one decoded JSON value as a feed object, or raise :class:`FeedError`.

    Whatever ``data`` holds, the only exception this raises is :class:`FeedError`."""
    if not isinstance(data, dict):
        raise FeedError(f"a line must be a JSON object, not {kind_of(data)}")
    kind = data.get("type")
    if kind is None:
        raise FeedError("missing required field 'type'")
    if not isinstance(kind, str):
        raise FeedError(f"'type' must be a string, not {kind_of(kind)}")
    if kind not in KNOWN_TYPES:
        raise FeedError(f"unknown type {show(kind)}")
    team = data.get("team")
    if kind not in TEAMLESS_EVENTS and kind in EVENT_TYPES and (team is None or team == ""):
        raise FeedError(f"missing required field 'team' (needed by a {kind})")
    try:
        if kind in MATCH_DATA_TYPES:
            return _data_adapter.validate_python(data)
        return _adapter.validate_python(data)
    except ValidationError as exc:
        raise FeedError(_describe(exc)) from None
    except Exception as exc:  # RecursionError, OverflowError …: the line is bad, say so
        raise FeedError(f"cannot be read as a {kind} ({type(exc).__name__})") from None


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    data = dict(pairs)
    if len(data) != len(pairs):
        seen: set[str] = set()
        for key, _ in pairs:
            if key in seen:
                raise FeedError(f"the key {show(key)} appears twice in one object")
            seen.add(key)
    return data


def _constant(name: str) -> None:
    raise FeedError(f"not valid JSON ({name} is not a JSON number)")


def decode_line(line: str | bytes) -> str:
    """The text of one feed line; raises :class:`FeedError` when it is not UTF-8 or too long."""
    if len(line) > MAX_LINE_BYTES:
        raise FeedError(LINE_TOO_LONG)
    if isinstance(line, str):
        return line
    try:
        return line.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise FeedError(
            f"not UTF-8 text (byte 0x{line[exc.start]:02x} at byte {exc.start + 1} of the line)"
        ) from None


def parse_line(line: str | bytes) -> Item:
    """Parse one JSON Lines line into a feed object, or raise :class:`FeedError`.

    Whatever the line holds, the only exception this raises is :class:`FeedError`."""
    text = decode_line(line)
    try:
        data = json.loads(text, object_pairs_hook=_object, parse_constant=_constant)
    except FeedError:
        raise
    except json.JSONDecodeError as exc:
        raise FeedError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    except RecursionError:
        raise FeedError("not valid JSON here (nested too deeply)") from None
    except ValueError as exc:
        if "digits" in str(exc):
            raise FeedError("not valid JSON here (a number with too many digits)") from None
        raise FeedError(f"not valid JSON ({type(exc).__name__})") from None
    except Exception as exc:
        raise FeedError(f"not valid JSON ({type(exc).__name__})") from None
    return parse_object(data)


@dataclass(frozen=True)
class Parsed:
    line: int
    item: Item


@dataclass(frozen=True)
class Rejected:
    line: int
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {neutralise(self.reason)}"


def split_lines(data: bytes) -> list[bytes]:
    """A feed file's lines, split on ``\\n`` only (U+2028 and friends are legal inside JSON
    strings); a last line without its newline is a line too. Each line is decoded later, on
    its own, so one bad byte costs one line."""
    lines = data.split(b"\n")
    if lines and not lines[-1]:
        lines.pop()
    return lines


def _is_blank(raw: str | bytes) -> bool:
    return not raw.strip()


def _strip_bom(raw: str | bytes) -> str | bytes:
    if isinstance(raw, bytes):
        return raw.removeprefix(BOM.encode("utf-8"))
    return raw.removeprefix(BOM)


def read_lines(lines: Iterable[str | bytes], first_line: int = 1) -> Iterator[Parsed | Rejected]:
    """Parse JSON Lines; blank lines are skipped, bad lines yield :class:`Rejected`.

    Lines are text or undecoded bytes; line 1 may start with a byte-order mark. Nothing a
    line holds can stop the reader: every line after a bad one is still read.
    """
    for number, raw in enumerate(lines, start=first_line):
        result: Parsed | Rejected
        try:
            line = _strip_bom(raw) if number == 1 else raw
            if _is_blank(line):
                continue
            result = Parsed(number, parse_line(line))
        except FeedError as exc:
            result = Rejected(number, str(exc))
        except Exception as exc:  # a bug of ours costs this line, never the rest of the feed
            result = Rejected(number, f"cannot be read ({type(exc).__name__})")
        yield result


def clock(minute: int, stoppage: int | None) -> tuple[int, int]:
    """A sort key for the match clock: 45+2' comes after 45' and before 46'."""
    return (minute, stoppage or 0)
