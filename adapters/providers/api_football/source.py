"""API-Football v3 as a live source."""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from datetime import date
from typing import Any

from adapters.providers.api_football import translation as api_football
from adapters.providers.api_football.client import MAX_IDS_PER_REQUEST, ApiFootball
from adapters.providers.api_football.depth import standings
from adapters.providers.api_football.translation import SeasonSpan, translate_fixture
from adapters.providers.errors import ProviderError
from adapters.providers.http import Quota
from adapters.providers.planning import MATCH_WINDOW, MAX_INTERVAL
from adapters.providers.polling_source import (
    LEAGUE_TTL,
    SEARCH_TTL,
    SQUAD_TTL,
    ProviderSource,
)
from adapters.providers.shapes import dig, opt_int, opt_str
from adapters.providers.squads import keep_squad
from adapters.providers.team_map import Candidate, pick
from adapters.providers.team_map import af_candidates as af_team_map
from adapters.providers.team_search import af_candidates, af_query
from bot.snapshots import ProviderSnapshot
from bot.team_choices import TeamCandidate

log = logging.getLogger(__name__)


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
        polled = self._kickoffs_polled()
        # one request polls 20 matches: fewer polls for competition-only matches means a longer
        # wait while only they are live, not leaving them out of a poll made anyway
        every = self.planner.thinning(self.quota, per_poll, polled, self._day, self._secondary)
        planned = self.planner.plan_daily(
            self.quota,
            per_poll,
            polled,
            later=self._day,
            secondary=self._secondary,
            every=every,
        )
        if every > 1 and self._polled and all(m in self._secondary for m in self._polled):
            planned = max(planned, min(planned * every, MAX_INTERVAL))
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
                    snap = translate_fixture(fx, events, span)
                    out += await self._new_objects(snap)
                    if snap.status == "scheduled":
                        out += self._changed_extras(mid, await self._table_before(fx, snap))
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

    async def _competition_upcoming(
        self, code: str, start: date, end: date
    ) -> list[dict[str, Any]]:
        league = int(code)
        season = await self._current_season(league)
        if season is None:
            log.warning("%s: league %s has no current season", self.provider, league)
            return []
        return await self.client.fixtures_of_league(
            league, season, start.isoformat(), end.isoformat()
        )

    def _state_of(self, raw: dict[str, Any]) -> str:
        short = str(dig(raw, "fixture", "status", "short") or "").upper()
        return api_football.STATUS_STATE.get(short, "unknown")

    async def _current_season(self, league: int) -> int | None:
        """The league's current season (``/leagues?id=&current=true``, kept a week): the
        ``season`` its fixtures are asked with."""

        async def fetch() -> list[Any]:
            items = await self.client.get("leagues", {"id": league, "current": "true"})
            years = []
            for item in items:
                seasons = dig(item, "seasons")
                for season in seasons if isinstance(seasons, list) else []:
                    year = opt_int(dig(season, "year"))
                    if year is not None and dig(season, "current") is True:
                        years.append(year)
            return years

        years = await self._remember(f"leagues?id={league}&current=true", SEARCH_TTL, fetch)
        found = [y for y in years if isinstance(y, int)] if isinstance(years, list) else []
        return max(found) if found else None

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

    async def _squad(self, team: str, team_id: str) -> None:
        """The team's squad (``/players/squads``, asked once a week per team while the day's
        reserve allows): each player not known yet is kept with the team and his API-Football
        id, so ``/subscribe player Carboni`` finds him, and says his team, before he has
        played; a player already known keeps the name he has."""
        if self._db is None or not team_id.isdigit():
            return
        key = f"players/squads?team={team_id}"
        if await self._recall(key, SQUAD_TTL) is not None:
            return
        if not self.planner.may_look_up(self.quota):
            return
        try:
            players = await self._remember(key, SQUAD_TTL, lambda: self.client.squad(int(team_id)))
        except ProviderError as err:
            log.warning("%s: the squad of %s is unavailable: %s", self.provider, team, err.message)
            return
        kept = await self._db.call(lambda s: keep_squad(s, team, "af", players))
        log.info("%s: %d players of %s's squad kept", self.provider, kept, team)

    async def _table_before(
        self, fx: dict[str, Any], snap: ProviderSnapshot
    ) -> list[dict[str, Any]]:
        """The league table before a match not started yet (``/standings?league=&season=``,
        asked once per league and season every ``STANDINGS_TTL``, while the day's reserve
        allows), as the match's ``standings`` object: the recap then says what the result
        did to it. Nothing for a cup without a table, or when the table misses a team."""
        league = opt_int(dig(fx, "league", "id"))
        year = opt_int(dig(fx, "league", "season"))
        if league is None or year is None:
            return []
        raw = await self._standings_answer(
            snap.match_id,
            f"standings?league={league}&season={year}",
            lambda: self.planner.may_look_up(self.quota),
            lambda: self.client.get("standings", {"league": league, "season": year}),
        )
        if raw is None:
            return []
        home = (opt_int(dig(fx, "teams", "home", "id")), str(snap.match["home"]))
        away = (opt_int(dig(fx, "teams", "away", "id")), str(snap.match["away"]))
        table = standings(snap.match_id, raw, home, away)
        return [table] if table is not None else []

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
