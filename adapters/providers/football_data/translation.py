"""football-data.org v4 client and translator to feed v1.

Client: :class:`FootballData`. Translator (pure): :func:`translate_match`.

* match id ``fd:<match id>``; team names = ``homeTeam.name`` / ``awayTeam.name``.
* Score: after a shoot-out ``score.fullTime`` includes the shoot-out kicks, so the snapshot's
  ``score`` is ``fullTime - penalties`` and ``shootout`` is ``score.penalties``.
* ``goals`` (paid plans): ``REGULAR`` -> normal, ``PENALTY`` -> penalty, ``OWN`` -> own_goal. The
  credited side is read from the goal's running ``score`` (the side that went up); without it a
  REGULAR/PENALTY goal counts for its ``team`` and an OWN goal for the other side (``team`` taken
  as the scorer's club). ``bookings``: YELLOW -> yellow, YELLOW_RED -> second_yellow, RED -> red.
  ``substitutions``: playerIn / playerOut. ``penalties`` (shoot-out kicks, when listed) ->
  ``shootout_kick``. Absent lists -> no such events (free plan: score and status only).
* Line-ups and statistics of each team object, where the plan returns them: see
  :mod:`adapters.providers.football_data.depth`.
* Periods from status + ``score.duration`` (+ ``minute`` when given): IN_PLAY first_half (+
  half_time/second_half past 45', + extra_time past 90' or duration not REGULAR); PAUSED
  first_half+half_time (a pause past 45' is the break before extra time: state ``break``);
  EXTRA_TIME / PENALTY_SHOOTOUT add extra_time / penalties; FINISHED adds full_time (and
  extra_time / penalties by duration); AWARDED full_time.
* Stable ids: ``<class>:<team id>:<player key>:<minute>+<injuryTime>`` (``goal``, ``og``,
  ``yellow``, ``second``, ``red``, ``sub`` with ``<out>><in>``; shoot-out ``so:<team>:<player>``),
  ``#<n>`` for true duplicates; player key ``p<id>`` or ``n<normalised name>``.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from adapters.providers.football_data.depth import depth_objects
from adapters.providers.shapes import ShapeError, dig, obj, opt_int, opt_str, req_int, req_str
from adapters.providers.translate import (
    IdMaker,
    clamp_minute,
    order_events,
    period_events,
    player_key,
)
from bot.snapshots import FeedEvent, MatchState, ProviderSnapshot

PROVIDER = "football-data.org"


STATUS_STATE: dict[str, MatchState] = {
    "SCHEDULED": "scheduled",
    "TIMED": "scheduled",
    "IN_PLAY": "live",
    "LIVE": "live",
    "PAUSED": "half_time",
    "EXTRA_TIME": "extra_time",
    "PENALTY_SHOOTOUT": "penalties",
    "FINISHED": "finished",
    "AWARDED": "awarded",
    "SUSPENDED": "suspended",
    "POSTPONED": "postponed",
    "CANCELLED": "cancelled",
}


def check_match(value: Any) -> dict[str, Any]:
    m = obj(value, "match", PROVIDER)
    req_int(m.get("id"), "match.id", PROVIDER)
    req_str(m.get("utcDate"), "match.utcDate", PROVIDER)
    req_str(m.get("status"), "match.status", PROVIDER)
    for side in ("homeTeam", "awayTeam"):
        obj(m.get(side), side, PROVIDER)
    obj(m.get("score"), "match.score", PROVIDER)
    return m


def _pair(value: Any) -> tuple[int, int] | None:
    home, away = opt_int(dig(value, "home")), opt_int(dig(value, "away"))
    if home is None or away is None:
        return None
    return home, away


def _team_name(team: Any, fallback: str) -> str:
    return opt_str(dig(team, "name")) or opt_str(dig(team, "shortName")) or fallback


def _season(season: Any) -> str | None:
    start, end = opt_str(dig(season, "startDate")), opt_str(dig(season, "endDate"))
    if not start:
        return None
    y1 = start[:4]
    y2 = end[:4] if end else y1
    return y1 if y1 == y2 else f"{y1}-{y2[2:]}"


def match_object(m: Mapping[str, Any]) -> FeedEvent:
    """The feed-v1 ``match`` object of a raw football-data match."""
    date = str(m["utcDate"])
    try:
        parsed = datetime.fromisoformat(date.replace("Z", "+00:00"))
    except ValueError:
        raise ShapeError(f"unexpected utcDate {date!r:.40}", provider=PROVIDER) from None
    if parsed.tzinfo is None:
        raise ShapeError(f"utcDate {date!r:.40} has no zone", provider=PROVIDER)
    out: FeedEvent = {
        "type": "match",
        "match": f"fd:{m['id']}",
        "competition": opt_str(dig(m, "competition", "name")) or "Unknown competition",
        "home": _team_name(m.get("homeTeam"), "Home"),
        "away": _team_name(m.get("awayTeam"), "Away"),
        "kickoff": parsed.isoformat().replace("+00:00", "Z"),
    }
    season = _season(m.get("season"))
    if season:
        out["season"] = season
    matchday = opt_int(m.get("matchday"))
    stage = opt_str(m.get("stage"))
    if matchday is not None:
        out["round"] = f"Matchday {matchday}"
    elif stage:
        out["round"] = stage.replace("_", " ").capitalize()
    venue = opt_str(m.get("venue"))
    if venue:
        out["venue"] = venue
    return out


def _running(
    status: str, state: MatchState, minute: int | None, beyond: bool
) -> tuple[MatchState, list[str]]:
    """A match being played (or suspended): the periods its clock has passed."""
    regular = ["first_half", "half_time", "second_half"]
    periods = ["first_half"]
    if minute is not None and minute > 45:
        periods = list(regular)
    if (minute is not None and minute > 90) or beyond:
        periods = [*regular, "extra_time"]
    if status != "SUSPENDED" and minute is not None:
        state = (
            "first_half"
            if len(periods) == 1
            else "second_half"
            if len(periods) == 3
            else "extra_time"
        )
    return state, periods


def _state_and_periods(m: Mapping[str, Any]) -> tuple[MatchState, list[str]]:
    status = str(m["status"]).upper()
    duration = str(dig(m, "score", "duration") or "REGULAR").upper()
    minute = opt_int(m.get("minute"))
    state = STATUS_STATE.get(status, "unknown")
    regular = ["first_half", "half_time", "second_half"]
    beyond = duration in ("EXTRA_TIME", "PENALTY_SHOOTOUT")
    if status in ("IN_PLAY", "LIVE", "SUSPENDED"):
        return _running(status, state, minute, beyond)
    if status == "PAUSED":
        if (minute is not None and minute > 45) or beyond:
            return "break", list(regular)
        return "half_time", ["first_half", "half_time"]
    if status == "EXTRA_TIME":
        return state, [*regular, "extra_time"]
    if status == "PENALTY_SHOOTOUT":
        return state, [*regular, "extra_time", "penalties"]
    if status == "FINISHED":
        periods = list(regular)
        if beyond:
            periods.append("extra_time")
        if duration == "PENALTY_SHOOTOUT":
            periods.append("penalties")
        return state, [*periods, "full_time"]
    if status == "AWARDED":
        return state, ["full_time"]
    return state, []


def translate_match(m: Mapping[str, Any]) -> ProviderSnapshot:
    """Translate a raw football-data match into a :class:`ProviderSnapshot` (pure)."""
    m = check_match(m)
    match = match_object(m)
    state, passed = _state_and_periods(m)
    status = str(m["status"]).upper()
    score, shootout = _scores(m, state, status)
    ctx = _Translation(m, str(match["match"]), str(match["home"]), str(match["away"]))
    _goals(m.get("goals"), ctx)
    _bookings(m.get("bookings"), ctx)
    _substitutions(m.get("substitutions"), ctx)
    _shootout_kicks(m.get("penalties"), ctx)
    full_time_minute = 120 if "extra_time" in passed else 90
    periods = period_events(ctx.mid, passed, full_time_minute=full_time_minute)
    return ProviderSnapshot(
        match=match,
        events=order_events(periods, ctx.out),
        status=state,
        provider_status=status,
        score=score,
        shootout=shootout,
        elapsed=opt_int(m.get("minute")),
        stoppage=opt_int(m.get("injuryTime")),
        extras=depth_objects(m, ctx.mid, str(match["home"]), str(match["away"])),
    )


def _scores(
    m: Mapping[str, Any], state: MatchState, status: str
) -> tuple[tuple[int, int] | None, tuple[int, int] | None]:
    """(score without shoot-out kicks, shoot-out score): ``fullTime`` includes the kicks."""
    full = _pair(dig(m, "score", "fullTime"))
    shootout = _pair(dig(m, "score", "penalties"))
    duration = str(dig(m, "score", "duration") or "REGULAR").upper()
    if shootout is not None and (duration == "PENALTY_SHOOTOUT" or status == "PENALTY_SHOOTOUT"):
        if full is not None:
            full = (full[0] - shootout[0], full[1] - shootout[1])
        if shootout == (0, 0) and status != "PENALTY_SHOOTOUT":
            shootout = None
    elif duration != "PENALTY_SHOOTOUT" and status != "PENALTY_SHOOTOUT":
        shootout = None
    if full is None and state not in ("scheduled", "postponed", "cancelled", "unknown"):
        full = (0, 0)
    return full, shootout


class _Translation:
    """The match's sides and the events translated so far (stable ids)."""

    def __init__(self, m: Mapping[str, Any], mid: str, home: str, away: str) -> None:
        self.mid, self.home, self.away = mid, home, away
        self.home_id = opt_int(dig(m, "homeTeam", "id"))
        self.away_id = opt_int(dig(m, "awayTeam", "id"))
        self.ids = IdMaker()
        self.out: list[FeedEvent] = []

    def side(self, team: Any) -> str | None:
        tid = opt_int(dig(team, "id"))
        if tid is not None and tid == self.home_id:
            return self.home
        if tid is not None and tid == self.away_id:
            return self.away
        name = opt_str(dig(team, "name"))
        if name in (self.home, self.away):
            return name
        return None

    def other(self, name: str) -> str:
        return self.away if name == self.home else self.home

    @staticmethod
    def team_key(team: Any, name: str) -> str:
        tid = opt_int(dig(team, "id"))
        return str(tid) if tid is not None else name

    def new(self, kind: str, key: str, team: str, raw: Mapping[str, Any]) -> FeedEvent:
        minute = clamp_minute(opt_int(raw.get("minute")))
        inj = opt_int(raw.get("injuryTime"))
        ev: FeedEvent = {
            "type": kind,
            "match": self.mid,
            "id": self.ids.make(f"{key}:{minute}+{inj or 0}"),
            "minute": minute,
            "team": team,
        }
        if inj and inj > 0:
            ev["stoppage"] = inj
        return ev


