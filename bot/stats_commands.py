"""``/table`` and ``/scorers`` from the stats provider (football-data.org): a competition's
league table and its top scorers. Without a provider, or when it fails, ``/scorers`` falls back
to the goals of the matches the bot knows (:meth:`bot.commands.Commands.scorers`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

from bot.command_service import AnswersByName
from bot.commands import Commands
from bot.messages import i18n, templates
from bot.messages.model import Message
from bot.ports import CommandContext, StatsSource
from bot.store_contract import DatabaseThread

#: The store's answer to a command (``/scorers`` of the matches the bot knows).
StoreAnswer = Callable[[CommandContext, str, str], Awaitable[Message]]

log = logging.getLogger(__name__)


class StatsCommands(AnswersByName):
    def __init__(
        self,
        db: DatabaseThread,
        commands: Commands,
        stats: StatsSource | None,
        store_answer: StoreAnswer,
    ) -> None:
        self.db = db
        self.commands = commands
        self.stats = stats
        self.store_answer = store_answer

    async def table(self, ctx: CommandContext, args: str) -> Message:
        """``/table [COMPETITION]``: always the provider's."""
        return await self.run(ctx, "table", args)

    async def scorers(self, ctx: CommandContext, args: str) -> Message:
        """``/scorers``: a competition's top scorers from the provider when there is one and
        no team or competition was named; otherwise from the matches the bot knows."""
        if self.stats is None or args.strip():
            return await self.store_answer(ctx, "scorers", args)
        return await self.run(ctx, "scorers", args)

    async def run(self, ctx: CommandContext, name: str, args: str) -> Message:
        """The answer, in the chat's language."""
        language = await self.db.run(self.commands.language, ctx)
        with i18n.use(language):
            return await self._answer(ctx, name, args)

    async def _answer(self, ctx: CommandContext, name: str, args: str) -> Message:
        """``/table`` and ``/scorers`` without a team, from the stats provider."""
        if self.stats is None:
            return templates.table_unavailable(templates.table_needs_provider())
        competition: str | None = args.strip() or None
        if competition is None:
            competition = await self.db.run(self.commands.chat_competition, ctx)
        if not competition:
            return templates.table_unavailable(templates.which_competition(name))
        code = self.stats.competition_code(competition)
        if code is None:
            if name == "scorers":
                return await self.store_answer(ctx, name, args)
            return templates.table_unavailable(templates.no_table_for(competition))
        try:
            if name == "table":
                rows = await self.stats.table(code)
                return templates.league_table(
                    competition,
                    [
                        (
                            r.position,
                            r.team,
                            r.played,
                            r.won,
                            r.drawn,
                            r.lost,
                            r.goal_difference,
                            r.points,
                        )
                        for r in rows
                    ],
                )
            scorers = await self.stats.top_scorers(code)
            return templates.scorers_answer(
                competition,
                [(s.player, s.team, s.goals) for s in scorers],
                source="football-data.org",
            )
        except Exception as exc:  # a provider outage must not leave the fan without an answer
            log.warning("stats for %s failed: %s", competition, exc)
            if name == "scorers":
                return await self.store_answer(ctx, name, args)
            return templates.table_unavailable(templates.table_down())
