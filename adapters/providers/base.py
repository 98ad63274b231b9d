"""Shared pieces of the data-provider clients.

Everything here is independent of the bot: a provider client fetches JSON, and a translator turns
it into feed-v1 dicts (see ``/work/shared/spec/feed-format.md``).  This module holds:

* :class:`ProviderError` - the one exception the clients raise (``retry_after``, ``retryable``);
* :class:`Quota` - the provider's request budget as read from its response headers;
* :func:`with_backoff` - retry a call on retryable :class:`ProviderError` with exponential backoff
  (honouring ``retry_after``);
* :class:`ProviderSnapshot` - one poll of one match, translated to feed-v1 dicts;
* :class:`DiffState` / :func:`diff_snapshot` / :class:`FeedDiffer` - turn successive snapshots of
  the same match into the feed events that are new since the previous poll (see ``diff_snapshot``
  for the rules);
* small helpers used by both translators (stable ids, event ordering, JSON shape checks).

The key/token of a provider is never put in a message, a ``repr`` or a log line.
"""

from __future__ import annotations

import asyncio
import copy
import random
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

import httpx

FeedEvent = dict[str, Any]
"""A feed-v1 object (``{"type": ..., "match": ..., ...}``)."""

Json = Any

MatchState = Literal[
    "scheduled",
    "first_half",
    "half_time",
    "second_half",
    "break",  # break before extra time or between its halves (API-Football ``BT``)
    "extra_time",
    "penalties",
    "live",  # in play, phase unknown
    "finished",
    "suspended",
    "interrupted",
    "postponed",
    "cancelled",
    "abandoned",
    "awarded",
    "unknown",
]

LIVE_STATES: frozenset[str] = frozenset(
    {
        "first_half",
        "half_time",
        "second_half",
        "break",
        "extra_time",
        "penalties",
        "live",
        "suspended",
        "interrupted",
    }
)
"""States in which a match should keep being polled."""

PERIOD_ORDER: tuple[str, ...] = (
    "first_half",
    "half_time",
    "second_half",
    "extra_time",
    "penalties",
    "full_time",
)
PERIOD_MINUTE: dict[str, int] = {
    "first_half": 0,
    "half_time": 45,
    "second_half": 45,
    "extra_time": 90,
    "penalties": 120,
    "full_time": 90,
}

REMATCH_WINDOW = 5
"""Minutes an event may move between polls and still be recognised as the same event."""


# --------------------------------------------------------------------------------------------
# errors, quota, backoff


class ProviderError(Exception):
    """A provider call failed.

    ``status`` is the HTTP status when there was one; ``retry_after`` (seconds) is set when the
    provider said how long to wait (HTTP 429 ``Retry-After``, football-data's
    ``X-RequestCounter-Reset``, API-Football's per-minute ``rateLimit`` error); ``retryable`` tells
    :func:`with_backoff` whether trying again can help (5xx, timeouts, rate limits, garbage) or
    not (bad key, unknown fixture, daily quota exhausted).
    """

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        status: int | None = None,
        retry_after: float | None = None,
        retryable: bool = False,
    ) -> None:
        self.provider = provider
        self.status = status
        self.retry_after = retry_after
        self.retryable = retryable
        self.message = f"{provider}: {message}" if provider else message
        super().__init__(self.message)


@dataclass
class Quota:
    """The request budget last reported by the provider (``None``: not reported)."""

    day_limit: int | None = None
    day_remaining: int | None = None
    minute_limit: int | None = None
    minute_remaining: int | None = None
    reset_seconds: float | None = None
    """Seconds until the per-minute counter resets (football-data ``X-RequestCounter-Reset``)."""
    updated_at: float | None = None
    """``time.monotonic()`` of the response the numbers come from."""

    @property
    def exhausted(self) -> bool:
        """True when the provider said no request is left in the day or the minute."""
        return self.day_remaining == 0 or self.minute_remaining == 0

    def wait_seconds(self) -> float:
        """How long to wait before the next request so as not to hit the limit (0: go)."""
        if self.minute_remaining == 0:
            if self.reset_seconds is not None:
                return max(0.0, self.reset_seconds)
            return 60.0
        return 0.0


def header_int(headers: httpx.Headers, name: str) -> int | None:
    raw = headers.get(name)
    if raw is None:
        return None
    try:
        return int(float(raw.strip()))
    except ValueError:
        return None