def _items(value: Any) -> list[dict[str, Any]]:
    """The objects of a list the provider may omit (free plan) or fill with junk."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def _goals(goals: Any, ctx: _Translation) -> None:
    """Goals, credited to the side whose running ``score`` went up (else ``team``; an OWN
    goal without running score to the other side)."""
    items = [g for g in _items(goals) if opt_int(g.get("minute")) is not None]
    items.sort(key=lambda g: (opt_int(g.get("minute")) or 0) + (opt_int(g.get("injuryTime")) or 0))
    running = (0, 0)
    for g in items:
        team = ctx.side(g.get("team"))
        if team is None:
            continue
        gtype = str(g.get("type") or "REGULAR").upper()
        own = gtype == "OWN"
        after = _pair(g.get("score"))
        credited = ctx.other(team) if own else team
        if after is not None:
            if after[0] == running[0] + 1 and after[1] == running[1]:
                credited = ctx.home
            elif after[1] == running[1] + 1 and after[0] == running[0]:
                credited = ctx.away
            running = after
        pname = opt_str(dig(g, "scorer", "name"))
        pk = player_key(dig(g, "scorer", "id"), pname)
        key = f"{'og' if own else 'goal'}:{ctx.team_key(g.get('team'), team)}:{pk}"
        ev = ctx.new("goal", key, credited, g)
        ev["player"] = pname or "Unknown"
        ev["kind"] = "own_goal" if own else "penalty" if gtype == "PENALTY" else "normal"
        assist = opt_str(dig(g, "assist", "name"))
        if assist and not own:
            ev["assist"] = assist
        ctx.out.append(ev)


CARDS = {"YELLOW": "yellow", "YELLOW_RED": "second_yellow", "RED": "red"}


CARD_CLASS = {"yellow": "yellow", "second_yellow": "second", "red": "red"}


def _bookings(bookings: Any, ctx: _Translation) -> None:
    for b in _items(bookings):
        team = ctx.side(b.get("team"))
        card = CARDS.get(str(b.get("card") or "").upper())
        if team is None or card is None:
            continue
        pname = opt_str(dig(b, "player", "name"))
        pk = player_key(dig(b, "player", "id"), pname)
        key = f"{CARD_CLASS[card]}:{ctx.team_key(b.get('team'), team)}:{pk}"
        ev = ctx.new("card", key, team, b)
        ev["player"] = pname or "Unknown"
        ev["card"] = card
        ctx.out.append(ev)


def _substitutions(subs: Any, ctx: _Translation) -> None:
    for s in _items(subs):
        team = ctx.side(s.get("team"))
        pin = opt_str(dig(s, "playerIn", "name"))
        if team is None or pin is None:
            continue
        pout = opt_str(dig(s, "playerOut", "name"))
        key_out = player_key(dig(s, "playerOut", "id"), pout)
        key_in = player_key(dig(s, "playerIn", "id"), pin)
        key = f"sub:{ctx.team_key(s.get('team'), team)}:{key_out}>{key_in}"
        ev = ctx.new("substitution", key, team, s)
        ev["player_in"] = pin
        if pout:
            ev["player_out"] = pout
        ctx.out.append(ev)


def _shootout_kicks(kicks: Any, ctx: _Translation) -> None:
    for k in _items(kicks):
        team = ctx.side(k.get("team"))
        pname = opt_str(dig(k, "player", "name"))
        if team is None or not isinstance(k.get("scored"), bool):
            continue
        pk = player_key(dig(k, "player", "id"), pname)
        ctx.out.append(
            {
                "type": "shootout_kick",
                "match": ctx.mid,
                "id": ctx.ids.make(f"so:{ctx.team_key(k.get('team'), team)}:{pk}"),
                "minute": 120,
                "team": team,
                "player": pname or "Unknown",
                "scored": k["scored"],
            }
        )
