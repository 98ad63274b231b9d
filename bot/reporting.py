"""Reporter commands: what no feed carries (saves, misses, notes, quotes), typed on a phone.

``/report goal Inter Lautaro Martínez 65 assist Esposito`` becomes a feed-format-v1 ``goal``
and goes through the same validation and engine as any feed line. The grammar, with examples,
is in ``REPORT_USAGE`` (:mod:`bot.messages.templates`, like every sentence the reporter reads:
build reports inside :func:`bot.messages.i18n.use` and they come in the chat's language); every
report is acknowledged with an id that ``/report undo ID`` takes
back.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import TypeAdapter, ValidationError

from bot.feed_format import Event as FeedEvent
from bot.feed_format import EventBase, FeedItem, MatchDecl, Quote, parse_object
from bot.match import Fixture, KeptStates, MatchState
from bot.match_data import MATCH_DATA_CLASSES
from bot.messages import templates
from bot.messages.templates import REPORT_USAGE as REPORT_USAGE  # its home before
from bot.store_contract import CoreStore
from bot.teams import Team, find_team, normalize, spellings, team_id_for

MINUTE = re.compile(r"^([0-9]{1,3})(?:\+([0-9]{1,2}))?'?$")
MATCH_REPORT = re.compile(
    r"(?P<home>.+?)\s+(?:v|vs|-)\s+(?P<away>.+?)(?:\s+at\s+(?P<when>.+?))?"
    r"(?:\s+in\s+(?P<competition>.+))?",
    re.IGNORECASE,
)
KICKOFF = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})[ T]([0-9]{1,2}):([0-9]{2})")
#: Kick-offs a reporter may declare (the time zone arithmetic stays far from datetime's ends).
MIN_YEAR, MAX_YEAR = 1900, 2100
PERIODS = {
    "kickoff": "first_half",
    "ko": "first_half",
    "1h": "first_half",
    "ht": "half_time",
    "halftime": "half_time",
    "2h": "second_half",
    "et": "extra_time",
    "pens": "penalties",
    "penalties": "penalties",
    "ft": "full_time",
    "fulltime": "full_time",
}
PERIOD_MINUTE = {
    "first_half": 0,
    "half_time": 45,
    "second_half": 46,
    "extra_time": 91,
    "penalties": 120,
    "full_time": 90,
}
REASONS = ("offside", "foul", "handball", "var", "other")
CARDS = {
    "yellow": "yellow",
    "second": "second_yellow",
    "second_yellow": "second_yellow",
    "red": "red",
}
OUTCOMES = ("saved", "missed", "woodwork")


class ReportError(ValueError):
    """The report cannot be understood; the message says why, for the reporter."""


@dataclass(frozen=True)
class Undo:
    report_id: str


@dataclass(frozen=True)
class Report:
    """A feed object built from a reporter's words, and the match it belongs to."""

    item: dict[str, Any]
    fixture: Fixture | None


def _nothing_after(rest: list[str]) -> None:
    if rest:
        raise ReportError(templates.report_trailing_words(" ".join(rest)))


_REPORTED: TypeAdapter[MatchDecl | FeedEvent | Quote] = TypeAdapter(FeedItem)


def validated(item: dict[str, Any]) -> MatchDecl | FeedEvent | Quote:
    """The feed object a report built, validated like a feed line; a value the format refuses
    (a minute past 130, a name too long) is a :class:`ReportError` in the reporter's words."""
    try:
        _REPORTED.validate_python(item)
    except ValidationError as exc:
        raise ReportError("; ".join(_problem(error) for error in exc.errors())) from None
    except Exception:
        raise ReportError(templates.report_not_understood()) from None
    parsed = parse_object(item)
    if isinstance(parsed, MATCH_DATA_CLASSES):  # a report is never match data
        raise ReportError(templates.report_not_understood())
    return parsed


