"""aiohttp fake servers for API-Football v3 and football-data.org v4.

Usage::

    async with FakeProvider.api_football(key="k") as fake:
        fake.script("/fixtures", {"id": 1035001}, "af_life_01_ns.json", "af_life_02_1h.json")
        client = ApiFootball("k", base_url=fake.base_url)

* ``script(path, params, *replies)``: successive answers for one URL (path + exact query); each
  request takes the next one, the last one repeats. A reply is a fixture file name (from
  ``tests/fixtures/providers``), a JSON-able dict/list (served with HTTP 200), or a :class:`Reply`
  (see :func:`rate_limited`, :func:`server_error`, :func:`slow`, :func:`garbage`,
  :func:`wrong_shape`). Unscripted URLs get the provider's "nothing here" answer.
* The auth header is checked (``x-apisports-key`` / ``X-Auth-Token``); a missing or wrong key gets
  the provider's real error shape (API-Football: HTTP 200 with ``errors.token``;
  football-data: 400 "Your API token is invalid." / 403 when missing).
* Every request is recorded (``requests``: method, path, query, headers).
* Unscripted, the fakes answer from small databases that follow the public documentation:
  API-Football ``GET /teams?search=`` (``teams``: at least 3 characters, letters, digits and
  spaces only, else the API's ``errors``; matches the team name *or its country*, like the real
  search), ``GET /leagues?id=&season=`` and ``?id=&current=true`` (``leagues``: seasons with
  ``start``/``end``, the latest current) and ``GET /fixtures?league=&season=[&from=&to=]``
  (``fixtures``; ``season`` required with ``league``, as the API says); football-data
  ``GET /v4/competitions/{code}/teams`` (``competition_teams``) and
  ``GET /v4/competitions/{code}/matches[?dateFrom=&dateTo=]`` (``fixtures``).
* Quota headers with decreasing counts: API-Football ``x-ratelimit-requests-limit/-remaining``
  (day) and ``X-RateLimit-Limit/-Remaining`` (minute); football-data
  ``X-Requests-Available-Minute`` and ``X-RequestCounter-Reset``. With
  ``enforce_minute_limit=True`` a request past the minute budget is refused the provider's way.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Literal

from aiohttp import web

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "providers"

Kind = Literal["api_football", "football_data"]


def load_fixture(name: str) -> Any:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


@dataclass
class Reply:
    body: Any = None
    """JSON-able body; or ``str`` sent verbatim when ``raw``."""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    raw: bool = False
    quota_headers: bool = True


def rate_limited(retry_after: float = 7, kind: Kind = "api_football") -> Reply:
    """HTTP 429 with ``Retry-After`` (and the provider's body)."""
    if kind == "football_data":
        body: Any = {
            "message": f"You reached your request limit. Wait {retry_after:g} seconds.",
            "errorCode": 429,
        }
        headers = {"Retry-After": f"{retry_after:g}", "X-RequestCounter-Reset": f"{retry_after:g}"}
    else:
        body = {"message": "Too many requests"}
        headers = {"Retry-After": f"{retry_after:g}"}
    return Reply(body=body, status=429, headers=headers)


def server_error(status: int = 500) -> Reply:
    return Reply(
        body="<html><body><h1>500 Internal Server Error</h1></body></html>",
        status=status,
        raw=True,
        headers={"Content-Type": "text/html"},
    )


def slow(body: Any, seconds: float) -> Reply:
    reply = body if isinstance(body, Reply) else Reply(body=body)
    reply.delay = seconds
    return reply


def garbage(text: str = "<html>upstream gateway said no</html>") -> Reply:
    """HTTP 200 whose body is not JSON."""
    return Reply(body=text, raw=True, headers={"Content-Type": "application/json"})


def wrong_shape(kind: Kind = "api_football") -> Reply:
    """HTTP 200 JSON of the wrong shape."""
    if kind == "football_data":
        return Reply(body=["not", "a", "match"])
    return Reply(
        body={
            "get": "fixtures",
            "parameters": {},
            "errors": [],
            "results": 1,
            "paging": {"current": 1, "total": 1},
            "response": {"fixture": 1},
        }
    )


def af_team(
    tid: int, name: str, country: str, *, national: bool = False, code: str | None = None
) -> dict[str, Any]:
    """An item of API-Football's ``/teams`` answer (``team`` and ``venue`` objects)."""
    return {
        "team": {
            "id": tid,
            "name": name,
            "code": code,
            "country": country,
            "founded": None,
            "national": national,
            "logo": f"https://media.api-sports.io/football/teams/{tid}.png",
        },
        "venue": {"id": None, "name": None, "address": None, "city": None, "capacity": None},
    }


AF_TEAMS: list[dict[str, Any]] = [
    af_team(2, "France", "France", national=True, code="FRA"),
    af_team(1566, "France U21", "France", national=True),
    af_team(1661, "France W", "France", national=True),
    af_team(768, "Italy", "Italy", national=True, code="ITA"),
    af_team(1669, "Italy W", "Italy", national=True),
    af_team(85, "Paris Saint Germain", "France", code="PAR"),
    af_team(81, "Marseille", "France", code="MAR"),
    af_team(505, "Inter", "Italy", code="INT"),
    af_team(1000, "Inter Turku", "Finland", code="INT"),
    af_team(9568, "Inter Miami", "USA", code="MIA"),
    af_team(15662, "Inter U23", "Italy"),
    af_team(228, "Sporting CP", "Portugal", code="SPO"),
    af_team(2722, "Sporting CP W", "Portugal"),
    af_team(9580, "Sporting Kansas City", "USA"),
    af_team(723, "Sporting Gijon", "Spain"),
    af_team(51, "Brighton", "England", code="BRI"),
    af_team(1090, "Norway", "Norway", national=True, code="NOR"),
    af_team(1672, "Norway W", "Norway", national=True),
    af_team(2356, "Nacional", "Uruguay", code="NAC"),
    af_team(4716, "Nacional", "Portugal", code="NAC"),
    af_team(1137, "Atletico Nacional", "Colombia"),
    af_team(451, "Boca Juniors", "Argentina", code="BOC"),
    af_team(32, "Egypt", "Egypt", national=True, code="EGY"),
]
"""A few of API-Football's teams: national sides (with their women's and youth sides), and
clubs that share a name across countries."""


def af_league(
    lid: int, name: str, kind: str, country: str, seasons: list[tuple[int, str, str]]
) -> dict[str, Any]:
    """An item of API-Football's ``/leagues`` answer (the latest season is the current one)."""
    latest = max((y for y, _, _ in seasons), default=None)
    return {
        "league": {"id": lid, "name": name, "type": kind, "logo": None},
        "country": {"name": country, "code": None, "flag": None},
        "seasons": [
            {"year": y, "start": start, "end": end, "current": y == latest, "coverage": {}}
            for y, start, end in seasons
        ],
    }


AF_LEAGUES: dict[int, dict[str, Any]] = {
    1: af_league(
        1,
        "World Cup",
        "Cup",
        "World",
        [(2006, "2006-06-09", "2006-07-09"), (2026, "2026-06-11", "2026-07-19")],
    ),
    135: af_league(135, "Serie A", "League", "Italy", [(2026, "2026-08-22", "2027-05-30")]),
    253: af_league(
        253, "Major League Soccer", "League", "USA", [(2026, "2026-02-21", "2026-12-05")]
    ),
}


def af_event(
    minute: int,
    team: dict[str, Any],
    player: tuple[int, str],
    kind: str,
    detail: str,
    assist: tuple[int, str] | None = None,
    extra: int | None = None,
) -> dict[str, Any]:
    """An event as API-Football v3 embeds it in ``/fixtures`` (and ``/fixtures/events``).

    ``team`` is ``{"id", "name", "logo"}``. For ``Goal`` / ``Own Goal`` the documented meaning
    applies: ``team`` is the side the goal counts *for*, ``player`` the opponent who put it in
    (see :func:`af_own_goal`)."""
    return {
        "time": {"elapsed": minute, "extra": extra},
        "team": team,
        "player": {"id": player[0], "name": player[1]},
        "assist": {"id": assist[0] if assist else None, "name": assist[1] if assist else None},
        "type": kind,
        "detail": detail,
        "comments": None,
    }


def af_own_goal(minute: int, counts_for: dict[str, Any], player: tuple[int, str]) -> dict[str, Any]:
    """An own goal as API-Football reports it: ``team`` is the side it counts for, ``player``
    plays for the other side, no assist; the fixture's ``goals`` include it for ``team``."""
    return af_event(minute, counts_for, player, "Goal", "Own Goal")


@dataclass
class Recorded:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]


