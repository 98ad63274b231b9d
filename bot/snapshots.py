"""One poll of one match as a provider saw it, and what is new in it since the last poll.

:class:`ProviderSnapshot` is a provider's answer translated to feed v1 (the translators live in
:mod:`adapters.providers`); :func:`diff_snapshot` turns successive snapshots of the same match
into the feed events that are new, applying the football rules of :mod:`bot.football_rules`.
Pure functions and plain data: no I/O.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

from bot.feed_format import FeedEvent, MatchStatus
from bot.football_rules import (
    REMATCH_WINDOW,
    abs_minute,
    clamp_minute,
    corrected_goal,
    goal_allowance,
    goals_to_withdraw,
    is_new_goal,
    retimed,
    var_cancelled_goal,
)

#: Where a match stands in a provider's answer: the feed's :data:`bot.feed_format.MatchStatus`,
#: or ``unknown`` for a status the translation does not know.
ProviderStatus = Literal[MatchStatus, "unknown"]

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
    status: ProviderStatus
    """The normalised match state."""
    provider_status: str = ""
    """The provider's own status code (``2H``, ``IN_PLAY``...)."""
    score: tuple[int, int] | None = None
    """Provider's score (home, away) without shoot-out kicks; ``None`` before kick-off."""
    shootout: tuple[int, int] | None = None
    """Shoot-out score (home, away) when there was one."""
    elapsed: int | None = None
    stoppage: int | None = None
    extras: list[FeedEvent] = field(default_factory=list)
    """Match data (line-ups, statistics, ratings): replaced by a later object, not diffed."""
    problems: list[str] = field(default_factory=list)
    """What was odd in the provider's answer (an event without a minute...), in words, for
    the poller to log once per match."""
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
    updates: dict[str, int] = field(default_factory=dict)
    """Goal id -> how many ``goal_update`` objects were announced for it (``seen`` holds the
    goal's latest facts)."""
    notes: list[str] = field(default_factory=list)
    """What the last poll had that does not add up (a score going down with no VAR decision,
    a player id changing while the name is null), in words, for the poller to log once."""

    def copy(self) -> DiffState:
        return DiffState(
            seen=copy.deepcopy(self.seen),
            aliases=dict(self.aliases),
            cancelled=set(self.cancelled),
            score=self.score,
            updates=dict(self.updates),
        )  # notes are the last poll's only

    def take_update(self, update: FeedEvent) -> None:
        """Remember an announced (or stored) ``goal_update``: its goal's facts are now its."""
        ref = str(update.get("ref"))
        goal = self.seen.get(ref)
        if goal is None or goal.get("type") != "goal":
            return
        self.seen[ref] = goal_with_facts(goal, update)
        self.updates[ref] = self.updates.get(ref, 0) + 1

    def active_goals(self) -> list[FeedEvent]:
        return [
            ev
            for ev in self.seen.values()
            if ev["type"] == "goal" and ev["id"] not in self.cancelled
        ]