def parse_retry_after(raw: str | None) -> float | None:
    """``Retry-After`` in seconds (the delta-seconds form; an HTTP date gives ``None``)."""
    if raw is None:
        return None
    try:
        return max(0.0, float(raw.strip()))
    except ValueError:
        return None


T = TypeVar("T")


async def with_backoff(
    call: Callable[[], Awaitable[T]],
    *,
    attempts: int = 4,
    base_delay: float = 1.0,
    max_delay: float = 120.0,
    jitter: float = 0.1,
    sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
) -> T:
    """Await ``call()``; on a *retryable* :class:`ProviderError` wait and try again.

    The wait before retry ``n`` (1-based) is ``base_delay * 2**(n-1)`` (plus up to ``jitter`` of it
    at random), capped at ``max_delay``, but never shorter than the error's ``retry_after``. A
    non-retryable error, or the last attempt's error, is raised unchanged.
    """
    if attempts < 1:
        raise ValueError("attempts must be >= 1")
    for attempt in range(1, attempts + 1):
        try:
            return await call()
        except ProviderError as err:
            if not err.retryable or attempt == attempts:
                raise
            delay = min(max_delay, base_delay * 2 ** (attempt - 1))
            delay += random.uniform(0, jitter * delay) if jitter > 0 else 0.0
            if err.retry_after is not None:
                delay = max(delay, err.retry_after)
            await sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover


async def get_json(
    client: httpx.AsyncClient,
    url: str,
    *,
    provider: str,
    headers: Mapping[str, str],
    params: Mapping[str, str | int] | None = None,
) -> tuple[Json, httpx.Headers]:
    """GET ``url`` and return (parsed JSON, response headers), or raise :class:`ProviderError`.

    Handles: timeouts and transport errors (retryable), 429 (retryable, ``retry_after`` from
    ``Retry-After`` or ``X-RequestCounter-Reset``), 5xx (retryable), other non-2xx (not retryable;
    the provider's ``message`` is quoted when there is one), and non-JSON bodies (retryable).
    The request headers (which carry the key) are never put in a message.
    """
    path = httpx.URL(url).path
    try:
        resp = await client.get(url, headers=dict(headers), params=dict(params or {}))
    except httpx.TimeoutException as err:
        raise ProviderError(
            f"request to {path} timed out ({type(err).__name__})",
            provider=provider,
            retryable=True,
        ) from None
    except httpx.HTTPError as err:
        raise ProviderError(
            f"request to {path} failed: {type(err).__name__}", provider=provider, retryable=True
        ) from None
    status = resp.status_code
    if status == 429:
        retry_after = parse_retry_after(resp.headers.get("Retry-After"))
        if retry_after is None:
            retry_after = parse_retry_after(resp.headers.get("X-RequestCounter-Reset"))
        hint = f", retry after {retry_after:g}s" if retry_after is not None else ""
        raise ProviderError(
            f"rate limited (HTTP 429) on {path}{hint}{_body_message(resp)}",
            provider=provider,
            status=429,
            retry_after=retry_after,
            retryable=True,
        )
    if status >= 500:
        raise ProviderError(
            f"server error (HTTP {status}) on {path}{_body_message(resp)}",
            provider=provider,
            status=status,
            retryable=True,
        )
    if status >= 400:
        raise ProviderError(
            f"request refused (HTTP {status}) on {path}{_body_message(resp)}",
            provider=provider,
            status=status,
            retryable=False,
        )
    try:
        data = resp.json()
    except ValueError:
        snippet = resp.text[:60].replace("\n", " ")
        raise ProviderError(
            f"response from {path} is not JSON (HTTP {status}, starts {snippet!r})",
            provider=provider,
            status=status,
            retryable=True,
        ) from None
    return data, resp.headers


def _body_message(resp: httpx.Response) -> str:
    try:
        data = resp.json()
    except ValueError:
        return ""
    if isinstance(data, dict):
        for key in ("message", "error", "errors"):
            if data.get(key):
                return f": {str(data[key])[:200]}"
    return ""


# --------------------------------------------------------------------------------------------
# JSON shape helpers


class ShapeError(ProviderError):
    """The provider answered JSON of an unexpected shape."""