#: A quota so large that a source's daily plan never stretches its polls past its
#: ``min_interval`` (with the default 7,500 a day, one live match is polled about every 1.1 s):
#: for tests of what polling finds, not of how requests are budgeted.
#: ``FakeProvider.api_football(key=KEY, **AMPLE_QUOTA)``
AMPLE_QUOTA: dict[str, int] = {"day_limit": 10_000_000, "minute_limit": 1_000_000}


class FakeProvider:
    def __init__(
        self,
        kind: Kind,
        key: str = "test-key",
        *,
        day_limit: int = 100,
        minute_limit: int = 30,
        enforce_minute_limit: bool = False,
    ) -> None:
        self.kind = kind
        self.key = key
        self.day_limit = day_limit
        self.day_remaining = day_limit
        self.minute_limit = minute_limit
        self.minute_remaining = minute_limit
        self.enforce_minute_limit = enforce_minute_limit
        self.requests: list[Recorded] = []
        self.teams: list[dict[str, Any]] = list(AF_TEAMS)
        self.leagues: dict[int, dict[str, Any]] = dict(AF_LEAGUES)
        self.competition_teams: dict[str, dict[str, Any]] = {}
        self.fixtures: list[dict[str, Any]] = []
        """API-Football raw fixtures (``/fixtures?league=&season=&from=&to=``) or football-data
        raw matches (``/competitions/{code}/matches?dateFrom=&dateTo=``)."""
        self._scripts: dict[tuple[str, tuple[tuple[str, str], ...]], list[Reply]] = {}
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    @classmethod
    def api_football(cls, key: str = "test-key", **kw: Any) -> FakeProvider:
        kw.setdefault("day_limit", 7500)
        kw.setdefault("minute_limit", 300)
        return cls("api_football", key, **kw)

    @classmethod
    def football_data(cls, key: str = "test-token", **kw: Any) -> FakeProvider:
        kw.setdefault("minute_limit", 10)
        return cls("football_data", key, **kw)

    @property
    def prefix(self) -> str:
        return "/v4" if self.kind == "football_data" else ""

    # -- scripting ---------------------------------------------------------------------------

    def script(self, path: str, params: dict[str, Any] | None, *replies: Any) -> None:
        """Answers for GET ``path`` with exactly ``params``, one per request; the last repeats."""
        if not replies:
            raise ValueError("script needs at least one reply")
        key = (self.prefix + path, tuple(sorted((k, str(v)) for k, v in (params or {}).items())))
        self._scripts[key] = [self._as_reply(r) for r in replies]

    @staticmethod
    def _as_reply(r: Any) -> Reply:
        if isinstance(r, Reply):
            return r
        if isinstance(r, str):
            return Reply(body=load_fixture(r))
        return Reply(body=r)

    # -- server --------------------------------------------------------------------------------

    async def start(self) -> str:
        app = web.Application()
        app.router.add_route("GET", "/{tail:.*}", self._handle)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        host, port = self._runner.addresses[0][:2]
        self.base_url = f"http://{host}:{port}{self.prefix}"
        return self.base_url

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeProvider:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    def _quota_headers(self) -> dict[str, str]:
        if self.kind == "api_football":
            return {
                "x-ratelimit-requests-limit": str(self.day_limit),
                "x-ratelimit-requests-remaining": str(self.day_remaining),
                "X-RateLimit-Limit": str(self.minute_limit),
                "X-RateLimit-Remaining": str(self.minute_remaining),
            }
        return {
            "X-API-Version": "v4",
            "X-Authenticated-Client": "matchbot tests",
            "X-Requests-Available-Minute": str(self.minute_remaining),
            "X-RequestCounter-Reset": "42",
        }

    def _auth_error(self, request: web.Request) -> web.Response | None:
        if self.kind == "api_football":
            if request.headers.get("x-apisports-key") == self.key:
                return None
            body = load_fixture("af_error_token.json")
            return web.json_response(body, status=200)
        token = request.headers.get("X-Auth-Token")
        if token == self.key:
            return None
        if token is None:
            return web.json_response(
                {
                    "message": "The resource you are looking for is restricted and apparently not "
                    "within your permission. Please check your subscription.",
                    "errorCode": 403,
                },
                status=403,
            )
        return web.json_response(
            {"message": "Your API token is invalid.", "errorCode": 400}, status=400
        )

    def _not_found(self, path: str) -> web.Response:
        if self.kind == "api_football":
            return web.json_response(
                {
                    "get": path.lstrip("/"),
                    "parameters": {},
                    "errors": [],
                    "results": 0,
                    "paging": {"current": 1, "total": 1},
                    "response": [],
                }
            )
        return web.json_response(
            {"message": "The resource you are looking for does not exist.", "errorCode": 404},
            status=404,
        )

    def _af_body(
        self, get: str, params: dict[str, str], response: list[Any], errors: Any = ()
    ) -> dict[str, Any]:
        return {
            "get": get,
            "parameters": params,
            "errors": errors or [],
            "results": len(response),
            "paging": {"current": 1, "total": 1},
            "response": response,
        }

    def _from_database(self, path: str, query: dict[str, str]) -> Any:
        if self.kind == "api_football" and path == "/teams" and "search" in query:
            text = query["search"]
            if len(text) < 3:
                return self._af_body(
                    "teams",
                    query,
                    [],
                    {"search": "The Search field must be at least 3 characters."},
                )
            if not all(c.isalnum() or c == " " for c in text):
                return self._af_body(
                    "teams", query, [], {"search": "The Search field must be alpha-numeric."}
                )
            wanted = text.casefold()
            found = [
                t
                for t in self.teams
                if wanted in t["team"]["name"].casefold()
                or wanted in str(t["team"]["country"]).casefold()
            ]
            return self._af_body("teams", query, found)
        if self.kind == "api_football" and path == "/leagues" and "id" in query:
            league = self.leagues.get(int(query["id"])) if query["id"].isdigit() else None
            if league is None:
                return self._af_body("leagues", query, [])
            item = dict(league)
            if query.get("current") == "true":
                item["seasons"] = [s for s in league["seasons"] if s["current"]]
            if "season" in query:
                item["seasons"] = [
                    s for s in league["seasons"] if str(s["year"]) == query["season"]
                ]
            return self._af_body("leagues", query, [item])
        if self.kind == "api_football" and path == "/fixtures" and "league" in query:
            return self._league_fixtures(query)
        if self.kind == "football_data" and path.startswith("/competitions/"):
            code = path.split("/")[2]
            if path.endswith("/teams") and code in self.competition_teams:
                return self.competition_teams[code]
            if path.endswith("/matches"):
                return self._competition_matches(code, query)
        return None

    def _league_fixtures(self, query: dict[str, str]) -> Any:
        """``/fixtures?league=&season=`` with optional ``from``/``to`` (both or neither), as
        documented: ``season`` is required with ``league``."""
        if "season" not in query:
            return self._af_body("fixtures", query, [], {"season": "The Season field is required."})
        if ("from" in query) != ("to" in query):
            return self._af_body(
                "fixtures", query, [], {"date": "The From and To fields are both required."}
            )
        found = [
            fx
            for fx in self.fixtures
            if str(fx["league"]["id"]) == query["league"]
            and str(fx["league"]["season"]) == query["season"]
            and query.get("from", "") <= fx["fixture"]["date"][:10] <= query.get("to", "9999")
        ]
        return self._af_body("fixtures", query, found)

    def _competition_matches(self, code: str, query: dict[str, str]) -> Any:
        """``/v4/competitions/{code}/matches`` with optional ``dateFrom``/``dateTo``."""
        found = [
            m
            for m in self.fixtures
            if m.get("competition", {}).get("code") == code
            and query.get("dateFrom", "") <= m["utcDate"][:10] <= query.get("dateTo", "9999")
        ]
        if code not in self.competition_teams and not found:
            return None  # an unknown competition: the API's 404
        return {
            "filters": dict(query),
            "resultSet": {"count": len(found)},
            "competition": {"code": code},
            "matches": found,
        }
        return None

    async def _handle(self, request: web.Request) -> web.StreamResponse:
        self.requests.append(
            Recorded(request.method, request.path, dict(request.query), dict(request.headers))
        )
        denied = self._auth_error(request)
        if denied is not None:
            return denied
        self.day_remaining = max(0, self.day_remaining - 1)
        if self.enforce_minute_limit and self.minute_remaining == 0:
            if self.kind == "api_football":
                return web.json_response(
                    load_fixture("af_error_ratelimit.json"), headers=self._quota_headers()
                )
            reply = rate_limited(42, "football_data")
            return web.json_response(
                reply.body, status=429, headers={**self._quota_headers(), **reply.headers}
            )
        self.minute_remaining = max(0, self.minute_remaining - 1)

        key = (request.path, tuple(sorted(request.query.items())))
        queue = self._scripts.get(key)
        if not queue:
            path = request.path[len(self.prefix) :]
            answer = self._from_database(path, dict(request.query))
            if answer is not None:
                return web.json_response(answer, headers=self._quota_headers())
            return self._not_found(path)
        reply = queue.pop(0) if len(queue) > 1 else queue[0]
        if reply.delay:
            await asyncio.sleep(reply.delay)
        headers = {**(self._quota_headers() if reply.quota_headers else {}), **reply.headers}
        if reply.raw:
            headers.setdefault("Content-Type", "text/plain")
            return web.Response(text=str(reply.body), status=reply.status, headers=headers)
        return web.json_response(reply.body, status=reply.status, headers=headers)


