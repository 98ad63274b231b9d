"""football-data.org v4: the HTTP client (matches, standings, scorers). What its answers mean in
feed v1 is :mod:`adapters.providers.football_data.translation`'s.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import httpx

from adapters.providers.errors import ProviderError
from adapters.providers.football_data.translation import PROVIDER, check_match, translate_match
from adapters.providers.http import (
    ProviderClient,
    ProviderHttp,
    Quota,
    header_int,
    parse_retry_after,
)
from adapters.providers.shapes import dig, lst, obj, opt_int, opt_str, req_int, req_str
from bot.snapshots import ProviderSnapshot

DEFAULT_BASE_URL = "https://api.football-data.org/v4"


FREE_PLAN_PER_MINUTE = 10


@dataclass(frozen=True)
class StandingRow:
    position: int
    team: str
    team_id: int | None
    played: int
    won: int
    draw: int
    lost: int
    goals_for: int
    goals_against: int
    goal_difference: int
    points: int
    group: str | None = None
    form: str | None = None


@dataclass(frozen=True)
class ScorerRow:
    player: str
    team: str
    goals: int
    assists: int | None
    penalties: int | None
    played: int | None = None


class FootballData(ProviderClient):
    """Async client for football-data.org v4. Every method raises :class:`ProviderError`."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_BASE_URL,
        client: httpx.AsyncClient | None = None,
        *,
        timeout: float = 10.0,
        minute_limit: int | None = FREE_PLAN_PER_MINUTE,
    ) -> None:
        self.http = ProviderHttp(
            PROVIDER,
            base_url,
            {"X-Auth-Token": token},
            read_quota,
            client,
            timeout=timeout,
            quota=Quota(minute_limit=minute_limit),
            key_variable="FOOTBALL_DATA_TOKEN",
        )

    async def get(self, path: str, params: Mapping[str, str | int] | None = None) -> dict[str, Any]:
        """GET ``path``; the JSON object answered (errors raise ProviderError)."""

        def check(answer: Any) -> None:
            if isinstance(answer, dict) and answer.get("errorCode") not in (None, 200):
                raise ProviderError(
                    f"API error on /{path}: {answer.get('message')}",
                    provider=PROVIDER,
                    status=opt_int(answer.get("errorCode")),
                )

        return obj(await self.http.get(path, params, check), "response body", PROVIDER)

    async def matches_for_team(
        self,
        team_id: int,
        status: str | None = None,
        date_from: str | None = None,
        date_to: str | None = None,
    ) -> list[dict[str, Any]]:
        """Raw match objects of ``/teams/{id}/matches`` (dates ``YYYY-MM-DD``)."""
        params: dict[str, str | int] = {}
        if status:
            params["status"] = status
        if date_from:
            params["dateFrom"] = date_from
        if date_to:
            params["dateTo"] = date_to
        body = await self.get(f"teams/{team_id}/matches", params)
        return [check_match(m) for m in lst(body.get("matches"), "matches", PROVIDER)]

    async def matches_of_competition(
        self, code: str, date_from: str, date_to: str
    ) -> list[dict[str, Any]]:
        """Raw match objects of ``/competitions/{code}/matches?dateFrom=&dateTo=`` (dates
        ``YYYY-MM-DD``, both included)."""
        body = await self.get(
            f"competitions/{code}/matches", {"dateFrom": date_from, "dateTo": date_to}
        )
        return [check_match(m) for m in lst(body.get("matches"), "matches", PROVIDER)]

    async def match(self, match_id: int) -> dict[str, Any]:
        """One raw match object (``/matches/{id}``)."""
        body = await self.get(f"matches/{match_id}")
        if isinstance(body.get("match"), dict):  # v2-style wrapper
            body = body["match"]
        return check_match(body)

    async def snapshot(self, match_id: int) -> ProviderSnapshot:
        return translate_match(await self.match(match_id))

    async def standings(self, code: str) -> list[StandingRow]:
        """The TOTAL table(s) of ``/competitions/{code}/standings`` (all groups, in order)."""
        body = await self.get(f"competitions/{code}/standings")
        rows: list[StandingRow] = []
        tables = lst(body.get("standings"), "standings", PROVIDER)
        totals = [t for t in tables if dig(t, "type") in (None, "TOTAL")] or tables
        for table in totals:
            table = obj(table, "standings[]", PROVIDER)
            group = opt_str(table.get("group"))
            for raw in lst(table.get("table"), "standings[].table", PROVIDER):
                r = obj(raw, "table row", PROVIDER)

                def num(key: str, r: dict[str, Any] = r) -> int:
                    return req_int(r.get(key), f"table row {key}", PROVIDER)

                rows.append(
                    StandingRow(
                        position=num("position"),
                        team=req_str(dig(r, "team", "name"), "table row team.name", PROVIDER),
                        team_id=opt_int(dig(r, "team", "id")),
                        played=num("playedGames"),
                        won=num("won"),
                        draw=num("draw"),
                        lost=num("lost"),
                        goals_for=num("goalsFor"),
                        goals_against=num("goalsAgainst"),
                        goal_difference=num("goalDifference"),
                        points=num("points"),
                        group=group,
                        form=opt_str(r.get("form")),
                    )
                )
        return rows

    async def scorers(self, code: str, limit: int = 10) -> list[ScorerRow]:
        """Top scorers of ``/competitions/{code}/scorers``."""
        body = await self.get(f"competitions/{code}/scorers", {"limit": limit})
        out: list[ScorerRow] = []
        for raw in lst(body.get("scorers"), "scorers", PROVIDER):
            r = obj(raw, "scorer row", PROVIDER)
            out.append(
                ScorerRow(
                    player=req_str(dig(r, "player", "name"), "scorer player.name", PROVIDER),
                    team=req_str(dig(r, "team", "name"), "scorer team.name", PROVIDER),
                    goals=req_int(r.get("goals"), "scorer goals", PROVIDER),
                    assists=opt_int(r.get("assists")),
                    penalties=opt_int(r.get("penalties")),
                    played=opt_int(r.get("playedMatches")),
                )
            )
        return out


def read_quota(headers: httpx.Headers, quota: Quota) -> None:
    """The minute's budget (``X-Requests-Available-Minute``, ``X-RequestCounter-Reset``)."""
    remaining = header_int(headers, "X-Requests-Available-Minute")
    if remaining is not None:
        quota.minute_remaining = remaining
    quota.reset_seconds = parse_retry_after(headers.get("X-RequestCounter-Reset"))
