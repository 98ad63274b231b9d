"""API-Football v3 (api-sports.io) client and translator to feed v1.

Client: :class:`ApiFootball`. Translator (pure): :func:`translate_fixture`.

Translation choices (see also :func:`bot.snapshots.diff_snapshot`):

* match id ``af:<fixture id>``; team names as the API spells them.
* ``Goal``: ``Normal Goal`` -> goal; ``Penalty`` -> goal ``kind: penalty``; ``Own Goal`` -> goal
  ``kind: own_goal`` for the event's ``team``: as documented, that is the side the goal counts
  *for* (the ``player`` belongs to the other side), and the fixture's ``goals`` agree;
  ``Missed Penalty`` -> ``penalty_missed`` (outcome ``saved`` / ``woodwork`` when the comments say
  so, else ``missed``). A Goal/Missed Penalty whose comments say "Penalty Shootout" ->
  ``shootout_kick`` (minute 120).
* ``Card``: ``Yellow Card`` -> yellow, or ``second_yellow`` when the player already had a yellow;
  a detail containing "Second Yellow" -> second_yellow; ``Red Card``/``Red card`` -> red. A red
  card for a player sent off by a second yellow within 2 minutes before is the same sending-off
  and is dropped.
* ``subst`` (any case): ``player`` is taken as the player going OFF and ``assist`` as the player
  coming ON (what the API does for most seasons). When the fixture has lineups and they say the
  opposite (``player`` among the substitutes and ``assist`` in the starting XI), the two are
  swapped. ``player`` earlier subbed on by another event also counts as going off.
* ``Var``: ``Goal cancelled`` -> ``goal_cancelled`` reason ``var`` referencing the goal of the
  same team and player with the closest minute at or before (a goal already removed by the API
  becomes a *pending* cancellation, resolved by ``diff_snapshot``); ``Goal Disallowed - offside
  / handball / Foul`` -> ``goal_disallowed`` with that reason (``var`` for others). Other VAR
  details (penalty confirmed, card upgrade...) are ignored; ``Goal confirmed`` -> ``var_check``
  ``confirmed`` of that goal (its alert edited in place).
* Periods from the status: NS/TBD none; 1H first_half; HT +half_time; 2H +second_half; BT (break
  before/inside extra time) no new period (state ``break``; extra_time once elapsed > 90); ET
  +extra_time; P +penalties; FT/AET/PEN +full_time (extra_time when ``score.extratime`` is set
  or status AET/PEN, penalties when ``score.penalty`` is set or status PEN). SUSP/INT/ABD: the
  periods the clock passed, no new one. AWD/WO: full_time (state ``awarded``). PST/CANC: none.

Stable ids: ``<class>:<API team id>:<player key>:<elapsed>+<extra>`` where ``class`` is ``goal``,
``og``, ``penmiss``, ``yellow``, ``red``, ``sub`` (player key ``<out>><in>``), ``var-cancel``,
``var-disallowed``; shoot-out kicks ``so:<team>:<player>`` (no minute); player key ``p<id>`` or
``n<normalised name>``. ``#<n>`` is appended for the n-th true duplicate (n >= 2) in API order.
The class comes from the raw detail (not the derived second_yellow), so an event keeps its id
when an earlier event is dropped. Minute changes change the id: diff_snapshot re-matches those.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from adapters.providers.api_football.depth import depth_objects
from adapters.providers.shapes import ShapeError, dig, obj, opt_int, opt_str, req_int, req_str
from adapters.providers.translate import (
    IdMaker,
    clamp_minute,
    order_events,
    period_events,
    player_key,
)
from bot.snapshots import FeedEvent, MatchState, ProviderSnapshot

log = logging.getLogger(__name__)

PROVIDER = "API-Football"


STATUS_STATE: dict[str, MatchState] = {
    "TBD": "scheduled",
    "NS": "scheduled",
    "1H": "first_half",
    "HT": "half_time",
    "2H": "second_half",
    "ET": "extra_time",
    "BT": "break",
    "P": "penalties",
    "LIVE": "live",
    "FT": "finished",
    "AET": "finished",
    "PEN": "finished",
    "SUSP": "suspended",
    "INT": "interrupted",
    "PST": "postponed",
    "CANC": "cancelled",
    "ABD": "abandoned",
    "AWD": "awarded",
    "WO": "awarded",
}


def check_fixture(value: Any) -> dict[str, Any]:
    fx = obj(value, "fixture item", PROVIDER)
    req_int(dig(fx, "fixture", "id"), "fixture.id", PROVIDER)
    req_str(dig(fx, "fixture", "date"), "fixture.date", PROVIDER)
    req_str(dig(fx, "fixture", "status", "short"), "fixture.status.short", PROVIDER)
    for side in ("home", "away"):
        req_str(dig(fx, "teams", side, "name"), f"teams.{side}.name", PROVIDER)
    obj(fx.get("league"), "league", PROVIDER)
    return fx


def _iso(date: str) -> str:
    try:
        parsed = datetime.fromisoformat(date.replace("Z", "+00:00"))
    except ValueError:
        raise ShapeError(f"unexpected fixture.date {date!r:.40}", provider=PROVIDER) from None
    if parsed.tzinfo is None:
        raise ShapeError(f"fixture.date {date!r:.40} has no zone", provider=PROVIDER)
    return parsed.isoformat().replace("+00:00", "Z")


SeasonSpan = tuple[str | None, str | None]


"""A league season's first and last day (``YYYY-MM-DD``) as ``/leagues`` gives them."""


