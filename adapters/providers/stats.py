"""League tables and top scorers from football-data.org, for ``/table`` and ``/scorers``."""

from __future__ import annotations

from adapters.providers.football_data import FootballData
from bot.ports import ScorerLine, TableRow
from bot.teams import normalize

# football-data.org competition codes (the free plan covers all of these).
COMPETITIONS: dict[str, str] = {
    "serie a": "SA",
    "premier league": "PL",
    "la liga": "PD",
    "primera division": "PD",
    "bundesliga": "BL1",
    "ligue 1": "FL1",
    "eredivisie": "DED",
    "primeira liga": "PPL",
    "championship": "ELC",
    "campeonato brasileiro serie a": "BSA",
    "champions league": "CL",
    "uefa champions league": "CL",
    "european championship": "EC",
    "world cup": "WC",
    "fifa world cup": "WC",
}


class FootballDataStats:
    """:class:`bot.ports.StatsSource` backed by the football-data.org client."""

    def __init__(self, client: FootballData) -> None:
        self.client = client

    def competition_code(self, name: str) -> str | None:
        key = normalize(name)
        if key.upper() in set(COMPETITIONS.values()):
            return key.upper()
        return COMPETITIONS.get(key)

    async def table(self, code: str) -> list[TableRow]:
        rows = await self.client.standings(code)
        return [
            TableRow(
                r.position, r.team, r.played, r.won, r.draw, r.lost, r.goal_difference, r.points
            )
            for r in rows
        ]

    async def top_scorers(self, code: str) -> list[ScorerLine]:
        return [ScorerLine(r.player, r.team, r.goals) for r in await self.client.scorers(code)]