def _problem(error: Any) -> str:
    """One pydantic error as a reporter's sentence."""
    loc = [str(p) for p in error["loc"] if not isinstance(p, int)]
    field = loc[-1] if loc else "object"
    kind = error["type"]
    context = error.get("ctx") or {}
    if kind in ("less_than_equal", "greater_than_equal", "less_than", "greater_than"):
        low, high = _bounds(field)
        return templates.report_out_of_range(field, error.get("input"), low, high)
    if kind == "string_too_long":
        return templates.report_too_long(field, int(context.get("max_length", 0)))
    if kind in ("string_too_short", "missing"):
        return templates.report_empty(field)
    return templates.report_invalid(field, str(error["msg"]).removeprefix("Value error, "))


def _bounds(field: str) -> tuple[object, object]:
    """The lowest and highest values the feed format allows in ``field`` (``minute``: 0–130)."""
    low: object = "…"
    high: object = "…"
    info = EventBase.model_fields.get(field)
    for rule in info.metadata if info is not None else ():
        low = getattr(rule, "ge", low)
        high = getattr(rule, "le", high)
    return low, high


def new_report_id() -> str:
    return "r" + secrets.token_hex(3)


def _minute(token: str) -> tuple[int, int | None] | None:
    found = MINUTE.match(token)
    if not found:
        return None
    return int(found.group(1)), int(found.group(2)) if found.group(2) else None