def season_label(season: Any, span: SeasonSpan | None = None, kickoff: str = "") -> str | None:
    """The feed's ``season`` for API-Football's integer ``league.season``.

    ``2006`` stays ``2006`` (World Cup, MLS, Brazil: calendar-year competitions) unless the
    league's season dates (``span``) run into the next year, or the fixture itself is played
    in the next year: then ``2006-07``. Without either, no span is invented."""
    year = opt_int(season)
    if year is None:
        return opt_str(season)
    last = year
    for day in (*(span or ()), kickoff):
        if isinstance(day, str) and day[:4].isdigit() and int(day[:4]) == year + 1:
            last = year + 1
    return f"{year}-{last % 100:02d}" if last > year else str(year)


def season_dates(items: Iterable[Any], year: int) -> SeasonSpan:
    """``(start, end)`` of season ``year`` in a ``/leagues`` answer (``None`` when absent)."""
    for item in items:
        seasons = dig(item, "seasons")
        for season in seasons if isinstance(seasons, list) else []:
            if opt_int(dig(season, "year")) == year:
                return opt_str(dig(season, "start")), opt_str(dig(season, "end"))
    return None, None


def match_object(fx: Mapping[str, Any], span: SeasonSpan | None = None) -> FeedEvent:
    """The feed-v1 ``match`` object of a raw fixture (``span``: its league season's dates)."""
    fixture_id = fx["fixture"]["id"]
    m: FeedEvent = {
        "type": "match",
        "match": f"af:{fixture_id}",
        "competition": opt_str(dig(fx, "league", "name")) or "Unknown competition",
        "home": fx["teams"]["home"]["name"],
        "away": fx["teams"]["away"]["name"],
        "kickoff": _iso(fx["fixture"]["date"]),
    }
    season = season_label(dig(fx, "league", "season"), span, m["kickoff"])
    if season:
        m["season"] = season
    rnd = opt_str(dig(fx, "league", "round"))
    if rnd:
        m["round"] = rnd
    venue_name = opt_str(dig(fx, "fixture", "venue", "name"))
    venue_city = opt_str(dig(fx, "fixture", "venue", "city"))
    venue = ", ".join(v for v in (venue_name, venue_city) if v)
    if venue:
        m["venue"] = venue
    return m


def _pair(value: Any) -> tuple[int, int] | None:
    home, away = opt_int(dig(value, "home")), opt_int(dig(value, "away"))
    if home is None or away is None:
        return None
    return home, away


_REGULAR = ("first_half", "half_time", "second_half")


_PERIODS_OF_STATUS: dict[str, tuple[str, ...]] = {
    "1H": ("first_half",),
    "HT": ("first_half", "half_time"),
    "2H": _REGULAR,
    "ET": (*_REGULAR, "extra_time"),
    "P": (*_REGULAR, "extra_time", "penalties"),
}


