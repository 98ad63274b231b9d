"""What both live sources share (:class:`ProviderSource`): differs seeded from the store, the
team-id cache, cached provider answers, fixture look-ups, planning, closing. Each provider's own
source is ``adapters/providers/<provider>/source.py``.

Each source translates the provider's snapshots to feed v1 and keeps, per match, the
:class:`~bot.snapshots.DiffState` of :func:`~bot.snapshots.diff_snapshot`,
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
``poll`` and ``fixtures`` never raise; ``team_fixtures`` (one team) and ``competition_fixtures``
(a followed competition's fixtures of the week ahead, through its provider id in
``bot/data/provider_competitions.json``), for :class:`~bot.scheduler.LivePolling`'s discovery with
retries, do, so a failure can be retried.

**Teams.** ``search_teams`` answers :class:`bot.team_choices.TeamSearch` (API-Football
``/teams?search=``; football-data's competition team lists). Searches, competition team lists and
API-Football league seasons are kept in the store (``provider_cache``: a week, a month), so they
cost one request each, also across restarts. A search on API-Football stops at half the daily
reserve (:meth:`~adapters.providers.planning.PollPlanner.may_look_up`).
"""

from __future__ import annotations

import json
import logging
import time
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from adapters.providers.errors import ProviderError
from adapters.providers.http import Quota
from adapters.providers.planning import MATCH_WINDOW, PollPlanner
from adapters.providers.team_map import Candidate, cached, our_names
from bot.competitions import provider_code, provider_codes
from bot.faults import told
from bot.feed_format import FeedEvent
from bot.snapshots import DiffState, ProviderSnapshot, diff_snapshot
from bot.store_contract import DatabaseThread, EventRow
from bot.team_choices import TeamCandidate

log = logging.getLogger(__name__)

DEAD_STATES = frozenset({"postponed", "cancelled", "abandoned"})
SEARCH_TTL = 7 * 86400.0
"""Team searches and competition team lists are asked again after a week."""
LEAGUE_TTL = 30 * 86400.0
#: How long a league's table is kept before it is asked again (the table before a match: a few
#: requests per match day at most)
STANDINGS_TTL = 6 * 3600.0
#: How long a team's squad is kept before it is asked again
SQUAD_TTL = 7 * 86400.0
"""A league season's dates are asked again after a month."""
COMPETITION_DAYS = 7
"""A followed competition's fixtures are looked up from today to this many days ahead (the
6-hourly refresh moves the window on)."""
OVER_STATES = frozenset({"finished", "awarded", "postponed", "cancelled", "abandoned"})
"""A competition's fixtures in these states are not declared (nothing left to follow)."""
DEAD_RECHECK = 30 * 60.0
"""A postponed / cancelled / abandoned match is asked about again only this often."""
FD_FREE_COMPETITIONS = provider_codes("fd")
"""The competitions football-data.org's free plan covers: the codes of the bundled list
(``bot/data/provider_competitions.json``)."""


