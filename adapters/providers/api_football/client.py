"""API-Football v3 (api-sports.io): the HTTP client. What its answers mean in feed v1 is
:mod:`adapters.providers.api_football.translation`'s.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from typing import Any

import httpx

from adapters.providers.api_football.translation import PROVIDER, check_fixture, translate_fixture
from adapters.providers.errors import ProviderError
from adapters.providers.http import ProviderClient, ProviderHttp, Quota, header_int
from adapters.providers.shapes import lst, obj
from bot.snapshots import ProviderSnapshot

log = logging.getLogger(__name__)


DEFAULT_BASE_URL = "https://v3.football.api-sports.io"


MAX_IDS_PER_REQUEST = 20


class ApiFootball(ProviderClient):
    """Async client for API-Football v3.

    Every method raises :class:`ProviderError` on failure, including the API's "HTTP 200 with a
    non-empty ``errors``" answers (bad key, rate limit, plan limits...). ``quota`` holds the
    budget reported by the last response.
    """

    def __init__(
        self,
        key: str,
        base_url: str = DEFAULT_BASE_URL,
        client: httpx.AsyncClient | None = None,
        *,
        timeout: float = 10.0,
    ) -> None:
        self.http = ProviderHttp(
            PROVIDER,
            base_url,
            {"x-apisports-key": key},
            read_quota,
            client,
            timeout=timeout,
            key_variable="API_FOOTBALL_KEY",
        )

    # -- raw calls ---------------------------------------------------------------------------

    async def get(self, path: str, params: Mapping[str, str | int]) -> list[Any]:
        """GET ``path`` and return the ``response`` list (errors raise ProviderError)."""

        def check(answer: Any) -> None:
            errors = answer.get("errors") if isinstance(answer, dict) else None
            if errors:  # [] or {} when fine
                raise _api_error(errors, path)

        body = obj(await self.http.get(path, params, check), "response body", PROVIDER)
        return lst(body.get("response"), "response", PROVIDER)

    async def fixtures_for_team(self, team_id: int, next: int = 10) -> list[dict[str, Any]]:
        """The team's next ``next`` fixtures (raw API fixture objects)."""
        items = await self.get("fixtures", {"team": team_id, "next": next})
        return [check_fixture(it) for it in items]

    async def fixtures_of_league(
        self, league: int, season: int, date_from: str, date_to: str
    ) -> list[dict[str, Any]]:
        """A league season's fixtures between two dates (``YYYY-MM-DD``, both included):
        ``/fixtures?league=&season=&from=&to=`` (the API requires ``season`` with ``league``)."""
        items = await self.get(
            "fixtures", {"league": league, "season": season, "from": date_from, "to": date_to}
        )
        return [check_fixture(it) for it in items]

    async def fixture(self, fixture_id: int) -> dict[str, Any]:
        """One raw fixture object (with ``events`` when the API includes them)."""
        items = await self.get("fixtures", {"id": fixture_id})
        for it in items:
            fx = check_fixture(it)
            if fx["fixture"]["id"] == fixture_id:
                return fx
        raise ProviderError(f"fixture {fixture_id} not found", provider=PROVIDER)

    async def fixtures(self, ids: Iterable[int]) -> list[dict[str, Any]]:
        """Raw fixtures for ``ids`` (``?ids=a-b-c``, at most 20 per request), in ``ids`` order.

        Unknown ids are simply missing from the result.
        """
        wanted = list(dict.fromkeys(ids))
        found: dict[int, dict[str, Any]] = {}
        for start in range(0, len(wanted), MAX_IDS_PER_REQUEST):
            chunk = wanted[start : start + MAX_IDS_PER_REQUEST]
            items = await self.get("fixtures", {"ids": "-".join(str(i) for i in chunk)})
            for it in items:
                fx = check_fixture(it)
                found[fx["fixture"]["id"]] = fx
        return [found[i] for i in wanted if i in found]

    async def squad(self, team_id: int) -> list[dict[str, Any]]:
        """A team's squad (``/players/squads?team=``): its players, each ``{id, name, age,
        number, position, photo}`` as the API gives them (objects only)."""
        players: list[dict[str, Any]] = []
        for item in await self.get("players/squads", {"team": team_id}):
            listed = obj(item, "squad", PROVIDER).get("players")
            players += (
                [p for p in listed if isinstance(p, dict)] if isinstance(listed, list) else []
            )
        return players

    async def events(self, fixture_id: int) -> list[dict[str, Any]]:
        """Raw events of a fixture (``/fixtures/events``)."""
        items = await self.get("fixtures/events", {"fixture": fixture_id})
        return [obj(it, "event", PROVIDER) for it in items]

    async def snapshot(self, fixture_id: int) -> ProviderSnapshot:
        """The fixture translated to feed v1 (one request when the fixture embeds its events)."""
        fx = await self.fixture(fixture_id)
        events = fx.get("events")
        if not isinstance(events, list):
            events = await self.events(fixture_id)
        return translate_fixture(fx, events)


def read_quota(headers: httpx.Headers, quota: Quota) -> None:
    """The day's budget (``x-ratelimit-requests-*``) and the minute's (``X-RateLimit-*``)."""
    for attr, name in (
        ("day_limit", "x-ratelimit-requests-limit"),
        ("day_remaining", "x-ratelimit-requests-remaining"),
        ("minute_limit", "X-RateLimit-Limit"),
        ("minute_remaining", "X-RateLimit-Remaining"),
    ):
        value = header_int(headers, name)
        if value is not None:
            setattr(quota, attr, value)


def _api_error(errors: Any, path: str) -> ProviderError:
    items: list[tuple[str, str]]
    if isinstance(errors, dict):
        items = [(str(k), str(v)) for k, v in errors.items()]
    elif isinstance(errors, list):
        items = [("", str(v)) for v in errors]
    else:
        items = [("", str(errors))]
    text = "; ".join(f"{k}: {v}" if k else v for k, v in items)[:300]
    keys = {k.lower() for k, _ in items}
    if "ratelimit" in keys:
        return ProviderError(
            f"rate limited on /{path}: {text}",
            provider=PROVIDER,
            status=429,
            retry_after=60.0,
            retryable=True,
        )
    if "requests" in keys:
        return ProviderError(
            f"daily request quota exhausted on /{path}: {text}",
            provider=PROVIDER,
            status=429,
            retryable=False,
        )
    if "token" in keys:
        return ProviderError(
            f"API key refused on /{path}: {text}", provider=PROVIDER, status=401, retryable=False
        )
    return ProviderError(f"API error on /{path}: {text}", provider=PROVIDER, retryable=False)