"""The periods passed by a status that says it all (the others need the clock or the score)."""


def _passed_periods(short: str, elapsed: int | None, fx: Mapping[str, Any]) -> list[str]:
    et_played = _pair(dig(fx, "score", "extratime")) is not None
    pens = _pair(dig(fx, "score", "penalty")) is not None
    e = elapsed or 0

    def by_clock() -> list[str]:
        out: list[str] = []
        if e > 0:
            out.append("first_half")
        if e > 45:
            out += ["half_time", "second_half"]
        if e > 90 or et_played:
            out.append("extra_time")
        return out

    if short in _PERIODS_OF_STATUS:
        return list(_PERIODS_OF_STATUS[short])
    if short == "BT":  # break before extra time, or before penalties after it
        return [*_REGULAR, "extra_time"] if e > 90 else list(_REGULAR)
    if short in ("FT", "AET", "PEN"):
        out = list(_REGULAR)
        if et_played or short in ("AET", "PEN"):
            out.append("extra_time")
        if pens or short == "PEN":
            out.append("penalties")
        return [*out, "full_time"]
    if short in ("AWD", "WO"):
        return [*by_clock(), "full_time"]
    if short in ("SUSP", "INT", "ABD", "LIVE"):
        return by_clock()
    return []


def translate_fixture(
    fx: Mapping[str, Any], events: Iterable[Any], span: SeasonSpan | None = None
) -> ProviderSnapshot:
    """Translate a raw fixture and its raw events into a :class:`ProviderSnapshot` (pure).

    An event that is not an object, or of a team not in the fixture, is skipped."""
    fx = check_fixture(fx)
    match = match_object(fx, span)
    short = str(fx["fixture"]["status"]["short"]).upper()
    elapsed = opt_int(dig(fx, "fixture", "status", "elapsed"))
    extra = opt_int(dig(fx, "fixture", "status", "extra"))
    starters, bench = _lineup_sets(fx.get("lineups"))
    ctx = _Translation(str(match["match"]), starters, bench)
    sides = _Sides(fx, str(match["home"]), str(match["away"]))
    usable = [e for e in events if isinstance(e, dict)]
    if len(usable) < len(events if isinstance(events, list) else usable):
        log.info("%s: skipped events of %s that are not objects", PROVIDER, ctx.mid)
    problems: list[str] = []
    usable = [_with_minute(e, elapsed, problems) for e in usable]
    for raw in sorted(usable, key=_clock):  # stable: the API's order at the same minute
        ev = _read_event(raw, sides)
        if ev is not None:
            _translate_event(ev, ctx)
    passed = _passed_periods(short, elapsed, fx)
    stoppages: dict[str, int] = {}
    if short == "HT" and extra:
        stoppages["half_time"] = extra
    full_time_minute = 120 if "extra_time" in passed else 90
    periods = period_events(ctx.mid, passed, full_time_minute=full_time_minute, stoppage=stoppages)
    return ProviderSnapshot(
        match=match,
        events=order_events(periods, ctx.out),
        status=STATUS_STATE.get(short, "unknown"),
        provider_status=short,
        score=_pair(fx.get("goals")),
        shootout=_pair(dig(fx, "score", "penalty")),
        elapsed=elapsed,
        stoppage=extra,
        pending_cancellations=ctx.pending,
        problems=problems,
        extras=depth_objects(fx, ctx.mid, sides.home, sides.away, sides.name),
    )


def _with_minute(ev: dict[str, Any], elapsed: int | None, problems: list[str]) -> dict[str, Any]:
    """An event whose ``time.elapsed`` is null is placed at the match's clock (noted)."""
    if opt_int(dig(ev, "time", "elapsed")) is not None:
        return ev
    what = " ".join(w for w in (opt_str(ev.get("type")), opt_str(ev.get("detail"))) if w)
    problems.append(f"an event without a minute ({what or 'of no type'}): put at the match clock")
    time = ev.get("time")
    clock: dict[str, Any] = dict(time) if isinstance(time, dict) else {}
    return {**ev, "time": {**clock, "elapsed": elapsed or 0}}


def _clock(ev: Mapping[str, Any]) -> int:
    return (opt_int(dig(ev, "time", "elapsed")) or 0) + (opt_int(dig(ev, "time", "extra")) or 0)


