"""API-Football and football-data.org as :class:`bot.ports.MatchSource`\\ s the bot polls.

Each source translates the provider's snapshots to feed v1 and keeps, per match, the
:class:`~adapters.providers.base.DiffState` of :func:`~adapters.providers.base.diff_snapshot`,
so a poll returns the match declaration plus only the events new since the previous poll
(stable ids; dropped-and-re-added events never repeated; a goal held back until the provider's
score counts it; a vanished goal cancelled only when the score went down).

**Restarts.** The differ lives in memory. The first time a match is polled in a process, its
state is *seeded from the store*: every event the bot already ingested for the match counts as
announced (the stored copy is what was announced, so a goal the provider has since re-keyed is
recognised by rule 2 of ``diff_snapshot``), and every stored ``goal_cancelled`` marks its goal
cancelled. So after a restart nothing is announced twice (the engine would drop an exact id
anyway), a VAR cancellation first seen after the restart corrects the goal that was announced
before it, and a goal that vanished is only cancelled if it had been announced. Without a store
(a source used alone) the differ starts empty.

**Failures** (timeouts, 5xx, 429, JSON that is not JSON or not the expected shape) are logged
with the provider and the match ids; the state is left as it was (the last good one), and the
next poll comes after a backoff (``Retry-After`` honoured, see :mod:`adapters.providers.planning`).
``poll`` and ``fixtures`` never raise.
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import re
import time
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from adapters.providers import api_football, football_data
from adapters.providers.api_football import MAX_IDS_PER_REQUEST, ApiFootball, translate_fixture
from adapters.providers.errors import ProviderError
from adapters.providers.football_data import FootballData, translate_match
from adapters.providers.http import Quota
from adapters.providers.planning import MATCH_WINDOW, PollPlanner
from adapters.providers.score_only import fill_from_score
from adapters.providers.team_map import (
    Candidate,
    af_candidates,
    cached,
    fd_candidates,
    our_names,
    pick,
)
from bot.snapshots import DiffState, FeedEvent, ProviderSnapshot, diff_snapshot
from storage.thread import StoreThread

log = logging.getLogger(__name__)

DEAD_STATES = frozenset({"postponed", "cancelled", "abandoned"})
DEAD_RECHECK = 30 * 60.0
"""A postponed / cancelled / abandoned match is asked about again only this often."""
FD_FREE_COMPETITIONS = (
    "PL",
    "CL",
    "BL1",
    "SA",
    "PD",
    "FL1",
    "DED",
    "PPL",
    "ELC",
    "BSA",
    "EC",
    "WC",
)


def seed_state(rows: Sequence[dict[str, Any]]) -> DiffState:
    """A differ state that counts the stored events (``Store.events`` rows) as announced."""
    state = DiffState()
    for row in rows:
        try:
            data = json.loads(row["data"])
        except (TypeError, ValueError):
            continue
        if not isinstance(data, dict) or "type" not in data:
            continue
        state.seen[str(row["id"])] = data
        if data["type"] == "goal_cancelled" and data.get("ref") is not None:
            state.cancelled.add(str(data["ref"]))
    return state


def _kickoff(match: FeedEvent) -> float | None:
    try:
        return datetime.fromisoformat(str(match["kickoff"]).replace("Z", "+00:00")).timestamp()
    except (KeyError, ValueError):
        return None


class ProviderSource(ABC):
    """What both sources share: differs, store seeding, team-id cache, planning, closing."""

    name: str = ""
    provider: str = ""
    next_fixtures: int = 5

    def __init__(
        self,
        *,
        min_interval: float,
        reserve: int,
        clock: Callable[[], float] = time.time,
        match_window: float = MATCH_WINDOW,
    ) -> None:
        self.clock = clock
        self.planner = PollPlanner(
            self.provider, min_interval, reserve, clock, match_window=match_window
        )
        self._db: StoreThread | None = None
        self._states: dict[str, DiffState] = {}
        self._kickoffs: dict[str, float] = {}
        self._dead: dict[str, float] = {}
        self._team_ids: dict[str, str | None] = {}
        self._polled: list[str] = []

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def attach(self, db: StoreThread) -> None:
        """Use the bot's store (called by :class:`bot.polling.LivePolling` at start)."""
        self._db = db

    @abstractmethod
    async def aclose(self) -> None:
        """Close the provider client."""

    @property
    @abstractmethod
    def quota(self) -> Quota:
        """The provider's budget as last reported."""

    @abstractmethod
    def poll_interval(self, live_matches: int) -> float:
        """See :class:`bot.ports.MatchSource`."""

    @abstractmethod
    async def poll(self, match_ids: list[str]) -> list[dict[str, Any]]:
        """See :class:`bot.ports.MatchSource`."""

    async def fixtures(self, team_names: list[str]) -> list[dict[str, Any]]:
        """See :class:`bot.ports.MatchSource`: the next ``next_fixtures`` fixtures of each
        team the provider knows; a team or a fixture that fails is logged and skipped."""
        out: dict[str, dict[str, Any]] = {}
        for team in team_names:
            try:
                tid = await self._team_id(team)
                if tid is None:
                    continue
                raw = await self._upcoming(int(tid))
            except Exception as err:
                log.warning(
                    "%s: fixtures of %s failed: %s",
                    self.provider,
                    team,
                    getattr(err, "message", None) or type(err).__name__,
                )
                continue
            decls = []
            for item in raw:
                try:
                    decls.append(self._declaration(item))
                except ProviderError as err:
                    log.warning("%s: skipped a fixture of %s: %s", self.provider, team, err.message)
            decls.sort(key=lambda d: str(d["kickoff"]))
            for decl in decls[: self.next_fixtures]:
                out[decl["match"]] = decl
        return list(out.values())

    @abstractmethod
    async def _upcoming(self, team_id: int) -> list[dict[str, Any]]:
        """The provider's raw upcoming fixtures of one of its teams."""

    @abstractmethod
    def _declaration(self, raw: dict[str, Any]) -> dict[str, Any]:
        """A raw fixture as a feed-format ``match`` object (raises ProviderError)."""

    # -- diffing -------------------------------------------------------------------------------

    async def _state(self, match_id: str) -> DiffState:
        state = self._states.get(match_id)
        if state is not None:
            return state
        if self._db is None:
            return DiffState()
        rows = await self._db.call(lambda s: s.events(match_id))
        state = seed_state(rows)
        if rows:
            log.info("%s: %s resumed from %d stored events", self.provider, match_id, len(rows))
        self._states[match_id] = state
        return state

    def _prepare(self, snap: ProviderSnapshot, state: DiffState, raw: Any) -> ProviderSnapshot:
        return snap

    async def _new_objects(self, snap: ProviderSnapshot, raw: Any = None) -> list[FeedEvent]:
        """The match declaration and the events new in ``snap`` (state updated)."""
        mid = snap.match_id
        state = await self._state(mid)
        new, self._states[mid] = diff_snapshot(state, self._prepare(snap, state, raw))
        kickoff = _kickoff(snap.match)
        if kickoff is not None:
            self._kickoffs[mid] = kickoff
        if snap.status in DEAD_STATES:
            self._dead[mid] = self.clock()
        else:
            self._dead.pop(mid, None)
        return [snap.match, *new]

    def _due(self, match_ids: list[str]) -> list[str]:
        """The ids worth a request now (a dead match only every ``DEAD_RECHECK``)."""
        now = self.clock()
        return [m for m in match_ids if now - self._dead.get(m, -DEAD_RECHECK) >= DEAD_RECHECK]

    def _failed(self, what: str, err: BaseException) -> None:
        self.planner.failed(err)
        if isinstance(err, ProviderError):
            log.warning(
                "%s: %s failed, keeping the last good state: %s", self.provider, what, err.message
            )
        else:
            log.warning(
                "%s: %s failed, keeping the last good state: %s: %s",
                self.provider,
                what,
                type(err).__name__,
                str(err)[:200],
            )

    # -- planning ------------------------------------------------------------------------------

    def _kickoffs_polled(self) -> list[tuple[str, float]]:
        now = self.clock()
        return [(m, self._kickoffs.get(m, now)) for m in self._polled]

    # -- teams ---------------------------------------------------------------------------------

    async def _team_id(self, team_name: str) -> str | None:
        if team_name in self._team_ids:
            return self._team_ids[team_name]
        now = self.clock()
        names: set[str]
        if self._db is not None:
            known, tid = await self._db.call(lambda s: cached(s, self.name, team_name, now))
            if known:
                self._team_ids[team_name] = tid
                return tid
            names = await self._db.call(lambda s: our_names(s, team_name))
        else:
            names = our_names(None, team_name)
        found = await self._lookup_team(team_name, names)
        if found is None:
            log.warning(
                "%s: no team found for %r (asked again in a week)", self.provider, team_name
            )
        else:
            log.info("%s: team %r is %s (id %s)", self.provider, team_name, found.label, found.id)
        tid = found.id if found else None
        label = found.label if found else None
        if self._db is not None:
            await self._db.call(
                lambda s: s.save_provider_team(self.name, team_name, tid, label, now)
            )
        self._team_ids[team_name] = tid
        return tid

    @abstractmethod
    async def _lookup_team(self, team_name: str, names: set[str]) -> Candidate | None:
        """Ask the provider which of its teams ours is."""


