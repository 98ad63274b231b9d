"""A match as the bot knows it: the fixture, its stored events, and the state derived from them.

The score is never sent by a feed: it is derived here from the goals, minus cancelled goals.
"""

from __future__ import annotations

import bisect
import json
import threading
from collections import Counter, OrderedDict
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Literal

from bot.feed_format import (
    Event,
    GoalCancelledEvent,
    GoalEvent,
    GoalUpdateEvent,
    PeriodEvent,
    ShootoutKickEvent,
    clock,
    parse_object,
)
from bot.messages.names import team_name
from bot.store_contract import EventRow, EventsStore, MatchRow

Side = Literal["home", "away"]

#: what providers write where they do not know a scorer (compared in lower case): never a name
NOT_A_NAME = frozenset({"unknown", "unknown scorer", "none", "null", "nan", "n/a"})
#: the start of the ids of the goals a score-only provider makes up from the score: their
#: scorers are not known
SCORE_ONLY_GOAL = "score:"


@dataclass(frozen=True)
class Fixture:
    id: str
    competition: str
    home: str
    away: str
    home_team: str
    away_team: str
    kickoff: datetime
    season: str | None = None
    round: str | None = None
    venue: str | None = None
    competition_id: str | None = None
    #: the provider's clock (see :class:`bot.feed_format.MatchDecl`), when one was given
    status: str | None = None
    clock_minute: int | None = None
    clock_stoppage: int | None = None
    clock_at: float | None = None

    def __post_init__(self) -> None:
        # The names as the feed spells them, each able to write itself in the chat's language
        # (Italian: with its article, "l'Inter", "dell'Inter"; national teams' Italian names).
        object.__setattr__(self, "home", team_name(self.home))
        object.__setattr__(self, "away", team_name(self.away))

    @classmethod
    def from_row(cls, row: MatchRow) -> Fixture:
        return cls(
            id=row["id"],
            competition=row["competition"],
            home=row["home_name"],
            away=row["away_name"],
            home_team=row["home_team"],
            away_team=row["away_team"],
            kickoff=datetime.fromisoformat(row["kickoff"]),
            season=row.get("season"),
            round=row.get("round"),
            venue=row.get("venue"),
            competition_id=row.get("competition_id"),
            status=row.get("status"),
            clock_minute=row.get("clock_minute"),
            clock_stoppage=row.get("clock_stoppage"),
            clock_at=row.get("clock_at"),
        )

    def side_of(self, team: str) -> Side | None:
        """Which side a feed's team name is, comparing as the feed spells them."""
        folded = team.casefold()
        if folded == self.home.casefold():
            return "home"
        if folded == self.away.casefold():
            return "away"
        return None


@dataclass(frozen=True)
class Score:
    home: int = 0
    away: int = 0

    def plus(self, side: Side) -> Score:
        return (
            Score(self.home + 1, self.away) if side == "home" else Score(self.home, self.away + 1)
        )


@dataclass(frozen=True)
class StoredEvent:
    """An event as ingested, with its place in the feed and its side of the pitch."""

    seq: int
    side: Side | None
    event: Event

    @property
    def clock(self) -> tuple[int, int]:
        return clock(self.event.minute, self.event.stoppage)


@dataclass(frozen=True)
class ScoredGoal:
    goal: GoalEvent
    side: Side
    score_after: Score