class _Sides:
    """The fixture's two teams: an event's ``team`` (by id, else by name) as home or away."""

    def __init__(self, fx: Mapping[str, Any], home: str, away: str) -> None:
        self.home, self.away = home, away
        self.home_id = opt_int(dig(fx, "teams", "home", "id"))
        self.away_id = opt_int(dig(fx, "teams", "away", "id"))

    def name(self, team: Any) -> str | None:
        tid = opt_int(dig(team, "id"))
        name = opt_str(dig(team, "name"))
        if tid is not None and tid == self.home_id:
            return self.home
        if tid is not None and tid == self.away_id:
            return self.away
        if name in (self.home, self.away):
            return name
        return None


@dataclass(frozen=True)
class _Event:
    """One raw API event, read: what every kind of event needs."""

    kind: str  # lower-case ``type``
    detail: str
    team: str  # the fixture's name of the event's team
    team_key: str  # the API team id (or name) used in ids
    minute: int
    stoppage: int | None
    player: str | None
    player_key: str
    assist: str | None
    assist_key: str
    comments: str
    player_ref: str | None = None  # the API's player id as the feed carries it: af:217
    assist_ref: str | None = None

    @property
    def dlow(self) -> str:
        return self.detail.lower()

    @property
    def abs_minute(self) -> int:
        return self.minute + (self.stoppage or 0)

    @property
    def when(self) -> str:
        return f"{self.minute}+{self.stoppage or 0}"


def _read_event(ev: Mapping[str, Any], sides: _Sides) -> _Event | None:
    team = sides.name(ev.get("team"))
    if team is None:
        return None  # event of an unknown team: cannot be expressed
    stoppage = opt_int(dig(ev, "time", "extra"))
    pname = opt_str(dig(ev, "player", "name"))
    aname = opt_str(dig(ev, "assist", "name"))
    return _Event(
        kind=(opt_str(ev.get("type")) or "").strip().lower(),
        detail=(opt_str(ev.get("detail")) or "").strip(),
        team=team,
        team_key=str(opt_int(dig(ev, "team", "id")) or team),
        minute=clamp_minute(opt_int(dig(ev, "time", "elapsed"))),
        stoppage=stoppage if stoppage and stoppage > 0 else None,
        player=pname,
        player_key=player_key(dig(ev, "player", "id"), pname),
        assist=aname,
        assist_key=player_key(dig(ev, "assist", "id"), aname),
        comments=(opt_str(ev.get("comments")) or "").lower(),
        player_ref=_player_ref(dig(ev, "player", "id"), pname),
        assist_ref=_player_ref(dig(ev, "assist", "id"), aname),
    )


def _player_ref(value: Any, name: str | None) -> str | None:
    """``af:<id>`` of a named player (the feed's ``player_id``), None without an id."""
    number = opt_int(value)
    return f"af:{number}" if number is not None and number > 0 and name else None


def _with_id(e: FeedEvent, field_name: str, ref: str | None) -> None:
    if ref is not None:
        e[field_name] = ref


@dataclass
class _Translation:
    """What translating one fixture's events remembers from one event to the next."""

    mid: str
    starters: set[str]
    bench: set[str]
    ids: IdMaker = field(default_factory=IdMaker)
    out: list[FeedEvent] = field(default_factory=list)
    goals: list[tuple[FeedEvent, str, str, int]] = field(default_factory=list)
    """(event, API team, player key, minute) of the goals so far (for VAR cancellations)."""
    pending: list[FeedEvent] = field(default_factory=list)
    yellows: set[str] = field(default_factory=set)
    sent_off: dict[str, int] = field(default_factory=dict)
    """Player key -> minute of a second yellow."""
    subbed_on: set[str] = field(default_factory=set)

    def new(
        self,
        ev: _Event,
        kind: str,
        id_key: str,
        *,
        minute: int | None = None,
        with_stoppage: bool = True,
    ) -> FeedEvent:
        e: FeedEvent = {
            "type": kind,
            "match": self.mid,
            "id": self.ids.make(id_key),
            "minute": ev.minute if minute is None else minute,
            "team": ev.team,
        }
        if with_stoppage and ev.stoppage:
            e["stoppage"] = ev.stoppage
        return e