class ApiFootballSource(ProviderSource):
    """API-Football v3: fixtures batched 20 per request (``?ids=``, events embedded).

    ``min_interval``: the shortest gap between polls; ``reserve``: requests of the day kept for
    team look-ups and fixtures; ``next_fixtures``: how many upcoming fixtures per team."""

    name = "af"
    provider = api_football.PROVIDER

    def __init__(
        self,
        client: ApiFootball,
        *,
        min_interval: float = 15.0,
        reserve: int = 10,
        next_fixtures: int = 5,
        clock: Callable[[], float] = time.time,
        match_window: float = MATCH_WINDOW,
    ) -> None:
        super().__init__(
            min_interval=min_interval, reserve=reserve, clock=clock, match_window=match_window
        )
        self.client = client
        self.next_fixtures = next_fixtures

    @property
    def quota(self) -> Quota:
        return self.client.quota

    async def aclose(self) -> None:
        await self.client.aclose()

    def poll_interval(self, live_matches: int) -> float:
        if live_matches <= 0:
            return max(self.planner.min_interval, self.planner.backoff())
        per_poll = math.ceil(live_matches / MAX_IDS_PER_REQUEST)
        planned = self.planner.plan_daily(self.quota, per_poll, self._kickoffs_polled())
        return max(planned, self.planner.backoff())

    async def poll(self, match_ids: list[str]) -> list[dict[str, Any]]:
        self._polled = list(match_ids)
        wanted: dict[int, str] = {}
        for mid in self._due(match_ids):
            number = mid.partition(":")[2]
            if number.isdigit():
                wanted[int(number)] = mid
            else:
                log.warning("%s: %r is not an API-Football fixture id", self.provider, mid)
        out: list[dict[str, Any]] = []
        ok = True
        ids = list(wanted)
        for start in range(0, len(ids), MAX_IDS_PER_REQUEST):
            chunk = ids[start : start + MAX_IDS_PER_REQUEST]
            names = ", ".join(wanted[i] for i in chunk)
            try:
                fixtures = await self.client.fixtures(chunk)
            except Exception as err:
                self._failed(f"poll of {names}", err)
                ok = False
                continue
            returned = set()
            for fx in fixtures:
                mid = f"af:{fx['fixture']['id']}"
                returned.add(fx["fixture"]["id"])
                try:
                    events = fx.get("events")
                    if not isinstance(events, list):
                        events = await self.client.events(fx["fixture"]["id"])
                    out += await self._new_objects(translate_fixture(fx, events))
                except Exception as err:
                    self._failed(f"poll of {mid}", err)
                    ok = False
            for missing in set(chunk) - returned:
                log.warning("%s: fixture %s was not in the answer", self.provider, wanted[missing])
        if ok:
            self.planner.succeeded()
        return out

    async def _upcoming(self, team_id: int) -> list[dict[str, Any]]:
        return await self.client.fixtures_for_team(team_id, next=self.next_fixtures)

    def _declaration(self, raw: dict[str, Any]) -> dict[str, Any]:
        return api_football.match_object(raw)

    async def _lookup_team(self, team_name: str, names: set[str]) -> Candidate | None:
        query = " ".join(re.sub(r"[^\w ]+", " ", team_name).split())
        if len(query) < 3:  # the API's minimum
            return None
        items = await self.client.get("teams", {"search": query})
        return pick(af_candidates(items), names, lone_ok=True)


