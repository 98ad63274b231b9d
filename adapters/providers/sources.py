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
``poll`` and ``fixtures`` never raise; ``team_fixtures`` (one team, for
:class:`bot.polling.LivePolling`'s discovery with retries) does, so a failure can be retried.

**Teams.** ``search_teams`` answers :class:`bot.team_search.TeamSearch` (API-Football
``/teams?search=``; football-data's competition team lists). Searches, competition team lists and
API-Football league seasons are kept in the store (``provider_cache``: a week, a month), so they
cost one request each, also across restarts. A search on API-Football stops at half the daily
reserve (:meth:`~adapters.providers.planning.PollPlanner.may_look_up`).
"""

from __future__ import annotations

import asyncio
import json
import logging
import math
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from datetime import datetime
from typing import Any

from adapters.providers import api_football, football_data
from adapters.providers.api_football import (
    MAX_IDS_PER_REQUEST,
    ApiFootball,
    SeasonSpan,
    translate_fixture,
)
from adapters.providers.errors import ProviderError
from adapters.providers.football_data import FootballData, translate_match
from adapters.providers.http import Quota
from adapters.providers.planning import MATCH_WINDOW, PollPlanner
from adapters.providers.score_only import fill_from_score
from adapters.providers.shapes import dig, opt_int, opt_str
from adapters.providers.team_map import Candidate, cached, our_names, pick
from adapters.providers.team_map import af_candidates as af_team_map
from adapters.providers.team_map import fd_candidates as fd_team_map
from adapters.providers.team_search import af_candidates, af_query, fd_candidates, fd_matches
from bot.snapshots import DiffState, FeedEvent, ProviderSnapshot, diff_snapshot
from bot.team_search import TeamCandidate
from storage.thread import StoreThread

log = logging.getLogger(__name__)

DEAD_STATES = frozenset({"postponed", "cancelled", "abandoned"})
SEARCH_TTL = 7 * 86400.0
"""Team searches and competition team lists are asked again after a week."""
LEAGUE_TTL = 30 * 86400.0
"""A league season's dates are asked again after a month."""
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
        self._day: list[tuple[str, float]] = []
        self._memo: dict[str, tuple[float, Any]] = {}

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
                decls = await self.team_fixtures(team)
            except Exception as err:
                log.warning(
                    "%s: fixtures of %s failed: %s",
                    self.provider,
                    team,
                    getattr(err, "message", None) or type(err).__name__,
                )
                continue
            for decl in decls:
                out[decl["match"]] = decl
        return list(out.values())

    async def team_fixtures(self, team: str) -> list[dict[str, Any]]:
        """``match`` declarations of the team's next ``next_fixtures`` fixtures (``[]`` when
        the provider has no such team). Raises on failure, so the caller can retry: a
        :class:`ProviderError` (retryable when waiting can help, e.g. no request left now)."""
        self._check_budget(f"fixtures of {team}")
        tid = await self._team_id(team)
        if tid is None:
            return []
        raw = await self._upcoming(int(tid))
        decls = []
        for item in raw:
            try:
                decls.append(await self._declaration(item))
            except ProviderError as err:
                log.warning("%s: skipped a fixture of %s: %s", self.provider, team, err.message)
        decls.sort(key=lambda d: str(d["kickoff"]))
        return decls[: self.next_fixtures]

    def _check_budget(self, what: str) -> None:
        """Raise a retryable ProviderError when the provider said no request is left now."""
        quota = self.quota
        if quota.day_remaining == 0:
            raise ProviderError(
                f"{what} postponed: no request left today",
                provider=self.provider,
                retryable=True,
            )
        if quota.minute_remaining == 0:
            raise ProviderError(
                f"{what} postponed: no request left this minute",
                provider=self.provider,
                retry_after=quota.reset_seconds or 60.0,
                retryable=True,
            )

    @abstractmethod
    async def search_teams(self, typed: str) -> list[TeamCandidate]:
        """See :class:`bot.team_search.TeamSearch` (failures are logged, never raised)."""

    def plan_day(self, kickoffs: Sequence[tuple[str, float]]) -> None:
        """The followed matches of this provider still to come today, (id, kick-off), so the
        quota plan keeps requests for them (called by :class:`bot.polling.LivePolling`)."""
        self._day = list(kickoffs)
        self.planner.check_day(self.quota, self._day)

    # -- cached answers ------------------------------------------------------------------------

    async def _recall(self, key: str, ttl: float | None) -> Any:
        """A provider answer kept earlier under ``key`` (younger than ``ttl``), else None."""
        now = self.clock()
        hit = self._memo.get(key)
        if hit is not None and (ttl is None or now - hit[0] < ttl):
            return hit[1]
        if self._db is None:
            return None
        row = await self._db.call(lambda s: s.cached_answer(self.name, key))
        if row is None or (ttl is not None and now - float(row["fetched_at"] or 0) >= ttl):
            return None
        try:
            value = json.loads(row["value"])
        except ValueError:
            return None
        self._memo[key] = (float(row["fetched_at"] or 0), value)
        return value

    async def _remember(
        self, key: str, ttl: float | None, fetch: Callable[[], Awaitable[Any]]
    ) -> Any:
        """The answer kept under ``key`` when fresh, else ``await fetch()`` kept (memory and
        store): searches, competition team lists and league seasons cost one request each."""
        value = await self._recall(key, ttl)
        if value is not None:
            return value
        value = await fetch()
        now = self.clock()
        self._memo[key] = (now, value)
        if self._db is not None:
            text = json.dumps(value, ensure_ascii=False)
            await self._db.call(lambda s: s.keep_answer(self.name, key, text, now))
        return value

    @abstractmethod
    async def _upcoming(self, team_id: int) -> list[dict[str, Any]]:
        """The provider's raw upcoming fixtures of one of its teams."""

    @abstractmethod
    async def _declaration(self, raw: dict[str, Any]) -> dict[str, Any]:
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
        planned = self.planner.plan_daily(
            self.quota, per_poll, self._kickoffs_polled(), later=self._day
        )
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
                    span = await self._season_span(fx, fetch=False)
                    out += await self._new_objects(translate_fixture(fx, events, span))
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

    async def _declaration(self, raw: dict[str, Any]) -> dict[str, Any]:
        return api_football.match_object(raw, await self._season_span(raw, fetch=True))

    async def _season_span(self, fx: dict[str, Any], *, fetch: bool) -> SeasonSpan | None:
        """Start and end dates of the fixture's league season (``/leagues?id=&season=``, asked
        once per league and season, at fixture discovery only; polls use what is kept)."""
        league = opt_int(dig(fx, "league", "id"))
        year = opt_int(dig(fx, "league", "season"))
        if league is None or year is None:
            return None
        key = f"leagues?id={league}&season={year}"
        try:
            if not fetch:
                kept = await self._recall(key, LEAGUE_TTL)
            else:
                kept = await self._remember(
                    key,
                    LEAGUE_TTL,
                    lambda: self._fetch_span(league, year),
                )
        except ProviderError as err:
            log.warning(
                "%s: season dates of league %s (%s) unavailable: %s",
                self.provider,
                league,
                year,
                err.message,
            )
            return None
        if not isinstance(kept, list) or len(kept) != 2:
            return None
        return (opt_str(kept[0]), opt_str(kept[1]))

    async def _fetch_span(self, league: int, year: int) -> list[str | None]:
        items = await self.client.get("leagues", {"id": league, "season": year})
        start, end = api_football.season_dates(items, year)
        return [start, end]

    async def _lookup_team(self, team_name: str, names: set[str]) -> Candidate | None:
        query = af_query(team_name)
        if query is None:  # the API's minimum
            return None
        items = await self._search(query)
        return pick(af_team_map(items), names, lone_ok=True)

    async def _search(self, query: str) -> list[Any]:
        """``/teams?search=`` answer items, kept a week (one request per new search)."""

        async def fetch() -> list[Any]:
            return await self.client.get("teams", {"search": query})

        items = await self._remember(f"teams?search={query.casefold()}", SEARCH_TTL, fetch)
        return items if isinstance(items, list) else []

    async def search_teams(self, typed: str) -> list[TeamCandidate]:
        query = af_query(typed)
        if query is None:
            log.info("%s: %r is too short to search (3 characters at least)", self.provider, typed)
            return []
        key = f"teams?search={query.casefold()}"
        if await self._recall(key, SEARCH_TTL) is None and not self.planner.may_look_up(self.quota):
            log.warning(
                "%s: team search for %r skipped: %s requests left today, kept for live matches",
                self.provider,
                typed,
                self.quota.day_remaining,
            )
            return []
        try:
            items = await self._search(query)
        except ProviderError as err:
            log.warning("%s: team search for %r failed: %s", self.provider, typed, err.message)
            return []
        return af_candidates(self.name, items)


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

    async def _declaration(self, raw: dict[str, Any]) -> dict[str, Any]:
        return football_data.match_object(raw)

    async def _competition_teams(self, code: str) -> dict[str, Any]:
        """``/competitions/{code}/teams``, slimmed to what team matching needs, kept a week."""

        async def fetch() -> dict[str, Any]:
            return slim_competition_teams(await self.client.get(f"competitions/{code}/teams"))

        body = await self._remember(f"competitions/{code}/teams", SEARCH_TTL, fetch)
        return body if isinstance(body, dict) else {}

    async def _lookup_team(self, team_name: str, names: set[str]) -> Candidate | None:
        for code in self.competitions:
            if self.quota.minute_remaining == 0:  # wait for the minute to reset
                await asyncio.sleep(min(60.0, self.quota.reset_seconds or 60.0))
            try:
                body = await self._competition_teams(code)
            except ProviderError as err:
                log.warning("%s: teams of %s unavailable: %s", self.provider, code, err.message)
                if err.retryable:
                    raise  # try the whole look-up again later
                self._memo[f"competitions/{code}/teams"] = (self.clock(), {"teams": []})
                continue
            found = pick(fd_team_map(body), names, lone_ok=False)
            if found is not None:
                return found
        return None

    async def search_teams(self, typed: str) -> list[TeamCandidate]:
        """The teams of the plan's competitions matching ``typed``. Competition lists not kept
        yet are fetched while the minute's budget lasts (the rest at the next search)."""
        found: list[TeamCandidate] = []
        skipped: list[str] = []
        for code in self.competitions:
            key = f"competitions/{code}/teams"
            body = await self._recall(key, SEARCH_TTL)
            if body is None:
                if (
                    self.quota.minute_remaining or 0
                ) <= 1 and self.quota.minute_remaining is not None:
                    skipped.append(code)
                    continue
                try:
                    body = await self._competition_teams(code)
                except ProviderError as err:
                    log.warning("%s: teams of %s unavailable: %s", self.provider, code, err.message)
                    skipped.append(code)
                    continue
            candidates = fd_candidates(self.name, code, body)
            tlas = {c.key: tla for c, tla in zip(candidates, _tlas(body), strict=False)}
            found += fd_matches(typed, candidates, tlas)
        if skipped:
            log.info(
                "%s: search for %r did not cover %s yet (minute budget)",
                self.provider,
                typed,
                ", ".join(skipped),
            )
        return found


def _tlas(body: dict[str, Any]) -> list[str]:
    teams = body.get("teams")
    return [
        str(t.get("tla") or "")
        for t in (teams if isinstance(teams, list) else [])
        if isinstance(t, dict) and opt_int(t.get("id")) is not None and opt_str(t.get("name"))
    ]


def slim_competition_teams(body: dict[str, Any]) -> dict[str, Any]:
    """What is kept of a competition's team list: names, codes and countries (no squads)."""
    teams = body.get("teams")
    return {
        "competition": {"name": opt_str(dig(body, "competition", "name"))},
        "teams": [
            {
                "id": t.get("id"),
                "name": t.get("name"),
                "shortName": t.get("shortName"),
                "tla": t.get("tla"),
                "area": {"name": opt_str(dig(t, "area", "name"))},
            }
            for t in (teams if isinstance(teams, list) else [])
            if isinstance(t, dict)
        ],
    }