def _translate_event(ev: _Event, ctx: _Translation) -> None:
    """Dispatch one event by kind (other types/details, e.g. Var "Penalty confirmed", are
    ignored)."""
    if ev.kind == "goal" and _is_shootout(ev.comments) and ev.dlow in ("penalty", "missed penalty"):
        _shootout_kick(ev, ctx)
    elif ev.kind == "goal" and ev.dlow == "missed penalty":
        _missed_penalty(ev, ctx)
    elif ev.kind == "goal" and ev.dlow in ("normal goal", "own goal", "penalty"):
        _goal(ev, ctx)
    elif ev.kind == "card":
        _card(ev, ctx)
    elif ev.kind == "subst":
        _substitution(ev, ctx)
    elif ev.kind == "var" and "goal cancelled" in ev.dlow:
        _var_cancel(ev, ctx)
    elif ev.kind == "var" and "disallowed" in ev.dlow:
        _var_disallowed(ev, ctx)
    elif ev.kind == "var" and "goal confirmed" in ev.dlow:
        _var_confirmed(ev, ctx)


def _is_shootout(comments: str) -> bool:
    return "shootout" in comments.replace("-", " ").replace(" ", "")


def _shootout_kick(ev: _Event, ctx: _Translation) -> None:
    kick = ctx.new(
        ev, "shootout_kick", f"so:{ev.team_key}:{ev.player_key}", minute=120, with_stoppage=False
    )
    kick["player"] = ev.player or "Unknown"
    kick["scored"] = ev.dlow == "penalty"
    _with_id(kick, "player_id", ev.player_ref)
    ctx.out.append(kick)


def _missed_penalty(ev: _Event, ctx: _Translation) -> None:
    miss = ctx.new(ev, "penalty_missed", f"penmiss:{ev.team_key}:{ev.player_key}:{ev.when}")
    miss["player"] = ev.player or "Unknown"
    if "save" in ev.comments:
        miss["outcome"] = "saved"
    elif any(w in ev.comments for w in ("post", "bar", "woodwork")):
        miss["outcome"] = "woodwork"
    else:
        miss["outcome"] = "missed"
    _with_id(miss, "player_id", ev.player_ref)
    ctx.out.append(miss)


def _goal(ev: _Event, ctx: _Translation) -> None:
    """A goal for the event's ``team``: for an own goal too (the side it counts for, as
    documented; the player is the opponent who put it in)."""
    own = ev.dlow == "own goal"
    g = ctx.new(ev, "goal", f"{'og' if own else 'goal'}:{ev.team_key}:{ev.player_key}:{ev.when}")
    if ev.player:  # else named at a later poll (a goal_update): never "Unknown"
        g["player"] = ev.player
    g["kind"] = "own_goal" if own else "penalty" if ev.dlow == "penalty" else "normal"
    _with_id(g, "player_id", ev.player_ref)
    if ev.assist and not own:
        g["assist"] = ev.assist
        _with_id(g, "assist_id", ev.assist_ref)
    ctx.out.append(g)
    ctx.goals.append((g, ev.team_key, ev.player_key, ev.abs_minute))


def _card(ev: _Event, ctx: _Translation) -> None:
    pkey, dlow = ev.player_key, ev.dlow
    if "second yellow" in dlow or (dlow.startswith("yellow") and pkey in ctx.yellows):
        c = ctx.new(ev, "card", f"yellow:{ev.team_key}:{pkey}:{ev.when}")
        c["card"] = "second_yellow"
        ctx.sent_off[pkey] = ev.abs_minute
    elif dlow.startswith("yellow"):
        c = ctx.new(ev, "card", f"yellow:{ev.team_key}:{pkey}:{ev.when}")
        c["card"] = "yellow"
        ctx.yellows.add(pkey)
    elif dlow.startswith("red"):
        if pkey in ctx.sent_off and 0 <= ev.abs_minute - ctx.sent_off[pkey] <= 2:
            return  # the red shown for the second yellow
        c = ctx.new(ev, "card", f"red:{ev.team_key}:{pkey}:{ev.when}")
        c["card"] = "red"
    else:
        return
    c["player"] = ev.player or "Unknown"
    _with_id(c, "player_id", ev.player_ref)
    ctx.out.append(c)