def af_lineup(
    team: dict[str, Any],
    formation: str | None,
    coach: str | None,
    start: list[tuple[int, str, int | None, str | None]],
    bench: list[tuple[int, str, int | None, str | None]],
    colour: str | None = "0068a8",
) -> dict[str, Any]:
    """An item of API-Football's ``lineups`` (embedded in ``/fixtures?id=``): players as (id,
    name, shirt number, ``pos`` letter); ``grid`` only for the XI, as the API gives it."""

    def player(p: tuple[int, str, int | None, str | None], grid: str | None) -> dict[str, Any]:
        return {"player": {"id": p[0], "name": p[1], "number": p[2], "pos": p[3], "grid": grid}}

    colors = (
        {
            "player": {"primary": colour, "number": "ffffff", "border": colour},
            "goalkeeper": {"primary": "222222", "number": "ffffff", "border": "222222"},
        }
        if colour
        else None
    )
    return {
        "team": {**team, "colors": colors},
        "coach": {"id": 2407, "name": coach, "photo": None} if coach else {"id": None},
        "formation": formation,
        "startXI": [player(p, f"{1 + i // 4}:{1 + i % 4}") for i, p in enumerate(start)],
        "substitutes": [player(p, None) for p in bench],
    }


AF_STAT_TYPES = (
    ("Shots on Goal", "shots_on_target"),
    ("Shots off Goal", None),
    ("Total Shots", "shots"),
    ("Blocked Shots", None),
    ("Shots insidebox", None),
    ("Shots outsidebox", None),
    ("Fouls", "fouls"),
    ("Corner Kicks", "corners"),
    ("Offsides", "offsides"),
    ("Ball Possession", "possession"),
    ("Yellow Cards", "yellow_cards"),
    ("Red Cards", "red_cards"),
    ("Goalkeeper Saves", "saves"),
    ("Total passes", None),
    ("Passes accurate", None),
    ("Passes %", None),
    ("expected_goals", "xg"),
)