class FootballDataSource(ProviderSource):
    """football-data.org v4: one ``/matches/{id}`` request per match and poll.

    On the free plan a match has only its status and score: goals (``Unknown scorer``) and
    shoot-out kicks are derived from the score (see :mod:`adapters.providers.score_only`).
    ``competitions``: where team names are looked up (the free plan's by default)."""

    name = "fd"
    provider = football_data.PROVIDER

    def __init__(
        self,
        client: FootballData,
        *,
        min_interval: float = 30.0,
        reserve: int = 3,
        competitions: Sequence[str] = FD_FREE_COMPETITIONS,
        next_fixtures: int = 10,
        clock: Callable[[], float] = time.time,
        match_window: float = MATCH_WINDOW,
    ) -> None:
        super().__init__(
            min_interval=min_interval, reserve=reserve, clock=clock, match_window=match_window
        )
        self.client = client
        self.competitions = tuple(competitions)
        self.next_fixtures = next_fixtures
        self._index: dict[str, list[Candidate]] = {}
        self._turn = 0

    @property
    def quota(self) -> Quota:
        return self.client.quota

    async def aclose(self) -> None:
        await self.client.aclose()

    def poll_interval(self, live_matches: int) -> float:
        per_poll = max(1, live_matches)
        return max(self.planner.plan_minute(self.quota, per_poll), self.planner.backoff())

    def _prepare(self, snap: ProviderSnapshot, state: DiffState, raw: Any) -> ProviderSnapshot:
        if isinstance(raw, dict) and not isinstance(raw.get("goals"), list):
            score = raw.get("score")
            return fill_from_score(snap, state, score if isinstance(score, dict) else None)
        return snap

    async def poll(self, match_ids: list[str]) -> list[dict[str, Any]]:
        self._polled = list(match_ids)
        due = self._due(match_ids)
        if due:  # start with a different match each poll, in case the minute runs out
            self._turn %= len(due)
            due = due[self._turn :] + due[: self._turn]
            self._turn += 1
        out: list[dict[str, Any]] = []
        ok = True
        for mid in due:
            number = mid.partition(":")[2]
            if not number.isdigit():
                log.warning("%s: %r is not a football-data match id", self.provider, mid)
                continue
            if self.quota.minute_remaining == 0:
                log.info(
                    "%s: minute budget used up, %s waits for the next poll", self.provider, mid
                )
                break
            try:
                raw = await self.client.match(int(number))
                out += await self._new_objects(translate_match(raw), raw)
            except Exception as err:
                self._failed(f"poll of {mid}", err)
                ok = False
        if ok:
            self.planner.succeeded()
        return out

    async def _upcoming(self, team_id: int) -> list[dict[str, Any]]:
        return await self.client.matches_for_team(team_id, status="SCHEDULED")

    def _declaration(self, raw: dict[str, Any]) -> dict[str, Any]:
        return football_data.match_object(raw)

    async def _lookup_team(self, team_name: str, names: set[str]) -> Candidate | None:
        for code in self.competitions:
            if code not in self._index:
                if self.quota.minute_remaining == 0:  # wait for the minute to reset
                    await asyncio.sleep(min(60.0, self.quota.reset_seconds or 60.0))
                try:
                    body = await self.client.get(f"competitions/{code}/teams")
                except ProviderError as err:
                    log.warning("%s: teams of %s unavailable: %s", self.provider, code, err.message)
                    if err.retryable:
                        raise  # try the whole look-up again at the next fixtures refresh
                    self._index[code] = []
                    continue
                self._index[code] = fd_candidates(body)
            found = pick(self._index[code], names, lone_ok=False)
            if found is not None:
                return found
        return None