@dataclass
class MatchState:
    """Everything derived from a match's events, in match order.

    Built in one go by :func:`derive_state`, or grown one ingested event at a time by
    :meth:`add` (the engine keeps one per match): both give the same state."""

    fixture: Fixture
    events: list[StoredEvent] = field(default_factory=list)
    period: str | None = None
    score: Score = Score()
    goals: list[ScoredGoal] = field(default_factory=list)
    cancelled: dict[str, GoalCancelledEvent] = field(default_factory=dict)
    shootout: Score | None = None
    extra_time: bool = False
    last_clock: tuple[int, int] = (0, 0)
    #: every event by id, and the latest ``seq`` seen (the next ingested event comes after it)
    by_id: dict[str, StoredEvent] = field(default_factory=dict, repr=False, compare=False)
    top_seq: int = field(default=0, repr=False, compare=False)
    #: the latest period reached in feed order (``period`` falls back to the first half)
    reached: str | None = field(default=None, repr=False, compare=False)
    #: each amended goal's latest ``goal_update`` (by the goal's id); ``events``, ``goals`` and
    #: ``by_id`` hold the goal as amended (its seq kept), never the update itself
    updates: dict[str, StoredEvent] = field(default_factory=dict, repr=False, compare=False)
    #: every event as stored, updates included, in ingest order (to derive again on an update)
    ingested: list[StoredEvent] = field(default_factory=list, repr=False, compare=False)
    #: the store's ``events_version`` the state stands at, where :class:`KeptStates` knows it
    #: (None for a state made or grown otherwise: read the store)
    events_version: int | None = field(default=None, repr=False, compare=False)

    def copy(self) -> MatchState:
        """A state of its own to grow: the containers copied, the events (frozen) shared."""
        return replace(
            self,
            events=list(self.events),
            goals=list(self.goals),
            cancelled=dict(self.cancelled),
            by_id=dict(self.by_id),
            updates=dict(self.updates),
            ingested=list(self.ingested),
        )

    @property
    def finished(self) -> bool:
        return self.period == "full_time"

    @property
    def started(self) -> bool:
        return self.period is not None

    @property
    def live(self) -> bool:
        return self.started and not self.finished

    def goal_by_id(self, event_id: str) -> GoalEvent | None:
        stored = self.by_id.get(event_id)
        return stored.event if stored and isinstance(stored.event, GoalEvent) else None

    def score_at(self, stored: StoredEvent) -> Score:
        """The score at ``stored``'s own place in the match: right after it for a goal, else
        after every goal before it in match order (minute, added minute, then feed order), so
        an event reported late states the score that was true at its minute."""
        if isinstance(stored.event, PeriodEvent):
            # a phase starts or ends when its line comes: every goal ingested before counts
            # (a half-time at 45' follows a goal at 45+2')
            for goal in reversed(self.goals):
                if self.by_id[goal.goal.id].seq <= stored.seq:
                    return goal.score_after
            return Score()
        key = self._place(stored)
        # The last goal in match order up to there (usually the last goal: O(1)).
        for goal in reversed(self.goals):
            if self._key(goal) <= key:
                return goal.score_after
        return Score()

    def _place(self, stored: StoredEvent) -> tuple[tuple[int, int], int]:
        current = self.by_id.get(stored.event.id)
        if current is not None and current.seq == stored.seq:
            stored = current  # a goal as amended since
        return (stored.clock, stored.seq)

    def goal_scores(self) -> dict[str, Score]:
        """The score after each standing goal, by goal id."""
        return {g.goal.id: g.score_after for g in self.goals}

    def add(self, stored: StoredEvent) -> None:
        """Take in one more event, ingested after every event already here (``stored.seq``
        above :attr:`top_seq`): constant work for an event in match order (a late one only
        re-scores the goals after it). A ``goal_update`` changes a goal already folded in:
        the match is folded again with it (updates are rare)."""
        self.events_version = None  # another state now: its version is not known here
        if isinstance(stored.event, GoalUpdateEvent):
            self._derive_again(stored)
            return
        self.ingested.append(stored)
        self._take(stored)

    def _take(self, stored: StoredEvent) -> None:
        """The fold's one step: the state with one more event (a goal as amended, never a
        ``goal_update``), whatever its place in match order. :func:`derive_from` is this step
        over every event, in feed order."""
        event = stored.event
        key = (stored.clock, stored.seq)
        at = len(self.events)
        if self.events and (self.events[-1].clock, self.events[-1].seq) > key:
            at = bisect.bisect_right(self.events, key, key=lambda e: (e.clock, e.seq))
        self.events.insert(at, stored)
        self.by_id[event.id] = stored
        self.top_seq = max(self.top_seq, stored.seq)
        if isinstance(event, PeriodEvent):
            self.reached = event.period
            if event.period == "extra_time":
                self.extra_time = True
        self.period = self.reached or "first_half"
        self.last_clock = max(self.last_clock, stored.clock)
        if event.minute > 90 and not isinstance(event, PeriodEvent | ShootoutKickEvent):
            self.extra_time = True
        if isinstance(event, GoalEvent) and event.id not in self.cancelled and stored.side:
            keys = [self._key(g) for g in self.goals]
            place = bisect.bisect_right(keys, key)
            self.goals.insert(place, ScoredGoal(event, stored.side, Score()))
            self._rescore(place)
        elif isinstance(event, GoalCancelledEvent):
            self.cancelled[event.ref] = event
            for place, goal in enumerate(self.goals):
                if goal.goal.id == event.ref:
                    del self.goals[place]
                    self._rescore(place)
                    break
        elif isinstance(event, ShootoutKickEvent) and stored.side:
            self.shootout = self.shootout or Score()
            if event.scored:
                self.shootout = self.shootout.plus(stored.side)

    def _derive_again(self, update: StoredEvent) -> None:
        """Take in a ``goal_update``: the match derived again with it (updates are rare)."""
        fresh = derive_from(self.fixture, [*self.ingested, update])
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(fresh, name))

    def _key(self, goal: ScoredGoal) -> tuple[tuple[int, int], int]:
        stored = self.by_id[goal.goal.id]
        return (stored.clock, stored.seq)

    def _rescore(self, start: int) -> None:
        """Recount the score after each goal from ``start`` on."""
        score = self.goals[start - 1].score_after if start > 0 else Score()
        for place in range(start, len(self.goals)):
            goal = self.goals[place]
            score = score.plus(goal.side)
            self.goals[place] = ScoredGoal(goal.goal, goal.side, score)
        self.score = score