def obj(value: Json, what: str, provider: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ShapeError(
            f"unexpected response shape: {what} should be an object, got {type(value).__name__}",
            provider=provider,
            retryable=True,
        )
    return value


def lst(value: Json, what: str, provider: str) -> list[Any]:
    if not isinstance(value, list):
        raise ShapeError(
            f"unexpected response shape: {what} should be a list, got {type(value).__name__}",
            provider=provider,
            retryable=True,
        )
    return value


def req_int(value: Json, what: str, provider: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ShapeError(
            f"unexpected response shape: {what} should be an integer, got {value!r:.40}",
            provider=provider,
            retryable=True,
        )
    return value


def req_str(value: Json, what: str, provider: str) -> str:
    if not isinstance(value, str) or not value:
        raise ShapeError(
            f"unexpected response shape: {what} should be a non-empty string, got {value!r:.40}",
            provider=provider,
            retryable=True,
        )
    return value


def opt_int(value: Json) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def opt_str(value: Json) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def dig(value: Json, *keys: str) -> Json:
    """``value[k1][k2]...`` or ``None`` when any level is missing / not an object."""
    for key in keys:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


# --------------------------------------------------------------------------------------------
# snapshot


@dataclass
class ProviderSnapshot:
    """One poll of one match, translated to feed v1.

    ``events`` is self-consistent: replayed alone after ``match`` it gives the right score (a goal
    that the provider still lists next to its VAR cancellation comes with a ``goal_cancelled``
    referencing it; a goal the provider already removed is simply absent).
    """

    match: FeedEvent
    """The feed-v1 ``match`` object."""
    events: list[FeedEvent]
    """Feed-v1 events, chronological, periods included, stable ids."""
    status: MatchState
    """The normalised match state."""
    provider_status: str = ""
    """The provider's own status code (``2H``, ``IN_PLAY``...)."""
    score: tuple[int, int] | None = None
    """Provider's score (home, away) without shoot-out kicks; ``None`` before kick-off."""
    shootout: tuple[int, int] | None = None
    """Shoot-out score (home, away) when there was one."""
    elapsed: int | None = None
    stoppage: int | None = None
    pending_cancellations: list[FeedEvent] = field(default_factory=list)
    """VAR ``goal_cancelled`` objects whose goal is no longer in the provider's list.

    They carry ``team``/``player``/``minute`` of the cancelled goal but no ``ref``;
    :func:`diff_snapshot` resolves them against goals announced earlier."""

    @property
    def match_id(self) -> str:
        return str(self.match["match"])

    @property
    def finished(self) -> bool:
        return self.status in ("finished", "awarded")

    @property
    def live(self) -> bool:
        return self.status in LIVE_STATES

    def score_text(self) -> str:
        """E.g. ``3-3, 4-2 on penalties`` (``-`` before kick-off)."""
        if self.score is None:
            return "-"
        text = f"{self.score[0]}-{self.score[1]}"
        if self.shootout is not None:
            text += f", {self.shootout[0]}-{self.shootout[1]} on penalties"
        return text


# --------------------------------------------------------------------------------------------
# helpers for translators


def player_key(pid: Any, name: Any) -> str:
    """``p<id>`` when the provider gives a player id, else ``n<normalised name>``, else ``-``."""
    if isinstance(pid, int) and not isinstance(pid, bool):
        return f"p{pid}"
    if isinstance(name, str) and name.strip():
        return "n" + "".join(ch for ch in name.lower() if ch.isalnum())
    return "-"


class IdMaker:
    """Builds stable ids ``<key>`` / ``<key>#<n>`` (n counts true duplicates, from 2)."""

    def __init__(self) -> None:
        self._seen: dict[str, int] = {}

    def make(self, key: str) -> str:
        n = self._seen.get(key, 0) + 1
        self._seen[key] = n
        return key if n == 1 else f"{key}#{n}"


def clamp_minute(minute: int | None) -> int:
    if minute is None:
        return 0
    return max(0, min(130, minute))


def timeline_minute(minute: int, stoppage: int | None) -> int:
    return minute + (stoppage or 0)


def phase_of(ev: Mapping[str, Any]) -> int:
    """Rank of the phase an event belongs to (for ordering): 1H, 2H, ET, shoot-out."""
    if ev.get("type") == "shootout_kick":
        return 4
    minute = int(ev.get("minute", 0))
    if minute <= 45:
        return 1
    if minute <= 90:
        return 2
    return 3


_PERIOD_SLOT = {  # (phase rank, before=0 / after=2 the phase's events)
    "first_half": (1, 0),
    "half_time": (1, 2),
    "second_half": (2, 0),
    "extra_time": (3, 0),
    "penalties": (4, 0),
    "full_time": (5, 0),
}


def order_events(periods: Iterable[FeedEvent], events: Iterable[FeedEvent]) -> list[FeedEvent]:
    """Periods and events in one chronological list (stable for events at the same time)."""
    keyed: list[tuple[tuple[int, int, int, int], FeedEvent]] = []
    for i, ev in enumerate(events):
        keyed.append(
            ((phase_of(ev), 1, timeline_minute(int(ev["minute"]), ev.get("stoppage")), i), ev)
        )
    for ev in periods:
        rank, slot = _PERIOD_SLOT[str(ev["period"])]
        keyed.append(((rank, slot, 0, 0), ev))
    keyed.sort(key=lambda kv: kv[0])
    return [ev for _, ev in keyed]


def period_events(
    match_id: str,
    passed: Iterable[str],
    *,
    full_time_minute: int = 90,
    stoppage: dict[str, int] | None = None,
) -> list[FeedEvent]:
    """``period`` events with ids ``period:<period>`` for the periods the match passed through."""
    out: list[FeedEvent] = []
    passed_set = set(passed)
    for period in PERIOD_ORDER:
        if period not in passed_set:
            continue
        minute = full_time_minute if period == "full_time" else PERIOD_MINUTE[period]
        ev: FeedEvent = {
            "type": "period",
            "match": match_id,
            "id": f"period:{period}",
            "minute": minute,
            "period": period,
        }
        if stoppage and stoppage.get(period):
            ev["stoppage"] = stoppage[period]
        out.append(ev)
    return out


# --------------------------------------------------------------------------------------------
# diffing successive snapshots


@dataclass
class DiffState:
    """What :func:`diff_snapshot` remembers about one match between polls."""

    seen: dict[str, FeedEvent] = field(default_factory=dict)
    """Events already announced (or deliberately not announced), by id, as first announced."""
    aliases: dict[str, str] = field(default_factory=dict)
    """Snapshot id -> id first announced for the same event (a re-keyed event)."""
    cancelled: set[str] = field(default_factory=set)
    """Ids of goals whose ``goal_cancelled`` was announced."""
    score: tuple[int, int] | None = None
    """The provider's score at the previous poll."""

    def copy(self) -> DiffState:
        return DiffState(
            seen=copy.deepcopy(self.seen),
            aliases=dict(self.aliases),
            cancelled=set(self.cancelled),
            score=self.score,
        )

    def active_goals(self) -> list[FeedEvent]:
        return [
            ev
            for ev in self.seen.values()
            if ev["type"] == "goal" and ev["id"] not in self.cancelled
        ]


def _identity(ev: Mapping[str, Any]) -> tuple[Any, ...]:
    """What must be equal for two events (at nearby minutes) to be the same event."""
    kind = ev["type"]
    if kind == "goal":  # normal <-> penalty reclassification keeps the identity
        return (kind, ev.get("team"), ev.get("player"), ev.get("kind") == "own_goal")
    if kind == "card":
        return (kind, ev.get("team"), ev.get("player"), ev.get("card"))
    if kind == "substitution":
        return (kind, ev.get("team"), ev.get("player_in"), ev.get("player_out"))
    if kind == "goal_disallowed":
        return (kind, ev.get("team"), ev.get("player"), ev.get("reason"))
    if kind == "penalty_missed":
        return (kind, ev.get("team"), ev.get("player"))
    if kind == "shootout_kick":
        return (kind, ev.get("team"), ev.get("player"), ev.get("scored"))
    return (kind, ev.get("team"), ev.get("player"), ev.get("text"))


def _abs_minute(ev: Mapping[str, Any]) -> int:
    return timeline_minute(int(ev.get("minute", 0)), ev.get("stoppage"))


def _team_index(snap: ProviderSnapshot, team: Any) -> int | None:
    if team == snap.match.get("home"):
        return 0
    if team == snap.match.get("away"):
        return 1
    return None


def diff_snapshot(
    previous: DiffState | None, snap: ProviderSnapshot
) -> tuple[list[FeedEvent], DiffState]:
    """Feed events new in ``snap`` since the polls summarised by ``previous`` (pure function).

    Returns ``(new_events, new_state)``; pass ``new_state`` back in with the next snapshot of the
    same match (``None`` for the first poll).  Rules:

    1. **Ids.** An event whose id (after applying remembered aliases) was already seen is not new.
    2. **Re-keying.** A snapshot id never seen before is first matched against seen events that
       are missing from this snapshot: same type, team, player(s) and card/outcome (a goal may
       switch normal <-> penalty), minute within ``REMATCH_WINDOW`` (closest wins). A match is the
       same event whose minute/details the provider corrected: not announced again; its new id is
       remembered as an alias of the announced one.
    3. **Dropped and re-added.** Seen events missing from a snapshot are kept; when they come
       back they are not new (rule 1).  Nothing already announced is ever announced again.
    4. **VAR.** A ``goal_cancelled`` in the snapshot is announced once, when its goal was
       announced; a goal and its cancellation both new in the same poll are *both* swallowed
       (never said, never unsaid).  A pending VAR cancellation (goal already removed by the
       provider) is matched to an announced, uncancelled goal: same player and team (for an own
       goal, either team), closest minute at or before the VAR event; reason ``var``.
    5. **Vanished goals.** An announced goal missing from the snapshot is cancelled (reason
       ``other``, id ``<goal id>:dropped``) only while the announced goals of its team outnumber
       that team's goals in the provider's score (i.e. the score went down); latest goals
       first. Otherwise it is assumed re-keyed/temporarily dropped and kept.
    6. **Score guard.** A new goal is only announced while the announced goals of its team stay
       within the provider's score for that team; extra goals are held back (not remembered) and
       come out at a later poll once the score agrees. So a diff never announces, as a new goal,
       a score that is not the provider's. (No guard when the provider gives no score.) A goal
       held back while an announced goal of the same team within ``REMATCH_WINDOW`` minutes has
       vanished is that goal corrected (e.g. another scorer): aliased, not announced.
    """
    state = previous.copy() if previous is not None else DiffState()
    mid = snap.match_id

    native_ids = {str(ev["id"]) for ev in snap.events}
    current: list[FeedEvent] = []
    for ev in snap.events:
        ev_id = str(ev["id"])
        target = state.aliases.get(ev_id)
        if target is not None and target not in native_ids:
            ev = {**ev, "id": target}
        current.append(ev)
    # references from cancellations follow their goals' aliases
    for i, ev in enumerate(current):
        if ev["type"] == "goal_cancelled":
            ref = state.aliases.get(str(ev["ref"]))
            if ref is not None and ref not in native_ids:
                current[i] = {**ev, "ref": ref}

    current_ids = {str(ev["id"]) for ev in current}
    vanished = [
        ev
        for ev_id, ev in state.seen.items()
        if ev_id not in current_ids
        and ev["type"] not in ("period", "goal_cancelled")
        and ev_id not in state.cancelled
    ]

    # rule 2: re-keyed events
    fresh: list[FeedEvent] = []
    renamed: dict[str, str] = {}
    for ev in current:
        ev_id = str(ev["id"])
        if ev_id in state.seen or ev["type"] in ("period", "goal_cancelled"):
            fresh.append(ev)
            continue
        ident = _identity(ev)
        best: FeedEvent | None = None
        for old in vanished:
            if _identity(old) != ident:
                continue
            gap = abs(_abs_minute(old) - _abs_minute(ev))
            if gap <= REMATCH_WINDOW and (
                best is None or gap < abs(_abs_minute(best) - _abs_minute(ev))
            ):
                best = old
        if best is not None:
            vanished.remove(best)
            state.aliases[ev_id] = str(best["id"])
            renamed[ev_id] = str(best["id"])
            fresh.append({**ev, "id": best["id"]})
        else:
            fresh.append(ev)
    current = [
        {**ev, "ref": renamed[str(ev["ref"])]}
        if ev["type"] == "goal_cancelled" and str(ev["ref"]) in renamed
        else ev
        for ev in fresh
    ]
    current_ids = {str(ev["id"]) for ev in current}

    out: list[FeedEvent] = []
    new_goal_ids = {
        str(ev["id"]) for ev in current if ev["type"] == "goal" and str(ev["id"]) not in state.seen
    }

    # rule 4: cancellations listed in the snapshot
    swallowed: set[str] = set()
    cancel_out: dict[str, FeedEvent] = {}
    for ev in current:
        if ev["type"] != "goal_cancelled" or str(ev["id"]) in state.seen:
            continue
        ref = str(ev["ref"])
        if ref in new_goal_ids:
            swallowed.add(ref)
            state.seen[str(ev["id"])] = ev
            state.seen[ref] = next(g for g in current if str(g["id"]) == ref)
            state.cancelled.add(ref)
        elif ref in state.seen and ref not in state.cancelled:
            state.cancelled.add(ref)
            state.seen[str(ev["id"])] = ev
            cancel_out[str(ev["id"])] = ev
        else:
            state.seen[str(ev["id"])] = ev  # goal never announced or already cancelled
    for pending in snap.pending_cancellations:
        if str(pending["id"]) in state.seen:
            continue
        goal = _match_pending(state, pending, current_ids)
        if goal is None:
            continue
        ev = {k: v for k, v in pending.items() if k not in ("player",)}
        ev.update({"ref": goal["id"], "team": goal["team"]})
        state.cancelled.add(str(goal["id"]))
        state.seen[str(ev["id"])] = ev
        cancel_out[str(ev["id"])] = ev
        vanished = [v for v in vanished if v["id"] != goal["id"]]

    # rule 5: vanished goals when the score went down
    dropped: list[FeedEvent] = []
    if snap.score is not None:
        for side in (0, 1):
            team = snap.match["home" if side == 0 else "away"]
            announced = [g for g in state.active_goals() if g["team"] == team]
            excess = len(announced) - snap.score[side]
            gone = sorted(
                (g for g in vanished if g["type"] == "goal" and g["team"] == team),
                key=_abs_minute,
                reverse=True,
            )
            for goal in gone[: max(0, excess)]:
                cancel: FeedEvent = {
                    "type": "goal_cancelled",
                    "match": mid,
                    "id": f"{goal['id']}:dropped",
                    "minute": clamp_minute(snap.elapsed) if snap.elapsed else goal["minute"],
                    "team": team,
                    "ref": goal["id"],
                    "reason": "other",
                }
                if snap.elapsed and snap.stoppage:
                    cancel["stoppage"] = snap.stoppage
                state.cancelled.add(str(goal["id"]))
                state.seen[cancel["id"]] = cancel
                dropped.append(cancel)

    # rule 6 + the rest, in snapshot order
    allowance: list[int | None] = [None, None]
    if snap.score is not None:
        for side in (0, 1):
            team = snap.match["home" if side == 0 else "away"]
            allowance[side] = snap.score[side] - sum(
                1 for g in state.active_goals() if g["team"] == team
            )
    for ev in current:
        ev_id = str(ev["id"])
        if ev_id in cancel_out:
            out.append(cancel_out.pop(ev_id))
            continue
        if ev_id in state.seen or ev_id in swallowed:
            continue
        if ev["type"] == "goal":
            gside = _team_index(snap, ev["team"])
            if gside is not None and allowance[gside] is not None:
                left: int = allowance[gside] or 0
                if left <= 0:
                    same = _loose_goal_match(ev, vanished, state.cancelled)
                    if same is not None:  # e.g. the scorer's name was corrected
                        vanished.remove(same)
                        state.aliases[ev_id] = str(same["id"])
                    continue  # else held back until the provider's score counts it
                allowance[gside] = left - 1
        state.seen[ev_id] = ev
        out.append(ev)
    out.extend(cancel_out.values())  # pending VAR cancellations
    out.extend(dropped)
    state.score = snap.score
    return out, state


def _loose_goal_match(
    goal: Mapping[str, Any], vanished: list[FeedEvent], cancelled: set[str]
) -> FeedEvent | None:
    """A vanished, uncancelled goal of the same team near the same minute (any scorer)."""
    best: FeedEvent | None = None
    minute = _abs_minute(goal)
    for old in vanished:
        if old["type"] != "goal" or old["team"] != goal["team"] or old["id"] in cancelled:
            continue
        gap = abs(_abs_minute(old) - minute)
        if gap <= REMATCH_WINDOW and (best is None or gap < abs(_abs_minute(best) - minute)):
            best = old
    return best


def _match_pending(
    state: DiffState, pending: Mapping[str, Any], current_ids: set[str]
) -> FeedEvent | None:
    """The announced goal a VAR cancellation (without ref) is about, or ``None``."""
    minute = _abs_minute(pending)
    best: FeedEvent | None = None
    for goal in state.active_goals():
        if str(goal["id"]) in current_ids:
            continue  # still listed: the snapshot itself would have referenced it
        if goal.get("player") != pending.get("player"):
            continue
        same_team = goal["team"] == pending.get("team") or goal.get("kind") == "own_goal"
        if not same_team or _abs_minute(goal) > minute:
            continue
        if best is None or _abs_minute(goal) > _abs_minute(best):
            best = goal
    return best


class FeedDiffer:
    """Stateful convenience around :func:`diff_snapshot`, one per match."""

    def __init__(self) -> None:
        self.state = DiffState()

    def update(self, snap: ProviderSnapshot) -> list[FeedEvent]:
        new, self.state = diff_snapshot(self.state, snap)
        return new


def now() -> float:
    return time.monotonic()