def af_statistics(team: dict[str, Any], **figures: Any) -> dict[str, Any]:
    """An item of API-Football's ``statistics``: every type the API lists, in its order, each
    ``null`` unless given (possession as ``"45%"``, expected goals as ``"1.24"``, as the API
    writes them)."""
    rows = []
    for label, name in AF_STAT_TYPES:
        value = figures.get(name) if name else None
        if name == "possession" and isinstance(value, int):
            value = f"{value}%"
        if name == "xg" and isinstance(value, float):
            value = f"{value:.2f}"
        rows.append({"type": label, "value": value})
    return {"team": team, "statistics": rows}


def af_players(team: dict[str, Any], rated: list[tuple[int, str, str | None]]) -> dict[str, Any]:
    """An item of API-Football's ``players``: each player's ``games.rating`` is a string (or
    ``null`` for a player who did not play)."""
    return {
        "team": {**team, "update": "2026-01-01T00:00:00+00:00"},
        "players": [
            {
                "player": {"id": pid, "name": name, "photo": None},
                "statistics": [
                    {
                        "games": {
                            "minutes": 90 if rating else None,
                            "number": None,
                            "position": "M",
                            "rating": rating,
                            "captain": False,
                            "substitute": rating is None,
                        },
                        "goals": {"total": None, "conceded": 0, "assists": None, "saves": None},
                    }
                ],
            }
            for pid, name, rating in rated
        ],
    }