def is_known_scorer(goal: GoalEvent) -> bool:
    """False for a goal whose scorer is not known: not named yet by the provider, or a goal a
    score-only provider synthesised (``score:…`` ids)."""
    return (
        goal.player is not None
        and not goal.id.startswith(SCORE_ONLY_GOAL)
        and goal.player.lower() not in NOT_A_NAME
    )


def scorer_credit(goal: GoalEvent) -> str | None:
    """The player a standing goal counts for in a scorers' ranking (``/scorers``, a
    player's streak): None for an own goal, or a goal whose scorer is not known. The one rule,
    which :meth:`storage.matches.MatchTables.scorer_counts` writes in SQL."""
    if goal.kind == "own_goal" or not is_known_scorer(goal):
        return None
    return goal.player


def rank_scorers(states: Iterable[MatchState], limit: int) -> list[tuple[str, str, int]]:
    """(player, team, goals) over ``states``, most goals first, then by player and team in
    code-point order: each standing goal credited by :func:`scorer_credit` to its scorer and
    to the team it counts for (the match's name of that side)."""
    goals: Counter[tuple[str, str]] = Counter()
    for state in states:
        for scored in state.goals:
            player = scorer_credit(scored.goal)
            if player is not None:
                fixture = state.fixture
                goals[(player, str(fixture.home if scored.side == "home" else fixture.away))] += 1
    ranked = sorted(goals.items(), key=lambda item: (-item[1], item[0]))
    return [(player, team, n) for (player, team), n in ranked[:limit]]


def stored_event(row: EventRow) -> StoredEvent:
    """An event row (as :meth:`~bot.store_contract.EventsStore.events` returns them) parsed."""
    return StoredEvent(row["seq"], row["side"], parse_object(json.loads(row["data"])))  # type: ignore[arg-type]


def side_for_event(fixture: Fixture, event: Event) -> Side | None:
    team = getattr(event, "team", None)
    return fixture.side_of(team) if team else None