def diff_snapshot(
    previous: DiffState | None, snap: ProviderSnapshot
) -> tuple[list[FeedEvent], DiffState]:
    """Feed events new in ``snap`` since the polls summarised by ``previous`` (pure function).

    Returns ``(new_events, new_state)``; pass ``new_state`` back in with the next snapshot of the
    same match (``None`` for the first poll).  Rules:

    1. **Ids.** An event whose id (after applying remembered aliases) was already seen is not new.
    2. **Re-keying** (:func:`~bot.football_rules.retimed`). A snapshot id never seen before is
       first matched against seen events that are missing from this snapshot: same type, team,
       player(s) and card/outcome (a goal may switch normal <-> penalty), minute within
       ``REMATCH_WINDOW`` (closest wins). A match is the same event whose minute/details the
       provider corrected: not announced again; its new id is remembered as an alias.
    3. **Dropped and re-added.** Seen events missing from a snapshot are kept; when they come
       back they are not new (rule 1).  Nothing already announced is ever announced again.
    4. **VAR.** A ``goal_cancelled`` in the snapshot is announced once, when its goal was
       announced; a goal and its cancellation both new in the same poll are *both* swallowed
       (never said, never unsaid).  A pending VAR cancellation (goal already removed by the
       provider) is matched by :func:`~bot.football_rules.var_cancelled_goal`; reason ``var``.
    5. **Vanished goals** (:func:`~bot.football_rules.goals_to_withdraw`). An announced goal
       missing from the snapshot is cancelled (reason ``other``, id ``<goal id>:dropped``) only
       while the announced goals of its team outnumber that team's goals in the provider's
       score; latest goals first. Otherwise it is assumed re-keyed/temporarily dropped and kept.
    6. **Score guard** (:func:`~bot.football_rules.is_new_goal`). A new goal is only announced
       while the announced goals of its team stay within the provider's score for that team;
       extra goals are held back (not remembered) and come out at a later poll once the score
       agrees. (No guard when the provider gives no score.) A goal held back while an announced
       goal of the same team near the same minute has vanished is that goal corrected
       (:func:`~bot.football_rules.corrected_goal`, e.g. another scorer): aliased, not announced.
    """
    state = previous.copy() if previous is not None else DiffState()
    current = _with_aliases(state, snap.events)
    vanished = _vanished(state, current)
    current = _rekey(state, current, vanished)
    current_ids = {str(ev["id"]) for ev in current}
    new_goal_ids = {
        str(ev["id"]) for ev in current if ev["type"] == "goal" and str(ev["id"]) not in state.seen
    }
    swallowed, cancel_out = _listed_cancellations(state, current, new_goal_ids)
    for cancel in _pending_cancellations(state, snap, current_ids):
        cancel_out[str(cancel["id"])] = cancel
        vanished = [v for v in vanished if v["id"] != cancel["ref"]]
    current = _reclassified(state, snap, current, vanished)
    dropped = _withdraw_vanished(state, snap, vanished)
    out = _announce(state, snap, current, vanished, swallowed, cancel_out)
    out.extend(cancel_out.values())  # pending VAR cancellations
    out.extend(dropped)
    _note_score_down(state, snap, out)
    state.score = snap.score
    return out, state


def _note_score_down(state: DiffState, snap: ProviderSnapshot, out: list[FeedEvent]) -> None:
    """A score that went down with no VAR decision in the same poll is noted (the goals
    are still corrected by rule 5)."""
    before, now = state.score, snap.score
    if before is None or now is None or all(n >= b for n, b in zip(now, before, strict=True)):
        return
    if any(ev["type"] == "goal_cancelled" and ev.get("reason") == "var" for ev in out):
        return
    state.notes.append(
        f"the score went down from {before[0]}-{before[1]} to {now[0]}-{now[1]}"
        " with no VAR decision"
    )


def _with_aliases(state: DiffState, events: list[FeedEvent]) -> list[FeedEvent]:
    """The snapshot's events under the ids first announced for them (rule 1)."""
    native_ids = {str(ev["id"]) for ev in events}
    current: list[FeedEvent] = []
    for ev in events:
        target = state.aliases.get(str(ev["id"]))
        if target is not None and target not in native_ids:
            ev = {**ev, "id": target}
        current.append(ev)
    # references from cancellations follow their goals' aliases
    for i, ev in enumerate(current):
        if ev["type"] == "goal_cancelled":
            ref = state.aliases.get(str(ev["ref"]))
            if ref is not None and ref not in native_ids:
                current[i] = {**ev, "ref": ref}
    return current


def _vanished(state: DiffState, current: list[FeedEvent]) -> list[FeedEvent]:
    """Announced events (not periods or cancellations, not cancelled) missing from the poll."""
    current_ids = {str(ev["id"]) for ev in current}
    return [
        ev
        for ev_id, ev in state.seen.items()
        if ev_id not in current_ids
        and ev["type"] not in ("period", "goal_cancelled")
        and ev_id not in state.cancelled
    ]