def af_standings(
    league: dict[str, Any], rows: list[tuple[dict[str, Any], int, int, int]]
) -> dict[str, Any]:
    """API-Football's ``/standings?league=&season=`` answer: one group, each row (team, points,
    played, goal difference) with its rank, as the API lists it."""
    table = [
        {
            "rank": rank,
            "team": team,
            "points": points,
            "goalsDiff": difference,
            "group": f"{league['name']}",
            "form": "WWDLW",
            "status": "same",
            "description": None,
            "all": {"played": played, "win": None, "draw": None, "lose": None},
            "update": "2026-01-20T00:00:00+00:00",
        }
        for rank, (team, points, played, difference) in enumerate(rows, start=1)
    ]
    return {
        "get": "standings",
        "parameters": {"league": str(league["id"]), "season": str(league["season"])},
        "errors": [],
        "results": 1,
        "paging": {"current": 1, "total": 1},
        "response": [{"league": {**league, "standings": [table]}}],
    }


def af_squad(
    team: dict[str, Any], players: list[tuple[int, str, int | None, str]]
) -> dict[str, Any]:
    """API-Football's ``/players/squads?team=`` answer: players as (id, name, number,
    position), with the age and photo the API adds."""
    return {
        "get": "players/squads",
        "parameters": {"team": str(team["id"])},
        "errors": [],
        "results": 1,
        "paging": {"current": 1, "total": 1},
        "response": [
            {
                "team": team,
                "players": [
                    {
                        "id": pid,
                        "name": name,
                        "age": 24,
                        "number": number,
                        "position": position,
                        "photo": f"https://media.api-sports.io/football/players/{pid}.png",
                    }
                    for pid, name, number, position in players
                ],
            }
        ],
    }
