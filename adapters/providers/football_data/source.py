"""football-data.org v4 as a live source."""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable, Sequence
from datetime import date
from typing import Any

from adapters.providers.errors import ProviderError
from adapters.providers.football_data import translation as football_data
from adapters.providers.football_data.client import FootballData
from adapters.providers.football_data.translation import translate_match
from adapters.providers.http import Quota
from adapters.providers.planning import MATCH_WINDOW
from adapters.providers.polling_source import (
    FD_FREE_COMPETITIONS,
    SEARCH_TTL,
    ProviderSource,
)
from adapters.providers.score_only import fill_from_score
from adapters.providers.shapes import dig, opt_int, opt_str
from adapters.providers.standings import TableRow, table_before
from adapters.providers.team_map import Candidate, pick
from adapters.providers.team_map import fd_candidates as fd_team_map
from adapters.providers.team_search import fd_candidates, fd_matches
from bot.snapshots import DiffState, ProviderSnapshot
from bot.team_choices import TeamCandidate

log = logging.getLogger(__name__)


class FootballDataSource(ProviderSource):
    """football-data.org v4: one ``/matches/{id}`` request per match and poll.

    On the free plan a match has only its status and score: goals (``Unknown scorer``) and
    shoot-out kicks are derived from the score (see :mod:`adapters.providers.score_only`).
    ``competitions``: where team names are looked up (the free plan's by default);
    ``thin_target``: the poll interval beyond which matches followed only through a competition
    are left out of some polls (:mod:`adapters.providers.planning`)."""

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
        thin_target: float = 60.0,
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
        self.thin_target = thin_target

    @property
    def quota(self) -> Quota:
        return self.client.quota

    async def aclose(self) -> None:
        await self.client.aclose()

    def poll_interval(self, live_matches: int) -> float:
        """One request per match and poll within the minute's budget; when that stretches
        past ``thin_target``, competition-only matches are left out of some polls first."""
        extra = [m for m in self._polled if m in self._secondary]
        first = len(self._polled) - len(extra) if self._polled else live_matches
        self._every = self.planner.thinning_per_minute(self.quota, first, extra, self.thin_target)
        per_poll = max(1, first + math.ceil(len(extra) / self._every))
        return max(self.planner.plan_minute(self.quota, per_poll), self.planner.backoff())

    def _prepare(self, snap: ProviderSnapshot, state: DiffState, raw: Any) -> ProviderSnapshot:
        if isinstance(raw, dict) and not isinstance(raw.get("goals"), list):
            score = raw.get("score")
            return fill_from_score(snap, state, score if isinstance(score, dict) else None)
        return snap

    async def poll(self, match_ids: list[str]) -> list[dict[str, Any]]:
        self._polled = list(match_ids)
        due = self._thin(self._due(match_ids))
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
                snap = translate_match(raw)
                out += await self._new_objects(snap, raw)
                if snap.status == "scheduled":
                    out += self._changed_extras(mid, await self._table_before(raw, snap))
            except Exception as err:
                self._failed(f"poll of {mid}", err)
                ok = False
        if ok:
            self.planner.succeeded()
        return out

    async def _table_before(
        self, raw: dict[str, Any], snap: ProviderSnapshot
    ) -> list[dict[str, Any]]:
        """The competition's table before a match not started yet
        (``/competitions/{code}/standings``, its TOTAL tables, asked once per competition every
        ``STANDINGS_TTL`` while the minute's budget allows), as the match's ``standings``
        object. Nothing for a cup round without a table, or when the table misses a team."""
        code = opt_str(dig(raw, "competition", "code"))
        if code is None:
            return []
        key = f"competitions/{code}/standings"
        body = await self._standings_answer(
            snap.match_id,
            key,
            lambda: self.quota.minute_remaining != 0 and self.planner.may_look_up(self.quota),
            lambda: self.client.get(key),
        )
        if body is None:
            return []
        tables = dig(body, "standings")
        groups = [
            [
                TableRow(
                    opt_int(dig(row, "team", "id")),
                    opt_str(dig(row, "team", "name")),
                    opt_int(dig(row, "points")),
                    opt_int(dig(row, "playedGames")),
                    opt_int(dig(row, "goalDifference")),
                )
                for row in (dig(t, "table") if isinstance(dig(t, "table"), list) else [])
            ]
            for t in (tables if isinstance(tables, list) else [])
            if dig(t, "type") in (None, "TOTAL")
        ]
        mid = snap.match_id
        table = table_before(
            mid,
            groups,
            (opt_int(dig(raw, "homeTeam", "id")), str(snap.match["home"])),
            (opt_int(dig(raw, "awayTeam", "id")), str(snap.match["away"])),
            lambda what, text: self._log_once(mid, what, "%s: %s", self.provider, text),
        )
        return [table] if table is not None else []

    async def _upcoming(self, team_id: int) -> list[dict[str, Any]]:
        return await self.client.matches_for_team(team_id, status="SCHEDULED")

    async def _competition_upcoming(
        self, code: str, start: date, end: date
    ) -> list[dict[str, Any]]:
        return await self.client.matches_of_competition(code, start.isoformat(), end.isoformat())

    def _state_of(self, raw: dict[str, Any]) -> str:
        return football_data.STATUS_STATE.get(str(raw.get("status") or ""), "unknown")

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
