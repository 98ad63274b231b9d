"""Helpers both translators share: stable ids, event ordering, period events."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

from bot.feed_format import FeedEvent
from bot.football_rules import clamp_minute, timeline_minute

__all__ = [
    "PERIOD_MINUTE",
    "PERIOD_ORDER",
    "IdMaker",
    "clamp_minute",
    "order_events",
    "period_events",
    "phase_of",
    "player_key",
]

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


#: (logger, match, what) already warned about: an odd provider answer is logged once per match.
_warned: set[tuple[str, str, str]] = set()


def warn_once(log: logging.Logger, match: str, what: str, message: str, *args: object) -> None:
    """``log.warning(message, *args)`` the first time ``what`` is odd in ``match``'s answers."""
    key = (log.name, match, what)
    if key in _warned:
        return
    _warned.add(key)
    log.warning(message, *args)


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
