"""League tables and top scorers from football-data.org, for ``/table`` and ``/scorers``."""

from __future__ import annotations

from adapters.providers.football_data import FootballData, FootballDataSource
from bot.competitions import provider_code, provider_codes
from bot.ports import ScorerLine, TableRow
from bot.teams import normalize

#: football-data.org's column in the bundled list of competitions' codes
FD = FootballDataSource.name


class FootballDataStats:
    """:class:`bot.ports.StatsSource` backed by the football-data.org client."""

    def __init__(self, client: FootballData) -> None:
        self.client = client

    def competition_code(self, name: str) -> str | None:
        """football-data.org's code of the competition ``name`` names (its name, an alias, or
        the code itself): the bundled list's (``bot/data/provider_competitions.json``)."""
        key = normalize(name)
        if key.upper() in provider_codes(FD):
            return key.upper()
        return provider_code(FD, name)

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