def _rekey(
    state: DiffState, current: list[FeedEvent], vanished: list[FeedEvent]
) -> list[FeedEvent]:
    """Rule 2: events never seen that are a vanished event re-timed take its id."""
    fresh: list[FeedEvent] = []
    renamed: dict[str, str] = {}
    for ev in current:
        ev_id = str(ev["id"])
        if ev_id in state.seen or ev["type"] in ("period", "goal_cancelled"):
            fresh.append(ev)
            continue
        old = retimed(ev, vanished)
        if old is None:
            fresh.append(ev)
            continue
        vanished.remove(old)
        state.aliases[ev_id] = str(old["id"])
        renamed[ev_id] = str(old["id"])
        if ev["type"] == "goal" and ev.get("player") is None and abs_minute(ev) == abs_minute(old):
            state.notes.append(f"the player id of goal {old['id']} changed while its name is null")
        fresh.append({**ev, "id": old["id"]})
    return [
        {**ev, "ref": renamed[str(ev["ref"])]}
        if ev["type"] == "goal_cancelled" and str(ev["ref"]) in renamed
        else ev
        for ev in fresh
    ]


def _listed_cancellations(
    state: DiffState, current: list[FeedEvent], new_goal_ids: set[str]
) -> tuple[set[str], dict[str, FeedEvent]]:
    """Rule 4 for cancellations the snapshot lists: (goals swallowed, cancellations to say)."""
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
    return swallowed, cancel_out


def _pending_cancellations(
    state: DiffState, snap: ProviderSnapshot, current_ids: set[str]
) -> list[FeedEvent]:
    """Rule 4 for VAR cancellations whose goal the provider already removed."""
    out = []
    for pending in snap.pending_cancellations:
        if str(pending["id"]) in state.seen:
            continue
        goal = var_cancelled_goal(state.active_goals(), pending, current_ids)
        if goal is None:
            continue
        ev = {k: v for k, v in pending.items() if k not in ("player",)}
        ev.update({"ref": goal["id"], "team": goal["team"]})
        state.cancelled.add(str(goal["id"]))
        state.seen[str(ev["id"])] = ev
        out.append(ev)
    return out