class ReportParser:
    """Turns ``/report`` arguments into feed objects, looking teams and matches up in the store."""

    def __init__(
        self,
        store: CoreStore,
        clock: Callable[[], float],
        tz: ZoneInfo,
        states: KeptStates,
    ) -> None:
        self.store = store
        #: the bot's one cache of match states (the engine's)
        self.states = states
        self.clock = clock
        self.tz = tz

    def parse(self, args: str, report_id: str) -> Report | Undo:
        words = args.split()
        if not words:
            raise ReportError(templates.report_what_happened())
        kind, rest = words[0].casefold(), words[1:]
        if kind == "undo":
            if len(rest) != 1:
                raise ReportError(templates.report_which_undo())
            return Undo(rest[0])
        if kind == "match":
            return self._match(rest, report_id)
        builders = {
            "period": self._period,
            "goal": self._goal,
            "disallowed": self._disallowed,
            "cancel": self._cancel,
            "card": self._card,
            "sub": self._sub,
            "save": self._save,
            "miss": self._miss,
            "pen": self._penalty,
            "note": self._note,
            "quote": self._quote,
        }
        if kind not in builders:
            raise ReportError(templates.report_unknown_kind(kind, ["match", *builders, "undo"]))
        team, state, rest = self._team_and_match(rest)
        item = builders[kind](team, state, rest)
        item.update(match=state.fixture.id, id=report_id)
        if kind != "period":
            item["team"] = self._spelling(state.fixture, team)
        return Report(item, state.fixture)

    # --- teams and matches -----------------------------------------------------------------

    def _team_and_match(self, words: list[str]) -> tuple[Team, MatchState, list[str]]:
        # The team name may take several words: an exact name or alias wins, longest first;
        # only a one-word team is looked up loosely (a typo), never a team plus a player.
        for size in (3, 2, 1):
            if len(words) >= size:
                exact = self.store.team_by_alias(normalize(" ".join(words[:size])))
                if exact is not None:
                    team = Team(exact["id"], exact["name"])
                    return team, self._match_of(team), words[size:]
        if words:
            loose = find_team(self.store, words[0])
            if loose.team is not None:
                return loose.team, self._match_of(loose.team), words[1:]
        typed = words[0] if words else ""
        raise ReportError(templates.report_which_team(typed))

    def _match_of(self, team: Team) -> MatchState:
        """The team's live match, else its next one within a day, else its latest."""
        rows = self.store.matches_of_team(team.id)
        now = datetime.fromtimestamp(self.clock(), UTC)
        live = [r for r in rows if r["period"] not in (None, "full_time")]
        soon = [
            r
            for r in rows
            if r["period"] is None
            and abs(datetime.fromisoformat(r["kickoff"]) - now) < timedelta(hours=24)
        ]
        started = [r for r in rows if r["period"] is not None]
        chosen = live[-1:] or soon[:1] or started[-1:]
        if not chosen:
            raise ReportError(templates.report_no_match(team.name))
        row = chosen[0]
        return self.states.get(self.store, Fixture.from_row(row))

    @staticmethod
    def _spelling(fixture: Fixture, team: Team) -> str:
        if team.id == fixture.home_team:
            return fixture.home
        if team.id == fixture.away_team:
            return fixture.away
        raise ReportError(templates.report_not_playing(team.name, fixture))

    # --- the reports -----------------------------------------------------------------------

    @staticmethod
    def _player_minute(
        words: list[str], need_player: bool = True
    ) -> tuple[str | None, tuple[int, int | None], list[str]]:
        for i, word in enumerate(words):
            at = _minute(word)
            if at is not None:
                player = " ".join(words[:i]) or None
                if need_player and player is None:
                    break
                return player, at, words[i + 1 :]
        raise ReportError(templates.report_player_and_minute())

    @staticmethod
    def _clock(at: tuple[int, int | None]) -> dict[str, Any]:
        minute, stoppage = at
        return {"minute": minute, **({"stoppage": stoppage} if stoppage else {})}

    def _match(self, words: list[str], report_id: str) -> Report:
        text = " ".join(words)
        found = MATCH_REPORT.fullmatch(text)
        if not found:
            raise ReportError(templates.report_match_example())
        home, away, when, competition = found.group("home", "away", "when", "competition")
        if self._team_id(home.strip()) == self._team_id(away.strip()):
            raise ReportError(templates.report_same_team(home.strip(), away.strip()))
        kickoff = self._kickoff(when) if when else datetime.fromtimestamp(self.clock(), UTC)
        item = {
            "type": "match",
            "match": f"report:{report_id}",
            "competition": competition or "Friendly",
            "home": home.strip(),
            "away": away.strip(),
            "kickoff": kickoff.isoformat(),
        }
        return Report(item, None)

    def _team_id(self, name: str) -> str:
        """The team a match declaration would name (as the engine finds it, creating none)."""
        found = next(filter(None, map(self.store.team_by_alias, spellings(name))), None)
        return str(found["id"]) if found is not None else team_id_for(name)

    def _kickoff(self, when: str) -> datetime:
        """``2026-02-01 20:45`` in the reporter's time zone; a mistake says what is wrong."""
        found = KICKOFF.fullmatch(when)
        if found is None:
            raise ReportError(templates.report_kickoff_format(when))
        year, month, day, hour, minute = (int(found.group(i)) for i in range(1, 6))
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ReportError(templates.report_kickoff_year(MIN_YEAR, MAX_YEAR))
        if not 0 <= hour <= 23 or not 0 <= minute <= 59:
            raise ReportError(templates.report_not_a_time(f"{found.group(4)}:{found.group(5)}"))
        try:
            local = datetime(year, month, day, hour, minute)
        except ValueError:
            raise ReportError(
                templates.report_not_a_date(f"{found.group(1)}-{found.group(2)}-{found.group(3)}")
            ) from None
        return local.replace(tzinfo=self.tz)

    def _period(self, team: Team, state: MatchState, words: list[str]) -> dict[str, Any]:
        if not words or words[0].casefold() not in PERIODS:
            raise ReportError(templates.report_which_period())
        period = PERIODS[words[0].casefold()]
        at = _minute(words[1]) if len(words) > 1 else None
        if len(words) > 1 and at is None:
            raise ReportError(templates.report_period_minute(words[1]))
        _nothing_after(words[2:])
        return {
            "type": "period",
            "period": period,
            **self._clock(at or (PERIOD_MINUTE[period], None)),
        }

    def _goal(self, team: Team, state: MatchState, words: list[str]) -> dict[str, Any]:
        player, at, rest = self._player_minute(words)
        item: dict[str, Any] = {"type": "goal", "player": player, **self._clock(at)}
        while rest:
            word = rest.pop(0).casefold()
            if word in ("pen", "penalty"):
                item["kind"] = "penalty"
            elif word in ("og", "own"):
                item["kind"] = "own_goal"
            elif word == "assist" and rest:
                item["assist"], rest = " ".join(rest), []
            else:
                raise ReportError(templates.report_after_minute("goal", word))
        return item

    def _disallowed(self, team: Team, state: MatchState, words: list[str]) -> dict[str, Any]:
        if not words or words[-1].casefold() not in REASONS:
            raise ReportError(templates.report_disallowed_reason(REASONS))
        reason = words[-1].casefold()
        player, at, rest = self._player_minute(words[:-1], need_player=False)
        _nothing_after(rest)
        return {
            "type": "goal_disallowed",
            "reason": reason,
            **self._clock(at),
            **({"player": player} if player else {}),
        }

    def _cancel(self, team: Team, state: MatchState, words: list[str]) -> dict[str, Any]:
        _, at, rest = self._player_minute(words, need_player=False)
        reason = rest[0].casefold() if rest else "var"
        _nothing_after(rest[1:])
        if reason not in REASONS:
            raise ReportError(templates.report_cancel_reason(REASONS))
        goals = [g for g in state.goals if g.goal.team == self._spelling(state.fixture, team)]
        if not goals:
            raise ReportError(templates.report_no_goal_to_cancel(team.name, state.fixture))
        return {
            "type": "goal_cancelled",
            "ref": goals[-1].goal.id,
            "reason": reason,
            **self._clock(at),
        }

    def _card(self, team: Team, state: MatchState, words: list[str]) -> dict[str, Any]:
        if not words or words[-1].casefold() not in CARDS:
            raise ReportError(templates.report_which_card())
        player, at, rest = self._player_minute(words[:-1])
        _nothing_after(rest)
        return {
            "type": "card",
            "player": player,
            "card": CARDS[words[-1].casefold()],
            **self._clock(at),
        }

    def _sub(self, team: Team, state: MatchState, words: list[str]) -> dict[str, Any]:
        player, at, rest = self._player_minute(words)
        item: dict[str, Any] = {"type": "substitution", "player_in": player, **self._clock(at)}
        if rest and rest[0].casefold() == "for" and len(rest) > 1:
            item["player_out"] = " ".join(rest[1:])
        elif rest:
            raise ReportError(templates.report_after_minute("sub", rest[0]))
        return item

    def _save(self, team: Team, state: MatchState, words: list[str]) -> dict[str, Any]:
        player, at, rest = self._player_minute(words)
        item: dict[str, Any] = {"type": "save", "player": player, **self._clock(at)}
        if rest and rest[0].casefold() == "from" and len(rest) > 1:
            item["shooter"] = " ".join(rest[1:])
        elif rest:
            raise ReportError(templates.report_after_minute("save", rest[0]))
        return item

    def _miss(self, team: Team, state: MatchState, words: list[str]) -> dict[str, Any]:
        text = " ".join(words)
        head, _, detail = text.partition(":")
        player, at, rest = self._player_minute(head.split())
        item: dict[str, Any] = {"type": "miss", "player": player, **self._clock(at)}
        if rest and rest[0].casefold() == "assist" and len(rest) > 1:
            item["assist"] = " ".join(rest[1:])
        elif rest:
            raise ReportError(templates.report_after_miss(rest[0]))
        if detail.strip():
            item["detail"] = detail.strip()
        return item

    def _penalty(self, team: Team, state: MatchState, words: list[str]) -> dict[str, Any]:
        if not words or words[-1].casefold() not in OUTCOMES:
            raise ReportError(templates.report_penalty_outcome())
        player, at, rest = self._player_minute(words[:-1])
        _nothing_after(rest)
        return {
            "type": "penalty_missed",
            "player": player,
            "outcome": words[-1].casefold(),
            **self._clock(at),
        }

    def _note(self, team: Team, state: MatchState, words: list[str]) -> dict[str, Any]:
        if not words or _minute(words[0]) is None or len(words) < 2:
            raise ReportError(templates.report_note_example())
        at = _minute(words[0])
        assert at is not None
        return {"type": "note", "text": " ".join(words[1:]), **self._clock(at)}

    def _quote(self, team: Team, state: MatchState, words: list[str]) -> dict[str, Any]:
        who, sep, text = " ".join(words).partition(":")
        if not sep or not who.strip() or not text.strip():
            raise ReportError(templates.report_quote_example())
        role = re.search(r"\(([^)]+)\)\s*$", who)
        speaker = who[: role.start()].strip() if role else who.strip()
        item: dict[str, Any] = {
            "type": "quote",
            "speaker": speaker,
            "text": text.strip().strip('“”"'),
        }
        if role:
            item["role"] = role.group(1).strip()
        return item