def derive_state(fixture: Fixture, rows: list[EventRow]) -> MatchState:
    """Rebuild the match state from stored event rows (as :meth:`EventsStore.events` returns
    them)."""
    return derive_from(fixture, [stored_event(row) for row in rows])


def amended(
    fixture: Fixture, ingested: list[StoredEvent]
) -> tuple[list[StoredEvent], dict[str, StoredEvent]]:
    """The events with each goal as its latest ``goal_update`` made it (same seq, its side
    from the update's team), and those updates by goal id; updates of unknown goals are
    ignored."""
    updates: dict[str, StoredEvent] = {}
    for stored in sorted(ingested, key=lambda e: e.seq):
        if isinstance(stored.event, GoalUpdateEvent):
            updates[stored.event.ref] = stored
    events: list[StoredEvent] = []
    for stored in ingested:
        event = stored.event
        if isinstance(event, GoalUpdateEvent):
            continue
        update = updates.get(event.id)
        if isinstance(event, GoalEvent) and update is not None:
            assert isinstance(update.event, GoalUpdateEvent)
            new = update.event.amend(event)
            stored = StoredEvent(stored.seq, fixture.side_of(new.team), new)
        events.append(stored)
    known = {e.event.id for e in events}
    return events, {ref: u for ref, u in updates.items() if ref in known}


def derive_from(fixture: Fixture, ingested: list[StoredEvent]) -> MatchState:
    """The match state from its stored events (parsed), ``goal_update`` events included: each
    goal as its latest update made it, folded in feed order by :meth:`MatchState._take`, the
    one step :meth:`MatchState.add` takes too."""
    events, updates = amended(fixture, ingested)
    state = MatchState(fixture=fixture)
    for stored in sorted(events, key=lambda e: e.seq):
        state._take(stored)
    state.ingested = sorted(ingested, key=lambda e: e.seq)
    state.top_seq = max((e.seq for e in ingested), default=0)
    state.updates = updates
    for update in updates.values():
        state.by_id.setdefault(update.event.id, update)
    for stored in ingested:
        state.by_id.setdefault(stored.event.id, stored)
    return state


class KeptStates:
    """The one cache of match states, shared by everything that reads a match (the engine,
    the commands on the writing and on the read-only connection, the storylines, the
    reporters): the most recently used states, each derived from the store once, then grown
    by :meth:`advance`. A state is kept under its match and the store's ``events_version``
    (bumped by every event stored or removed), so a connection that sees an older version (a
    reader before the writer's commit) finds that one, and a state is derived again only when
    the events changed behind it (first look, another process, a rolled back ingest, a
    retraction) or its fixture changed. A kept state is never changed: :meth:`advance` grows a
    copy, so another thread may go on reading the one it has."""

    def __init__(self, size: int = 256) -> None:
        self.size = size
        self._states: OrderedDict[tuple[str, int], MatchState] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, store: EventsStore, fixture: Fixture) -> MatchState:
        """The match's state as ``store`` has its events now (do not change it)."""
        key = (fixture.id, store.events_version(fixture.id))
        with self._lock:
            kept = self._states.get(key)
            if kept is not None and kept.fixture == fixture:
                self._states.move_to_end(key)
                return kept
        state = derive_state(fixture, store.events(fixture.id))
        state.events_version = key[1]
        self._keep(key, state)
        return state

    def advance(self, store: EventsStore, state: MatchState, stored: StoredEvent) -> MatchState:
        """``state`` with the event just stored added (a copy: ``state`` stays as it was),
        kept under the match's new ``events_version``."""
        grown = state.copy()
        grown.add(stored)
        grown.events_version = store.events_version(state.fixture.id)
        self._keep((state.fixture.id, grown.events_version), grown)
        return grown

    def _keep(self, key: tuple[str, int], state: MatchState) -> None:
        with self._lock:
            self._states[key] = state
            self._states.move_to_end(key)
            while len(self._states) > self.size:
                self._states.popitem(last=False)