def _withdraw_vanished(
    state: DiffState, snap: ProviderSnapshot, vanished: list[FeedEvent]
) -> list[FeedEvent]:
    """Rule 5: cancellations of vanished goals while the score went down."""
    if snap.score is None:
        return []
    dropped: list[FeedEvent] = []
    for side in (0, 1):
        team = snap.match["home" if side == 0 else "away"]
        for goal in goals_to_withdraw(state.active_goals(), vanished, team, snap.score[side]):
            cancel: FeedEvent = {
                "type": "goal_cancelled",
                "match": snap.match_id,
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
    return dropped


def _announce(
    state: DiffState,
    snap: ProviderSnapshot,
    current: list[FeedEvent],
    vanished: list[FeedEvent],
    swallowed: set[str],
    cancel_out: dict[str, FeedEvent],
) -> list[FeedEvent]:
    """Rules 1 and 6: the new events in snapshot order, goals within the provider's score."""
    teams = (str(snap.match.get("home")), str(snap.match.get("away")))
    allowance = goal_allowance(snap.score, teams, state.active_goals())
    out: list[FeedEvent] = []
    for ev in current:
        ev_id = str(ev["id"])
        if ev_id in cancel_out:
            out.append(cancel_out.pop(ev_id))
            continue
        if ev_id in state.seen:
            _update_goal(state, ev, out)
            continue
        if ev_id in swallowed:
            continue
        if ev["type"] == "goal" and ev["team"] in teams:
            side = teams.index(ev["team"])
            if not is_new_goal(allowance[side]):
                same = corrected_goal(ev, vanished, state.cancelled)
                if same is not None:  # e.g. the scorer's name was corrected
                    vanished.remove(same)
                    state.aliases[ev_id] = str(same["id"])
                    if ev.get("player") is None and same.get("player") is None:
                        state.notes.append(
                            f"the player id of goal {same['id']} changed while its name is null"
                        )
                    _update_goal(state, {**ev, "id": same["id"]}, out)
                continue  # else held back until the provider's score counts it
            left = allowance[side]
            allowance[side] = None if left is None else left - 1
        state.seen[ev_id] = ev
        out.append(ev)
    return out


GOAL_FACTS = ("team", "minute", "stoppage", "player", "player_id", "assist", "assist_id", "kind")
"""What a ``goal_update`` carries: a goal's whole facts (a field left out is not known)."""


def goal_with_facts(goal: FeedEvent, facts: FeedEvent) -> FeedEvent:
    """``goal`` with the facts of ``facts`` (a goal or a ``goal_update``); its id stays."""
    out = {k: v for k, v in goal.items() if k not in GOAL_FACTS}
    out.update({k: facts[k] for k in GOAL_FACTS if facts.get(k) is not None})
    return out


def _facts(goal: FeedEvent) -> tuple[Any, ...]:
    return tuple(goal.get(k) if k != "kind" else goal.get(k) or "normal" for k in GOAL_FACTS)


def _update_goal(state: DiffState, ev: FeedEvent, out: list[FeedEvent]) -> None:
    """Rule 7: an announced goal whose facts changed (scorer named, assist, minute, kind,
    side) gets a ``goal_update`` (id ``<goal id>:u<n>``) with its whole new facts."""
    ev_id = str(ev["id"])
    old = state.seen.get(ev_id)
    if ev["type"] != "goal" or old is None or ev_id in state.cancelled:
        return
    if _facts(old) == _facts(ev):
        return
    if ev.get("player") is None and old.get("player") is not None:
        ev = {**ev, "player": old["player"], "player_id": old.get("player_id")}
        if _facts(old) == _facts(ev):
            return  # a name never goes back to unknown
    n = state.updates.get(ev_id, 0) + 1
    update: FeedEvent = {
        "type": "goal_update",
        "match": ev["match"],
        "id": f"{ev_id}:u{n}",
        "ref": ev_id,
    }
    update.update({k: ev[k] for k in GOAL_FACTS if ev.get(k) is not None})
    state.take_update(update)
    out.append(update)


def _same_player(a: FeedEvent, b: FeedEvent) -> bool:
    if a.get("player_id") and b.get("player_id"):
        return bool(a["player_id"] == b["player_id"])
    if a.get("player") and b.get("player"):
        return str(a["player"]).casefold() == str(b["player"]).casefold()
    return True  # one of them not named yet


def _reclassified(
    state: DiffState, snap: ProviderSnapshot, current: list[FeedEvent], vanished: list[FeedEvent]
) -> list[FeedEvent]:
    """Rule 8: a goal the provider moved to the other side (re-classified as an own goal, or
    back) is the goal announced, not a new goal and a vanished one: a goal never seen whose
    side's score allows it, same player, near the minute of a vanished goal of the other
    side whose side's score went down."""
    if snap.score is None:
        return current
    teams = (str(snap.match.get("home")), str(snap.match.get("away")))
    announced = state.active_goals()
    out: list[FeedEvent] = []
    for ev in current:
        ev_id = str(ev["id"])
        if ev["type"] != "goal" or ev_id in state.seen or ev.get("team") not in teams:
            out.append(ev)
            continue
        other = teams[1 - teams.index(ev["team"])]
        over = sum(1 for g in announced if g["team"] == other) - snap.score[teams.index(other)]
        match = None
        if over > 0:
            match = next(
                (
                    old
                    for old in vanished
                    if old["type"] == "goal"
                    and old["team"] == other
                    and "own_goal" in (old.get("kind"), ev.get("kind"))
                    and _same_player(old, ev)
                    and abs(abs_minute(old) - abs_minute(ev)) <= REMATCH_WINDOW
                ),
                None,
            )
        if match is None:
            out.append(ev)
            continue
        vanished.remove(match)
        state.aliases[ev_id] = str(match["id"])
        out.append({**ev, "id": match["id"]})
    return out
