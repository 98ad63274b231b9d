"""Goals and shoot-out kicks for a provider that only gives the score (football-data free plan).

The bot derives the score from ``goal`` events (feed v1 never sends a score), so when the
provider lists no goals, :func:`fill_from_score` adds one ``goal`` per point of the provider's
score, scorer ``Unknown scorer``, and one scored ``shootout_kick`` per shoot-out point:

* ids ``score:<home|away>:<n>``: the n-th goal of that side ever synthesised for the match (a
  goal taken back keeps its number, the next one gets a new one), ``so-score:<side>:<n>`` for kicks;
* the goals already announced and still standing are repeated in every snapshot; when the score
  goes *down* the latest ones are left out, so :func:`~bot.snapshots.diff_snapshot`
  cancels them (its "vanished goal" rule); when it goes up new ones are added;
* minute (``minute_estimated``: the texts say it as approximate): the match clock at the poll
  that saw the score change; for a goal first seen after
  the match (or before the clock is known) the half it was scored in, from the score breakdown
  (``halfTime`` -> 45', ``regularTime`` -> 90', ``extraTime`` -> 120').

Missed shoot-out kicks are not known, so only the scored ones appear: the result reads
``1-1 (a.e.t.), X win 4-1 on penalties``.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from typing import Any

from adapters.providers.shapes import dig, opt_int
from adapters.providers.translate import clamp_minute, order_events
from bot.feed_format import FeedEvent
from bot.snapshots import DiffState, ProviderSnapshot

UNKNOWN_SCORER = "Unknown scorer"
UNKNOWN_KICKER = "Unknown kicker"
SIDES = ("home", "away")
_NUMBERED = re.compile(r"^score:(home|away):(\d+)$")


def fill_from_score(
    snap: ProviderSnapshot, state: DiffState, raw_score: Mapping[str, Any] | None
) -> ProviderSnapshot:
    """``snap`` with goals/kicks synthesised from its score (pure; ``state`` is not changed)."""
    if any(ev["type"] in ("goal", "shootout_kick") for ev in snap.events):
        return snap  # the provider lists them itself
    mid = snap.match_id
    extra: list[FeedEvent] = []
    for index, side in enumerate(SIDES):
        target = snap.score[index] if snap.score is not None else 0
        numbers = _numbers(state, side)
        standing = [
            state.seen[f"score:{side}:{n}"]
            for n in numbers
            if f"score:{side}:{n}" not in state.cancelled
        ]
        extra.extend(standing[:target])
        next_n = (max(numbers) if numbers else 0) + 1
        minutes = _phase_minutes(raw_score, side, target)
        for k in range(len(standing), target):
            goal: FeedEvent = {
                "type": "goal",
                "match": mid,
                "id": f"score:{side}:{next_n}",
                "team": snap.match[side],
                "player": UNKNOWN_SCORER,
                "kind": "normal",
            }
            goal.update(_when(snap, minutes[k]))
            extra.append(goal)
            next_n += 1
    if snap.shootout is not None:
        most = max(snap.shootout)
        for n in range(1, most + 1):
            for index, side in enumerate(SIDES):
                if n <= snap.shootout[index]:
                    extra.append(
                        {
                            "type": "shootout_kick",
                            "match": mid,
                            "id": f"so-score:{side}:{n}",
                            "minute": 120,
                            "team": snap.match[side],
                            "player": UNKNOWN_KICKER,
                            "scored": True,
                        }
                    )
    if not extra:
        return snap
    periods = [ev for ev in snap.events if ev["type"] == "period"]
    others = [ev for ev in snap.events if ev["type"] != "period"]
    return dataclasses.replace(snap, events=order_events(periods, [*others, *extra]))


def _numbers(state: DiffState, side: str) -> list[int]:
    out = []
    for ev_id in state.seen:
        found = _NUMBERED.match(ev_id)
        if found and found.group(1) == side:
            out.append(int(found.group(2)))
    return sorted(out)


def _when(snap: ProviderSnapshot, phase_minute: int) -> dict[str, int | bool]:
    """The goal's minute, marked as estimated: the text says it as approximate."""
    if snap.live and snap.elapsed:
        out: dict[str, int | bool] = {
            "minute": clamp_minute(snap.elapsed),
            "minute_estimated": True,
        }
        if snap.stoppage and snap.stoppage > 0:
            out["stoppage"] = min(30, snap.stoppage)
        return out
    return {"minute": phase_minute, "minute_estimated": True}


def _phase_minutes(raw: Mapping[str, Any] | None, side: str, total: int) -> list[int]:
    """For each of ``total`` goals of ``side`` in order, the minute of the half it came in."""
    half = opt_int(dig(raw, "halfTime", side))
    regular = opt_int(dig(raw, "regularTime", side))
    extra = opt_int(dig(raw, "extraTime", side))
    if regular is None:
        regular = total - (extra or 0)
    out: list[int] = []
    if half is not None:
        out += [45] * max(0, min(half, regular))
    out += [90] * max(0, regular - len(out))
    out += [120] * max(0, extra or 0)
    while len(out) < total:
        out.append(120 if extra else 90)
    return out[:total]