def _substitution(ev: _Event, ctx: _Translation) -> None:
    off_name, off_key, on_name, on_key = ev.player, ev.player_key, ev.assist, ev.assist_key
    off_ref, on_ref = ev.player_ref, ev.assist_ref
    if (ev.player_key in ctx.bench and ev.assist_key in ctx.starters) or (
        ev.player_key in ctx.subbed_on
        and ev.assist_key != "-"
        and ev.assist_key not in ctx.subbed_on
    ):
        off_name, off_key, on_name, on_key = ev.assist, ev.assist_key, ev.player, ev.player_key
        off_ref, on_ref = on_ref, off_ref
    s = ctx.new(ev, "substitution", f"sub:{ev.team_key}:{off_key}>{on_key}:{ev.when}")
    s["player_in"] = on_name or "Unknown"
    _with_id(s, "player_in_id", on_ref)
    if off_name:
        s["player_out"] = off_name
        _with_id(s, "player_out_id", off_ref)
    ctx.subbed_on.add(on_key)
    ctx.out.append(s)


def _var_confirmed(ev: _Event, ctx: _Translation) -> None:
    """``Goal confirmed``: a ``var_check`` that lets the goal of the same team and player with
    the closest minute at or before stand (its alert is edited, no new one); nothing when
    that goal is not in the answer."""
    goal = None
    for g, g_team, g_pkey, g_min in reversed(ctx.goals):
        if g_team == ev.team_key and g_pkey == ev.player_key and g_min <= ev.abs_minute:
            goal = g
            break
    if goal is None:
        return
    check = ctx.new(ev, "var_check", f"var-confirmed:{ev.team_key}:{ev.player_key}:{ev.when}")
    check["ref"] = goal["id"]
    check["team"] = goal["team"]
    check["outcome"] = "confirmed"
    ctx.out.append(check)


def _var_cancel(ev: _Event, ctx: _Translation) -> None:
    """``Goal cancelled``: references the goal of the same team and player with the closest
    minute at or before; pending (resolved by the differ) when the API removed the goal."""
    ref: tuple[FeedEvent, int] | None = None
    for g, g_team, g_pkey, g_min in reversed(ctx.goals):
        if (
            g_team == ev.team_key
            and g_pkey == ev.player_key
            and g_min <= ev.abs_minute
            and (ref is None or g_min > ref[1])
        ):
            ref = (g, g_min)
    cancel = ctx.new(ev, "goal_cancelled", f"var-cancel:{ev.team_key}:{ev.player_key}:{ev.when}")
    cancel["reason"] = "var"
    if ref is not None and not any(
        e.get("type") == "goal_cancelled" and e.get("ref") == ref[0]["id"] for e in ctx.out
    ):
        cancel["ref"] = ref[0]["id"]
        cancel["team"] = ref[0]["team"]
        ctx.out.append(cancel)
    else:
        cancel["player"] = ev.player or "Unknown"
        ctx.pending.append(cancel)


def _var_disallowed(ev: _Event, ctx: _Translation) -> None:
    d = ctx.new(ev, "goal_disallowed", f"var-disallowed:{ev.team_key}:{ev.player_key}:{ev.when}")
    dlow = ev.dlow
    if "offside" in dlow:
        d["reason"] = "offside"
    elif "handball" in dlow:
        d["reason"] = "handball"
    elif "foul" in dlow:
        d["reason"] = "foul"
    else:
        d["reason"] = "var"
    if ev.player:
        d["player"] = ev.player
        _with_id(d, "player_id", ev.player_ref)
    d["detail"] = ev.detail
    ctx.out.append(d)


def _lineup_sets(lineups: Any) -> tuple[set[str], set[str]]:
    starters: set[str] = set()
    bench: set[str] = set()
    if not isinstance(lineups, list):
        return starters, bench
    for lu in lineups:
        for key, target in (("startXI", starters), ("substitutes", bench)):
            items = dig(lu, key)
            if not isinstance(items, list):
                continue
            for item in items:
                p = dig(item, "player")
                target.add(player_key(dig(p, "id"), dig(p, "name")))
    return starters, bench