def seed_state(rows: Sequence[EventRow]) -> DiffState:
    """A differ state that counts the stored events (``Store.events`` rows) as announced."""
    state = DiffState()
    for row in rows:
        try:
            data = json.loads(row["data"])
        except (TypeError, ValueError):
            continue
        if not isinstance(data, dict) or "type" not in data:
            continue
        if data["type"] == "goal_update":
            state.take_update(data)
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
        self._db: DatabaseThread | None = None
        self._states: dict[str, DiffState] = {}
        self._kickoffs: dict[str, float] = {}
        self._dead: dict[str, float] = {}
        #: the match data last passed on, per match and kind
        self._extras: dict[str, dict[str, FeedEvent]] = {}
        self._team_ids: dict[str, str | None] = {}
        self._polled: list[str] = []
        self._day: list[tuple[str, float]] = []
        self._memo: dict[str, tuple[float, Any]] = {}
        self._secondary: frozenset[str] = frozenset()
        self._every = 1
        self._round = 0
        self._logged: set[tuple[str, str]] = set()

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.name!r})"

    def attach(self, db: DatabaseThread) -> None:
        """Use the bot's store (called by :class:`~bot.scheduler.LivePolling` at start)."""
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
                log.log(
                    logging.DEBUG if told(err) else logging.WARNING,
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
        await self._squad(team, tid)
        raw = await self._upcoming(int(tid))
        decls = []
        for item in raw:
            try:
                decls.append(await self._declaration(item))
            except ProviderError as err:
                log.warning("%s: skipped a fixture of %s: %s", self.provider, team, err.message)
        decls.sort(key=lambda d: str(d["kickoff"]))
        return decls[: self.next_fixtures]

    async def competition_fixtures(self, competition: str) -> list[dict[str, Any]]:
        """``match`` declarations of a followed competition's fixtures from today to
        ``COMPETITION_DAYS`` ahead, not finished yet, named after our ``competition`` (so they
        belong to it whatever the provider calls it). ``[]`` when the provider has no id for
        the competition (``bot/data/provider_competitions.json``). Raises on failure, like
        :meth:`team_fixtures`, so the look-up can be retried."""
        code = provider_code(self.name, competition)
        if code is None:
            log.info(
                "%s: no league known for %s: only its matches declared otherwise are polled",
                self.provider,
                competition,
            )
            return []
        self._check_budget(f"fixtures of {competition}")
        today = datetime.fromtimestamp(self.clock(), UTC).date()
        raw = await self._competition_upcoming(
            code, today, today + timedelta(days=COMPETITION_DAYS)
        )
        decls = []
        for item in raw:
            if self._state_of(item) in OVER_STATES:
                continue
            try:
                decl = await self._declaration(item)
            except ProviderError as err:
                log.warning(
                    "%s: skipped a fixture of %s: %s", self.provider, competition, err.message
                )
                continue
            decl["competition"] = competition
            decls.append(decl)
        decls.sort(key=lambda d: (str(d["kickoff"]), str(d["match"])))
        log.info(
            "%s: %d fixtures of %s (%s) in the next %d days",
            self.provider,
            len(decls),
            competition,
            code,
            COMPETITION_DAYS,
        )
        return decls

    @abstractmethod
    async def _competition_upcoming(
        self, code: str, start: date, end: date
    ) -> list[dict[str, Any]]:
        """The provider's raw fixtures of one of its competitions between two days."""

    @abstractmethod
    def _state_of(self, raw: dict[str, Any]) -> str:
        """A raw fixture's state (``ProviderStatus``: ``scheduled``, ``finished``...)."""

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
        """See :class:`bot.team_choices.TeamSearch` (failures are logged, never raised)."""

    def plan_day(self, kickoffs: Sequence[tuple[str, float]]) -> None:
        """The followed matches of this provider still to come today, (id, kick-off), so the
        quota plan keeps requests for them (called by :class:`~bot.scheduler.LivePolling`)."""
        self._day = list(kickoffs)
        self.planner.check_day(self.quota, self._day)

    def prioritise(self, secondary: Iterable[str]) -> None:
        """The followed matches that chats follow only through a competition: the first to get
        fewer polls when the quota runs short (called by :class:`~bot.scheduler.LivePolling`)."""
        self._secondary = frozenset(secondary)

    def _thin(self, due: list[str]) -> list[str]:
        """The ids to poll this time: every match of a followed team or player, and one
        competition-only match in ``_every`` (a different share each poll)."""
        if self._every <= 1:
            return due
        extra = [m for m in due if m in self._secondary]
        keep = {m for i, m in enumerate(extra) if (i + self._round) % self._every == 0}
        self._round += 1
        return [m for m in due if m not in self._secondary or m in keep]

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

    async def _squad(self, team: str, team_id: str) -> None:
        """Keep the followed team's players, so a fan can follow one before he plays (a
        provider that lists squads does; failures are logged, never raised). Without squads
        (football-data.org's free plan): nothing to keep."""
        del team, team_id

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
        for problem in [*snap.problems, *self._states[mid].notes]:
            # logged once per match; the poll goes on with what adds up
            self._log_once(mid, problem, "%s: %s: %s", self.provider, mid, problem)
        kickoff = _kickoff(snap.match)
        if kickoff is not None:
            self._kickoffs[mid] = kickoff
        if snap.status in DEAD_STATES:
            self._dead[mid] = self.clock()
        else:
            self._dead.pop(mid, None)
        return [self._with_clock(snap), *new, *self._changed_extras(mid, snap.extras)]

    def _changed_extras(self, mid: str, extras: list[FeedEvent]) -> list[FeedEvent]:
        """The match data that differs from what this source last passed on (the engine keeps
        one per kind and edits its message when it changes)."""
        kept = self._extras.setdefault(mid, {})
        changed = []
        for extra in extras:
            key = f"{extra.get('type')}:{extra.get('team') or extra.get('period') or ''}"
            if kept.get(key) != extra:
                kept[key] = extra
                changed.append(extra)
        return changed

    def _with_clock(self, snap: ProviderSnapshot) -> FeedEvent:
        """The match declaration with the provider's clock: its status and minute (the
        status ``unknown`` is logged once per match and left out)."""
        match = dict(snap.match)
        if snap.status == "unknown":
            self._log_once(
                snap.match_id,
                "status",
                "%s: %s has a status the bot does not know (%r): its clock is left out",
                self.provider,
                snap.match_id,
                snap.provider_status,
            )
            return match
        match["status"] = snap.status
        if snap.elapsed is not None and snap.live:
            match["clock_minute"] = max(0, min(130, snap.elapsed))
            if snap.stoppage and 0 < snap.stoppage <= 30:
                match["clock_stoppage"] = snap.stoppage
        elif snap.elapsed is not None and snap.status == "abandoned":
            match["clock_minute"] = max(0, min(130, snap.elapsed))
        return match

    async def _standings_answer(
        self,
        match_id: str,
        key: str,
        may_ask: Callable[[], bool],
        fetch: Callable[[], Awaitable[Any]],
    ) -> Any:
        """The provider's table answer kept under ``key`` (younger than ``STANDINGS_TTL``),
        else ``await fetch()`` kept when ``may_ask()`` (the request budget allows one); None
        when it may not ask, or when the provider failed (logged once per match)."""
        try:
            raw = await self._recall(key, STANDINGS_TTL)
            if raw is None:
                if not may_ask():
                    return None
                raw = await self._remember(key, STANDINGS_TTL, fetch)
        except ProviderError as err:
            self._log_once(
                match_id,
                "standings",
                "%s: the table for %s is unavailable: %s",
                self.provider,
                match_id,
                err.message,
            )
            return None
        return raw

    def _log_once(self, match_id: str, what: str, message: str, *args: object) -> None:
        """Log a provider's odd answer once per match and kind (the poller goes on)."""
        key = (match_id, what)
        if key in self._logged:
            return
        self._logged.add(key)
        log.warning(message, *args)

    def _due(self, match_ids: list[str]) -> list[str]:
        """The ids worth a request now: a dead match only every ``DEAD_RECHECK``; a match
        before its live window only for its line-ups, once in a while until both are in (see
        :meth:`~adapters.providers.planning.PollPlanner.lineup_due`)."""
        now = self.clock()
        due = []
        for m in match_ids:
            if now - self._dead.get(m, -DEAD_RECHECK) < DEAD_RECHECK:
                continue
            early = self.planner.lineup_due(
                m, self._kickoffs.get(m), self._lineups_in(m), m in self._secondary
            )
            if early is None or early:
                due.append(m)
        return due

    def _lineups_in(self, match_id: str) -> bool:
        """Whether both teams' line-ups of the match were passed on."""
        return sum(k.startswith("lineup:") for k in self._extras.get(match_id, {})) >= 2

    def _failed(self, what: str, err: BaseException) -> None:
        self.planner.failed(err)
        if told(err):  # a rejected key: told once, where it was found
            log.debug("%s: %s failed: %s", self.provider, what, err)
        elif isinstance(err, ProviderError):
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
